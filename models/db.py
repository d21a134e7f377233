"""Engine, sessions and schema migrations."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from models import sqlite

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT = 30.0

# One FIFO lock per SQLite engine and event loop: see transaction().
_sqlite_locks: weakref.WeakKeyDictionary[Engine, tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create an async engine; SQLite gets foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if url.startswith("sqlite+aiosqlite"):
            kwargs["module"] = sqlite.dbapi()
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            # SQLAlchemy emits BEGIN itself (below), so the driver must not.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            # Take the write lock up front: concurrent updates queue on the busy timeout
            # instead of failing when a reader later wants to write.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Return the session factory used for one transaction per update."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _sqlite_lock(factory: async_sessionmaker[AsyncSession]) -> asyncio.Lock | None:
    """Return the in-process write lock of the factory's SQLite engine (None otherwise)."""
    bind = factory.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite":
        return None
    loop = asyncio.get_running_loop()
    held = _sqlite_locks.get(bind.sync_engine)
    if held is None or held[0] is not loop:
        held = (loop, asyncio.Lock())
        _sqlite_locks[bind.sync_engine] = held
    return held[1]


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Open a session, commit when the block ends, roll back on error."""
    # Every SQLite transaction takes the write lock (BEGIN IMMEDIATE). Within one process they
    # queue here in FIFO order instead of in SQLite's busy handler, which polls with sleeps of
    # up to 100 ms and lets late arrivals overtake: that gave p99 waits of seconds with only
    # ten busy chats (docs/benchmarks.md). Other processes still wait on the busy timeout.
    lock = _sqlite_lock(factory)
    async with factory() as session:
        if lock is None:
            async with session.begin():
                yield session
            return
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT):
                await lock.acquire()
        except TimeoutError:
            raise TimeoutError(
                f"SQLite: waited {SQLITE_BUSY_TIMEOUT:g} s for this process's other transactions"
            ) from None
        try:
            async with session.begin():
                yield session
        finally:
            lock.release()


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """Return an INSERT for ``table`` with the database's ON CONFLICT support."""
    if session.bind.dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


# indexes the ORM cannot describe on every database (the catalog's full-text index exists on
# PostgreSQL only, migration 0012): schema comparisons and autogenerate leave them alone
UNMODELLED_INDEXES = frozenset({"ix_innovations_catalog_search"})


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Whether a schema comparison looks at an object (alembic's ``include_object``)."""
    return not (type_ == "index" and reflected and name in UNMODELLED_INDEXES)


def _alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(_alembic_config(connection), revision)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema up to date (alembic upgrade head), or up to ``revision``."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


def _at_head(connection: Connection) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(connection))
    current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(script.get_heads())


async def schema_is_current(engine: AsyncEngine) -> bool:
    """Return True if the database answers and its schema is at the newest migration."""
    async with engine.connect() as conn:
        return await conn.run_sync(_at_head)
