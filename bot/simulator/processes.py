"""Real bot processes against the simulator: ``python bot.py run`` as a child process, in
webhook mode (on its own loopback port, reached directly or through
:class:`~bot.simulator.proxy.LoopbackProxy`) or polling; the environment that points it at
the simulator and a database; and users seeded at a long-text step, so that every text they
send is an answer the bot saves.

The fault tests (tests/faults/test_processes.py) and the webhook benchmark
(benchmarks/webhook_throughput.py) start their processes with these.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import aiohttp
from sqlalchemy import func, select, update

from bot.app import EXAMPLE_UNITS, close_database, make_deps, open_database
from bot.forms import runner
from bot.forms.screens import Incoming
from bot.settings import load_settings
from bot.simulator.records import ApiCall
from bot.simulator.server import BotApiSimulator
from models import db
from models.clock import SystemClock
from models.services import units
from models.services import users as user_service
from models.tables import FlowState, InboxUpdate, Innovation, User

ROOT = Path(__file__).resolve().parents[2]
BOT_COMMAND = ("bot.py", "run")
WEBHOOK_SECRET = "uji-rahasia-webhook-0123456789"
WEBHOOK_URL = "https://bot.example.go.id"  # the simulator's webhook_base sends it to loopback
BASE_ID = 700_000  # Telegram id of the first seeded user
LONG_TEXT_STEP = "masalah"
START_TIMEOUT = 120.0  # a busy machine starts Python slowly


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_env(
    sim: BotApiSimulator,
    database_url: str,
    workdir: Path,
    *,
    webhook: bool = True,
    lease_seconds: float | None = None,
) -> dict[str, str]:
    """Return the environment of a bot process on the simulator and ``database_url``.

    This process's environment without its ``TELEGRAM_*`` and ``DATABASE_*`` variables, plus
    the simulator's URLs and token, files under ``workdir/files``, the example units, no
    reminder sweep and warnings only in the log. With ``webhook`` it serves the webhook
    (``WEBHOOK_URL``, ``WEBHOOK_SECRET``, on 127.0.0.1; the port is each process's own, see
    :class:`WebhookProcess`); without, it polls. ``lease_seconds`` shortens the inbox claims
    (``INBOX_LEASE_SECONDS``), so that a killed process's claims run out soon.
    """
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_LISTEN", "PORT"):
        keep.pop(name, None)
    env = {
        **keep,
        "TELEGRAM_BOT_TOKEN": sim.token,
        "TELEGRAM_API_URL": sim.api_url,
        "TELEGRAM_FILE_URL": sim.file_url,
        "DATABASE_URL": database_url,
        "FILES_DIR": str(workdir / "files"),
        "UNITS_FILE": str(EXAMPLE_UNITS),
        "REMINDER_SWEEP_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    if webhook:
        env.update(
            WEBHOOK_URL=WEBHOOK_URL, WEBHOOK_SECRET=WEBHOOK_SECRET, WEBHOOK_LISTEN="127.0.0.1"
        )
    if lease_seconds is not None:
        env["INBOX_LEASE_SECONDS"] = f"{lease_seconds:g}"
    return env


class BotProcess:
    """A child process running ``python`` with ``command`` (``bot.py run``) in the
    repository, its output appended to ``log``; started, killed or stopped."""

    def __init__(
        self, env: Mapping[str, str], log: Path, *, command: Sequence[str] = BOT_COMMAND
    ) -> None:
        self.env = dict(env)
        self.log = log
        self.command = tuple(command)
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        """Return the process id (the process must have been started)."""
        if self.process is None:
            raise RuntimeError("the process was not started")
        return self.process.pid

    async def start(self) -> None:
        """Start the process and wait until it is ready (:meth:`wait_ready`); raise
        RuntimeError, with the end of its log, if it exits or is not ready in time."""
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *self.command, cwd=ROOT, env=self.env, stdout=out, stderr=out
            )
        ready = asyncio.ensure_future(self.wait_ready())
        exited = asyncio.ensure_future(self.process.wait())
        try:
            done, _ = await asyncio.wait(
                {ready, exited}, timeout=START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            ready.cancel()
            exited.cancel()
        if ready in done:
            ready.result()  # raises what made waiting fail
            return
        how = "exited" if exited in done else f"was not ready in {START_TIMEOUT:g} s"
        tail = self.log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(self.command)} {how}:\n{tail}")

    async def wait_ready(self) -> None:
        """Return once the process serves (here: at once; subclasses wait for a sign)."""

    async def kill(self) -> None:
        """Kill the process with SIGKILL (nothing it holds is given back) and reap it."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        """Stop the process with SIGTERM, as a service manager does, and wait for it."""
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


class WebhookProcess(BotProcess):
    """A bot process in webhook mode on its own free port (``PORT``); ready once its
    ``/healthz`` answers 200."""

    def __init__(
        self, env: Mapping[str, str], log: Path, *, command: Sequence[str] = BOT_COMMAND
    ) -> None:
        self.port = free_port()
        super().__init__({**env, "PORT": str(self.port)}, log, command=command)

    @property
    def url(self) -> str:
        """Return the process's base URL (a proxy's backend)."""
        return f"http://127.0.0.1:{self.port}"

    async def wait_ready(self) -> None:
        """Wait until ``/healthz`` answers 200."""
        async with aiohttp.ClientSession() as client:
            while True:
                try:
                    async with client.get(self.url + "/healthz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.1)


class PollingProcess(BotProcess):
    """A bot process that polls ``sim`` (no ``WEBHOOK_URL``); ready once the simulator
    receives its first ``getUpdates``."""

    def __init__(
        self,
        env: Mapping[str, str],
        log: Path,
        sim: BotApiSimulator,
        *,
        command: Sequence[str] = BOT_COMMAND,
    ) -> None:
        super().__init__(env, log, command=command)
        self.sim = sim
        self._polled = asyncio.Event()

    def _on_call(self, call: ApiCall) -> None:
        if call.method == "getUpdates":
            self._polled.set()

    async def start(self) -> None:
        """Start the process and wait for its first ``getUpdates``."""
        self._polled.clear()
        remove = self.sim.add_call_listener(self._on_call)  # before the process can poll
        try:
            await super().start()
        finally:
            remove()

    async def wait_ready(self) -> None:
        """Wait until the simulator has received a ``getUpdates``."""
        await self._polled.wait()


def pending_updates(sim: BotApiSimulator) -> int:
    """Return how many updates the simulator still holds (not answered 200, not fetched)."""
    return len(sim._updates)


async def seed_at_long_text(
    database_url: str,
    workdir: Path,
    chats: int,
    *,
    base_id: int = BASE_ID,
    whatsapp_ids: Sequence[str] = (),
) -> list[int]:
    """Create ``chats`` onboarded users (Telegram ids from ``base_id`` on; or, with
    ``whatsapp_ids``, one WhatsApp user for each), each with a draft whose registration
    waits at the long-text step "masalah", and return their ids (``users.id`` on WhatsApp).

    Every text such a user sends is appended to the draft's "masalah" and saved (the walk
    to that step is tested elsewhere). Migrates the database first if it is new.
    """
    settings = load_settings(
        _env_file=None,
        database_url=database_url,
        files_dir=workdir / "files",
        units_file=EXAMPLE_UNITS,
        telegram_bot_token="1:seed",
    )
    deps = make_deps(settings, clock=SystemClock())
    await open_database(deps)
    people: list[tuple[str, int | str]] = [("whatsapp", wa_id) for wa_id in whatsapp_ids] or [
        ("telegram", base_id + n) for n in range(chats)
    ]
    made: list[int] = []
    try:
        async with db.transaction(deps.session_factory()) as session:
            dinkes = (await units.find(session, "DINKES"))[0]
            for channel, address in people:
                user = await user_service.get_or_create(
                    session, channel=channel, address=address, language="id",
                    now=deps.clock.now(),
                )  # fmt: skip
                user_service.complete_onboarding(
                    user, name=f"Pengguna {address}", unit_id=dinkes.id, nip=None, phone=None
                )
                await runner.start_registration(session, deps, user)
                await runner.feed(
                    session, deps, user, Incoming("text", text=f"Inovasi Uji {address}")
                )
                made.append(user.id)
            await session.execute(
                update(FlowState)
                .where(FlowState.user_id.in_(made))
                .values(step=LONG_TEXT_STEP, rev=100)
            )
    finally:
        await close_database(deps)
    return made if whatsapp_ids else [int(address) for _, address in people]


def words(telegram_id: int, count: int) -> list[str]:
    """Return the ``count`` words a seeded user sends, each one different: their saved
    text, joined by blank lines, shows any word lost, doubled or out of order."""
    return [f"kata{telegram_id % 1000:03d}x{n:02d}" for n in range(count)]


async def saved_texts(database_url: str) -> dict[int, str]:
    """Return each user's saved "masalah" text by Telegram id."""
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
    """Return how many updates the inbox holds (kept, not yet handled and taken out)."""
    engine = db.create_engine(database_url)
    try:
        async with db.session_factory(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)
    finally:
        await engine.dispose()


async def all_done(sim: BotApiSimulator, database_url: str, limit: float = 180) -> None:
    """Wait until the simulator holds no update (each answered 200 or fetched) and the inbox
    is empty (each handled); raise TimeoutError after ``limit`` seconds."""
    async with asyncio.timeout(limit):
        while pending_updates(sim) or await inbox_size(database_url):  # noqa: ASYNC110
            await asyncio.sleep(0.2)
