"""Units (perangkat daerah and service units)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.masterdata import UnitRecord
from models.tables import Unit


@dataclass(frozen=True)
class ImportResult:
    """What an import changed."""

    added: int
    updated: int
    unchanged: int


async def import_units(session: AsyncSession, records: Iterable[UnitRecord]) -> ImportResult:
    """Add new units and update the names of known codes."""
    known = {u.code: u for u in (await session.execute(select(Unit))).scalars()}
    added = updated = unchanged = 0
    for record in records:
        unit = known.get(record.code)
        if unit is None:
            unit = Unit(code=record.code, name=record.name, parent_code=record.parent)
            session.add(unit)
            known[record.code] = unit
            added += 1
        elif (unit.name, unit.parent_code, unit.active) != (record.name, record.parent, True):
            unit.name, unit.parent_code, unit.active = record.name, record.parent, True
            updated += 1
        else:
            unchanged += 1
    await session.flush()
    return ImportResult(added, updated, unchanged)


async def list_active(session: AsyncSession) -> list[Unit]:
    """Return the active units in list order."""
    result = await session.execute(select(Unit).where(Unit.active).order_by(Unit.id))
    return list(result.scalars())


async def get(session: AsyncSession, unit_id: int) -> Unit | None:
    """Return one unit."""
    return await session.get(Unit, unit_id)
