"""Real bot processes in webhook mode behind a loopback reverse proxy, as deploy/ lays them
out: kill -9 during webhook traffic loses nothing and applies nothing twice; two processes on
one PostgreSQL keep every chat's order, one of them killed midway.

Every simulated user sits at the long-text step "masalah" and sends words one after another
without waiting for answers; a word applied twice, lost or out of order shows in the saved
text, which must be exactly the words in order.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select, update

from bot.app import EXAMPLE_UNITS, close_database, make_deps, open_database
from bot.forms import runner
from bot.forms.screens import Incoming
from bot.settings import load_settings
from bot.simulator import BotApiSimulator
from bot.simulator.proxy import LoopbackProxy
from models import db
from models.clock import SystemClock
from models.services import units
from models.services import users as user_service
from models.tables import FlowState, InboxUpdate, Innovation, User

ROOT = Path(__file__).resolve().parents[2]
SECRET = "uji-rahasia-webhook-0123456789"
BASE_ID = 700_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebhookProcess:
    """``python bot.py run`` in webhook mode on its own port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "bot.py", "run", cwd=ROOT, env=self.env, stdout=out, stderr=out
            )
        async with aiohttp.ClientSession() as client:
            async with asyncio.timeout(120):  # a busy machine starts Python slowly
                while True:
                    try:
                        async with client.get(self.url + "/healthz") as answer:
                            if answer.status == 200:
                                return
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.1)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


