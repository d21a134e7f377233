"""Monev periods: opening an innovation's quarter with its owner's reminders; reading one back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_insert
from models.policy import Period, Policy
from models.services.monev._common import _insert_ignore, _reminder_row
from models.tables import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Innovation,
    Reminder,
    ReminderRole,
    Status,
)


def monev_key(innovation_id: int, period: Period) -> str:
    """Return the permanent key of an innovation's monev period."""
    return f"monev:{innovation_id}:{period.start.isoformat()}"


async def open_periods(
    session: AsyncSession,
    innovations: Sequence[tuple[int, int]],
    *,
    period: Period,
    policy: Policy,
    now: datetime,
) -> int:
    """Open one monev period for each (innovation id, owner id), with the owners' reminders;
    periods that exist already are left alone. Return how many were opened."""
    if not innovations:
        return 0
    owners = dict(innovations)
    due = policy.due_date(period)
    values = [
        {
            "key": monev_key(innovation_id, period),
            "kind": DeadlineKind.MONEV,
            "innovation_id": innovation_id,
            "campaign_id": None,
            "period_start": period.start,
            "period_end": period.end,
            "due_date": due,
            "original_due_date": due,
            "revision": 1,
            "status": DeadlineStatus.OPEN,
            "created_at": now,
        }
        for innovation_id, _owner in innovations
    ]
    table = Deadline.__table__
    stmt = (
        dialect_insert(session, table)
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.innovation_id)
    )
    result = await session.execute(stmt, values)
    opened = [(row[0], row[1]) for row in result.all()]
    times = policy.reminder_times(due)
    rows = [
        _reminder_row(
            deadline_id=deadline_id,
            revision=1,
            offset=offset,
            recipient_id=owners[innovation_id],
            role=ReminderRole.OWNER,
            send_after=when,
            now=now,
        )
        for deadline_id, innovation_id in opened
        for offset, when in times.items()
    ]
    await _insert_ignore(session, Reminder, rows)
    return len(opened)


async def open_monev_periods(
    session: AsyncSession, innovation: Innovation, *, now: datetime, policy: Policy
) -> None:
    """Open the monev calendar of an innovation that has just been verified: the current
    period, due (by default) on the 10th day after it ends, with its reminders planned."""
    period = policy.period_of(policy.local_date(now))
    await open_periods(
        session, [(innovation.id, innovation.owner_id)], period=period, policy=policy, now=now
    )


async def ensure_monev_periods(session: AsyncSession, *, now: datetime, policy: Policy) -> int:
    """Open the current period of every verified innovation that lacks it (a new quarter
    began); return how many were opened."""
    period = policy.period_of(policy.local_date(now))
    has_period = (
        select(Deadline.id)
        .where(
            Deadline.innovation_id == Innovation.id,
            Deadline.kind == DeadlineKind.MONEV,
            Deadline.period_start == period.start,
        )
        .exists()
    )
    stmt = select(Innovation.id, Innovation.owner_id).where(
        Innovation.status == Status.TERVERIFIKASI, ~has_period
    )
    found = [(row[0], row[1]) for row in (await session.execute(stmt)).all()]
    return await open_periods(session, found, period=period, policy=policy, now=now)


def period_of_deadline(deadline: Deadline) -> Period | None:
    """Return the monev period a deadline covers (None for campaigns)."""
    if deadline.period_start is None or deadline.period_end is None:
        return None
    months = (
        (deadline.period_end.year - deadline.period_start.year) * 12
        + deadline.period_end.month
        - deadline.period_start.month
        + 1
    )
    return Period(deadline.period_start, deadline.period_end, months)
