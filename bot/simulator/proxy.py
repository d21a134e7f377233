"""A loopback reverse proxy: the stand-in for the Caddy in front of several bot processes
(deploy/Caddyfile). Requests go round-robin to the backends; a backend that does not answer
(its process was killed) is skipped for the next one, as Caddy's ``lb_try_duration`` does.
If none answers, the platform gets 502 and sends the update again later."""

from __future__ import annotations

import itertools
import logging

import aiohttp
from aiohttp import web

from bot.simulator.served import Served

log = logging.getLogger(__name__)
HOP_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


class LoopbackProxy(Served):
    """Forward every request to one of ``backends`` (base URLs), round-robin."""

    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self._turn = itertools.count()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0
        self.forwarded: dict[str, int] = {b: 0 for b in backends}

    @property
    def url(self) -> str:
        """Return the proxy's base URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Listen on a free loopback port."""
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._client is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        first = next(self._turn)
        for n in range(len(self.backends)):
            backend = self.backends[(first + n) % len(self.backends)]
            try:
                async with self._client.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    content = await answer.read()
                    self.forwarded[backend] += 1
                    return web.Response(
                        status=answer.status, body=content, content_type=answer.content_type
                    )
            except (aiohttp.ClientConnectionError, OSError) as exc:
                log.debug("backend %s did not answer: %r", backend, exc)
        return web.Response(status=502)
