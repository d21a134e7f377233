"""Helpers shared by the benchmark scripts: databases, settings, statistics, CPU counters,
and the full registration the flow benchmarks drive (its steps, the probe that times each
update, the bot started in this process with every handled update reported)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import os
import random
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import EXAMPLE_UNITS
from bot.runtime import BotRuntime
from bot.settings import Settings, load_settings
from bot.simulator import BotApiSimulator

DEFAULT_PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def pg_admin_url() -> str:
    """Return the PostgreSQL URL used to create throwaway databases (BENCH_POSTGRES_URL)."""
    return os.environ.get(
        "BENCH_POSTGRES_URL", os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG_ADMIN_URL)
    )


async def _admin(sql: str) -> None:
    """Run one statement outside a transaction on the admin database."""
    engine = create_async_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


async def pg_reachable(limit: float = 5.0) -> bool:
    """Return whether the PostgreSQL admin database answers (as tests/conftest.py checks)."""
    engine = create_async_engine(pg_admin_url())
    try:
        async with asyncio.timeout(limit), engine.connect() as conn:
            await conn.execute(text("select 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


INSERT_CHUNK = 5_000  # rows per INSERT of the seeding


async def insert_rows(session: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk-insert ``rows`` into ``table``, ``INSERT_CHUNK`` at a time."""
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(insert(table), rows[start : start + INSERT_CHUNK])


@asynccontextmanager
async def database(kind: str, workdir: Path, prefix: str) -> AsyncIterator[str]:
    """Yield the URL of a fresh, empty database (SQLite file or PostgreSQL); drop it after."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / f'{prefix}.db'}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield pg_admin_url().rsplit("/", 1)[0] + f"/{name}"
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bot_settings(sim: BotApiSimulator, database_url: str, files_dir: Path, **more: Any) -> Settings:
    """Return settings pointing at the simulator, the database and a files directory
    (``more``: further settings, e.g. the WhatsApp ones)."""
    return load_settings(
        _env_file=None,
        telegram_bot_token=sim.token,
        telegram_api_url=sim.api_url,
        telegram_file_url=sim.file_url,
        database_url=database_url,
        files_dir=files_dir,
        units_file=EXAMPLE_UNITS,
        pemda_name="Pemerintah Kabupaten Nunukan",
        timezone="Asia/Jakarta",
        admin_telegram_ids="",
        **more,
    )


def percentile(values: Sequence[float], pct: float) -> float:
    """Return the nearest-rank percentile of values (nan when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def p50_95_99(values: Sequence[float]) -> str:
    """Return "p50 / p95 / p99" of values, one decimal each."""
    return " / ".join(f"{percentile(values, p):.1f}" for p in (50, 95, 99))


def arrival_offsets(count: int, rate: float, *, poisson: bool, rng: random.Random) -> list[float]:
    """Return when each of ``count`` arrivals at ``rate`` per second comes, in seconds after
    the first: exponential gaps (Poisson arrivals) or even ones."""
    gaps = [rng.expovariate(rate) if poisson else 1 / rate for _ in range(count - 1)]
    return list(itertools.accumulate(gaps, initial=0.0)) if count > 0 else []


@dataclass
class CpuSample:
    """CPU counters at one moment: this process and the whole machine."""

    wall: float
    process: float
    machine_busy: float
    machine_total: float

    @classmethod
    def take(cls) -> CpuSample:
        """Read the counters now."""
        busy, total = _machine_jiffies()
        return cls(time.perf_counter(), time.process_time(), busy, total)

    def usage_since(self, start: CpuSample) -> tuple[float, float]:
        """Return (this process %, machine %) of one core between start and now."""
        wall = max(self.wall - start.wall, 1e-9)
        process = 100 * (self.process - start.process) / wall
        total = self.machine_total - start.machine_total
        cores = os.cpu_count() or 1
        machine = 100 * cores * (self.machine_busy - start.machine_busy) / total if total else 0.0
        return process, machine


def _machine_jiffies() -> tuple[float, float]:
    """Return (busy, total) jiffies of all CPUs from /proc/stat (zeros if unavailable)."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return 0.0, 0.0
    values = [float(v) for v in first[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0.0)
    total = sum(values[:8])
    return total - idle, total


def machine_summary() -> str:
    """Return 'N cores, M GiB RAM, CPU model' for the report."""
    cores = os.cpu_count() or 0
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = ", " + line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cores} cores{memory}{model}"


def run_summary(began: float) -> str:
    """Return the report's first lines: the machine, Python, and the run time since
    ``began`` (a time.perf_counter() reading)."""
    return (
        f"Machine: {machine_summary()}; Python {sys.version.split()[0]}\n"
        f"Total run time {time.perf_counter() - began:.0f} s\n"
    )


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Return a Markdown table with aligned columns."""
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), separator, *(line(r) for r in rows)])


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu_seconds(pid: int) -> float | None:
    """Return a process's CPU time so far (utime + stime from /proc/<pid>/stat, in seconds),
    or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is field 3
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime: fields 14, 15


def postgres_pids(database: str) -> list[int]:
    """Return the PostgreSQL server processes working for ``database``: its backends and the
    WAL writer (the server's other helpers, and other databases' backends, are left out)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and (f" {database} " in title or "walwriter" in title):
            pids.append(int(entry.name))
    return pids


