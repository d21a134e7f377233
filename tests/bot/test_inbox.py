"""The inbox: kept once, claimed one chat at a time in arrival order by any number of
workers, taken up again (as replayed) when a worker dies, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.inbox import InboxWorker
from models import db
from models.services import updates

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.create_engine(database_url)
    await db.migrate(engine)
    try:
        yield db.session_factory(engine)
    finally:
        await engine.dispose()


def arrival(chat: int, n: int, channel: str = "test") -> updates.Arrival:
    return updates.Arrival(channel, f"{chat}-{n}", f"{channel}:{chat}", {"chat": chat, "n": n})


async def keep(sessions: async_sessionmaker[AsyncSession], rows: list[updates.Arrival]) -> None:
    async with db.transaction(sessions) as session:
        await updates.keep(session, arrivals=rows, now=NOW)


async def waiting(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await updates.waiting(session)


class Recorder:
    """A channel that notes what it handled, in which order, taking a little while."""

    def __init__(self, *, delay: float = 0.0, fail_on: int | None = None) -> None:
        self.seen: dict[int, list[int]] = defaultdict(list)
        self.replayed: list[tuple[int, int]] = []
        self.delay = delay
        self.fail_on = fail_on
        self.running: set[int] = set()
        self.overlaps = 0

    async def process(self, payload: dict[str, Any], *, replayed: bool) -> None:
        chat, n = int(payload["chat"]), int(payload["n"])
        if chat in self.running:
            self.overlaps += 1
        self.running.add(chat)
        try:
            if self.delay:
                await asyncio.sleep(random.uniform(0, self.delay))
            if replayed:
                self.replayed.append((chat, n))
            if n == self.fail_on:
                raise RuntimeError("the handler failed")
            self.seen[chat].append(n)
        finally:
            self.running.discard(chat)


async def test_a_retried_update_is_kept_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await keep(sessions, [arrival(1, 1), arrival(1, 2)])
    await keep(sessions, [arrival(1, 1)])  # the platform sends it again
    await keep(sessions, [arrival(1, 1, channel="other")])  # another channel's id 1-1
    assert await waiting(sessions) == 3


async def test_claims_take_the_oldest_of_each_chat_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await keep(sessions, [arrival(1, 1), arrival(2, 1), arrival(1, 2), arrival(2, 2)])
    async with db.transaction(sessions) as session:
        first = await updates.claim(session, worker="a", limit=10, wall_now=time.time(), lease=30)
    assert [(c.payload["chat"], c.payload["n"]) for c in first] == [(1, 1), (2, 1)]
    async with db.transaction(sessions) as session:
        # chat 1 and 2 are busy: nothing for anyone until their first updates finish
        assert (
            await updates.claim(session, worker="b", limit=10, wall_now=time.time(), lease=30) == []
        )
        await updates.finish(session, ids=[first[0].id])
        second = await updates.claim(session, worker="b", limit=10, wall_now=time.time(), lease=30)
    assert [(c.payload["chat"], c.payload["n"]) for c in second] == [(1, 2)]
    assert second[0].attempts == 1


async def test_a_claim_that_ran_out_is_taken_up_again_as_replayed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await keep(sessions, [arrival(1, 1)])
    async with db.transaction(sessions) as session:
        await updates.claim(session, worker="dead", limit=10, wall_now=time.time(), lease=0.1)
    await asyncio.sleep(0.2)  # the lease of a worker that died runs out (wall clock)
    recorder = Recorder()
    worker = InboxWorker(lambda: sessions, {"test": recorder}, poll=0.05)
    await worker.start()
    try:
        await asyncio.wait_for(worker.join(), 10)
    finally:
        await worker.stop()
    assert recorder.seen == {1: [1]}
    assert recorder.replayed == [(1, 1)]
    assert await waiting(sessions) == 0


async def test_a_failing_update_is_finished_and_the_chat_goes_on(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await keep(sessions, [arrival(1, 1), arrival(1, 2), arrival(1, 3)])
    recorder = Recorder(fail_on=2)
    worker = InboxWorker(lambda: sessions, {"test": recorder}, poll=0.05)
    await worker.start()
    try:
        await asyncio.wait_for(worker.join(), 10)
    finally:
        await worker.stop()
    assert recorder.seen == {1: [1, 3]}
    assert await waiting(sessions) == 0


async def test_two_workers_keep_each_chats_order_and_share_the_chats(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    """Two workers on one database (each with its own engine, as two processes would have):
    every update handled once, each chat's in arrival order and never two at once."""
    chats, per_chat = 20, 10
    recorder = Recorder(delay=0.01)  # one for both: it sees overlaps across workers
    engines = [db.create_engine(database_url) for _ in range(2)]
    workers = [
        InboxWorker(
            partial(db.session_factory, engine), {"test": recorder}, concurrency=8, poll=0.05
        )
        for engine in engines
    ]
    # the updates of each chat arrive in order, chats interleaved, while both work
    for w in workers:
        await w.start()
    try:
        for n in range(1, per_chat + 1):
            await keep(sessions, [arrival(chat, n) for chat in range(chats)])
            random.choice(workers).wake()
        await asyncio.sleep(0.1)
        await asyncio.wait_for(asyncio.gather(*(w.join() for w in workers)), 60)
        while await waiting(sessions):  # one may still hold the last finished ids
            await asyncio.wait_for(asyncio.gather(*(w.join() for w in workers)), 60)
    finally:
        for w in workers:
            await w.stop()
        for engine in engines:
            await engine.dispose()
    assert sorted(recorder.seen) == list(range(chats))
    for chat in range(chats):
        # each once, in arrival order, whichever worker took it
        assert recorder.seen[chat] == list(range(1, per_chat + 1)), chat
    assert recorder.overlaps == 0
    assert all(w.handled for w in workers), [w.handled for w in workers]
