"""/monev (/report) and the buttons of reminders: fill in now, remind me tomorrow, ask for an
extension (decided by the unit's verifikator)."""

from __future__ import annotations

from bot import views
from bot.deadline_views import innovation_name, subject
from bot.forms import runner
from bot.forms.monev import start_monev
from bot.forms.screens import Button, Notice, Outcome, Screen
from bot.i18n import Translator
from handlers.core import Routes, Turn, stale
from models.ids import parse_id
from models.services import monev
from models.tables import DeadlineKind

PREFIX = "mv:"


async def report(turn: Turn) -> Outcome:
    """Begin (or resume) the monev report."""
    screens = await turn.gate()
    if screens is None:
        screens = await start_monev(turn.session, turn.deps, turn.user)
        if screens is None:
            screens = [Screen(turn.t("monev.none"))]
    return Outcome(screens)


def _refusal(t: Translator, error: monev.MonevError) -> str:
    return t(f"monev.refused.{error.reason}")


async def _fill(turn: Turn, deadline_id: int) -> Outcome:
    session, user, t, deps = turn.session, turn.user, turn.t, turn.deps
    try:
        deadline = await monev.open_deadline_of(session, deadline_id=deadline_id, user=user)
    except monev.MonevError as exc:
        return Outcome(notice=_refusal(t, exc))
    if deadline.kind == DeadlineKind.MONEV:
        screens = await start_monev(session, deps, user, deadline_id=deadline.id)
        return Outcome(screens) if screens else Outcome(notice=t("monev.refused.closed"))
    screens = await runner.resume_draft(session, deps, user, deadline.innovation_id)
    if screens is None:
        return Outcome([Screen(t("monev.cannot_edit"))])
    return Outcome(screens)


async def _snooze(turn: Turn, reminder_id: int) -> Outcome:
    session, user, t, deps = turn.session, turn.user, turn.t, turn.deps
    policy = deps.policy
    try:
        when = await monev.snooze(
            session, reminder_id=reminder_id, user=user, now=deps.clock.now(), policy=policy
        )
    except monev.MonevError as exc:
        return Outcome(notice=_refusal(t, exc))
    day = t.date(policy.local_date(when))
    return Outcome([Screen(t("monev.snoozed", date=day))], notice=t.plain("monev.snoozed_short"))


async def _ask_days(turn: Turn, deadline_id: int) -> Outcome:
    session, user, t, deps = turn.session, turn.user, turn.t, turn.deps
    try:
        deadline = await monev.open_deadline_of(session, deadline_id=deadline_id, user=user)
    except monev.MonevError as exc:
        return Outcome(notice=_refusal(t, exc))
    text = t(
        "ext.ask_days",
        subject=subject(t, deadline),
        name=innovation_name(t, deadline),
        date=t.date(deadline.due_date),
    )
    buttons = [
        Button(t.plain("ext.days_button", days=days), f"{PREFIX}exd:{deadline.id}:{days}")
        for days in deps.settings.extension_day_options
    ]
    return Outcome([Screen(text, [buttons])])


async def _request(turn: Turn, deadline_id: int, days: int) -> Outcome:
    session, user, t, deps = turn.session, turn.user, turn.t, turn.deps
    if days not in deps.settings.extension_day_options:
        return Outcome(notice=t("common.stale"))
    try:
        deadline = await monev.open_deadline_of(session, deadline_id=deadline_id, user=user)
        recipients = await monev.notice_recipients(
            session, unit_id=deadline.innovation.unit_id, exclude=deadline.innovation.owner_id
        )
        if not recipients.users:
            return Outcome([Screen(t("ext.no_reviewer"))])
        request = await monev.request_extension(
            session, deadline_id=deadline.id, user=user, days=days, now=deps.clock.now()
        )
    except monev.MonevError as exc:
        return Outcome(notice=_refusal(t, exc))
    notices = []
    for reviewer in recipients.users:
        rt = deps.translator(reviewer.language)
        text = rt(
            "ext.request_notice",
            owner=user.name or "-",
            days=days,
            subject=subject(rt, deadline),
            name=innovation_name(rt, deadline),
            date=rt.date(deadline.due_date),
        )
        buttons = [
            Button(rt.plain("ext.approve"), f"{PREFIX}ok:{request.id}"),
            Button(rt.plain("ext.refuse"), f"{PREFIX}no:{request.id}"),
        ]
        notices.append(Notice(reviewer.id, Screen(text, [buttons])))
    text = t("ext.requested", days=days) + "\n" + views.told(t, recipients)
    screen = Screen(text, edit=True)
    return Outcome([screen], notices=notices)


async def _decide(turn: Turn, request_id: int, *, approve: bool) -> Outcome:
    session, user, t, deps = turn.session, turn.user, turn.t, turn.deps
    policy = deps.policy
    try:
        request = await monev.decide_extension(
            session,
            request_id=request_id,
            reviewer=user,
            approve=approve,
            now=deps.clock.now(),
            policy=policy,
        )
    except monev.MonevError as exc:
        return Outcome(notice=_refusal(t, exc))
    deadline = request.deadline
    owner = deadline.innovation.owner
    notices = []
    if owner.reachable_somewhere:
        ot = deps.translator(owner.language)
        what, name = subject(ot, deadline), innovation_name(ot, deadline)
        if approve:
            text = ot("ext.approved", subject=what, name=name, date=ot.date(deadline.due_date))
        else:
            text = ot("ext.refused", subject=what, name=name, date=ot.date(deadline.due_date))
        notices.append(Notice(owner.id, Screen(text)))
    key = "ext.approved_by_you" if approve else "ext.refused_by_you"
    done = t(key, owner=owner.name or "-", date=t.date(deadline.due_date))
    return Outcome([Screen(done, edit=True)], notices=notices)


async def on_button(turn: Turn) -> Outcome:
    """Handle the buttons of reminders and extension requests."""
    action, _, raw = turn.payload.removeprefix(PREFIX).partition(":")
    raw_id, _, raw_days = raw.partition(":") if action == "exd" else (raw, "", "")
    number, days = parse_id(raw_id), parse_id(raw_days)
    if number is None:
        return stale(turn)
    if action == "fill":
        return await _fill(turn, number)
    if action == "snz":
        return await _snooze(turn, number)
    if action == "ext":
        return await _ask_days(turn, number)
    if action == "exd" and days is not None:
        return await _request(turn, number, days)
    if action in ("ok", "no"):
        return await _decide(turn, number, approve=action == "ok")
    return stale(turn)


ROUTES = Routes(commands={"monev": report, "report": report}, buttons={PREFIX: on_button})
