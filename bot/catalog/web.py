"""The public catalog's routes on the bot's web server.

``GET /katalog`` (the list: filters, search, pages), ``/katalog/inovasi/{code}`` (one
innovation), ``/katalog/ringkasan`` (the summary) with its chart ``grafik.png``, and
``/katalog/foto/{id}.jpg`` (a thumbnail of a photo its owner marked public). Nothing else
under ``/katalog`` answers but the friendly 404 page: no directory, no other file. Every
answer carries caching and security headers; a bad query parameter gets a friendly 400 page
and an unexpected error a friendly 500, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import images
from bot.catalog.pages import Pages, filter_query, link, pick_language
from bot.deps import Deps
from bot.web import Route
from models import db
from models.services import catalog, catalog_page, units

log = logging.getLogger(__name__)

PAGE_CACHE = "public, max-age=300"
IMAGE_CACHE = "public, max-age=3600"
ERROR_CACHE = "no-store"
CODE = re.compile(r"^[A-Za-z0-9-]{1,20}$")
MAX_PAGE = 10_000
YEARS = range(1900, 3000)
CHART_CACHE = 8
THUMBNAIL_CACHE = 64

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    """A query parameter names nothing the catalog knows."""


class Catalog:
    """The handlers of the catalog's routes."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.pages = Pages(deps)
        self.csp = (
            "default-src 'none'; img-src 'self' data:; "
            f"style-src {self.pages.style_hash}; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
        self.charts = images.Cache(CHART_CACHE)
        self.thumbnails = images.Cache(THUMBNAIL_CACHE)
        self._drawing = asyncio.Lock()  # matplotlib draws one chart at a time

    def add_routes(self, app: web.Application) -> None:
        """Add the catalog's routes to the web application."""
        router = app.router
        router.add_get("/katalog", self._safe(self.list_page))
        router.add_get("/katalog/inovasi/{code}", self._safe(self.innovation_page))
        router.add_get("/katalog/ringkasan", self._safe(self.summary_page))
        router.add_get("/katalog/ringkasan/grafik.png", self._safe(self.chart))
        router.add_get(r"/katalog/foto/{id:\d{1,12}}.jpg", self._safe(self.photo))
        router.add_route("*", "/katalog/{tail:.*}", self._safe(self.not_found))

    # -- pages

    async def list_page(self, request: web.Request) -> web.Response:
        """The innovations on the catalog, filtered, searched, a page at a time."""
        lang = pick_language(request.query.get("lang"))
        async with db.transaction(self.deps.session_factory()) as session:
            filters, page = await self._filters(session, request)
            found = await catalog.search(session, filters, page=page)
            options = await catalog.options(session)
        query = filter_query(filters)
        html = self.pages.render(
            "list.html",
            lang,
            request.path,
            {**query, "halaman": str(found.page)} if found.page > 1 else query,
            filters=filters,
            filtered=bool(query),
            page=found,
            options=options,
            page_link=lambda n: _page_link(lang, query, n),
        )
        return self._page(html, lang)

    async def innovation_page(self, request: web.Request) -> web.Response:
        """One innovation on the catalog, by its code."""
        lang = pick_language(request.query.get("lang"))
        code = request.match_info["code"]
        if not CODE.match(code):
            return self._error(request, 404)
        async with db.transaction(self.deps.session_factory()) as session:
            found = await catalog_page.innovation(session, code.upper())
        if found is None:
            return self._error(request, 404)
        html = self.pages.render(
            "innovation.html",
            lang,
            request.path,
            {},
            i=found,
            ask=self.pages.ask_links(found.code),
        )
        return self._page(html, lang)

    async def summary_page(self, request: web.Request) -> web.Response:
        """Counts by urusan and unit, basic-service coverage and the chart."""
        lang = pick_language(request.query.get("lang"))
        async with db.transaction(self.deps.session_factory()) as session:
            summary = await catalog.summary(session)
        basic = [o for o in self.deps.master.urusan if o.pelayanan_dasar]
        html = self.pages.render(
            "summary.html",
            lang,
            request.path,
            {},
            summary=summary,
            basic=basic,
            basic_covered=sum(o.key in summary.urusan_covered for o in basic),
        )
        return self._page(html, lang)

    async def not_found(self, request: web.Request) -> web.Response:
        """Anything else under /katalog (``/katalog/`` is the list)."""
        if request.path == "/katalog/" and request.method in ("GET", "HEAD"):
            query = request.rel_url.raw_query_string
            raise web.HTTPMovedPermanently("/katalog" + (f"?{query}" if query else ""))
        return self._error(request, 404)

    # -- images

    async def chart(self, request: web.Request) -> web.Response:
        """The summary's chart: innovations on the catalog per unit, as a PNG."""
        lang = pick_language(request.query.get("lang"))
        async with db.transaction(self.deps.session_factory()) as session:
            summary = await catalog.summary(session)
        title = self.deps.translator(lang).plain("katalog.summary.chart_innovations")
        key = (title, tuple(sorted(summary.by_unit.items())))
        png = self.charts.get(key)
        if png is None:
            async with self._drawing:
                png = await asyncio.to_thread(images.unit_chart, summary.by_unit, title)
            self.charts.put(key, png)
        return self._image(png, "image/png")

    async def photo(self, request: web.Request) -> web.Response:
        """A thumbnail of a photo marked public of an innovation on the catalog; 404 for
        every other file."""
        attachment_id = int(request.match_info["id"])
        async with db.transaction(self.deps.session_factory()) as session:
            stored = await catalog.photo_path(session, attachment_id)
        path = self._under_files_dir(stored) if stored is not None else None
        if path is None:
            return self._error(request, 404)
        jpeg = self.thumbnails.get(stored)
        if jpeg is None:
            try:
                jpeg = await asyncio.to_thread(images.thumbnail, path)
            except images.ImageError as exc:
                log.warning("catalog photo %d not shown: %s", attachment_id, exc)
                return self._error(request, 404)
            self.thumbnails.put(stored, jpeg)
        return self._image(jpeg, "image/jpeg")

    # -- helpers

    def _under_files_dir(self, stored: str) -> Path | None:
        """Return the stored file's path if it is a file inside FILES_DIR."""
        root = self.deps.files_dir.resolve()
        path = (root / stored).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path

    async def _filters(
        self, session: AsyncSession, request: web.Request
    ) -> tuple[catalog.Filters, int]:
        """Read the list's query parameters; a value the catalog does not know is a
        :class:`BadRequest` (empty ones are no filter)."""
        query = request.query
        master = self.deps.master

        def choice(name: str) -> str | None:
            value = query.get(name, "").strip()
            if not value:
                return None
            if value not in {o.key for o in master.options(name)}:
                raise BadRequest(name)
            return value

        unit = query.get("unit", "").strip() or None
        if unit is not None and await units.id_of_code(session, unit) is None:
            raise BadRequest("unit")
        filters = catalog.Filters(
            unit=unit,
            urusan=choice("urusan"),
            tahapan=choice("tahapan"),
            jenis=choice("jenis"),
            year=_number(query.get("tahun"), YEARS, "tahun"),
            query=_search_text(query.get("q", "")),
        )
        page = _number(query.get("halaman"), range(1, MAX_PAGE + 1), "halaman") or 1
        return filters, page

    def _headers(self, response: web.Response, cache: str) -> web.Response:
        response.headers["Cache-Control"] = cache
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = self.csp
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def _page(self, html: str, lang: str, status: int = 200) -> web.Response:
        response = web.Response(text=html, content_type="text/html", status=status)
        response.headers["Content-Language"] = lang
        response.enable_compression()  # gzip when the browser takes it: slow connections
        return self._headers(response, PAGE_CACHE if status == 200 else ERROR_CACHE)

    def _image(self, data: bytes, content_type: str) -> web.Response:
        return self._headers(web.Response(body=data, content_type=content_type), IMAGE_CACHE)

    def _error(self, request: web.Request, status: int) -> web.Response:
        kind = {400: "bad_request", 404: "not_found"}.get(status, "server")
        lang = pick_language(request.query.get("lang"))
        t = self.deps.translator(lang)
        html = self.pages.render(
            "error.html",
            lang,
            "/katalog",
            {},
            title=t.plain(f"katalog.error.{kind}_title"),
            message=t.plain(f"katalog.error.{kind}"),
        )
        return self._page(html, lang, status)

    def _safe(self, handler: Handler) -> Handler:
        """Answer a bad query with the 400 page and any failure with the 500 page."""

        async def answer(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except BadRequest as exc:
                log.info("catalog: bad query parameter %s", exc)
                return self._error(request, 400)
            except web.HTTPException:
                raise
            except Exception:
                log.exception("catalog: %s failed", request.path)
                return self._error(request, 500)

        return answer


def _number(value: str | None, allowed: range, name: str) -> int | None:
    """Return a whole number within ``allowed``, None for nothing; else BadRequest."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) not in allowed:
        raise BadRequest(name)
    return int(text)


def _search_text(value: str) -> str | None:
    """Return the words searched for on one line, without control characters (PostgreSQL
    refuses a NUL), cut to the longest search."""
    printable = "".join(ch if ch.isprintable() else " " for ch in value)
    return " ".join(printable.split())[: catalog.MAX_QUERY] or None


def _page_link(lang: str, query: dict[str, str], page: int) -> str:
    return link("/katalog", lang, **query, halaman=page if page > 1 else None)


def routes(deps: Deps) -> Route:
    """Return what adds the catalog's routes to the bot's web server."""
    return Catalog(deps).add_routes
