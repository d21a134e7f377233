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
    session.info.pop(_LINKS, None)  # the tree may have changed
    return ImportResult(added, updated, unchanged)


async def list_active(session: AsyncSession) -> list[Unit]:
    """Return the active units in list order."""
    result = await session.execute(select(Unit).where(Unit.active).order_by(Unit.id))
    return list(result.scalars())


async def get(session: AsyncSession, unit_id: int) -> Unit | None:
    """Return one unit."""
    return await session.get(Unit, unit_id)


_LINKS = "unit_links"


async def _links(session: AsyncSession) -> list[tuple[int, str, str | None]]:
    """Return (id, code, parent code) of every unit, by id: read once per transaction (one
    card or one reminder round asks for a unit's tree several times; imports forget it)."""
    links: list[tuple[int, str, str | None]] | None = session.info.get(_LINKS)
    if links is None:
        stmt = select(Unit.id, Unit.code, Unit.parent_code).order_by(Unit.id)
        links = [(uid, code, parent) for uid, code, parent in await session.execute(stmt)]
        session.info[_LINKS] = links
    return links


async def id_of_code(session: AsyncSession, code: str) -> int | None:
    """Return the id of the unit with exactly this code, None if there is none."""
    found: int | None = await session.scalar(select(Unit.id).where(Unit.code == code))
    return found


async def with_descendants(session: AsyncSession, unit_id: int) -> list[int]:
    """Return the ids of a unit and of every unit below it (its children by ``parent_code``,
    their children, ...), the unit first; each once, so a cycle in the data ends the walk.

    Everything scoped "by unit" (queues, schedules, statistics, exports, who may review)
    covers this list."""
    links = await _links(session)
    code_of = {uid: code for uid, code, _ in links}
    children: dict[str, list[int]] = {}
    for uid, _, parent in links:
        if parent:
            children.setdefault(parent, []).append(uid)
    order = [unit_id]
    seen = {unit_id}
    for current in order:  # the list grows while it is walked: breadth first
        for child in children.get(code_of.get(current, ""), []):
            if child not in seen:
                seen.add(child)
                order.append(child)
    return order


async def with_ancestors(session: AsyncSession, unit_id: int) -> list[int]:
    """Return the ids of a unit, its parent, the parent's parent, ... (nearest first); each
    once, so a cycle in the data ends the walk."""
    links = await _links(session)
    parent_of = {uid: parent for uid, _, parent in links}
    id_of = {code: uid for uid, code, _ in links}
    order = [unit_id]
    while (parent := parent_of.get(order[-1])) and (up := id_of.get(parent)) is not None:
        if up in order:
            break
        order.append(up)
    return order


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


async def find(session: AsyncSession, text: str) -> list[Unit]:
    """Return the units a code or a name means, case-insensitively: the unit of that code;
    else those of that name; else those whose name or code contains it. One unit is a
    match, several are ambiguous, none is unknown."""
    wanted = _norm(text)
    if not wanted:
        return []
    units = list((await session.execute(select(Unit).order_by(Unit.code))).scalars())
    for same in (
        [u for u in units if u.code.casefold() == wanted],
        [u for u in units if _norm(u.name) == wanted],
        [u for u in units if wanted in _norm(u.name) or wanted in u.code.casefold()],
    ):
        if same:
            return same
    return []


async def top_level(session: AsyncSession) -> list[Unit]:
    """Return the active units without a (known) parent, in list order."""
    units = await list_active(session)
    known = {u.code for u in units}
    return [u for u in units if not u.parent_code or u.parent_code not in known]
