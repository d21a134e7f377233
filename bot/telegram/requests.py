"""Telegram updates as neutral requests: who, and a command, an answer or a button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from telegram import Bot, Message, Update
from telegram.constants import ChatType
from telegram.ext import filters

from bot.forms.screens import Incoming, IncomingFile
from handlers.core import Identity, Request
from models.services.users import TELEGRAM

CHANNEL: Final = TELEGRAM


def chat_key(payload: dict[str, Any]) -> str:
    """Return the key that orders an update among its chat's (read from the raw JSON, so
    the web server does not build PTB objects)."""
    for part in payload.values():
        if not isinstance(part, dict):
            continue
        chat = part.get("chat")
        if not isinstance(chat, dict):
            message = part.get("message")
            chat = message.get("chat") if isinstance(message, dict) else None
        if isinstance(chat, dict) and "id" in chat:
            return f"{CHANNEL}:{chat['id']}"
        sender = part.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return f"{CHANNEL}:{sender['id']}"
    return f"{CHANNEL}:update:{payload.get('update_id')}"


def _file_fetcher(bot: Bot, file_id: str) -> Callable[[], Awaitable[bytes]]:
    async def fetch() -> bytes:
        file = await bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    return fetch


def incoming_from_message(message: Message, bot: Bot) -> Incoming:
    """Turn a Telegram message into a channel-independent answer."""
    if message.text is not None:
        return Incoming("text", text=message.text)
    if message.location is not None:
        loc = message.location
        return Incoming("location", latitude=loc.latitude, longitude=loc.longitude)
    if message.contact is not None:
        return Incoming("contact", text=message.contact.phone_number)
    if message.document is not None:
        doc = message.document
        file = IncomingFile(
            kind="document",
            filename=doc.file_name or f"dokumen-{doc.file_unique_id}",
            mime_type=doc.mime_type or "application/octet-stream",
            size=doc.file_size or 0,
            unique_id=doc.file_unique_id,
            fetch=_file_fetcher(bot, doc.file_id),
        )
        return Incoming("file", file=file)
    if message.photo:
        photo = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        file = IncomingFile(
            kind="photo",
            filename=f"foto-{photo.file_unique_id}.jpg",
            mime_type="image/jpeg",
            size=photo.file_size or 0,
            unique_id=photo.file_unique_id,
            fetch=_file_fetcher(bot, photo.file_id),
        )
        return Incoming("file", file=file)
    return Incoming("other")


def to_request(update: Update, bot: Bot, *, replayed: bool = False) -> Request | None:
    """Return the neutral request of an update, or None for what the bot does not answer
    (service messages, edits, other chats' chatter)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    who = Identity(CHANNEL, user.id, chat.id, user.language_code)
    key = str(update.update_id)
    query = update.callback_query
    if query is not None:
        return Request(who, key, payload=query.data or "", replayed=replayed)
    message = update.message
    if message is None or filters.StatusUpdate.ALL.check_update(update):
        return None
    is_command = bool(message.text and message.text.startswith("/"))
    if chat.type != ChatType.PRIVATE and not is_command:
        return None
    return Request(who, key, answer=incoming_from_message(message, bot), replayed=replayed)
