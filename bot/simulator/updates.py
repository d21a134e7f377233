"""The update queue: the updates simulated users cause wait here for the bot's getUpdates,
and a user's send() or press() waits until the bot has fetched and handled them."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, NamedTuple, Protocol, runtime_checkable

from bot.simulator.chats import SimulatorState
from bot.simulator.records import _Queued

QUIET_PERIOD = 0.3


class _RawJson(NamedTuple):
    text: str  # a method result already encoded as JSON


class UpdateQueueOwner(Protocol):
    """A bot whose fetched updates go through update_queue, as a PTB Application's do: they
    are all handled once update_queue.join() returns."""

    @property
    def update_queue(self) -> asyncio.Queue[Any]: ...


@runtime_checkable
class Joinable(Protocol):
    """A bot that handles its fetched updates itself (its own inbox worker, say): join()
    returns once it has handled every update it fetched."""

    async def join(self) -> None: ...


class UpdateQueue(SimulatorState):
    """Queue updates for getUpdates and wait until the bot has handled them."""

    _application: Joinable | UpdateQueueOwner | None = None

    def attach(self, application: Joinable | UpdateQueueOwner | None) -> None:
        """Tell the simulator how to know that the bot has handled the updates it fetched.

        Pass an object with ``async def join()`` (a Joinable: join() is awaited) or one with
        an ``update_queue`` (an UpdateQueueOwner such as a PTB Application:
        update_queue.join() is awaited); an object with both is taken as a Joinable. With
        None, a user's send() or press() waits until the bot has confirmed fetching the
        update (the next getUpdates offset) and then sent nothing for QUIET_PERIOD seconds.
        """
        self._application = application

    async def wait_idle(self, max_wait: float | None = None) -> None:
        """Wait until the bot has fetched and handled every injected update."""
        last = self._next_update_id - 1
        await self._wait_handled(last if last >= self._first_update_id else 0, max_wait)

    # ------------------------------------------------------------------ update plumbing

    async def _enqueue(self, kind: str, payload: dict[str, Any]) -> int | None:
        if self._runner is None:
            raise RuntimeError("simulator is not running; call start() first")
        if self._allowed_updates and kind not in self._allowed_updates:
            return None
        async with self._cond:
            update_id = self._next_update_id
            self._next_update_id += 1
            encoded = json.dumps({"update_id": update_id, kind: payload})
            self._updates.append(_Queued(update_id, encoded))
            self._cond.notify_all()
        return update_id

    async def _wait_handled(self, update_id: int, max_wait: float | None) -> None:
        limit = self.default_timeout if max_wait is None else max_wait
        stage = "fetch"
        try:
            async with asyncio.timeout(limit):
                if update_id >= 1:
                    async with self._cond:
                        await self._cond.wait_for(
                            lambda: self._closing or self._acked_offset > update_id
                        )
                stage = "handle"
                if isinstance(self._application, Joinable):
                    await self._application.join()
                elif self._application is not None:
                    await self._application.update_queue.join()
                elif update_id >= 1:
                    await self._wait_quiet()
        except TimeoutError:
            if stage == "fetch":
                reason = "the bot did not fetch it (is the updater polling this simulator?)"
            else:
                reason = "the bot did not finish handling it"
            raise TimeoutError(f"update {update_id}: {reason} within {limit} s") from None

    async def _wait_quiet(self) -> None:
        """Wait until no bot message arrived for QUIET_PERIOD seconds (no application attached)."""
        while True:
            self._activity.clear()
            try:
                async with asyncio.timeout(QUIET_PERIOD):
                    await self._activity.wait()
            except TimeoutError:
                return

    # ------------------------------------------------------------------ Bot API methods

    async def _get_updates(self, params: dict[str, Any]) -> Any:
        offset = params.get("offset")
        offset = offset if isinstance(offset, int) else 0
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        wait = float(timeout) if isinstance(timeout, int | float) else 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        async with self._cond:
            if offset > 0:
                self._updates = [u for u in self._updates if u.update_id >= offset]
                if offset > self._acked_offset:
                    self._acked_offset = offset
                    self._cond.notify_all()
            elif offset < 0:
                self._updates = self._updates[offset:]
            if wait > 0 and not self._updates and not self._closing:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._cond.wait_for(lambda: self._closing or bool(self._updates))
            return _RawJson("[" + ",".join(u.encoded for u in self._updates[:limit]) + "]")

    async def _delete_webhook(self, params: dict[str, Any]) -> Any:
        if params.get("drop_pending_updates"):
            async with self._cond:
                self._updates.clear()
                self._acked_offset = max(self._acked_offset, self._next_update_id)
                self._cond.notify_all()
        return True
