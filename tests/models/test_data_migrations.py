"""Migrations that change what existing rows mean, run on a database holding data."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
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


async def test_0013_takes_what_was_there_at_verification_as_checked(
    blank_engine: AsyncEngine,
) -> None:
    await db.migrate(blank_engine, "0012")
    await _insert_innovation(blank_engine)
    before, after = NOW - timedelta(hours=1), NOW + timedelta(hours=1)
    async with blank_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO innovations (id, code, owner_id, status, created_at, updated_at)"
                " VALUES (2, 'INO-2026-0002', 1, 'diajukan', :now, :now)"
            ),
            {"now": NOW},
        )
        await conn.execute(text("UPDATE innovations SET status = 'terverifikasi' WHERE id = 1"))
        await conn.execute(
            text(
                "INSERT INTO status_events (innovation_id, at, from_status, to_status) VALUES"
                " (1, :submitted, 'draf', 'diajukan'), (1, :now, 'diajukan', 'terverifikasi')"
            ),
            {"submitted": before - timedelta(hours=1), "now": NOW},
        )
        rows = [(1, "regulasi", before), (1, "sdm", after), (2, "regulasi", before)]
        for innovation_id, key, at in rows:
            await conn.execute(
                text(
                    "INSERT INTO indicator_answers (innovation_id, key, level, updated_at)"
                    " VALUES (:i, :k, 1, :at)"
                ),
                {"i": innovation_id, "k": key, "at": at},
            )
        await conn.execute(
            text(
                "INSERT INTO proposal_sections (innovation_id, key, text, updated_at) VALUES"
                " (1, 'ringkasan', 'Ringkasan', :before), (1, 'signifikansi', 'Baru', :after)"
            ),
            {"before": before, "after": after},
        )
    await db.migrate(blank_engine)
    async with blank_engine.connect() as conn:
        answers = (
            await conn.execute(
                text(
                    "SELECT innovation_id, key, verified_at IS NOT NULL FROM indicator_answers"
                    " ORDER BY innovation_id, key"
                )
            )
        ).all()
        sections = (
            await conn.execute(
                text("SELECT key, verified_at IS NOT NULL FROM proposal_sections ORDER BY key")
            )
        ).all()
        flagged = (
            await conn.execute(
                text("SELECT id, documents_changed_at IS NOT NULL FROM innovations ORDER BY id")
            )
        ).all()
    # answered before the verification: checked with it; after it, or never verified: waiting
    assert [tuple(r) for r in answers] == [(1, "regulasi", 1), (1, "sdm", 0), (2, "regulasi", 0)]
    assert [tuple(r) for r in sections] == [("ringkasan", 1), ("signifikansi", 0)]
    # the verified innovation has a change waiting (the review queue lists it); a submitted
    # one is waiting as a whole, not as a change
    assert [tuple(r) for r in flagged] == [(1, 1), (2, 0)]
