"""Shared fixtures: databases (SQLite and PostgreSQL), clock, simulator and the running bot."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bot.app import EXAMPLE_UNITS
from bot.context import BotApplication
from bot.runtime import BotRuntime
from bot.settings import Settings, load_settings
from bot.simulator import BotApiSimulator, SentMessage, SimUser
from bot.simulator.whatsapp import WaMessage, WaTemplate, WaUser, WhatsAppSimulator
from bot.whatsapp import templates as whatsapp_templates
from models import db
from models.clock import FrozenClock
from models.tables import Base
from tests import phones

PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1" or os.environ.get("CI") == "true"


async def _pg_reachable() -> bool:
    engine = create_async_engine(PG_ADMIN_URL)
    try:
        async with asyncio.timeout(5), engine.connect() as conn:
            await conn.execute(text("select 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """Create one throwaway PostgreSQL database for the session (None if unreachable)."""
    if not asyncio.run(_pg_reachable()):
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required but not reachable at {PG_ADMIN_URL}")
        yield None
        return
    name = f"inovasi_test_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.execute(text(sql))
        finally:
            await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    async def setup() -> None:
        engine = db.create_engine(url)
        await db.migrate(engine)
        await engine.dispose()

    asyncio.run(setup())
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate(url: str) -> None:
    engine = create_async_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, pg_database: str | None
) -> str:
    """A migrated, empty database: a fresh SQLite file, or the PostgreSQL test database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    if pg_database is None:
        pytest.skip("PostgreSQL not reachable")
    await _truncate(pg_database)
    return pg_database


@pytest.fixture
def clock() -> FrozenClock:
    """A clock fixed at a working-day morning in Jakarta."""
    return FrozenClock(datetime(2026, 11, 20, 2, 0, tzinfo=UTC))


@pytest.fixture(params=[phones.TELEGRAM, phones.WHATSAPP])
def channel(request: pytest.FixtureRequest) -> Iterator[str]:
    """The channel an end-to-end test talks to the bot on (each runs on both)."""
    phones.CURRENT[0] = request.param
    yield request.param
    phones.CURRENT[0] = phones.TELEGRAM


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run on WhatsApp what talks to the bot (the tests with the running bot, and those in
    tests/whatsapp), on SQLite;
    leave out tests marked ``telegram_only`` there. Everything else runs once per database."""
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        skip = params.get("channel") == phones.WHATSAPP and (
            (
                "harness" not in getattr(item, "fixturenames", ())
                and "whatsapp" not in item.path.parts
            )
            or params.get("database_url") == "postgresql"
            or item.get_closest_marker("telegram_only") is not None
        )
        (drop if skip else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
async def telegram_sim() -> AsyncIterator[BotApiSimulator]:
    """A running loopback Bot API."""
    async with BotApiSimulator() as simulator:
        yield simulator


@pytest.fixture
async def wa_sim(channel: str, clock: FrozenClock) -> AsyncIterator[WhatsAppSimulator | None]:
    """A running loopback WhatsApp Cloud API (on the WhatsApp channel), on the test's clock."""
    if channel != phones.WHATSAPP:
        yield None
        return
    async with WhatsAppSimulator(clock=clock.now) as simulator:
        # a test types a whole registration in a second or two, no person does: WhatsApp's
        # limit per person (a burst of 45 within 6 s) is tested on its own
        simulator.pair_burst = 10_000
        for template in whatsapp_templates.load().templates.values():
            for wording in template.languages.values():
                simulator.templates[(template.name, wording.code)] = WaTemplate(
                    wording.body, buttons=tuple(wording.buttons)
                )
        yield simulator


@pytest.fixture
def sim(
    telegram_sim: BotApiSimulator, wa_sim: WhatsAppSimulator | None
) -> BotApiSimulator | phones.WhatsAppPhones:
    """Where the test's people are: the Telegram simulator, or the WhatsApp one."""
    if wa_sim is None:
        return telegram_sim
    return phones.WhatsAppPhones(wa_sim, telegram_sim)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def settings(
    database_url: str,
    telegram_sim: BotApiSimulator,
    wa_sim: WhatsAppSimulator | None,
    tmp_path: Path,
) -> Settings:
    """Settings pointing at the simulators and the test database."""
    whatsapp: dict[str, object] = {}
    if wa_sim is not None:
        whatsapp = {
            "whatsapp_token": wa_sim.token,
            "whatsapp_phone_id": wa_sim.phone_id,
            "whatsapp_app_secret": wa_sim.app_secret,
            "whatsapp_verify_token": wa_sim.verify_token,
            "whatsapp_api_url": wa_sim.api_url,
            "whatsapp_number": wa_sim.display_phone_number,
            "port": _free_port(),
        }
    return load_settings(
        _env_file=None,
        telegram_bot_token=telegram_sim.token,
        telegram_api_url=telegram_sim.api_url,
        telegram_file_url=telegram_sim.file_url,
        database_url=database_url,
        files_dir=tmp_path / "files",
        units_file=EXAMPLE_UNITS,
        pemda_name="Pemerintah Kabupaten Nunukan",
        timezone="Asia/Jakarta",
        admin_telegram_ids="",
        **whatsapp,
    )


