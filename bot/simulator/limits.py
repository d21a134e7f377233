"""Telegram's limits, and the checks of what the bot sends against them: text and caption
lengths and formatting, inline and reply keyboards, callback data, reply targets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.simulator.chats import _Chat
from bot.simulator.html import HtmlParseError, parse_html
from bot.simulator.records import BotApiError, Button

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_UPLOAD_SIZE = 50 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"

_INLINE_ACTION_KEYS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


@dataclass
class _Markup:
    buttons: list[list[Button]] = field(default_factory=list)
    inline_keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    reply_keyboard: list[list[str]] | None = None
    one_time: bool = False
    keyboard_change: bool = False
    contact_buttons: set[str] = field(default_factory=set)


def _valid_button_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "tg":
        return bool(parts.netloc or parts.path)
    if parts.scheme not in ("http", "https"):
        return False
    host = parts.hostname or ""
    return "." in host and host != "localhost" and not host.startswith("127.")


def target_message_id(params: dict[str, Any]) -> int:
    if "inline_message_id" in params:
        raise BotApiError(400, "Bad Request: inline messages are not simulated")
    message_id = params.get("message_id")
    if not isinstance(message_id, int):
        raise BotApiError(400, "Bad Request: message identifier is not specified")
    return message_id


def format_text(
    text: str, parse_mode: Any, entities: Any
) -> tuple[str, list[dict[str, Any]], str | None]:
    mode = parse_mode if isinstance(parse_mode, str) and parse_mode else None
    if mode is None:
        given = entities if isinstance(entities, list) else []
        return text, [e for e in given if isinstance(e, dict)], None
    lowered = mode.lower()
    if lowered == "html":
        try:
            parsed = parse_html(text)
        except HtmlParseError as exc:
            raise BotApiError(400, f"Bad Request: can't parse entities: {exc.reason}") from None
        return parsed.text, parsed.entities, mode
    if lowered in ("markdown", "markdownv2"):
        return text, [], mode
    raise BotApiError(400, f"Bad Request: unsupported parse_mode {mode!r}")


def text_content(params: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]], str | None]:
    text = params.get("text")
    if not isinstance(text, str) or not text:
        raise BotApiError(400, "Bad Request: message text is empty")
    plain, entities, mode = format_text(text, params.get("parse_mode"), params.get("entities"))
    if not plain.strip():
        raise BotApiError(400, "Bad Request: message text is empty")
    if len(plain) > MAX_TEXT_LENGTH:
        raise BotApiError(400, "Bad Request: message is too long")
    return text, plain, entities, mode


def caption_content(params: dict[str, Any]) -> tuple[str, str, list[dict[str, Any]], str | None]:
    caption = params.get("caption")
    if not isinstance(caption, str) or not caption:
        return "", "", [], None
    plain, entities, mode = format_text(
        caption, params.get("parse_mode"), params.get("caption_entities")
    )
    if len(plain) > MAX_CAPTION_LENGTH:
        raise BotApiError(400, "Bad Request: message caption is too long")
    return caption, plain, entities, mode


def inline_keyboard(markup: Any) -> tuple[list[list[Button]], list[list[dict[str, Any]]]]:
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise BotApiError(
            400,
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be '
            "an Array of Arrays",
        )
    buttons: list[list[Button]] = []
    raw_rows: list[list[dict[str, Any]]] = []
    for row in rows:
        button_row: list[Button] = []
        raw_row: list[dict[str, Any]] = []
        for raw in row:
            if not isinstance(raw, dict):
                raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            text = raw.get("text")
            actions = [key for key in _INLINE_ACTION_KEYS if raw.get(key) is not None]
            if not isinstance(text, str) or not text.strip() or len(actions) != 1:
                raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            data = raw.get("callback_data")
            url = raw.get("url")
            if data is not None and (
                not isinstance(data, str)
                or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise BotApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if url is not None and (not isinstance(url, str) or not _valid_button_url(url)):
                raise BotApiError(
                    400,
                    f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL",
                )
            button_row.append(Button(text=text, callback_data=data, url=url))
            raw_row.append(dict(raw))
        if button_row:
            buttons.append(button_row)
            raw_rows.append(raw_row)
    return buttons, raw_rows


def reply_markup(params: dict[str, Any], *, edit: bool) -> _Markup:
    markup = params.get("reply_markup")
    result = _Markup()
    if markup is None:
        return result
    if not isinstance(markup, dict):
        raise BotApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        result.buttons, result.inline_keyboard = inline_keyboard(markup)
        return result
    if edit:
        raise BotApiError(400, "Bad Request: inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise BotApiError(
                400,
                'Bad Request: field "keyboard" of the ReplyKeyboardMarkup should be an '
                "Array of Arrays",
            )
        keyboard: list[list[str]] = []
        for row in rows:
            labels: list[str] = []
            for item in row:
                label = item.get("text") if isinstance(item, dict) else item
                if not isinstance(label, str) or not label.strip():
                    raise BotApiError(400, "Bad Request: keyboard button text is empty")
                if isinstance(item, dict) and item.get("request_contact"):
                    result.contact_buttons.add(label)
                labels.append(label)
            if labels:
                keyboard.append(labels)
        result.reply_keyboard = keyboard
        result.one_time = bool(markup.get("one_time_keyboard"))
        result.keyboard_change = True
    elif markup.get("remove_keyboard"):
        result.keyboard_change = True
    return result


def check_reply_target(params: dict[str, Any], chat: _Chat) -> None:
    reply = params.get("reply_parameters")
    target: Any = None
    allow_missing = bool(params.get("allow_sending_without_reply"))
    if isinstance(reply, dict):
        target = reply.get("message_id")
        allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
    elif params.get("reply_to_message_id") is not None:
        target = params.get("reply_to_message_id")
    if target is None or allow_missing:
        return
    if not isinstance(target, int) or (
        chat.find(target) is None and target not in chat.user_message_ids
    ):
        raise BotApiError(400, "Bad Request: message to be replied not found")
