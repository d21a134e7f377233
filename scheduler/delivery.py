"""Delivery of reminder messages within Telegram's limits.

A token bucket caps messages per second overall, a per-chat gap keeps to about one message a
second per chat, ``RetryAfter`` pauses every send for as long as Telegram asks, a blocked user
(``Forbidden``) is reported at once, and passing network trouble is retried with back-off.
"""

from __future__ import annotations

import asyncio
import logging

from aiolimiter import AsyncLimiter
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.forms.engine import Screen
from bot.telegram.render import retry_after_seconds, to_markup
from models.tables import User
from scheduler.results import Delivery, Result

log = logging.getLogger(__name__)
MAX_TRACKED_CHATS = 10_000
BURST = 5


class RateLimiter:
    """The sending limits of one process on one channel, shared by replies, notices and
    reminders: at most ``per_second`` messages overall; a flood-control pause holds every
    send.

    Reminders (:meth:`acquire`) also keep one message per ``chat_interval`` seconds per chat
    and take at most ``background_share`` of the rate, so a reminder burst never fills the
    bucket and an answer (:meth:`acquire_reply`) waits at most about one message interval.
    """

    def __init__(
        self, *, per_second: float, chat_interval: float, background_share: float = 1.0
    ) -> None:
        # At most BURST messages at once, then one per 1/rate seconds: answers that arrive
        # together go out together, and no second holds more than rate + BURST (25 + 5, at
        # Telegram's ~30); a full bucket of 25 would allow 50 in the first second.
        self._bucket = AsyncLimiter(BURST, BURST / per_second)
        self._background = (
            AsyncLimiter(1, 1.0 / (per_second * background_share))
            if background_share < 1.0
            else None
        )
        self._chat_interval = chat_interval
        self._next_in_chat: dict[int | str, float] = {}
        self._chat_locks: dict[int | str, asyncio.Lock] = {}
        self._resume_at = 0.0

    def pause(self, seconds: float) -> None:
        """Hold every send for ``seconds`` (Telegram's flood control)."""
        loop = asyncio.get_running_loop()
        self._resume_at = max(self._resume_at, loop.time() + seconds)

    async def _wait_pause(self) -> None:
        delay = self._resume_at - asyncio.get_running_loop().time()
        if delay > 0:
            await asyncio.sleep(delay)
            await self._wait_pause()  # the pause may have grown meanwhile

    async def acquire_reply(self) -> None:
        """Wait until an answer or a notice may go out (ahead of queued reminders)."""
        await self._wait_pause()
        await self._bucket.acquire()

    async def acquire(self, chat_id: int | str) -> None:
        """Wait until a reminder may go to ``chat_id``."""
        loop = asyncio.get_running_loop()
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            delay = self._next_in_chat.get(chat_id, 0.0) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._wait_pause()
            if self._background is not None:
                await self._background.acquire()
            await self._bucket.acquire()
            self._next_in_chat[chat_id] = loop.time() + self._chat_interval
        if len(self._next_in_chat) > MAX_TRACKED_CHATS:
            self._forget_idle(loop.time())

    def _forget_idle(self, now: float) -> None:
        for chat_id, when in list(self._next_in_chat.items()):
            lock = self._chat_locks.get(chat_id)
            if when <= now and (lock is None or not lock.locked()):
                del self._next_in_chat[chat_id]
                self._chat_locks.pop(chat_id, None)


class Deliverer:
    """Send reminder screens through a rate limiter, retrying what may be retried."""

    def __init__(
        self,
        bot: Bot,
        limiter: RateLimiter,
        *,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 120.0,
    ) -> None:
        self.bot = bot
        self.limiter = limiter
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait

    async def send(self, chat_id: int, screen: Screen) -> Delivery:
        """Send one message; never raises for Telegram errors."""
        attempt = 0
        while True:
            await self.limiter.acquire(chat_id)
            try:
                message = await self.bot.send_message(
                    chat_id,
                    screen.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=to_markup(screen.buttons),
                )
                return Delivery(Result.SENT, message.message_id)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                log.warning("flood control: waiting %.1f s before chat %s", wait, chat_id)
                if wait > self.max_wait or attempt >= self.max_retries:
                    return Delivery(Result.RETRY, error=str(exc))
                self.limiter.pause(wait)
            except Forbidden as exc:
                return Delivery(Result.BLOCKED, error=exc.message)
            except BadRequest as exc:
                return Delivery(Result.FAILED, error=exc.message)
            except TimedOut as exc:
                # Telegram may have delivered it: sending again could show it twice
                log.warning("send to chat %s timed out; not repeated", chat_id)
                return Delivery(Result.SENT, error=exc.message)
            except NetworkError as exc:
                if attempt >= self.max_retries:
                    return Delivery(Result.RETRY, error=exc.message)
                delay = self.backoff * 2**attempt
                log.warning("network error to chat %s (%s); retry in %.2f s", chat_id, exc, delay)
                await asyncio.sleep(delay)
            except TelegramError as exc:
                return Delivery(Result.FAILED, error=exc.message)
            attempt += 1


class TelegramCourier:
    """Reminders and nudges on Telegram: through the Deliverer's limits and retries."""

    def __init__(self, deliverer: Deliverer) -> None:
        self.deliverer = deliverer

    async def deliver(self, address: str, user: User, screen: Screen, *, purpose: str) -> Delivery:
        """Send one message to a Telegram chat."""
        return await self.deliverer.send(int(address), screen)
