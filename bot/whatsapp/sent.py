"""What the WhatsApp channel keeps of what it sent: the record a delivery status finds, the
screen it showed (to show again, or to send as a template), and the type of a file."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.forms.screens import Button, Screen, TemplateHint
from models.db import transaction
from models.whatsapp_tables import WhatsAppSent

MIME_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".csv": "text/csv",
    ".zip": "application/zip",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".mp4": "video/mp4",
}


def mime_of(filename: str) -> str:
    """Return the content type of a file the bot sends, by its name (the bot names them)."""
    suffix = filename[filename.rfind(".") :].lower() if "." in filename else ""
    return MIME_TYPES.get(suffix, "application/octet-stream")


def kept(screen: Screen) -> dict[str, Any]:
    """Return a screen as JSON, to keep with the messages that showed it."""
    hint = screen.template
    return {
        "text": screen.text,
        "buttons": [[[b.label, b.data] for b in row] for row in screen.buttons],
        "kind": hint.kind if hint is not None else None,
        "values": [list(v) for v in hint.values] if hint is not None else [],
    }


def unkept(data: dict[str, Any]) -> Screen:
    """Return a screen kept with a sent message."""
    rows = [[Button(str(label), str(payload)) for label, payload in row] for row in data["buttons"]]
    hint = None
    if data.get("kind"):
        hint = TemplateHint(str(data["kind"]), tuple((str(k), str(v)) for k, v in data["values"]))
    return Screen(str(data["text"]), rows, template=hint)


async def remember(
    deps: Deps, message_ids: list[str], to: str, user_id: int | None, *, purpose: str,
    screen: dict[str, Any] | None = None, template: bool = False,
) -> None:  # fmt: skip
    """Record messages sent for someone, so their delivery statuses find them."""
    if not message_ids:
        return
    now = deps.clock.now()
    async with transaction(deps.session_factory()) as session:
        session.add_all(
            WhatsAppSent(
                message_id=message_id,
                user_id=user_id,
                wa_id=to,
                purpose=purpose,
                template=template,
                status="accepted",
                screen=screen,
                sent_at=now,
                updated_at=now,
            )
            for message_id in message_ids
        )
