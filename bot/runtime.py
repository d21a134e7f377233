"""One bot process: the database, the inbox worker, the channels that are configured
(Telegram by polling or webhook, WhatsApp by webhook), the web server and the reminder sweep
on PTB's JobQueue."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import BotCommand

from bot import web
from bot.app import close_database, make_deps, open_database
from bot.catalog import web as catalog_web
from bot.channels import Channels
from bot.context import BotApplication
from bot.deps import Deps
from bot.inbox import InboxWorker, Processor
from bot.settings import Settings
from bot.telegram import webhook
from bot.telegram.app import COMMANDS, build_ptb
from bot.telegram.channel import TelegramChannel
from bot.telegram.polling import ALLOWED_UPDATES, Poller
from bot.telegram.requests import CHANNEL as TELEGRAM
from bot.whatsapp import webhook as wa_webhook
from bot.whatsapp.channel import WhatsAppChannel
from bot.whatsapp.client import build_client
from bot.whatsapp.requests import CHANNEL as WHATSAPP
from models.clock import Clock
from models.db import transaction
from models.services import updates
from scheduler import sweep
from scheduler.delivery import BURST

log = logging.getLogger(__name__)


class BotRuntime:
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
        self.channels = Channels(self.deps)
        processors: dict[str, Processor] = {}
        self.app: BotApplication | None = None
        self.telegram: TelegramChannel | None = None
        if settings.telegram_enabled:
            self.app = build_ptb(self.deps)
            # one set of sending limits for answers, notices and reminders of this process
            self.limiter = sweep.make_limiter(self.deps)
            self.app.bot_data[sweep.LIMITER_KEY] = self.limiter
            self.telegram = TelegramChannel(
                self.deps, self.app.bot, self.channels, self.limiter.acquire_reply
            )
            self.channels.add(TELEGRAM, self.telegram)
            processors[TELEGRAM] = self.telegram
        self.whatsapp: WhatsAppChannel | None = None
        if settings.whatsapp_enabled:
            # WhatsApp refuses what goes past its rate (130429): the burst counts within it
            wa_rate = max(1.0, settings.whatsapp_send_rate_per_second - BURST)
            self.wa_limiter = sweep.make_limiter(self.deps, per_second=wa_rate)
            client, http = build_client(settings)
            self.whatsapp = WhatsAppChannel(
                self.deps, client, self.channels, self.wa_limiter.acquire_reply, http
            )
            self.channels.add(WHATSAPP, self.whatsapp)
            processors[WHATSAPP] = self.whatsapp
            if self.app is not None:
                self.app.bot_data[sweep.WHATSAPP_KEY] = self.whatsapp
        self.worker = InboxWorker(
            self.deps.session_factory,
            processors,
            concurrency=settings.inbox_concurrency,
            lease=settings.inbox_lease_seconds,
        )
        wants_webhook = bool(settings.webhook_url) if webhook_mode is None else webhook_mode
        self.webhook_mode = wants_webhook and self.app is not None
        self.poller: Poller | None = None
        routes: list[web.Route] = []
        if self.webhook_mode:
            assert settings.webhook_secret is not None  # the settings refuse a webhook without
            secret = settings.webhook_secret.get_secret_value()
            routes.append(webhook.routes(self.deps, secret, self.worker))
        elif self.app is not None:
            self.poller = Poller(self.deps, self.app.bot, self.worker.take_in, timeout=poll_timeout)
        if self.whatsapp is not None:
            routes.append(wa_webhook.routes(self.deps, self.whatsapp.client, self.worker))
        self.scheduler: AsyncIOScheduler | None = None  # the sweep's, without PTB's JobQueue
        self.web: web.WebServer | None = None
        if routes:
            routes.append(catalog_web.routes(self.deps))  # the public catalog, /katalog
            self.web = web.WebServer(
                web.build(self.deps, routes), host=settings.webhook_listen, port=settings.port
            )

    @property
    def ptb(self) -> BotApplication:
        """Return the PTB Application (a process without Telegram has none)."""
        assert self.app is not None, "Telegram is not configured"
        return self.app

    @property
    def channel(self) -> TelegramChannel:
        """Return the Telegram channel (a process without it has none)."""
        assert self.telegram is not None, "Telegram is not configured"
        return self.telegram

    async def prepare(self) -> None:
        """Open the database, say hello to Telegram and schedule the sweep (nothing runs
        yet)."""
        deps = self.deps
        await open_database(deps)
        await self._take_over_claims()
        if self.app is not None:
            await self.app.initialize()
            deps.bot_username = self.app.bot.username
            await self._set_commands(self.app)
            sweep.schedule(self.app, deps)
        elif self.whatsapp is not None:
            self.scheduler = sweep.schedule_without_telegram(deps, self.whatsapp)

    async def start(self) -> None:
        """Prepare, then start the JobQueue, the worker and the intake (polling and the web
        server)."""
        await self.prepare()
        if self.app is not None:
            await self.app.start()
        if self.scheduler is not None:
            self.scheduler.start()
        await self.worker.start()
        if self.web is not None:
            await self.web.start()
            if self.webhook_mode and self.settings.webhook_url:
                await self._set_webhook()
        if self.poller is not None and self.app is not None:
            await self.app.bot.delete_webhook()  # a webhook set earlier would refuse polling
            await self.poller.start()

    async def stop(self) -> None:
        """Stop taking updates in, finish what runs, and close everything."""
        if self.poller is not None:
            await self.poller.stop()
        if self.web is not None:
            await self.web.stop()
        await self.worker.stop()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.app is not None:
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()
        if self.whatsapp is not None:
            await self.whatsapp.close()
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

    async def _set_commands(self, app: BotApplication) -> None:
        for language in ("id", "en"):
            t = self.deps.translator(language)
            commands = [BotCommand(c, t.plain(f"command.{c}")) for c in COMMANDS]
            lang = None if language == "id" else "en"
            await app.bot.set_my_commands(commands, language_code=lang)

    async def _set_webhook(self) -> None:
        assert self.settings.webhook_url is not None and self.settings.webhook_secret is not None
        assert self.app is not None
        await self.app.bot.set_webhook(
            url=self.settings.webhook_url.rstrip("/") + webhook.PATH,
            secret_token=self.settings.webhook_secret.get_secret_value(),
            allowed_updates=list(ALLOWED_UPDATES),
        )
