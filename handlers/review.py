"""/antrian and the review decisions: verify, return with comments, stop."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot import views
from bot.context import BotContext
from bot.forms import runner
from bot.forms.definitions import REVIEW_RETURN, REVIEW_STOP
from bot.forms.engine import Outcome, Screen
from bot.i18n import Translator
from bot.render import show
from handlers.common import (
    current_user,
    onboarding_gate,
    reply,
    translator,
    unit_of_work,
)
from models.ids import parse_id
from models.services import monev, review
from models.tables import Role, User

PER_PAGE = 10
REVIEWERS = (Role.VERIFIKATOR, Role.ADMIN)


async def queue_screen(session: AsyncSession, t: Translator, user: User, page: int) -> Screen:
    """Return one page of the review queue, oldest first (only for reviewers)."""
    if user.role not in REVIEWERS:
        return Screen(t("common.reviewer_only"))
    result = await review.queue(session, reviewer=user, page=page, per_page=PER_PAGE)
    if not result.total:
        return Screen(t("review.queue_empty"))
    items = [(views.item_label(t, i), f"st:{i.id}") for i in result.items]
    title = t("review.queue_title", total=result.total)
    return views.paged_list(t, title, items, page=result.page, pages=result.pages, list_key="queue")


async def queue(update: Update, context: BotContext) -> None:
    """Show the review queue (verifikator: the unit's; admin: all)."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        screens = await onboarding_gate(session, context, user, *REVIEWERS)
        if screens is None:
            screens = [await queue_screen(session, t, user, 0)]
    await show(update, context, screens)


async def decide(update: Update, context: BotContext) -> None:
    """Verify at once, or start the return / stop flow that asks for the words."""
    query = update.callback_query
    assert query is not None and query.data is not None
    _, action, raw_id = query.data.split(":", 2)
    outcome = Outcome()
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        innovation_id = parse_id(raw_id)
        try:
            if innovation_id is None:
                raise review.NotAllowed
            innovation = await review.lock_for_review(
                session, reviewer=user, innovation_id=innovation_id
            )
        except review.NotAllowed:
            outcome.notice = t("common.stale")
        else:
            if action == "v":
                now = context.deps.clock.now()
                review.verify(session, innovation, reviewer=user, now=now)
                await monev.open_monev_periods(
                    session, innovation, now=now, policy=context.deps.policy
                )
                outcome.notices = await views.decision_notices(session, context.deps, innovation)
                outcome.screens = [Screen(t("review.verified_done", code=innovation.code or ""))]
            elif action in ("k", "h"):
                flow = REVIEW_RETURN if action == "k" else REVIEW_STOP
                intro = Screen(t(f"review.{flow.name}_intro", code=innovation.code or ""))
                prompt = await runner.begin(
                    session, context.deps, user, flow, target_id=innovation.id
                )
                outcome.screens = [intro, *prompt]
            else:
                outcome.notice = t("common.stale")
    await query.answer(outcome.notice)
    await reply(update, context, outcome)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers."""
    app.add_handler(CommandHandler(["antrian", "queue"], queue))
    app.add_handler(CallbackQueryHandler(decide, pattern=r"^rv:[a-z]+:"))
