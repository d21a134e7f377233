"""Serve a loopback stand-in for the Telegram Bot API and simulate users chatting with a bot."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import mimetypes
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, NamedTuple, Protocol, Self
from urllib.parse import urlsplit

from aiohttp import web

from bot.simulator.html import HtmlParseError, parse_html, utf16_len

__all__ = [
    "ApiCall",
    "BotApiError",
    "BotApiSimulator",
    "Button",
    "CallbackAnswer",
    "Document",
    "SentMessage",
    "SimUser",
]

_LOGGER = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_UPLOAD_SIZE = 50 * 1024 * 1024
DEFAULT_TIMEOUT = 10.0
QUIET_PERIOD = 0.3

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"

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


class Document(NamedTuple):
    """Describe a file uploaded to or sent by the bot."""

    filename: str
    data: bytes
    mime: str


@dataclass(frozen=True)
class Button:
    """Describe one inline keyboard button."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(eq=False)
class SentMessage:
    """Hold a message the bot sent, updated in place when the bot edits or deletes it."""

    message_id: int
    chat_id: int
    text: str
    html: str
    parse_mode: str | None
    buttons: list[list[Button]] = field(default_factory=list)
    document: Document | None = None
    photo: bytes | None = None
    edited: bool = False
    deleted: bool = False
    reply_keyboard: list[list[str]] | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    date: int = 0
    edit_date: int | None = None
    inline_keyboard: list[list[dict[str, Any]]] = field(default_factory=list, repr=False)
    media: dict[str, Any] | list[dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """Return "document", "photo" or "text"."""
        if self.document is not None:
            return "document"
        if self.photo is not None:
            return "photo"
        return "text"

    def button_labels(self) -> list[str]:
        """Return the labels of all inline buttons, row by row."""
        return [button.text for row in self.buttons for button in row]

    def all_buttons(self) -> list[Button]:
        """Return all inline buttons, row by row."""
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class CallbackAnswer:
    """Record an answerCallbackQuery call."""

    query_id: str
    user_id: int
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class ApiCall:
    """Describe one Bot API call as it arrives (received: time.perf_counter()), for listeners."""

    method: str
    params: dict[str, Any]
    chat_id: int | None
    received: float


@dataclass
class StoredFile:
    """Hold a file known to the simulated server."""

    file_id: str
    file_unique_id: str
    file_path: str
    size: int
    data: bytes
    mime: str
    filename: str


class BotApiError(Exception):
    """Carry a Telegram error response."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
        expected: bool = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        self.expected = expected


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    description: str | None
    remaining: int
    delay: float


@dataclass
class _Chat:
    chat_id: int
    user: SimUser
    started: bool = False
    messages: list[SentMessage] = field(default_factory=list)
    user_message_ids: set[int] = field(default_factory=set)
    next_message_id: int = 1
    reply_keyboard: list[list[str]] | None = None
    reply_keyboard_one_time: bool = False
    contact_buttons: set[str] = field(default_factory=set)  # labels that share the contact

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def find(self, message_id: int) -> SentMessage | None:
        for message in self.messages:
            if message.message_id == message_id and not message.deleted:
                return message
        return None


class _Queued(NamedTuple):
    update_id: int
    encoded: str  # the Update object as JSON, encoded once however often it is fetched


class _RawJson(NamedTuple):
    text: str  # a method result already encoded as JSON


class _UpdateQueueOwner(Protocol):
    @property
    def update_queue(self) -> asyncio.Queue[Any]: ...


Listener = Callable[[str, SentMessage], None]
CallListener = Callable[[ApiCall], None]
_Method = Callable[[dict[str, Any]], Awaitable[Any]]


def _now() -> int:
    return int(time.time())


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


def _valid_button_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "tg":
        return bool(parts.netloc or parts.path)
    if parts.scheme not in ("http", "https"):
        return False
    host = parts.hostname or ""
    return "." in host and host != "localhost" and not host.startswith("127.")


class BotApiSimulator:
    """Imitate the Telegram Bot API over loopback HTTP and let tests act as users."""

    def __init__(
        self,
        token: str = "123456:SIMULATOR",
        *,
        bot_id: int = 123456,
        bot_username: str = "inovasi_sim_bot",
        bot_first_name: str = "Inovasi Sim",
        first_update_id: int = 1,
    ) -> None:
        """Set up the simulator (start() serves it); updates are numbered from first_update_id,
        so a bot that remembers the ids it handled (as this one does) can meet a new simulator
        without taking its updates for repeats."""
        if first_update_id < 1:
            raise ValueError("first_update_id must be at least 1")
        self._token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.default_timeout = DEFAULT_TIMEOUT
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.rejected: list[tuple[str, dict[str, Any], str]] = []
        self.failures: list[tuple[str, dict[str, Any], str]] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._cond = asyncio.Condition()
        self._activity = asyncio.Event()
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, SimUser] = {}
        self._blocked: set[int] = set()
        self._updates: list[_Queued] = []
        self._first_update_id = first_update_id
        self._next_update_id = first_update_id
        self._acked_offset = 0
        self._allowed_updates: list[str] = []
        self._pending_queries: dict[str, int] = {}
        self._next_query = 1
        self._next_file = 1
        self._failures: dict[str, list[_Failure]] = {}
        self._listeners: list[Listener] = []
        self._call_listeners: list[CallListener] = []
        self._events: list[tuple[str, SentMessage]] = []
        self._application: _UpdateQueueOwner | None = None
        self._methods: dict[str, tuple[str, _Method]] = {}
        for name, handler in self._method_table().items():
            self._methods[name.lower()] = (name, handler)

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on host:port (port 0 picks a free port)."""
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        app = web.Application(client_max_size=MAX_UPLOAD_SIZE + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._handle_file)
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        self._host = host
        self._port = int(runner.addresses[0][1])
        self._closing = False
        self._cond = asyncio.Condition()
        self._activity = asyncio.Event()

    async def stop(self) -> None:
        """Stop serving and release every long-polling request."""
        if self._runner is None:
            return
        self._closing = True
        async with self._cond:
            self._cond.notify_all()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        self._port = None

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        await self.stop()

    @property
    def token(self) -> str:
        """Return the bot token the simulator accepts."""
        return self._token

    @property
    def port(self) -> int:
        """Return the TCP port the simulator listens on."""
        if self._port is None:
            raise RuntimeError("simulator is not running; call start() first")
        return self._port

    @property
    def api_url(self) -> str:
        """Return the base URL to pass to ApplicationBuilder().base_url()."""
        return f"http://{self._host}:{self.port}/bot"

    @property
    def file_url(self) -> str:
        """Return the base URL to pass to ApplicationBuilder().base_file_url()."""
        return f"http://{self._host}:{self.port}/file/bot"

    # ------------------------------------------------------------------ public helpers

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Budi",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
        started: bool = False,
    ) -> SimUser:
        """Return the simulated user with this id, creating it and its private chat if new."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        sim_user = SimUser(
            self,
            user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = sim_user
        self._chats[user_id] = _Chat(chat_id=user_id, user=sim_user, started=started)
        return sim_user

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Return every message the bot sent to this chat, in order, deleted ones included."""
        chat = self._chats.get(chat_id)
        return list(chat.messages) if chat else []

    def reply_keyboard(self, chat_id: int) -> list[list[str]] | None:
        """Return the reply keyboard currently shown in this chat."""
        chat = self._chats.get(chat_id)
        return chat.reply_keyboard if chat else None

    def attach(self, application: _UpdateQueueOwner | None) -> None:
        """Use this PTB Application's update queue to know when updates are handled."""
        self._application = application

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call listener(kind, message) on each bot message sent, edited or deleted."""
        self._listeners.append(listener)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return remove

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

    def block(self, user_id: int) -> None:
        """Make the user block the bot: sends to their chat fail with 403."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """Make the user unblock the bot."""
        self._blocked.discard(user_id)

    @property
    def unanswered_queries(self) -> list[str]:
        """Return ids of callback queries the bot never answered (the client keeps spinning)."""
        return list(self._pending_queries)

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        """Return the parameters of every accepted call of method."""
        wanted = method.lower()
        return [params for name, params in self.calls if name.lower() == wanted]

    def my_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[tuple[str, str]]:
        """Return the (command, description) pairs set for scope and language."""
        stored = self.commands.get((self._scope_key(scope), language_code), [])
        return [(c["command"], c["description"]) for c in stored]

    async def wait_idle(self, max_wait: float | None = None) -> None:
        """Wait until the bot has fetched and handled every injected update."""
        last = self._next_update_id - 1
        await self._wait_handled(last if last >= self._first_update_id else 0, max_wait)

    # ------------------------------------------------------------------ update plumbing

    async def _enqueue(self, kind: str, payload: dict[str, Any]) -> int | None:
        if self._runner is None:
            raise RuntimeError("simulator is not running; call start() first")
        if self._allowed_updates and kind not in self._allowed_updates:
            return None
        async with self._cond:
            update_id = self._next_update_id
            self._next_update_id += 1
            encoded = json.dumps({"update_id": update_id, kind: payload})
            self._updates.append(_Queued(update_id, encoded))
            self._cond.notify_all()
        return update_id

    async def _wait_handled(self, update_id: int, max_wait: float | None) -> None:
        limit = self.default_timeout if max_wait is None else max_wait
        stage = "fetch"
        try:
            async with asyncio.timeout(limit):
                if update_id >= 1:
                    async with self._cond:
                        await self._cond.wait_for(
                            lambda: self._closing or self._acked_offset > update_id
                        )
                stage = "handle"
                if self._application is not None:
                    await self._application.update_queue.join()
                elif update_id >= 1:
                    await self._wait_quiet()
        except TimeoutError:
            if stage == "fetch":
                reason = "the bot did not fetch it (is the updater polling this simulator?)"
            else:
                reason = "the bot did not finish handling it"
            raise TimeoutError(f"update {update_id}: {reason} within {limit} s") from None

    async def _wait_quiet(self) -> None:
        """Wait until no bot message arrived for QUIET_PERIOD seconds (no application attached)."""
        while True:
            self._activity.clear()
            try:
                async with asyncio.timeout(QUIET_PERIOD):
                    await self._activity.wait()
            except TimeoutError:
                return

    def _notify(self, kind: str, message: SentMessage) -> None:
        self._events.append((kind, message))
        self._activity.set()
        for listener in list(self._listeners):
            try:
                listener(kind, message)
            except Exception:
                _LOGGER.exception("simulator listener failed")

    def _collect(self, chat_id: int, start: int) -> list[SentMessage]:
        seen: set[int] = set()
        result: list[SentMessage] = []
        for kind, message in self._events[start:]:
            if kind == "deleted" or message.chat_id != chat_id or id(message) in seen:
                continue
            seen.add(id(message))
            result.append(message)
        return result

    # ------------------------------------------------------------------ JSON shapes

    def bot_user_json(self) -> dict[str, Any]:
        """Return the bot as a Telegram User object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat_json(self, chat: _Chat) -> dict[str, Any]:
        user = chat.user
        data: dict[str, Any] = {
            "id": chat.chat_id,
            "type": "private",
            "first_name": user.first_name,
        }
        if user.last_name:
            data["last_name"] = user.last_name
        if user.username:
            data["username"] = user.username
        return data

    def message_json(self, message: SentMessage) -> dict[str, Any]:
        """Return a bot message as a Telegram Message object."""
        chat = self._chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(chat),
            "from": self.bot_user_json(),
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        text_key, entities_key = "text", "entities"
        if message.document is not None:
            data["document"] = message.media
            text_key, entities_key = "caption", "caption_entities"
        elif message.photo is not None:
            data["photo"] = message.media
            text_key, entities_key = "caption", "caption_entities"
        if message.text or text_key == "text":
            data[text_key] = message.text
        if message.entities:
            data[entities_key] = message.entities
        if message.inline_keyboard:
            data["reply_markup"] = {"inline_keyboard": message.inline_keyboard}
        return data

    # ------------------------------------------------------------------ files

    def store_file(
        self, data: bytes, *, filename: str, mime: str, folder: str, size: int | None = None
    ) -> StoredFile:
        """Store file contents and return their record."""
        number = self._next_file
        self._next_file += 1
        suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        stored = StoredFile(
            file_id=f"SIM{folder[:3].upper()}{number:06d}",
            file_unique_id=f"U{number:06d}",
            file_path=f"{folder}/file_{number}.{suffix}",
            size=len(data) if size is None else size,
            data=data,
            mime=mime,
            filename=filename,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    @staticmethod
    def _document_json(stored: StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.filename,
            "mime_type": stored.mime,
            "file_size": stored.size,
        }

    def _photo_sizes(self, data: bytes, filename: str = "photo.jpg") -> list[dict[str, Any]]:
        sizes: list[dict[str, Any]] = []
        for width, height in ((90, 67), (800, 600)):
            stored = self.store_file(data, filename=filename, mime="image/jpeg", folder="photos")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": stored.size,
                }
            )
        return sizes

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

    # ------------------------------------------------------------------ validation helpers

    def _chat_from(self, params: dict[str, Any], *, sending: bool = True) -> _Chat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise BotApiError(400, "Bad Request: chat_id is empty")
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise BotApiError(400, "Bad Request: chat not found")
        if sending and not chat.started:
            raise BotApiError(
                403, "Forbidden: bot can't initiate conversation with a user", expected=True
            )
        if sending and chat.chat_id in self._blocked:
            raise BotApiError(403, "Forbidden: bot was blocked by the user", expected=True)
        return chat

    @staticmethod
    def _message_id(params: dict[str, Any]) -> int:
        if "inline_message_id" in params:
            raise BotApiError(400, "Bad Request: inline messages are not simulated")
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise BotApiError(400, "Bad Request: message identifier is not specified")
        return message_id

    @staticmethod
    def _format(
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

    def _text_content(
        self, params: dict[str, Any]
    ) -> tuple[str, str, list[dict[str, Any]], str | None]:
        text = params.get("text")
        if not isinstance(text, str) or not text:
            raise BotApiError(400, "Bad Request: message text is empty")
        plain, entities, mode = self._format(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise BotApiError(400, "Bad Request: message text is empty")
        if len(plain) > MAX_TEXT_LENGTH:
            raise BotApiError(400, "Bad Request: message is too long")
        return text, plain, entities, mode

    def _caption_content(
        self, params: dict[str, Any]
    ) -> tuple[str, str, list[dict[str, Any]], str | None]:
        caption = params.get("caption")
        if not isinstance(caption, str) or not caption:
            return "", "", [], None
        plain, entities, mode = self._format(
            caption, params.get("parse_mode"), params.get("caption_entities")
        )
        if len(plain) > MAX_CAPTION_LENGTH:
            raise BotApiError(400, "Bad Request: message caption is too long")
        return caption, plain, entities, mode

    @staticmethod
    def _inline_keyboard(markup: Any) -> tuple[list[list[Button]], list[list[dict[str, Any]]]]:
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
                        f"Bad Request: inline keyboard button URL '{url}' is invalid: "
                        "Wrong HTTP URL",
                    )
                button_row.append(Button(text=text, callback_data=data, url=url))
                raw_row.append(dict(raw))
            if button_row:
                buttons.append(button_row)
                raw_rows.append(raw_row)
        return buttons, raw_rows

    def _markup(self, params: dict[str, Any], *, edit: bool) -> _Markup:
        markup = params.get("reply_markup")
        result = _Markup()
        if markup is None:
            return result
        if not isinstance(markup, dict):
            raise BotApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            result.buttons, result.inline_keyboard = self._inline_keyboard(markup)
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

    @staticmethod
    def _check_reply_target(params: dict[str, Any], chat: _Chat) -> None:
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

    def _deliver(self, chat: _Chat, message: SentMessage, markup: _Markup) -> dict[str, Any]:
        if markup.keyboard_change:
            chat.reply_keyboard = markup.reply_keyboard
            chat.reply_keyboard_one_time = markup.one_time
            chat.contact_buttons = markup.contact_buttons
            message.reply_keyboard = markup.reply_keyboard
        chat.messages.append(message)
        self._notify("sent", message)
        return self.message_json(message)

    # ------------------------------------------------------------------ Bot API methods

    def _method_table(self) -> dict[str, _Method]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._ok,
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

    async def _ok(self, params: dict[str, Any]) -> Any:
        return True

    async def _get_me(self, params: dict[str, Any]) -> Any:
        return {
            **self.bot_user_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> Any:
        offset = params.get("offset")
        offset = offset if isinstance(offset, int) else 0
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout")
        wait = float(timeout) if isinstance(timeout, int | float) else 0.0
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        async with self._cond:
            if offset > 0:
                self._updates = [u for u in self._updates if u.update_id >= offset]
                if offset > self._acked_offset:
                    self._acked_offset = offset
                    self._cond.notify_all()
            elif offset < 0:
                self._updates = self._updates[offset:]
            if wait > 0 and not self._updates and not self._closing:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await self._cond.wait_for(lambda: self._closing or bool(self._updates))
            return _RawJson("[" + ",".join(u.encoded for u in self._updates[:limit]) + "]")

    async def _delete_webhook(self, params: dict[str, Any]) -> Any:
        if params.get("drop_pending_updates"):
            async with self._cond:
                self._updates.clear()
                self._acked_offset = max(self._acked_offset, self._next_update_id)
                self._cond.notify_all()
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> Any:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not isinstance(scope, dict):
            return json.dumps({"type": "default"})
        return json.dumps(scope, sort_keys=True)

    async def _set_my_commands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise BotApiError(400, "Bad Request: can't parse commands JSON object")
        cleaned: list[dict[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise BotApiError(400, "Bad Request: can't parse BotCommand JSON object")
            command = item.get("command")
            description = item.get("description")
            if not isinstance(command, str) or not _COMMAND_RE.fullmatch(command):
                raise BotApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise BotApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        language = params.get("language_code")
        key = (self._scope_key(params.get("scope")), language if isinstance(language, str) else "")
        self.commands[key] = cleaned
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> Any:
        language = params.get("language_code")
        key = (self._scope_key(params.get("scope")), language if isinstance(language, str) else "")
        return self.commands.get(key, [])

    async def _delete_my_commands(self, params: dict[str, Any]) -> Any:
        language = params.get("language_code")
        key = (self._scope_key(params.get("scope")), language if isinstance(language, str) else "")
        self.commands.pop(key, None)
        return True

    async def _set_chat_menu_button(self, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        button = params.get("menu_button")
        if chat_id is not None and (not isinstance(chat_id, int) or chat_id not in self._chats):
            raise BotApiError(400, "Bad Request: chat not found")
        key = chat_id if isinstance(chat_id, int) else None
        self.menu_buttons[key] = button if isinstance(button, dict) else {"type": "default"}
        return True

    async def _get_chat_menu_button(self, params: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        key = chat_id if isinstance(chat_id, int) else None
        return self.menu_buttons.get(key, self.menu_buttons.get(None, {"type": "commands"}))

    async def _get_chat(self, params: dict[str, Any]) -> Any:
        chat = self._chat_from(params, sending=False)
        return {**self._chat_json(chat), "accent_color_id": 0, "max_reaction_count": 11}

    async def _send_message(self, params: dict[str, Any]) -> Any:
        chat = self._chat_from(params)
        raw, plain, entities, mode = self._text_content(params)
        markup = self._markup(params, edit=False)
        self._check_reply_target(params, chat)
        message = SentMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.chat_id,
            text=plain,
            html=raw,
            parse_mode=mode,
            buttons=markup.buttons,
            entities=entities,
            date=_now(),
            inline_keyboard=markup.inline_keyboard,
        )
        return self._deliver(chat, message, markup)

    def _editable(self, params: dict[str, Any]) -> SentMessage:
        message_id = self._message_id(params)
        chat = self._chat_from(params)
        message = chat.find(message_id)
        if message is None:
            if message_id in chat.user_message_ids:
                raise BotApiError(400, "Bad Request: message can't be edited")
            raise BotApiError(400, "Bad Request: message to edit not found")
        return message

    def _apply_edit(
        self,
        message: SentMessage,
        *,
        raw: str,
        plain: str,
        entities: list[dict[str, Any]],
        mode: str | None,
        markup: _Markup,
    ) -> dict[str, Any]:
        if (
            plain == message.text
            and entities == message.entities
            and markup.inline_keyboard == message.inline_keyboard
        ):
            raise BotApiError(400, NOT_MODIFIED)
        message.text = plain
        message.html = raw
        message.entities = entities
        message.parse_mode = mode
        message.buttons = markup.buttons
        message.inline_keyboard = markup.inline_keyboard
        message.edited = True
        message.edit_date = _now()
        self._notify("edited", message)
        return self.message_json(message)

    async def _edit_message_text(self, params: dict[str, Any]) -> Any:
        message = self._editable(params)
        if message.kind != "text":
            raise BotApiError(400, "Bad Request: there is no text in the message to edit")
        raw, plain, entities, mode = self._text_content(params)
        markup = self._markup(params, edit=True)
        return self._apply_edit(
            message, raw=raw, plain=plain, entities=entities, mode=mode, markup=markup
        )

    async def _edit_message_caption(self, params: dict[str, Any]) -> Any:
        message = self._editable(params)
        if message.kind == "text":
            raise BotApiError(400, "Bad Request: there is no caption in the message to edit")
        raw, plain, entities, mode = self._caption_content(params)
        markup = self._markup(params, edit=True)
        return self._apply_edit(
            message, raw=raw, plain=plain, entities=entities, mode=mode, markup=markup
        )

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> Any:
        message = self._editable(params)
        markup = self._markup(params, edit=True)
        return self._apply_edit(
            message,
            raw=message.html,
            plain=message.text,
            entities=message.entities,
            mode=message.parse_mode,
            markup=markup,
        )

    async def _delete_message(self, params: dict[str, Any]) -> Any:
        message_id = self._message_id(params)
        chat = self._chat_from(params, sending=False)
        message = chat.find(message_id)
        if message is not None:
            message.deleted = True
            self._notify("deleted", message)
            return True
        if message_id in chat.user_message_ids:
            chat.user_message_ids.discard(message_id)
            return True
        raise BotApiError(400, "Bad Request: message to delete not found")

    async def _answer_callback_query(self, params: dict[str, Any]) -> Any:
        query_id = params.get("callback_query_id")
        if not isinstance(query_id, str) or query_id not in self._pending_queries:
            raise BotApiError(400, QUERY_INVALID)
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise BotApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        user_id = self._pending_queries.pop(query_id)
        url = params.get("url")
        self.callback_answers.append(
            CallbackAnswer(
                query_id=query_id,
                user_id=user_id,
                text=text if isinstance(text, str) and text else None,
                show_alert=bool(params.get("show_alert")),
                url=url if isinstance(url, str) else None,
            )
        )
        return True

    async def _send_chat_action(self, params: dict[str, Any]) -> Any:
        self._chat_from(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise BotApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _input_file(self, params: dict[str, Any], key: str) -> Document:
        value = params.get(key)
        if isinstance(value, Document):
            if not value.data:
                raise BotApiError(400, "Bad Request: file must be non-empty")
            if len(value.data) > MAX_UPLOAD_SIZE:
                raise BotApiError(413, "Request Entity Too Large")
            return value
        if isinstance(value, str) and value:
            stored = self.files.get(value)
            if stored is not None:
                return Document(stored.filename, stored.data, stored.mime)
            if value.startswith(("http://", "https://")):
                raise BotApiError(
                    400, "Bad Request: failed to get HTTP URL content (not simulated)"
                )
            raise BotApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raise BotApiError(400, f"Bad Request: there is no {key} in the request")

    async def _send_document(self, params: dict[str, Any]) -> Any:
        chat = self._chat_from(params)
        upload = self._input_file(params, "document")
        raw, plain, entities, mode = self._caption_content(params)
        markup = self._markup(params, edit=False)
        self._check_reply_target(params, chat)
        mime = upload.mime
        if mime in ("", "application/octet-stream"):
            mime = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        stored = self.store_file(
            upload.data, filename=upload.filename, mime=mime, folder="documents"
        )
        message = SentMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.chat_id,
            text=plain,
            html=raw,
            parse_mode=mode,
            buttons=markup.buttons,
            document=Document(upload.filename, upload.data, mime),
            entities=entities,
            date=_now(),
            inline_keyboard=markup.inline_keyboard,
            media=self._document_json(stored),
        )
        return self._deliver(chat, message, markup)

    async def _send_photo(self, params: dict[str, Any]) -> Any:
        chat = self._chat_from(params)
        upload = self._input_file(params, "photo")
        raw, plain, entities, mode = self._caption_content(params)
        markup = self._markup(params, edit=False)
        self._check_reply_target(params, chat)
        message = SentMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.chat_id,
            text=plain,
            html=raw,
            parse_mode=mode,
            buttons=markup.buttons,
            photo=upload.data,
            entities=entities,
            date=_now(),
            inline_keyboard=markup.inline_keyboard,
            media=self._photo_sizes(upload.data, upload.filename),
        )
        return self._deliver(chat, message, markup)

    async def _get_file(self, params: dict[str, Any]) -> Any:
        file_id = params.get("file_id")
        stored = self.files.get(file_id) if isinstance(file_id, str) else None
        if stored is None:
            raise BotApiError(400, "Bad Request: invalid file_id")
        if stored.size > MAX_DOWNLOAD_SIZE:
            # an expected outcome for large uploads, so it is not counted as a bot mistake
            raise BotApiError(400, "Bad Request: file is too big", expected=True)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }


@dataclass
class _Markup:
    buttons: list[list[Button]] = field(default_factory=list)
    inline_keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    reply_keyboard: list[list[str]] | None = None
    one_time: bool = False
    keyboard_change: bool = False
    contact_buttons: set[str] = field(default_factory=set)


class SimUser:
    """Act as one Telegram user in a private chat with the bot."""

    def __init__(
        self,
        sim: BotApiSimulator,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> None:
        self.sim = sim
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.timeout: float | None = None
        # the number Telegram shares for a "share my number" button
        self.phone_number = f"+62812{user_id % 10**8:08d}"

    @property
    def chat_id(self) -> int:
        """Return the id of the private chat with the bot (equal to the user id)."""
        return self.id

    @property
    def messages(self) -> list[SentMessage]:
        """Return every bot message in this chat, deleted ones included."""
        return self.sim.messages(self.chat_id)

    @property
    def last(self) -> SentMessage:
        """Return the latest bot message in this chat that is not deleted."""
        for message in reversed(self.messages):
            if not message.deleted:
                return message
        raise AssertionError(f"the bot has sent no message to user {self.id}")

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Return the reply keyboard the bot currently shows to this user."""
        return self.sim.reply_keyboard(self.chat_id)

    @property
    def last_callback_answer(self) -> CallbackAnswer | None:
        """Return the latest answerCallbackQuery the bot made to this user."""
        for answer in reversed(self.sim.callback_answers):
            if answer.user_id == self.id:
                return answer
        return None

    def to_json(self) -> dict[str, Any]:
        """Return this user as a Telegram User object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def latest_with_buttons(self) -> SentMessage | None:
        """Return the latest undeleted bot message that has an inline keyboard."""
        for message in reversed(self.messages):
            if message.buttons and not message.deleted:
                return message
        return None

    def _chat(self) -> _Chat:
        return self.sim._chats[self.chat_id]

    def _base_message(self, chat: _Chat) -> dict[str, Any]:
        message_id = chat.new_message_id()
        chat.user_message_ids.add(message_id)
        return {
            "message_id": message_id,
            "date": _now(),
            "chat": self.sim._chat_json(chat),
            "from": self.to_json(),
        }

    async def _inject(self, kind: str, payload: dict[str, Any]) -> int | None:
        self._chat().started = True
        self.sim.unblock(self.id)
        return await self.sim._enqueue(kind, payload)

    async def _act(self, kind: str, payload: dict[str, Any]) -> list[SentMessage]:
        sim = self.sim
        start = len(sim._events)
        update_id = await self._inject(kind, payload)
        if update_id is None:
            return []
        await sim._wait_handled(update_id, self.timeout)
        return sim._collect(self.chat_id, start)

    def _message_payload(self, content: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat()
        payload = self._base_message(chat)
        payload.update(content)
        if chat.reply_keyboard_one_time:
            chat.reply_keyboard = None
            chat.reply_keyboard_one_time = False
        return payload

    async def _send_message(self, content: dict[str, Any]) -> list[SentMessage]:
        return await self._act("message", self._message_payload(content))

    async def _fire_message(self, content: dict[str, Any]) -> int | None:
        return await self._inject("message", self._message_payload(content))

    def _text_content(self, text: str, reply_to: SentMessage | None) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        command = text.split(maxsplit=1)[0] if text.strip() else ""
        if command.startswith("/") and len(command) > 1:
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        if reply_to is not None:
            content["reply_to_message"] = self.sim.message_json(reply_to)
        return content

    async def send(self, text: str, *, reply_to: SentMessage | None = None) -> list[SentMessage]:
        """Send a text message and return the bot messages sent or edited while handling it."""
        return await self._send_message(self._text_content(text, reply_to))

    @staticmethod
    def _find_button(message: SentMessage, label: str) -> Button:
        buttons = message.all_buttons()
        exact = [b for b in buttons if b.text == label]
        if exact:
            return exact[0]
        partial = [b for b in buttons if label.casefold() in b.text.casefold()]
        if len(partial) == 1:
            return partial[0]
        labels = message.button_labels()
        if partial:
            raise AssertionError(
                f"label {label!r} matches several buttons of message {message.message_id}: "
                f"{[b.text for b in partial]}"
            )
        raise AssertionError(
            f"no button {label!r} in message {message.message_id}; available: {labels}"
        )

    def _button_target(self, label: str, message: SentMessage | None) -> tuple[str, SentMessage]:
        target = message if message is not None else self.latest_with_buttons()
        if target is None:
            raise AssertionError(f"no message with inline buttons in chat {self.chat_id}")
        button = self._find_button(target, label)
        if button.callback_data is None:
            raise AssertionError(f"button {button.text!r} has no callback_data (url={button.url})")
        return button.callback_data, target

    async def press(self, label: str, *, message: SentMessage | None = None) -> list[SentMessage]:
        """Press the inline button labelled label and return the bot messages it caused."""
        data, target = self._button_target(label, message)
        return await self.press_data(data, message=target)

    def _callback_payload(self, data: str, message: SentMessage | None) -> dict[str, Any]:
        target = message if message is not None else self.latest_with_buttons()
        if target is None:
            target = self.last
        if target.chat_id != self.chat_id:
            raise AssertionError(f"message {target.message_id} is not in chat {self.chat_id}")
        if target.deleted:
            raise AssertionError(f"message {target.message_id} was deleted by the bot")
        sim = self.sim
        query_id = f"{self.id}{sim._next_query:08d}"
        sim._next_query += 1
        sim._pending_queries[query_id] = self.id
        return {
            "id": query_id,
            "from": self.to_json(),
            "message": sim.message_json(target),
            "chat_instance": f"{self.chat_id}0",
            "data": data,
        }

    async def press_data(self, data: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Send a callback query with raw data from message (default: latest with buttons)."""
        return await self._act("callback_query", self._callback_payload(data, message))

    def _photo_content(self, data: bytes, caption: str | None) -> dict[str, Any]:
        content: dict[str, Any] = {"photo": self.sim._photo_sizes(data)}
        if caption:
            content["caption"] = caption
        return content

    async def send_photo(self, data: bytes, caption: str | None = None) -> list[SentMessage]:
        """Send a photo and return the bot messages sent or edited while handling it."""
        return await self._send_message(self._photo_content(data, caption))

    def _document_content(
        self,
        filename: str,
        data: bytes,
        mime_type: str,
        caption: str | None,
        declared_size: int | None,
    ) -> dict[str, Any]:
        stored = self.sim.store_file(
            data, filename=filename, mime=mime_type, folder="documents", size=declared_size
        )
        content: dict[str, Any] = {"document": BotApiSimulator._document_json(stored)}
        if caption:
            content["caption"] = caption
        return content

    async def send_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str,
        caption: str | None = None,
        declared_size: int | None = None,
    ) -> list[SentMessage]:
        """Send a file; declared_size fakes a larger file without holding its bytes."""
        content = self._document_content(filename, data, mime_type, caption, declared_size)
        return await self._send_message(content)

    @staticmethod
    def _location_content(latitude: float, longitude: float) -> dict[str, Any]:
        return {"location": {"latitude": latitude, "longitude": longitude}}

    async def send_location(self, latitude: float, longitude: float) -> list[SentMessage]:
        """Share a location."""
        return await self._send_message(self._location_content(latitude, longitude))

    def _contact_content(
        self, phone_number: str, first_name: str | None, user_id: int | None
    ) -> dict[str, Any]:
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or self.first_name,
        }
        if user_id is not None:
            contact["user_id"] = user_id
        return {"contact": contact}

    async def send_contact(
        self, phone_number: str, first_name: str | None = None, user_id: int | None = None
    ) -> list[SentMessage]:
        """Share a contact (by default the user's own name)."""
        return await self._send_message(self._contact_content(phone_number, first_name, user_id))

    async def tap(self, label: str) -> list[SentMessage]:
        """Tap a button of the reply keyboard: a "share my number" button sends the user's own
        contact (``phone_number``), any other sends its label as text."""
        keyboard = self.reply_keyboard or []
        if label not in [text for row in keyboard for text in row]:
            raise AssertionError(f"no keyboard button {label!r}; the keyboard is {keyboard}")
        if label in self._chat().contact_buttons:
            return await self.send_contact(self.phone_number, user_id=self.id)
        return await self.send(label)

    async def send_sticker(self) -> list[SentMessage]:
        """Send a sticker, an input kind most bot flows do not expect."""
        stored = self.sim.store_file(
            b"RIFF\x00\x00\x00\x00WEBP",
            filename="sticker.webp",
            mime="image/webp",
            folder="stickers",
        )
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
            "file_size": stored.size,
        }
        return await self._send_message({"sticker": sticker})

    # ------------------------------------------------------------------ non-waiting injection
    # The fire_* methods put the update in the getUpdates queue and return its update_id at
    # once (None if the bot's allowed_updates filter it out), without waiting for the bot.
    # Observe the answers with BotApiSimulator.add_listener or add_call_listener; unlike
    # send()/press(), they suit many concurrent users and per-update latency measurements.

    async def fire_text(self, text: str, *, reply_to: SentMessage | None = None) -> int | None:
        """Inject a text message without waiting; return its update_id."""
        return await self._fire_message(self._text_content(text, reply_to))

    async def fire_press(self, label: str, *, message: SentMessage | None = None) -> int | None:
        """Press the button labelled label without waiting; return the update_id."""
        data, target = self._button_target(label, message)
        return await self.fire_data(data, message=target)

    async def fire_data(self, data: str, message: SentMessage | None = None) -> int | None:
        """Inject a callback query with raw data without waiting; return its update_id."""
        return await self._inject("callback_query", self._callback_payload(data, message))

    async def fire_photo(self, data: bytes, caption: str | None = None) -> int | None:
        """Inject a photo without waiting; return its update_id."""
        return await self._fire_message(self._photo_content(data, caption))

    async def fire_document(
        self,
        filename: str,
        data: bytes,
        mime_type: str,
        caption: str | None = None,
        declared_size: int | None = None,
    ) -> int | None:
        """Inject a file without waiting; return its update_id."""
        content = self._document_content(filename, data, mime_type, caption, declared_size)
        return await self._fire_message(content)

    async def fire_location(self, latitude: float, longitude: float) -> int | None:
        """Inject a shared location without waiting; return its update_id."""
        return await self._fire_message(self._location_content(latitude, longitude))

    async def fire_contact(
        self, phone_number: str, first_name: str | None = None, user_id: int | None = None
    ) -> int | None:
        """Inject a shared contact without waiting; return its update_id."""
        return await self._fire_message(self._contact_content(phone_number, first_name, user_id))
