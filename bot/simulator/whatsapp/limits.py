"""WhatsApp's limits on what a business sends, and the check of a /messages body against them.

check_message() turns an accepted body into a WaMessage (message_id and to left for the caller)
or raises the GraphError Meta would answer. Lengths are counted in characters (Python len).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.simulator.whatsapp.markup import strip_markup
from bot.simulator.whatsapp.records import (
    Document,
    GraphError,
    StoredMedia,
    WaButton,
    WaLocation,
    WaMessage,
    invalid,
)
from bot.simulator.whatsapp.templates import TemplateBook, check_template

__all__ = [
    "MAX_BUTTONS",
    "MAX_BUTTON_ID",
    "MAX_BUTTON_TITLE",
    "MAX_CAPTION",
    "MAX_HEADER",
    "MAX_INTERACTIVE_BODY",
    "MAX_LIST_BUTTON",
    "MAX_ROWS",
    "MAX_ROW_DESCRIPTION",
    "MAX_ROW_ID",
    "MAX_ROW_TITLE",
    "MAX_SECTIONS",
    "MAX_SECTION_TITLE",
    "MAX_TEXT",
    "check_message",
]

MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_HEADER = 60
MAX_FOOTER = 60
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_LIST_BUTTON = 20
MAX_SECTIONS = 10
MAX_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_SECTION_TITLE = 24
MAX_ROW_ID = 200
MAX_CAPTION = 1024
IMAGE_TYPES = frozenset({"image/jpeg", "image/png"})

Media = Mapping[str, StoredMedia]


def _obj(parent: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise invalid(f"The parameter {where} is required and must be an object.")
    return value


def _text(
    parent: dict[str, Any], key: str, where: str, limit: int, *, code: int = 100
) -> str | None:
    """Return parent[key] (None when absent), refusing non-strings and texts over limit."""
    value = parent.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"{where} must be a string", code)
    if len(value) > limit:
        raise invalid(f"{where} is {len(value)} characters; the limit is {limit}", code)
    return value


def _required(parent: dict[str, Any], key: str, where: str, limit: int, *, code: int = 100) -> str:
    value = _text(parent, key, where, limit, code=code)
    if value is None or not value.strip():
        raise invalid(f"{where} is required and must not be empty", code)
    return value


def _text_message(payload: dict[str, Any]) -> WaMessage:
    text = _obj(payload, "text", "text")
    body = _required(text, "body", "text.body", MAX_TEXT)
    message = WaMessage("", "", "text", raw=body, text=strip_markup(body))
    message.preview_url = bool(text.get("preview_url", False))
    return message


def _media_ref(obj: dict[str, Any], kind: str, media: Media) -> tuple[StoredMedia | None, str]:
    """Return the stored media an object names by id, or None and its link."""
    media_id, link = obj.get("id"), obj.get("link")
    if (media_id is None) == (link is None):
        raise invalid(f"{kind} needs exactly one of id and link")
    if link is not None:
        if not isinstance(link, str) or not link.startswith(("http://", "https://")):
            raise invalid(f"{kind}.link must be an http(s) URL")
        return None, link
    stored = media.get(str(media_id))
    if stored is None:
        raise invalid(f"{kind}.id {media_id!r} is not a known media id (upload it first)")
    if kind == "image" and stored.mime not in IMAGE_TYPES:
        raise invalid(f"image media {media_id} is {stored.mime}, not image/jpeg or image/png")
    return stored, ""


def _attach(message: WaMessage, kind: str, obj: dict[str, Any], media: Media) -> None:
    stored, link = _media_ref(obj, kind, media)
    message.media_id = stored.media_id if stored else None
    message.link = link or None
    data = stored.data if stored else b""
    if kind == "image":
        message.photo = data
    elif kind == "document":
        filename = _text(obj, "filename", "document.filename", 240)
        default = stored.filename if stored else link.rsplit("/", 1)[-1]
        message.document = Document(
            filename or default or "document", data, stored.mime if stored else ""
        )


def _media_message(payload: dict[str, Any], kind: str, media: Media) -> WaMessage:
    obj = _obj(payload, kind, kind)
    caption = _text(obj, "caption", f"{kind}.caption", MAX_CAPTION) or ""
    message = WaMessage("", "", "photo" if kind == "image" else "document", caption, "")
    message.text = strip_markup(caption)
    _attach(message, kind, obj, media)
    return message


def _location_message(payload: dict[str, Any]) -> WaMessage:
    obj = _obj(payload, "location", "location")
    try:
        latitude, longitude = float(obj["latitude"]), float(obj["longitude"])
    except (KeyError, TypeError, ValueError):
        raise invalid("location.latitude and location.longitude must be numbers") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise invalid(f"location ({latitude}, {longitude}) is out of range")
    name = _text(obj, "name", "location.name", 1000)
    address = _text(obj, "address", "location.address", 1000)
    shown = "\n".join(part for part in (name, address) if part)
    message = WaMessage("", "", "location", raw=shown, text=shown)
    message.location = WaLocation(latitude, longitude, name, address)
    return message


def _reply_buttons(action: dict[str, Any]) -> list[list[WaButton]]:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        count = len(buttons) if isinstance(buttons, list) else 0
        raise invalid(f"reply buttons: {count} given; 1 to {MAX_BUTTONS} allowed", 131009)
    rows: list[list[WaButton]] = []
    for button in buttons:
        if not isinstance(button, dict) or button.get("type") != "reply":
            raise invalid("each button must be an object of type reply", 131009)
        reply = _obj(button, "reply", "button.reply")
        title = _required(reply, "title", "reply button title", MAX_BUTTON_TITLE, code=131009)
        button_id = _required(reply, "id", "reply button id", MAX_BUTTON_ID, code=131009)
        rows.append([WaButton(title, button_id, kind="reply")])
    titles = [row[0].title for row in rows]
    if len(set(titles)) != len(titles):
        raise invalid(f"reply button titles must be unique; got {titles}", 131009)
    ids = [row[0].id for row in rows]
    if len(set(ids)) != len(ids):
        raise invalid(f"reply button ids must be unique; got {ids}", 131009)
    return rows


def _list_rows(message: WaMessage, action: dict[str, Any]) -> None:
    message.list_button = _required(
        action, "button", "list button label", MAX_LIST_BUTTON, code=131009
    )
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= MAX_SECTIONS:
        count = len(sections) if isinstance(sections, list) else 0
        raise invalid(f"list sections: {count} given; 1 to {MAX_SECTIONS} allowed", 131009)
    for section in sections:
        if not isinstance(section, dict):
            raise invalid("each list section must be an object", 131009)
        title = _text(section, "title", "list section title", MAX_SECTION_TITLE, code=131009)
        if len(sections) > 1 and not title:
            raise invalid("list section title is required when there are several sections", 131009)
        message.sections.append(title)
        rows = section.get("rows")
        if not isinstance(rows, list) or not rows:
            raise invalid(f"list section {title!r} has no rows", 131009)
        for row in rows:
            if not isinstance(row, dict):
                raise invalid("each list row must be an object", 131009)
            row_title = _required(row, "title", "list row title", MAX_ROW_TITLE, code=131009)
            row_id = _required(row, "id", "list row id", MAX_ROW_ID, code=131009)
            description = _text(
                row, "description", "list row description", MAX_ROW_DESCRIPTION, code=131009
            )
            message.buttons.append([WaButton(row_title, row_id, description, kind="row")])
    total = len(message.buttons)
    if total > MAX_ROWS:
        raise invalid(f"list rows: {total} in all; at most {MAX_ROWS} allowed", 131009)
    ids = [button.id for button in message.all_buttons()]
    if len(set(ids)) != len(ids):
        raise invalid(f"list row ids must be unique; got {ids}", 131009)


def _interactive_message(payload: dict[str, Any], media: Media) -> WaMessage:
    obj = _obj(payload, "interactive", "interactive")
    kind = obj.get("type")
    if kind not in ("button", "list"):
        raise invalid(f"interactive type {kind!r} is not simulated (button and list are)")
    body = _required(
        _obj(obj, "body", "interactive.body"), "text", "interactive body", MAX_INTERACTIVE_BODY
    )
    message = WaMessage("", "", "buttons" if kind == "button" else "list", body, "")
    message.text = strip_markup(body)
    header = obj.get("header")
    if isinstance(header, dict):
        htype = header.get("type")
        if htype == "text":
            message.header = _required(header, "text", "header text", MAX_HEADER)
        elif kind == "button" and htype in ("image", "document", "video"):
            _attach(message, str(htype), _obj(header, str(htype), f"header.{htype}"), media)
        else:
            raise invalid(f"header type {htype!r} is not allowed for interactive {kind}")
    footer = obj.get("footer")
    if isinstance(footer, dict):
        message.footer = _text(footer, "text", "footer text", MAX_FOOTER)
    action = _obj(obj, "action", "interactive.action")
    if kind == "button":
        message.buttons = _reply_buttons(action)
    else:
        _list_rows(message, action)
    return message


def check_message(payload: dict[str, Any], media: Media, templates: TemplateBook) -> WaMessage:
    """Check a /messages body against WhatsApp's limits; return the message it describes."""
    if payload.get("messaging_product") != "whatsapp":
        raise invalid("messaging_product must be 'whatsapp'")
    if payload.get("recipient_type", "individual") != "individual":
        raise invalid("only recipient_type 'individual' is simulated")
    kind = payload.get("type", "text")
    message: WaMessage
    if kind == "text":
        message = _text_message(payload)
    elif kind == "interactive":
        message = _interactive_message(payload, media)
    elif kind in ("image", "document"):
        message = _media_message(payload, str(kind), media)
    elif kind == "location":
        message = _location_message(payload)
    elif kind == "template":
        message = check_template(payload, templates)
    else:
        raise GraphError(
            400, 100, f"(#100) Message type {kind!r} is not simulated", details=str(kind)
        )
    context = payload.get("context")
    if isinstance(context, dict) and isinstance(context.get("message_id"), str):
        message.context_id = context["message_id"]
    tracker = payload.get("biz_opaque_callback_data")
    message.tracker = tracker if isinstance(tracker, str) else None
    message.payload = payload
    return message
