"""``POST /telegram``: an update from Telegram, kept in the inbox before it is acknowledged.

A request without the right ``X-Telegram-Bot-Api-Secret-Token`` gets 403 and changes nothing.
If the database does not take the update in time the answer is 503, and Telegram sends it
again later; an update sent twice is kept once (unique by its update id).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.deps import Deps
from bot.inbox import InboxWorker
from bot.telegram.requests import CHANNEL, chat_key
from models.services import updates

log = logging.getLogger(__name__)
PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
KEEP_TIMEOUT = 20.0  # Telegram waits about a minute; answer 503 well before


def parse(body: Any) -> updates.Arrival | None:
    """Return the inbox row of a webhook body, or None if it is no update."""
    if not isinstance(body, dict):
        return None
    update_id = body.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None
    return updates.Arrival(CHANNEL, str(update_id), chat_key(body), body)


def routes(deps: Deps, secret: str, worker: InboxWorker) -> Callable[[web.Application], None]:
    """Return what adds ``/telegram`` to the web application."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        try:
            arrival = parse(await request.json())
        except ValueError:
            arrival = None
        if arrival is None:
            return web.Response(status=400)
        try:
            async with asyncio.timeout(KEEP_TIMEOUT):
                await worker.take_in([arrival], deps.clock.now())
        except Exception as exc:
            log.warning(
                "update %s not kept (%r); Telegram will send it again", arrival.platform_id, exc
            )
            return web.Response(status=503)
        return web.Response(status=200)

    def add(app: web.Application) -> None:
        app.router.add_post(PATH, receive)

    return add
