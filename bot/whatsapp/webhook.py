"""``/whatsapp``: Meta's verification handshake (GET) and updates (POST), each kept in the
inbox before it is acknowledged.

A POST without a valid ``X-Hub-Signature-256`` (HMAC-SHA256 of the body with the app secret)
gets 401 or 403 and changes nothing. If the database does not take the update in time the
answer is 503 and Meta sends it again; a message sent twice is kept once (by its id).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from aiohttp import web
from pywa_async.client import WhatsApp

from bot.deps import Deps
from bot.inbox import InboxWorker
from bot.whatsapp.requests import arrivals

log = logging.getLogger(__name__)
PATH = "/whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
KEEP_TIMEOUT = 15.0
MAX_BODY = 1024 * 1024  # a webhook body is a few KB; media come by id


def routes(deps: Deps, client: WhatsApp, worker: InboxWorker) -> Callable[[web.Application], None]:
    """Return what adds ``/whatsapp`` to the web application."""

    async def verify(request: web.Request) -> web.Response:
        if request.query.get("hub.mode") != "subscribe":
            return web.Response(status=403)
        body, status = await client.webhook_challenge_handler(
            request.query.get("hub.verify_token"), request.query.get("hub.challenge")
        )
        return web.Response(status=status, text=body or "")

    async def receive(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        body = await request.read()
        refused = await client.webhook_update_validator(body, request.headers.get(SIGNATURE_HEADER))
        if refused is not None:
            return web.Response(status=refused[1])
        try:
            kept = arrivals(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError):
            kept = None
        if kept is None:
            return web.Response(status=400)
        if not kept:
            return web.Response(status=200)  # another field (templates, account): nothing to do
        try:
            async with asyncio.timeout(KEEP_TIMEOUT):
                await worker.take_in(kept, deps.clock.now())
        except Exception as exc:
            log.warning(
                "WhatsApp update not kept (%s); Meta will send it again", type(exc).__name__
            )
            return web.Response(status=503)
        return web.Response(status=200)

    def add(app: web.Application) -> None:
        app.router.add_get(PATH, verify)
        app.router.add_post(PATH, receive)

    return add
