"""Migrations that change what existing rows mean, run on a database holding data."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from models import db
from models.services import innovations as inno
from models.tables import Innovation
from tests.conftest import PG_ADMIN_URL

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


async def _admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def blank_engine(
    request: pytest.FixtureRequest, tmp_path: Path, pg_database: str | None
) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database with no schema at all (a fresh PostgreSQL database)."""
    if request.param == "sqlite":
        engine = db.create_engine(f"sqlite+aiosqlite:///{tmp_path / 'blank.db'}")
        yield engine
        await engine.dispose()
        return
    if pg_database is None:
        pytest.skip("PostgreSQL not reachable")
    name = f"inovasi_mig_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    engine = db.create_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        await engine.dispose()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _downgrade(connection: Connection, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    command.downgrade(cfg, revision)


async def _insert_innovation(engine: AsyncEngine) -> None:
    """One user and one innovation with both dates, as the schema of 0005 stores them."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (id, name, language, role, onboarded, unreachable, created_at)"
                " VALUES (1, 'Siti', 'id', 'pengusul', :t, :f, :now)"
            ),
            {"t": True, "f": False, "now": NOW},
        )
        await conn.execute(
            text(
                "INSERT INTO innovations (id, code, owner_id, status, nama_inovasi, tahapan,"
                " waktu_uji_coba, waktu_penerapan, created_at, updated_at)"
                " VALUES (1, 'INO-2026-0001', 1, 'diajukan', 'Si Cantik', 'penerapan',"
                " :uji, :terap, :now, :now)"
            ),
            {"uji": date(2023, 6, 1), "terap": date(2024, 3, 5), "now": NOW},
        )


async def test_0006_keeps_existing_dates_as_days(blank_engine: AsyncEngine) -> None:
    await db.migrate(blank_engine, "0005")
    await _insert_innovation(blank_engine)
    await db.migrate(blank_engine, "0006")
    async with blank_engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT waktu_uji_coba, waktu_uji_coba_precision, waktu_penerapan,"
                    " waktu_penerapan_precision FROM innovations"
                )
            )
        ).one()
    as_dates = [date.fromisoformat(str(v)) if i % 2 == 0 else v for i, v in enumerate(row)]
    # a stored 1 June 2023 was a day then, so it is one now: nobody typed "Juni 2023"
    assert as_dates == [date(2023, 6, 1), "day", date(2024, 3, 5), "day"]
    await db.migrate(blank_engine)
    factory = db.session_factory(blank_engine)
    async with factory() as session:
        innovation = (await session.execute(sa.select(Innovation))).unique().scalar_one()
        answers = inno.answers_of(innovation)
    assert type(answers["waktu_uji_coba"]) is date
    assert inno.snapshot_of(innovation)["waktu_uji_coba"] == "2023-06-01"
    # and back: the columns go, the dates stay
    async with blank_engine.begin() as conn:
        await conn.run_sync(_downgrade, "0005")
    async with blank_engine.connect() as conn:
        dates = (await conn.execute(text("SELECT waktu_uji_coba FROM innovations"))).scalar_one()
    assert date.fromisoformat(str(dates)) == date(2023, 6, 1)


async def test_0009_keeps_every_telegram_user_as_they_were(blank_engine: AsyncEngine) -> None:
    await db.migrate(blank_engine, "0008")
    async with blank_engine.begin() as conn:
        for telegram_id, name in ((5001, "Siti Aminah"), (5002, "Budi Santoso")):
            await conn.execute(
                text(
                    "INSERT INTO users (telegram_id, name, language, role, onboarded,"
                    " unreachable, created_at) VALUES (:t, :n, 'id', 'pengusul', true,"
                    " false, :now)"
                ),
                {"t": telegram_id, "n": name, "now": NOW},
            )
    await db.migrate(blank_engine)
    async with blank_engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT telegram_id, name, whatsapp_id, last_channel, reminder_channel"
                    " FROM users ORDER BY telegram_id"
                )
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (5001, "Siti Aminah", None, "telegram", None),
        (5002, "Budi Santoso", None, "telegram", None),
    ]
    # and back: the WhatsApp columns and tables go, the users stay
    async with blank_engine.begin() as conn:
        await conn.run_sync(_downgrade, "0008")
    async with blank_engine.connect() as conn:
        names = (await conn.execute(text("SELECT name FROM users ORDER BY id"))).scalars().all()
    assert names == ["Siti Aminah", "Budi Santoso"]
