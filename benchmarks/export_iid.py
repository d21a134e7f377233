"""The XLSX export with the Indikator sheet at scale: time and memory against the same export
with that sheet left empty, on SQLite.

    .venv/bin/python benchmarks/export_iid.py --innovations 10000

Seeds (bulk inserts) N submitted innovations with a full profile (five long texts of 50-300
words from an Indonesian vocabulary, fixed seed), 100 owners, and 20 indicator answers each:
a level, one evidence file row for indicators 1-19 and a link for the video (the XLSX reads
the rows, not the files). Then each export runs in a fresh interpreter (spawned, so no
process carries the seeding's memory): ``build_xlsx`` as ``/ekspor`` and ``python bot.py
export`` call it, for every innovation, and

1. the reference: the same export with the Indikator sheet's rows patched out (its header
   stays), so the difference is what the sheet costs;
2. the full export: Inovasi, Laporan monev, Tenggat and Indikator (N x 20 rows), reading
   the answers of ``ANSWERS_BATCH`` innovations at a time as the code does;
3. the same with 500 innovations per batch (to compare the batch size).

The seeding runs in a process of its own too. Each way is run ``--repeats`` times timed (wall
time; peak RSS as VmHWM after the imports and at the end, and ``ru_maxrss``, which a spawned
process inherits from its parent's peak), the ways in turn, and once under ``tracemalloc``
(Python's allocations only, its peak during the export; three to five times slower).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from benchmarks.benchlib import insert_rows, markdown_table, run_summary
from bot import exports, iid_exports
from bot.app import DEFAULT_IID_RULES, EXAMPLE_UNITS, close_database, make_deps, open_database
from bot.settings import Settings, load_settings
from models import db, iid
from models.document_tables import IndicatorAnswer, IndicatorFile
from models.services import iid_stats, indicators
from models.services.export import Filters
from models.tables import Innovation, Unit, User

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
OWNERS = 100
TEXT_POOL = 300  # distinct long texts, rotated over the innovations
MiB = 1024 * 1024
# one string, read word by word (ruff would turn a split literal into a long list)
VOCABULARY = (
    "layanan publik inovasi daerah masyarakat desa kader posyandu puskesmas data warga ibu "
    "anak balita jadwal pelaporan aplikasi digital pemerintah kabupaten dinas kesehatan "
    "pendidikan anggaran kegiatan program pelaksanaan evaluasi pemantauan kualitas waktu "
    "biaya manfaat hasil dampak keberlanjutan replikasi kolaborasi partisipasi informasi "
    "sistem pengaduan perbatasan sungai jaringan sinyal telepon laporan bulanan triwulan"
)
WORDS = VOCABULARY.split(" ")


def settings_for(url: str, files_dir: Path, *, units: bool = False) -> Settings:
    """Return the settings of an export run against ``url`` (no channel needed)."""
    return load_settings(
        _env_file=None, database_url=url, files_dir=files_dir,
        units_file=EXAMPLE_UNITS if units else None, timezone="Asia/Jakarta",
    )  # fmt: skip


def prose(rng: random.Random, words: int) -> str:
    """Return ``words`` words in sentences of 8-16, capitalised, with full stops."""
    out: list[str] = []
    while len(out) < words:
        sentence = rng.choices(WORDS, k=rng.randint(8, 16))
        sentence[0] = sentence[0].capitalize()
        out += [*sentence[:-1], sentence[-1] + "."]
    return " ".join(out[:words])


async def seed(url: str, files_dir: Path, count: int) -> float:
    """Insert the owners, ``count`` innovations and 20 answers each; return the seconds."""
    started = time.perf_counter()
    deps = make_deps(settings_for(url, files_dir, units=True))
    await open_database(deps)
    rng = random.Random(2026)
    rules = iid.load_rules(DEFAULT_IID_RULES)
    texts = [
        [prose(rng, rng.randint(50, 300)) for _ in range(5)] for _ in range(TEXT_POOL)
    ]  # fmt: skip
    try:
        async with db.transaction(deps.session_factory()) as session:
            unit_id = (
                await session.execute(select(Unit.id).where(Unit.code == "DINKES"))
            ).scalar_one()
            await insert_rows(
                session, User,
                [{"id": n + 1, "telegram_id": 10_000_000 + n, "name": f"Pemilik {n}",
                  "unit_id": unit_id, "language": "id", "role": "pengusul", "onboarded": True,
                  "unreachable": False, "created_at": NOW} for n in range(OWNERS)],
            )  # fmt: skip
            rows = []
            for n in range(count):
                masalah, rancang, tujuan, manfaat, hasil = texts[n % TEXT_POOL]
                start = date(2024, 1 + n % 12, 1 + n % 28)
                rows.append(
                    {"id": n + 1, "code": f"INO-2026-{n + 1:05d}", "owner_id": 1 + n % OWNERS,
                     "unit_id": unit_id, "status": "diajukan",
                     "nama_inovasi": f"Inovasi {n} " + " ".join(rng.choices(WORDS, k=4)),
                     "tahapan": "penerapan", "inisiator": "asn", "nama_inisiator": f"Inisiator {n}",
                     "jenis": ("digital", "non_digital")[n % 2], "bentuk": "pelayanan_publik",
                     "tematik": "non_tematik", "urusan_utama": "kesehatan",
                     "urusan_irisan": ["kominfo"], "waktu_uji_coba": start,
                     "waktu_penerapan": start + timedelta(days=30 * (1 + n % 12)),
                     "masalah": masalah, "rancang_bangun": rancang, "tujuan": tujuan,
                     "manfaat": manfaat, "hasil": hasil, "lokasi": f"Jl. Desa {n}, Nunukan",
                     "kontak": "+6281234567890", "skipped": [], "created_at": NOW,
                     "updated_at": NOW, "submitted_at": NOW}
                )  # fmt: skip
            await insert_rows(session, Innovation, rows)
            answers: list[dict[str, Any]] = []
            files: list[dict[str, Any]] = []
            for n in range(count):
                for k, indicator in enumerate(rules.indikator):
                    answer_id = n * len(rules.indikator) + k + 1
                    video = indicator.bukti.tautan
                    answers.append(
                        {"id": answer_id, "innovation_id": n + 1, "key": indicator.key,
                         "level": rng.randint(1, 3), "source": "user",
                         "link": f"https://youtu.be/inovasi-{n}" if video else None,
                         "updated_at": NOW}
                    )  # fmt: skip
                    if not video:
                        files.append(
                            {"answer_id": answer_id, "kind": "document",
                             "filename": f"{indicator.key}-{n}.pdf",
                             "mime_type": "application/pdf", "size": 120_000,
                             "path": f"iid/{n + 1}/{indicator.key}/01.pdf", "created_at": NOW}
                        )  # fmt: skip
                if len(answers) >= 50_000:
                    await insert_rows(session, IndicatorAnswer, answers)
                    await insert_rows(session, IndicatorFile, files)
                    answers, files = [], []
            await insert_rows(session, IndicatorAnswer, answers)
            await insert_rows(session, IndicatorFile, files)
    finally:
        await close_database(deps)
    return time.perf_counter() - started


def maxrss_mib() -> float:
    """Return the peak RSS of this process so far (ru_maxrss is in KiB on Linux; it is kept
    across exec, so a spawned process starts from its parent's peak at the fork)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def hwm_mib() -> float:
    """Return this process's own peak RSS (VmHWM, which exec resets)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def seed_in_process(url: str, files_dir: str, count: int) -> float:
    """Seed in a process of its own, so the measuring processes never inherit its peak."""
    return asyncio.run(seed(url, Path(files_dir), count))


async def _no_rows(*args: Any, **kwargs: Any) -> AsyncIterator[list[Any]]:
    return
    yield  # an async generator that yields nothing


async def _export(url: str, files_dir: Path, out: Path, full: bool, batch: int) -> int:
    """Build the XLSX of every innovation into ``out`` (the Indikator sheet reading ``batch``
    innovations' answers at a time); return the Indikator rows written."""
    counted = [0]
    rows_of = iid_exports.indicator_rows

    async def counting(*args: Any, **kwargs: Any) -> AsyncIterator[list[Any]]:
        async for row in rows_of(*args, **kwargs):
            counted[0] += 1
            yield row

    vars(exports)["indicator_rows"] = counting if full else _no_rows
    vars(iid_exports)["batches"] = partial(iid_stats.batches, size=batch)
    deps = make_deps(settings_for(url, files_dir))
    await open_database(deps)
    try:
        async with deps.session_factory()() as session:
            content = await exports.build_xlsx(
                session, deps, deps.translator("id"), viewer=None, filters=Filters()
            )
    finally:
        await close_database(deps)
    await asyncio.to_thread(out.write_bytes, content)
    return counted[0]


def run_one(url: str, files_dir: str, way: Way, traced: bool) -> dict[str, float]:
    """In a fresh process: one export, timed or traced."""
    _, full, batch = way
    out = Path(files_dir).parent / f"export-{int(full)}-{batch}-{int(traced)}.xlsx"
    before = hwm_mib()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    rows = asyncio.run(_export(url, Path(files_dir), out, full, batch))
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / MiB if traced else 0.0
    tracemalloc.stop()
    return {
        "seconds": seconds, "hwm_before": before, "hwm_peak": hwm_mib(),
        "maxrss": maxrss_mib(), "traced": peak, "rows": rows, "size": out.stat().st_size / MiB,
    }  # fmt: skip


def in_fresh_process(context: Any, fn: Any, *args: Any) -> Any:
    """Run ``fn(*args)`` in a newly spawned interpreter and return its result."""
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


Way = tuple[str, bool, int]  # name, with the Indikator sheet, innovations per batch
WAYS: list[Way] = [
    ("reference: Indikator sheet empty", False, indicators.ANSWERS_BATCH),
    (f"with the Indikator sheet ({indicators.ANSWERS_BATCH} per batch)", True,
     indicators.ANSWERS_BATCH),
    ("the same, 500 per batch", True, 500),
]  # fmt: skip


def main() -> None:
    """Seed, run every way timed (``--repeats`` rounds, the ways in turn) and then traced,
    each in a fresh process; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--innovations", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds")
    args = parser.parse_args()
    began = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        url = f"sqlite+aiosqlite:///{workdir / 'bench_export.db'}"
        files = str(workdir / "files")
        seeded = in_fresh_process(context, seed_in_process, url, files, args.innovations)
        db_size = (workdir / "bench_export.db").stat().st_size / MiB
        timed: dict[Way, list[dict[str, float]]] = {way: [] for way in WAYS}
        for _ in range(args.repeats):
            for way in WAYS:
                timed[way].append(in_fresh_process(context, run_one, url, files, way, False))
        traced = {way: in_fresh_process(context, run_one, url, files, way, True) for way in WAYS}
    print(run_summary(began))
    print(
        f"SQLite, {args.innovations:,} innovations x 20 indicator answers "
        f"(database {db_size:.0f} MiB, seeded in {seeded:.0f} s); seconds: median (min-max) "
        f"of {args.repeats} runs; peak RSS: VmHWM before and after the export (ru_maxrss at "
        "the end), the largest of the runs\n"
    )
    rows = []
    for way in WAYS:
        runs, under = timed[way], traced[way]
        seconds = sorted(r["seconds"] for r in runs)
        rows.append(
            [
                way[0], f"{int(runs[0]['rows']):,}", f"{runs[0]['size']:.1f}",
                f"{statistics.median(seconds):.1f} ({seconds[0]:.1f}-{seconds[-1]:.1f})",
                f"{max(r['hwm_before'] for r in runs):.0f} → "
                f"{max(r['hwm_peak'] for r in runs):.0f} "
                f"({max(r['maxrss'] for r in runs):.0f})",
                f"{under['traced']:.1f}", f"{under['seconds']:.1f}",
            ]
        )  # fmt: skip
    print(
        markdown_table(
            [
                "export", "Indikator rows", "XLSX MiB", "seconds", "peak RSS MiB",
                "tracemalloc peak MiB", "seconds traced",
            ],
            rows,
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
