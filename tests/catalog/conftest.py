"""The catalog's web server on a seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import web
from bot.app import EXAMPLE_UNITS, close_database, make_deps, open_database
from bot.catalog import web as catalog_web
from bot.deps import Deps
from bot.settings import Settings, load_settings
from models.clock import FrozenClock
from tests.catalog.seed import Seeded, seed

BOT_USERNAME = "inovasi_nunukan_bot"
WHATSAPP_NUMBER = "6281200009999"


def catalog_settings(database_url: str, files: Path) -> Settings:
    """Settings of a Pemda with both channels (their links on the pages)."""
    return load_settings(
        _env_file=None,
        database_url=database_url,
        files_dir=files,
        units_file=EXAMPLE_UNITS,
        pemda_name="Pemerintah Kabupaten Nunukan",
        timezone="Asia/Makassar",
        telegram_bot_token="123456:TOKEN-RAHASIA-TIDAK-DIPAKAI",
        whatsapp_token="WA-TOKEN-RAHASIA",
        whatsapp_phone_id="1234567890",
        whatsapp_app_secret="wa-app-secret-rahasia",
        whatsapp_verify_token="wa-verify-rahasia",
        whatsapp_number=WHATSAPP_NUMBER,
    )


@pytest.fixture
async def catalog_deps(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> AsyncIterator[Deps]:
    """Deps with an open, migrated database holding the example units."""
    settings = catalog_settings(database_url, tmp_path / "files")
    deps = make_deps(settings, clock=clock)
    deps.bot_username = BOT_USERNAME
    await open_database(deps)
    try:
        yield deps
    finally:
        await close_database(deps)


@pytest.fixture
async def seeded(catalog_deps: Deps, clock: FrozenClock) -> Seeded:
    """The seeded innovations (two on the catalog, five off it)."""
    return await seed(catalog_deps, clock)


@pytest.fixture
async def base_url(catalog_deps: Deps) -> AsyncIterator[str]:
    """The web server with the catalog, listening on a free port."""
    server = web.WebServer(
        web.build(catalog_deps, [catalog_web.routes(catalog_deps)]), host="127.0.0.1", port=0
    )
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await server.stop()
