"""The simulated WhatsApp users: each writes to the business number from its own phone,
sending text, photos, documents, locations and contacts and tapping buttons, list rows and
template quick replies. The interface matches the Telegram SimUser's common actions: each
action returns the messages the bot delivered to this user while handling it.

The fire_* variants post the webhook in the background and return its message id at once;
``await sim.wait_idle()`` waits until the bot has handled everything.
"""

from __future__ import annotations

from typing import Any

from bot.simulator.whatsapp.inbound import (
    STICKER,
    UNSUPPORTED_ERROR,
    bsuid_for,
    contact_cards,
    find_button,
    kind_for,
    reply_content,
)
from bot.simulator.whatsapp.records import Contact, WaButton, WaMessage
from bot.simulator.whatsapp.webhooks import WebhookSender

__all__ = ["WaUser"]


class WaUser:
    """Act as one WhatsApp user writing to the business phone number."""

    def __init__(self, sim: WebhookSender, wa_id: str, *, name: str, language: str | None) -> None:
        self.sim = sim
        self.wa_id = wa_id
        self.name = name
        # WhatsApp does not tell a business the user's language; kept for tests that need one
        self.language = language
        self.bsuid = bsuid_for(wa_id)
        self.timeout: float | None = None
        self._shown_from = 0  # where the bot's latest answer begins in messages

    @property
    def id(self) -> str:
        """Return the user's WhatsApp id (its phone number in international form)."""
        return self.wa_id

    @property
    def first_name(self) -> str:
        """Return the profile name (as SimUser.first_name)."""
        return self.name

    @property
    def contact(self) -> Contact:
        """Return how webhooks identify this user."""
        return Contact(self.wa_id, self.bsuid, self.name)

    @property
    def messages(self) -> list[WaMessage]:
        """Return every message delivered to this user, in order."""
        return self.sim.messages(self.wa_id)

    @property
    def last(self) -> WaMessage:
        """Return the latest message delivered to this user."""
        messages = self.messages
        if not messages:
            raise AssertionError(f"the bot has delivered no message to {self.wa_id}")
        return messages[-1]

    def latest_with_buttons(self) -> WaMessage | None:
        """Return the latest delivered message with reply buttons, list rows or quick replies."""
        for message in reversed(self.messages):
            if message.buttons:
                return message
        return None

    # ------------------------------------------------------------------ plumbing

    def _base(self, kind: str, content: dict[str, Any] | list[Any] | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {
            "from": self.wa_id,
            "id": self.sim._new_wamid(),
            "timestamp": self.sim._timestamp(),
            "type": kind,
        }
        if content is not None:
            message[kind] = content
        return message

    def _context(self, message: dict[str, Any], target: WaMessage) -> dict[str, Any]:
        message["context"] = {"from": self.sim.display_phone_number, "id": target.message_id}
        return message

    async def _act(self, message: dict[str, Any], duplicate: bool) -> list[WaMessage]:
        sim = self.sim
        start = len(sim._events)
        self._shown_from = len(self.messages)
        await sim._inbound(self.contact, message, wait=True, duplicate=duplicate)
        await sim.wait_idle(self.timeout)
        return sim._collect(self.wa_id, start)

    async def _fire(self, message: dict[str, Any], duplicate: bool) -> str:
        await self.sim._inbound(self.contact, message, wait=False, duplicate=duplicate)
        return str(message["id"])

    # ------------------------------------------------------------------ contents

    def _text(self, text: str, reply_to: WaMessage | None) -> dict[str, Any]:
        message = self._base("text", {"body": text})
        return self._context(message, reply_to) if reply_to is not None else message

    def _target(self, message: WaMessage | None) -> WaMessage:
        target = message if message is not None else self.latest_with_buttons()
        if target is None:
            raise AssertionError(f"no message with buttons was delivered to {self.wa_id}")
        if target.to != self.wa_id:
            raise AssertionError(f"message {target.message_id} was not sent to {self.wa_id}")
        return target

    def _reply(self, button: WaButton, target: WaMessage) -> dict[str, Any]:
        return self._context(self._base(*reply_content(button)), target)

    @property
    def answer(self) -> list[WaMessage]:
        """Return the messages the bot sent since this user's latest action began."""
        return self.messages[self._shown_from :]

    def on_screen(self) -> list[WaMessage]:
        """Return the messages with buttons of the bot's latest answer, newest first (a long
        list may come as a list and then buttons), or the latest one with buttons."""
        shown = [m for m in self.messages[self._shown_from :] if m.buttons]
        latest = self.latest_with_buttons()
        return list(reversed(shown)) or ([latest] if latest is not None else [])

    def _press(self, label: str, message: WaMessage | None) -> dict[str, Any]:
        if message is not None:
            target = self._target(message)
            return self._reply(find_button(target, label), target)
        candidates = self.on_screen()
        if not candidates:
            raise AssertionError(f"no message with buttons was delivered to {self.wa_id}")
        exact = [
            (b, m) for m in candidates for b in m.all_buttons() if label in (b.title, b.description)
        ]
        if exact:
            return self._reply(*exact[0])
        misses: list[AssertionError] = []
        for candidate in candidates:
            try:
                return self._reply(find_button(candidate, label), candidate)
            except AssertionError as miss:
                misses.append(miss)
        raise misses[0]

    def _press_id(self, button_id: str, message: WaMessage | None) -> dict[str, Any]:
        target = message or self.latest_with_buttons() or self.last
        found = [b for b in target.all_buttons() if b.id == button_id]
        if found:
            return self._reply(found[0], target)
        return self._reply(WaButton(button_id, button_id, kind=kind_for(target)), target)

    def _media(self, data: bytes, mime: str, filename: str | None) -> dict[str, Any]:
        stored = self.sim.store_media(data, mime, filename, "user")
        return {"mime_type": mime, "sha256": stored.sha256, "id": stored.media_id}

    def _photo(self, data: bytes, caption: str | None) -> dict[str, Any]:
        image = self._media(data, "image/jpeg", None)
        if caption:
            image["caption"] = caption
        return self._base("image", image)

    def _document(
        self, filename: str, data: bytes, mime_type: str, caption: str | None
    ) -> dict[str, Any]:
        document = {"filename": filename, **self._media(data, mime_type, filename)}
        if caption:
            document["caption"] = caption
        return self._base("document", document)

    def _location(
        self, latitude: float, longitude: float, name: str | None, address: str | None
    ) -> dict[str, Any]:
        location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
        if name:
            location["name"] = name
        if address:
            location["address"] = address
        return self._base("location", location)

    def _shared_contact(self, phone: str, name: str) -> dict[str, Any]:
        return self._base("contacts", contact_cards(phone, name))

    # ------------------------------------------------------------------ actions

    async def send(
        self, text: str, *, reply_to: WaMessage | None = None, duplicate: bool = False
    ) -> list[WaMessage]:
        """Send a text (quoting reply_to, if given); return the messages the bot delivered
        to this user while handling it."""
        return await self._act(self._text(text, reply_to), duplicate)

    async def press(
        self, label: str, *, message: WaMessage | None = None, duplicate: bool = False
    ) -> list[WaMessage]:
        """Tap the reply button, list row or quick reply whose title or description is label
        (else the one that contains it, ignoring case) in message (default: the latest with
        buttons); return the messages the bot delivered while handling it."""
        return await self._act(self._press(label, message), duplicate)

    async def press_id(
        self, button_id: str, message: WaMessage | None = None, *, duplicate: bool = False
    ) -> list[WaMessage]:
        """Send the reply of a button with this raw id (it need not exist: for forged or stale
        payloads), as a reply to message (default: latest with buttons, else the last)."""
        return await self._act(self._press_id(button_id, message), duplicate)

    async def press_data(self, data: str, message: WaMessage | None = None) -> list[WaMessage]:
        """Send a button's raw payload (SimUser's name for press_id)."""
        return await self.press_id(data, message)

    async def send_photo(
        self, data: bytes, caption: str | None = None, *, duplicate: bool = False
    ) -> list[WaMessage]:
        """Send a photo (image/jpeg, stored as user media)."""
        return await self._act(self._photo(data, caption), duplicate)

    async def send_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str,
        caption: str | None = None,
        *,
        duplicate: bool = False,
    ) -> list[WaMessage]:
        """Send a file (stored as user media)."""
        return await self._act(self._document(filename, data, mime_type, caption), duplicate)

    async def send_location(
        self,
        latitude: float,
        longitude: float,
        name: str | None = None,
        address: str | None = None,
        *,
        duplicate: bool = False,
    ) -> list[WaMessage]:
        """Share a location."""
        return await self._act(self._location(latitude, longitude, name, address), duplicate)

    async def send_contact(
        self, phone: str, name: str, *, duplicate: bool = False
    ) -> list[WaMessage]:
        """Share a contact card with one phone number."""
        return await self._act(self._shared_contact(phone, name), duplicate)

    async def send_sticker(self, *, duplicate: bool = False) -> list[WaMessage]:
        """Send a sticker, an input kind most bot flows do not expect."""
        sticker = {**self._media(STICKER, "image/webp", None), "animated": False}
        return await self._act(self._base("sticker", sticker), duplicate)

    async def send_unsupported(
        self, kind: str = "poll", *, duplicate: bool = False
    ) -> list[WaMessage]:
        """Send what the Cloud API reports as ``type: unsupported`` (error 131051)."""
        message = self._base("unsupported", {"type": kind})
        message["errors"] = [UNSUPPORTED_ERROR]
        return await self._act(message, duplicate)

    # ------------------------------------------------------------------ without waiting

    async def fire_text(
        self, text: str, *, reply_to: WaMessage | None = None, duplicate: bool = False
    ) -> str:
        """Post a text webhook without waiting for the bot; return its message id."""
        return await self._fire(self._text(text, reply_to), duplicate)

    async def fire_press(
        self, label: str, *, message: WaMessage | None = None, duplicate: bool = False
    ) -> str:
        """Tap a button (as press) without waiting; return the reply's message id."""
        return await self._fire(self._press(label, message), duplicate)

    async def fire_press_id(
        self, button_id: str, message: WaMessage | None = None, *, duplicate: bool = False
    ) -> str:
        """Send a raw button id (as press_id) without waiting; return the message id."""
        return await self._fire(self._press_id(button_id, message), duplicate)

    async def fire_photo(self, data: bytes, caption: str | None = None) -> str:
        """Post a photo without waiting; return its message id."""
        return await self._fire(self._photo(data, caption), False)

    async def fire_document(
        self, filename: str, data: bytes, mime_type: str, caption: str | None = None
    ) -> str:
        """Post a file without waiting; return its message id."""
        return await self._fire(self._document(filename, data, mime_type, caption), False)

    async def fire_location(self, latitude: float, longitude: float) -> str:
        """Post a shared location without waiting; return its message id."""
        return await self._fire(self._location(latitude, longitude, None, None), False)

    async def fire_contact(self, phone: str, name: str) -> str:
        """Post a shared contact without waiting; return its message id."""
        return await self._fire(self._shared_contact(phone, name), False)
