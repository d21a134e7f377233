"""Kept WhatsApp webhook updates as neutral requests: who, and a command, an answer or a
button; and the inbox rows a webhook body becomes (one per message and per status)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, Final, Literal

from pywa_async.client import WhatsApp
from pywa_async.types.base_update import RawUpdate
from pywa_async.types.callback import CallbackButton, CallbackSelection
from pywa_async.types.message import Message

from bot.forms.screens import Incoming, IncomingFile
from bot.whatsapp.render import CONTACT_ID
from handlers.core import Identity, Request
from models.services import updates
from models.services.users import WHATSAPP

CHANNEL: Final = WHATSAPP
STATUS_PREFIX: Final = "status:"
# what the bot sends for others carries its purpose here, and so do its statuses
TRACKER: Final = "biz_opaque_callback_data"
OPEN_ID: Final = "wa:open"  # a template's quick reply that shows the message it stands for


def _address(contact: dict[str, Any]) -> str:
    """The person's key: the business-scoped user id, else the WhatsApp id."""
    return str(contact.get("user_id") or contact.get("wa_id") or "")


def _one(entry: dict[str, Any], change: dict[str, Any], value: dict[str, Any], **part: Any) -> Any:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": entry.get("id"), "changes": [{"field": change["field"], "value": part | {
            "messaging_product": "whatsapp", "metadata": value.get("metadata", {})}}]}],
    }  # fmt: skip


def arrivals(body: Any) -> list[updates.Arrival] | None:
    """Return the inbox rows of a webhook body (each message and status on its own, keyed by
    its id, so Meta's retries are kept once), or None if it is no WhatsApp update. Of the
    statuses, those of answers (no tracker) are kept only when they say failed."""
    if not isinstance(body, dict) or not isinstance(body.get("entry"), list):
        return None
    found: list[updates.Arrival] = []
    for entry in body["entry"]:
        for change in entry.get("changes", []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            contacts = [c for c in value.get("contacts", []) if isinstance(c, dict)]
            for message in value.get("messages", []):
                sender = str(message.get("from") or "")
                contact = next(
                    (c for c in contacts if sender in (c.get("wa_id"), c.get("user_id"))),
                    contacts[0] if contacts else {"wa_id": sender},
                )
                whom = _address(contact) or sender
                one = _one(entry, change, value, contacts=[contact], messages=[message])
                found.append(updates.Arrival(CHANNEL, str(message["id"]), f"{CHANNEL}:{whom}", one))
            for status in value.get("statuses", []):
                if status.get("status") != "failed" and not status.get(TRACKER):
                    continue  # sent, delivered, read of an answer: nothing keeps it
                key = f"{STATUS_PREFIX}{status['id']}:{status['status']}"
                whom = str(status.get("recipient_user_id") or status.get("recipient_id") or "")
                one = _one(entry, change, value, statuses=[status])
                found.append(updates.Arrival(CHANNEL, key, f"{CHANNEL}:status:{whom}", one))
    return found


def raw_update(payload: dict[str, Any]) -> RawUpdate:
    """Return a kept update as pywa's raw update (its parser takes bytes)."""
    data = json.dumps(payload).encode()
    return RawUpdate(data, hmac_header=None, update_hash="")


def _fetcher(media: Any) -> Callable[[], Awaitable[bytes]]:
    async def fetch() -> bytes:
        # a fresh URL each time: the one WhatsApp hands out lives five minutes
        return bytes(await media.get_bytes())

    return fetch


def _file(kind: Literal["photo", "document"], media: Any, filename: str) -> Incoming:
    file = IncomingFile(
        kind=kind,
        filename=filename,
        mime_type=str(media.mime_type or "application/octet-stream"),
        size=0,  # WhatsApp says the size only when asked for the URL: checked once fetched
        unique_id=str(media.sha256) if media.sha256 else None,
        fetch=_fetcher(media),
    )
    return Incoming("file", file=file)


def incoming_from_message(message: Message) -> Incoming:
    """Turn a WhatsApp message into a channel-independent answer."""
    if message.text is not None:
        return Incoming("text", text=message.text)
    if message.location is not None:
        loc = message.location
        return Incoming("location", latitude=loc.latitude, longitude=loc.longitude)
    if message.contacts:
        phones = message.contacts[0].phones
        return Incoming("contact", text=(phones[0].phone or "") if phones else "")
    if message.document is not None:
        doc = message.document
        name = doc.filename or f"dokumen-{doc.id}"
        return _file("document", doc, name)
    if message.image is not None:
        return _file("photo", message.image, f"foto-{message.image.id}.jpg")
    return Incoming("other")


def to_request(
    client: WhatsApp, payload: dict[str, Any], *, replayed: bool = False
) -> Request | None:
    """Return the neutral request of a kept message, or None for what the bot does not
    answer (reactions, edits, system messages)."""
    update = raw_update(payload)
    message = update["entry"][0]["changes"][0]["value"]["messages"][0]
    kind = message.get("type")
    interactive = message.get("interactive", {}).get("type") if kind == "interactive" else None
    contact = update["entry"][0]["changes"][0]["value"]["contacts"][0]
    address = _address(contact)
    who = Identity(CHANNEL, address, address, None)
    key = str(message["id"])
    if interactive == "button_reply" or kind == "button":
        pressed = CallbackButton.from_update(client, update)
        if pressed.data == OPEN_ID:  # which message: the one the button was on
            quoted = pressed.reply_to_message.id if pressed.reply_to_message else ""
            return Request(who, key, payload=f"{OPEN_ID}:{quoted}", replayed=replayed)
        if pressed.data == CONTACT_ID:
            number = "+" + str(contact.get("wa_id") or "")
            return Request(who, key, answer=Incoming("contact", text=number), replayed=replayed)
        return Request(who, key, payload=str(pressed.data), replayed=replayed)
    if interactive == "list_reply":
        chosen = CallbackSelection.from_update(client, update)
        return Request(who, key, payload=str(chosen.data), replayed=replayed)
    if kind in ("reaction", "system", "edit", "revoke", "interactive"):
        return None
    return Request(
        who,
        key,
        answer=incoming_from_message(Message.from_update(client, update)),
        replayed=replayed,
    )
