"""Monev periods, evaluation campaigns, deadlines and their reminders (design section 6).

A deadline is a row (a monev period of a verified innovation, or one innovation's share of an
admin's campaign). Its reminders are rows too, unique per (deadline, revision, offset,
recipient): planned when the deadline is made, claimed atomically by the sweep, marked sent
once delivered. Moving a deadline bumps its revision and plans a fresh set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.db import dialect_insert
from models.policy import Period, Policy
from models.profile import Completeness
from models.services import people, review, units, users
from models.services.files import EvidenceFile
from models.services.innovations import EDITABLE, profile_completeness, record_event
from models.tables import (
    Campaign,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    ExtensionRequest,
    Innovation,
    MonevEvidence,
    MonevReport,
    Reminder,
    ReminderRole,
    ReminderStatus,
    Status,
    Unit,
    User,
)

MONEV_STATUSES = ("berjalan", "dikembangkan", "direplikasi", "terkendala", "dihentikan")
STOPPED = "dihentikan"
CAMPAIGN_SCOPES = ("incomplete", "all")
SUBMITTED = (Status.DIAJUKAN, Status.TERVERIFIKASI)


class MonevError(Exception):
    """A monev action cannot be done; ``reason`` names why (closed, not_allowed, pending,
    decided)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- plumbing ---------------------------------------------------------------------------------


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


