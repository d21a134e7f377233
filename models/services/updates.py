"""Telegram updates on their way through the bot: kept in an inbox from the moment they are
fetched until handled, and recorded as handled in the same transaction as their effects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import HandledUpdate, InboxUpdate

# Written as SQL that SQLite (3.35+) and PostgreSQL both accept: SQLAlchemy cannot cache the
# compiled form of its dialect-specific INSERT ... ON CONFLICT, and these run on every update.
_REMEMBER = text(
    "INSERT INTO inbox_updates (update_id, payload, received_at) "
    "VALUES (:update_id, :payload, :received_at) ON CONFLICT DO NOTHING"
).bindparams(
    bindparam("payload", type_=InboxUpdate.__table__.c.payload.type),
    bindparam("received_at", type_=InboxUpdate.__table__.c.received_at.type),
)
_FIRST_DELIVERY = (
    text(
        "INSERT INTO handled_updates (update_id, at) VALUES (:update_id, :at) "
        "ON CONFLICT DO NOTHING RETURNING update_id"
    )
    .bindparams(bindparam("at", type_=HandledUpdate.__table__.c.at.type))
    .columns(HandledUpdate.__table__.c.update_id)
)


async def remember(
    session: AsyncSession, *, updates: Sequence[tuple[int, dict[str, Any]]], now: datetime
) -> None:
    """Keep fetched updates (id, JSON) until they are handled."""
    if not updates:
        return
    rows = [{"update_id": i, "payload": p, "received_at": now} for i, p in updates]
    await session.execute(_REMEMBER, rows)


async def forget(session: AsyncSession, *, update_ids: Sequence[int]) -> None:
    """Take finished updates out of the inbox."""
    if update_ids:
        await session.execute(delete(InboxUpdate).where(InboxUpdate.update_id.in_(update_ids)))


async def unfinished(session: AsyncSession) -> list[dict[str, Any]]:
    """Return the kept updates an earlier process did not finish, oldest first (some may have
    been handled but not answered: the handled record tells them apart)."""
    stmt = select(InboxUpdate.payload).order_by(InboxUpdate.update_id)
    return list((await session.execute(stmt)).scalars())


async def first_delivery(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """Record the update as handled in this transaction; False if it already was."""
    result = await session.execute(_FIRST_DELIVERY, {"update_id": update_id, "at": now})
    return result.first() is not None


async def forget_before(session: AsyncSession, *, before: datetime) -> None:
    """Drop records older than ``before`` (Telegram keeps updates for a day at most)."""
    await session.execute(delete(HandledUpdate).where(HandledUpdate.at < before))
    await session.execute(delete(InboxUpdate).where(InboxUpdate.received_at < before))
