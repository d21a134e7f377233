"""Shared pieces of the monev package: its error and the planning of reminder rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_insert
from models.policy import Policy
from models.tables import (
    Reminder,
    ReminderRole,
    ReminderStatus,
)

INDICATORS = "indicators"  # a campaign for the innovations whose mandatory IID indicators lack


class MonevError(Exception):
    """A monev action cannot be done; ``reason`` names why (closed, not_allowed, pending,
    decided)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def _insert_ignore(session: AsyncSession, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (one batched statement), leaving alone those whose unique key exists."""
    if rows:
        stmt = dialect_insert(session, table.__table__).on_conflict_do_nothing()
        await session.execute(stmt, list(rows))


def _reminder_row(
    *,
    deadline_id: int,
    revision: int,
    offset: int,
    recipient_id: int,
    role: str,
    send_after: datetime,
    now: datetime,
) -> dict[str, Any]:
    return {
        "deadline_id": deadline_id,
        "revision": revision,
        "offset_days": offset,
        "recipient_id": recipient_id,
        "role": role,
        "send_after": send_after,
        "status": ReminderStatus.PENDING,
        "attempts": 0,
        "created_at": now,
    }


async def _plan_owner_reminders(
    session: AsyncSession,
    *,
    deadline_id: int,
    revision: int,
    due: date,
    owner_id: int,
    policy: Policy,
    now: datetime,
    only_future: bool = False,
) -> int:
    """Plan the owner's reminders of one deadline revision; return how many."""
    rows = [
        _reminder_row(
            deadline_id=deadline_id,
            revision=revision,
            offset=offset,
            recipient_id=owner_id,
            role=ReminderRole.OWNER,
            send_after=when,
            now=now,
        )
        for offset, when in policy.reminder_times(due).items()
        if not only_future or when > now
    ]
    await _insert_ignore(session, Reminder, rows)
    return len(rows)
