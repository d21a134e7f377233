"""Screens as WhatsApp messages, within WhatsApp's limits (pure: no client, no database).

- up to 3 options, each title at most 20 characters and all different: reply buttons;
- up to 10: one list message (row title 24, description 72);
- more: the first 9 rows and "more" (the rest kept by the channel, shown page by page);
- an interactive body holds 1024 characters: a longer text goes first as text messages
  (4096 each, cut at paragraphs), the buttons follow under a short prompt.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.forms.screens import Screen
from bot.views import split_text
from bot.whatsapp.format import plain, to_whatsapp

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
ID_LIMIT = 200
MORE_PREFIX = "wa:more:"
CONTACT_ID = "wa:contact"  # "use this number": the channel answers with the sender's number


@dataclass(frozen=True)
class Choice:
    """One option: what it says (``description``: the rest of a long label) and its payload."""

    title: str
    id: str
    description: str | None = None


@dataclass(frozen=True)
class Text:
    """A text message."""

    body: str


@dataclass(frozen=True)
class Buttons:
    """A message with up to three reply buttons."""

    body: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Menu:
    """A list message: ``button`` opens the list of ``choices``."""

    body: str
    button: str
    choices: tuple[Choice, ...]


Message = Text | Buttons | Menu


@dataclass(frozen=True)
class Labels:
    """The channel's own words (from the catalogs, in the user's language)."""

    choose: str  # the body above buttons that follow a long text
    open_list: str  # the button that opens a list
    more: str  # the row that shows the next options
    use_number: str = ""  # the button that shares the sender's own number


@dataclass
class Plan:
    """The messages of some screens, and the option lists kept for "more" (token: options)."""

    messages: list[Message] = field(default_factory=list)
    pages: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def shorten(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` characters, with an ellipsis if cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _row(label: str, payload: str) -> Choice:
    title = plain(label).strip() or "-"
    if len(title) <= ROW_TITLE:
        return Choice(title, payload)
    return Choice(shorten(title, ROW_TITLE), payload, shorten(title, ROW_DESCRIPTION))


def _fits_buttons(options: Sequence[tuple[str, str]]) -> bool:
    titles = [plain(label).strip() for label, _ in options]
    return (
        0 < len(options) <= MAX_BUTTONS
        and all(0 < len(t) <= BUTTON_TITLE for t in titles)
        and len(set(titles)) == len(titles)
    )


def page(
    options: Sequence[tuple[str, str]], start: int, token: str, labels: Labels
) -> tuple[Choice, ...]:
    """Return the rows of one list page from ``start``: at most 10, the last one "more"
    when options remain (it wraps around to the first page)."""
    if len(options) <= MAX_ROWS and start == 0:
        return tuple(_row(label, payload) for label, payload in options)
    chunk = options[start : start + MAX_ROWS - 1]
    rows = [_row(label, payload) for label, payload in chunk]
    following = start + len(chunk)
    nxt = following if following < len(options) else 0
    rest = len(options) - following
    more = f"{labels.more} ({rest})" if rest > 0 else labels.more
    rows.append(Choice(shorten(more, ROW_TITLE), f"{MORE_PREFIX}{token}:{nxt}"))
    return tuple(rows)


def options_of(screen: Screen) -> list[tuple[str, str]]:
    """Return a screen's buttons as (label, payload), in order, without repeated payloads."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    for row in screen.buttons:
        for button in row:
            if button.data not in seen and len(button.data) <= ID_LIMIT:
                seen.add(button.data)
                found.append((button.label, button.data))
    return found


def _interactive(body: str, options: list[tuple[str, str]], labels: Labels, plan: Plan) -> Message:
    if _fits_buttons(options):
        return Buttons(body, tuple(Choice(plain(lab).strip(), pay) for lab, pay in options))
    token = ""
    if len(options) > MAX_ROWS:
        token = secrets.token_hex(8)
        plan.pages[token] = list(options)
    return Menu(body, shorten(labels.open_list, BUTTON_TITLE), page(options, 0, token, labels))


def plan_screens(screens: Sequence[Screen], labels: Labels) -> Plan:
    """Return the WhatsApp messages that show ``screens``, in order."""
    plan = Plan()
    for screen in screens:
        text = to_whatsapp(screen.text).strip()
        options = options_of(screen)
        if screen.contact_button is not None and labels.use_number:
            hint, _label = screen.contact_button
            text = f"{text}\n\n{to_whatsapp(hint)}".strip()
            options = [(labels.use_number, CONTACT_ID), *options]
        if not options:
            plan.messages += [Text(part) for part in split_text(text, TEXT_LIMIT) if part]
            continue
        if len(text) > BODY_LIMIT:
            plan.messages += [Text(part) for part in split_text(text, TEXT_LIMIT) if part]
            text = labels.choose
        plan.messages.append(_interactive(text or labels.choose, options, labels, plan))
    return plan


def more_page(options: Sequence[tuple[str, str]], start: int, token: str, labels: Labels) -> Menu:
    """Return the list message of a following page of kept options."""
    shown = min(start + MAX_ROWS - 1, len(options))
    body = f"{labels.choose} ({start + 1}–{shown} / {len(options)})"
    return Menu(body, shorten(labels.open_list, BUTTON_TITLE), page(options, start, token, labels))


__all__ = ["Buttons", "Choice", "Labels", "Menu", "Message", "Plan", "Text"]
