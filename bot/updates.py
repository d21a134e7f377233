"""Update processing: updates of one chat in order, different chats concurrently, and no
update lost when the process dies.

Telegram forgets an update once ``getUpdates`` is called with a higher offset, which the
polling loop does right after queueing the previous batch, long before it is handled. So
:class:`DurableBot` writes every fetched batch to the database (``inbox_updates``) before
returning it; the next start replays what was never handled, and the record of handled
updates (written with their effects) makes sure nothing is applied twice.
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


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


@dataclass
class Inbox:
    """Where fetched updates are kept, which are finished, and which were replayed."""

    keeper: Keeper
    finished: set[int] = field(default_factory=set)  # handled and answered
    # replayed from the database at start; Telegram may send its unconfirmed copy again
    replayed: dict[int, Update] = field(default_factory=dict)


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
        inbox = self.inbox
        if updates or inbox.finished:
            finished, inbox.finished = inbox.finished, set()
            try:
                await inbox.keeper([(u.update_id, u.to_dict()) for u in updates], sorted(finished))
            except Exception:  # the database is away: handle them anyway, unkept
                log.exception("could not keep %d fetched updates", len(updates))
                inbox.finished |= finished
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
                del self._inbox.replayed[update.update_id]
                if isinstance(coroutine, Coroutine):
                    coroutine.close()
                return
        await self._in_chat_order(update, coroutine)
        if self._inbox is not None and isinstance(update, Update):
            self._inbox.finished.add(update.update_id)

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
