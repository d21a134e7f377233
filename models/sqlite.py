"""aiosqlite with one trip to its thread per statement.

aiosqlite runs SQLite in a thread of its own, and every call to it is a round trip from the
event loop to that thread and back. SQLAlchemy's adapter makes four for each statement
(open a cursor, execute, fetch, close). Under load each trip waits for a turn of a busy
event loop, and SQLite's one writer holds the database lock for all of them: with 200 busy
chats that wait, not the work, limited the bot (docs/benchmarks.md). This cursor does the
four steps in one call on aiosqlite's thread. Everything else is SQLAlchemy's own adapter
(SQLAlchemy is pinned below 2.1, where that adapter changes).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    AsyncAdapt_aiosqlite_ss_cursor,
)

_Outcome = tuple[Any, list[Any] | None, int | None, int]


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """On aiosqlite's thread: execute, fetch everything and close, in one go."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


class OneCallCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's aiosqlite cursor, with each execute done in a single call."""

    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        """Run one statement and keep its rows, as the adapter's cursor does."""
        self._finish(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        """Run one statement for each parameter set."""
        self._finish(operation, seq_of_parameters, many=True)

    def _finish(self, operation: Any, parameters: Any, *, many: bool) -> None:
        driver = cast(aiosqlite.Connection, self._connection)
        try:
            call = driver._execute(_run, driver._conn, operation, parameters, many)  # type: ignore[no-untyped-call]
            description, rows, lastrowid, rowcount = self.await_(call)
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        if description:
            self.description = description
            self.lastrowid = self.rowcount = -1
            self._rows = deque(rows or ())
        else:
            self.description = None
            self.lastrowid = lastrowid
            self.rowcount = rowcount


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            return AsyncAdapt_aiosqlite_ss_cursor(self)
        return OneCallCursor(self)


class OneCallDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect uses, handing out one-call cursors."""

    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        """Open a connection as SQLAlchemy does, then wrap it in the one-call adapter."""
        adapted = super().connect(*arg, **kw)
        return _Connection(self, adapted._connection)


def dbapi() -> OneCallDbapi:
    """Return the module to pass as ``create_async_engine(..., module=...)``."""
    return OneCallDbapi(aiosqlite, sqlite3)
