"""Schedules (/jadwal): the open deadlines of an owner or a unit, overdue counts, the next one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.services import units
from models.services.monev.deadlines import still_needed
from models.tables import (
    Deadline,
    DeadlineStatus,
    Innovation,
    Unit,
)


async def open_deadlines(
    session: AsyncSession, *, owner_id: int | None = None, unit_id: int | None = None
) -> list[Deadline]:
    """Return the open deadlines that still ask something, of an owner or of the innovations
    of a unit and the units below it, soonest due first."""
    stmt = (
        select(Deadline)
        .join(Innovation, Innovation.id == Deadline.innovation_id)
        .where(Deadline.status == DeadlineStatus.OPEN)
        .order_by(Deadline.due_date, Deadline.id)
    )
    if owner_id is not None:
        stmt = stmt.where(Innovation.owner_id == owner_id)
    if unit_id is not None:
        stmt = stmt.where(Innovation.unit_id.in_(await units.with_descendants(session, unit_id)))
    rows = (await session.execute(stmt)).unique().scalars()
    return [d for d in rows if still_needed(d)]


async def overdue_by_unit(session: AsyncSession, *, today: date) -> list[tuple[str, int]]:
    """Return (unit name, overdue deadlines) for every unit with any, most overdue first."""
    stmt = (
        select(Deadline)
        .where(Deadline.status == DeadlineStatus.OPEN, Deadline.due_date < today)
        .order_by(Deadline.id)
    )
    counts: dict[int | None, int] = {}
    for deadline in (await session.execute(stmt)).unique().scalars():
        if still_needed(deadline):
            unit = deadline.innovation.unit_id
            counts[unit] = counts.get(unit, 0) + 1
    ids = [u for u in counts if u is not None]
    names: dict[int | None, str] = {None: ""}
    if ids:
        rows = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
        names.update({uid: name for uid, name in rows.all()})
    result = [(names.get(unit, ""), count) for unit, count in counts.items()]
    return sorted(result, key=lambda item: (-item[1], item[0]))


async def next_deadline(session: AsyncSession, *, innovation_id: int) -> Deadline | None:
    """Return the innovation's soonest open deadline that still asks something."""
    stmt = (
        select(Deadline)
        .where(Deadline.innovation_id == innovation_id, Deadline.status == DeadlineStatus.OPEN)
        .order_by(Deadline.due_date, Deadline.id)
    )
    rows = (await session.execute(stmt)).unique().scalars()
    return next((d for d in rows if still_needed(d)), None)
