"""Who sees which innovation, the review queue, and the review decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from models.profile import Completeness, Gap, completeness, gaps
from models.services import document_checks, units
from models.services.innovations import (
    answers_of,
    record_event,
    snapshot_of,
    submission_event_id,
)
from models.services.paging import Page, paginate
from models.tables import Innovation, Revision, RevisionStatus, Role, Status, User


class NotAllowed(Exception):
    """The user may not do this to this innovation (or it is no longer in that state)."""


async def reviewed_units(session: AsyncSession, user: User) -> list[int] | None:
    """Return the ids of the units ``user`` reviews: a verifikator's unit and every unit
    below it; None for an admin (every unit); empty for anyone else."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.VERIFIKATOR and user.unit_id is not None:
        return await units.with_descendants(session, user.unit_id)
    return []


async def visible_to(session: AsyncSession, user: User) -> ColumnElement[bool]:
    """Return the filter of innovations ``user`` may see: own; the submitted ones of the
    units reviewed (a verifikator's unit and those below it; an admin's: all)."""
    own = Innovation.owner_id == user.id
    submitted = Innovation.status != Status.DRAF
    reviewed = await reviewed_units(session, user)
    if reviewed is None:
        return or_(own, submitted)
    if reviewed:
        return or_(own, and_(Innovation.unit_id.in_(reviewed), submitted))
    return own


async def can_review(session: AsyncSession, user: User, innovation: Innovation) -> bool:
    """Whether ``user`` reviews ``innovation``'s unit (an admin: every unit)."""
    reviewed = await reviewed_units(session, user)
    return reviewed is None or innovation.unit_id in reviewed


async def find_visible(
    session: AsyncSession, *, user: User, code: str | None = None, innovation_id: int | None = None
) -> Innovation | None:
    """Return an innovation by code or id if ``user`` may see it; None otherwise."""
    stmt = select(Innovation).where(await visible_to(session, user))
    if code is not None:
        stmt = stmt.where(Innovation.code == code.upper())
    elif innovation_id is not None:
        stmt = stmt.where(Innovation.id == innovation_id)
    else:
        return None
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_visible(
    session: AsyncSession, *, user: User, page: int, per_page: int
) -> Page[Innovation]:
    """Return the innovations ``user`` may see, latest first."""
    stmt = (
        select(Innovation)
        .where(await visible_to(session, user))
        .order_by(Innovation.updated_at.desc(), Innovation.id.desc())
    )
    return await paginate(session, stmt, page=page, per_page=per_page)


async def queue(
    session: AsyncSession, *, reviewer: User, page: int, per_page: int
) -> Page[Innovation]:
    """Return the submitted innovations ``reviewer`` must review, oldest first, and the
    verified ones with a revision, or indicators or proposal sections changed since, waiting
    for review."""
    scope: ColumnElement[bool] = true()
    reviewed = await reviewed_units(session, reviewer)
    if reviewed is not None:
        if not reviewed:
            return Page([], 0, 1, 0)
        scope = Innovation.unit_id.in_(reviewed)
    stmt = (
        select(Innovation)
        .where(
            or_(Innovation.status == Status.DIAJUKAN, _revision_waiting(), _changes_waiting()),
            scope,
        )
        .order_by(Innovation.submitted_at, Innovation.id)
    )
    return await paginate(session, stmt, page=page, per_page=per_page)


def _submitted_revisions() -> Select[tuple[int]]:
    """The innovations with a revision waiting for review."""
    return select(Revision.innovation_id).where(Revision.status == RevisionStatus.DIAJUKAN)


async def revisions_waiting(session: AsyncSession, innovation_ids: Sequence[int]) -> set[int]:
    """Return which of these innovations have a revision waiting for review."""
    if not innovation_ids:
        return set()
    stmt = _submitted_revisions().where(Revision.innovation_id.in_(innovation_ids))
    return set(await session.scalars(stmt))


def _revision_waiting() -> ColumnElement[bool]:
    return and_(
        Innovation.status == Status.TERVERIFIKASI, Innovation.id.in_(_submitted_revisions())
    )


def _changes_waiting() -> ColumnElement[bool]:
    return and_(
        Innovation.status == Status.TERVERIFIKASI, Innovation.documents_changed_at.is_not(None)
    )


