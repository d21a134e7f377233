"""Long polling that loses nothing: each ``getUpdates`` batch is kept in the inbox before the
next call confirms it to Telegram (which then forgets it).

While the database does not take a batch (a locked SQLite, a PostgreSQL restart) the batch is
retried and nothing more is fetched; after :data:`SLOW_SAVE_NOTICE` seconds the senders are
told that their answers are being saved. Only one process may poll a bot: with several, use
the webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError

from bot.deps import Deps
from bot.i18n import pick_language
from bot.telegram.requests import CHANNEL, chat_key
from models.services import updates

log = logging.getLogger(__name__)

SLOW_SAVE_NOTICE = 3.0  # seconds of waiting for the database before the senders are told
KEEP_RETRY_MAX = 10.0  # the longest pause between two attempts to keep a batch
NETWORK_RETRY_MAX = 30.0
ALLOWED_UPDATES = ("message", "callback_query")


def arrivals(batch: Sequence[Update]) -> list[updates.Arrival]:
    """Return the inbox rows of fetched updates."""
    rows = []
    for update in batch:
        payload = update.to_dict()
        rows.append(updates.Arrival(CHANNEL, str(update.update_id), chat_key(payload), payload))
    return rows


class Poller:
    """Fetches updates and hands them to the worker to keep; stops cleanly (confirming the
    last batch to Telegram)."""

    def __init__(
        self,
        deps: Deps,
        bot: Bot,
        take_in: Callable[[Sequence[updates.Arrival], datetime], Awaitable[None]],
        *,
        timeout: int = 10,
    ) -> None:
        self.deps = deps
        self.bot = bot
        self.take_in = take_in
        self.timeout = timeout
        self._offset: int | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start polling in the background."""
        self._task = asyncio.create_task(self._loop(), name="telegram-polling")

    @property
    def task(self) -> asyncio.Task[None] | None:
        """Return the polling task (it ends only by failing, or when stopped)."""
        return self._task

    def failure(self) -> BaseException | None:
        """Return why polling stopped by itself, if it did."""
        task = self._task
        if task is None or not task.done() or task.cancelled():
            return None
        return task.exception()

    async def stop(self) -> None:
        """Stop polling; tell Telegram the kept updates arrived."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await self._task
            self._task = None
        if self._offset is not None:
            with contextlib.suppress(TelegramError):
                await self.bot.get_updates(offset=self._offset, timeout=0, limit=1)

    async def _loop(self) -> None:
        pause = 0.5
        while True:
            try:
                batch = await self.bot.get_updates(
                    offset=self._offset, timeout=self.timeout, allowed_updates=ALLOWED_UPDATES
                )
                pause = 0.5
            except (InvalidToken, Conflict):
                raise  # a wrong token, or another process polls this bot: say so and stop
            except NetworkError as exc:
                log.warning("getUpdates failed (%s); again in %.1f s", exc.message, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, NETWORK_RETRY_MAX)
                continue
            if not batch:
                continue
            await self._keep(batch)
            self._offset = batch[-1].update_id + 1

    async def _keep(self, batch: Sequence[Update]) -> None:
        saving = asyncio.create_task(self._keep_until_kept(arrivals(batch)))
        try:
            await asyncio.wait_for(asyncio.shield(saving), SLOW_SAVE_NOTICE)
        except TimeoutError:
            await self._tell_saving(batch)
            await saving

    async def _keep_until_kept(self, rows: Sequence[updates.Arrival]) -> None:
        pause = 0.5
        while True:
            try:
                await self.take_in(rows, self.deps.clock.now())
                return
            except Exception as exc:
                log.warning(
                    "could not keep %d fetched updates (%r); again in %.1f s",
                    len(rows),
                    exc,
                    pause,
                )
            await asyncio.sleep(pause)
            pause = min(pause * 2, KEEP_RETRY_MAX)

    async def _tell_saving(self, batch: Sequence[Update]) -> None:
        """Tell each sender (once per chat) that their answer is being saved."""
        chats: dict[int, str | None] = {}
        for update in batch:
            if update.effective_chat is not None:
                user = update.effective_user
                chats.setdefault(update.effective_chat.id, user.language_code if user else None)
        for chat_id, language in chats.items():
            t = self.deps.translator(pick_language(language, self.deps.settings.default_language))
            try:
                await self.bot.send_message(chat_id, t("common.saving"), parse_mode=ParseMode.HTML)
            except TelegramError as exc:
                log.warning("could not tell chat %s its answer is being saved: %s", chat_id, exc)
