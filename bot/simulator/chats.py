"""The state of the simulated server, its chats above all: the messages in each, the
keyboard shown, who blocked the bot; and the Telegram JSON shapes of chats and messages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.simulator.records import (
    BotApiError,
    CallbackAnswer,
    CallListener,
    Listener,
    SentMessage,
    StoredFile,
    _Failure,
    _Queued,
)
from bot.simulator.users import SimUser

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0

_Method = Callable[[dict[str, Any]], Awaitable[Any]]


@dataclass
class _Chat:
    chat_id: int
    user: SimUser
    started: bool = False
    messages: list[SentMessage] = field(default_factory=list)
    user_message_ids: set[int] = field(default_factory=set)
    next_message_id: int = 1
    reply_keyboard: list[list[str]] | None = None
    reply_keyboard_one_time: bool = False
    contact_buttons: set[str] = field(default_factory=set)  # labels that share the contact

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def find(self, message_id: int) -> SentMessage | None:
        for message in self.messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None


class SimulatorState:
    """Hold everything the simulated server knows; the Bot API parts build on it."""

    def __init__(
        self,
        token: str = "123456:SIMULATOR",
        *,
        bot_id: int = 123456,
        bot_username: str = "inovasi_sim_bot",
        bot_first_name: str = "Inovasi Sim",
        first_update_id: int = 1,
    ) -> None:
        """Set up the simulator (start() serves it); updates are numbered from first_update_id,
        so a bot that remembers the ids it handled (as this one does) can meet a new simulator
        without taking its updates for repeats."""
        if first_update_id < 1:
            raise ValueError("first_update_id must be at least 1")
        self._token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.default_timeout = DEFAULT_TIMEOUT
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.rejected: list[tuple[str, dict[str, Any], str]] = []
        self.failures: list[tuple[str, dict[str, Any], str]] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._cond = asyncio.Condition()
        self._activity = asyncio.Event()
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, SimUser] = {}
        self._blocked: set[int] = set()
        self._updates: list[_Queued] = []
        self._first_update_id = first_update_id
        self._next_update_id = first_update_id
        self._acked_offset = 0
        self._allowed_updates: list[str] = []
        self._pending_queries: dict[str, int] = {}
        self._next_query = 1
        self._next_file = 1
        self._failures: dict[str, list[_Failure]] = {}
        self._listeners: list[Listener] = []
        self._call_listeners: list[CallListener] = []
        self._events: list[tuple[str, SentMessage]] = []
        self._methods: dict[str, tuple[str, _Method]] = {}
        for name, handler in self._method_table().items():
            self._methods[name.lower()] = (name, handler)

    def _method_table(self) -> dict[str, _Method]:
        """Return the Bot API methods served, by name (the HTTP surface lists them)."""
        return {}

    # ------------------------------------------------------------------ chats

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Return every message the bot sent to this chat, in order, deleted ones included."""
        chat = self._chats.get(chat_id)
        return list(chat.messages) if chat else []

    def reply_keyboard(self, chat_id: int) -> list[list[str]] | None:
        """Return the reply keyboard currently shown in this chat."""
        chat = self._chats.get(chat_id)
        return chat.reply_keyboard if chat else None

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call listener(kind, message) on each bot message sent, edited or deleted."""
        self._listeners.append(listener)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return remove

    def block(self, user_id: int) -> None:
        """Make the user block the bot: sends to their chat fail with 403."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """Make the user unblock the bot."""
        self._blocked.discard(user_id)

    def _chat_from(self, params: dict[str, Any], *, sending: bool = True) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise BotApiError(400, "Bad Request: chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise BotApiError(400, "Bad Request: chat not found")
        if sending and not chat.started:
            raise BotApiError(
                403, "Forbidden: bot can't initiate conversation with a user", expected=True
            )
        if sending and chat.chat_id in self._blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user", expected=True)
        return chat

    def _notify(self, kind: str, message: SentMessage) -> None:
        self._events.append((kind, message))
        self._activity.set()
        for listener in list(self._listeners):
            try:
                listener(kind, message)
            except Exception:
                _LOGGER.exception("simulator listener failed")

    def _collect(self, chat_id: int, start: int) -> list[SentMessage]:
        seen: set[int] = set()
        result: list[SentMessage] = []
        for kind, message in self._events[start:]:
            if kind == "deleted" or message.chat_id != chat_id or id(message) in seen:
                continue
            seen.add(id(message))
            result.append(message)
        return result

    # ------------------------------------------------------------------ JSON shapes

    def bot_user_json(self) -> dict[str, Any]:
        """Return the bot as a Telegram User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat_json(self, chat: _Chat) -> dict[str, Any]:
        user = chat.user
        data: dict[str, Any] = {
            "id": chat.chat_id,
            "type": "private",
            "first_name": user.first_name,
        }
        if user.last_name:
            data["last_name"] = user.last_name
        if user.username:
            data["username"] = user.username
        return data

    def message_json(self, message: SentMessage) -> dict[str, Any]:
        """Return a bot message as a Telegram Message object."""
        chat = self._chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(chat),
            "from": self.bot_user_json(),
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        text_key, entities_key = "text", "entities"
        if message.document is not None:
            data["document"] = message.media
            text_key, entities_key = "caption", "caption_entities"
        elif message.photo is not None:
            data["photo"] = message.media
            text_key, entities_key = "caption", "caption_entities"
        if message.text or text_key == "text":
            data[text_key] = message.text
        if message.entities:
            data[entities_key] = message.entities
        if message.inline_keyboard:
            data["reply_markup"] = {"inline_keyboard": message.inline_keyboard}
        return data
