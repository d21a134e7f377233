"""Webhook delivery, as Telegram does it: once the bot calls setWebhook, queued updates are
POSTed to its URL (with ``X-Telegram-Bot-Api-Secret-Token``) instead of waiting for
getUpdates. An update leaves the queue only when answered 200; otherwise it is sent again
after a pause. The updates of one chat go one at a time, in order; different chats in
parallel (up to ``max_connections``). getUpdates is refused while a webhook is set.

``webhook_base`` replaces the scheme and host of the URL the bot registers, so a bot that
says ``https://bot.example.go.id/telegram`` is reached on loopback (directly or through a
proxy).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.simulator.records import BotApiError, _Queued
from bot.simulator.updates import UpdateQueue

log = logging.getLogger(__name__)
RETRY_PAUSE = 0.2
DEFAULT_MAX_CONNECTIONS = 40


def _chat_of(queued: _Queued) -> int | None:
    for part in json.loads(queued.encoded).values():
        if isinstance(part, dict):
            chat = part.get("chat") or (part.get("message") or {}).get("chat")
            if isinstance(chat, dict):
                return int(chat["id"])
            sender = part.get("from")
            if isinstance(sender, dict):
                return int(sender["id"])
    return None


class WebhookDelivery(UpdateQueue):
    """setWebhook / deleteWebhook and the delivery of queued updates to the webhook."""

    webhook_base: str | None = None
    _webhook: tuple[str, str | None, int] | None = None  # url, secret, max connections
    _delivery: asyncio.Task[None] | None = None
    _in_flight: set[int]  # update ids being posted
    _busy_chats: set[int | None]
    webhook_posts: int = 0
    webhook_refusals: int = 0  # answers other than 200 (or no answer)

    async def _set_webhook(self, params: dict[str, Any]) -> Any:
        url = params.get("url")
        if not isinstance(url, str) or not url:
            return await self._delete_webhook(params)
        secret = params.get("secret_token")
        connections = params.get("max_connections")
        limit = int(connections) if isinstance(connections, int) else DEFAULT_MAX_CONNECTIONS
        self._webhook = (url, secret if isinstance(secret, str) else None, limit)
        self._in_flight, self._busy_chats = set(), set()
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.create_task(self._deliver_updates(), name="sim-webhook")
        async with self._cond:
            self._cond.notify_all()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> Any:
        self._webhook = None
        task, self._delivery = self._delivery, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        return await super()._delete_webhook(params)

    async def _get_updates(self, params: dict[str, Any]) -> Any:
        if self._webhook is not None:
            raise BotApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        return await super()._get_updates(params)

    async def _get_webhook_info(self, params: dict[str, Any]) -> Any:
        url = self._webhook[0] if self._webhook else ""
        return {
            "url": url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _target(self, url: str) -> str:
        if self.webhook_base is None:
            return url
        parts = urlsplit(url)
        return self.webhook_base.rstrip("/") + (parts.path or "/")

    def _ready(self) -> list[_Queued]:
        assert self._webhook is not None
        free = self._webhook[2] - len(self._in_flight)
        ready = []
        for queued in self._updates:
            if free <= 0:
                break
            if queued.update_id in self._in_flight:
                continue
            chat = _chat_of(queued)
            if chat in self._busy_chats:
                continue
            self._busy_chats.add(chat)  # later updates of this chat wait for this one
            if chat is None:
                self._busy_chats.discard(chat)
            ready.append(queued)
            free -= 1
        return ready

    async def _deliver_updates(self) -> None:
        connector = aiohttp.TCPConnector(limit=0)
        posts: set[asyncio.Task[None]] = set()
        async with aiohttp.ClientSession(connector=connector) as client:
            try:
                await self._deliver_with(client, posts)
            finally:
                for task in posts:
                    task.cancel()
                await asyncio.gather(*posts, return_exceptions=True)

    async def _deliver_with(
        self, client: aiohttp.ClientSession, posts: set[asyncio.Task[None]]
    ) -> None:
        while not self._closing and self._webhook is not None:
            async with self._cond:
                await self._cond.wait_for(
                    lambda: self._closing or self._webhook is None or self._ready_peek()
                )
                if self._closing or self._webhook is None:
                    return
                batch = self._ready()
                self._in_flight.update(q.update_id for q in batch)
            for queued in batch:
                task = asyncio.create_task(self._post(client, queued))
                posts.add(task)
                task.add_done_callback(posts.discard)

    def _ready_peek(self) -> bool:
        assert self._webhook is not None
        if len(self._in_flight) >= self._webhook[2]:
            return False
        busy = set(self._busy_chats)
        for queued in self._updates:
            if queued.update_id not in self._in_flight and _chat_of(queued) not in busy:
                return True
        return False

    async def _post(self, client: aiohttp.ClientSession, queued: _Queued) -> None:
        assert self._webhook is not None
        url, secret, _ = self._webhook
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        delivered = False
        try:
            self.webhook_posts += 1
            async with client.post(self._target(url), data=queued.encoded, headers=headers) as r:
                delivered = r.status == 200
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.debug("webhook post of update %s failed: %r", queued.update_id, exc)
        if not delivered:
            self.webhook_refusals += 1
            await asyncio.sleep(RETRY_PAUSE)  # Telegram tries again later
        async with self._cond:
            self._in_flight.discard(queued.update_id)
            self._busy_chats.discard(_chat_of(queued))
            if delivered:
                self._updates = [u for u in self._updates if u.update_id != queued.update_id]
                pending = [u.update_id for u in self._updates]
                self._acked_offset = min(pending) if pending else self._next_update_id
            self._cond.notify_all()
