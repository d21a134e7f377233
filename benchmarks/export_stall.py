"""How long a large XLSX export holds up the event loop (the other chats wait that long):
the longest stall and the total time stalled, against the same export with its Indikator
sheet and its saving written on the loop (as before they were moved to a thread).

    .venv/bin/python benchmarks/export_stall.py --innovations 2000

Seeds SQLite as benchmarks/export_iid.py does (N innovations, 20 indicator answers each),
then runs ``build_xlsx`` twice in this process while a ticker task sleeps 10 ms in a loop and
records by how much each wake-up came late: once as the code is, once with
``asyncio.to_thread`` replaced by a direct call (the reference, measured in the same run).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.export_iid import seed, settings_for
from bot import exports
from bot.app import close_database, make_deps, open_database
from models.services.export import Filters

TICK = 0.01


async def _ticker(stalls: list[float], done: asyncio.Event) -> None:
    while not done.is_set():
        start = time.perf_counter()
        await asyncio.sleep(TICK)
        stalls.append(max(0.0, time.perf_counter() - start - TICK))


async def _inline(fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


async def measure(url: str, files_dir: Path, *, threaded: bool) -> dict[str, float]:
    """Export every innovation; return seconds, the longest stall and the stalled total."""
    original = asyncio.to_thread
    if not threaded:
        setattr(asyncio, "to_thread", _inline)  # noqa: B010 - the reference: no thread
    deps = make_deps(settings_for(url, files_dir))
    await open_database(deps)
    stalls: list[float] = []
    done = asyncio.Event()
    ticker = asyncio.create_task(_ticker(stalls, done))
    try:
        start = time.perf_counter()
        async with deps.session_factory()() as session:
            await exports.build_xlsx(
                session, deps, deps.translator("id"), viewer=None, filters=Filters()
            )
        seconds = time.perf_counter() - start
    finally:
        done.set()
        await ticker
        setattr(asyncio, "to_thread", original)  # noqa: B010
        await close_database(deps)
    long = [s for s in stalls if s > 0.05]
    return {
        "seconds": seconds,
        "longest_ms": 1000 * max(stalls, default=0.0),
        "stalled_s": sum(long),
        "stalls_over_50ms": float(len(long)),
    }


async def main_async(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        await seed(url, folder / "files", count)
        print(f"{count} innovations, {20 * count} Indikator rows")
        for label, threaded in (("on the loop (reference)", False), ("off the loop", True)):
            row = await measure(url, folder / "files", threaded=threaded)
            print(
                f"{label:26} {row['seconds']:6.1f} s  longest stall {row['longest_ms']:7.0f} ms"
                f"  stalled {row['stalled_s']:5.1f} s in {row['stalls_over_50ms']:.0f} stalls"
                " over 50 ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--innovations", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(main_async(args.innovations))


if __name__ == "__main__":
    main()
