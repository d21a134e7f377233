"""The monev report flow (/monev) and the campaign-deadline flow (/tenggat), with their hosts.

Both keep their answers in the flow state until they are sent, so a restart or a detour to
another command loses nothing; evidence files are written under FILES_DIR at once.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.deadline_views import innovation_name, subject, when_phrase
from bot.deps import Deps
from bot.forms.definitions import EVIDENCE_TYPES, MB
from bot.forms.engine import (
    Answers,
    Button,
    Choice,
    Flow,
    FlowView,
    FormEngine,
    IncomingFile,
    Kind,
    Notice,
    Outcome,
    Screen,
    Step,
)
from bot.forms.flows import BaseHost, HostContext, keep_upload
from bot.views import told
from models.filecheck import FileType
from models.ids import parse_id
from models.profile import is_filled
from models.services import flows as flow_states
from models.services import monev, replications
from models.services.files import EvidenceFile, discard_after_commit
from models.services.replications import Side
from models.tables import Deadline, FlowState, Role, User
from models.validation import InvalidInput, first_day, parse_date

MAX_BENEFICIARIES = 100_000_000
REPLICATED = "direplikasi"  # asks by whom; sent, it records a replication
# a campaign scope whose label is not at tgt.scope.<scope>
SCOPE_TEXTS = {monev.INDICATORS: "iidstats.scope.indicators"}


def _stopped(answers: Answers) -> bool:
    return answers.get("status") == monev.STOPPED


def _not_stopped(answers: Answers) -> bool:
    return answers.get("status") != monev.STOPPED


def _replicated(answers: Answers) -> bool:
    return answers.get("status") == REPLICATED


def _troubled(answers: Answers) -> bool:
    return answers.get("status") == "terkendala"


def _never(_answers: Answers) -> bool:
    return False


def parse_deadline_date(text: str) -> str:
    """Parse a deadline date (any date form the bot accepts; the future is allowed; a month
    alone is its first day, as a deadline is a day)."""
    return first_day(parse_date(text, today=date.max)).isoformat()


MONEV = Flow(
    "monev",
    (
        Step("deadline", Kind.CHOICE, options="monev_deadlines"),
        Step("status", Kind.CHOICE, options="monev_status"),
        Step("alasan", Kind.TEXT, min_len=5, max_len=2000, asked=_stopped, required=_stopped),
        Step("replikator", Kind.TEXT, min_len=3, max_len=150, asked=_replicated),
        Step("penerima", Kind.NUMBER, minimum=0, maximum=MAX_BENEFICIARIES),
        Step("hasil", Kind.LONG_TEXT),
        Step("kendala", Kind.LONG_TEXT, required=_troubled),
        Step("rencana", Kind.LONG_TEXT, required=_not_stopped),
        Step("bukti", Kind.FILES, extensions=EVIDENCE_TYPES, max_bytes=20 * MB, required=_never),
    ),
)

CAMPAIGN = Flow(
    "tgt",
    (
        Step("nama", Kind.TEXT, min_len=3, max_len=120),
        Step("tanggal", Kind.TEXT, parse=parse_deadline_date),
        Step("cakupan", Kind.CHOICE, options="campaign_scope"),
    ),
)


class _AnswersInState(BaseHost):
    """Answers kept in the flow state (``data["answers"]``)."""

    def _answers(self) -> dict[str, Any]:
        return dict(self.ctx.state.data.get("answers") or {})

    def _store(self, **values: Any) -> None:
        data = dict(self.ctx.state.data)
        data.update(values)
        self.ctx.state.data = data

    async def labels(self, step: Step) -> dict[str, str]:
        """Return option key -> label of this flow's choice steps."""
        return {c.key: c.label for c in await self.options(step, self._answers())}


