"""Peak memory and start-up time of the bot process with many users in mid-registration.

Run: .venv/bin/python benchmarks/memory.py [--users 10000] [--sample 500] [--db sqlite|postgresql]

1. One template user goes through onboarding and half of a registration (up to "Waktu
   penerapan") against an in-process bot; its user, draft and flow-state rows are then copied
   for --users users with bulk inserts, so every one waits for the "Latar belakang masalah"
   answer.
2. The real entry point, ``python bot.py run``, starts as a separate process against the
   simulator (which runs in this process). Start-up time is from just before the process is
   spawned to the simulator receiving its first getUpdates call.
3. --sample of those users (spread evenly) send their answer at the same moment; the bot
   reads each state from the database, saves the answer and replies.
4. Peak RSS is VmHWM from /proc/<pid>/status of the bot process, read before it is stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Table, func, insert, select

from benchmarks.benchlib import (
    MASALAH_1,
    bot_settings,
    database,
    flow_script,
    machine_summary,
    markdown_table,
    percentile,
)
from benchmarks.flow_throughput import Probe, running_bot
from bot.simulator import ApiCall, BotApiSimulator
from models import db
from models.tables import FlowState, Innovation, User

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_ID = 900_000_000
USER_BASE = 800_000_000
MID_STEP = "Juni 2024"  # the template stops after this answer; the next is the masalah text
BATCH = 1000
TARGET_MB = 200.0


@dataclass
class Measured:
    """What one run measured."""

    db: str
    users: int
    sample: int
    startup: float
    rss_idle_mb: float
    peak_mb: float
    burst_wall: float
    answers_ms: list[float]
    saved: int


def proc_status_mb(pid: int, field: str) -> float:
    """Return a VmXXX field of /proc/<pid>/status in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not found for process {pid}")


async def make_template(sim: BotApiSimulator, url: str, files: Path) -> None:
    """Drive one user, in-process, through onboarding and half of a registration."""
    probe = Probe()
    remove = sim.add_call_listener(probe.on_call)
    user = sim.user(TEMPLATE_ID, first_name="Templat")
    async with running_bot(bot_settings(sim, url, files), probe):
        for step in flow_script(TEMPLATE_ID):
            await probe.step(user, step, echo=False)
            if step.value == MID_STEP:
                break
    remove()


def _chunks(start: int, stop: int) -> Iterator[range]:
    """Yield ranges of at most BATCH numbers."""
    for first in range(start, stop, BATCH):
        yield range(first, min(first + BATCH, stop))


async def clone_template(url: str, users: int) -> None:
    """Copy the template's user, draft and active flow state for every other user."""
    engine = db.create_engine(url)
    users_t, inno_t, flow_t = (cast(Table, t.__table__) for t in (User, Innovation, FlowState))
    try:
        async with engine.begin() as conn:
            user = (
                (await conn.execute(select(users_t).where(users_t.c.telegram_id == TEMPLATE_ID)))
                .mappings()
                .one()
            )
            draft = (
                (await conn.execute(select(inno_t).where(inno_t.c.owner_id == user["id"])))
                .mappings()
                .one()
            )
            state = (
                (
                    await conn.execute(
                        select(flow_t).where(flow_t.c.user_id == user["id"], flow_t.c.active)
                    )
                )
                .mappings()
                .one()
            )
            for numbers in _chunks(1, users):
                user_rows = [
                    {
                        **_without_id(user),
                        "telegram_id": USER_BASE + n,
                        "name": f"Pengguna Uji {n}",
                    }
                    for n in numbers
                ]
                user_ids = await _insert(conn, users_t, user_rows)
                draft_rows = [
                    {**_without_id(draft), "owner_id": uid, "nama_inovasi": f"Inovasi {uid}"}
                    for uid in user_ids
                ]
                draft_ids = await _insert(conn, inno_t, draft_rows)
                state_rows = [
                    {**_without_id(state), "user_id": uid, "target_id": did}
                    for uid, did in zip(user_ids, draft_ids, strict=True)
                ]
                await conn.execute(insert(flow_t), state_rows)
    finally:
        await engine.dispose()


