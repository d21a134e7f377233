"""How a flow is declared: its steps, what kind of answer each takes, and when it is asked."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Answers = Mapping[str, Any]


class Kind(enum.StrEnum):
    """How a step is answered."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    MULTI = "multi"
    DATE = "date"
    NUMBER = "number"
    FILES = "files"
    LOCATION = "location"
    CONTACT = "contact"


def _always(_a: Answers) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    """One question of a flow."""

    key: str
    kind: Kind
    options: str | None = None
    asked: Callable[[Answers], bool] = _always
    required: Callable[[Answers], bool] = _always
    min_len: int = 1
    max_len: int = 4000
    min_words: int = 0
    max_words: int = 0  # a long text longer than this is refused with its count
    soft_min_words: int = 0
    later: bool = False
    quick: tuple[str, ...] = ()
    not_before: str | None = None
    minimum: int = 0
    maximum: int = 10**9
    extensions: tuple[str, ...] = ()
    max_bytes: int = 20 * 1024 * 1024
    # edited from the summary, a step that belongs to the one before (an indicator's
    # evidence after its level) is asked next instead of going back to the summary
    with_previous: bool = False
    links: bool = False  # a files step that also takes a link (a video too large for a chat)
    parse: Callable[[str], Any] | None = None


@dataclass(frozen=True)
class Flow:
    """A declared flow: its name (the text-catalog prefix), steps and whether it ends in a
    summary card."""

    name: str
    steps: tuple[Step, ...]
    summary: bool = True
    # A long summary card shows its fields under these headings (catalog key
    # "<name>.group.<group>"), with one button that opens the list of fields to edit.
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def step(self, key: str) -> Step:
        """Return the step called ``key``."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)


@dataclass(frozen=True)
class Choice:
    """An option of a choice step."""

    key: str
    label: str
