"""What a deadline still asks of its owner, and closing one that is met, cancelled or moot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from models.profile import Completeness
from models.services.innovations import profile_completeness
from models.services.monev._common import INDICATORS, MonevError
from models.tables import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    ExtensionRequest,
    Innovation,
    Reminder,
    ReminderStatus,
    Status,
    User,
)

SUBMITTED = (Status.DIAJUKAN, Status.TERVERIFIKASI)


def campaign_satisfied(innovation: Innovation) -> bool:
    """Whether the innovation meets a campaign: submitted (or verified) with a complete profile."""
    return innovation.status in SUBMITTED and profile_completeness(innovation).complete


def missing_of(deadline: Deadline) -> Completeness:
    """Return what the innovation's profile still lacks (for campaign reminders)."""
    return profile_completeness(deadline.innovation)


def is_indicator_campaign(deadline: Deadline) -> bool:
    """Whether the deadline asks for the mandatory IID indicators, not the profile."""
    return deadline.campaign is not None and deadline.campaign.scope == INDICATORS


def still_needed(deadline: Deadline) -> bool:
    """Whether a deadline still asks something of its owner."""
    if deadline.status != DeadlineStatus.OPEN:
        return False
    innovation = deadline.innovation
    if innovation.status == Status.DIHENTIKAN:
        return False
    if deadline.kind == DeadlineKind.CAMPAIGN and is_indicator_campaign(deadline):
        return True  # closed when the indicators are completed (campaigns.settle_indicators)
    if deadline.kind == DeadlineKind.CAMPAIGN:
        return not campaign_satisfied(innovation)
    return innovation.status == Status.TERVERIFIKASI


async def close_deadline(
    session: AsyncSession, deadline: Deadline, *, status: str, now: datetime
) -> None:
    """Close a deadline (done or cancelled): its unsent reminders and open requests stop."""
    deadline.status = status
    deadline.closed_at = now
    await session.execute(
        update(Reminder)
        .where(
            Reminder.deadline_id == deadline.id,
            Reminder.status.in_((ReminderStatus.PENDING, ReminderStatus.CLAIMED)),
        )
        .values(status=ReminderStatus.CANCELLED, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.deadline_id == deadline.id, ExtensionRequest.status == "pending")
        .values(status="obsolete")
        .execution_options(synchronize_session=False)
    )


async def settle_if_not_needed(session: AsyncSession, deadline: Deadline, *, now: datetime) -> bool:
    """Close a deadline that no longer asks anything (profile completed, innovation stopped);
    return whether it was closed."""
    if deadline.status != DeadlineStatus.OPEN or still_needed(deadline):
        return False
    stopped = deadline.innovation.status == Status.DIHENTIKAN
    done = deadline.kind == DeadlineKind.CAMPAIGN and not stopped
    status = DeadlineStatus.DONE if done else DeadlineStatus.CANCELLED
    await close_deadline(session, deadline, status=status, now=now)
    return True


async def _owned_open_deadline(session: AsyncSession, deadline_id: int, user: User) -> Deadline:
    deadline = await session.get(Deadline, deadline_id)
    if deadline is None or deadline.innovation.owner_id != user.id:
        raise MonevError("not_allowed")
    if not still_needed(deadline):
        raise MonevError("closed")
    return deadline


async def open_deadline_of(session: AsyncSession, *, deadline_id: int, user: User) -> Deadline:
    """Return a deadline the user owns and still has to meet (or raise MonevError)."""
    return await _owned_open_deadline(session, deadline_id, user)
