"""The state of the simulated WhatsApp Cloud API: its identity (token, phone number id, app
secret...), its settings, what it recorded, the media it stores, each user's 24-hour window,
and the wait until the bot has handled everything it was sent."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from aiohttp import web

from bot.simulator.updates import Joinable
from bot.simulator.whatsapp.rates import (
    DEFAULT_PAIR_BURST,
    DEFAULT_PAIR_WINDOW,
    DEFAULT_THROUGHPUT,
    SendRates,
)
from bot.simulator.whatsapp.records import (
    Contact,
    GraphCall,
    StoredMedia,
    Undelivered,
    WaMessage,
    WebhookPost,
)
from bot.simulator.whatsapp.templates import WaTemplate

__all__ = ["DEFAULT_TIMEOUT", "QUIET_PERIOD", "SERVICE_WINDOW", "SimulatorState"]

DEFAULT_TIMEOUT = 10.0
QUIET_PERIOD = 0.3
SERVICE_WINDOW = timedelta(hours=24)
MEDIA_URL_LIFETIME = timedelta(minutes=5)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SimulatorState:
    """Hold everything the simulated Cloud API knows; the other parts build on it."""

    def __init__(
        self,
        *,
        token: str = "SIMULATOR-ACCESS-TOKEN",
        phone_id: str = "109876543210987",
        app_secret: str = "simulator-app-secret",
        verify_token: str = "simulator-verify-token",
        waba_id: str = "102938475610293",
        display_phone_number: str = "6281100000000",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """Set up the simulator (start() serves it). clock returns the current UTC time; it
        decides the 24-hour window, media URL expiry and timestamps (default: real time)."""
        self._token = token
        self._phone_id = phone_id
        self._app_secret = app_secret
        self._verify_token = verify_token
        self._waba_id = waba_id
        self._display_phone_number = display_phone_number
        self.clock: Callable[[], datetime] = clock or _utcnow
        self.rate_clock: Callable[[], float] = time.monotonic
        self.webhook_url: str | None = None
        self.default_timeout = DEFAULT_TIMEOUT
        self.templates: dict[tuple[str, str], str | WaTemplate] = {}
        self.report_statuses = False
        self.duplicate_all = False
        self.throughput = DEFAULT_THROUGHPUT
        self.pair_burst = DEFAULT_PAIR_BURST
        self.pair_window = DEFAULT_PAIR_WINDOW
        self.webhook_attempts = 4
        self.webhook_retry_delay = 0.05  # seconds before the first retry; doubles each time
        self.status_delay = 0.02  # seconds between the API's answer and its status webhooks
        self.media_url_lifetime = MEDIA_URL_LIFETIME
        self.rejected: list[str] = []
        # called with each message delivered to a user, as it is delivered
        self.listeners: list[Callable[[WaMessage], None]] = []
        self.throttled: list[str] = []
        self.uploads: list[tuple[str, str, int]] = []
        self.sent_calls: list[GraphCall] = []
        self.undelivered: list[Undelivered] = []
        self.read_marks: list[str] = []
        self.typing_indicators: list[str] = []
        self.webhook_posts: list[WebhookPost] = []
        self.dropped_webhooks: list[bytes] = []
        self.media: dict[str, StoredMedia] = {}
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._contacts: dict[str, Contact] = {}
        self._bsuids: dict[str, str] = {}
        self._messages: dict[str, list[WaMessage]] = {}
        self._events: list[WaMessage] = []
        self._last_inbound: dict[str, datetime] = {}
        self._inbound_ids: set[str] = set()
        self._failures: dict[str, deque[int]] = {}
        self._rates = SendRates()
        self._joinable: Joinable | None = None
        self._posts: set[asyncio.Task[None]] = set()
        self._activity = asyncio.Event()
        self._prefix = secrets.token_hex(5).upper()
        self._media_base = 10**14 + secrets.randbelow(9 * 10**14)
        self._counter = 0

    # ------------------------------------------------------------------ identity

    @property
    def token(self) -> str:
        """Return the access token the API accepts (``Authorization: Bearer <token>``)."""
        return self._token

    @property
    def phone_id(self) -> str:
        """Return the business phone number id (the path element before /messages)."""
        return self._phone_id

    @property
    def app_secret(self) -> str:
        """Return the app secret that signs webhooks (X-Hub-Signature-256)."""
        return self._app_secret

    @property
    def verify_token(self) -> str:
        """Return the verify token of the webhook subscription handshake."""
        return self._verify_token

    @property
    def waba_id(self) -> str:
        """Return the WhatsApp Business Account id (entry[0].id of every webhook)."""
        return self._waba_id

    @property
    def display_phone_number(self) -> str:
        """Return the business number users see (metadata.display_phone_number)."""
        return self._display_phone_number

    @property
    def port(self) -> int:
        """Return the TCP port the simulator listens on."""
        if self._port is None:
            raise RuntimeError("simulator is not running; call start() first")
        return self._port

    @property
    def api_url(self) -> str:
        """Return the Graph API root without a version, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self._host}:{self.port}"

    # ------------------------------------------------------------------ records

    def messages(self, wa_id: str) -> list[WaMessage]:
        """Return every message delivered to wa_id, in order."""
        return list(self._messages.get(wa_id, []))

    def attach(self, joinable: Joinable | None) -> None:
        """Tell the simulator how to know the bot has handled what it received: an object
        with ``async def join()`` that returns once the bot has handled every webhook it
        accepted. With None, an action waits until its webhooks were answered and the bot
        then made no API call for QUIET_PERIOD seconds."""
        self._joinable = joinable

    def fail_next(self, wa_id: str, code: int, *, times: int = 1) -> None:
        """Make the next ``times`` messages to wa_id fail with code: 130429 and 131056 are
        refused by the API at once (and recorded in ``throttled``); any other code (131026
        undeliverable, 131047 re-engagement...) is accepted, not delivered, and reported by a
        ``failed`` status webhook."""
        self._failures.setdefault(wa_id, deque()).extend([code] * times)

    def mark_inbound(self, wa_id: str) -> None:
        """Record that ``wa_id`` wrote to the business just now (its 24-hour window opens),
        as for a person who used the bot before a test begins."""
        self._last_inbound[wa_id] = self.clock()

    def in_window(self, wa_id: str) -> bool:
        """Return whether wa_id wrote to the business within the last 24 hours (by clock)."""
        last = self._last_inbound.get(wa_id)
        return last is not None and self.clock() - last <= SERVICE_WINDOW

    def store_media(
        self,
        data: bytes,
        mime: str,
        filename: str | None = None,
        uploaded_by: Literal["business", "user"] = "user",
    ) -> StoredMedia:
        """Store a media file and return it with its new (numeric) media id."""
        self._counter += 1
        media_id = str(self._media_base + self._counter)
        digest = hashlib.sha256(data).hexdigest()
        stored = StoredMedia(media_id, data, mime, filename, digest, uploaded_by)
        self.media[media_id] = stored
        return stored

    # ------------------------------------------------------------------ helpers

    def _register(self, contact: Contact) -> None:
        self._contacts[contact.wa_id] = contact
        self._bsuids[contact.bsuid] = contact.wa_id

    def _new_wamid(self) -> str:
        self._counter += 1
        return f"wamid.SIM{self._prefix}{self._counter:07d}"

    def _timestamp(self) -> str:
        return str(int(self.clock().timestamp()))

    def _collect(self, wa_id: str, start: int) -> list[WaMessage]:
        return [message for message in self._events[start:] if message.to == wa_id]

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._posts.add(task)
        task.add_done_callback(self._posts.discard)

    async def wait_idle(self, max_wait: float | None = None) -> None:
        """Wait until every webhook in flight was answered and the bot handled them all."""
        limit = self.default_timeout if max_wait is None else max_wait
        try:
            async with asyncio.timeout(limit):
                while True:
                    while self._posts:
                        await asyncio.wait(set(self._posts))
                    if self._joinable is not None:
                        await self._joinable.join()
                    else:
                        await self._wait_quiet()
                    if not self._posts:  # handling may have caused status webhooks
                        return
        except TimeoutError:
            raise TimeoutError(f"the bot did not finish handling within {limit} s") from None

    async def _wait_quiet(self) -> None:
        while True:
            self._activity.clear()
            try:
                async with asyncio.timeout(QUIET_PERIOD):
                    await self._activity.wait()
            except TimeoutError:
                return
