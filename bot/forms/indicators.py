"""`indikator KODE`: the 20 IID indicators of an innovation, on the form engine.

The flow is built from the rules file: for each indicator a level step (its three levels as
buttons) and an evidence step (files of the types the rules accept, or a link where they allow
one). Every answer is stored at once (:mod:`models.services.indicators`); the summary shows each
indicator's level, score and evidence, the estimated total and what would reach the next level.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from bot.check_views import is_waiting
from bot.forms import changes
from bot.forms.definitions import MB
from bot.forms.engine import (
    Answers,
    Button,
    Choice,
    Flow,
    FlowView,
    FormEngine,
    IncomingFile,
    Kind,
    Outcome,
    Screen,
    Step,
)
from bot.forms.flows import BaseHost, HostContext, keep_upload, owned_target
from bot.forms.values import escape
from bot.i18n import Raw, Translator
from models import iid
from models.filecheck import FileType
from models.iid import Estimate, IidRules, Indicator
from models.services import indicators as answers_service
from models.services import monev
from models.services.document_checks import INDICATOR_FLAG
from models.services.indicators import Indicators
from models.tables import Innovation

FLOW_NAME = "iid"
EVIDENCE = ".bukti"
CHAT_FILE_MB = 20  # the largest file a chat channel hands over


def _never(_a: Answers) -> bool:
    return False


def _has_level(key: str) -> Any:
    def rule(answers: Answers) -> bool:
        return answers.get(key) is not None

    return rule


def _extensions(indicator: Indicator) -> tuple[str, ...]:
    types = list(indicator.bukti.jenis)
    if "jpg" in types and "jpeg" not in types:
        types.append("jpeg")
    return tuple(types)


@cache
def indicator_flow(rules: IidRules) -> Flow:
    """Return the flow over the rules' indicators: a level step and an evidence step each."""
    steps: list[Step] = []
    for indicator in rules.indikator:
        steps.append(
            Step(indicator.key, Kind.CHOICE, options=f"iid:{indicator.key}", required=_never)
        )
        steps.append(
            Step(
                indicator.key + EVIDENCE,
                Kind.FILES,
                extensions=_extensions(indicator),
                max_bytes=min(indicator.bukti.maks_mb, CHAT_FILE_MB) * MB,
                links=indicator.bukti.tautan,
                asked=_has_level(indicator.key),
                required=_never,
                with_previous=True,
            )
        )
    return Flow(FLOW_NAME, tuple(steps))


def number(t: Translator, value: float) -> str:
    """Show a score: whole numbers as such, others with one decimal in the user's style."""
    if float(value).is_integer():
        return t.number(int(value))
    text = f"{value:.1f}"
    return text.replace(".", ",") if t.lang == "id" else text


def score_lines(
    t: Translator, found: Indicators, waiting: frozenset[str] = frozenset()
) -> list[str]:
    """One line per indicator: level (and whether the profile implies it), score, evidence,
    and what the next level would add; 🕓 on those ``waiting`` for a verifier."""
    lang = t.lang
    lines = []
    for row in found.estimate.rows:
        ind, level = row.indicator, row.answer.level
        head = f"{ind.nomor}. {escape(ind.name(lang))}"
        if level is None:
            lines.append(t("iid.row_none", head=Raw(head)))
            continue
        names = found.evidence(ind.key)
        proof = t("iid.proof", count=len(names)) if names else t("iid.no_proof")
        chosen = escape(ind.level_text(level, lang))
        if row.answer.from_profile:
            chosen += " " + t("iid.implied")
        parts = [chosen, proof]
        parts.append(t("iid.points", score=number(t, row.claimed if row.complete else 0)))
        if level < iid.LEVELS:
            gain = number(t, ind.bobot)
            parts.append(t("iid.next", level=ind.level_text(level + 1, lang), gain=gain))
        if ind.key in waiting:
            parts.append(t("checks.pending_mark"))
        mark = "✅" if row.complete else "⚠️"
        lines.append(f"{mark} {head}: " + " · ".join(parts))
    return lines


def summary_lines(
    t: Translator, rules: IidRules, innovation: Innovation, found: Indicators
) -> list[str]:
    """The indicators' card: a title, one line per indicator, the totals."""
    code = innovation.code or t.plain("status.no_code")
    title = t("iid.summary_title", name=innovation.nama_inovasi or "", code=code)
    waiting = frozenset(k for k, row in found.rows.items() if is_waiting(innovation, row))
    lines = score_lines(t, found, waiting)
    return [title, "", *lines, "", *total_lines(t, rules, found.estimate)]


