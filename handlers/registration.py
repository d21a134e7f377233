"""/baru, /draf and /batal: start, resume and leave the registration flow."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.deadline_views import RESUME_DRAFT
from bot.forms import runner
from bot.forms.engine import Button, Screen
from bot.render import show
from handlers.common import current_user, onboarding_gate, translator, unit_of_work
from models.ids import parse_id
from models.services import innovations as inno

DRAFT_PREFIX = RESUME_DRAFT
MAX_DRAFTS_SHOWN = 30


async def new(update: Update, context: BotContext) -> None:
    """Create a draft and ask its first question."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        screens = await onboarding_gate(session, context, user)
        if screens is None:
            t = translator(context, user)
            prompt = await runner.start_registration(session, context.deps, user)
            screens = [Screen(t("reg.started")), *prompt]
    await show(update, context, screens)


async def drafts(update: Update, context: BotContext) -> None:
    """List the user's drafts as buttons."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        screens = await onboarding_gate(session, context, user)
        if screens is None:
            t = translator(context, user)
            items = await inno.list_drafts(session, owner_id=user.id)
            zone = context.deps.policy.zone
            rows = [
                [
                    Button(
                        t.plain(
                            "reg.draft_button",
                            name=(i.code + " " if i.code else "")
                            + (i.nama_inovasi or t("reg.untitled")),
                            updated=t.date(i.updated_at.astimezone(zone).date()),
                        ),
                        f"{DRAFT_PREFIX}{i.id}",
                    )
                ]
                for i in items[:MAX_DRAFTS_SHOWN]
            ]
            text = t("reg.drafts_title") if rows else t("reg.drafts_none")
            screens = [Screen(text, rows)]
    await show(update, context, screens)


async def open_draft(update: Update, context: BotContext) -> None:
    """Resume the chosen draft where it stopped."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft_id = parse_id(query.data.removeprefix(DRAFT_PREFIX))
    notice = None
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        screens = await onboarding_gate(session, context, user)
        if screens is None:
            found = None
            if draft_id is not None:
                found = await runner.resume_draft(session, context.deps, user, draft_id)
            if found is None:
                key = "common.stale" if draft_id is None else "reg.draft_not_found"
                notice = translator(context, user)(key)
            screens = found or []
    await query.answer(notice)
    await show(update, context, screens)


async def cancel(update: Update, context: BotContext) -> None:
    """Leave the current flow; the draft stays."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        flow = await runner.leave(session, user)
        text = t("common.cancelled") if flow else t("common.nothing_to_cancel")
        if flow == "onb":
            text = t("common.not_onboarded")
    await show(update, context, [Screen(text)])


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers."""
    app.add_handler(CommandHandler(["baru", "new"], new))
    app.add_handler(CommandHandler(["draf", "drafts"], drafts))
    app.add_handler(CommandHandler(["batal", "cancel"], cancel))
    app.add_handler(CallbackQueryHandler(open_draft, pattern=f"^{DRAFT_PREFIX}"))
