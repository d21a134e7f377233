"""The records the simulated Bot API server keeps and hands to tests: files, buttons, the
messages the bot sent, callback answers, calls as they arrive and Telegram's error replies;
and, for the server itself, queued updates and injected failures."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = [
    "ApiCall",
    "BotApiError",
    "Button",
    "CallListener",
    "CallbackAnswer",
    "Document",
    "Listener",
    "SentMessage",
    "StoredFile",
]


class Document(NamedTuple):
    """Describe a file uploaded to or sent by the bot."""

    filename: str
    data: bytes
    mime: str


@dataclass(frozen=True)
class Button:
    """Describe one inline keyboard button."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(eq=False)
class SentMessage:
    """Hold a message the bot sent, updated in place when the bot edits or deletes it."""

    message_id: int
    chat_id: int
    text: str
    html: str
    parse_mode: str | None
    buttons: list[list[Button]] = field(default_factory=list)
    document: Document | None = None
    photo: bytes | None = None
    edited: bool = False
    deleted: bool = False
    reply_keyboard: list[list[str]] | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    date: int = 0
    edit_date: int | None = None
    inline_keyboard: list[list[dict[str, Any]]] = field(default_factory=list, repr=False)
    media: dict[str, Any] | list[dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """Return "document", "photo" or "text"."""
        if self.document is not None:
            return "document"
        if self.photo is not None:
            return "photo"
        return "text"

    def button_labels(self) -> list[str]:
        """Return the labels of all inline buttons, row by row."""
        return [button.text for row in self.buttons for button in row]

    def all_buttons(self) -> list[Button]:
        """Return all inline buttons, row by row."""
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class CallbackAnswer:
    """Record an answerCallbackQuery call."""

    query_id: str
    user_id: int
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class ApiCall:
    """Describe one Bot API call as it arrives (received: time.perf_counter()), for listeners."""

    method: str
    params: dict[str, Any]
    chat_id: int | None
    received: float


@dataclass
class StoredFile:
    """Hold a file known to the simulated server."""

    file_id: str
    file_unique_id: str
    file_path: str
    size: int
    data: bytes
    mime: str
    filename: str


class BotApiError(Exception):
    """Carry a Telegram error response."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
        expected: bool = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        self.expected = expected


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    description: str | None
    remaining: int
    delay: float


class _Queued(NamedTuple):
    update_id: int
    encoded: str  # the Update object as JSON, encoded once however often it is fetched


Listener = Callable[[str, SentMessage], None]
CallListener = Callable[[ApiCall], None]


def _now() -> int:
    return int(time.time())
