"""Update processing: updates of one chat in order, different chats concurrently, and no
update confirmed to Telegram before it has been handled.

Telegram forgets an update once ``getUpdates`` is called with a higher offset. The stock
polling loop asks for the next batch as soon as the previous one is queued, so a process
killed mid-update would lose it. :class:`DurableBot` instead confirms only up to the oldest
update still being handled; what was in flight when a process died is delivered again to
the next one (the database then tells a repeated update apart, see ``handled_updates``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Sequence
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.ext import BaseUpdateProcessor, ExtBot

IDLE_WAIT = 0.25


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class InFlight:
    """The updates fetched but not yet handled."""

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self.highest = -1
        self._changed = asyncio.Event()

    def fetched(self, update_ids: Sequence[int]) -> None:
        """Remember newly fetched updates."""
        self._ids.update(update_ids)
        self.highest = max([self.highest, *update_ids])

    def finished(self, update_id: int) -> None:
        """Forget a handled update."""
        self._ids.discard(update_id)
        self._changed.set()

    def offset(self, requested: int | None) -> int | None:
        """Return the offset that confirms only handled updates."""
        if self._ids:
            return min(self._ids)
        return requested

    async def wait_for_progress(self, limit: float) -> None:
        """Wait until some update finishes, or ``limit`` seconds."""
        self._changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), limit)


class DurableBot(ExtBot[None]):
    """An ExtBot whose ``getUpdates`` never confirms an update still being handled."""

    def __init__(self, *args: Any, in_flight: InFlight, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_flight = in_flight

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,  # noqa: ASYNC109 - the Bot API's long-poll parameter
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        """Fetch updates, confirming only handled ones; return only updates not seen yet."""
        in_flight = self._in_flight
        updates = await super().get_updates(
            offset=in_flight.offset(offset),
            limit=limit,
            timeout=timeout,
            allowed_updates=allowed_updates,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        fresh = tuple(u for u in updates if u.update_id > in_flight.highest)
        if updates and not fresh:
            # Only updates still being handled came back: wait a little instead of spinning.
            await in_flight.wait_for_progress(IDLE_WAIT)
        in_flight.fetched([u.update_id for u in fresh])
        return fresh


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Serialise the updates of each chat (FIFO) while other chats run concurrently."""

    def __init__(
        self, in_flight: InFlight | None = None, max_concurrent_updates: int = 256
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._in_flight = in_flight
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once earlier updates of its chat are done."""
        try:
            await self._in_chat_order(update, coroutine)
        finally:
            if self._in_flight is not None and isinstance(update, Update):
                self._in_flight.finished(update.update_id)

    async def _in_chat_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
