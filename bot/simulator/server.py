"""Serve a loopback stand-in for the Telegram Bot API and simulate users chatting with a bot.

The parts: records.py (what the server keeps and hands to tests), chats.py (its state and
chats), limits.py (Telegram's limits and the checks of what the bot sends), updates.py (the
getUpdates queue and waiting until the bot has handled an update), messages.py, files.py and
commands.py (the Bot API methods), api.py (the HTTP surface and method table) and users.py
(the simulated users). This module starts and stops the server and makes users.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.simulator.api import HttpApi
from bot.simulator.chats import _Chat
from bot.simulator.limits import MAX_UPLOAD_SIZE
from bot.simulator.records import (
    ApiCall,
    BotApiError,
    Button,
    CallbackAnswer,
    Document,
    SentMessage,
)
from bot.simulator.served import Served
from bot.simulator.users import SimUser

__all__ = [
    "ApiCall",
    "BotApiError",
    "BotApiSimulator",
    "Button",
    "CallbackAnswer",
    "Document",
    "SentMessage",
    "SimUser",
]


class BotApiSimulator(HttpApi, Served):
    """Imitate the Telegram Bot API over loopback HTTP and let tests act as users.

    The constructor and the state are SimulatorState's (chats.py); the methods come from the
    parts named in this module's docstring.
    """

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on host:port (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])
        self._closing = False
        self._cond = asyncio.Condition()
        self._activity = asyncio.Event()

    async def stop(self) -> None:
        """Stop serving and release every long-polling request."""
        if self._runner is None:
            return
        self._closing = True
        async with self._cond:
            self._cond.notify_all()
        if self._delivery is not None:
            self._delivery.cancel()
            self._delivery = None
        runner, self._runner = self._runner, None
        await runner.cleanup()
        self._port = None

    @property
    def token(self) -> str:
        """Return the bot token the simulator accepts."""
        return self._token

    @property
    def port(self) -> int:
        """Return the TCP port the simulator listens on."""
        if self._port is None:
            raise RuntimeError("simulator is not running; call start() first")
        return self._port

    @property
    def api_url(self) -> str:
        """Return the base URL to pass to ApplicationBuilder().base_url()."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def file_url(self) -> str:
        """Return the base URL to pass to ApplicationBuilder().base_file_url()."""
        return f"http://{self._host}:{self.port}/file/bot"

    # ------------------------------------------------------------------ public helpers

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Budi",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        started: bool = False,
    ) -> SimUser:
        """Return the simulated user with this id, creating it and its private chat if new."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        sim_user = SimUser(
            self,
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = sim_user
        self._chats[user_id] = _Chat(chat_id=user_id, user=sim_user, started=started)
        return sim_user

    @property
    def unanswered_queries(self) -> list[str]:
        """Return ids of callback queries the bot never answered (the client keeps spinning)."""
        return list(self._pending_queries)