@dataclass
class ProcessCpu:
    """The CPU time of some processes, each by pid, at one moment."""

    seconds: dict[int, float]

    @classmethod
    def take(cls, pids: Sequence[int]) -> ProcessCpu:
        """Read the processes' counters now (a process that is gone is left out)."""
        read = {pid: process_cpu_seconds(pid) for pid in pids}
        return cls({pid: s for pid, s in read.items() if s is not None})

    def since(self, start: ProcessCpu) -> float:
        """Return the CPU seconds these processes used since ``start`` (a process started
        meanwhile counts from zero; one that ended meanwhile is not counted)."""
        return sum(now - start.seconds.get(pid, 0.0) for pid, now in self.seconds.items())


# ---------------------------------------------------------------- the registration flow
# What a user types in the flow benchmarks (flow_throughput.py, whatsapp_flow.py, memory.py):
# onboarding, then every field of a registration as register_until_summary in
# tests/handlers/test_registration.py fills it, then Kirim.

MASALAH_1 = (
    "Ibu hamil dan balita di wilayah perbatasan sering terlambat mendapat layanan "
    "karena jadwal posyandu tidak diketahui dan data kunjungan masih dicatat di buku."
)
MASALAH_2 = "Kader kesulitan melaporkan kasus gizi buruk tepat waktu ke puskesmas."
RANCANG_1 = " ".join(["Kader mencatat kunjungan posyandu lewat aplikasi sederhana."] * 25)
RANCANG_2 = " ".join(["Puskesmas memantau data dan mengirim pengingat jadwal."] * 25)
PDF = b"%PDF-1.4\n" + b"0" * 2048
JPEG = b"\xff\xd8\xff\xe0" + b"1" * 4096


@dataclass(frozen=True)
class Step:
    """One update a simulated user sends: its kind and text or button label."""

    kind: str
    value: str = ""


def flow_script(user_id: int) -> list[Step]:
    """Return onboarding plus a complete registration with every field, then Kirim."""
    t, p = "text", "press"
    return [
        Step(t, "/start"),
        Step(t, f"Pengguna Uji {user_id}"),
        Step(p, "Dinas Kesehatan"),
        Step(p, "Lewati"),
        Step(p, "Lewati"),
        Step(t, "/baru"),
        Step(t, f"Si Cantik {user_id}: Posyandu Digital"),
        Step(p, "Dinas Kesehatan"),
        Step(p, "Penerapan"),
        Step(p, "ASN"),
        Step(p, "Saya sendiri"),
        Step(p, "Digital"),
        Step(p, "Inovasi pelayanan publik"),
        Step(p, "Digitalisasi layanan pemerintahan"),
        Step(t, "kesehat"),
        Step(p, "Kesehatan"),
        Step(p, "Pendidikan"),
        Step(t, "komunikasi"),
        Step(p, "Komunikasi dan Informatika"),
        Step(p, "Selesai"),
        Step(t, "05/03/2024"),
        Step(t, "Juni 2024"),
        Step(t, MASALAH_1),
        Step(t, MASALAH_2),
        Step(p, "Selesai"),
        Step(t, RANCANG_1),
        Step(t, RANCANG_2),
        Step(p, "Selesai"),
        Step(t, "Menurunkan angka keterlambatan layanan ibu dan anak."),
        Step(p, "Selesai"),
        Step(t, "Jadwal posyandu diketahui semua warga; data gizi terkirim hari itu juga."),
        Step(p, "Selesai"),
        Step(t, "Kunjungan posyandu naik 35% dalam enam bulan."),
        Step(p, "Selesai"),
        Step("location"),
        Step("document"),
        Step("photo"),
        Step(p, "Selesai"),
        Step("contact"),
        Step(p, "Kirim"),
    ]


STEPS_PER_USER = len(flow_script(0))


class FlowUser(Protocol):
    """What a simulated user of either simulator does without waiting for the bot
    (bot.simulator's SimUser and bot.simulator.whatsapp's WaUser both do)."""

    async def fire_text(self, text: str, /) -> object:
        """Send a text."""

    async def fire_press(self, label: str, /) -> object:
        """Press the button with this label on the bot's latest screen."""

    async def fire_location(self, latitude: float, longitude: float, /) -> object:
        """Share a location."""

    async def fire_document(self, filename: str, data: bytes, mime_type: str, /) -> object:
        """Send a file."""

    async def fire_photo(self, data: bytes, /) -> object:
        """Send a photo."""

    async def fire_contact(self, phone: str, name: str, /) -> object:
        """Share a contact card."""


