"""The web server: /healthz says whether the database answers and its schema is current;
POST /telegram keeps an update once, answers 403 without the secret and 400 for no update."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, text

from bot import web
from bot.app import make_deps
from bot.deps import Deps
from bot.inbox import InboxWorker
from bot.settings import load_settings
from bot.telegram import webhook
from models import db
from models.tables import InboxUpdate

SECRET = "rahasia-uji-web-0123456789"


@pytest.fixture
async def deps(database_url: str, tmp_path: Path) -> AsyncIterator[Deps]:
    settings = load_settings(_env_file=None, database_url=database_url, files_dir=tmp_path)
    deps = make_deps(settings)
    deps.engine = db.create_engine(database_url)
    deps.sessions = db.session_factory(deps.engine)
    try:
        yield deps
    finally:
        await deps.engine.dispose()


async def serve(deps: Deps) -> tuple[web.WebServer, InboxWorker]:
    # room for no update: what the web server keeps stays in the inbox to be counted
    worker = InboxWorker(deps.session_factory, {}, concurrency=0)
    server = web.WebServer(
        web.build(deps, [webhook.routes(deps, SECRET, worker)]), host="127.0.0.1", port=0
    )
    await server.start()
    return server, worker


async def test_healthz_tells_a_schema_behind_from_a_current_one(deps: Deps) -> None:
    assert deps.engine is not None
    await db.migrate(deps.engine)
    async with deps.session_factory()() as session:
        head = str(await session.scalar(text("SELECT version_num FROM alembic_version")))
    await set_version(deps, "0007")  # as if the newest migration had not run yet
    server, _ = await serve(deps)
    base = f"http://127.0.0.1:{server.port}"
    try:
        async with aiohttp.ClientSession() as client:
            async with client.get(base + "/healthz") as answer:
                assert answer.status == 503
                assert await answer.json() == {"database": "ok", "migrations": "behind"}
            await set_version(deps, head)
            async with client.get(base + "/healthz") as answer:
                assert answer.status == 200
                assert await answer.json() == {"database": "ok", "migrations": "current"}
    finally:
        await server.stop()


async def test_an_update_is_kept_once_and_only_with_the_secret(deps: Deps) -> None:
    assert deps.engine is not None
    await db.migrate(deps.engine)
    server, _ = await serve(deps)
    url = f"http://127.0.0.1:{server.port}{webhook.PATH}"
    update = {"update_id": 5, "message": {"chat": {"id": 77}, "text": "halo"}}
    good = {webhook.SECRET_HEADER: SECRET}
    try:
        async with aiohttp.ClientSession() as client:
            for headers, status in [({}, 403), ({webhook.SECRET_HEADER: "salah"}, 403)]:
                async with client.post(url, json=update, headers=headers) as answer:
                    assert answer.status == status
            assert await kept(deps) == 0
            for body in ("bukan json", json.dumps([1, 2]), json.dumps({"update_id": "5"})):
                async with client.post(url, data=body, headers=good) as answer:
                    assert answer.status == 400
            for _ in range(2):  # Telegram's retry of the same update
                async with client.post(url, json=update, headers=good) as answer:
                    assert answer.status == 200
            assert await kept(deps) == 1
    finally:
        await server.stop()


async def kept(deps: Deps) -> int:
    async with deps.session_factory()() as session:
        return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)


async def set_version(deps: Deps, version: str) -> None:
    async with db.transaction(deps.session_factory()) as session:
        await session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": version})
