"""The estimated IID scores of many innovations: innovations by band, and the indicators most
often without evidence, for /statistik; read in batches, never one innovation at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only, noload

from models.iid import Band, Estimate, IidRules, Indicator
from models.services import export
from models.services.indicators import ANSWERS_BATCH, estimates_for
from models.tables import Innovation, Status, User

# the columns the estimate reads (the profile's dates) and the exports show
COLUMNS = (
    Innovation.id,
    Innovation.code,
    Innovation.nama_inovasi,
    Innovation.status,
    Innovation.waktu_uji_coba,
    Innovation.waktu_penerapan,
)
TOP_GAPS = 5


def light(stmt: Select[Any]) -> Select[Any]:
    """Load only the columns an estimate needs, and none of the relationships."""
    return stmt.options(load_only(*COLUMNS), noload("*"))


async def batches(
    session: AsyncSession, stmt: Select[tuple[Innovation]], size: int = ANSWERS_BATCH
) -> AsyncIterator[list[Innovation]]:
    """Yield the innovations of ``stmt`` in lists of ``size``, streamed from the database."""
    result = await session.stream_scalars(stmt.execution_options(yield_per=size))
    async for partition in result.partitions(size):
        yield list(partition)


@dataclass
class Gap:
    """One indicator without evidence: in how many innovations a level was chosen (or read
    from the profile) without evidence, and in how many it is not answered at all."""

    indicator: Indicator
    level_only: int = 0
    unanswered: int = 0

    @property
    def total(self) -> int:
        """Innovations without evidence for this indicator."""
        return self.level_only + self.unanswered


@dataclass
class IidStatistics:
    """Innovations by the band of their estimated score, and the indicators most often
    without evidence."""

    total: int = 0
    by_band: dict[str, int] = field(default_factory=dict)  # band label -> count, rules order
    unscored: int = 0  # a score of 0: nothing with evidence yet
    outside: int = 0  # a score above 0 that no band of the rules file holds
    gaps: list[Gap] = field(default_factory=list)

    def add(self, rules: IidRules, result: Estimate, gaps: dict[str, Gap]) -> None:
        """Count one innovation's estimate."""
        self.total += 1
        band: Band | None = rules.band(result.percent) if result.total > 0 else None
        if result.total <= 0:
            self.unscored += 1
        elif band is None:
            self.outside += 1
        else:
            self.by_band[band.label] = self.by_band.get(band.label, 0) + 1
        for row in result.rows:
            if row.answer.evidence:
                continue
            gap = gaps[row.indicator.key]
            if row.answer.level:
                gap.level_only += 1
            else:
                gap.unanswered += 1


async def iid_statistics(
    session: AsyncSession, rules: IidRules, *, viewer: User | None, top: int = TOP_GAPS
) -> IidStatistics:
    """Estimate every submitted innovation (not drafts) the viewer may see, as /statistik
    counts them; return the counts by band and the ``top`` indicators most often without
    evidence (most first, then in IID order)."""
    stmt = light(
        select(Innovation)
        .where(await export.scope_of(session, viewer), Innovation.status != Status.DRAF)
        .order_by(Innovation.id)
    )
    stats = IidStatistics(by_band={band.label: 0 for band in rules.predikat})
    gaps = {i.key: Gap(i) for i in rules.indikator}
    async for chunk in batches(session, stmt):
        for result in (await estimates_for(session, rules, chunk)).values():
            stats.add(rules, result, gaps)
    ranked = sorted(gaps.values(), key=lambda g: (-g.total, g.indicator.nomor))
    stats.gaps = [g for g in ranked if g.total][:top]
    return stats
