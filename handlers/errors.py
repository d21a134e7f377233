"""The last line of defence: log the error, tell the user politely, never show a trace."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.context import BotContext
from bot.forms import runner
from bot.i18n import pick_language
from bot.render import show
from bot.updates import DurableBot
from handlers.common import AlreadyHandled
from models.db import transaction
from models.services import users

log = logging.getLogger(__name__)


async def show_where_they_are(update: Update, context: BotContext) -> None:
    """Answer a replayed update with the current step of the user's flow, changing nothing."""
    if update.effective_user is None:
        return
    async with transaction(context.deps.session_factory()) as session:
        user = await users.get_by_telegram_id(session, update.effective_user.id)
        screens = (await runner.current(session, context.deps, user))[1] if user else []
    await show(update, context, screens)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure and apologise to the user in their language."""
    if isinstance(context.error, AlreadyHandled) and isinstance(update, Update):
        if isinstance(context.bot, DurableBot) and context.bot.inbox.was_replayed(update):
            # left unfinished by a process that died after committing it, perhaps before
            # its answer went out: show where the flow now stands
            log.info("update %s replayed; already handled", update.update_id)
            await show_where_they_are(update, context)
        else:
            # Telegram's second copy of an update handled and answered: answer nothing
            log.info("update %s delivered again; already handled", update.update_id)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    lang = pick_language(user.language_code if user else None, "id")
    text = context.deps.translator(lang)("common.error")
    try:
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML)
    except TelegramError:
        log.warning("could not tell chat %s about the failure", update.effective_chat.id)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Install the error handler."""
    app.add_error_handler(on_error)
