"""The review queue (/antrian) at scale, now that it also lists verified innovations whose
indicators or proposal changed since a verifier checked them.

    .venv/bin/python benchmarks/review_queue.py --innovations 100000

Seeds (bulk inserts) N innovations, 90 % verified and 10 % submitted, each with 20 indicator
answers and one proposal section; the answers and sections of verified innovations are
checked (``verified_at`` set) except, for ``--waiting`` of them, one answer changed since (and
``documents_changed_at`` set on those, as the services do). Then the first page of the queue
as an admin sees it (``review.queue``: its count and its page, two statements) is timed
``--repeats`` times each way, the ways in turn:

1. the reference: the queue as it was before (submissions and waiting revisions only);
2. the queue as it is: also the verified innovations whose ``documents_changed_at`` is set;
3. the design it replaced: those found by reading the unchecked answer and section rows (a
   union of both tables' rows with ``verified_at IS NULL``, through partial indexes on them,
   created for this way only).

On SQLite and, when it answers, on PostgreSQL (after ANALYZE).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import ColumnElement, and_, false, select, text, union

from benchmarks.benchlib import database, insert_rows, markdown_table, pg_reachable, run_summary
from bot.app import DEFAULT_IID_RULES
from models import db, iid
from models.document_tables import IndicatorAnswer, ProposalSection
from models.services import review
from models.tables import Innovation, Role, Status, Unit, User

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
INDEXES = ("indicator_answers", "proposal_sections")
TABLES = (IndicatorAnswer, ProposalSection)


async def seed(url: str, count: int, waiting: float) -> tuple[float, int]:
    """Insert ``count`` innovations with their answers; return the seconds and how many
    verified innovations have a change waiting."""
    started = time.perf_counter()
    engine = db.create_engine(url)
    await db.migrate(engine)
    keys = [i.key for i in iid.load_rules(DEFAULT_IID_RULES).indikator]
    every = max(1, round(1 / waiting)) if waiting > 0 else 0
    changed = 0
    try:
        async with db.transaction(db.session_factory(engine)) as session:
            await insert_rows(
                session, Unit, [{"id": 1, "code": "DINKES", "name": "Dinas Kesehatan"}]
            )
            await insert_rows(
                session, User,
                [{"id": 1, "telegram_id": 10_000_000, "name": "Pemilik", "unit_id": 1,
                  "language": "id", "role": "pengusul", "onboarded": True,
                  "unreachable": False, "created_at": NOW}],
            )  # fmt: skip
            innovations, answers, sections = [], [], []
            for n in range(count):
                verified = n % 10 != 0
                waits = bool(verified and every and n % every == 1)
                changed += waits
                innovations.append(
                    {"id": n + 1, "code": f"INO-2026-{n + 1:06d}", "owner_id": 1, "unit_id": 1,
                     "status": Status.TERVERIFIKASI if verified else Status.DIAJUKAN,
                     "nama_inovasi": f"Inovasi {n}", "skipped": [], "created_at": NOW,
                     "updated_at": NOW, "submitted_at": NOW,
                     "documents_changed_at": NOW if waits else None}
                )  # fmt: skip
                for k, key in enumerate(keys):
                    checked = NOW if verified and not (waits and k == 0) else None
                    answers.append(
                        {"innovation_id": n + 1, "key": key, "level": 1 + k % 3,
                         "updated_at": NOW, "verified_at": checked}
                    )  # fmt: skip
                sections.append(
                    {"innovation_id": n + 1, "key": "ringkasan", "text": "Ringkasan.",
                     "updated_at": NOW, "verified_at": NOW if verified else None}
                )  # fmt: skip
                if len(answers) >= 50_000:
                    await insert_rows(session, Innovation, innovations)
                    await insert_rows(session, IndicatorAnswer, answers)
                    await insert_rows(session, ProposalSection, sections)
                    innovations, answers, sections = [], [], []
            await insert_rows(session, Innovation, innovations)
            await insert_rows(session, IndicatorAnswer, answers)
            await insert_rows(session, ProposalSection, sections)
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started, changed


def by_reading_rows() -> ColumnElement[bool]:
    """The design replaced: the verified innovations with an unchecked answer or section."""
    parts = [select(t.innovation_id).where(t.verified_at.is_(None)) for t in TABLES]
    ids = select(union(*parts).subquery().c.innovation_id)
    return and_(Innovation.status == Status.TERVERIFIKASI, Innovation.id.in_(ids))


async def time_queue(
    url: str, repeats: int, way: Callable[[], ColumnElement[bool]]
) -> tuple[list[float], int]:
    """Time the admin's first queue page ``repeats`` times with ``way`` finding the changed
    ones; return the times (ms) and the queue's length."""
    engine = db.create_engine(url)
    admin = User(id=2, name="Admin", role=Role.ADMIN, language="id", onboarded=True)
    original = review._changes_waiting
    review._changes_waiting = way
    times, total = [], 0
    try:
        factory = db.session_factory(engine)
        for _ in range(repeats + 1):  # the first round warms the caches, untimed
            async with factory() as session:
                began = time.perf_counter()
                page = await review.queue(session, reviewer=admin, page=0, per_page=10)
                times.append((time.perf_counter() - began) * 1000)
                total = page.total
    finally:
        review._changes_waiting = original
        await engine.dispose()
    return times[1:], total


async def set_indexes(url: str, present: bool) -> None:
    """Create or drop the partial indexes the replaced design read through."""
    engine = db.create_engine(url)
    try:
        async with engine.begin() as conn:
            for table in INDEXES:
                name = f"ix_{table}_waiting"
                if present:
                    await conn.execute(
                        text(
                            f"CREATE INDEX IF NOT EXISTS {name} ON {table} (innovation_id)"
                            " WHERE verified_at IS NULL"
                        )
                    )
                else:
                    await conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):.1f} ({min(times):.1f}–{max(times):.1f})"


async def run(kind: str, workdir: Path, args: argparse.Namespace) -> list[list[str]]:
    rows = []
    async with database(kind, workdir, "bench_queue") as url:
        seconds, changed = await seed(url, args.innovations, args.waiting)
        print(f"{kind}: seeded in {seconds:.0f} s; {changed} verified with a change waiting")
        ways: list[tuple[str, Callable[[], ColumnElement[bool]], bool]] = [
            ("reference: submissions and revisions only", false, False),
            ("as it is: documents_changed_at", review._changes_waiting, False),
            ("replaced: reading unchecked rows (partial index)", by_reading_rows, True),
        ]
        for label, way, indexed in ways:
            await set_indexes(url, indexed)
            times, total = await time_queue(url, args.repeats, way)
            rows.append([kind, label, f"{total:,}", summary(times)])
    return rows


def main() -> None:
    began = time.perf_counter()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--innovations", type=int, default=20_000)
    parser.add_argument("--waiting", type=float, default=0.005, help="share of verified ones")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += asyncio.run(run("sqlite", Path(tmp), args))
        if asyncio.run(pg_reachable()):
            rows += asyncio.run(run("postgresql", Path(tmp), args))
    print(run_summary(began))
    print(f"{args.innovations:,} innovations x 20 answers; first queue page as an admin (ms):")
    header = ["database", "way", "in the queue", "median (min–max) ms"]
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
