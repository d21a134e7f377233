"""The web server for everything that comes in: channel webhooks and ``/healthz``.

One aiohttp application on ``WEBHOOK_LISTEN``:``PORT``; each channel adds its routes
(``/telegram``; later ``/whatsapp`` and the catalog). A webhook request is answered only after
its update is kept in the inbox, so an update the platform saw acknowledged is never lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web

from bot.deps import Deps
from models import db

log = logging.getLogger(__name__)
HEALTH_TIMEOUT = 5.0
MAX_BODY = 1024 * 1024  # a webhook body is small; anything bigger is refused

Route = Callable[[web.Application], None]


def build(deps: Deps, routes: list[Route]) -> web.Application:
    """Return the web application with /healthz and each channel's routes."""
    app = web.Application(client_max_size=MAX_BODY)

    async def healthz(_request: web.Request) -> web.Response:
        """200 when the database answers and its schema is current; 503 otherwise."""
        try:
            assert deps.engine is not None
            async with asyncio.timeout(HEALTH_TIMEOUT):
                current = await db.schema_is_current(deps.engine)
        except Exception as exc:
            log.warning("health check: database not reachable (%s)", exc.__class__.__name__)
            return web.json_response({"database": "unreachable"}, status=503)
        if not current:
            return web.json_response({"database": "ok", "migrations": "behind"}, status=503)
        return web.json_response({"database": "ok", "migrations": "current"})

    app.router.add_get("/healthz", healthz)
    for add in routes:
        add(app)
    return app


class WebServer:
    """Runs the web application on a host and port until stopped."""

    def __init__(self, app: web.Application, *, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen (port 0: a free one, read back into ``port``)."""
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=5.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = int(self._runner.addresses[0][1])
        log.info("listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        """Stop listening, finishing requests in flight."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
