"""Near-duplicates of a registration among the Pemda's innovations (models/similarity.py).

The index of every innovation with a name is built once per process and kept up to date by
what changed: the innovations' count and latest ``updated_at`` tell whether it is current;
when they moved on, the innovations changed since are (re)added, and when the count still
disagrees (one was deleted) the index is built again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.similarity import Candidate, SimilarityIndex
from models.tables import Innovation, Status

NAMED = Innovation.nama_inovasi.is_not(None)
SEARCHED = 6  # nearest asked for, before the ones this user may not be shown are dropped


def _candidate(row: Row[tuple[int, str | None, str | None]]) -> Candidate:
    innovation_id, name, text = row
    return Candidate(innovation_id, name or "", text or "")


class SimilarityCache:
    """One process's :class:`SimilarityIndex` of the innovations with a name."""

    def __init__(self) -> None:
        self._index: SimilarityIndex | None = None
        self._key: tuple[int, datetime | None] | None = None
        self.builds = 0  # full builds, for tests and the log

    async def index(self, session: AsyncSession) -> SimilarityIndex:
        """Return the index, brought up to date with the database."""
        total, latest = (
            await session.execute(
                select(func.count(), func.max(Innovation.updated_at)).where(NAMED)
            )
        ).one()
        key = (int(total), latest)
        if self._index is not None and self._key == key:
            return self._index
        columns = select(Innovation.id, Innovation.nama_inovasi, Innovation.masalah).where(NAMED)
        if self._index is not None and self._key is not None and self._key[1] is not None:
            changed = await session.execute(columns.where(Innovation.updated_at >= self._key[1]))
            for row in changed:
                self._index.add(_candidate(row))
            if len(self._index) == key[0]:
                self._key = key
                return self._index
        candidates = [_candidate(row) for row in await session.execute(columns)]
        index = await asyncio.to_thread(SimilarityIndex, candidates)  # seconds at 100,000
        self._index, self._key = index, key
        self.builds += 1
        return index


async def similar(
    session: AsyncSession,
    cache: SimilarityCache,
    draft: Innovation,
    *,
    threshold: float,
    limit: int = 2,
    skip: Collection[int] = (),
) -> list[tuple[Innovation, float]]:
    """Return up to ``limit`` innovations very similar to ``draft`` (name and masalah), best
    first, with their scores: not the draft itself, nor those in ``skip``, nor another
    person's drafts that were never submitted (no one else sees those)."""
    if not draft.nama_inovasi:
        return []
    index = await cache.index(session)
    matches = index.nearest(
        draft.nama_inovasi, draft.masalah or "", limit=limit + len(skip) + SEARCHED,
        threshold=threshold,
    )  # fmt: skip
    ids = [m.id for m in matches if m.id != draft.id and m.id not in skip]
    if not ids:
        return []
    found = {
        i.id: i for i in await session.scalars(select(Innovation).where(Innovation.id.in_(ids)))
    }
    out = []
    for match in matches:
        innovation = found.get(match.id)
        if innovation is None:
            continue
        hidden = innovation.status == Status.DRAF and innovation.code is None
        if hidden and innovation.owner_id != draft.owner_id:
            continue
        out.append((innovation, match.score))
    return out[:limit]