async def lock_for_review(
    session: AsyncSession, *, reviewer: User, innovation_id: int, version: int | None = None
) -> Innovation:
    """Load a submitted innovation for a decision, refusing if not allowed or not submitted
    (or, given a ``version``, submitted again since)."""
    stmt = select(Innovation).where(Innovation.id == innovation_id).with_for_update(of=Innovation)
    innovation = (await session.execute(stmt)).unique().scalar_one_or_none()
    if innovation is None or innovation.status != Status.DIAJUKAN:
        raise NotAllowed("not submitted")
    if not await can_review(session, reviewer, innovation):
        raise NotAllowed("not a reviewer of this unit")
    # a confirmation asked for one submission (its event's id) does not apply to a later one
    if version is not None and version != await submission_event_id(session, innovation.id):
        raise NotAllowed("submitted again since")
    return innovation


@dataclass(frozen=True)
class VerificationCheck:
    """What a reviewer confirms: the innovation, the submission, what IID still misses."""

    innovation: Innovation
    version: int
    completeness: Completeness
    gaps: list[Gap]


async def check_before_verifying(
    session: AsyncSession, *, reviewer: User, innovation_id: int
) -> VerificationCheck:
    """Return what a verification would confirm (or raise NotAllowed, as a decision would)."""
    innovation = await lock_for_review(session, reviewer=reviewer, innovation_id=innovation_id)
    answers = answers_of(innovation)
    return VerificationCheck(
        innovation,
        await submission_event_id(session, innovation.id),
        completeness(answers),
        gaps(answers),
    )


async def readable(session: AsyncSession, *, user: User, innovation_id: int) -> Innovation:
    """Return an innovation whose full texts and evidence ``user`` may open: its owner, a
    verifikator of its unit (or a unit above) once submitted, an admin; else NotAllowed."""
    innovation = await find_visible(session, user=user, innovation_id=innovation_id)
    if innovation is None:
        raise NotAllowed("not visible")
    return innovation


async def verify(
    session: AsyncSession, innovation: Innovation, *, reviewer: User, now: datetime
) -> None:
    """Mark a submitted innovation verified, with its indicator answers and proposal."""
    record_event(session, innovation, actor=reviewer, to_status=Status.TERVERIFIKASI, now=now)
    await document_checks.stamp(session, innovation.id, now=now)


async def changes_for_review(
    session: AsyncSession, *, reviewer: User, innovation_id: int
) -> tuple[Innovation, document_checks.Waiting]:
    """Return a verified innovation whose indicators or proposal changed since a verifier
    checked them, and what changed, for a reviewer of its unit (else NotAllowed)."""
    innovation = await find_visible(session, user=reviewer, innovation_id=innovation_id)
    if innovation is None or innovation.status != Status.TERVERIFIKASI:
        raise NotAllowed("not verified")
    if not await can_review(session, reviewer, innovation):
        raise NotAllowed("not a reviewer of this unit")
    waiting = await document_checks.waiting(session, innovation.id)
    if not waiting:
        raise NotAllowed("nothing waits")
    return innovation, waiting


async def accept_changes(
    session: AsyncSession, *, reviewer: User, innovation_id: int, seen: datetime, now: datetime
) -> tuple[Innovation, int]:
    """Accept what the owner changed in a verified innovation's indicators and proposal up to
    ``seen`` (what the reviewer was shown); return it and how many answers and sections. A
    request to fix what was accepted is withdrawn."""
    innovation, _ = await changes_for_review(
        session, reviewer=reviewer, innovation_id=innovation_id
    )
    count, still = await document_checks.stamp(session, innovation.id, now=now, upto=seen)
    if not count:
        raise NotAllowed("nothing waits that the reviewer saw")
    flags = still.flags()
    innovation.flagged_fields = [f for f in innovation.flagged_fields or [] if f in flags]
    return innovation, count


def return_for_changes(
    session: AsyncSession,
    innovation: Innovation,
    *,
    reviewer: User,
    comment: str,
    fields: Sequence[str],
    now: datetime,
) -> None:
    """Send a submitted innovation back to its owner with a comment and flagged fields."""
    event = record_event(
        session,
        innovation,
        actor=reviewer,
        to_status=Status.DIKEMBALIKAN,
        now=now,
        comment=comment,
    )
    event.data = {"fields": list(fields), "snapshot": snapshot_of(innovation)}
    innovation.flagged_fields = list(fields)


def stop(
    session: AsyncSession, innovation: Innovation, *, actor: User | None, reason: str, now: datetime
) -> None:
    """Stop an innovation (dihentikan), with the reason in the audit trail."""
    if innovation.status == Status.DIHENTIKAN:
        raise NotAllowed("already stopped")
    record_event(
        session, innovation, actor=actor, to_status=Status.DIHENTIKAN, now=now, comment=reason
    )