def total_lines(t: Translator, rules: IidRules, result: Estimate) -> list[str]:
    """The estimated total, its band, and what completing the evidence would give."""
    band = rules.band(result.percent)
    lines = [
        t(
            "iid.total",
            total=number(t, result.total),
            max=number(t, result.max_score),
            percent=number(t, round(result.percent, 1)),
            band=band.text(t.lang) if band else t.plain("iid.no_band"),
        )
    ]
    if result.claimed > result.total:
        lines.append(t("iid.claimed", claimed=number(t, result.claimed)))
    missing = result.missing_mandatory
    if missing:
        names = ", ".join(f"{i.nomor}. {i.name(t.lang)}" for i in missing)
        lines.append(t("iid.mandatory_missing", names=names))
    return lines


def card_line(t: Translator, result: Estimate) -> str:
    """One line for an innovation's card: the estimated score and how many are complete."""
    complete = sum(1 for row in result.rows if row.complete)
    return t(
        "iid.card_line",
        total=number(t, result.total),
        max=number(t, result.max_score),
        percent=number(t, round(result.percent, 1)),
        complete=complete,
        count=len(result.rows),
    )


class IndicatorHost(BaseHost):
    """The indicator answers of one innovation, kept in their own rows."""

    def __init__(
        self, ctx: HostContext, innovation: Innovation, facts: answers_service.ProfileFacts
    ) -> None:
        super().__init__(ctx)
        self.innovation = innovation
        self.facts = facts
        self.rules = ctx.deps.iid
        self.flow = indicator_flow(self.rules)
        self._found: Indicators | None = None  # read once per update, again after a write

    async def _settle(self) -> None:
        """After a write: read the answers again when next needed, and close an evaluation
        deadline that asked for the mandatory indicators once they are complete."""
        self._found = None
        await self.ctx.session.flush()
        estimate = (await self._read()).estimate  # read here, shown next from the same read
        now = self.ctx.deps.clock.now()
        await monev.settle_indicators(self.ctx.session, self.innovation, estimate, now=now)

    def _indicator(self, step: Step) -> Indicator:
        found = self.rules.get(step.key.removesuffix(EVIDENCE))
        if found is None:  # the flow is built from these rules
            raise KeyError(step.key)
        return found

    async def _read(self) -> Indicators:
        if self._found is None:
            self._found = await answers_service.read(
                self.ctx.session, self.rules, self.innovation, self.facts
            )
        return self._found

    async def load(self) -> dict[str, Any]:
        """Return each indicator's level (chosen, or implied by the profile) and evidence."""
        found = await self._read()
        out: dict[str, Any] = {}
        for row in found.estimate.rows:
            key = row.indicator.key
            out[key] = str(row.answer.level) if row.answer.level else None
            out[key + EVIDENCE] = found.evidence(key)
        return out

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Store a level; skipping ("later") keeps what is there."""
        if key.endswith(EVIDENCE) or skipped:
            return
        level = int(value) if value else None
        await answers_service.set_level(
            self.ctx.session,
            self.innovation.id,
            key,
            level,
            by=self.ctx.user.id,
            now=self.ctx.deps.clock.now(),
        )
        await self._settle()

    async def options(self, step: Step, answers: Answers) -> list[Choice]:
        """Return the indicator's three levels."""
        indicator = self._indicator(step)
        lang = self.ctx.t.lang
        return [Choice(str(n), indicator.level_text(n, lang)) for n in range(1, iid.LEVELS + 1)]

    async def labels(self, step: Step) -> dict[str, str]:
        """Return level number -> label."""
        return {c.key: c.label for c in await self.options(step, {})}

    def flagged(self) -> set[str]:
        """Return the indicators a reviewer returned (their level and evidence steps)."""
        keys = {
            f.removeprefix(INDICATOR_FLAG)
            for f in self.innovation.flagged_fields or []
            if f.startswith(INDICATOR_FLAG)
        }
        return keys | {k + EVIDENCE for k in keys}

    async def store_file(self, file: IncomingFile, data: bytes, detected: FileType) -> None:
        """Write an evidence file under FILES_DIR/iid/<innovation>/<indicator>."""
        key = self.ctx.state.step.removesuffix(EVIDENCE)
        folder = Path("iid") / str(self.innovation.id) / key
        kept = await keep_upload(self.ctx.deps.files_dir, folder, file, data, detected)
        await answers_service.add_file(
            self.ctx.session, self.innovation.id, key, kept, by=self.ctx.user.id,
            now=self.ctx.deps.clock.now(),
        )  # fmt: skip
        await self._settle()

    async def store_link(self, key: str, url: str) -> None:
        """Keep the link that stands for the evidence (the video)."""
        await answers_service.set_link(
            self.ctx.session, self.innovation.id, key.removesuffix(EVIDENCE), url,
            by=self.ctx.user.id, now=self.ctx.deps.clock.now(),
        )  # fmt: skip
        await self._settle()

    async def remove_file(self, key: str, index: int) -> str | None:
        """Forget one piece of evidence of an indicator."""
        self._found = None
        return await answers_service.remove_file(
            self.ctx.session, self.innovation.id, key.removesuffix(EVIDENCE), index,
            files_dir=self.ctx.deps.files_dir, by=self.ctx.user.id, now=self.ctx.deps.clock.now(),
        )  # fmt: skip

    def step_text(self, step: Step, part: str) -> str | None:
        """The indicator's own label and question, from the rules file."""
        t, indicator = self.ctx.t, self._indicator(step)
        evidence = step.key.endswith(EVIDENCE)
        if part == "header":
            key = "iid.evidence_header" if evidence else "iid.level_header"
            total = len(self.rules.indikator)
            return t(
                key,
                n=self.rules.indikator.index(indicator) + 1,
                total=total,
                name=indicator.name(t.lang),
            )
        if part == "label":
            key = "iid.evidence_label" if evidence else "iid.level_label"
            return escape(t.plain(key, no=indicator.nomor, name=indicator.name(t.lang)))
        if evidence:
            return self._evidence_prompt(indicator)
        weight = number(t, indicator.bobot)
        text = t("iid.level_prompt", question=indicator.question(t.lang), weight=weight)
        if indicator.wajib:
            text += "\n" + t("iid.mandatory")
        value = self.facts.value(indicator.profil) if indicator.profil else None
        implied = iid.level_from_profile(indicator, value)
        if indicator.profil and value is not None and implied is not None:
            level = indicator.level_text(implied, t.lang)
            text += "\n\n" + t(f"iid.from_profile.{indicator.profil}", value=value, level=level)
        return text

    def _evidence_prompt(self, indicator: Indicator) -> str:
        t = self.ctx.t
        mb = min(indicator.bukti.maks_mb, CHAT_FILE_MB)
        types = ", ".join(x.upper() for x in indicator.bukti.jenis)
        text = t("iid.evidence_prompt", types=types, mb=mb)
        if indicator.bukti.tautan:
            text += "\n" + t("iid.evidence_link")
        note = indicator.note(t.lang)
        if note:
            text += "\n<i>" + escape(note) + "</i>"
        return text

    async def summary_extra(
        self, answers: Answers, engine: FlowView
    ) -> tuple[str, list[list[Button]]]:
        """Not used: the indicators have their own summary card."""
        return "", []

    async def summary_screen(self, answers: Answers, engine: FlowView) -> Screen | None:
        """Every indicator on one card, the estimated total, and what to do next."""
        t = self.ctx.t
        found = await self._read()
        lines = summary_lines(t, self.rules, self.innovation, found)
        note = changes.note(self.ctx, self.innovation)
        lines += ["", note] if note else []
        rows: list[list[Button]] = []
        flagged = {k for k in self.flagged() if not k.endswith(EVIDENCE)}
        for indicator in self.rules.indikator:
            if indicator.key in flagged:
                label = t.plain(
                    "iid.flagged_button", no=indicator.nomor, name=indicator.name(t.lang)
                )
                rows.append([engine.button(label, "e", indicator.key)])
        todo = found.estimate.incomplete
        if todo:
            rows.append([engine.button(t("iid.continue", count=len(todo)), "n1", todo[0].key)])
        rows.append([engine.button(t("iid.pick"), "pk")])
        rows.append([engine.button(t("iid.finish"), "ok")])
        return Screen("\n".join(lines), rows)

    def _pick_screen(self, engine: FormEngine) -> Screen:
        t = self.ctx.t
        buttons = [
            engine.button(f"{i.nomor}. {i.name(t.lang)}", "e", i.key) for i in self.rules.indikator
        ]
        rows = [buttons[n : n + 2] for n in range(0, len(buttons), 2)]
        rows.append([engine.button(t("form.to_summary"), "es")])
        return Screen(t("iid.pick_title"), rows, edit=True)

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Continue with what is missing, pick an indicator, or leave (all is saved)."""
        t = self.ctx.t
        if action == "pk":
            engine.state.rev += 1
            return Outcome([self._pick_screen(engine)])
        if action == "n1" and self.rules.get(arg) is not None:
            answers = await self.load()  # a chosen level without evidence: to its evidence
            step = arg + EVIDENCE if answers.get(arg) is not None else arg
            return Outcome(await engine.begin_at(step, mode="edit"))
        if action == "ok":
            saved = t("iid.saved", code=self.innovation.code or "")
            return await changes.leave(self.ctx, self.innovation, saved)
        return Outcome(notice=t("common.stale"), stale=True)


async def indicator_host(ctx: HostContext) -> IndicatorHost | None:
    """The indicators of the user's own innovation."""
    innovation = await owned_target(ctx)
    if innovation is None:
        return None
    facts = await answers_service.profile_facts(ctx.session, innovation)
    return IndicatorHost(ctx, innovation, facts)
