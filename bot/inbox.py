"""The inbox worker: takes kept updates from the database and hands each to its channel.

Whatever brought an update in (a webhook request, a ``getUpdates`` batch) wrote it to the
inbox first and woke the worker. The worker claims the oldest waiting update of each chat
(:func:`models.services.updates.claim`), runs up to ``concurrency`` of them at once, renews
its claims while they run, and takes each out of the inbox once handled and answered (in the
same transaction as the next claim). A process that dies leaves its claims to run out; then
any process takes those updates up again, marked as replayed, and the record of handled
updates makes sure nothing is applied twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models.db import transaction
from models.services import updates

log = logging.getLogger(__name__)

LEASE = 30.0  # seconds a claim holds before another process may take the update up
POLL = 1.0  # seconds between looks at the inbox when nothing woke the worker
MAX_ATTEMPTS = 5  # an update taken up this often (it kills its process?) is dropped
RETRY_PAUSE_MAX = 10.0
# While other updates run, finished ones leave the inbox with the next arrival's
# transaction, or after this long: one commit fewer per update under load (each is a disk
# flush), and a chat's next update, if already waiting, is taken at most this much later.
FLUSH_DELAY = 0.05


class Processor(Protocol):
    """A channel's side of the worker: handle one kept update and send its answer."""

    async def process(self, payload: dict[str, object], *, replayed: bool) -> None:
        """Handle the update and send what it answers; never raise for the update's sake."""


def worker_name() -> str:
    """Return a name for this process's claims: host, process and a random part."""
    return f"{socket.gethostname()[:20]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class InboxWorker:
    """Claims and runs kept updates: one chat at a time, many chats at once."""

    def __init__(
        self,
        sessions: Callable[[], async_sessionmaker[AsyncSession]],
        channels: Mapping[str, Processor],
        *,
        concurrency: int = 32,
        lease: float = LEASE,
        poll: float = POLL,
    ) -> None:
        self._sessions = sessions
        self._channels = channels
        self.concurrency = concurrency
        self.lease = lease
        self.poll = poll
        self.name = worker_name()
        self._running: dict[int, asyncio.Task[None]] = {}
        self._finished: list[int] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._flush_timer: asyncio.TimerHandle | None = None
        self._stopping = False
        self.handled = 0

    def wake(self) -> None:
        """Look at the inbox now (an update was just kept)."""
        self._idle.clear()
        self._wake.set()

    async def take_in(self, arrivals: Sequence[updates.Arrival], now: datetime) -> None:
        """Keep arrived updates, in one transaction with taking the finished ones out and
        claiming what this worker has room for; when it returns, the updates are durable."""
        self._idle.clear()
        # what waits behind a busy chat is claimed when that chat's update finishes
        self._spawn(await self._finish_and_claim(arrivals, now))
        # and the loop looks again at once: the chat's update may finish meanwhile
        # (without this a lone user's next update waited up to a poll interval: 1 s)
        self._wake.set()

    async def join(self) -> None:
        """Wait until the inbox holds nothing this worker could take and nothing runs."""
        self.wake()
        await self._idle.wait()

    async def start(self) -> None:
        """Start claiming."""
        self._stopping = False
        self._loop_task = asyncio.create_task(self._loop(), name="inbox-worker")

    async def stop(self, *, grace: float = 10.0) -> None:
        """Stop claiming, let running updates finish (up to ``grace`` seconds), take the
        finished ones out of the inbox and give back the claims of the rest."""
        self._stopping = True
        self._wake.set()
        if self._loop_task is not None:
            await self._loop_task
            self._loop_task = None
        if self._running:
            _, late = await asyncio.wait(list(self._running.values()), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        try:
            async with transaction(self._sessions()) as session:
                await updates.finish(session, ids=self._finished)
                await updates.release(session, worker=self.name)
            self._finished.clear()
        except Exception as exc:
            log.warning("could not give back this process's claims: %r", exc)

    async def _loop(self) -> None:
        pause = 0.5
        last_renewal = time.time()
        while not self._stopping:
            self._wake.clear()
            if self._flush_timer is not None:
                self._flush_timer.cancel()
                self._flush_timer = None
            try:
                claimed = await self._finish_and_claim()
                if time.time() - last_renewal > self.lease / 3:
                    await self._renew()
                    last_renewal = time.time()
                pause = 0.5
            except Exception as exc:
                log.warning("inbox: could not claim updates (%r); again in %.1f s", exc, pause)
                await self._sleep(pause)
                pause = min(pause * 2, RETRY_PAUSE_MAX)
                continue
            self._spawn(claimed)
            if not claimed:
                if not self._running and not self._finished and not self._wake.is_set():
                    self._idle.set()
                await self._sleep(self.poll)

    def _spawn(self, claimed: Sequence[updates.Claimed]) -> None:
        for row in claimed:
            self._running[row.id] = asyncio.create_task(self._run(row))

    def _flush_soon(self) -> None:
        if self._flush_timer is None:
            loop = asyncio.get_running_loop()
            self._flush_timer = loop.call_later(FLUSH_DELAY, self._flush_now)

    def _flush_now(self) -> None:
        self._flush_timer = None
        self._wake.set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def _finish_and_claim(
        self, arrivals: Sequence[updates.Arrival] = (), now: datetime | None = None
    ) -> list[updates.Claimed]:
        """In one transaction: keep ``arrivals``, take the finished updates out, claim what
        there is room for (the finished ids are kept for the next try if it fails)."""
        done, self._finished = self._finished, []
        free = 0 if self._stopping else self.concurrency - len(self._running)
        try:
            async with transaction(self._sessions()) as session:
                if arrivals:
                    assert now is not None
                    await updates.keep(session, arrivals=arrivals, now=now)
                await updates.finish(session, ids=done)
                return await updates.claim(
                    session, worker=self.name, limit=free, wall_now=time.time(), lease=self.lease
                )
        except BaseException:
            self._finished = done + self._finished
            raise

    async def _renew(self) -> None:
        if self._running:
            async with transaction(self._sessions()) as session:
                await updates.renew(
                    session,
                    worker=self.name,
                    ids=list(self._running),
                    until=time.time() + self.lease,
                )

    async def _run(self, row: updates.Claimed) -> None:
        cancelled = False
        try:
            channel = self._channels.get(row.channel)
            if channel is None:
                log.error("inbox: update %s of unknown channel %r dropped", row.id, row.channel)
            elif row.attempts > MAX_ATTEMPTS:
                log.error("inbox: update %s taken up %d times; dropped", row.id, row.attempts)
            else:
                await channel.process(row.payload, replayed=row.attempts > 1)
                self.handled += 1
        except asyncio.CancelledError:
            cancelled = True  # stopped before it was done: another claim takes it up
            raise
        except Exception:
            log.exception("inbox: update %s failed", row.id)
        finally:
            self._running.pop(row.id, None)
            if not cancelled:
                self._finished.append(row.id)
            if self._running:
                self._flush_soon()  # with the next arrival or finish, in one commit
            else:
                self._wake.set()  # nothing else runs: no one to share a commit with