def process_env(sim: BotApiSimulator, database_url: str, tmp_path: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return {
        **keep,
        "TELEGRAM_BOT_TOKEN": sim.token,
        "TELEGRAM_API_URL": sim.api_url,
        "TELEGRAM_FILE_URL": sim.file_url,
        "DATABASE_URL": database_url,
        "FILES_DIR": str(tmp_path / "files"),
        "UNITS_FILE": str(EXAMPLE_UNITS),
        "REMINDER_SWEEP_SECONDS": "0",
        "WEBHOOK_URL": "https://bot.example.go.id",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_LISTEN": "127.0.0.1",
        "INBOX_LEASE_SECONDS": "2",  # a killed process's claims run out soon
        "LOG_LEVEL": "WARNING",
    }


async def seed_at_long_text(database_url: str, tmp_path: Path, chats: int) -> list[int]:
    """Onboarded users, each with a draft whose flow waits at "masalah" (the walk there is
    tested elsewhere); return their Telegram ids."""
    settings = load_settings(
        _env_file=None,
        database_url=database_url,
        files_dir=tmp_path / "files",
        units_file=EXAMPLE_UNITS,
        telegram_bot_token="1:seed",
    )
    deps = make_deps(settings, clock=SystemClock())
    await open_database(deps)
    ids = [BASE_ID + n for n in range(chats)]
    try:
        async with db.transaction(deps.session_factory()) as session:
            dinkes = (await units.find(session, "DINKES"))[0]
            for telegram_id in ids:
                user = await user_service.get_or_create(
                    session, telegram_id=telegram_id, language="id", now=deps.clock.now()
                )
                user_service.complete_onboarding(
                    user, name=f"Pengguna {telegram_id}", unit_id=dinkes.id, nip=None, phone=None
                )
                await runner.start_registration(session, deps, user)
                await runner.feed(
                    session, deps, user, Incoming("text", text=f"Inovasi Uji {telegram_id}")
                )
            await session.execute(update(FlowState).values(step="masalah", rev=100))
    finally:
        await close_database(deps)
    return ids


async def saved_texts(database_url: str) -> dict[int, str]:
    engine = db.create_engine(database_url)
    try:
        async with db.session_factory(engine)() as session:
            rows = await session.execute(
                select(User.telegram_id, Innovation.masalah).join(
                    Innovation, Innovation.owner_id == User.id
                )
            )
            return {int(t): m or "" for t, m in rows.all() if t is not None}
    finally:
        await engine.dispose()


async def inbox_size(database_url: str) -> int:
    engine = db.create_engine(database_url)
    try:
        async with db.session_factory(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)
    finally:
        await engine.dispose()


async def all_done(sim: BotApiSimulator, database_url: str, limit: float = 180) -> None:
    """Wait until every update was answered 200 and the inbox is empty."""
    async with asyncio.timeout(limit):
        while sim._updates or await inbox_size(database_url):  # noqa: ASYNC110 - other processes
            await asyncio.sleep(0.2)


def words(telegram_id: int, count: int) -> list[str]:
    return [f"kata{telegram_id % 1000:03d}x{n:02d}" for n in range(count)]


@pytest.fixture
async def proxy() -> AsyncIterator[LoopbackProxy]:
    async with LoopbackProxy([]) as running:
        yield running


async def test_webhook_updates_answered_200_survive_kill_9(
    sim: BotApiSimulator, database_url: str, tmp_path: Path, proxy: LoopbackProxy
) -> None:
    chats, per_chat = 5, 12
    ids = await seed_at_long_text(database_url, tmp_path, chats)
    bot = WebhookProcess(process_env(sim, database_url, tmp_path), tmp_path / "bot.log")
    proxy.backends[:] = [bot.url]
    proxy.forwarded[bot.url] = 0
    sim.webhook_base = proxy.url
    users = {i: sim.user(i, started=True) for i in ids}
    await bot.start()
    try:
        # the answers are slow, so updates pile up kept but unhandled when the kill comes
        sim.inject_failure("sendMessage", delay=0.3, times=1000)
        for n in range(per_chat):
            for i in ids:
                await users[i].fire_text(words(i, per_chat)[n])
        async with asyncio.timeout(60):
            while sim._updates:  # noqa: ASYNC110 - every update answered 200, i.e. kept
                await asyncio.sleep(0.02)
        waiting = await inbox_size(database_url)
        await bot.kill()
        assert waiting > 0, "the kill came after everything was handled: nothing was tested"
        sim._failures.clear()
        await bot.start()
        await all_done(sim, database_url)
    finally:
        await bot.stop()
        print((tmp_path / "bot.log").read_text()[-3000:])
    saved = await saved_texts(database_url)
    for i in ids:
        assert saved[i] == "\n\n".join(words(i, per_chat)), i


async def test_two_processes_keep_each_chats_order_one_killed_midway(
    sim: BotApiSimulator, database_url: str, tmp_path: Path, proxy: LoopbackProxy
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several bot processes share one database only on PostgreSQL")
    chats, per_chat = 50, 20
    ids = await seed_at_long_text(database_url, tmp_path, chats)
    env = process_env(sim, database_url, tmp_path)
    env["BOT_PROCESSES"] = "2"
    bots = [WebhookProcess(env, tmp_path / f"bot{n}.log") for n in (1, 2)]
    proxy.backends[:] = [b.url for b in bots]
    proxy.forwarded.update({b.url: 0 for b in bots})
    sim.webhook_base = proxy.url
    users = {i: sim.user(i, started=True) for i in ids}
    await asyncio.gather(*(b.start() for b in bots))
    total = chats * per_chat
    try:
        for n in range(per_chat):
            for i in ids:
                await users[i].fire_text(words(i, per_chat)[n])
        async with asyncio.timeout(120):
            while len(sim._updates) > total * 2 // 3:  # noqa: ASYNC110 - a third answered 200
                await asyncio.sleep(0.02)
        await bots[0].kill()
        await all_done(sim, database_url)
    finally:
        for b in bots:
            await b.stop()
        for n in (1, 2):
            print((tmp_path / f"bot{n}.log").read_text()[-2000:])
    assert all(count > 0 for count in proxy.forwarded.values()), proxy.forwarded
    saved = await saved_texts(database_url)
    assert len(saved) == chats
    for i in ids:
        assert saved[i] == "\n\n".join(words(i, per_chat)), i  # once each, in order
