"""Whether a verifier has checked an innovation's indicator answers and proposal sections.

Verifying an innovation checks them with it. An owner may go on completing them after that
(evaluation campaigns ask for it); each change waits for a verifier, who sees what changed on
the innovation's card and accepts it. Cards, documents and exports say what waits. The
innovation keeps when its first waiting change was made (``documents_changed_at``), so the
review queue finds the few that wait without reading every answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.document_tables import IndicatorAnswer, ProposalSection
from models.tables import Innovation, Status

TABLES = (IndicatorAnswer, ProposalSection)
# how a returned indicator or proposal section is named among an innovation's flagged fields
INDICATOR_FLAG = "iid."
SECTION_FLAG = "kipp."


@dataclass(frozen=True)
class Waiting:
    """What changed since a verifier last checked it: indicator keys, proposal section keys."""

    indicators: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    latest: datetime | None = None  # the latest of these changes

    def __bool__(self) -> bool:
        return bool(self.indicators or self.sections)

    def flags(self) -> list[str]:
        """These, as flagged fields (``iid.<key>``, ``kipp.<key>``)."""
        return [INDICATOR_FLAG + k for k in self.indicators] + [
            SECTION_FLAG + k for k in self.sections
        ]


async def changed(session: AsyncSession, innovation_id: int, *, now: datetime) -> None:
    """The owner changed an answer or a section: a verified innovation now has a change
    waiting (kept since the first one)."""
    await session.execute(
        update(Innovation)
        .where(
            Innovation.id == innovation_id,
            Innovation.status == Status.TERVERIFIKASI,
            Innovation.documents_changed_at.is_(None),
        )
        .values(documents_changed_at=now)
    )


async def stamp(
    session: AsyncSession, innovation_id: int, *, now: datetime, upto: datetime | None = None
) -> tuple[int, Waiting]:
    """Mark the innovation's answers and sections checked (only those last changed at or
    before ``upto``, when given: what the verifier saw); return how many were marked, and
    what still waits."""
    count = 0
    for table in TABLES:
        stmt = update(table).where(
            table.innovation_id == innovation_id, table.verified_at.is_(None)
        )
        if upto is not None:
            stmt = stmt.where(table.updated_at <= upto)
        result = await session.execute(stmt.values(verified_at=now))
        count += getattr(result, "rowcount", 0) or 0
    still = await waiting(session, innovation_id) if upto is not None else Waiting()
    if not still:
        await session.execute(
            update(Innovation)
            .where(Innovation.id == innovation_id)
            .values(documents_changed_at=None)
        )
    return count, still


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
