"""The flows of the bot, declared as data, and the hosts that store their answers."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import views
from bot.deps import Deps
from bot.field_labels import field_labels
from bot.forms import near_duplicates
from bot.forms.definitions import (
    ONBOARDING,
    REGISTRATION,
)
from bot.forms.engine import (
    Answers,
    Button,
    Choice,
    Flow,
    FlowView,
    FormEngine,
    IncomingFile,
    Outcome,
    Screen,
    Step,
)
from bot.i18n import Translator
from models.filecheck import FileType
from models.services import cards, monev, notice_data, people
from models.services import flows as flow_states
from models.services import innovations as inno
from models.services import units as unit_service
from models.services import users as user_service
from models.services.document_checks import INDICATOR_FLAG, SECTION_FLAG
from models.services.files import EvidenceFile, discard_after_commit
from models.tables import FlowState, Innovation, Role, User
from models.validation import InvalidInput

CATALOG_SOURCES = ("profile_fields", "roles", "invite_roles")


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def keep_upload(
    files_dir: Path, folder: Path, file: IncomingFile, data: bytes, detected: FileType
) -> EvidenceFile:
    """Write a checked upload under ``files_dir / folder``, named by the bot (a random id
    with the detected type's extension), off the event loop; return what to record."""
    relative = folder / f"{uuid.uuid4().hex}.{detected.extension}"
    await asyncio.to_thread(_write_file, files_dir / relative, data)
    return EvidenceFile(
        file.kind, file.filename, file.mime_type, len(data), relative.as_posix(), file.unique_id
    )


async def owned_target(ctx: HostContext) -> Innovation | None:
    """The innovation the flow works on, if it is the user's own."""
    if ctx.state.target_id is None:
        return None
    return await inno.get_owned(ctx.session, owner=ctx.user, innovation_id=ctx.state.target_id)


@dataclass
class HostContext:
    """What a host needs for one update."""

    session: AsyncSession
    deps: Deps
    user: User
    state: FlowState
    t: Translator

    @property
    def today(self) -> date:
        """Return today's date in the Pemda's time zone."""
        return self.deps.today()


class BaseHost:
    """Option lists shared by every flow."""

    flow: Flow
    unit_codes = False  # whether unit buttons show the codes (an admin's flows)

    def __init__(self, ctx: HostContext) -> None:
        self.ctx = ctx

    async def options(self, step: Step, answers: Answers) -> list[Choice]:
        """Return units (the user's own first) or a master-data list."""
        source, lang = step.options or "", self.ctx.t.lang
        if source == "units":
            units = await unit_service.list_active(self.ctx.session)
            own = self.ctx.user.unit_id
            units.sort(key=lambda u: u.id != own)
            suffix = self.ctx.t("form.your_unit")
            choices = []
            for u in units:
                label = u.name
                if self.unit_codes:
                    label = self.ctx.t.plain("form.unit_code", name=u.name, code=u.code)
                choices.append(Choice(str(u.id), f"{label} {suffix}" if u.id == own else label))
            return choices
        if source in CATALOG_SOURCES:
            return [Choice(k, v) for k, v in (await self.labels(step)).items()]
        if source == "urusan_irisan":
            main = answers.get("urusan_utama")
            return [
                Choice(o.key, o.text(lang)) for o in self.ctx.deps.master.urusan if o.key != main
            ]
        return [Choice(o.key, o.text(lang)) for o in self.ctx.deps.master.options(source)]

    async def labels(self, step: Step) -> dict[str, str]:
        """Return plain display labels of a choice step's options."""
        t = self.ctx.t
        if step.options == "profile_fields":
            return {s.key: t.plain(f"reg.{s.key}.label") for s in REGISTRATION.steps}
        if step.options in ("roles", "invite_roles"):
            roles = [r for r in Role if step.options == "roles" or r != Role.PENGUSUL]
            return {r.value: t.plain(f"role.{r.value}") for r in roles}
        master, source = self.ctx.deps.master, step.options or ""
        return await cards.option_labels(self.ctx.session, master, source, t.lang)

    def flagged(self) -> set[str]:
        """Return no flagged fields (only returned innovations have them)."""
        return set()

    async def store_link(self, key: str, url: str) -> None:
        """Refuse a link: only files steps that say so take one."""
        raise InvalidInput("err.expected.files")

    def step_text(self, step: Step, part: str) -> str | None:
        """Use the catalog's texts."""
        return None

    async def summary_screen(self, answers: Answers, engine: FlowView) -> Screen | None:
        """Use the engine's summary card."""
        return None

    async def quick_value(self, step: Step, name: str) -> Any:
        """Return the user's own name for the "saya sendiri" button."""
        return self.ctx.user.name or ""

    async def store_file(self, file: IncomingFile, data: bytes, detected: FileType) -> None:
        """Refuse files: only flows with evidence steps keep them."""
        raise NotImplementedError

    async def remove_file(self, key: str, index: int) -> str | None:
        """Remove nothing: only flows with evidence steps keep files."""
        return None

    async def step_left(self, step: Step, engine: FormEngine) -> list[Screen]:
        """Show nothing more when a step is left."""
        return []


class RegistrationHost(BaseHost):
    """Stores registration answers straight into the innovation draft."""

    flow = REGISTRATION

    def __init__(self, ctx: HostContext, innovation: Innovation | None) -> None:
        super().__init__(ctx)
        self._draft = innovation  # None until the first answer: no empty drafts

    @property
    def innovation(self) -> Innovation:
        """Return the draft (it exists once the first answer is saved)."""
        assert self._draft is not None, "the draft is created by the first answer"
        return self._draft

    def flagged(self) -> set[str]:
        """Return the fields the reviewer asked to fix."""
        return set(self._draft.flagged_fields or []) if self._draft else set()

    async def load(self) -> dict[str, Any]:
        """Return the draft's answers."""
        if self._draft is None:
            return {}
        answers = inno.answers_of(self.innovation)
        if answers.get("unit_id") is not None:
            answers["unit_id"] = str(answers["unit_id"])
        return answers

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Write one answer into the draft (the first answer creates it)."""
        now = self.ctx.deps.clock.now()
        if self._draft is None:
            self._draft = await inno.create_draft(self.ctx.session, owner=self.ctx.user, now=now)
            self.ctx.state.target_id = self._draft.id
        if key == "unit_id" and value is not None:
            value = int(value)
        if key != "bukti_dukung":
            inno.set_field(self.innovation, key, value, now=now)
        inno.mark_skipped(self.innovation, key, skipped)
        await self.ctx.session.flush()

    async def store_file(self, file: IncomingFile, data: bytes, detected: FileType) -> None:
        """Write the evidence file under FILES_DIR, named by the bot, and record it."""
        folder = Path(str(self.innovation.id))
        kept = await keep_upload(self.ctx.deps.files_dir, folder, file, data, detected)
        await inno.add_attachment(
            self.ctx.session, self.innovation, kept, now=self.ctx.deps.clock.now()
        )

    async def remove_file(self, key: str, index: int) -> str | None:
        """Delete one evidence file of the draft (its row and the stored file)."""
        files = list(self._draft.attachments) if self._draft and key == "bukti_dukung" else []
        if not 0 <= index < len(files):
            return None
        attachment = files[index]
        await inno.remove_attachment(
            self.ctx.session, self.innovation, attachment, now=self.ctx.deps.clock.now()
        )
        discard_after_commit(self.ctx.session, self.ctx.deps.files_dir, [attachment.path])
        return attachment.filename

    async def step_left(self, step: Step, engine: FormEngine) -> list[Screen]:
        """Warn of near-duplicates once the name and the masalah are given."""
        if step.key not in near_duplicates.WATCHED or self._draft is None:
            return []
        ctx = self.ctx
        return await near_duplicates.warning_screens(
            ctx.session, ctx.deps, ctx.t, ctx.state, self.innovation
        )

    async def summary_extra(
        self, answers: Answers, engine: FlowView
    ) -> tuple[str, list[list[Button]]]:
        """Show IID completeness and the Kirim / Simpan draf / Hapus buttons."""
        t = self.ctx.t
        check = inno.profile_completeness(self.innovation)
        lines = [t("reg.completeness", percent=check.percent, met=check.met, total=check.total)]
        for key in check.missing:
            lines.append(t("reg.missing", label=t(f"reg.{key}.label")))
        for key in check.short:
            lines.append(t("reg.short", label=t(f"reg.{key}.label")))
        if self.innovation.code:
            lines.insert(0, t("reg.code_line", code=self.innovation.code))
        actions = [
            [engine.button(t("reg.submit"), "k")],
            [engine.button(t("reg.save_draft"), "v"), engine.button(t("reg.delete"), "h")],
        ]
        flagged = self.innovation.flagged_fields or []
        documents = [
            Button("🚩 " + t.plain(key), f"{prefix}{self.innovation.id}")
            for flag, key, prefix in (
                (INDICATOR_FLAG, "card.indicators", "iid:"),
                (SECTION_FLAG, "doc.proposal_button", "kipp:"),
            )
            if any(f.startswith(flag) for f in flagged)
        ]
        if documents:
            lines.append(
                t(
                    "reg.flagged_documents",
                    fields=field_labels(
                        t,
                        self.ctx.deps.iid,
                        [f for f in flagged if f.startswith((INDICATOR_FLAG, SECTION_FLAG))],
                    ),
                )
            )
            actions.insert(0, documents)
        return "\n".join(lines), actions

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Submit, keep as draft, or delete (after confirmation)."""
        t, session, state = self.ctx.t, self.ctx.session, self.ctx.state
        if action == "k":
            try:
                submission = await inno.submit(
                    session, self.innovation, actor=self.ctx.user, now=self.ctx.deps.clock.now()
                )
            except inno.NotSubmittable as exc:
                labels = ", ".join(t(f"reg.{k}.label") for k in exc.missing)
                screens = await engine.show()
                screens[0].text = t("reg.not_submittable", fields=labels) + "\n\n" + screens[0].text
                return Outcome(screens)
            await flow_states.remove_for_target(
                session, flow=self.flow.name, target_id=self.innovation.id
            )
            recipients = await monev.notice_recipients(
                session,
                unit_id=self.innovation.unit_id,
                exclude=self.innovation.owner_id,
                reviewer_id=submission.returned_by,
            )
            deps, sources = self.ctx.deps, views.submission_sources(submission, recipients)
            data = await notice_data.submitted(
                session, deps.master, self.innovation, sources, views.languages_of(recipients)
            )
            notices = views.submission_notices(deps, self.innovation, submission, recipients, data)
            text = t("reg.submitted", code=submission.code, name=self.innovation.nama_inovasi or "")
            text += "\n\n" + views.told(t, recipients, kept="reg.kept")
            return Outcome([Screen(text)], finished=True, notices=notices)
        if action == "v":
            state.active = False
            return Outcome([Screen(t("reg.draft_saved"))], finished=True)
        if action == "h":
            engine.state.rev += 1
            buttons = [
                [engine.button(t("reg.delete_yes"), "hy"), engine.button(t("reg.delete_no"), "hn")]
            ]
            return Outcome([Screen(t("reg.delete_confirm"), buttons)])
        if action == "hy":
            paths = await inno.delete_draft(session, self.innovation)
            await flow_states.remove_for_target(
                session, flow=self.flow.name, target_id=self.innovation.id
            )
            discard_after_commit(session, self.ctx.deps.files_dir, paths)
            return Outcome([Screen(t("reg.deleted"))], finished=True)
        if action == "hn":
            return Outcome(await engine.show())
        return Outcome(notice=t("common.stale"), stale=True)


class StateHost(BaseHost):
    """Keeps a flow's answers in its stored state until the flow finishes."""

    async def load(self) -> dict[str, Any]:
        """Return the answers so far."""
        return dict(self.ctx.state.data.get("answers") or {})

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Keep one answer in the flow state."""
        data = dict(self.ctx.state.data)
        answers = dict(data.get("answers") or {})
        answers[key] = value
        data["answers"] = answers
        self.ctx.state.data = data

    async def summary_extra(
        self, answers: Answers, engine: FlowView
    ) -> tuple[str, list[list[Button]]]:
        """These flows have no summary card."""
        return "", []

    async def _done(self, text: str, **extra: Any) -> Outcome:
        await flow_states.remove(self.ctx.session, self.ctx.state)
        return Outcome([Screen(text)], finished=True, **extra)


class OnboardingHost(StateHost):
    """Onboarding: name, unit, NIP, phone; stored on the user at the end."""

    flow = ONBOARDING

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Store the profile on the user and welcome them; a verifikator keeps the unit their
        role is bound to."""
        answers = await self.load()
        user, t = self.ctx.user, self.ctx.t
        unit_id = int(answers["unit_id"])
        parts = [t("onb.done", name=str(answers["name"]))]
        if people.unit_is_bound(user) and user.unit_id is not None and user.unit_id != unit_id:
            unit_id = user.unit_id
            unit = await unit_service.get(self.ctx.session, unit_id)
            parts.append(t("onb.unit_bound", unit=unit.name if unit else "-"))
        user_service.complete_onboarding(
            user,
            name=str(answers["name"]),
            unit_id=unit_id,
            nip=answers.get("nip"),
            phone=answers.get("phone"),
        )
        return await self._done("\n\n".join([*parts, t("menu.body")]))