@dataclass
class BotHarness:
    """The real bot process (inbox worker, polling, JobQueue) running against the
    simulator; can be restarted."""

    settings: Settings
    sim: BotApiSimulator | phones.WhatsAppPhones
    clock: FrozenClock
    runtime: BotRuntime | None = None

    @property
    def app(self) -> BotApplication | None:
        """Return the running PTB Application (its bot, JobQueue and deps)."""
        return self.runtime.app if self.runtime is not None else None

    async def start(self) -> BotRuntime:
        """Start a new bot process (as a new process would), polling the simulator."""
        runtime = BotRuntime(self.settings, clock=self.clock, webhook_mode=False, poll_timeout=1)
        await runtime.start()
        if isinstance(self.sim, phones.WhatsAppPhones):
            self.sim.wa.webhook_url = f"http://127.0.0.1:{self.settings.port}/whatsapp"
            self.sim.wa.attach(runtime.worker)
            self.sim.telegram.attach(runtime.worker)
        else:
            self.sim.attach(runtime.worker)
        self.runtime = runtime
        return runtime

    async def stop(self) -> None:
        """Stop the running process."""
        runtime, self.runtime = self.runtime, None
        if runtime is not None:
            await runtime.stop()

    async def restart(self) -> None:
        """Stop and start a fresh process on the same database."""
        await self.stop()
        await self.start()

    async def session(self) -> AsyncSession:
        """Open a session on the bot's database (for assertions)."""
        assert self.runtime is not None
        return self.runtime.deps.session_factory()()


@pytest.fixture
async def harness(
    settings: Settings, sim: BotApiSimulator | phones.WhatsAppPhones, clock: FrozenClock
) -> AsyncIterator[BotHarness]:
    """The bot, started; stopped at the end, and no message it sent was rejected."""
    bot = BotHarness(settings, sim, clock)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
    assert sim.rejected == [], f"the simulator rejected messages: {sim.rejected}"


def texts(messages: list[SentMessage] | list[WaMessage]) -> str:
    """Join the visible texts of messages (for substring assertions)."""
    return "\n---\n".join(m.text for m in messages)


def screen_text(user: SimUser | WaUser) -> str:
    """Return the text of the bot's latest screen: Telegram's last message; on WhatsApp a
    card too long for one message with buttons comes as text first and then the buttons
    under its last lines, so the whole card is those messages together."""
    if isinstance(user, SimUser):
        return user.last.text
    shown = user.answer or user.messages
    parts = [shown[-1].text]
    for message in reversed(shown[:-1]):
        if message.buttons or message.kind != "text":
            break
        parts.insert(0, message.text)
    return "\n\n".join(parts)


def labels_of(messages: list[SentMessage] | list[WaMessage]) -> list[str]:
    """Return the button labels of messages, in order (on WhatsApp one screen's options may
    be spread over several messages)."""
    return [label for message in messages for label in message.button_labels()]


def screen_labels(user: SimUser | WaUser) -> list[str]:
    """Return the buttons of the bot's latest screen: on Telegram its last message's; on
    WhatsApp a screen with more options than one message holds comes as several messages."""
    if isinstance(user, SimUser):
        return user.last.button_labels()
    shown = [m for m in user.answer if m.buttons] or [user.last]
    return [label for message in shown for label in message.button_labels()]


def button_answer(
    user: SimUser | WaUser, replies: list[SentMessage] | list[WaMessage]
) -> tuple[str | None, list[SentMessage] | list[WaMessage]]:
    """Return what the bot said to a pressed button, and its other messages: Telegram shows
    a short notice over the chat (the callback answer), WhatsApp has none, so the notice
    comes as a message of its own."""
    if isinstance(user, SimUser):
        answer = user.last_callback_answer
        return (answer.text if answer is not None else None), replies
    if replies and not replies[0].buttons and replies[0].kind == "text":
        return replies[0].text, replies[1:]
    return None, replies


async def onboard(
    user: SimUser | WaUser, *, name: str = "Budi Santoso", unit: str = "Dinas Kesehatan"
) -> None:
    """Complete onboarding for a simulated user."""
    replies = await user.send("/start")
    assert "Nama" in texts(replies)
    await user.send(name)
    await user.press(unit)
    await user.press("Lewati")
    replies = await user.press("Lewati")
    assert "Akun Anda siap" in texts(replies)
