"""An innovation's answers to the IID indicators: levels, evidence, and the estimate.

Levels the profile already implies (Kecepatan from the dates, Kemanfaatan from the latest monev
beneficiaries, Monev from the reports sent, Replikasi from recorded replications) count until
the owner chooses one; the owner's choice wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import iid
from models.document_tables import IndicatorAnswer, IndicatorFile
from models.iid import Answer, Estimate, IidRules, ProfileSource
from models.services import document_checks, replications
from models.services.files import EvidenceFile, discard_after_commit
from models.tables import Innovation, MonevReport

BATCH = 500  # innovations per query of the batch reads
# innovations whose answers are in memory at once, as ORM objects: 100 x 20 answers and their
# files peak at ~10 MiB of Python's heap, 500 at ~60 MiB, for ~20 % more time at 100
# (docs/benchmarks.md section 8)
ANSWERS_BATCH = 100


async def stored(session: AsyncSession, innovation_id: int) -> dict[str, IndicatorAnswer]:
    """Return the innovation's stored answers by indicator key."""
    rows = await session.scalars(
        select(IndicatorAnswer).where(IndicatorAnswer.innovation_id == innovation_id)
    )
    return {row.key: row for row in rows}


async def stored_for(
    session: AsyncSession, innovation_ids: Sequence[int]
) -> dict[int, dict[str, IndicatorAnswer]]:
    """Return the stored answers of several innovations (innovation id -> key -> answer)."""
    out: dict[int, dict[str, IndicatorAnswer]] = {i: {} for i in innovation_ids}
    for start in range(0, len(innovation_ids), BATCH):
        chunk = list(innovation_ids[start : start + BATCH])
        rows = await session.scalars(
            select(IndicatorAnswer).where(IndicatorAnswer.innovation_id.in_(chunk))
        )
        for row in rows:
            out[row.innovation_id][row.key] = row
    return out


async def _find(session: AsyncSession, innovation_id: int, key: str) -> IndicatorAnswer | None:
    row: IndicatorAnswer | None = await session.scalar(
        select(IndicatorAnswer).where(
            IndicatorAnswer.innovation_id == innovation_id, IndicatorAnswer.key == key
        )
    )
    return row


async def _answer(
    session: AsyncSession, innovation_id: int, key: str, *, now: datetime
) -> IndicatorAnswer:
    row = await _find(session, innovation_id, key)
    if row is None:
        row = IndicatorAnswer(innovation_id=innovation_id, key=key, updated_at=now, files=[])
        session.add(row)
    return row


async def set_level(
    session: AsyncSession,
    innovation_id: int,
    key: str,
    level: int | None,
    *,
    by: int | None,
    now: datetime,
) -> None:
    """Store the level the owner chose for one indicator (None forgets it)."""
    row = await _answer(session, innovation_id, key, now=now)
    if row.id is None or row.level != level:
        row.level = level
        await _changed(session, row, by=by, now=now)


async def add_file(
    session: AsyncSession,
    innovation_id: int,
    key: str,
    file: EvidenceFile,
    *,
    by: int | None,
    now: datetime,
) -> None:
    """Keep an evidence file of one indicator."""
    row = await _answer(session, innovation_id, key, now=now)
    row.files.append(IndicatorFile(**file.columns(now=now)))
    await _changed(session, row, by=by, now=now)


async def set_link(
    session: AsyncSession, innovation_id: int, key: str, link: str | None, *, by: int | None,
    now: datetime,
) -> None:  # fmt: skip
    """Keep (or with None forget) the link that stands for an indicator's evidence."""
    row = await _answer(session, innovation_id, key, now=now)
    if row.id is None or row.link != link:
        row.link = link
        await _changed(session, row, by=by, now=now)


async def remove_file(
    session: AsyncSession, innovation_id: int, key: str, index: int, *, files_dir: Path,
    by: int | None, now: datetime,
) -> str | None:  # fmt: skip
    """Forget the ``index``-th evidence of one indicator (files first, then the link); delete
    the file after the commit; return its display name, None if there is no such evidence."""
    row = await _find(session, innovation_id, key)
    if row is None:
        return None
    if 0 <= index < len(row.files):
        removed = row.files.pop(index)
        discard_after_commit(session, files_dir, [removed.path])
        await _changed(session, row, by=by, now=now)
        return removed.filename
    if index == len(row.files) and row.link:
        link, row.link = row.link, None
        await _changed(session, row, by=by, now=now)
        return link
    return None


async def _changed(
    session: AsyncSession, row: IndicatorAnswer, *, by: int | None, now: datetime
) -> None:
    """An answer changed: by whom and when, and not checked by a verifier since."""
    row.updated_by, row.updated_at, row.verified_at = by, now, None
    await document_checks.changed(session, row.innovation_id, now=now)


def evidence_names(row: IndicatorAnswer | None) -> list[str]:
    """Return the names of an answer's evidence: its files, then its link."""
    if row is None:
        return []
    return [f.filename for f in row.files] + ([row.link] if row.link else [])


# -- what the profile implies ------------------------------------------------------------------


def months_between(start: date | None, end: date | None) -> int | None:
    """Whole months from ``start`` to ``end`` (None when either is unknown or out of order)."""
    if start is None or end is None or end < start:
        return None
    return (end.year - start.year) * 12 + end.month - start.month


