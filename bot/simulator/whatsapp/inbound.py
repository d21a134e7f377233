"""The pieces of what a simulated user sends: its business-scoped id, the button a label
names, and the inbound shapes of a tapped button, a shared contact, a sticker and an
unsupported message."""

from __future__ import annotations

import hashlib
from typing import Any

from bot.simulator.whatsapp.records import ButtonKind, WaButton, WaMessage

__all__ = [
    "STICKER",
    "UNSUPPORTED_ERROR",
    "bsuid_for",
    "contact_cards",
    "find_button",
    "kind_for",
    "reply_content",
]

_COUNTRIES = {"62": "ID", "60": "MY", "65": "SG", "61": "AU", "44": "GB", "1": "US"}
STICKER = b"RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00"
UNSUPPORTED_ERROR: dict[str, Any] = {
    "code": 131051,
    "title": "Message type unknown",
    "message": "Message type unknown",
    "error_data": {"details": "Message type is currently not supported."},
}


def bsuid_for(wa_id: str) -> str:
    """Return the business-scoped user id (BSUID) the simulator gives wa_id, e.g. ID.1234."""
    country = next((c for p, c in _COUNTRIES.items() if wa_id.startswith(p)), "ZZ")
    return f"{country}.{int(hashlib.sha256(wa_id.encode()).hexdigest()[:15], 16)}"


def find_button(message: WaMessage, label: str) -> WaButton:
    """Return the button of message whose title or description is label, else the only one
    whose title contains it (ignoring case), else the only one whose description does; raise
    AssertionError naming the choices otherwise."""
    buttons = message.all_buttons()
    exact = [b for b in buttons if label in (b.title, b.description)]
    if exact:
        return exact[0]
    folded = label.casefold()
    partial = [b for b in buttons if folded in b.title.casefold()] or [
        b for b in buttons if folded in (b.description or "").casefold()
    ]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise AssertionError(
            f"label {label!r} matches several buttons of message {message.message_id}: "
            f"{[b.label for b in partial]}"
        )
    raise AssertionError(
        f"no button {label!r} in message {message.message_id}; available: {message.button_labels()}"
    )


def kind_for(message: WaMessage) -> ButtonKind:
    """Return the kind of button a raw id pressed on message is taken for."""
    kinds: dict[str, ButtonKind] = {"list": "row", "template": "quick_reply"}
    return kinds.get(message.kind, "reply")


def reply_content(button: WaButton) -> tuple[str, dict[str, Any]]:
    """Return the inbound type and content of tapping button: ``button`` {payload, text}
    for a quick reply, interactive ``list_reply`` or ``button_reply`` otherwise."""
    if button.kind == "quick_reply":
        return "button", {"payload": button.id, "text": button.title}
    if button.kind == "row":
        row = {"id": button.id, "title": button.title}
        if button.description is not None:
            row["description"] = button.description
        return "interactive", {"type": "list_reply", "list_reply": row}
    reply = {"id": button.id, "title": button.title}
    return "interactive", {"type": "button_reply", "button_reply": reply}


def contact_cards(phone: str, name: str) -> list[dict[str, Any]]:
    """Return the ``contacts`` content sharing one contact with one phone number."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return [
        {
            "name": {"formatted_name": name, "first_name": name},
            "phones": [{"phone": phone, "wa_id": digits, "type": "CELL"}],
        }
    ]
