"""The one-call aiosqlite cursor keeps every DBAPI behaviour SQLAlchemy relies on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from models import db
from models.sqlite import OneCallCursor


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield engine
    await engine.dispose()


async def test_engine_uses_the_one_call_cursor(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection.cursor(), OneCallCursor)  # type: ignore[union-attr]


async def test_rows_rowcount_lastrowid_and_executemany(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        assert inserted.lastrowid == 1
        await conn.execute(text("INSERT INTO t (name) VALUES (:n)"), [{"n": "b"}, {"n": "c"}])
        updated = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 1"))
        assert updated.rowcount == 2
        rows = (await conn.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
        assert [tuple(r) for r in rows] == [(1, "a"), (2, "b!"), (3, "c!")]
        returned = await conn.execute(
            text("INSERT INTO t (name) VALUES ('d') ON CONFLICT DO NOTHING RETURNING id")
        )
        assert returned.scalar_one() == 4
        again = await conn.execute(
            text("INSERT INTO t (name) VALUES ('d') ON CONFLICT DO NOTHING RETURNING id")
        )
        assert again.first() is None


async def test_errors_arrive_as_sqlalchemy_errors_and_roll_back(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO t (name) VALUES ('x')"))
            await conn.execute(text("INSERT INTO t (name) VALUES ('x')"))
    with pytest.raises(OperationalError):
        async with engine.begin() as conn:
            await conn.execute(text("SELECT * FROM missing_table"))
    async with engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one()
    assert count == 0
