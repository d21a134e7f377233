"""The catalog in a real browser: Debian's Chromium, driven by Playwright, on a phone-sized
screen. Open the catalog, filter, search, open an innovation and the summary; no private
value is on any page, the stylesheet applies under the CSP, nothing is refused; a screenshot
of each page is kept in test-artifacts/.

Skipped without /usr/bin/chromium or the playwright package, unless REQUIRE_BROWSER=1."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import web
from bot.app import close_database, make_deps, open_database
from bot.catalog import web as catalog_web
from models.clock import FrozenClock
from tests.catalog.conftest import BOT_USERNAME, catalog_settings
from tests.catalog.seed import Seeded, seed

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"

try:
    from playwright.async_api import Page, async_playwright
except ImportError:  # pragma: no cover - depends on the machine
    async_playwright = None  # type: ignore[assignment]


def _missing() -> str | None:
    if async_playwright is None:
        return "the playwright package is not installed (pip install playwright)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture
def browser_ready() -> None:
    missing = _missing()
    if missing is not None:
        if REQUIRED:
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, Seeded]]:
    """The catalog's web server on a free port against a seeded SQLite database."""
    clock = FrozenClock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    settings = catalog_settings(f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}", tmp_path)
    deps = make_deps(settings, clock=clock)
    deps.bot_username = BOT_USERNAME
    await open_database(deps)
    seeded = await seed(deps, clock, extra=22)
    server = web.WebServer(web.build(deps, [catalog_web.routes(deps)]), host="127.0.0.1", port=0)
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}", seeded
    finally:
        await server.stop()
        await close_database(deps)


async def _check(page: Page, seeded: Seeded, name: str) -> str:
    """Assert no private value is on the page (its text and its HTML); keep a screenshot."""
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"catalog-{name}.png"), full_page=True)
    text = await page.inner_text("body")
    html = await page.content()
    for value in seeded.private:
        assert value not in text and value not in html, f"{value!r} on the {name} page"
    return text


async def test_catalog_in_chromium(browser_ready: None, served: tuple[str, Seeded]) -> None:
    base, seeded = served
    assert async_playwright is not None
    problems: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = await browser.new_context(
                viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True
            )
            page = await context.new_page()

            def console(message: Any) -> None:
                if message.type in ("error", "warning"):
                    problems.append(message.text)

            page.on("console", console)
            page.on("pageerror", lambda error: problems.append(str(error)))

            # the catalog: 24 innovations, 20 on the first page
            await page.goto(base + "/katalog")
            text = await _check(page, seeded, "list")
            assert "24 inovasi" in text
            assert await page.locator("li.card").count() == 20
            background = await page.eval_on_selector(
                "header", "e => getComputedStyle(e).backgroundColor"
            )
            assert background == "rgb(11, 92, 173)"  # the stylesheet applied under the CSP

            # filter by a unit: Dinas Kesehatan covers the puskesmas below it
            await page.select_option("#unit", "DINKES")
            await page.click("button[type=submit]")
            await page.wait_for_url("**/katalog?*unit=DINKES*")
            text = await _check(page, seeded, "filter")
            assert "1 inovasi" in text and seeded.name_a in text

            # search, from a fresh list
            await page.goto(base + "/katalog")
            await page.fill("#q", "sekolah ramah")
            await page.press("#q", "Enter")
            await page.wait_for_url("**q=sekolah+ramah*")
            text = await _check(page, seeded, "search")
            assert "1 inovasi" in text and seeded.name_b in text

            # the next page of the list
            await page.goto(base + "/katalog")
            await page.click("a[rel=next]")
            text = await _check(page, seeded, "page-2")
            assert "Halaman 2 dari 2" in text and await page.locator("li.card").count() == 4

            # open an innovation from the list
            await page.goto(base + "/katalog?q=posyandu")
            await page.click(f"text={seeded.name_a}")
            await page.wait_for_url(f"**/katalog/inovasi/{seeded.a}")
            text = await _check(page, seeded, "innovation")
            assert "Status terakhir: Dikembangkan" in text
            assert "Inovasi Tiruan Malinau" in text
            photo = page.locator(".photos img")
            await photo.scroll_into_view_if_needed()
            await page.wait_for_function(
                "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"
            )
            assert await photo.evaluate("i => i.naturalWidth") == 480
            telegram = await page.get_attribute("text=Buka di Telegram", "href")
            assert telegram == f"https://t.me/{BOT_USERNAME}?start={seeded.a}"

            # the innovation with its contact shown, in English
            await page.goto(base + f"/katalog/inovasi/{seeded.b}?lang=en")
            text = await _check(page, seeded, "innovation-en")
            assert seeded.contact in text and "Replicates" in text

            # the summary with its chart
            await page.goto(base + "/katalog/ringkasan")
            chart = page.locator("img.chart")
            await chart.scroll_into_view_if_needed()
            await page.wait_for_function(
                "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"
            )
            text = await _check(page, seeded, "summary")
            assert "24 inovasi terpublikasi" in text

            # what is not on the catalog (the browser reports the 404 in its console)
            assert problems == []
            answer = await page.goto(base + "/katalog/inovasi/INO-2026-0003")
            assert answer is not None and answer.status == 404
            text = await _check(page, seeded, "not-found")
            assert "Halaman tidak ditemukan" in text
            await context.close()
        finally:
            await browser.close()