@dataclass(frozen=True)
class ProfileFacts:
    """The profile's values the rules can read levels from."""

    months: int | None = None
    beneficiaries: int | None = None
    reports: int = 0
    replications: int = 0

    def value(self, source: ProfileSource) -> int | None:
        """Return the value a ``profil`` entry names."""
        return {
            "waktu": self.months,
            "penerima": self.beneficiaries,
            "monev": self.reports,
            "replikasi": self.replications,
        }[source]


async def profile_facts(session: AsyncSession, innovation: Innovation) -> ProfileFacts:
    """Read what the profile and the monev reports say of one innovation."""
    reports = await session.scalar(
        select(func.count()).where(MonevReport.innovation_id == innovation.id)
    )
    latest = await session.scalar(
        select(MonevReport.beneficiaries)
        .where(MonevReport.innovation_id == innovation.id)
        .order_by(MonevReport.submitted_at.desc(), MonevReport.id.desc())
        .limit(1)
    )
    return ProfileFacts(
        months=months_between(innovation.waktu_uji_coba, innovation.waktu_penerapan),
        beneficiaries=latest,
        reports=int(reports or 0),
        replications=await replications.count(session, innovation.id),
    )


async def facts_for(
    session: AsyncSession, innovations: Sequence[Innovation]
) -> dict[int, ProfileFacts]:
    """Read :func:`profile_facts` for several innovations at once: per batch of 500 one grouped
    query for the report counts, one for the latest report's beneficiaries and one for the
    replications."""
    counts: dict[int, int] = {}
    latest: dict[int, int] = {}
    ids = [i.id for i in innovations]
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = await session.execute(
            select(MonevReport.innovation_id, func.count())
            .where(MonevReport.innovation_id.in_(chunk))
            .group_by(MonevReport.innovation_id)
        )
        counts.update((innovation_id, int(n)) for innovation_id, n in rows)
        order = (MonevReport.submitted_at.desc(), MonevReport.id.desc())
        ranked = (
            select(
                MonevReport.innovation_id,
                MonevReport.beneficiaries,
                func.row_number()
                .over(partition_by=MonevReport.innovation_id, order_by=order)
                .label("rank"),
            )
            .where(MonevReport.innovation_id.in_(chunk))
            .subquery()
        )
        rows = await session.execute(
            select(ranked.c.innovation_id, ranked.c.beneficiaries).where(ranked.c.rank == 1)
        )
        latest.update((innovation_id, int(n)) for innovation_id, n in rows)
    replicated = await replications.counts_for(session, ids)
    return {
        i.id: ProfileFacts(
            months=months_between(i.waktu_uji_coba, i.waktu_penerapan),
            beneficiaries=latest.get(i.id),
            reports=counts.get(i.id, 0),
            replications=replicated.get(i.id, 0),
        )
        for i in innovations
    }


def answers(
    rules: IidRules, rows: Mapping[str, IndicatorAnswer], facts: ProfileFacts
) -> dict[str, Answer]:
    """Combine stored answers with the levels the profile implies."""
    out: dict[str, Answer] = {}
    for indicator in rules.indikator:
        row = rows.get(indicator.key)
        evidence = bool(row and (row.files or row.link))
        if row is not None and row.level is not None:
            out[indicator.key] = Answer(row.level, evidence)
            continue
        implied = (
            iid.level_from_profile(indicator, facts.value(indicator.profil))
            if indicator.profil
            else None
        )
        out[indicator.key] = Answer(implied, evidence, implied is not None)
    return out


@dataclass(frozen=True)
class Indicators:
    """One innovation's indicators as read once: the stored answers and the estimate."""

    rows: Mapping[str, IndicatorAnswer]
    estimate: Estimate

    def evidence(self, key: str) -> list[str]:
        """Return the names of an indicator's evidence: its files, then its link."""
        return evidence_names(self.rows.get(key))


async def read(
    session: AsyncSession,
    rules: IidRules,
    innovation: Innovation,
    facts: ProfileFacts | None = None,
) -> Indicators:
    """Read one innovation's answers and estimate them (``facts``: already read)."""
    rows = await stored(session, innovation.id)
    facts = facts if facts is not None else await profile_facts(session, innovation)
    return Indicators(rows, iid.estimate(rules, answers(rules, rows, facts)))


async def estimate_for(session: AsyncSession, rules: IidRules, innovation: Innovation) -> Estimate:
    """Return the estimated IID score of one innovation."""
    return (await read(session, rules, innovation)).estimate


async def read_for(
    session: AsyncSession, rules: IidRules, innovations: Sequence[Innovation]
) -> dict[int, Indicators]:
    """:func:`read` for several innovations (by innovation id): their stored answers and
    profile facts read at once."""
    ids = [i.id for i in innovations]
    rows = await stored_for(session, ids)
    facts = await facts_for(session, innovations)
    return {
        i: Indicators(rows[i], iid.estimate(rules, answers(rules, rows[i], facts[i]))) for i in ids
    }


async def estimates_for(
    session: AsyncSession, rules: IidRules, innovations: Sequence[Innovation]
) -> dict[int, Estimate]:
    """Return the estimated IID scores of several innovations (by innovation id)."""
    found = await read_for(session, rules, innovations)
    return {i: f.estimate for i, f in found.items()}
