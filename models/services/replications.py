"""Replications between innovations: one innovation replicated another.

Either side is an innovation of this Pemda (by id) or one elsewhere, by name and region (the
party that replicated an innovation, as a monev report names it, may be a region or unit
alone). The IID Replikasi indicator counts the replications of an innovation: those where it
is the original.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog_tables import Replication
from models.tables import Innovation, Unit

BATCH = 500  # innovations per query of the batch count


class NotRecorded(ValueError):
    """The replication cannot be recorded: ``reason`` is "self", "sides" or "twice"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Side:
    """One side of a replication: an innovation of this Pemda, or one elsewhere."""

    innovation_id: int | None = None
    name: str | None = None
    region: str | None = None

    @classmethod
    def internal(cls, innovation: Innovation | int) -> Side:
        """Return the side of an innovation of this Pemda."""
        return cls(innovation if isinstance(innovation, int) else innovation.id)

    @classmethod
    def external(cls, name: str | None, region: str) -> Side:
        """Return the side of an innovation (or a replicating party) elsewhere."""
        return cls(None, (name or "").strip() or None, region.strip())

    @property
    def valid(self) -> bool:
        """Whether the side names exactly one thing: an id, or at least a region."""
        if self.innovation_id is not None:
            return self.name is None and self.region is None
        return bool(self.region)


@dataclass(frozen=True)
class Link:
    """A replication seen from one innovation: the innovation on the other side (None when
    it is elsewhere), its name and region as recorded, who recorded it and when."""

    replication_id: int
    other: Innovation | None
    name: str | None
    region: str | None
    recorded_by: int | None
    recorded_at: datetime


async def record(
    session: AsyncSession,
    *,
    original: Side,
    replica: Side,
    by: int | None,
    now: datetime,
) -> Replication:
    """Record that ``replica`` replicates ``original``; refuse an innovation replicating
    itself, a side that names nothing (or two things), and a pair of this Pemda's
    innovations recorded before."""
    if not original.valid or not replica.valid:
        raise NotRecorded("sides")
    internal = original.innovation_id is not None and replica.innovation_id is not None
    if internal and original.innovation_id == replica.innovation_id:
        raise NotRecorded("self")
    if internal and await exists(session, original.innovation_id, replica.innovation_id):
        raise NotRecorded("twice")
    row = Replication(
        original_id=original.innovation_id,
        original_name=original.name,
        original_region=original.region,
        replica_id=replica.innovation_id,
        replica_name=replica.name,
        replica_region=replica.region,
        recorded_by=by,
        recorded_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def exists(session: AsyncSession, original_id: int | None, replica_id: int | None) -> bool:
    """Whether this Pemda's innovation ``replica_id`` is recorded as replicating
    ``original_id``."""
    found = await session.scalar(
        select(Replication.id).where(
            Replication.original_id == original_id, Replication.replica_id == replica_id
        )
    )
    return found is not None


async def _links(session: AsyncSession, innovation_id: int, *, as_original: bool) -> list[Link]:
    mine = Replication.original_id if as_original else Replication.replica_id
    rows = list(
        await session.scalars(
            select(Replication)
            .where(mine == innovation_id)
            .order_by(Replication.recorded_at, Replication.id)
        )
    )
    ids = {r.replica_id if as_original else r.original_id for r in rows} - {None}
    others: dict[int, Innovation] = {}
    if ids:
        found = await session.scalars(select(Innovation).where(Innovation.id.in_(ids)))
        others = {i.id: i for i in found}
    out = []
    for row in rows:
        other_id = row.replica_id if as_original else row.original_id
        other = others.get(other_id) if other_id is not None else None
        name = row.replica_name if as_original else row.original_name
        region = row.replica_region if as_original else row.original_region
        if other is not None:
            name = other.nama_inovasi
        out.append(Link(row.id, other, name, region, row.recorded_by, row.recorded_at))
    return out


async def replicated_from(session: AsyncSession, innovation_id: int) -> list[Link]:
    """Return the innovations this one replicates (it is the replica), oldest first."""
    return await _links(session, innovation_id, as_original=False)


async def replicated_by(session: AsyncSession, innovation_id: int) -> list[Link]:
    """Return the replications of this innovation (it is the original), oldest first."""
    return await _links(session, innovation_id, as_original=True)


async def count(session: AsyncSession, innovation_id: int) -> int:
    """Return how many times another region replicated the innovation (the Replikasi
    indicator: IID counts replications by other regions; one by an innovation of this Pemda
    is listed on both cards but not counted)."""
    found = await session.scalar(
        select(func.count()).where(
            Replication.original_id == innovation_id, Replication.replica_id.is_(None)
        )
    )
    return int(found or 0)


async def counts_for(session: AsyncSession, innovation_ids: Sequence[int]) -> dict[int, int]:
    """Return :func:`count` of several innovations (only those replicated at least once)."""
    out: dict[int, int] = {}
    ids = list(innovation_ids)
    for start in range(0, len(ids), BATCH):
        rows = await session.execute(
            select(Replication.original_id, func.count())
            .where(
                Replication.original_id.in_(ids[start : start + BATCH]),
                Replication.replica_id.is_(None),
            )
            .group_by(Replication.original_id)
        )
        out.update((int(original), int(n)) for original, n in rows if original is not None)
    return out


async def both_ways(session: AsyncSession, innovation_id: int) -> tuple[list[Link], list[Link]]:
    """Return what the innovation replicates and its replications, oldest first each."""
    return (
        await replicated_from(session, innovation_id),
        await replicated_by(session, innovation_id),
    )


@dataclass(frozen=True)
class Original:
    """An innovation of this Pemda another may name as its original, as a list shows it."""

    id: int
    code: str
    name: str
    unit: str | None


async def originals(session: AsyncSession, *, except_id: int) -> list[Original]:
    """Return the innovations another may replicate: every submitted one (it has a code),
    by code; only the columns a list shows."""
    rows = await session.execute(
        select(Innovation.id, Innovation.code, Innovation.nama_inovasi, Unit.name)
        .outerjoin(Unit, Unit.id == Innovation.unit_id)
        .where(Innovation.code.is_not(None), Innovation.id != except_id)
        .order_by(Innovation.code)
    )
    return [Original(i, code or "", name or "", unit) for i, code, name, unit in rows]