class MonevHost(_AnswersInState):
    """A monev report being filled in; sent, it closes the period."""

    flow = MONEV

    async def load(self) -> dict[str, Any]:
        """Return the answers so far, evidence file names included."""
        answers = self._answers()
        answers["bukti"] = [f["filename"] for f in self.ctx.state.data.get("files") or []]
        return answers

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Keep one answer; skipping the evidence step drops the files sent so far."""
        if key == "bukti":
            if not value:
                await self._drop_files()
            return
        answers = self._answers()
        answers[key] = value
        if key == "status" and value != monev.STOPPED:
            answers.pop("alasan", None)
        if key == "status" and value != REPLICATED:
            answers.pop("replikator", None)
        self._store(answers=answers)

    async def _drop_files(self) -> None:
        files = list(self.ctx.state.data.get("files") or [])
        self._store(files=[])
        paths = [str(f["path"]) for f in files]
        discard_after_commit(self.ctx.session, self.ctx.deps.files_dir, paths)

    async def remove_file(self, key: str, index: int) -> str | None:
        """Forget one evidence file of the report and delete it."""
        files = list(self.ctx.state.data.get("files") or []) if key == "bukti" else []
        if not 0 <= index < len(files):
            return None
        removed = files.pop(index)
        self._store(files=files)
        discard_after_commit(self.ctx.session, self.ctx.deps.files_dir, [str(removed["path"])])
        return str(removed["filename"])

    async def store_file(self, file: IncomingFile, data: bytes, detected: FileType) -> None:
        """Write an evidence file under FILES_DIR/monev, named by the bot, and remember it."""
        folder = Path("monev") / str(self.ctx.user.id)
        kept = await keep_upload(self.ctx.deps.files_dir, folder, file, data, detected)
        files = list(self.ctx.state.data.get("files") or [])
        files.append(asdict(kept))
        self._store(files=files)

    def step_text(self, step: Step, part: str) -> str | None:
        """Name the replicating party's step from the replication texts."""
        if step.key != "replikator" or part not in ("label", "prompt"):
            return None
        return self.ctx.t(f"repl.monev.{part}")

    def _deadline_label(self, deadline: Deadline) -> str:
        t = self.ctx.t
        return f"{innovation_name(t, deadline)} · {subject(t, deadline)}"

    async def options(self, step: Step, answers: Answers) -> list[Choice]:
        """Return the user's open monev periods, or the status options."""
        t = self.ctx.t
        if step.options == "monev_deadlines":
            deadlines = await monev.open_monev_deadlines(
                self.ctx.session, owner_id=self.ctx.user.id
            )
            return [Choice(str(d.id), self._deadline_label(d)) for d in deadlines]
        return [Choice(k, t.plain(f"monev.status_opt.{k}")) for k in monev.MONEV_STATUSES]

    async def _deadline(self, answers: Answers) -> Deadline | None:
        deadline_id = parse_id(str(answers.get("deadline") or ""))
        if deadline_id is None:
            return None
        try:
            return await monev.open_deadline_of(
                self.ctx.session, deadline_id=deadline_id, user=self.ctx.user
            )
        except monev.MonevError:
            return None

    async def summary_extra(
        self, answers: Answers, engine: FlowView
    ) -> tuple[str, list[list[Button]]]:
        """Show the due date and the Kirim / Simpan buttons."""
        t = self.ctx.t
        deadline = await self._deadline(answers)
        line = ""
        if deadline is not None:
            when = when_phrase(t, deadline.due_date, self.ctx.today)
            line = t("monev.due_line", date=t.date(deadline.due_date), when=when)
        actions = [
            [engine.button(t("monev.send"), "k")],
            [engine.button(t("monev.save"), "v")],
        ]
        return line, actions

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Send the report (closing the period), or keep it for later."""
        ctx, t = self.ctx, self.ctx.t
        if action == "v":
            ctx.state.active = False
            return Outcome([Screen(t("monev.saved"))], finished=True)
        if action != "k":
            return Outcome(notice=t("common.stale"), stale=True)
        answers = await self.load()
        missing = [
            s for s in MONEV.steps if s.asked(answers) and s.required(answers)
            and not is_filled(answers.get(s.key))
        ]  # fmt: skip
        if missing:
            return Outcome(await engine.begin_at(missing[0].key, mode="edit"))
        deadline = await self._deadline(answers)
        if deadline is None:
            await self._drop_files()
            await flow_states.remove(ctx.session, ctx.state)
            return Outcome([Screen(t("monev.closed"))], finished=True)
        report = monev.ReportInput(
            status=str(answers["status"]),
            beneficiaries=int(answers["penerima"]),
            results=str(answers["hasil"]),
            obstacles=answers.get("kendala") or None,
            next_steps=answers.get("rencana") or None,
            stop_reason=answers.get("alasan") or None,
        )
        files = [EvidenceFile(**f) for f in ctx.state.data.get("files") or []]
        await monev.submit_report(
            ctx.session,
            deadline_id=deadline.id,
            reporter=ctx.user,
            report=report,
            files=files,
            now=ctx.deps.clock.now(),
        )
        await flow_states.remove(ctx.session, ctx.state)
        name = innovation_name(t, deadline)
        what = subject(t, deadline)
        text = t("monev.submitted", name=name, subject=what)
        if report.status == monev.STOPPED:
            text += "\n" + t("monev.stopped_done")
        if report.status == REPLICATED and answers.get("replikator"):
            by = str(answers["replikator"])
            await replications.record(
                ctx.session, original=Side.internal(deadline.innovation_id),
                replica=Side.external(None, by), by=ctx.user.id, now=ctx.deps.clock.now(),
            )  # fmt: skip
            text += "\n" + t("repl.monev_recorded", who=by)
        recipients = await monev.notice_recipients(
            ctx.session, unit_id=deadline.innovation.unit_id, exclude=ctx.user.id
        )
        notices = report_notices(ctx.deps, deadline, report, reporter=ctx.user, to=recipients)
        text += "\n\n" + told(t, recipients, kept="monev.kept")
        return Outcome([Screen(text)], finished=True, notices=notices)


def report_notices(
    deps: Deps,
    deadline: Deadline,
    report: monev.ReportInput,
    *,
    reporter: User,
    to: monev.Recipients,
) -> list[Notice]:
    """Tell the recipients (the unit's verifikators, else the admins) that a report came in."""
    notices = []
    for reviewer in to.users:
        if not reviewer.reachable_somewhere:
            continue
        t = deps.translator(reviewer.language)
        lines = [
            t("monev.notice_title"),
            t("reminder.innovation", name=innovation_name(t, deadline)),
            t("reminder.about", subject=subject(t, deadline)),
            t("monev.notice_status", status=t.plain(f"monev.status_opt.{report.status}")),
            t("monev.notice_beneficiaries", count=t.number(report.beneficiaries)),
            t("monev.notice_by", name=reporter.name or "-"),
        ]
        if report.status == monev.STOPPED:
            lines.append(t("monev.notice_stopped", reason=report.stop_reason or "-"))
        notices.append(Notice(reviewer.id, Screen("\n".join(lines))))
    return notices


def _reset(state: FlowState, *, step: str, answers: dict[str, Any]) -> list[str]:
    """Start the stored report afresh at ``step`` (``answers`` given beforehand are not
    counted as steps); return the files to remove."""
    old = [str(f["path"]) for f in state.data.get("files") or []]
    state.data = {"answers": answers, "files": [], "page": 0, "query": "", "preset": [*answers]}
    state.step = step
    state.mode = "form"
    state.rev += 1
    return old


async def start_monev(
    session: AsyncSession, deps: Deps, user: User, *, deadline_id: int | None = None
) -> list[Screen] | None:
    """Begin (or resume) the monev report; None when there is no open period to report on
    (or ``deadline_id`` is not one of them)."""
    deadlines = await monev.open_monev_deadlines(session, owner_id=user.id)
    ids = [d.id for d in deadlines]
    if not ids or (deadline_id is not None and deadline_id not in ids):
        return None
    state = await flow_states.activate(
        session,
        user_id=user.id,
        flow=MONEV.name,
        target_id=None,
        first_step=MONEV.steps[0].key,
        now=deps.clock.now(),
    )
    chosen_id = parse_id(str((state.data.get("answers") or {}).get("deadline") or ""))
    resumable = chosen_id is not None and chosen_id in ids
    if deadline_id is not None:
        resumable = resumable and chosen_id == deadline_id
    stale: list[str] = []
    if not resumable:
        preset = deadline_id if deadline_id is not None else (ids[0] if len(ids) == 1 else None)
        if preset is not None:
            stale = _reset(state, step="status", answers={"deadline": str(preset)})
        else:
            stale = _reset(state, step="deadline", answers={})
    discard_after_commit(session, deps.files_dir, stale)
    t = deps.translator(user.language)
    ctx = HostContext(session, deps, user, state, t)
    engine = FormEngine(MonevHost(ctx), state, t, today=ctx.today)
    chosen = str((state.data.get("answers") or {}).get("deadline") or "")
    intro = t("monev.started")
    for deadline in deadlines:
        if str(deadline.id) == chosen:
            what, name = subject(t, deadline), innovation_name(t, deadline)
            intro = t("monev.started_for", subject=what, name=name)
    return [Screen(intro), *await engine.show()]


class CampaignHost(_AnswersInState):
    """An admin sets an evaluation deadline: name, date, which innovations."""

    flow = CAMPAIGN

    async def load(self) -> dict[str, Any]:
        """Return the answers so far."""
        return self._answers()

    async def save(self, key: str, value: Any, *, skipped: bool = False) -> None:
        """Keep one answer; a date must not be in the past."""
        answers = self._answers()
        if key == "tanggal":
            day = date.fromisoformat(str(value))
            if day < self.ctx.today:
                raise InvalidInput("tgt.err_past")
            answers["tanggal_iso"] = day.isoformat()
            value = self.ctx.t.date(day)
        answers[key] = value
        self._store(answers=answers)

    async def options(self, step: Step, answers: Answers) -> list[Choice]:
        """Return the campaign scopes, the default first."""
        t = self.ctx.t
        return [
            Choice(s, t.plain(SCOPE_TEXTS.get(s, f"tgt.scope.{s}"))) for s in monev.CAMPAIGN_SCOPES
        ]

    async def summary_extra(
        self, answers: Answers, engine: FlowView
    ) -> tuple[str, list[list[Button]]]:
        """Offer Simpan / Batal."""
        t = self.ctx.t
        actions = [
            [engine.button(t("tgt.save"), "k")],
            [engine.button(t("tgt.discard"), "x")],
        ]
        return "", actions

    async def finish(self, action: str, arg: str, engine: FormEngine) -> Outcome:
        """Create the campaign and its reminders, or drop the draft."""
        ctx, t = self.ctx, self.ctx.t
        if action == "x":
            await flow_states.remove(ctx.session, ctx.state)
            return Outcome([Screen(t("tgt.discarded"))], finished=True)
        if action != "k":
            return Outcome(notice=t("common.stale"), stale=True)
        answers = self._answers()
        due = date.fromisoformat(str(answers["tanggal_iso"]))
        if due < ctx.today:
            return Outcome(await engine.begin_at("tanggal", mode="edit"))
        campaign, count = await monev.create_campaign(
            ctx.session,
            name=str(answers["nama"]),
            due_date=due,
            scope=str(answers.get("cakupan") or monev.CAMPAIGN_SCOPES[0]),
            actor=ctx.user,
            now=ctx.deps.clock.now(),
            policy=ctx.deps.policy,
            rules=ctx.deps.iid,
        )
        await flow_states.remove(ctx.session, ctx.state)
        text = t("tgt.saved", name=campaign.name, date=t.date(due), count=count)
        return Outcome([Screen(text)], finished=True)


async def monev_host(ctx: HostContext) -> MonevHost | None:
    """Build the monev report's host."""
    return MonevHost(ctx)


async def campaign_host(ctx: HostContext) -> CampaignHost | None:
    """Build the campaign flow's host (admins only)."""
    return CampaignHost(ctx) if ctx.user.role == Role.ADMIN else None
