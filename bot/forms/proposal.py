"""`proposal KODE`: the KIPP proposal, one section per step on the form engine.

Each section shows its weight and word limit as it is written, a short guide of what the
assessors look for, and starts from what the profile already says where it maps (master
data's kipp_bagian ``dari``): a draft the user keeps, adds to or replaces with the long-text
steps' own buttons. Over the limit is refused with the count. The summary sends the DOCX.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from bot.documents.build import proposal_file
from bot.forms import changes
from bot.forms.engine import (
    Answers,
    Button,
    Flow,
    FlowView,
    FormEngine,
    Kind,
    Outcome,
    Screen,
    Step,
)
from bot.forms.flows import BaseHost, HostContext, owned_target
from bot.forms.indicators import number
from bot.forms.values import escape
from bot.i18n import Translator
from models.masterdata import KippSection, MasterData
from models.services import indicators as answers_service
from models.services import proposal as proposal_service
from models.services.document_checks import SECTION_FLAG
from models.tables import Innovation
from models.validation import count_words

FLOW_NAME = "kipp"


def _never(_a: Answers) -> bool:
    return False


def proposal_flow(master: MasterData) -> Flow:
    """Return the flow over the proposal's sections, in master data's order."""
    steps = tuple(
        Step(s.key, Kind.LONG_TEXT, max_words=s.maks_kata, required=_never)
        for s in master.kipp_bagian
    )
    return Flow(FLOW_NAME, steps)


class ProposalHost(BaseHost):
    """The proposal of one innovation, one row per section."""

    def __init__(self, ctx: HostContext, innovation: Innovation, drafts: set[str]) -> None:
        super().__init__(ctx)
        self.innovation = innovation
        self.drafts = drafts
        self.flow = proposal_flow(ctx.deps.master)

    def _section(self, key: str) -> KippSection:
        return next(s for s in self.ctx.deps.master.kipp_bagian if s.key == key)

    async def load(self) -> dict[str, Any]:
        """Return the sections' texts."""
        return dict(await proposal_service.sections(self.ctx.session, self.innovation.id))

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Store a section at once ("later" keeps what is there)."""
        if skipped:
            return
        await proposal_service.save(
            self.ctx.session, self.innovation.id, key, value, now=self.ctx.deps.clock.now()
        )

    def flagged(self) -> set[str]:
        """Return the sections a reviewer returned."""
        fields = self.innovation.flagged_fields or []
        return {f.removeprefix(SECTION_FLAG) for f in fields if f.startswith(SECTION_FLAG)}

    def step_text(self, step: Step, part: str) -> str | None:
        """The section's name with its weight; its prompt with the limit and the guide."""
        t, section = self.ctx.t, self._section(step.key)
        name = t.plain(f"kipp.section.{step.key}")
        if part == "header":
            return None  # the step counter: "Langkah 2/8 · Latar belakang dan tujuan"
        if part == "label":
            return escape(t.plain("kipp.label", name=name, weight=number(t, section.bobot)))
        text = (
            t("kipp.prompt", max=t.number(section.maks_kata)) + "\n" + t(f"kipp.guide.{step.key}")
        )
        if step.key in self.drafts:
            text += "\n\n" + t("kipp.from_profile")
        return text

    async def summary_extra(
        self, answers: Answers, engine: FlowView
    ) -> tuple[str, list[list[Button]]]:
        """Words against each limit, and the document and leave buttons."""
        t = self.ctx.t
        sections = self.ctx.deps.master.kipp_bagian
        written = sum(1 for s in sections if count_words(answers.get(s.key)))
        line = t("kipp.progress", written=written, total=len(sections))
        note = changes.note(self.ctx, self.innovation)
        line += "\n\n" + note if note else ""
        actions = [
            [engine.button(t("kipp.document"), "doc")],
            [engine.button(t("kipp.leave"), "ok")],
        ]
        return line, actions

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Send the proposal as a DOCX, or leave (everything is saved)."""
        t = self.ctx.t
        if action == "ok":
            saved = t("kipp.saved", code=self.innovation.code or "")
            return await changes.leave(self.ctx, self.innovation, saved)
        if action == "doc":
            file = await proposal_file(self.ctx.session, self.ctx.deps, t, self.innovation)
            return Outcome([Screen(t("kipp.sending"))], files=[file])
        return Outcome(notice=t("common.stale"), stale=True)


async def first_drafts(
    session: AsyncSession, deps: Deps, t: Translator, innovation: Innovation
) -> list[str]:
    """Write the first draft of every empty section that maps to the profile; return the
    keys of the sections drafted (their prompt says where the text came from)."""
    master, rules = deps.master, deps.iid
    have = await proposal_service.sections(session, innovation.id)
    estimate = await answers_service.estimate_for(session, rules, innovation)
    levels = {row.indicator.key: row.answer.level for row in estimate.rows}

    def indicator_line(key: str) -> str | None:
        indicator, level = rules.get(key), levels.get(key)
        if indicator is None or level is None:
            return None
        chosen = indicator.level_text(level, t.lang)
        return t.plain("kipp.indicator_line", name=indicator.name(t.lang), level=chosen)

    written: list[str] = []
    now = deps.clock.now()
    for section in master.kipp_bagian:
        if count_words(have.get(section.key)):
            continue
        text = proposal_service.draft(section, innovation, indicator_line)
        if text:
            await proposal_service.save(session, innovation.id, section.key, text, now=now)
            written.append(section.key)
    return written


async def proposal_host(ctx: HostContext) -> ProposalHost | None:
    """The proposal of the user's own innovation."""
    innovation = await owned_target(ctx)
    if innovation is None:
        return None
    drafts = {str(key) for key in ctx.state.data.get("drafts") or ()}
    return ProposalHost(ctx, innovation, drafts)
