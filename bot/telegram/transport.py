"""Bot API requests over aiohttp.

python-telegram-bot sends its requests through a replaceable ``BaseRequest``. Its default
uses httpx, whose pure-Python HTTP/1.1 stack took about a fifth of this bot's CPU under load
and most of an echo bot's (docs/benchmarks.md, finding 7). aiohttp, already a dependency
(the simulator's server), parses HTTP in C. Errors map onto PTB's own: a timeout is
``TimedOut`` (the call may have reached Telegram, so it is never repeated blindly), anything
else on the way is ``NetworkError``.
"""

from __future__ import annotations

import ssl

import aiohttp
import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` backed by one ``aiohttp.ClientSession`` and its connection pool."""

    __slots__ = ("_connections", "_media_timeout", "_session", "_timeout")

    def __init__(
        self,
        *,
        connection_pool_size: int = 8,
        timeout: float = 30.0,
        media_timeout: float = 60.0,
    ) -> None:
        self._connections = connection_pool_size
        self._timeout = timeout
        self._media_timeout = media_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """The time a response may take (PTB adds it to long-polling timeouts)."""
        return self._timeout

    async def initialize(self) -> None:
        """Open the session (inside the running event loop, as aiohttp requires)."""
        if self._session is None or self._session.closed:
            # Mozilla's CA bundle (certifi), as httpx uses: a server without system CA
            # certificates can still verify api.telegram.org
            tls = ssl.create_default_context(cafile=certifi.where())
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections, ssl=tls),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        has_files = bool(request_data and request_data.multipart_data)
        total = self._media_timeout if has_files else self._timeout
        if isinstance(read_timeout, int | float):
            # long polling: getUpdates asks for the poll's duration plus the usual read timeout
            total = max(total, float(read_timeout))
        try:
            async with self._session.request(
                method,
                url,
                data=_body(request_data),
                timeout=aiohttp.ClientTimeout(total=total),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut(f"Bot API request took longer than {total:g} s") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields as PTB encodes them; multipart when files are attached."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields or None
    form = aiohttp.FormData(fields)
    for name, part in files.items():
        filename, content = part[0], part[1]
        content_type = part[2] if len(part) > 2 else None
        form.add_field(name, content, filename=filename, content_type=content_type)
    return form
