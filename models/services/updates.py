"""Telegram updates on their way through the bot: kept in an inbox from the moment they are
fetched until handled, and recorded as handled in the same transaction as their effects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.db import dialect_insert
from models.tables import HandledUpdate, InboxUpdate


async def remember(
    session: AsyncSession, *, updates: Sequence[tuple[int, dict[str, Any]]], now: datetime
) -> None:
    """Keep fetched updates (id, JSON) until they are handled."""
    if not updates:
        return
    rows = [{"update_id": i, "payload": p, "received_at": now} for i, p in updates]
    await session.execute(
        dialect_insert(session, InboxUpdate).values(rows).on_conflict_do_nothing()
    )


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
    stmt = (
        dialect_insert(session, HandledUpdate)
        .values(update_id=update_id, at=now)
        .on_conflict_do_nothing()
        .returning(HandledUpdate.update_id)
    )
    return (await session.execute(stmt)).first() is not None


async def forget_before(session: AsyncSession, *, before: datetime) -> None:
    """Drop records older than ``before`` (Telegram keeps updates for a day at most)."""
    await session.execute(delete(HandledUpdate).where(HandledUpdate.at < before))
    await session.execute(delete(InboxUpdate).where(InboxUpdate.received_at < before))
