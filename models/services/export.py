"""The data behind exports and statistics, scoped to who asks."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Select, extract, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from models.services import review, units
from models.tables import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Innovation,
    MonevReport,
    Status,
    Unit,
    User,
)


@dataclass(frozen=True)
class Filters:
    """What to include: a status, a unit (its code or name; the units below it too), a year
    (of registration)."""

    status: str | None = None
    unit_code: str | None = None
    year: int | None = None


async def scope_of(session: AsyncSession, viewer: User | None) -> ColumnElement[bool]:
    """Return what a viewer may export: an admin (or the command line) all, a verifikator the
    submitted innovations of the unit and of the units below it."""
    reviewed = None if viewer is None else await review.reviewed_units(session, viewer)
    if reviewed is None:
        return true()
    return Innovation.unit_id.in_(reviewed) & (Innovation.status != Status.DRAF)


async def innovations_query(
    session: AsyncSession, viewer: User | None, filters: Filters
) -> Select[tuple[Innovation]]:
    """Return the innovations to export, in code order."""
    stmt = await _filtered(session, select(Innovation), viewer, filters)
    return stmt.order_by(Innovation.code.is_(None), Innovation.code, Innovation.id)


async def count_innovations(session: AsyncSession, *, viewer: User | None, filters: Filters) -> int:
    """Count what an export would contain."""
    query = await innovations_query(session, viewer, filters)
    stmt = select(func.count()).select_from(query.subquery())
    return (await session.execute(stmt)).scalar_one()


async def stream_innovations(
    session: AsyncSession, *, viewer: User | None, filters: Filters, batch: int = 500
) -> AsyncIterator[Innovation]:
    """Yield the innovations to export without loading them all at once."""
    query = await innovations_query(session, viewer, filters)
    stmt = query.options(noload(Innovation.owner), noload(Innovation.unit))
    result = await session.stream_scalars(stmt.execution_options(yield_per=batch))
    async for innovation in result:
        yield innovation


@dataclass
class Statistics:
    """Counts for /statistik."""

    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    by_unit: Counter[str] = field(default_factory=Counter)
    by_tahapan: Counter[str] = field(default_factory=Counter)
    by_jenis: Counter[str] = field(default_factory=Counter)
    by_urusan: Counter[str] = field(default_factory=Counter)
    urusan_covered: set[str] = field(default_factory=set)


async def statistics(session: AsyncSession, *, viewer: User | None) -> Statistics:
    """Count the submitted innovations (not drafts) the viewer may see."""
    # only the counted columns: whole innovations would bring their owners and files along
    stmt = (
        select(
            Innovation.status,
            Innovation.tahapan,
            Innovation.jenis,
            Innovation.urusan_utama,
            Innovation.urusan_irisan,
            Unit.name,
        )
        .outerjoin(Unit, Unit.id == Innovation.unit_id)
        .where(await scope_of(session, viewer), Innovation.status != Status.DRAF)
    )
    stats = Statistics()
    for status, tahapan, jenis, urusan_utama, urusan_irisan, unit_name in await session.execute(
        stmt
    ):
        stats.total += 1
        stats.by_status[status] += 1
        stats.by_unit[unit_name or "-"] += 1
        stats.by_tahapan[tahapan or "-"] += 1
        stats.by_jenis[jenis or "-"] += 1
        if urusan_utama:
            stats.by_urusan[urusan_utama] += 1
            stats.urusan_covered.add(urusan_utama)
        stats.urusan_covered.update(urusan_irisan or [])
    return stats


async def _filtered(
    session: AsyncSession, stmt: Select[Any], viewer: User | None, filters: Filters
) -> Select[Any]:
    stmt = stmt.where(await scope_of(session, viewer))
    if filters.status:
        stmt = stmt.where(Innovation.status == filters.status)
    if filters.unit_code:
        # a code or a name; a unit covers the units below it; unknown or ambiguous: nothing
        found = await units.find(session, filters.unit_code)
        covered = await units.with_descendants(session, found[0].id) if len(found) == 1 else []
        stmt = stmt.where(Innovation.unit_id.in_(covered))
    if filters.year:
        stmt = stmt.where(extract("year", Innovation.created_at) == filters.year)
    return stmt


async def monev_reports(
    session: AsyncSession, *, viewer: User | None, filters: Filters
) -> list[tuple[MonevReport, Deadline, Innovation]]:
    """Return the monev reports of the exported innovations, by innovation and period."""
    stmt = (
        select(MonevReport, Deadline, Innovation)
        .join(Deadline, Deadline.id == MonevReport.deadline_id)
        .join(Innovation, Innovation.id == MonevReport.innovation_id)
        .options(noload(Innovation.owner), noload(Innovation.unit), noload(Deadline.innovation))
        .order_by(Innovation.code, Deadline.period_start)
    )
    rows = await session.execute(await _filtered(session, stmt, viewer, filters))
    return [(r, d, i) for r, d, i in rows.unique()]


async def deadlines(
    session: AsyncSession, *, viewer: User | None, filters: Filters
) -> list[tuple[Deadline, Innovation]]:
    """Return the deadlines of the exported innovations, soonest first."""
    stmt = (
        select(Deadline, Innovation)
        .join(Innovation, Innovation.id == Deadline.innovation_id)
        .options(noload(Innovation.owner), noload(Innovation.unit), noload(Deadline.innovation))
        .order_by(Deadline.due_date, Innovation.code)
    )
    rows = await session.execute(await _filtered(session, stmt, viewer, filters))
    return [(d, i) for d, i in rows.unique()]


@dataclass
class Compliance:
    """Monev reports per unit: in on time, in late, missing (overdue and still open)."""

    by_unit: dict[str, list[int]] = field(default_factory=dict)
    overdue: list[tuple[str, str, str, int]] = field(default_factory=list)

    def add(self, unit: str, index: int) -> None:
        """Count one period of ``unit`` in column ``index`` (0 on time, 1 late, 2 missing)."""
        self.by_unit.setdefault(unit, [0, 0, 0])[index] += 1


async def monev_compliance(
    session: AsyncSession, *, viewer: User | None, today: date, zone: tzinfo
) -> Compliance:
    """Judge every monev period that is due: report on time, late, or missing."""
    stmt = (
        select(Deadline, Innovation.code, Innovation.nama_inovasi, Unit.name, MonevReport)
        .join(Innovation, Innovation.id == Deadline.innovation_id)
        .outerjoin(Unit, Unit.id == Innovation.unit_id)
        .outerjoin(MonevReport, MonevReport.deadline_id == Deadline.id)
        .options(noload(Deadline.innovation), noload(Deadline.campaign))
        .where(
            await scope_of(session, viewer),
            Deadline.kind == DeadlineKind.MONEV,
            Deadline.status != DeadlineStatus.CANCELLED,
        )
        .order_by(Deadline.due_date)
    )
    result = Compliance()
    for deadline, code, name, unit, report in await session.execute(stmt):
        unit = unit or "-"
        if report is not None:
            late = report.submitted_at.astimezone(zone).date() > deadline.due_date
            result.add(unit, 1 if late else 0)
        elif deadline.status == DeadlineStatus.OPEN and deadline.due_date < today:
            result.add(unit, 2)
            result.overdue.append((code or "", name or "", unit, (today - deadline.due_date).days))
    result.overdue.sort(key=lambda row: -row[3])
    return result
