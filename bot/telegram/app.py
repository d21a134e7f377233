"""One bot process on Telegram: the database, the inbox worker, updates by polling or by
webhook, and the reminder sweep on PTB's JobQueue."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, cast

from telegram import BotCommand
from telegram.ext import ApplicationBuilder, ContextTypes, ExtBot

from bot import web
from bot.app import close_database, make_deps, open_database
from bot.context import DEPS_KEY, BotApplication, BotContext
from bot.deps import Deps
from bot.inbox import InboxWorker
from bot.settings import Settings
from bot.telegram import webhook
from bot.telegram.channel import TelegramChannel
from bot.telegram.polling import ALLOWED_UPDATES, Poller
from bot.telegram.requests import CHANNEL
from bot.telegram.transport import AiohttpRequest
from bot.views import ROLE_COMMANDS
from models.clock import Clock
from models.db import transaction
from models.services import updates
from scheduler import sweep

log = logging.getLogger(__name__)
COMMANDS = ROLE_COMMANDS["pengusul"]
# Long enough that a slow Bot API is waited for rather than asked twice (a retried send that
# had in fact arrived would show the user the same message twice).
SEND_TIMEOUT = 30.0


def build_ptb(deps: Deps) -> BotApplication:
    """Return the PTB Application that holds the bot and runs the JobQueue (updates come
    through the inbox, not through PTB's updater)."""
    settings = deps.settings
    bot: ExtBot[None] = ExtBot(
        settings.require_token().get_secret_value(),
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        request=AiohttpRequest(
            connection_pool_size=32, timeout=SEND_TIMEOUT, media_timeout=SEND_TIMEOUT * 2
        ),
        get_updates_request=AiohttpRequest(connection_pool_size=1, timeout=SEND_TIMEOUT),
    )
    app = cast(
        BotApplication,
        ApplicationBuilder()
        .bot(bot)
        .updater(None)
        .context_types(ContextTypes(context=BotContext))
        .build(),
    )
    app.bot_data[DEPS_KEY] = deps
    return app


class TelegramRuntime:
    """A bot process: start, run until stopped, stop (as a test or ``bot.py run`` does)."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        deps: Deps | None = None,
        webhook_mode: bool | None = None,
        poll_timeout: int = 10,
    ) -> None:
        self.deps = deps or make_deps(settings, clock=clock)
        self.settings = settings
        self.app = build_ptb(self.deps)
        # one set of sending limits for answers, notices and reminders of this process
        self.limiter = sweep.make_limiter(self.deps)
        self.app.bot_data[sweep.LIMITER_KEY] = self.limiter
        self.channel = TelegramChannel(self.deps, self.app.bot, self.limiter.acquire_reply)
        self.worker = InboxWorker(
            self.deps.session_factory,
            {CHANNEL: self.channel},
            concurrency=settings.inbox_concurrency,
            lease=settings.inbox_lease_seconds,
        )
        self.webhook_mode = bool(settings.webhook_url) if webhook_mode is None else webhook_mode
        self.poller: Poller | None = None
        self.web: web.WebServer | None = None
        if self.webhook_mode:
            assert settings.webhook_secret is not None  # the settings refuse a webhook without
            secret = settings.webhook_secret.get_secret_value()
            routes = [webhook.routes(self.deps, secret, self.worker)]
            self.web = web.WebServer(
                web.build(self.deps, routes), host=settings.webhook_listen, port=settings.port
            )
        else:
            self.poller = Poller(self.deps, self.app.bot, self.worker.take_in, timeout=poll_timeout)

    async def prepare(self) -> None:
        """Open the database, say hello to Telegram and schedule the sweep (nothing runs
        yet)."""
        deps = self.deps
        await open_database(deps)
        await self._take_over_claims()
        await self.app.initialize()
        deps.bot_username = self.app.bot.username
        await self._set_commands()
        sweep.schedule(self.app, deps)

    async def start(self) -> None:
        """Prepare, then start the JobQueue, the worker and the intake (polling or the web
        server)."""
        await self.prepare()
        await self.app.start()
        await self.worker.start()
        if self.web is not None:
            await self.web.start()
            if self.settings.webhook_url:
                await self._set_webhook()
        if self.poller is not None:
            await self.app.bot.delete_webhook()  # a webhook set earlier would refuse polling
            await self.poller.start()

    async def stop(self) -> None:
        """Stop taking updates in, finish what runs, and close everything."""
        if self.poller is not None:
            await self.poller.stop()
        if self.web is not None:
            await self.web.stop()
        await self.worker.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        await close_database(self.deps)

    async def run_until_stopped(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set or polling fails for good (a wrong token, a webhook
        set elsewhere: raised after everything is closed)."""
        await self.start()
        stopped = asyncio.create_task(stop.wait())
        waits: set[asyncio.Future[Any]] = {stopped}
        if self.poller is not None and self.poller.task is not None:
            waits.add(self.poller.task)
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            failed = self.poller.failure() if self.poller is not None else None
            await self.stop()
        if failed is not None:
            raise failed

    async def _take_over_claims(self) -> None:
        """SQLite means one process: claims left by a process that died are void now."""
        if self.settings.database_url.startswith("sqlite"):
            async with transaction(self.deps.session_factory()) as session:
                await updates.release_all(session)

    async def _set_commands(self) -> None:
        bot = self.app.bot
        for language in ("id", "en"):
            t = self.deps.translator(language)
            commands = [BotCommand(c, t.plain(f"command.{c}")) for c in COMMANDS]
            await bot.set_my_commands(commands, language_code=None if language == "id" else "en")

    async def _set_webhook(self) -> None:
        assert self.settings.webhook_url is not None and self.settings.webhook_secret is not None
        await self.app.bot.set_webhook(
            url=self.settings.webhook_url.rstrip("/") + webhook.PATH,
            secret_token=self.settings.webhook_secret.get_secret_value(),
            allowed_updates=list(ALLOWED_UPDATES),
        )
