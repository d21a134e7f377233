"""Turn screens, files and notices into Telegram messages."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.forms.screens import Button, OutgoingFile, Screen

log = logging.getLogger(__name__)
ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
T = TypeVar("T")
MAX_ATTEMPTS = 6
BACKOFF = 0.5
# Waits for a send slot of the process's sending limits (answers, notices and reminders
# share them); the default waits for nothing.
Slot = Callable[[], Awaitable[None]]


async def no_wait() -> None:
    """Wait for nothing."""


def retry_after_seconds(exc: RetryAfter) -> float:
    """Return how long Telegram asked to wait, whichever type PTB gives it as."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


async def with_retry(call: Callable[[], Awaitable[T]]) -> T:
    """Make a Bot API call, waiting out flood control and retrying passing network errors
    (each up to MAX_ATTEMPTS times).

    A timed-out call is not repeated: Telegram may have done it, and the user would see the
    message twice.
    """
    flood_waits = network_errors = 0
    while True:
        try:
            return await call()
        except RetryAfter as exc:
            flood_waits += 1
            if flood_waits >= MAX_ATTEMPTS:
                raise
            await asyncio.sleep(retry_after_seconds(exc))
        except (BadRequest, TimedOut):
            raise
        except NetworkError as exc:
            network_errors += 1
            if network_errors >= MAX_ATTEMPTS:
                raise
            log.warning("Bot API call failed (%s); retrying", exc.message)
            await asyncio.sleep(BACKOFF * 2 ** (network_errors - 1))


def to_markup(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    """Build an inline keyboard, or None when there are no buttons."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows]
    )


async def show(
    bot: Bot,
    chat_id: int,
    screens: list[Screen],
    pressed: Message | None,
    slot: Slot = no_wait,
) -> None:
    """Send screens to a chat; an ``edit`` screen replaces the pressed message."""
    for screen in screens:
        await slot()
        if not (screen.edit and pressed is not None and await _edit(pressed, screen)):
            markup: ReplyMarkup | None = to_markup(screen.buttons)
            if screen.close_keyboard and markup is None:
                markup = ReplyKeyboardRemove()
            await _send(bot, chat_id, screen.text, markup)
        if screen.contact_button is not None:
            hint, label = screen.contact_button
            share = ReplyKeyboardMarkup(
                [[KeyboardButton(label, request_contact=True)]],
                resize_keyboard=True,
                one_time_keyboard=True,
            )
            await slot()
            await _send(bot, chat_id, hint, share)


async def _edit(pressed: Message, screen: Screen) -> bool:
    """Replace the pressed message by ``screen``; False if it must be sent instead."""
    try:
        await with_retry(
            partial(
                pressed.edit_text,
                screen.text,
                parse_mode=ParseMode.HTML,
                reply_markup=to_markup(screen.buttons),
            )
        )
    except BadRequest as exc:
        if "not modified" in exc.message:
            return True
        log.warning("edit failed, sending instead: %s", exc.message)
        return False
    return True


async def _send(bot: Bot, chat_id: int, text: str, markup: ReplyMarkup | None) -> None:
    await with_retry(
        partial(bot.send_message, chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    )


async def send_file(
    bot: Bot, chat_id: int, item: OutgoingFile, files_dir: Path, slot: Slot = no_wait
) -> None:
    """Send a document or photo under its name, with a safe-HTML caption."""
    if item.data is not None:
        data = item.data
    elif item.make is not None:
        data = await asyncio.to_thread(item.make)
    else:
        assert item.path is not None
        data = await asyncio.to_thread((files_dir / item.path).read_bytes)
    upload = InputFile(data, filename=item.filename)
    send = bot.send_photo if item.photo else bot.send_document
    await slot()
    await with_retry(
        partial(send, chat_id, upload, caption=item.caption, parse_mode=ParseMode.HTML)
    )


async def send_notices(bot: Bot, notices: list[tuple[int, Screen]], slot: Slot = no_wait) -> None:
    """Deliver messages for other people (chat, screen); one unreachable person does not
    stop the rest."""
    for chat_id, screen in notices:
        await slot()
        try:
            await with_retry(
                partial(
                    bot.send_message,
                    chat_id,
                    screen.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=to_markup(screen.buttons),
                )
            )
        except TelegramError as exc:
            log.warning("notice to chat %s not delivered: %s", chat_id, exc)
