"""Monev reports: the owner's open periods and submitting a report that closes one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.services.files import EvidenceFile
from models.services.innovations import record_event
from models.services.monev._common import MonevError
from models.services.monev.deadlines import close_deadline, still_needed
from models.tables import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Innovation,
    MonevEvidence,
    MonevReport,
    Status,
    User,
)

MONEV_STATUSES = ("berjalan", "dikembangkan", "direplikasi", "terkendala", "dihentikan")
STOPPED = "dihentikan"


@dataclass(frozen=True)
class ReportInput:
    """The answers of a monev report."""

    status: str
    beneficiaries: int
    results: str
    obstacles: str | None = None
    next_steps: str | None = None
    stop_reason: str | None = None


async def open_monev_deadlines(session: AsyncSession, *, owner_id: int) -> list[Deadline]:
    """Return the open monev periods of the owner's verified innovations, soonest due first."""
    stmt = (
        select(Deadline)
        .join(Innovation, Innovation.id == Deadline.innovation_id)
        .where(
            Deadline.kind == DeadlineKind.MONEV,
            Deadline.status == DeadlineStatus.OPEN,
            Innovation.owner_id == owner_id,
            Innovation.status == Status.TERVERIFIKASI,
        )
        .order_by(Deadline.due_date, Deadline.id)
    )
    return list((await session.execute(stmt)).unique().scalars())


async def submit_report(
    session: AsyncSession,
    *,
    deadline_id: int,
    reporter: User,
    report: ReportInput,
    files: Sequence[EvidenceFile],
    now: datetime,
) -> MonevReport:
    """Store a monev report and close its period; "dihentikan" also stops the innovation."""
    stmt = select(Deadline).where(Deadline.id == deadline_id).with_for_update(of=Deadline)
    deadline = (await session.execute(stmt)).unique().scalar_one_or_none()
    if deadline is None or deadline.innovation.owner_id != reporter.id:
        raise MonevError("not_allowed")
    if deadline.kind != DeadlineKind.MONEV or not still_needed(deadline):
        raise MonevError("closed")
    if report.status not in MONEV_STATUSES or report.beneficiaries < 0:
        raise ValueError(report.status)
    row = MonevReport(
        deadline_id=deadline.id,
        innovation_id=deadline.innovation_id,
        reporter_id=reporter.id,
        status=report.status,
        stop_reason=report.stop_reason if report.status == STOPPED else None,
        beneficiaries=report.beneficiaries,
        results=report.results,
        obstacles=report.obstacles,
        next_steps=report.next_steps,
        submitted_at=now,
        evidence=[MonevEvidence(**f.columns(now=now)) for f in files],
    )
    session.add(row)
    await close_deadline(session, deadline, status=DeadlineStatus.DONE, now=now)
    if report.status == STOPPED:
        innovation = deadline.innovation
        record_event(
            session,
            innovation,
            actor=reporter,
            to_status=Status.DIHENTIKAN,
            now=now,
            comment=report.stop_reason,
        )
        others = await session.execute(
            select(Deadline).where(
                Deadline.innovation_id == innovation.id,
                Deadline.status == DeadlineStatus.OPEN,
                Deadline.id != deadline.id,
            )
        )
        for other in others.unique().scalars():
            await close_deadline(session, other, status=DeadlineStatus.CANCELLED, now=now)
    await session.flush()
    return row