async def _insert_ignore(session: AsyncSession, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows (one batched statement), leaving alone those whose unique key exists."""
    if rows:
        stmt = dialect_insert(session, table.__table__).on_conflict_do_nothing()
        await session.execute(stmt, list(rows))


def _reminder_row(
    *,
    deadline_id: int,
    revision: int,
    offset: int,
    recipient_id: int,
    role: str,
    send_after: datetime,
    now: datetime,
) -> dict[str, Any]:
    return {
        "deadline_id": deadline_id,
        "revision": revision,
        "offset_days": offset,
        "recipient_id": recipient_id,
        "role": role,
        "send_after": send_after,
        "status": ReminderStatus.PENDING,
        "attempts": 0,
        "created_at": now,
    }


async def _create_deadline(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    innovation_id: int,
    due: date,
    now: datetime,
    campaign_id: int | None = None,
    period: Period | None = None,
) -> int | None:
    """Insert a deadline unless its key exists; return the new id or None."""
    values = {
        "key": key,
        "kind": kind,
        "innovation_id": innovation_id,
        "campaign_id": campaign_id,
        "period_start": period.start if period else None,
        "period_end": period.end if period else None,
        "due_date": due,
        "original_due_date": due,
        "revision": 1,
        "status": DeadlineStatus.OPEN,
        "created_at": now,
    }
    stmt = (
        dialect_insert(session, Deadline)
        .values(values)
        .on_conflict_do_nothing()
        .returning(Deadline.__table__.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def _plan_owner_reminders(
    session: AsyncSession,
    *,
    deadline_id: int,
    revision: int,
    due: date,
    owner_id: int,
    policy: Policy,
    now: datetime,
    only_future: bool = False,
) -> int:
    """Plan the owner's reminders of one deadline revision; return how many."""
    rows = [
        _reminder_row(
            deadline_id=deadline_id,
            revision=revision,
            offset=offset,
            recipient_id=owner_id,
            role=ReminderRole.OWNER,
            send_after=when,
            now=now,
        )
        for offset, when in policy.reminder_times(due).items()
        if not only_future or when > now
    ]
    await _insert_ignore(session, Reminder, rows)
    return len(rows)


# -- monev periods ----------------------------------------------------------------------------


def monev_key(innovation_id: int, period: Period) -> str:
    """Return the permanent key of an innovation's monev period."""
    return f"monev:{innovation_id}:{period.start.isoformat()}"


async def open_periods(
    session: AsyncSession,
    innovations: Sequence[tuple[int, int]],
    *,
    period: Period,
    policy: Policy,
    now: datetime,
) -> int:
    """Open one monev period for each (innovation id, owner id), with the owners' reminders;
    periods that exist already are left alone. Return how many were opened."""
    if not innovations:
        return 0
    owners = dict(innovations)
    due = policy.due_date(period)
    values = [
        {
            "key": monev_key(innovation_id, period),
            "kind": DeadlineKind.MONEV,
            "innovation_id": innovation_id,
            "campaign_id": None,
            "period_start": period.start,
            "period_end": period.end,
            "due_date": due,
            "original_due_date": due,
            "revision": 1,
            "status": DeadlineStatus.OPEN,
            "created_at": now,
        }
        for innovation_id, _owner in innovations
    ]
    table = Deadline.__table__
    stmt = (
        dialect_insert(session, table)
        .on_conflict_do_nothing()
        .returning(table.c.id, table.c.innovation_id)
    )
    result = await session.execute(stmt, values)
    opened = [(row[0], row[1]) for row in result.all()]
    times = policy.reminder_times(due)
    rows = [
        _reminder_row(
            deadline_id=deadline_id,
            revision=1,
            offset=offset,
            recipient_id=owners[innovation_id],
            role=ReminderRole.OWNER,
            send_after=when,
            now=now,
        )
        for deadline_id, innovation_id in opened
        for offset, when in times.items()
    ]
    await _insert_ignore(session, Reminder, rows)
    return len(opened)


async def open_monev_periods(
    session: AsyncSession, innovation: Innovation, *, now: datetime, policy: Policy
) -> None:
    """Open the monev calendar of an innovation that has just been verified: the current
    period, due (by default) on the 10th day after it ends, with its reminders planned."""
    period = policy.period_of(policy.local_date(now))
    await open_periods(
        session, [(innovation.id, innovation.owner_id)], period=period, policy=policy, now=now
    )


async def ensure_monev_periods(session: AsyncSession, *, now: datetime, policy: Policy) -> int:
    """Open the current period of every verified innovation that lacks it (a new quarter
    began); return how many were opened."""
    period = policy.period_of(policy.local_date(now))
    has_period = (
        select(Deadline.id)
        .where(
            Deadline.innovation_id == Innovation.id,
            Deadline.kind == DeadlineKind.MONEV,
            Deadline.period_start == period.start,
        )
        .exists()
    )
    stmt = select(Innovation.id, Innovation.owner_id).where(
        Innovation.status == Status.TERVERIFIKASI, ~has_period
    )
    found = [(row[0], row[1]) for row in (await session.execute(stmt)).all()]
    return await open_periods(session, found, period=period, policy=policy, now=now)


def period_of_deadline(deadline: Deadline) -> Period | None:
    """Return the monev period a deadline covers (None for campaigns)."""
    if deadline.period_start is None or deadline.period_end is None:
        return None
    months = (
        (deadline.period_end.year - deadline.period_start.year) * 12
        + deadline.period_end.month
        - deadline.period_start.month
        + 1
    )
    return Period(deadline.period_start, deadline.period_end, months)


# -- what a deadline still needs --------------------------------------------------------------


def campaign_concerns(innovation: Innovation, scope: str) -> bool:
    """Whether a campaign of ``scope`` concerns the innovation (drafts and incomplete profiles
    by default; ``all``: every innovation that is not stopped)."""
    if innovation.status == Status.DIHENTIKAN:
        return False
    if scope == "all":
        return True
    return innovation.status in EDITABLE or not profile_completeness(innovation).complete


def campaign_satisfied(innovation: Innovation) -> bool:
    """Whether the innovation meets a campaign: submitted (or verified) with a complete profile."""
    return innovation.status in SUBMITTED and profile_completeness(innovation).complete


def missing_of(deadline: Deadline) -> Completeness:
    """Return what the innovation's profile still lacks (for campaign reminders)."""
    return profile_completeness(deadline.innovation)


def still_needed(deadline: Deadline) -> bool:
    """Whether a deadline still asks something of its owner."""
    if deadline.status != DeadlineStatus.OPEN:
        return False
    innovation = deadline.innovation
    if innovation.status == Status.DIHENTIKAN:
        return False
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


# -- who is told ------------------------------------------------------------------------------


async def verifiers_of_unit(
    session: AsyncSession, unit_id: int | None, *, exclude: int | None = None
) -> list[User]:
    """Return the verifikators (not erased, without ``exclude``) nearest to a unit: its own,
    else those of its parent, and so on up (a verifikator reviews the units below theirs)."""
    if unit_id is None:
        return []
    for covering in await units.with_ancestors(session, unit_id):
        found = [u for u in await people.verifiers_of(session, covering) if u.id != exclude]
        if found:
            return found
    return []


async def admin_users(session: AsyncSession, *, exclude: int | None = None) -> list[User]:
    """Return every admin (not erased), without ``exclude``."""
    return [u for u in await people.admins(session) if u.id != exclude]


@dataclass(frozen=True)
class Recipients:
    """Who gets one notice, and why them.

    ``kind`` is "reviewer" (the one who asked for it: returned the innovation), "verifiers"
    (the verifikators of ``unit``), "admins" (``unit`` has no verifikator the bot can reach,
    or the notice is for the admins) or "nobody".
    """

    kind: str
    users: tuple[User, ...]
    unit: Unit | None


def _reachable(user: User) -> bool:
    return user.telegram_id is not None and not user.unreachable


async def notice_recipients(
    session: AsyncSession,
    *,
    unit_id: int | None,
    exclude: int | None = None,
    reviewer_id: int | None = None,
) -> Recipients:
    """Return who is told about a unit's work: ``reviewer_id`` while that person still
    reviews the unit, else the unit's verifikators, else the admins (only the admins when
    ``unit_id`` is None); never ``exclude``, never someone the bot cannot write to."""
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    verifiers = [
        u for u in await verifiers_of_unit(session, unit_id, exclude=exclude) if _reachable(u)
    ]
    reviewer = next((u for u in verifiers if u.id == reviewer_id), None)
    admins: list[User] = []
    if reviewer is None and (not verifiers or reviewer_id is not None):
        # the admins are needed only when nobody else is there, or the reviewer was one
        admins = [u for u in await admin_users(session, exclude=exclude) if _reachable(u)]
        reviewer = next((u for u in admins if u.id == reviewer_id), None)
    if reviewer is not None:
        return Recipients("reviewer", (reviewer,), unit)
    if verifiers:
        own = await session.get(Unit, verifiers[0].unit_id) if verifiers[0].unit_id else None
        return Recipients("verifiers", tuple(verifiers), own or unit)
    return Recipients("admins" if admins else "nobody", tuple(admins), unit)


async def _escalation_targets(
    session: AsyncSession, innovation: Innovation, role: str
) -> list[tuple[User, str]]:
    owner = innovation.owner_id
    if role == ReminderRole.VERIFIER:
        verifiers = await verifiers_of_unit(session, innovation.unit_id, exclude=owner)
        if verifiers:
            return [(u, ReminderRole.VERIFIER) for u in verifiers]
    return [(u, ReminderRole.ADMIN) for u in await admin_users(session, exclude=owner)]


async def _plan_escalations(
    session: AsyncSession,
    deadline: Deadline,
    *,
    revision: int,
    offset: int,
    roles: Iterable[str],
    send_after: datetime,
    now: datetime,
) -> None:
    rows: list[dict[str, Any]] = []
    for role in roles:
        for user, as_role in await _escalation_targets(session, deadline.innovation, role):
            rows.append(
                _reminder_row(
                    deadline_id=deadline.id,
                    revision=revision,
                    offset=offset,
                    recipient_id=user.id,
                    role=as_role,
                    send_after=send_after,
                    now=now,
                )
            )
    await _insert_ignore(session, Reminder, rows)


# -- the sweep's side: claim, mark ------------------------------------------------------------


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
    reminder.attempts += 1
    reminder.error = error[:200]
    reminder.claimed_by = None
    reminder.claimed_until = None
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
            return True
    elif reminder.role == ReminderRole.VERIFIER:
        roles = (ReminderRole.ADMIN,)
    else:
        return True
    await _plan_escalations(
        session,
        reminder.deadline,
        revision=reminder.revision,
        offset=reminder.offset_days,
        roles=roles,
        send_after=now,
        now=now,
    )
    return True


# -- the owner's side: snooze, extension, report ----------------------------------------------


async def _owned_open_deadline(session: AsyncSession, deadline_id: int, user: User) -> Deadline:
    deadline = await session.get(Deadline, deadline_id)
    if deadline is None or deadline.innovation.owner_id != user.id:
        raise MonevError("not_allowed")
    if not still_needed(deadline):
        raise MonevError("closed")
    return deadline


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


async def open_deadline_of(session: AsyncSession, *, deadline_id: int, user: User) -> Deadline:
    """Return a deadline the user owns and still has to meet (or raise MonevError)."""
    return await _owned_open_deadline(session, deadline_id, user)


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


# -- campaigns --------------------------------------------------------------------------------


async def create_campaign(
    session: AsyncSession,
    *,
    name: str,
    due_date: date,
    scope: str,
    actor: User,
    now: datetime,
    policy: Policy,
) -> tuple[Campaign, int]:
    """Set an evaluation deadline for the innovations it concerns; return it and how many."""
    if scope not in CAMPAIGN_SCOPES:
        raise ValueError(scope)
    campaign = Campaign(
        name=name, due_date=due_date, scope=scope, created_by=actor.id, created_at=now
    )
    session.add(campaign)
    await session.flush()
    innovations = (
        await session.execute(
            select(Innovation).where(Innovation.status != Status.DIHENTIKAN).order_by(Innovation.id)
        )
    ).scalars()
    count = 0
    for innovation in innovations:
        if not campaign_concerns(innovation, scope):
            continue
        deadline_id = await _create_deadline(
            session,
            key=f"campaign:{campaign.id}:{innovation.id}",
            kind=DeadlineKind.CAMPAIGN,
            innovation_id=innovation.id,
            campaign_id=campaign.id,
            due=due_date,
            now=now,
        )
        if deadline_id is None:
            continue
        count += 1
        await _plan_owner_reminders(
            session,
            deadline_id=deadline_id,
            revision=1,
            due=due_date,
            owner_id=innovation.owner_id,
            policy=policy,
            now=now,
        )
    return campaign, count


@dataclass(frozen=True)
class CampaignSummary:
    """A campaign with how many innovations it concerns and how many have met it."""

    campaign: Campaign
    total: int
    done: int


async def list_campaigns(session: AsyncSession, *, since: date) -> list[CampaignSummary]:
    """Return the campaigns not cancelled and due on or after ``since``, soonest first."""
    campaigns = (
        await session.execute(
            select(Campaign)
            .where(Campaign.cancelled_at.is_(None), Campaign.due_date >= since)
            .order_by(Campaign.due_date, Campaign.id)
        )
    ).scalars()
    out = []
    for campaign in campaigns:
        deadlines = (
            (await session.execute(select(Deadline).where(Deadline.campaign_id == campaign.id)))
            .unique()
            .scalars()
        )
        total = done = 0
        for deadline in deadlines:
            if deadline.status == DeadlineStatus.CANCELLED:
                continue
            total += 1
            done += deadline.status == DeadlineStatus.DONE or not still_needed(deadline)
        out.append(CampaignSummary(campaign, total, done))
    return out


async def cancel_campaign(
    session: AsyncSession, *, campaign_id: int, actor: User, now: datetime
) -> Campaign:
    """Cancel a campaign: its deadlines close and their reminders stop."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or campaign.cancelled_at is not None:
        raise MonevError("closed")
    campaign.cancelled_at = now
    campaign.cancelled_by = actor.id
    deadlines = await session.execute(
        select(Deadline).where(
            Deadline.campaign_id == campaign.id, Deadline.status == DeadlineStatus.OPEN
        )
    )
    for deadline in deadlines.unique().scalars():
        await close_deadline(session, deadline, status=DeadlineStatus.CANCELLED, now=now)
    await session.flush()
    return campaign


async def get_campaign(session: AsyncSession, campaign_id: int) -> Campaign | None:
    """Return one campaign."""
    return await session.get(Campaign, campaign_id)


# -- schedules (/jadwal) ----------------------------------------------------------------------


async def open_deadlines(
    session: AsyncSession, *, owner_id: int | None = None, unit_id: int | None = None
) -> list[Deadline]:
    """Return the open deadlines that still ask something, of an owner or of the innovations
    of a unit and the units below it, soonest due first."""
    stmt = (
        select(Deadline)
        .join(Innovation, Innovation.id == Deadline.innovation_id)
        .where(Deadline.status == DeadlineStatus.OPEN)
        .order_by(Deadline.due_date, Deadline.id)
    )
    if owner_id is not None:
        stmt = stmt.where(Innovation.owner_id == owner_id)
    if unit_id is not None:
        stmt = stmt.where(Innovation.unit_id.in_(await units.with_descendants(session, unit_id)))
    rows = (await session.execute(stmt)).unique().scalars()
    return [d for d in rows if still_needed(d)]


async def overdue_by_unit(session: AsyncSession, *, today: date) -> list[tuple[str, int]]:
    """Return (unit name, overdue deadlines) for every unit with any, most overdue first."""
    stmt = (
        select(Deadline)
        .where(Deadline.status == DeadlineStatus.OPEN, Deadline.due_date < today)
        .order_by(Deadline.id)
    )
    counts: dict[int | None, int] = {}
    for deadline in (await session.execute(stmt)).unique().scalars():
        if still_needed(deadline):
            unit = deadline.innovation.unit_id
            counts[unit] = counts.get(unit, 0) + 1
    ids = [u for u in counts if u is not None]
    names: dict[int | None, str] = {None: ""}
    if ids:
        rows = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
        names.update({uid: name for uid, name in rows.all()})
    result = [(names.get(unit, ""), count) for unit, count in counts.items()]
    return sorted(result, key=lambda item: (-item[1], item[0]))


async def next_deadline(session: AsyncSession, *, innovation_id: int) -> Deadline | None:
    """Return the innovation's soonest open deadline that still asks something."""
    stmt = (
        select(Deadline)
        .where(Deadline.innovation_id == innovation_id, Deadline.status == DeadlineStatus.OPEN)
        .order_by(Deadline.due_date, Deadline.id)
    )
    rows = (await session.execute(stmt)).unique().scalars()
    return next((d for d in rows if still_needed(d)), None)
