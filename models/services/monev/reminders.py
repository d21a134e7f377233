"""The sweep's side of reminders: claiming the due ones atomically and marking how each ended."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.policy import Policy
from models.services import users
from models.services.monev.escalation import _plan_escalations
from models.tables import (
    Deadline,
    DeadlineStatus,
    Reminder,
    ReminderRole,
    ReminderStatus,
)


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


@dataclass(frozen=True)
class Claim:
    """What one claim took: the reminders to send, and how many were superseded."""

    ids: list[int]
    skipped: int

    @property
    def claimed(self) -> int:
        """Return how many rows the claim took in all."""
        return len(self.ids) + self.skipped


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    token: str,
    until: datetime,
    limit: int,
    policy: Policy,
) -> Claim:
    """Claim up to ``limit`` due reminders for ``token`` until ``until``; return what it took.

    Due means pending and past its send time, or claimed by a process whose claim expired.
    The claim is one atomic statement (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
    conditional ``UPDATE ... RETURNING`` on SQLite). Of the claimed rows, a reminder that a
    later one of the same deadline and recipient supersedes is marked skipped (catch-up after
    downtime sends the latest only); an owner reminder that calls for escalation plans the
    verifier's and admins' rows.
    """
    picked = aliased(Reminder)
    deadline_open = (
        select(Deadline.id)
        .where(
            Deadline.id == picked.deadline_id,
            Deadline.status == DeadlineStatus.OPEN,
            Deadline.revision == picked.revision,
        )
        .exists()
    )

    def pick(condition: Any, room: int) -> Any:
        stmt = (
            select(picked.id)
            .where(condition, deadline_open)
            .order_by(picked.send_after, picked.id)
            .limit(room)
        )
        return stmt.with_for_update(skip_locked=True) if _is_postgres(session) else stmt

    # Two claims, each served by the (status, send_after) index. One OR would scan the
    # table: a condition on status, or on two IN subqueries joined by OR, which PostgreSQL
    # answered by reading every reminder row (60 ms at a million rows, docs/benchmarks.md).
    due = (
        and_(picked.status == ReminderStatus.PENDING, picked.send_after <= now),
        and_(picked.status == ReminderStatus.CLAIMED, picked.claimed_until < now),
    )
    ids: list[int] = []
    for condition in due:
        room = limit - len(ids)
        if room <= 0:
            break
        stmt = (
            update(Reminder)
            .where(Reminder.id.in_(pick(condition, room)))
            .values(status=ReminderStatus.CLAIMED, claimed_by=token, claimed_until=until)
            .returning(Reminder.id)
            .execution_options(synchronize_session=False)
        )
        ids += (await session.execute(stmt)).scalars()
    if not ids:
        return Claim([], 0)
    newer = aliased(Reminder)
    superseded = (
        select(newer.id)
        .where(
            newer.deadline_id == Reminder.deadline_id,
            newer.revision == Reminder.revision,
            newer.recipient_id == Reminder.recipient_id,
            newer.offset_days > Reminder.offset_days,
            newer.send_after <= now,
            newer.status != ReminderStatus.CANCELLED,
        )
        .exists()
    )
    skipped = set(
        (
            await session.execute(
                update(Reminder)
                .where(Reminder.id.in_(ids), superseded)
                .values(status=ReminderStatus.SKIPPED, claimed_by=None, claimed_until=None)
                .returning(Reminder.id)
                .execution_options(synchronize_session=False)
            )
        ).scalars()
    )
    kept = [i for i in ids if i not in skipped]
    owners = await session.execute(
        select(Reminder.revision, Reminder.offset_days, Reminder.send_after, Deadline)
        .join(Deadline, Deadline.id == Reminder.deadline_id)
        .where(Reminder.id.in_(kept), Reminder.role == ReminderRole.OWNER)
    )
    for revision, offset, send_after, deadline in owners.unique().all():
        roles = policy.escalation_roles(offset)
        if roles:
            await _plan_escalations(
                session,
                deadline,
                revision=revision,
                offset=offset,
                roles=roles,
                send_after=send_after,
                now=now,
            )
    return Claim(kept, len(skipped))


async def load_reminders(session: AsyncSession, ids: Sequence[int]) -> list[Reminder]:
    """Return reminders with their deadline, innovation, owner and recipient loaded."""
    if not ids:
        return []
    stmt = select(Reminder).where(Reminder.id.in_(ids)).order_by(Reminder.send_after, Reminder.id)
    return list((await session.execute(stmt)).unique().scalars())


def _held(reminder_id: int, token: str) -> Any:
    return and_(
        Reminder.id == reminder_id,
        Reminder.status == ReminderStatus.CLAIMED,
        Reminder.claimed_by == token,
    )


async def mark_sent(
    session: AsyncSession,
    *,
    reminder_id: int,
    token: str,
    now: datetime,
    message_id: int | None,
    recipient_id: int,
    was_unreachable: bool = False,
) -> bool:
    """Record a delivered reminder (only while ``token`` holds its claim); a recipient marked
    unreachable is reachable again."""
    result = await session.execute(
        update(Reminder)
        .where(_held(reminder_id, token))
        .values(
            status=ReminderStatus.SENT,
            sent_at=now,
            message_id=message_id,
            claimed_until=None,
            error=None,
        )
        .returning(Reminder.id)
        .execution_options(synchronize_session=False)
    )
    if was_unreachable:
        await users.set_reachable(session, recipient_id, reachable=True)
    return result.scalar_one_or_none() is not None


async def mark_finished(
    session: AsyncSession,
    *,
    reminder_id: int,
    token: str,
    status: str,
    error: str | None = None,
) -> bool:
    """Give a claimed reminder its final status (cancelled, failed, skipped)."""
    result = await session.execute(
        update(Reminder)
        .where(_held(reminder_id, token))
        .values(status=status, claimed_until=None, error=(error or "")[:200] or None)
        .returning(Reminder.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none() is not None


async def release_for_retry(
    session: AsyncSession,
    *,
    reminder_id: int,
    token: str,
    retry_at: datetime,
    error: str,
    max_attempts: int,
) -> str:
    """Put a reminder whose delivery failed for a passing reason back in line (or give up
    after ``max_attempts``); return its new status."""
    reminder = await session.get(Reminder, reminder_id)
    if reminder is None or reminder.status != ReminderStatus.CLAIMED:
        return ""
    if reminder.claimed_by != token:
        return ""
    reminder.claimed_by = None
    reminder.claimed_until = None
    return await _back_in_line(session, reminder, retry_at, error, max_attempts)


async def _back_in_line(
    session: AsyncSession, reminder: Reminder, retry_at: datetime, error: str, max_attempts: int
) -> str:
    """Count a failed attempt and wait until ``retry_at`` (or give up after the last)."""
    reminder.attempts += 1
    reminder.error = error[:200]
    if reminder.attempts >= max_attempts:
        reminder.status = ReminderStatus.FAILED
    else:
        reminder.status = ReminderStatus.PENDING
        reminder.send_after = retry_at
    await session.flush()
    return reminder.status


async def mark_unreachable(
    session: AsyncSession, *, reminder_id: int, token: str, now: datetime, error: str
) -> bool:
    """The recipient blocked the bot: mark them unreachable and tell the next person up
    (the owner's verifikator, else the admins; a verifikator's admins), once per deadline."""
    if not await mark_finished(
        session,
        reminder_id=reminder_id,
        token=token,
        status=ReminderStatus.UNREACHABLE,
        error=error,
    ):
        return False
    reminder = await session.get(Reminder, reminder_id)
    assert reminder is not None
    await _escalate_unreachable(session, reminder, now=now)
    return True


async def mark_undelivered(
    session: AsyncSession, *, reminder_id: int, now: datetime, error: str
) -> bool:
    """A reminder handed over as sent was not delivered after all, for good (WhatsApp's
    failed status: the number cannot be reached): as if the recipient had blocked the bot."""
    reminder = await session.get(Reminder, reminder_id)
    if reminder is None or reminder.status != ReminderStatus.SENT:
        return False
    reminder.status = ReminderStatus.UNREACHABLE
    reminder.error = error[:200]
    await _escalate_unreachable(session, reminder, now=now)
    return True


async def requeue_undelivered(
    session: AsyncSession,
    *,
    reminder_id: int,
    retry_at: datetime,
    error: str,
    max_attempts: int,
) -> str:
    """A reminder handed over as sent was not delivered for a passing reason (a rate
    limit): put it back in line, as a failed attempt; return its new status."""
    reminder = await session.get(Reminder, reminder_id)
    if reminder is None or reminder.status != ReminderStatus.SENT:
        return ""
    reminder.sent_at = None
    return await _back_in_line(session, reminder, retry_at, error, max_attempts)


async def _escalate_unreachable(
    session: AsyncSession, reminder: Reminder, *, now: datetime
) -> None:
    """Mark the recipient unreachable and plan the escalation the policy asks for."""
    await users.set_reachable(session, reminder.recipient_id, reachable=False)
    if reminder.role == ReminderRole.OWNER:
        roles: tuple[str, ...] = (ReminderRole.VERIFIER,)
        told = await session.execute(
            select(Reminder.id)
            .where(
                Reminder.deadline_id == reminder.deadline_id,
                Reminder.revision == reminder.revision,
                Reminder.role != ReminderRole.OWNER,
            )
            .limit(1)
        )
        if told.first() is not None:
            return
    elif reminder.role == ReminderRole.VERIFIER:
        roles = (ReminderRole.ADMIN,)
    else:
        return
    await _plan_escalations(
        session,
        reminder.deadline,
        revision=reminder.revision,
        offset=reminder.offset_days,
        roles=roles,
        send_after=now,
        now=now,
    )
