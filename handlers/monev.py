"""/monev (/report) and the buttons of reminders: fill in now, remind me tomorrow, ask for an
extension (decided by the unit's verifikator)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import views
from bot.context import BotContext
from bot.deadline_views import innovation_name, subject
from bot.forms import runner
from bot.forms.engine import Button, Notice, Outcome, Screen
from bot.forms.monev import start_monev
from bot.i18n import Translator
from handlers.common import current_user, onboarding_gate, reply, translator, unit_of_work
from models.ids import parse_id
from models.services import monev
from models.tables import DeadlineKind, User

PREFIX = "mv:"


async def report(update: Update, context: BotContext) -> None:
    """Begin (or resume) the monev report."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        screens = await onboarding_gate(session, context, user)
        if screens is None:
            screens = await start_monev(session, context.deps, user)
            if screens is None:
                screens = [Screen(translator(context, user)("monev.none"))]
    await reply(update, context, Outcome(screens))


def _refusal(t: Translator, error: monev.MonevError) -> str:
    return t(f"monev.refused.{error.reason}")


async def _fill(
    session: AsyncSession, context: BotContext, user: User, deadline_id: int
) -> Outcome:
    t = translator(context, user)
    try:
        deadline = await monev.open_deadline_of(session, deadline_id=deadline_id, user=user)
    except monev.MonevError as exc:
        return Outcome(notice=_refusal(t, exc))
    if deadline.kind == DeadlineKind.MONEV:
        screens = await start_monev(session, context.deps, user, deadline_id=deadline.id)
        return Outcome(screens) if screens else Outcome(notice=t("monev.refused.closed"))
    screens = await runner.resume_draft(session, context.deps, user, deadline.innovation_id)
    if screens is None:
        return Outcome([Screen(t("monev.cannot_edit"))])
    return Outcome(screens)


async def _snooze(
    session: AsyncSession, context: BotContext, user: User, reminder_id: int
) -> Outcome:
    t = translator(context, user)
    deps = context.deps
    policy = deps.policy
    try:
        when = await monev.snooze(
            session, reminder_id=reminder_id, user=user, now=deps.clock.now(), policy=policy
        )
    except monev.MonevError as exc:
        return Outcome(notice=_refusal(t, exc))
    day = t.date(policy.local_date(when))
    return Outcome([Screen(t("monev.snoozed", date=day))], notice=t.plain("monev.snoozed_short"))


async def _ask_days(
    session: AsyncSession, context: BotContext, user: User, deadline_id: int
) -> Outcome:
    t = translator(context, user)
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
        for days in context.deps.settings.extension_day_options
    ]
    return Outcome([Screen(text, [buttons])])


async def _request(
    session: AsyncSession, context: BotContext, user: User, deadline_id: int, days: int
) -> Outcome:
    t = translator(context, user)
    deps = context.deps
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
        assert reviewer.telegram_id is not None
        notices.append(Notice(reviewer.telegram_id, Screen(text, [buttons])))
    text = t("ext.requested", days=days) + "\n" + views.told(t, recipients)
    screen = Screen(text, edit=True)
    return Outcome([screen], notices=notices)


async def _decide(
    session: AsyncSession, context: BotContext, user: User, request_id: int, *, approve: bool
) -> Outcome:
    t = translator(context, user)
    deps = context.deps
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
    if owner.telegram_id is not None:
        ot = deps.translator(owner.language)
        what, name = subject(ot, deadline), innovation_name(ot, deadline)
        if approve:
            text = ot("ext.approved", subject=what, name=name, date=ot.date(deadline.due_date))
        else:
            text = ot("ext.refused", subject=what, name=name, date=ot.date(deadline.due_date))
        notices.append(Notice(owner.telegram_id, Screen(text)))
    key = "ext.approved_by_you" if approve else "ext.refused_by_you"
    done = t(key, owner=owner.name or "-", date=t.date(deadline.due_date))
    return Outcome([Screen(done, edit=True)], notices=notices)


async def on_button(update: Update, context: BotContext) -> None:
    """Handle the buttons of reminders and extension requests."""
    query = update.callback_query
    assert query is not None and query.data is not None
    action, _, raw = query.data.removeprefix(PREFIX).partition(":")
    raw_id, _, raw_days = raw.partition(":") if action == "exd" else (raw, "", "")
    number, days = parse_id(raw_id), parse_id(raw_days)
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        if number is None:
            outcome = Outcome(notice=t("common.stale"))
        elif action == "fill":
            outcome = await _fill(session, context, user, number)
        elif action == "snz":
            outcome = await _snooze(session, context, user, number)
        elif action == "ext":
            outcome = await _ask_days(session, context, user, number)
        elif action == "exd" and days is not None:
            outcome = await _request(session, context, user, number, days)
        elif action in ("ok", "no"):
            outcome = await _decide(session, context, user, number, approve=action == "ok")
        else:
            outcome = Outcome(notice=t("common.stale"))
    await query.answer(outcome.notice)
    await reply(update, context, outcome)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers."""
    app.add_handler(CommandHandler(["monev", "report"], report))
    app.add_handler(CallbackQueryHandler(on_button, pattern=f"^{PREFIX}"))
