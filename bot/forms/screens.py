"""What comes in from a user and what goes out, whatever the channel: answers, screens
(text and buttons), notices for other people and the outcome of one update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class IncomingFile:
    """A file the user sent; ``fetch`` downloads its bytes."""

    kind: Literal["photo", "document"]
    filename: str
    mime_type: str
    size: int
    unique_id: str | None
    fetch: Callable[[], Awaitable[bytes]]


@dataclass(frozen=True)
class Incoming:
    """One answer from the user, whatever the channel."""

    kind: Literal["text", "button", "location", "contact", "file", "other"]
    text: str = ""
    action: str = ""
    arg: str = ""
    rev: int = -1
    latitude: float | None = None
    longitude: float | None = None
    file: IncomingFile | None = None


@dataclass(frozen=True)
class Button:
    """An inline button: its label and callback payload; ``info``: it only says which page
    of a list this is ("2/3") and does nothing, so a channel may show it as text instead."""

    label: str
    data: str
    info: bool = False


@dataclass(frozen=True)
class TemplateHint:
    """What a message is, in a few named values, for a channel that must send a pre-approved
    template instead of it (WhatsApp, to someone silent for 24 hours): the kind (reminder,
    deadline, escalation, nudge, returned) and values such as name, subject, innovation,
    date."""

    kind: str
    values: tuple[tuple[str, str], ...] = ()


@dataclass
class Screen:
    """A message to show; ``edit`` replaces the message whose button was pressed."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    edit: bool = False
    # (hint, button label): offer a button that shares the user's own phone number, where the
    # channel has one (Telegram: a reply keyboard under a second message with the hint)
    contact_button: tuple[str, str] | None = None
    close_keyboard: bool = False  # take such a button away again (the screen has no buttons)
    template: TemplateHint | None = None


@dataclass(frozen=True)
class Notice:
    """A message for someone else (a reviewer, the submitter): the person (``users.id``);
    the channel finds where to reach them."""

    user_id: int
    screen: Screen


@dataclass(frozen=True)
class OutgoingFile:
    """A document or image for this chat, sent after the screens: its bytes, a file kept in
    the files folder (``path``, relative to it), or ``make`` run off the event loop after the
    transaction (a chart takes a while)."""

    filename: str
    caption: str = ""
    photo: bool = False
    data: bytes | None = None
    path: Path | None = None
    make: Callable[[], bytes] | None = None


@dataclass(frozen=True)
class Menu:
    """The command menu a person (``users.id``) should see for a role, in a language, where
    the channel has one."""

    user_id: int
    role: str
    language: str = "id"


@dataclass
class Outcome:
    """What the bot answers to one incoming update: screens for this chat (and ``notice``, a
    short answer to the pressed button), files for this chat, notices for other people and
    command menus that changed."""

    screens: list[Screen] = field(default_factory=list)
    notice: str | None = None
    finished: bool = False
    stale: bool = False
    notices: list[Notice] = field(default_factory=list)
    menus: list[Menu] = field(default_factory=list)
    files: list[OutgoingFile] = field(default_factory=list)
    after_files: list[Screen] = field(default_factory=list)  # sent once the files are out
    # the language of the person answered (a channel's own words: list buttons, "more")
    language: str | None = None
