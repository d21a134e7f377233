"""The flows of the bot, declared as data, and the hosts that store their answers."""

from __future__ import annotations

import asyncio
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from bot.forms.engine import (
    Answers,
    Button,
    Choice,
    Flow,
    FormEngine,
    IncomingFile,
    Kind,
    Outcome,
    Screen,
    Step,
)
from bot.i18n import Translator
from models.profile import FIELDS_BY_KEY, MASALAH_MIN_WORDS, RANCANG_BANGUN_MIN_WORDS
from models.services import flows as flow_states
from models.services import innovations as inno
from models.services import units as unit_service
from models.services import users as user_service
from models.tables import FlowState, Innovation, User
from models.validation import parse_nip

EVIDENCE_TYPES = ("pdf", "jpg", "jpeg", "png", "docx", "xlsx")
MB = 1024 * 1024


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _never(_a: Answers) -> bool:
    return False


def _rule(key: str) -> dict[str, Any]:
    field = FIELDS_BY_KEY[key]
    return {"asked": field.asked, "required": field.required}


REGISTRATION = Flow(
    "reg",
    (
        Step("nama_inovasi", Kind.TEXT, min_len=5, max_len=150),
        Step("unit_id", Kind.CHOICE, options="units"),
        Step("tahapan", Kind.CHOICE, options="tahapan"),
        Step("inisiator", Kind.CHOICE, options="inisiator"),
        Step("nama_inisiator", Kind.TEXT, min_len=3, max_len=150, quick=("self",)),
        Step("jenis", Kind.CHOICE, options="jenis"),
        Step("bentuk", Kind.CHOICE, options="bentuk"),
        Step("tematik", Kind.CHOICE, options="tematik"),
        Step("urusan_utama", Kind.CHOICE, options="urusan"),
        Step("urusan_irisan", Kind.MULTI, options="urusan_irisan", **_rule("urusan_irisan")),
        Step("waktu_uji_coba", Kind.DATE, **_rule("waktu_uji_coba")),
        Step(
            "waktu_penerapan",
            Kind.DATE,
            not_before="waktu_uji_coba",
            **_rule("waktu_penerapan"),
        ),
        Step("masalah", Kind.LONG_TEXT, min_words=MASALAH_MIN_WORDS),
        Step("rancang_bangun", Kind.LONG_TEXT, soft_min_words=RANCANG_BANGUN_MIN_WORDS, later=True),
        Step("tujuan", Kind.LONG_TEXT),
        Step("manfaat", Kind.LONG_TEXT),
        Step("hasil", Kind.LONG_TEXT, **_rule("hasil")),
        Step("lokasi", Kind.LOCATION, **_rule("lokasi")),
        Step(
            "bukti_dukung",
            Kind.FILES,
            extensions=EVIDENCE_TYPES,
            max_bytes=20 * MB,
            **_rule("bukti_dukung"),
        ),
        Step("kontak", Kind.CONTACT, **_rule("kontak")),
    ),
)

ONBOARDING = Flow(
    "onb",
    (
        Step("name", Kind.TEXT, min_len=3, max_len=120),
        Step("unit_id", Kind.CHOICE, options="units"),
        Step("nip", Kind.TEXT, required=_never, parse=parse_nip),
        Step("phone", Kind.CONTACT, required=_never),
    ),
    summary=False,
)

FLOWS = {f.name: f for f in (REGISTRATION, ONBOARDING)}


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
        zone = zoneinfo.ZoneInfo(self.deps.settings.timezone)
        return self.deps.clock.now().astimezone(zone).date()


