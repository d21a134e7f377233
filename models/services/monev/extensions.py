"""More time for the owner: snoozing a reminder, asking for an extension and deciding it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.policy import Policy
from models.services import review
from models.services.monev._common import (
    MonevError,
    _insert_ignore,
    _plan_owner_reminders,
    _reminder_row,
)
from models.services.monev.deadlines import _owned_open_deadline, still_needed
from models.tables import (
    Deadline,
    ExtensionRequest,
    Innovation,
    Reminder,
    ReminderRole,
    ReminderStatus,
    User,
)


async def snooze(
    session: AsyncSession, *, reminder_id: int, user: User, now: datetime, policy: Policy
) -> datetime:
    """Remind the owner again on the next working day; return when."""
    reminder = await session.get(Reminder, reminder_id)
    if reminder is None or reminder.recipient_id != user.id:
        raise MonevError("not_allowed")
    deadline = await _owned_open_deadline(session, reminder.deadline_id, user)
    when = policy.next_working_day_window(now)
    offset = (policy.local_date(when) - deadline.due_date).days
    row = _reminder_row(
        deadline_id=deadline.id,
        revision=deadline.revision,
        offset=offset,
        recipient_id=user.id,
        role=ReminderRole.OWNER,
        send_after=when,
        now=now,
    )
    await _insert_ignore(session, Reminder, [row])
    return when


async def request_extension(
    session: AsyncSession, *, deadline_id: int, user: User, days: int, now: datetime
) -> ExtensionRequest:
    """Ask the unit's verifikator to move a deadline by ``days``."""
    deadline = await _owned_open_deadline(session, deadline_id, user)
    pending = await session.execute(
        select(ExtensionRequest.id).where(
            ExtensionRequest.deadline_id == deadline.id,
            ExtensionRequest.revision == deadline.revision,
            ExtensionRequest.status == "pending",
        )
    )
    if pending.first() is not None:
        raise MonevError("pending")
    request = ExtensionRequest(
        deadline_id=deadline.id,
        revision=deadline.revision,
        requested_by=user.id,
        days=days,
        old_due_date=deadline.due_date,
        status="pending",
        requested_at=now,
    )
    session.add(request)
    await session.flush()
    return request


async def may_decide(session: AsyncSession, user: User, innovation: Innovation) -> bool:
    """Whether ``user`` decides extensions for the innovation: whoever reviews its unit (a
    verifikator of it or of a unit above, an admin), never the owner."""
    if user.id == innovation.owner_id:
        return False
    return await review.can_review(session, user, innovation)


async def move_deadline(
    session: AsyncSession, deadline: Deadline, *, new_due: date, now: datetime, policy: Policy
) -> None:
    """Move a deadline: the unsent reminders stop, the new date's reminders are planned."""
    await session.execute(
        update(Reminder)
        .where(
            Reminder.deadline_id == deadline.id,
            Reminder.status.in_((ReminderStatus.PENDING, ReminderStatus.CLAIMED)),
        )
        .values(status=ReminderStatus.CANCELLED, claimed_by=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    deadline.due_date = new_due
    deadline.revision += 1
    await session.flush()
    await _plan_owner_reminders(
        session,
        deadline_id=deadline.id,
        revision=deadline.revision,
        due=new_due,
        owner_id=deadline.innovation.owner_id,
        policy=policy,
        now=now,
        only_future=True,
    )


async def decide_extension(
    session: AsyncSession,
    *,
    request_id: int,
    reviewer: User,
    approve: bool,
    now: datetime,
    policy: Policy,
) -> ExtensionRequest:
    """Approve (moving the deadline) or refuse an extension request."""
    stmt = (
        select(ExtensionRequest)
        .where(ExtensionRequest.id == request_id)
        .with_for_update(of=ExtensionRequest)
    )
    request = (await session.execute(stmt)).unique().scalar_one_or_none()
    if request is None:
        raise MonevError("closed")
    deadline = request.deadline
    if not await may_decide(session, reviewer, deadline.innovation):
        raise MonevError("not_allowed")
    if request.status != "pending":
        raise MonevError("decided")
    if deadline.revision != request.revision or not still_needed(deadline):
        request.status = "obsolete"
        raise MonevError("closed")
    request.decided_by = reviewer.id
    request.decided_at = now
    if approve:
        request.status = "approved"
        request.new_due_date = deadline.due_date + timedelta(days=request.days)
        await move_deadline(session, deadline, new_due=request.new_due_date, now=now, policy=policy)
    else:
        request.status = "refused"
    await session.flush()
    return request
