"""Turn engine screens into Telegram messages."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.context import BotContext
from bot.forms.engine import Button, Notice, Screen

log = logging.getLogger(__name__)


def to_markup(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Build an inline keyboard, or None when there are no buttons."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    )


async def show(update: Update, context: BotContext, screens: list[Screen]) -> None:
    """Send screens to the update's chat; an ``edit`` screen replaces the pressed message."""
    chat = update.effective_chat
    if chat is None:
        return
    pressed: Message | None = None
    if update.callback_query and isinstance(update.callback_query.message, Message):
        pressed = update.callback_query.message
    for screen in screens:
        markup = to_markup(screen.buttons)
        if screen.edit and pressed is not None:
            try:
                await pressed.edit_text(screen.text, parse_mode=ParseMode.HTML, reply_markup=markup)
                continue
            except BadRequest as exc:
                if "not modified" in exc.message:
                    continue
                log.warning("edit failed, sending instead: %s", exc.message)
        await context.bot.send_message(
            chat.id, screen.text, parse_mode=ParseMode.HTML, reply_markup=markup
        )


async def say(update: Update, context: BotContext, text: str) -> None:
    """Send one text (already safe HTML) to the update's chat."""
    await show(update, context, [Screen(text)])


async def send_notices(context: BotContext, notices: list[Notice]) -> None:
    """Deliver messages for other people; one unreachable person does not stop the rest."""
    for notice in notices:
        try:
            await context.bot.send_message(
                notice.chat_id,
                notice.screen.text,
                parse_mode=ParseMode.HTML,
                reply_markup=to_markup(notice.screen.buttons),
            )
        except TelegramError as exc:
            log.warning("notice to chat %s not delivered: %s", notice.chat_id, exc)
