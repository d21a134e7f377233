"""Updates on their way through the bot, whatever the channel: kept in an inbox from the
moment they arrive until handled and answered, claimed one chat at a time by whichever
process is free, and recorded as handled in the same transaction as their effects.

Claiming takes the oldest update of each chat that is not claimed (or whose claim ran out:
its process died), so the updates of one chat are handled one at a time and in arrival
order across every process, and different chats in parallel. On PostgreSQL the claim locks
the rows it takes with ``FOR UPDATE SKIP LOCKED``, so two processes claiming at once never
take the same row; SQLite has one writer at a time (and one process).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import HandledUpdate, InboxUpdate


@dataclass(frozen=True)
class Arrival:
    """An update as it came in: its channel, the platform's id for it, its chat, its JSON."""

    channel: str
    platform_id: str
    chat_key: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Claimed:
    """An update this process now handles; ``attempts`` above 1: taken up again."""

    id: int
    channel: str
    payload: dict[str, Any]
    attempts: int


# Written as SQL that SQLite (3.35+) and PostgreSQL both accept: SQLAlchemy cannot cache the
# compiled form of its dialect-specific INSERT ... ON CONFLICT, and these run on every update.
_KEEP = text(
    "INSERT INTO inbox_updates "
    "(channel, platform_id, chat_key, payload, received_at, attempts) "
    "VALUES (:channel, :platform_id, :chat_key, :payload, :received_at, 0) "
    "ON CONFLICT DO NOTHING"
).bindparams(
    bindparam("payload", type_=InboxUpdate.__table__.c.payload.type),
    bindparam("received_at", type_=InboxUpdate.__table__.c.received_at.type),
)
_FIRST_DELIVERY = (
    text(
        "INSERT INTO handled_updates (channel, update_key, at) VALUES (:channel, :key, :at) "
        "ON CONFLICT DO NOTHING RETURNING update_key"
    )
    .bindparams(bindparam("at", type_=HandledUpdate.__table__.c.at.type))
    .columns(HandledUpdate.__table__.c.update_key)
)
_HEADS = (
    "SELECT i.id FROM inbox_updates i "
    "WHERE (i.claimed_until IS NULL OR i.claimed_until < :now) "
    "AND NOT EXISTS (SELECT 1 FROM inbox_updates j WHERE j.chat_key = i.chat_key AND j.id < i.id) "
    "ORDER BY i.id LIMIT :limit"
)
_CLAIM = (
    "UPDATE inbox_updates SET claimed_by = :worker, claimed_until = :until, "
    "attempts = attempts + 1 WHERE id IN ({heads}) "
    "RETURNING id, channel, payload, attempts"
)
_CLAIM_COLUMNS = (
    InboxUpdate.__table__.c.id,
    InboxUpdate.__table__.c.channel,
    InboxUpdate.__table__.c.payload,
    InboxUpdate.__table__.c.attempts,
)
CLAIM = {
    "postgresql": text(_CLAIM.format(heads=_HEADS + " FOR UPDATE SKIP LOCKED")).columns(
        *_CLAIM_COLUMNS
    ),
    "sqlite": text(_CLAIM.format(heads=_HEADS)).columns(*_CLAIM_COLUMNS),
}


async def keep(session: AsyncSession, *, arrivals: Sequence[Arrival], now: datetime) -> None:
    """Keep arrived updates until handled; one already kept (a platform's retry) is kept once."""
    if not arrivals:
        return
    rows = [
        {
            "channel": a.channel,
            "platform_id": a.platform_id,
            "chat_key": a.chat_key,
            "payload": a.payload,
            "received_at": now,
        }
        for a in arrivals
    ]
    await session.execute(_KEEP, rows)


async def claim(
    session: AsyncSession, *, worker: str, limit: int, wall_now: float, lease: float
) -> list[Claimed]:
    """Claim up to ``limit`` updates, the oldest unclaimed one of each chat whose earlier
    updates are all finished, for ``lease`` seconds (``wall_now``: seconds since the epoch)."""
    if limit <= 0:
        return []
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    stmt = CLAIM["postgresql" if dialect == "postgresql" else "sqlite"]
    params = {"worker": worker, "until": wall_now + lease, "now": wall_now, "limit": limit}
    rows = (await session.execute(stmt, params)).all()
    claimed = [Claimed(r.id, r.channel, r.payload, r.attempts) for r in rows]
    return sorted(claimed, key=lambda c: c.id)


async def renew(session: AsyncSession, *, worker: str, ids: Sequence[int], until: float) -> None:
    """Extend this worker's claim on the updates it is still handling."""
    if ids:
        await session.execute(
            update(InboxUpdate)
            .where(InboxUpdate.id.in_(ids), InboxUpdate.claimed_by == worker)
            .values(claimed_until=until)
        )


async def release(session: AsyncSession, *, worker: str) -> None:
    """Give back this worker's claims (at shutdown, for updates it did not start)."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.claimed_by == worker)
        .values(claimed_by=None, claimed_until=None)
    )


async def release_all(session: AsyncSession) -> None:
    """Give back every claim (at the start of the only process: SQLite)."""
    await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.claimed_by.is_not(None))
        .values(claimed_by=None, claimed_until=None)
    )


async def finish(session: AsyncSession, *, ids: Sequence[int]) -> None:
    """Take handled and answered updates out of the inbox."""
    if ids:
        await session.execute(delete(InboxUpdate).where(InboxUpdate.id.in_(ids)))


async def waiting(session: AsyncSession) -> int:
    """Return how many updates the inbox holds."""
    return int((await session.execute(select(func.count()).select_from(InboxUpdate))).scalar_one())


async def first_delivery(session: AsyncSession, *, channel: str, key: str, now: datetime) -> bool:
    """Record the update as handled in this transaction; False if it already was."""
    result = await session.execute(_FIRST_DELIVERY, {"channel": channel, "key": key, "at": now})
    return result.first() is not None


async def forget_before(session: AsyncSession, *, before: datetime) -> None:
    """Drop handled records older than ``before`` (platforms retry for a day at most)."""
    await session.execute(delete(HandledUpdate).where(HandledUpdate.at < before))
