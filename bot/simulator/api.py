"""The HTTP surface of the simulated Bot API: reading a call's parameters the way Telegram
does, the method table, injected failures, call listeners, error replies and file downloads."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from aiohttp import web

from bot.simulator.chats import _Method
from bot.simulator.commands import CommandMethods
from bot.simulator.files import FileMethods
from bot.simulator.records import ApiCall, BotApiError, CallListener, Document, _Failure
from bot.simulator.updates import _RawJson
from bot.simulator.webhooks import WebhookDelivery

_LOGGER = logging.getLogger(__name__)


_JSON_KEYS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "allowed_updates",
        "scope",
        "menu_button",
        "link_preview_options",
        "reply_parameters",
        "media",
        "message_ids",
    }
)
_INT_KEYS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "message_thread_id",
        "cache_time",
        "user_id",
        "from_chat_id",
        "reply_to_message_id",
        "max_connections",
    }
)
_FLOAT_KEYS = frozenset({"timeout", "latitude", "longitude"})
_BOOL_KEYS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "show_caption_above_media",
        "has_spoiler",
        "disable_content_type_detection",
        "allow_paid_broadcast",
    }
)


def _decode_value(key: str, value: Any) -> Any:
    """Turn one form or JSON value into the Python value Telegram would see."""
    if isinstance(value, Document) or not isinstance(value, str):
        return value
    if key in _JSON_KEYS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    try:
        if key in _INT_KEYS:
            return int(value)
        if key in _FLOAT_KEYS:
            return float(value)
    except ValueError:
        return value
    if key in _BOOL_KEYS:
        return value.strip().lower() in ("true", "1")
    return value


class HttpApi(CommandMethods, FileMethods, WebhookDelivery):
    """Answer Bot API requests over HTTP with the methods of every part."""

    def _method_table(self) -> dict[str, _Method]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "setMyDescription": self._ok,
            "setMyShortDescription": self._ok,
            "setMyName": self._ok,
            "getChat": self._get_chat,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "getFile": self._get_file,
            "close": self._ok,
            "logOut": self._ok,
        }

    def add_call_listener(self, listener: CallListener) -> Callable[[], None]:
        """Call listener(call) as each known Bot API call arrives, getUpdates included.

        Listeners run before the call is carried out (a long poll is seen when it starts);
        calls the simulator then refuses are also listed in rejected or failures.
        """
        self._call_listeners.append(listener)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._call_listeners.remove(listener)

        return remove

    def inject_failure(
        self,
        method: str,
        *,
        status: int = 200,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        delay: float = 0.0,
    ) -> None:
        """Make the next `times` calls of method fail with status and/or be delayed."""
        failure = _Failure(
            status=status,
            retry_after=retry_after,
            description=description,
            remaining=times,
            delay=delay,
        )
        self._failures.setdefault(method.lower(), []).append(failure)

    def clear_failures(self) -> None:
        """Forget every injected failure not yet used."""
        self._failures.clear()

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Return the parameters of every accepted call of method."""
        wanted = method.lower()
        return [params for name, params in self.calls if name.lower() == wanted]

    # ------------------------------------------------------------------ HTTP

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.body_exists:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        raw[key] = Document(value.filename, value.file.read(), value.content_type)
                    elif isinstance(value, bytes | bytearray):
                        raw[key] = bytes(value).decode("utf-8", "replace")
                    else:
                        raw[key] = value
        for key, value in list(raw.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                attached = raw.pop(value.removeprefix("attach://"), None)
                if isinstance(attached, Document):
                    raw[key] = attached
        return {key: _decode_value(key, value) for key, value in raw.items()}

    @staticmethod
    def _error_response(error: BotApiError) -> web.Response:
        if error.status == HTTPStatus.BAD_GATEWAY:
            return web.Response(status=502, text="Bad Gateway", content_type="text/plain")
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.status,
            "description": error.description,
        }
        if error.parameters:
            body["parameters"] = error.parameters
        return web.json_response(body, status=error.status)

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method.lower())
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.pop(0)
        return failure

    @staticmethod
    def _injected_error(failure: _Failure) -> BotApiError:
        status = failure.status
        parameters: dict[str, Any] | None = None
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            retry_after = failure.retry_after if failure.retry_after is not None else 1
            parameters = {"retry_after": retry_after}
            default = f"Too Many Requests: retry after {retry_after}"
        elif status == HTTPStatus.FORBIDDEN:
            default = "Forbidden: bot was blocked by the user"
        elif status == HTTPStatus.BAD_REQUEST:
            default = "Bad Request"
        else:
            try:
                default = HTTPStatus(status).phrase
            except ValueError:
                default = "Error"
        return BotApiError(
            status, failure.description or default, parameters=parameters, expected=True
        )

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        received = time.perf_counter()
        if request.match_info["token"] != self._token:
            return self._error_response(BotApiError(401, "Unauthorized"))
        requested = request.match_info["method"]
        entry = self._methods.get(requested.lower())
        try:
            params = await self._read_params(request)
        except (ValueError, web.HTTPException) as exc:
            error = BotApiError(400, f"Bad Request: cannot read request: {exc}")
            self.rejected.append((requested, {}, error.description))
            return self._error_response(error)
        if entry is None:
            self.rejected.append((requested, params, "Not Found"))
            return self._error_response(BotApiError(404, "Not Found"))
        name, handler = entry
        chat_id = self._call_chat_id(name, params)
        if self._call_listeners:
            call = ApiCall(method=name, params=params, chat_id=chat_id, received=received)
            for listener in list(self._call_listeners):
                try:
                    listener(call)
                except Exception:
                    _LOGGER.exception("simulator call listener failed")
        failure = self._take_failure(name)
        if failure is not None:
            if failure.delay > 0:
                await asyncio.sleep(failure.delay)
            if failure.status >= 300:
                error = self._injected_error(failure)
                self.failures.append((name, params, error.description))
                return self._error_response(error)
        try:
            result = await handler(params)
        except BotApiError as error:
            target = self.failures if error.expected else self.rejected
            target.append((name, params, error.description))
            return self._error_response(error)
        except Exception as exc:
            _LOGGER.exception("simulator failed handling %s", name)
            description = f"Internal Server Error: {exc!r}"
            self.rejected.append((name, params, description))
            return self._error_response(BotApiError(500, description))
        if name != "getUpdates":
            self.calls.append((name, params))
        if isinstance(result, _RawJson):
            body = '{"ok": true, "result": ' + result.text + "}"
            return web.Response(text=body, content_type="application/json")
        return web.json_response({"ok": True, "result": result})

    def _call_chat_id(self, method: str, params: dict[str, Any]) -> int | None:
        """Return the chat a call concerns (the presser's chat for answerCallbackQuery)."""
        if method == "answerCallbackQuery":
            query_id = params.get("callback_query_id")
            return self._pending_queries.get(query_id) if isinstance(query_id, str) else None
        chat_id = params.get("chat_id")
        return chat_id if isinstance(chat_id, int) else None

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self._token:
            return self._error_response(BotApiError(401, "Unauthorized"))
        stored = self._files_by_path.get(request.match_info["file_path"])
        if stored is not None:
            return web.Response(body=stored.data, content_type=stored.mime)
        return self._error_response(BotApiError(404, "Not Found"))
