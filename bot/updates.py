"""Update processing: updates of one chat in order, different chats concurrently, and no
update lost when the process dies.

Telegram forgets an update once ``getUpdates`` is called with a higher offset, which the
polling loop does right after queueing the previous batch, long before it is handled. So
:class:`DurableBot` writes every fetched batch to the database (``inbox_updates``) before
returning it, retrying until the database takes it (a locked SQLite, a PostgreSQL restart);
the next start replays what was never finished, and the record of handled updates (written
with their effects) makes sure nothing is applied twice.

An update is finished once it is handled and its answer sent; finished ids leave the inbox
within :data:`FLUSH_DELAY`. What the next start finds there was either never handled, or
handled while its answer may not have gone out (the process died in between): the first is
handled, the second shows the user where their flow stands. Only an update answered within
the last ``FLUSH_DELAY`` before a kill can be answered twice that way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.ext import BaseUpdateProcessor, ExtBot

log = logging.getLogger(__name__)

# Keeps fetched (update id, update JSON) pairs and forgets finished update ids, durably.
Keeper = Callable[[Sequence[tuple[int, dict[str, Any]]], Sequence[int]], Awaitable[None]]
# Tells the senders of these updates that their answers are being saved (a slow database).
SlowNotice = Callable[[Sequence[Update]], Awaitable[None]]

FLUSH_DELAY = 0.05  # finished ids are written in batches this often at most
SLOW_SAVE_NOTICE = 3.0  # seconds of waiting for the database before the senders are told
KEEP_RETRY_MAX = 10.0  # the longest pause between two attempts to keep a fetched batch


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


async def _no_notice(_updates: Sequence[Update]) -> None:
    return None


@dataclass
class Inbox:
    """Where fetched updates are kept, which are finished, and which were replayed."""

    keeper: Keeper
    slow_notice: SlowNotice = _no_notice
    finished: set[int] = field(default_factory=set)  # handled and answered, not yet written
    # replayed from the database at start (kept for the process's life: a few at most);
    # Telegram may send its unconfirmed copy of each again, a different object
    replayed: dict[int, Update] = field(default_factory=dict)
    _flusher: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    def was_replayed(self, update: Update) -> bool:
        """Return True if this very update came from the inbox at start, not from Telegram."""
        return self.replayed.get(update.update_id) is update

    def finish(self, update_id: int) -> None:
        """Note a handled and answered update; it leaves the inbox within FLUSH_DELAY."""
        self.finished.add(update_id)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        await asyncio.sleep(FLUSH_DELAY)  # gather the updates finishing meanwhile
        await self.flush()

    async def flush(self) -> None:
        """Write the finished ids now (they are kept for a later try if that fails)."""
        while self.finished:
            done, self.finished = self.finished, set()
            try:
                await self.keeper([], sorted(done))
            except Exception as exc:
                log.warning("could not clear %d finished updates: %r", len(done), exc)
                self.finished |= done
                return

    async def drain(self) -> None:
        """Wait for a pending flush, then write what is left (at shutdown)."""
        if self._flusher is not None and not self._flusher.done():
            await self._flusher
        await self.flush()

    async def keep(self, updates: Sequence[Update]) -> None:
        """Write fetched updates (and finished ids) durably before anyone handles them:
        retried until the database takes them; after SLOW_SAVE_NOTICE seconds their
        senders are told that the answer is being saved."""
        finished, self.finished = self.finished, set()
        rows = [(u.update_id, u.to_dict()) for u in updates]
        saving = asyncio.create_task(self._keep_until_kept(rows, sorted(finished)))
        try:
            await asyncio.wait_for(asyncio.shield(saving), SLOW_SAVE_NOTICE)
        except TimeoutError:
            if updates:
                try:
                    await self.slow_notice(updates)
                except Exception as exc:
                    log.warning("could not tell senders their answers are being saved: %r", exc)
            await saving

    async def _keep_until_kept(
        self, rows: Sequence[tuple[int, dict[str, Any]]], finished: Sequence[int]
    ) -> None:
        pause = 0.5
        while True:
            try:
                await self.keeper(rows, finished)
                return
            except Exception as exc:
                log.warning(
                    "could not keep %d fetched updates (%r); trying again in %.1f s",
                    len(rows),
                    exc,
                    pause,
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, KEEP_RETRY_MAX)


class DurableBot(ExtBot[None]):
    """An ExtBot that keeps every fetched update in the database before handing it on."""

    def __init__(self, *args: Any, inbox: Inbox, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():
            self.inbox = inbox

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
        """Fetch updates and keep them before they are confirmed by the next call."""
        updates = await super().get_updates(
            offset=offset,
            limit=limit,
            timeout=timeout,
            allowed_updates=allowed_updates,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        if updates or self.inbox.finished:
            await self.inbox.keep(updates)
        return updates


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Serialise the updates of each chat (FIFO) while other chats run concurrently."""

    def __init__(self, inbox: Inbox | None = None, max_concurrent: int = 256) -> None:
        super().__init__(max_concurrent)
        self._inbox = inbox
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once earlier updates of its chat are done; skip
        Telegram's second copy of an update replayed from the inbox."""
        if self._inbox is not None and isinstance(update, Update):
            replayed = self._inbox.replayed.get(update.update_id)
            if replayed is not None and replayed is not update:
                # Telegram's copy; the replayed one may still wait for its chat, so it keeps
                # its entry (errors.on_error asks was_replayed when it was already handled)
                if isinstance(coroutine, Coroutine):
                    coroutine.close()
                return
        await self._in_chat_order(update, coroutine)
        if self._inbox is not None and isinstance(update, Update):
            self._inbox.finish(update.update_id)

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