class BaseHost:
    """Option lists shared by every flow."""

    flow: Flow

    def __init__(self, ctx: HostContext) -> None:
        self.ctx = ctx

    async def options(self, step: Step, answers: Answers) -> list[Choice]:
        """Return units (the user's own first) or a master-data list."""
        source = step.options or ""
        if source == "units":
            units = await unit_service.list_active(self.ctx.session)
            own = self.ctx.user.unit_id
            units.sort(key=lambda u: u.id != own)
            suffix = self.ctx.t("form.your_unit")
            return [
                Choice(str(u.id), f"{u.name} {suffix}" if u.id == own else u.name) for u in units
            ]
        if source == "urusan_irisan":
            main = answers.get("urusan_utama")
            return [Choice(o.key, o.label) for o in self.ctx.deps.master.urusan if o.key != main]
        return [Choice(o.key, o.label) for o in self.ctx.deps.master.options(source)]

    async def quick_value(self, step: Step, name: str) -> Any:
        """Return the user's own name for the "saya sendiri" button."""
        return self.ctx.user.name or ""

    async def store_file(self, file: IncomingFile, data: bytes) -> None:
        """Refuse files: only flows with evidence steps keep them."""
        raise NotImplementedError


class RegistrationHost(BaseHost):
    """Stores registration answers straight into the innovation draft."""

    flow = REGISTRATION

    def __init__(self, ctx: HostContext, innovation: Innovation) -> None:
        super().__init__(ctx)
        self.innovation = innovation

    async def load(self) -> dict[str, Any]:
        """Return the draft's answers."""
        answers = inno.answers_of(self.innovation)
        if answers.get("unit_id") is not None:
            answers["unit_id"] = str(answers["unit_id"])
        return answers

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Write one answer into the draft."""
        now = self.ctx.deps.clock.now()
        if key == "unit_id" and value is not None:
            value = int(value)
        if key != "bukti_dukung":
            inno.set_field(self.innovation, key, value, now=now)
        inno.mark_skipped(self.innovation, key, skipped)
        await self.ctx.session.flush()

    async def store_file(self, file: IncomingFile, data: bytes) -> None:
        """Write the evidence file under FILES_DIR and record it."""
        ext = Path(file.filename).suffix.lower() or ".bin"
        relative = Path(str(self.innovation.id)) / f"{uuid.uuid4().hex}{ext}"
        target = self.ctx.deps.files_dir / relative
        await asyncio.to_thread(_write_file, target, data)
        await inno.add_attachment(
            self.ctx.session,
            self.innovation,
            kind=file.kind,
            filename=file.filename,
            mime_type=file.mime_type,
            size=len(data),
            path=relative.as_posix(),
            file_unique_id=file.unique_id,
            now=self.ctx.deps.clock.now(),
        )

    async def summary_extra(
        self, answers: Answers, engine: FormEngine
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
        return "\n".join(lines), actions

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Submit, keep as draft, or delete (after confirmation)."""
        t, session, state = self.ctx.t, self.ctx.session, self.ctx.state
        if action == "k":
            try:
                code = await inno.submit(
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
            text = t("reg.submitted", code=code, name=self.innovation.nama_inovasi or "")
            return Outcome([Screen(text)], finished=True)
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
            for path in paths:
                (self.ctx.deps.files_dir / path).unlink(missing_ok=True)
            return Outcome([Screen(t("reg.deleted"))], finished=True)
        if action == "hn":
            return Outcome(await engine.show())
        return Outcome(notice=t("common.stale"), stale=True)


class OnboardingHost(BaseHost):
    """Keeps onboarding answers in the flow state until the user is complete."""

    flow = ONBOARDING

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
        self, answers: Answers, engine: FormEngine
    ) -> tuple[str, list[list[Button]]]:
        """Onboarding has no summary card."""
        return "", []

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Store the profile on the user and welcome them."""
        answers = await self.load()
        user_service.complete_onboarding(
            self.ctx.user,
            name=str(answers["name"]),
            unit_id=int(answers["unit_id"]),
            nip=answers.get("nip"),
            phone=answers.get("phone"),
        )
        await flow_states.remove(self.ctx.session, self.ctx.state)
        text = self.ctx.t("onb.done", name=self.ctx.user.name or "")
        return Outcome([Screen(text + "\n\n" + self.ctx.t("menu.body"))], finished=True)
