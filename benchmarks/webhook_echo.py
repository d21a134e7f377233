"""The floor of webhook_throughput.py: the least a webhook bot can do with an update.

Run by the benchmark as a process of its own, with the bot's environment variables
(TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL, WEBHOOK_URL, WEBHOOK_SECRET, PORT). It listens on
127.0.0.1:PORT, registers WEBHOOK_URL/telegram with setWebhook, and for each POST with the
right secret answers 200 at once and then sends one sendMessage (the update's text) to its
chat: aiohttp on both sides, no database, no PTB. GET /healthz answers 200.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import aiohttp
from aiohttp import web

PATH = "/telegram"  # as bot/telegram/webhook.py
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class EchoBot:
    """Answers each webhook update with one message to its chat."""

    def __init__(self, api: str, secret: str, client: aiohttp.ClientSession) -> None:
        self.api = api
        self.secret = secret
        self.client = client
        self.sending: set[asyncio.Task[None]] = set()

    async def call(self, method: str, params: dict[str, Any]) -> None:
        """Call a Bot API method and read its answer."""
        async with self.client.post(f"{self.api}/{method}", json=params) as answer:
            await answer.read()

    async def receive(self, request: web.Request) -> web.Response:
        """Answer 200 and send the echo in the background."""
        if request.headers.get(SECRET_HEADER) != self.secret:
            return web.Response(status=403)
        body = await request.json()
        message = body.get("message") if isinstance(body, dict) else None
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            params = {"chat_id": message["chat"]["id"], "text": message.get("text") or "ok"}
            task = asyncio.create_task(self.call("sendMessage", params))
            self.sending.add(task)
            task.add_done_callback(self.sending.discard)
        return web.Response(status=200)


async def healthz(_request: web.Request) -> web.Response:
    """Always 200."""
    return web.Response(status=200)


async def main() -> None:
    """Serve until SIGTERM or SIGINT."""
    env = os.environ
    api = env["TELEGRAM_API_URL"] + env["TELEGRAM_BOT_TOKEN"]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    connector = aiohttp.TCPConnector(limit=32)  # the bot's pool size (bot/telegram/app.py)
    async with aiohttp.ClientSession(connector=connector) as client:
        bot = EchoBot(api, env["WEBHOOK_SECRET"], client)
        app = web.Application()
        app.router.add_post(PATH, bot.receive)
        app.router.add_get("/healthz", healthz)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", int(env["PORT"])).start()
        webhook = {"url": env["WEBHOOK_URL"].rstrip("/") + PATH, "secret_token": bot.secret}
        await bot.call("setWebhook", webhook)
        await stop.wait()
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
