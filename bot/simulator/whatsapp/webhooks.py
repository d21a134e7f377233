"""Webhooks to the bot, as Meta sends them: ``POST webhook_url`` with the body signed by
``X-Hub-Signature-256: sha256=<hmac-sha256(app_secret, body)>``, in Meta's envelope
(``object: whatsapp_business_account`` / ``entry[0].changes[0]`` with ``field: messages``).

An answer other than 200 (or none) is tried again, ``webhook_attempts`` times in all, after
``webhook_retry_delay`` seconds doubling each time; a webhook never accepted is kept in
``dropped_webhooks``. Every attempt is recorded in ``webhook_posts``.

Delivering twice: ``duplicate=True`` on a user action, or ``duplicate_all`` for every webhook.
Out of order: inside ``async with sim.held() as batch:`` webhooks are held instead of posted;
``await batch.release([2, 0, 1])`` posts them in that order (a permutation of the held
indices; leaving the block releases what is still held in its original order).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aiohttp

from bot.simulator.whatsapp.records import FAILURE_TITLES, Contact, WaMessage, WebhookPost
from bot.simulator.whatsapp.state import SimulatorState

__all__ = ["HeldBatch", "WebhookSender"]

log = logging.getLogger(__name__)


class HeldBatch:
    """Webhooks held back by ``sim.held()``, to be posted later in a chosen order."""

    def __init__(self, sender: WebhookSender) -> None:
        self._sender = sender
        self.bodies: list[bytes] = []
        self.released = False

    def __len__(self) -> int:
        """Return how many webhooks are held."""
        return len(self.bodies)

    def payloads(self) -> list[dict[str, Any]]:
        """Return the held webhooks decoded from JSON, in the order they were made."""
        return [json.loads(body) for body in self.bodies]

    async def release(self, order: Sequence[int] | None = None) -> None:
        """Stop holding and post the held webhooks one by one in order (indices into
        ``bodies``; default: as made); each is awaited, retries included."""
        if self.released:
            raise RuntimeError("this batch was already released")
        indices = list(range(len(self.bodies))) if order is None else list(order)
        if sorted(indices) != list(range(len(self.bodies))):
            raise ValueError(f"order {indices} is not a permutation of 0..{len(self) - 1}")
        self.released = True
        if self._sender._held is self:
            self._sender._held = None
        for index in indices:
            await self._sender._post(self.bodies[index])


class WebhookSender(SimulatorState):
    """Build, sign and post webhooks; hold, duplicate and retry them."""

    _held: HeldBatch | None = None
    _client: aiohttp.ClientSession | None = None

    def sign(self, body: bytes) -> str:
        """Return the X-Hub-Signature-256 value Meta would send with body."""
        digest = hmac.new(self.app_secret.encode(), body, hashlib.sha256).hexdigest()
        return f"sha256={digest}"

    # ------------------------------------------------------------------ bodies

    def _envelope(self, value: dict[str, Any]) -> bytes:
        change = {
            "value": {
                "messaging_product": "whatsapp",
                "metadata": {
                    "display_phone_number": self.display_phone_number,
                    "phone_number_id": self.phone_id,
                },
                **value,
            },
            "field": "messages",
        }
        envelope = {
            "object": "whatsapp_business_account",
            "entry": [{"id": self.waba_id, "changes": [change]}],
        }
        return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()

    def _contact_json(self, wa_id: str) -> dict[str, Any]:
        contact = self._contacts.get(wa_id)
        if contact is None:
            return {"wa_id": wa_id}
        return {"profile": {"name": contact.name}, "wa_id": wa_id, "user_id": contact.bsuid}

    def _message_body(self, contact: Contact, message: dict[str, Any]) -> bytes:
        sender = {
            "profile": {"name": contact.name},
            "wa_id": contact.wa_id,
            "user_id": contact.bsuid,
        }
        return self._envelope({"contacts": [sender], "messages": [message]})

    def _status_body(self, message: WaMessage, status: str, code: int | None = None) -> bytes:
        entry: dict[str, Any] = {
            "id": message.message_id,
            "status": status,
            "timestamp": self._timestamp(),
            "recipient_id": message.to,
        }
        contact = self._contacts.get(message.to)
        if contact is not None:
            entry["recipient_user_id"] = contact.bsuid
        if message.tracker is not None:
            entry["biz_opaque_callback_data"] = message.tracker
        if code is not None:
            title, details = FAILURE_TITLES.get(code, ("Simulated failure", "Simulated failure"))
            entry["errors"] = [
                {
                    "code": code,
                    "title": title,
                    "message": title,
                    "error_data": {"details": details},
                    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                }
            ]
        elif status != "read":
            template = message.kind == "template"
            entry["pricing"] = {
                "billable": template,
                "pricing_model": "PMP",
                "category": "utility" if template else "service",
                "type": "regular" if template else "free_customer_service",
            }
        return self._envelope({"contacts": [self._contact_json(message.to)], "statuses": [entry]})

    # ------------------------------------------------------------------ posting

    def _session(self) -> aiohttp.ClientSession:
        if self._client is None or self._client.closed:
            self._client = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.default_timeout)
            )
        return self._client

    def _url(self) -> str:
        if not self.webhook_url:
            raise RuntimeError("sim.webhook_url is not set: where should webhooks go?")
        return self.webhook_url

    async def _post_once(self, body: bytes, signature: str | None) -> int | None:
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        try:
            async with self._session().post(self._url(), data=body, headers=headers) as answer:
                await answer.read()
                return answer.status
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.debug("webhook post failed: %r", exc)
            return None

    async def _post(self, body: bytes) -> bool:
        """Post body until it is answered 200 (webhook_attempts tries); report success."""
        delay = self.webhook_retry_delay
        for attempt in range(1, max(self.webhook_attempts, 1) + 1):
            status = await self._post_once(body, self.sign(body))
            self.webhook_posts.append(WebhookPost(body, status, attempt))
            if status == 200:
                return True
            if attempt < self.webhook_attempts:
                await asyncio.sleep(delay)
                delay *= 2
        log.warning("webhook dropped after %d attempts: %.200r", self.webhook_attempts, body)
        self.dropped_webhooks.append(body)
        return False

    async def _dispatch(self, bodies: list[bytes], *, wait: bool, duplicate: bool = False) -> None:
        """Post bodies in order (each twice when duplicating): awaited when wait, else in the
        background (wait_idle() waits for them); held instead while a batch is held."""
        copies = 2 if duplicate or self.duplicate_all else 1
        bodies = [body for body in bodies for _ in range(copies)]
        if self._held is not None:
            self._held.bodies.extend(bodies)
            return
        if wait:
            self._url()
            for body in bodies:
                await self._post(body)
            return
        self._spawn(self._post_each(bodies))

    async def _post_each(self, bodies: list[bytes], pause: float = 0.0) -> None:
        if pause:
            await asyncio.sleep(pause)
        for body in bodies:
            if not self.webhook_url:
                log.warning("no webhook_url: dropped %.200r", body)
                self.dropped_webhooks.append(body)
            elif not await self._post(body):
                return

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[HeldBatch]:
        """Hold every webhook made inside the block; see HeldBatch.release."""
        if self._held is not None:
            raise RuntimeError("webhooks are already held")
        batch = HeldBatch(self)
        self._held = batch
        try:
            yield batch
        finally:
            if self._held is batch:
                self._held = None
        if not batch.released:
            await batch.release()

    # ------------------------------------------------------------------ events

    async def _inbound(
        self, contact: Contact, message: dict[str, Any], *, wait: bool, duplicate: bool
    ) -> None:
        """Record an inbound message (it opens the 24-hour window) and post its webhook."""
        self._last_inbound[contact.wa_id] = self.clock()
        self._inbound_ids.add(message["id"])
        await self._dispatch([self._message_body(contact, message)], wait=wait, duplicate=duplicate)

    def _report(self, message: WaMessage) -> None:
        """Post the sent, delivered and read statuses of a delivered message, in turn."""
        bodies = [self._status_body(message, s) for s in ("sent", "delivered", "read")]
        self._spawn(self._progress(message, bodies))

    async def _progress(self, message: WaMessage, bodies: list[bytes]) -> None:
        await asyncio.sleep(self.status_delay)
        for status, body in zip(("sent", "delivered", "read"), bodies, strict=True):
            message.status = status
            copies = 2 if self.duplicate_all else 1
            if self._held is not None:
                self._held.bodies.extend([body] * copies)
                continue
            await self._post_each([body] * copies)

    def _report_failure(self, message: WaMessage, code: int) -> None:
        """Post the failed status of a message the API accepted but did not deliver."""
        message.status = "failed"
        body = self._status_body(message, "failed", code)
        copies = 2 if self.duplicate_all else 1
        if self._held is not None:
            self._held.bodies.extend([body] * copies)
            return
        self._spawn(self._post_each([body] * copies, self.status_delay))

    # ------------------------------------------------------------------ test helpers

    async def post_raw(self, body: bytes, signature: str | None) -> int:
        """POST body to the webhook once with this X-Hub-Signature-256 (None: no header) and
        return the HTTP status (0 when no answer came); for forged-request tests."""
        return await self._post_once(body, signature) or 0

    async def verify_webhook(
        self, *, token: str | None = None, challenge: str | None = None, mode: str = "subscribe"
    ) -> tuple[int, str]:
        """Perform Meta's subscription handshake (GET with hub.mode, hub.verify_token and
        hub.challenge; token defaults to verify_token) and return (status, body)."""
        params = {
            "hub.mode": mode,
            "hub.verify_token": self.verify_token if token is None else token,
            "hub.challenge": challenge or str(secrets.randbelow(10**9)),
        }
        async with self._session().get(self._url(), params=params) as answer:
            return answer.status, await answer.text()