def _without_id(row: Any) -> dict[str, Any]:
    """Return a row's columns without its primary key."""
    return {k: v for k, v in dict(row).items() if k != "id"}


async def _insert(conn: Any, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows and return their new ids in order."""
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    result = await conn.execute(stmt, rows)
    return [int(r[0]) for r in result]


async def count_saved(url: str, telegram_ids: list[int]) -> int:
    """Return how many sampled users' drafts now hold the masalah answer."""
    engine = db.create_engine(url)
    try:
        async with engine.connect() as conn:
            stmt = (
                select(func.count())
                .select_from(Innovation)
                .join(User, User.id == Innovation.owner_id)
                .where(User.telegram_id.in_(telegram_ids), Innovation.masalah.is_not(None))
            )
            return int((await conn.execute(stmt)).scalar_one())
    finally:
        await engine.dispose()


async def measure(kind: str, args: argparse.Namespace, workdir: Path) -> Measured:
    """Seed one database, run the bot process against it and measure."""
    async with BotApiSimulator() as sim, database(kind, workdir, "memory") as url:
        started = time.perf_counter()
        await make_template(sim, url, workdir / f"files-{kind}")
        await clone_template(url, args.users)
        print(
            f"  {kind}: {args.users} users seeded in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )

        first_updates = asyncio.get_running_loop().create_future()
        answered: dict[int, float] = {}
        last_call = [time.perf_counter()]

        def on_call(call: ApiCall) -> None:
            last_call[0] = call.received
            if call.method == "getUpdates" and not first_updates.done():
                first_updates.set_result(call.received)
            if call.method == "sendMessage" and call.chat_id is not None:
                answered.setdefault(call.chat_id, call.received)

        sim.add_call_listener(on_call)
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": sim.token,
            "TELEGRAM_API_URL": sim.api_url,
            "TELEGRAM_FILE_URL": sim.file_url,
            "DATABASE_URL": url,
            "FILES_DIR": str(workdir / f"files-{kind}"),
            "ADMIN_TELEGRAM_IDS": "",
            "PEMDA_NAME": "Pemerintah Kabupaten Nunukan",
        }
        env.pop("UNITS_FILE", None)
        log_path = workdir / f"bot-{kind}.log"
        with log_path.open("wb") as log:
            spawned = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(ROOT / "bot.py"),
                "run",
                cwd=workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                return await _drive(
                    sim, process, kind, args, url, spawned, first_updates, answered, last_call
                )
            except BaseException:
                print(log_path.read_text()[-3000:], file=sys.stderr)
                raise
            finally:
                stopping = time.perf_counter()
                await _stop(process)
                print(
                    f"  {kind}: bot process stopped in {time.perf_counter() - stopping:.1f} s "
                    f"(exit code {process.returncode})",
                    file=sys.stderr,
                )


async def _drive(
    sim: BotApiSimulator,
    process: asyncio.subprocess.Process,
    kind: str,
    args: argparse.Namespace,
    url: str,
    spawned: float,
    first_updates: asyncio.Future[float],
    answered: dict[int, float],
    last_call: list[float],
) -> Measured:
    """Wait for start-up, fire the sample, wait for the answers, read the memory figures."""
    try:
        first_poll = await asyncio.wait_for(asyncio.shield(first_updates), args.timeout)
    except TimeoutError:
        raise RuntimeError(f"the bot process made no getUpdates call in {args.timeout} s") from None
    startup = first_poll - spawned
    await asyncio.sleep(1.0)  # let start-up settle before reading the idle figure
    rss_idle = proc_status_mb(process.pid, "VmRSS")

    step = max(1, args.users // args.sample)
    numbers = list(range(0, args.users, step))[: args.sample]
    ids = [TEMPLATE_ID if n == 0 else USER_BASE + n for n in numbers]
    users = [sim.user(tid, first_name=f"U{tid}", started=True) for tid in ids]
    fired: dict[int, float] = {}
    burst_start = time.perf_counter()
    for user in users:
        fired[user.chat_id] = time.perf_counter()
        await user.fire_text(MASALAH_1)
    deadline = time.perf_counter() + args.timeout
    while len([c for c in fired if c in answered]) < len(fired):
        if process.returncode is not None:
            raise RuntimeError(f"the bot process exited with {process.returncode}")
        if time.perf_counter() > deadline:
            raise RuntimeError(f"only {len(answered)} of {len(fired)} sample users were answered")
        await asyncio.sleep(0.05)
    while True:  # one quiet second: every reply of every update was sent
        quiet = time.perf_counter() - last_call[0]
        if quiet >= 1.0:
            break
        await asyncio.sleep(1.0 - quiet)
    burst_wall = max(answered[c] for c in fired) - burst_start
    peak = proc_status_mb(process.pid, "VmHWM")
    latencies = [1000 * (answered[c] - fired[c]) for c in fired]
    wrong = [u.id for u in users if "kata" not in u.last.text]
    if wrong or sim.rejected:
        raise RuntimeError(f"unexpected replies for {wrong[:5]}; rejected: {sim.rejected[:3]}")
    saved = await count_saved(url, ids)
    return Measured(
        db=kind,
        users=args.users,
        sample=len(users),
        startup=startup,
        rss_idle_mb=rss_idle,
        peak_mb=peak,
        burst_wall=burst_wall,
        answers_ms=latencies,
        saved=saved,
    )


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Stop the bot process started here: SIGTERM, then SIGKILL after 20 s."""
    if process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 20)
    except TimeoutError:
        process.kill()
        await process.wait()


def report(results: list[Measured]) -> str:
    """Return the table and the verdict against the target."""
    header = [
        "db",
        "users mid-registration",
        "sample updates",
        "start-up s",
        "RSS after start-up MiB",
        "peak RSS (VmHWM) MiB",
        "sample handled in s",
        "answer p50/p95/max ms",
        "answers saved",
    ]
    rows = [
        [
            r.db,
            str(r.users),
            str(r.sample),
            f"{r.startup:.2f}",
            f"{r.rss_idle_mb:.1f}",
            f"{r.peak_mb:.1f}",
            f"{r.burst_wall:.1f}",
            " / ".join(
                f"{v:.0f}"
                for v in (
                    percentile(r.answers_ms, 50),
                    percentile(r.answers_ms, 95),
                    max(r.answers_ms),
                )
            ),
            f"{r.saved}/{r.sample}",
        ]
        for r in results
    ]
    lines = [markdown_table(header, rows), "", "Target: peak RSS under 200 MB (MiB shown)."]
    for r in results:
        verdict = "PASS" if r.peak_mb < TARGET_MB else "FAIL"
        lines.append(f"- {r.db}: peak {r.peak_mb:.1f} MiB: {verdict}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=10_000, help="users mid-registration")
    parser.add_argument("--sample", type=int, default=500, help="users who then answer (500)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per wait (180)")
    args = parser.parse_args(argv)
    if args.users < 1 or not 1 <= args.sample <= args.users:
        parser.error("need --users >= 1 and 1 <= --sample <= --users")
    return args


async def main(argv: list[str] | None = None) -> None:
    """Measure on each selected database and print the report."""
    args = parse_args(argv)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results: list[Measured] = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        for kind in kinds:
            results.append(await measure(kind, args, Path(tmp)))
    print(f"Machine: {machine_summary()}; Python {sys.version.split()[0]}")
    print(
        "Bot process: python bot.py run (the production entry point), polling the simulator "
        "in the benchmark process;\nstart-up = spawn -> first getUpdates received by the "
        "simulator (includes interpreter start, imports, migration check, post_init).\n"
    )
    print(report(results))


if __name__ == "__main__":
    asyncio.run(main())
