"""Who sees which innovation, the review queue, and the review decisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from models.services.innovations import record_event, snapshot_of
from models.services.paging import Page, paginate
from models.tables import Innovation, Role, Status, User


class NotAllowed(Exception):
    """The user may not do this to this innovation (or it is no longer in that state)."""


def visible_to(user: User) -> ColumnElement[bool]:
    """Return the filter of innovations ``user`` may see: own; the unit's; or all."""
    own = Innovation.owner_id == user.id
    submitted = Innovation.status != Status.DRAF
    if user.role == Role.ADMIN:
        return or_(own, submitted)
    if user.role == Role.VERIFIKATOR and user.unit_id is not None:
        return or_(own, and_(Innovation.unit_id == user.unit_id, submitted))
    return own


def can_review(user: User, innovation: Innovation) -> bool:
    """Whether ``user`` reviews ``innovation``'s unit."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.VERIFIKATOR and user.unit_id == innovation.unit_id


async def find_visible(
    session: AsyncSession, *, user: User, code: str | None = None, innovation_id: int | None = None
) -> Innovation | None:
    """Return an innovation by code or id if ``user`` may see it; None otherwise."""
    stmt = select(Innovation).where(visible_to(user))
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
        .where(visible_to(user))
        .order_by(Innovation.updated_at.desc(), Innovation.id.desc())
    )
    return await paginate(session, stmt, page=page, per_page=per_page)


async def queue(
    session: AsyncSession, *, reviewer: User, page: int, per_page: int
) -> Page[Innovation]:
    """Return the submitted innovations ``reviewer`` must review, oldest first."""
    scope: ColumnElement[bool] = true()
    if reviewer.role != Role.ADMIN:
        if reviewer.role != Role.VERIFIKATOR or reviewer.unit_id is None:
            return Page([], 0, 1, 0)
        scope = Innovation.unit_id == reviewer.unit_id
    stmt = (
        select(Innovation)
        .where(Innovation.status == Status.DIAJUKAN, scope)
        .order_by(Innovation.submitted_at, Innovation.id)
    )
    return await paginate(session, stmt, page=page, per_page=per_page)


async def lock_for_review(
    session: AsyncSession, *, reviewer: User, innovation_id: int
) -> Innovation:
    """Load a submitted innovation for a decision, refusing if not allowed or not submitted."""
    stmt = select(Innovation).where(Innovation.id == innovation_id).with_for_update(of=Innovation)
    innovation = (await session.execute(stmt)).unique().scalar_one_or_none()
    if innovation is None or innovation.status != Status.DIAJUKAN:
        raise NotAllowed("not submitted")
    if not can_review(reviewer, innovation):
        raise NotAllowed("not a reviewer of this unit")
    return innovation


def verify(session: AsyncSession, innovation: Innovation, *, reviewer: User, now: datetime) -> None:
    """Mark a submitted innovation verified."""
    record_event(session, innovation, actor=reviewer, to_status=Status.TERVERIFIKASI, now=now)


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
