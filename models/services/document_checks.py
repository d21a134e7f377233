"""Whether a verifier has checked an innovation's indicator answers and proposal sections.

Verifying an innovation checks them with it. An owner may go on completing them after that
(evaluation campaigns ask for it); each change waits for a verifier, who sees what changed on
the innovation's card and accepts it. Cards, documents and exports say what waits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.document_tables import IndicatorAnswer, ProposalSection

TABLES = (IndicatorAnswer, ProposalSection)


@dataclass(frozen=True)
class Waiting:
    """What changed since a verifier last checked it: indicator keys, proposal section keys."""

    indicators: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    latest: datetime | None = None  # the latest of these changes

    def __bool__(self) -> bool:
        return bool(self.indicators or self.sections)


async def stamp(
    session: AsyncSession, innovation_id: int, *, now: datetime, upto: datetime | None = None
) -> int:
    """Mark the innovation's answers and sections checked (only those last changed at or
    before ``upto``, when given: what the verifier saw); return how many were waiting."""
    count = 0
    for table in TABLES:
        stmt = update(table).where(
            table.innovation_id == innovation_id, table.verified_at.is_(None)
        )
        if upto is not None:
            stmt = stmt.where(table.updated_at <= upto)
        result = await session.execute(stmt.values(verified_at=now))
        count += getattr(result, "rowcount", 0) or 0
    return count


async def waiting(session: AsyncSession, innovation_id: int) -> Waiting:
    """Return what of the innovation's answers and sections waits for a verifier."""
    found: list[list[str]] = []
    latest: datetime | None = None
    for table in TABLES:
        rows = await session.execute(
            select(table.key, table.updated_at)
            .where(table.innovation_id == innovation_id, table.verified_at.is_(None))
            .order_by(table.key)
        )
        keys = []
        for key, changed in rows:
            keys.append(key)
            latest = changed if latest is None or changed > latest else latest
        found.append(keys)
    return Waiting(found[0], found[1], latest)


def waiting_innovations() -> Select[tuple[int]]:
    """The ids of innovations with an answer or a section that waits for a verifier."""
    parts = [select(t.innovation_id).where(t.verified_at.is_(None)) for t in TABLES]
    return select(union(*parts).subquery().c.innovation_id)
