"""The Graph API endpoints the simulator serves, under any ``/v<major>.<minor>`` prefix:

* ``POST /{phone_id}/messages``: send a message, or mark one read (``status: read``);
* ``POST /{phone_id}/media``: upload a file (multipart: file, type, messaging_product);
* ``GET /{media_id}``: the media's URL (valid for ``media_url_lifetime`` by ``clock``);
  ``DELETE /{media_id}``; ``GET /{phone_id}``: the phone number;
* ``GET /whatsapp_business/attachments/?mid=...``: download through such a URL.

Every call needs ``Authorization: Bearer <token>`` (401, code 190 otherwise); an unknown
phone number or object id is answered 400, code 100. Refused messages are listed in
``rejected``, throttled ones in ``throttled``, accepted calls in ``sent_calls``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.simulator.whatsapp.limits import IMAGE_TYPES, check_message
from bot.simulator.whatsapp.rates import pair_rate_error, throughput_error
from bot.simulator.whatsapp.records import (
    FAILURE_TITLES,
    GraphCall,
    GraphError,
    StoredMedia,
    Undelivered,
    WaMessage,
    invalid,
)
from bot.simulator.whatsapp.webhooks import WebhookSender

__all__ = ["MAX_DOCUMENT_SIZE", "MAX_IMAGE_SIZE", "GraphApi"]

MAX_IMAGE_SIZE = 5 * 1024 * 1024
MAX_DOCUMENT_SIZE = 100 * 1024 * 1024
SYNC_FAILURES = frozenset({130429, 131056})
_VERSION = r"{version:v\d+\.\d+}"

_Handler = Callable[[web.Request], Awaitable[Any]]


def _no_object(object_id: str, method: str = "get") -> GraphError:
    return GraphError(
        400,
        100,
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
        subcode=33,
    )


class GraphApi(WebhookSender):
    """Serve the Graph API endpoints on top of the simulator's state and webhooks."""

    _media_urls: dict[str, tuple[str, float]]  # hash -> (media id, expiry timestamp)

    def _routes(self, app: web.Application) -> None:
        self._media_urls = {}
        add = app.router.add_route
        add("POST", f"/{_VERSION}/{{phone_id}}/messages", self._wrap(self._messages_call))
        add("POST", f"/{_VERSION}/{{phone_id}}/media", self._wrap(self._upload))
        add("GET", f"/{_VERSION}/{{object_id}}", self._wrap(self._get_object))
        add("DELETE", f"/{_VERSION}/{{object_id}}", self._wrap(self._delete_object))
        add("GET", "/whatsapp_business/attachments/", self._wrap(self._download))
        add("*", "/{tail:.*}", self._wrap(self._unknown))

    def _wrap(self, handler: _Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def serve(request: web.Request) -> web.StreamResponse:
            try:
                self._authorize(request)
                result = await handler(request)
            except GraphError as exc:
                return web.json_response(exc.to_json(), status=exc.status)
            if isinstance(result, web.StreamResponse):
                return result
            return web.json_response(result)

        return serve

    def _authorize(self, request: web.Request) -> None:
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else request.query.get("access_token")
        if token != self.token:
            raise GraphError(401, 190, "Invalid OAuth access token - Cannot parse access token")

    def _check_phone(self, request: web.Request) -> None:
        if request.match_info["phone_id"] != self.phone_id:
            raise _no_object(request.match_info["phone_id"], request.method.lower())

    async def _unknown(self, request: web.Request) -> Any:
        self.rejected.append(f"unsupported endpoint: {request.method} {request.path}")
        raise GraphError(400, 100, f"Unsupported {request.method.lower()} request: {request.path}")

    # ------------------------------------------------------------------ messages

    def _recipient(self, payload: dict[str, Any]) -> tuple[str, dict[str, str]]:
        to, recipient = payload.get("to"), payload.get("recipient")
        if isinstance(to, str | int) and str(to):
            wa_id = "".join(ch for ch in str(to) if ch.isdigit())
            if not wa_id:
                raise invalid(f"recipient phone number {to!r} is not valid", 131009)
            return wa_id, {"input": str(to), "wa_id": wa_id}
        if isinstance(recipient, str) and recipient in self._bsuids:
            return self._bsuids[recipient], {"input": recipient, "user_id": recipient}
        if recipient is not None:
            raise invalid(f"recipient {recipient!r} is not a known business-scoped user id")
        raise invalid("The parameter to is required.")

    async def _messages_call(self, request: web.Request) -> Any:
        self._check_phone(request)
        try:
            payload = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise invalid("the request body is not JSON") from None
        if not isinstance(payload, dict):
            raise invalid("the request body must be a JSON object")
        self._activity.set()
        if payload.get("status") == "read":
            return self._mark_read(payload)
        try:
            wa_id, contact = self._recipient(payload)
            message = check_message(payload, self.media, self.templates)
        except GraphError as exc:
            target = payload.get("to") or payload.get("recipient")
            self.rejected.append(f"message to {target}: {exc.details}")
            raise
        forced = self._failures.get(wa_id)
        code = forced.popleft() if forced else None
        try:
            if code in SYNC_FAILURES:
                make = throughput_error if code == 130429 else pair_rate_error
                raise make(f"forced by fail_next({wa_id!r}, {code})")
            self._rates.check(
                wa_id,
                now=self.rate_clock(),
                throughput=self.throughput,
                pair_burst=self.pair_burst,
                pair_window=self.pair_window,
            )
        except GraphError as exc:
            self.throttled.append(f"message to {wa_id}: ({exc.code}) {exc.details}")
            raise
        message.message_id, message.to, message.timestamp = self._new_wamid(), wa_id, self.clock()
        self.sent_calls.append(GraphCall("messages", payload, wa_id, message.message_id))
        if code is None and message.kind != "template" and not self.in_window(wa_id):
            code = 131047
        if code is not None:
            self._fail(message, code)
        else:
            self._deliver(message)
        sent: dict[str, str] = {"id": message.message_id}
        if message.kind == "template":
            sent["message_status"] = "accepted"
        return {"messaging_product": "whatsapp", "contacts": [contact], "messages": [sent]}

    def _deliver(self, message: WaMessage) -> None:
        self._messages.setdefault(message.to, []).append(message)
        self._events.append(message)
        for listener in list(self.listeners):
            listener(message)
        if self.report_statuses:
            message.status = "sent"
            self._report(message)

    def _fail(self, message: WaMessage, code: int) -> None:
        title = FAILURE_TITLES.get(code, ("Simulated failure", ""))[0]
        self.undelivered.append(Undelivered(message, code, title))
        self._report_failure(message, code)

    def _mark_read(self, payload: dict[str, Any]) -> Any:
        message_id = payload.get("message_id")
        if not isinstance(message_id, str) or message_id not in self._inbound_ids:
            self.rejected.append(f"mark as read: {message_id!r} is not a received message id")
            raise invalid(f"message_id {message_id!r} is not a message this number received")
        self.read_marks.append(message_id)
        if isinstance(payload.get("typing_indicator"), dict):
            self.typing_indicators.append(message_id)
        self.sent_calls.append(GraphCall("read", payload, message_id=message_id))
        return {"success": True}

    # ------------------------------------------------------------------ media

    async def _upload(self, request: web.Request) -> Any:
        self._check_phone(request)
        form = await request.post()
        upload = form.get("file")
        if form.get("messaging_product") != "whatsapp":
            raise invalid("messaging_product must be 'whatsapp'")
        if not isinstance(upload, web.FileField):
            raise invalid("The parameter file is required.")
        declared = form.get("type")
        mime = declared if isinstance(declared, str) and declared else upload.content_type
        data = upload.file.read()
        limit = MAX_IMAGE_SIZE if mime.startswith("image/") else MAX_DOCUMENT_SIZE
        problem = None
        if mime.startswith("image/") and mime not in IMAGE_TYPES:
            problem = f"image type {mime} is not supported (image/jpeg, image/png)"
        elif len(data) > limit:
            problem = f"{upload.filename} is {len(data)} bytes; the limit for {mime} is {limit}"
        if problem is not None:
            self.rejected.append(f"upload: {problem}")
            raise invalid(problem)
        stored = self.store_media(data, mime, upload.filename, "business")
        self.uploads.append((upload.filename, mime, stored.size))
        info = {"filename": upload.filename, "mime": mime, "size": stored.size}
        self.sent_calls.append(GraphCall("media", info, message_id=stored.media_id))
        return {"id": stored.media_id}

    def _media_info(self, stored: StoredMedia) -> dict[str, Any]:
        expires = (self.clock() + self.media_url_lifetime).timestamp()
        key = secrets.token_urlsafe(12)
        self._media_urls[key] = (stored.media_id, expires)
        url = (
            f"{self.api_url}/whatsapp_business/attachments/"
            f"?mid={stored.media_id}&ext={int(expires)}&hash={key}"
        )
        return {
            "url": url,
            "mime_type": stored.mime,
            "sha256": stored.sha256,
            "file_size": stored.size,
            "id": stored.media_id,
            "messaging_product": "whatsapp",
        }

    async def _get_object(self, request: web.Request) -> Any:
        object_id = request.match_info["object_id"]
        if object_id == self.phone_id:
            self.sent_calls.append(GraphCall("phone", {}))
            return {
                "id": self.phone_id,
                "display_phone_number": self.display_phone_number,
                "verified_name": "Simulator",
                "quality_rating": "GREEN",
            }
        stored = self.media.get(object_id)
        if stored is None:
            raise _no_object(object_id)
        self.sent_calls.append(GraphCall("media_url", {"id": object_id}))
        return self._media_info(stored)

    async def _delete_object(self, request: web.Request) -> Any:
        object_id = request.match_info["object_id"]
        if self.media.pop(object_id, None) is None:
            raise _no_object(object_id, "delete")
        self.sent_calls.append(GraphCall("media_delete", {"id": object_id}))
        return {"success": True}

    async def _download(self, request: web.Request) -> Any:
        found = self._media_urls.get(request.query.get("hash", ""))
        stored = self.media.get(found[0]) if found else None
        if found is None or stored is None or request.query.get("mid") != found[0]:
            raise GraphError(404, 100, "Media URL is not valid", details="unknown media URL")
        if self.clock().timestamp() >= found[1]:
            raise GraphError(404, 100, "Media URL expired", details="the media URL has expired")
        self.sent_calls.append(GraphCall("media_download", {"id": stored.media_id}))
        return web.Response(body=stored.data, headers={"Content-Type": stored.mime})
