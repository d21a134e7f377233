"""Which Telegram updates have been handled: each update changes the database once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import HandledUpdate


async def first_delivery(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """Record the update as handled in this transaction; False if it already was."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(HandledUpdate)
        .values(update_id=update_id, at=now)
        .on_conflict_do_nothing()
        .returning(HandledUpdate.update_id)
    )
    return (await session.execute(stmt)).first() is not None


async def forget_before(session: AsyncSession, *, before: datetime) -> int:
    """Drop records older than ``before`` (Telegram keeps updates for a day at most)."""
    result = await session.execute(delete(HandledUpdate).where(HandledUpdate.at < before))
    return int(getattr(result, "rowcount", 0) or 0)
