"""Helpers shared by the benchmark scripts: databases, settings, statistics, CPU counters."""

from __future__ import annotations

import itertools
import math
import os
import random
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import EXAMPLE_UNITS
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


def bot_settings(sim: BotApiSimulator, database_url: str, files_dir: Path) -> Settings:
    """Return settings pointing at the simulator, the database and a files directory."""
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
