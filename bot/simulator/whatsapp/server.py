"""Serve a loopback stand-in for the WhatsApp Cloud API (Graph API) and simulate WhatsApp
users writing to a bot.

The parts: records.py (what the simulator keeps and hands to tests), markup.py (WhatsApp's
text formatting), limits.py and templates.py (what a business may send), rates.py
(throughput and pair rate), state.py (the simulator's state, the 24-hour window and waiting
for the bot), webhooks.py (signed webhooks to the bot), api.py (the Graph endpoints),
inbound.py and users.py (the simulated users). This module starts and stops the server and
makes users.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.simulator.served import Served
from bot.simulator.whatsapp.api import MAX_DOCUMENT_SIZE, GraphApi
from bot.simulator.whatsapp.users import WaUser

__all__ = ["WhatsAppSimulator"]


class WhatsAppSimulator(GraphApi, Served):
    """Imitate the WhatsApp Cloud API over loopback HTTP and let tests act as users.

    Point the bot's Graph client at ``f"{sim.api_url}/v22.0"`` with ``sim.token`` and
    ``sim.phone_id``, set ``sim.webhook_url`` to the bot's webhook and ``sim.attach()`` the
    bot; then ``await sim.user("6281234567890").send("halo")`` returns what the bot answered.
    """

    _users: dict[str, WaUser]

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on host:port (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        app = web.Application(client_max_size=MAX_DOCUMENT_SIZE + 1024 * 1024)
        self._routes(app)
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop serving; webhooks still in flight are abandoned."""
        tasks = list(self._posts)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        self._port = None

    def user(self, wa_id: str, *, name: str = "Budi", language: str | None = None) -> WaUser:
        """Return the simulated user with this WhatsApp id (digits, e.g. 6281234567890),
        creating it if new; later calls return the same object."""
        if not hasattr(self, "_users"):
            self._users = {}
        existing = self._users.get(wa_id)
        if existing is not None:
            return existing
        if not wa_id.isdigit():
            raise ValueError(f"a WhatsApp id is the phone number in digits, not {wa_id!r}")
        created = WaUser(self, wa_id, name=name, language=language)
        self._users[wa_id] = created
        self._register(created.contact)
        return created
