"""How sending one message for the scheduler ended, whatever the channel."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from bot.forms.screens import Screen
from models.tables import User


class Result(enum.StrEnum):
    """How a delivery ended."""

    SENT = "sent"
    BLOCKED = "blocked"
    RETRY = "retry"
    FAILED = "failed"


@dataclass(frozen=True)
class Delivery:
    """The end of one delivery: the result, the message id (Telegram), the error text."""

    result: Result
    message_id: int | None = None
    error: str = ""


class Courier(Protocol):
    """A channel's way to deliver one message to someone who did not just write."""

    async def deliver(self, address: str, user: User, screen: Screen, *, purpose: str) -> Delivery:
        """Send ``screen`` to ``user`` at ``address`` (their id on the channel)."""
        ...
