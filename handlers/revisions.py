"""Changing what was sent: 🔄 Perbarui a verified innovation (a revision, reviewed again) and
↩️ Tarik kembali a submission nobody has reviewed yet.

Payloads (buttons on the status card, the confirmations, the notices):
``rs:n:<innovation>`` asks to start a revision, ``rs:ny:<innovation>:<revisions so far>`` starts
it, ``rs:x`` keeps things as they are, ``rs:e:<innovation>`` continues the revision in
progress; a reviewer's ``rs:o:<revision>`` opens it, ``rs:a|k|t:<revision>:<round>`` accepts,
returns or rejects that submission of it. ``wd:a:<innovation>`` asks to withdraw,
``wd:y:<innovation>:<submission>`` withdraws that submission, ``wd:n`` keeps it, ``wd:e`` opens
the withdrawn draft's summary. A button whose state has passed only says it is stale.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot import revision_views as rv
from bot import views
from bot.context import BotContext
from bot.forms import runner
from bot.forms.definitions import REGISTRATION
from bot.forms.engine import Outcome, Screen
from bot.forms.revision import REJECT, RETURN, REVISION, begin_decision
from bot.i18n import Raw, Translator
from handlers.common import current_user, onboarding_gate, reply, translator, unit_of_work
from models.ids import parse_id
from models.services import flows as flow_states
from models.services import innovations as inno
from models.services import monev, units
from models.services import revisions as rev
from models.services.files import discard_after_commit
from models.tables import Status, User


class Stale(Exception):
    """The button no longer applies."""


def _ids(data: str, prefix: str) -> tuple[str, int, int | None]:
    """Split ``<prefix><action>:<id>[:<n>]``; raise Stale for anything malformed."""
    action, _, rest = data.removeprefix(prefix).partition(":")
    raw_id, _, raw_n = rest.partition(":")
    target = parse_id(raw_id)
    number = parse_id(raw_n) if raw_n else None
    if target is None or (raw_n and number is None):
        raise Stale
    return action, target, number


# (session, context, user, texts, action, target id, number) -> what to answer
Action = Callable[
    [AsyncSession, BotContext, User, Translator, str, int, int | None], Awaitable[Outcome]
]


async def _button(update: Update, context: BotContext, prefix: str, act: Action) -> None:
    """Run one button of this module in the update's transaction; a button whose state has
    passed only says it is stale."""
    query = update.callback_query
    assert query is not None and query.data is not None
    outcome = Outcome()
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        gate = await onboarding_gate(session, context, user)
        try:
            if gate is not None:
                outcome = Outcome(gate)
            else:
                action, target, number = _ids(query.data, prefix)
                outcome = await act(session, context, user, t, action, target, number)
        except (Stale, rev.NotAllowed, inno.NotEditable):
            outcome = Outcome(notice=t("common.stale"))
    await query.answer(outcome.notice)
    await reply(update, context, outcome)


async def revision_button(update: Update, context: BotContext) -> None:
    """Start, continue or decide on a revision."""
    await _button(update, context, rv.REVISION_PREFIX, _revision_action)


async def _revision_action(
    session: AsyncSession,
    context: BotContext,
    user: User,
    t: Translator,
    action: str,
    target: int,
    number: int | None,
) -> Outcome:
    deps = context.deps
    if action in ("n", "ny", "x", "e"):
        innovation = await inno.lock_owned(session, owner=user, innovation_id=target)
        if innovation is None or innovation.status != Status.TERVERIFIKASI:
            raise Stale
        current = await rev.open_of(session, innovation.id)
        if action == "x":
            return Outcome([Screen(t("rvs.start_kept"), edit=True)])
        if current is None and action == "n":
            count = await rev.count_of(session, innovation.id)
            return Outcome([rv.start_confirmation(t, innovation, count)])
        if current is None and action == "ny" and number is not None:
            # a new revision starts from the verified profile, not from an old form state
            await flow_states.remove_for_target(session, flow=REVISION.name, target_id=target)
            current = await rev.start(
                session, innovation, author=user, seen=number, now=deps.clock.now()
            )
            intro = Screen(t("rvs.started", title=Raw(rv.title(t, current, innovation))))
            prompt = await runner.begin(
                session, deps, user, REVISION, target_id=innovation.id, mode="summary"
            )
            return Outcome([intro, *prompt])
        if current is None or current.status not in rev.EDITABLE:
            raise Stale
        prompt = await runner.begin(
            session, deps, user, REVISION, target_id=innovation.id, mode="summary"
        )
        return Outcome(prompt)
    if action not in ("o", "a", "k", "t") or (action != "o" and number is None):
        raise Stale
    revision, innovation = await rev.lock_for_review(
        session, reviewer=user, revision_id=target, round_=number if action != "o" else None
    )
    if action == "o":
        return Outcome([await rv.review_screen(session, deps, t, revision, innovation)])
    if action == "a":
        try:
            _, dropped = await rev.accept(
                session, revision, innovation, reviewer=user, now=deps.clock.now()
            )
        except rev.OutsideScope as exc:
            unit = await units.get(session, exc.unit_id)
            return Outcome([Screen(t("rvs.outside_scope", unit=unit.name if unit else "-"))])
        discard_after_commit(session, deps.files_dir, dropped)
        notices = await rv.owner_notices(session, deps, revision, innovation)
        text = t("rvs.diterima_done", title=Raw(rv.title(t, revision, innovation)))
        text += " " + await views.owner_told(session, t, innovation, notices)
        return Outcome([Screen(text, edit=True)], notices=notices)
    decision = RETURN if action == "k" else REJECT
    intro = Screen(t(f"rvs.{decision}_intro", title=Raw(rv.title(t, revision, innovation))))
    prompt = await begin_decision(session, deps, user, revision, decision)
    return Outcome([intro, *prompt])


async def withdraw_button(update: Update, context: BotContext) -> None:
    """Ask to withdraw a submission, withdraw it, keep it, or open the withdrawn draft."""
    await _button(update, context, rv.WITHDRAW_PREFIX, _withdraw_action)


async def _withdraw_action(
    session: AsyncSession,
    context: BotContext,
    user: User,
    t: Translator,
    action: str,
    target: int,
    number: int | None,
) -> Outcome:
    deps = context.deps
    innovation = await inno.lock_owned(session, owner=user, innovation_id=target)
    if innovation is None:
        raise Stale
    code = innovation.code or ""
    if action == "e" and innovation.status == Status.DRAF:
        prompt = await runner.begin(
            session, deps, user, REGISTRATION, target_id=innovation.id, mode="summary"
        )
        return Outcome(prompt)
    if innovation.status != Status.DIAJUKAN:
        raise Stale
    if action == "a":
        version = await inno.submission_event_id(session, innovation.id)
        return Outcome([rv.withdraw_confirmation(t, innovation, version)])
    if action == "n":
        return Outcome([Screen(t("wd.kept", code=code), edit=True)])
    if action != "y" or number is None:
        raise Stale
    await inno.withdraw(session, innovation, actor=user, version=number, now=deps.clock.now())
    recipients = await monev.notice_recipients(
        session, unit_id=innovation.unit_id, exclude=innovation.owner_id
    )
    notices = rv.withdrawn_notices(deps, innovation, user, recipients)
    button = rv.edit_withdrawn_button(t, innovation)
    done = Screen(t("wd.done", code=code), [[button]], edit=True)
    return Outcome([done], notices=notices)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers."""
    app.add_handler(CallbackQueryHandler(revision_button, pattern=f"^{rv.REVISION_PREFIX}"))
    app.add_handler(CallbackQueryHandler(withdraw_button, pattern=f"^{rv.WITHDRAW_PREFIX}"))
