"""Screens as WhatsApp messages, within WhatsApp's limits (pure: no client, no database).

- up to 3 options, each title at most 20 characters and all different: reply buttons;
- up to 10: one list message (row title 24, description 72);
- more (a page of choices with its arrows and the step's own buttons): one message per group
  of rows that fits, the choices first (the form engine pages long lists and searches them);
- an interactive body holds 1024 characters: a longer text goes first as text messages
  (4096 each, cut at paragraphs), the buttons follow under a short prompt;
- a button that only tells something (a list's page, "2/3") is a line of the text, not a
  row: the row is kept for a choice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.forms.screens import Screen
from bot.views import split_text
from bot.whatsapp.format import to_whatsapp

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
ID_LIMIT = 200
CONTACT_ID = "wa:contact"
# a short action label (an emoji and a word or two) that acts on its row's first item
_ACTS_ON = re.compile(
    r"^\W+\s*\w+(\s\w+)?$"
)  # "use this number": the channel answers with the sender's number


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
    more_choices: str  # the body above the second message of a screen's options
    page: str = "{page}"  # the line that says which page of a list this is
    use_number: str = ""  # the button that shares the sender's own number
    use_number_hint: str = ""  # what the text says of it (Telegram's hint names its keyboard)


@dataclass
class Plan:
    """The messages of some screens."""

    messages: list[Message] = field(default_factory=list)


def shorten(text: str, limit: int) -> str:
    """Return ``text`` cut to ``limit`` characters, with an ellipsis if cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


Option = tuple[str, str, str | None]  # label, payload, what it is about (its row's first)


def _row(option: Option) -> Choice:
    label, payload, about = option
    title = label.strip() or "-"
    if len(title) > ROW_TITLE:
        return Choice(shorten(title, ROW_TITLE), payload, shorten(title, ROW_DESCRIPTION))
    return Choice(title, payload, shorten(about, ROW_DESCRIPTION) if about else None)


def _fits_buttons(options: Sequence[Option]) -> bool:
    titles = [label.strip() for label, _, _about in options]
    return (
        0 < len(options) <= MAX_BUTTONS
        and not any(about for _, _, about in options)
        and all(0 < len(t) <= BUTTON_TITLE for t in titles)
        and len(set(titles)) == len(titles)
    )


def _interactive(body: str, options: list[Option], labels: Labels) -> Message:
    if _fits_buttons(options):
        return Buttons(body, tuple(Choice(label.strip(), pay) for label, pay, _ in options))
    return Menu(body, shorten(labels.open_list, BUTTON_TITLE), tuple(map(_row, options)))


def _chunks(screen: Screen) -> list[list[Option]]:
    """Split a screen's options into groups WhatsApp can show in one message each (at most
    10), keeping each row of buttons together: the choices first, then the rest (page
    arrows, done, back, skip). An action beside an item in its row (🗑 next to a draft's
    name) says, in a list, what it is about: the item's label."""
    seen: set[str] = set()
    groups: list[list[Option]] = [[]]
    for whole in screen.buttons:
        row = [b for b in whole if not b.info]
        first = row[0].label.strip() if row else ""
        # an item is a name (it starts with a letter or digit), not another action
        item = first[:1].isalnum() and not _ACTS_ON.match(first)
        subject = first if len(row) > 1 and item else None
        fresh: list[Option] = [
            (b.label, b.data, subject if n and _ACTS_ON.match(b.label) else None)
            for n, b in enumerate(row)
            if b.data not in seen and len(b.data) <= ID_LIMIT
        ]
        seen.update(data for _, data, _about in fresh)
        if len(groups[-1]) + len(fresh) > MAX_ROWS:
            groups.append([])
        groups[-1].extend(fresh)
    return [group for group in groups if group]


def _tail(text: str) -> tuple[str, str]:
    """Split a text too long for an interactive body: what goes first as text, and the
    closing paragraphs (at most BODY_LIMIT) that stay above the buttons ("" if none fit)."""
    paragraphs = text.split("\n\n")
    body: list[str] = []
    while len(paragraphs) > 1 and len("\n\n".join([paragraphs[-1], *body])) <= BODY_LIMIT:
        body.insert(0, paragraphs.pop())
    return "\n\n".join(paragraphs), "\n\n".join(body)


def plan_screens(screens: Sequence[Screen], labels: Labels) -> Plan:
    """Return the WhatsApp messages that show ``screens``, in order."""
    plan = Plan()
    for screen in screens:
        text = to_whatsapp(screen.text).strip()
        notes = [labels.page.format(page=b.label) for row in screen.buttons for b in row if b.info]
        text = "\n\n".join([text, *notes]).strip()
        groups = _chunks(screen)
        if screen.contact_button is not None and labels.use_number:
            text = f"{text}\n\n{to_whatsapp(labels.use_number_hint)}".strip()
            groups.insert(0, [(labels.use_number, CONTACT_ID, None)])
            if len(groups) > 1 and len(groups[0]) + len(groups[1]) <= MAX_BUTTONS:
                groups[:2] = [groups[0] + groups[1]]
        if not groups:
            plan.messages += [Text(part) for part in split_text(text, TEXT_LIMIT) if part]
            continue
        if len(text) > BODY_LIMIT:
            text, body = _tail(text)
            plan.messages += [Text(part) for part in split_text(text, TEXT_LIMIT) if part]
            text = body
        for n, group in enumerate(groups):
            body = (text or labels.choose) if n == 0 else labels.more_choices
            plan.messages.append(_interactive(body, group, labels))
    return plan


__all__ = ["Buttons", "Choice", "Labels", "Menu", "Message", "Plan", "Text"]