async def fire_step(user: FlowUser, step: Step) -> None:
    """Send one step's update without waiting for the bot."""
    if step.kind == "text":
        await user.fire_text(step.value)
    elif step.kind == "press":
        await user.fire_press(step.value)
    elif step.kind == "location":
        await user.fire_location(4.1367, 117.6631)
    elif step.kind == "document":
        await user.fire_document("sk-inovasi.pdf", PDF, "application/pdf")
    elif step.kind == "photo":
        await user.fire_photo(JPEG)
    elif step.kind == "contact":
        await user.fire_contact("+62 812-3456-7890", "Siti")
    else:
        raise ValueError(f"unknown step kind {step.kind!r}")


class HasText(Protocol):
    """A message a simulator recorded (Telegram's SentMessage, WhatsApp's WaMessage)."""

    @property
    def text(self) -> str:
        """Return the message's visible text."""


def submitted(messages: Sequence[HasText]) -> bool:
    """Return whether the bot's last few messages to a user carry an INO code (Kirim worked)."""
    return any("INO-" in m.text for m in messages[-3:])


# ---------------------------------------------------------------- timing each update


@dataclass
class Pending:
    """One update in flight and its timestamps (time.perf_counter())."""

    injected: float
    done: asyncio.Event = field(default_factory=asyncio.Event)
    answered: float | None = None
    handled: float | None = None


class ChatProbe:
    """Match the bot's answers and completions to each chat's update in flight (a chat has
    at most one); chats are keyed as the caller likes (Telegram chat ids, WhatsApp ids)."""

    timeout = 120.0

    def __init__(self) -> None:
        self.in_flight: dict[Hashable, Pending] = {}

    def on_answer(self, chat: Hashable, when: float | None = None) -> None:
        """Record the first answer for the chat's update in flight."""
        pending = self.in_flight.get(chat)
        if pending is not None and pending.answered is None:
            pending.answered = time.perf_counter() if when is None else when

    def on_chat_handled(self, chat: Hashable) -> None:
        """Mark the chat's update in flight as completely handled."""
        pending = self.in_flight.pop(chat, None)
        if pending is not None:
            pending.handled = time.perf_counter()
            pending.done.set()

    async def send(self, chat: Hashable, send: Callable[[], Awaitable[object]]) -> Pending:
        """Inject one update with ``send`` and wait until the bot has handled it."""
        pending = Pending(time.perf_counter())
        self.in_flight[chat] = pending
        pending.injected = time.perf_counter()
        await send()
        try:
            await asyncio.wait_for(pending.done.wait(), self.timeout)
        except TimeoutError:
            self.in_flight.pop(chat, None)
            raise RuntimeError(f"chat {chat}: no completion in {self.timeout:g} s") from None
        return pending


Handled = Callable[[str, dict[str, Any]], None]


def report_handled(runtime: BotRuntime, on_handled: Handled) -> None:
    """Call ``on_handled(channel, payload)`` whenever one of the runtime's channels has
    finished with a kept update (its answer sent), whatever came of it."""
    channels: list[tuple[str, Any]] = [
        ("telegram", runtime.telegram),
        ("whatsapp", runtime.whatsapp),
    ]
    for name, channel in channels:
        if channel is None:
            continue
        original = channel.process

        def wrap(
            original: Callable[..., Awaitable[None]], name: str
        ) -> Callable[..., Awaitable[None]]:
            async def process(payload: dict[str, Any], *, replayed: bool) -> None:
                try:
                    await original(payload, replayed=replayed)
                finally:
                    on_handled(name, payload)

            return process

        # the worker calls the channel object's process: an instance attribute wins the lookup
        channel.process = wrap(original, name)


@asynccontextmanager
async def running_runtime(settings: Settings, on_handled: Handled) -> AsyncIterator[BotRuntime]:
    """Start the real bot in this process, as ``bot.py run`` does (the inbox worker, Telegram
    polling the simulator, the web server when WhatsApp is configured), reporting each
    handled update; stop it after."""
    runtime = BotRuntime(settings, webhook_mode=False, poll_timeout=1)
    report_handled(runtime, on_handled)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()


class ErrorCounter(logging.Handler):
    """Count log records of level ERROR and above (handler failures)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record."""
        self.count += 1


def postmaster_pid() -> int | None:
    """Return the local PostgreSQL server's main process (None if there is none here)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].split(b"/")[-1] == b"postgres" and b"-D" in args:
            return int(entry.name)
    return None


def reaped_cpu_seconds(pid: int) -> float | None:
    """Return the CPU time of a process's children that ended and were waited for (cutime +
    cstime): for the postmaster, every backend that exited, of any database."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / CLOCK_TICKS  # cutime, cstime: fields 16, 17
