"""Reminder scale: an empty sweep over ~1,000,000 reminder rows, and the dispatch of many due
reminders through the loopback Bot API at the configured rate.

    .venv/bin/python benchmarks/reminder_scale.py --innovations 100000 --due 10000

Seeds N verified innovations, each with its monev period and ten reminder rows (seven to the
owner, two to the unit's verifikator, one to the admin), then:
1. times one sweep that finds nothing due (median of several);
2. makes ``--due`` reminders (to as many chats) due and times their dispatch, checking what
   Telegram would refuse (more than 30 messages in a second overall, or two within a second in
   one chat) and that no chat got a reminder twice.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text, update
from telegram import Bot

from benchmarks.benchlib import (
    bot_settings,
    database,
    insert_rows,
    machine_summary,
    markdown_table,
)
from bot.app import close_database, make_deps, open_database
from bot.deps import Deps
from bot.simulator import BotApiSimulator
from models import db
from models.clock import FrozenClock
from models.tables import Deadline, Innovation, Reminder, Unit, User
from scheduler.sweep import make_limiter, sweep_once

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 09:00 in Jakarta, a Friday
DUE = date(2027, 1, 10)
OWNER_OFFSETS = (-7, -3, -1, 0, 1, 3, 7)
FIRST_CHAT = 10_000_000


async def seed(deps: Deps, innovations: int) -> None:
    """Insert users, verified innovations, their deadlines and ten reminders each."""
    async with db.transaction(deps.session_factory()) as session:
        unit_id = (await session.execute(select(Unit.id).limit(1))).scalar_one()
        owners = [
            {"telegram_id": FIRST_CHAT + n, "name": f"Pemilik {n}", "unit_id": unit_id,
             "language": "id", "role": "pengusul", "onboarded": True, "unreachable": False,
             "created_at": NOW}
            for n in range(innovations)
        ]  # fmt: skip
        staff = [
            {"telegram_id": 1, "name": "Verifikator", "unit_id": unit_id, "language": "id",
             "role": "verifikator", "onboarded": True, "unreachable": False, "created_at": NOW},
            {"telegram_id": 2, "name": "Admin", "unit_id": unit_id, "language": "id",
             "role": "admin", "onboarded": True, "unreachable": False, "created_at": NOW},
        ]  # fmt: skip
        await insert_rows(session, User, staff + owners)
        ids = dict((await session.execute(select(User.telegram_id, User.id))).tuples().all())
        await insert_rows(
            session,
            Innovation,
            [
                {"code": f"INO-2026-{n:06d}", "owner_id": ids[FIRST_CHAT + n],
                 "unit_id": unit_id, "status": "terverifikasi", "nama_inovasi": f"Inovasi {n}",
                 "urusan_irisan": [], "skipped": [], "created_at": NOW, "updated_at": NOW}
                for n in range(innovations)
            ],
        )  # fmt: skip
        innovation_ids = (await session.execute(select(Innovation.id, Innovation.owner_id))).all()
        await insert_rows(
            session,
            Deadline,
            [
                {"key": f"monev:{i}:2026-10-01", "kind": "monev", "innovation_id": i,
                 "period_start": date(2026, 10, 1), "period_end": date(2026, 12, 31),
                 "due_date": DUE, "original_due_date": DUE, "revision": 1, "status": "open",
                 "created_at": NOW}
                for i, _ in innovation_ids
            ],
        )  # fmt: skip
        owner_of: dict[int, int] = {i: o for i, o in innovation_ids}
        deadlines = (await session.execute(select(Deadline.id, Deadline.innovation_id))).all()
        rows: list[dict[str, Any]] = []
        for deadline_id, innovation_id in deadlines:
            plan = [(o, owner_of[innovation_id], "owner") for o in OWNER_OFFSETS]
            plan += [(3, ids[1], "verifikator"), (7, ids[1], "verifikator"), (7, ids[2], "admin")]
            for offset, recipient, role in plan:
                at = datetime.combine(DUE + timedelta(days=offset), datetime.min.time(), UTC)
                rows.append(
                    {"deadline_id": deadline_id, "revision": 1, "offset_days": offset,
                     "recipient_id": recipient, "role": role, "send_after": at + timedelta(hours=1),
                     "status": "pending", "attempts": 0, "created_at": NOW}
                )  # fmt: skip
            if len(rows) >= 50_000:
                await insert_rows(session, Reminder, rows)
                rows = []
        await insert_rows(session, Reminder, rows)


class FloodWatch:
    """Counts what Telegram would have refused: >30 sends in a second, >1 per second per chat."""

    def __init__(self) -> None:
        self.window: deque[float] = deque()
        self.last_in_chat: dict[int, float] = {}
        self.too_fast_overall = 0
        self.too_fast_in_chat = 0
        self.per_chat: Counter[int] = Counter()

    def __call__(self, kind: str, message: Any) -> None:
        if kind != "sent":
            return
        now = time.perf_counter()
        self.per_chat[message.chat_id] += 1
        self.window.append(now)
        while self.window and now - self.window[0] > 1.0:
            self.window.popleft()
        if len(self.window) > 30:
            self.too_fast_overall += 1
        last = self.last_in_chat.get(message.chat_id)
        if last is not None and now - last < 1.0:
            self.too_fast_in_chat += 1
        self.last_in_chat[message.chat_id] = now


async def run(kind: str, innovations: int, due: int, rate: float, repeats: int) -> list[str]:
    """Seed, time empty sweeps, time a dispatch; return a table row."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        async with database(kind, workdir, "bench_reminders") as url, BotApiSimulator() as sim:
            settings = bot_settings(sim, url, workdir / "files").model_copy(
                update={"send_rate_per_second": rate}
            )
            clock = FrozenClock(NOW)
            deps = make_deps(settings, clock=clock)
            await open_database(deps)
            bot = Bot(sim.token, base_url=sim.api_url, base_file_url=sim.file_url)
            await bot.initialize()
            try:
                started = time.perf_counter()
                await seed(deps, innovations)
                async with deps.session_factory()() as session:
                    # fresh statistics, as autovacuum would have after a gradual growth
                    await session.execute(text("ANALYZE"))
                    await session.commit()
                seeded = time.perf_counter() - started
                async with deps.session_factory()() as session:
                    count = select(func.count()).select_from(Reminder)
                    total = (await session.execute(count)).scalar_one()
                empty = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    report = await sweep_once(deps, bot=bot)
                    empty.append((time.perf_counter() - t0) * 1000)
                    assert report.sent == 0, report
                chats = [FIRST_CHAT + n for n in range(due)]
                for chat in chats:
                    sim.user(chat, started=True)
                async with db.transaction(deps.session_factory()) as session:
                    owners = select(User.id).where(User.telegram_id.in_(chats))
                    await session.execute(
                        update(Reminder)
                        .where(Reminder.recipient_id.in_(owners), Reminder.offset_days == -7)
                        .values(send_after=NOW - timedelta(minutes=1))
                    )
                watch = FloodWatch()
                sim.add_listener(watch)
                limiter = make_limiter(deps)
                t0 = time.perf_counter()
                sent = 0
                while sent < due:
                    report = await sweep_once(deps, bot=bot, limiter=limiter)
                    if report.sent == 0:
                        break
                    sent += report.sent
                elapsed = time.perf_counter() - t0
                ideal = due / rate
                duplicates = sum(1 for n in watch.per_chat.values() if n > 1)
            finally:
                await bot.shutdown()
                await close_database(deps)
    return [
        kind, f"{innovations:,}", f"{total:,}", f"{seeded:.0f} s",
        f"{statistics.median(empty):.1f} ms", f"{max(empty):.1f} ms",
        f"{sent:,}", f"{elapsed:.1f} s", f"{ideal:.1f} s", f"{(elapsed / ideal - 1) * 100:+.1f}%",
        str(watch.too_fast_overall + watch.too_fast_in_chat), str(duplicates),
    ]  # fmt: skip


def main() -> None:
    """Parse the command line, run, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--innovations", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=25.0, help="messages per second")
    parser.add_argument("--repeats", type=int, default=7, help="empty sweeps to time")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    rows = [asyncio.run(run(k, args.innovations, args.due, args.rate, args.repeats)) for k in kinds]
    print(machine_summary())
    print(
        markdown_table(
            [
                "database", "innovations", "reminder rows", "seeding", "empty sweep (median)",
                "empty sweep (max)", "dispatched", "dispatch time", "count / rate", "vs ideal",
                "would-be 429s", "duplicates",
            ],
            rows,
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
