"""Throughput and latency of real bot processes on webhooks, one and two, on PostgreSQL.

Run: .venv/bin/python benchmarks/webhook_throughput.py [--chats 50] [--per-chat 20] [--rate 20]

Every target gets a fresh simulator, loopback proxy and PostgreSQL database, seeded with the
same users waiting at the long-text step "masalah" (bot/simulator/processes.py), so every
update is a text the bot appends to a draft and saves. The targets:

- webhook x1: one ``python bot.py run`` in webhook mode behind the LoopbackProxy;
- webhook x2: two of them on the same database (BOT_PROCESSES=2), the proxy alternating;
- polling x1: the same process without WEBHOOK_URL, polling the simulator;
- echo floor: benchmarks/webhook_echo.py behind the proxy (200 at once, one sendMessage per
  update; no database, no PTB).

Every answer waits for a turn in the process's sending limits: SEND_RATE_PER_SECOND (25 by
default, under Telegram's ~30 messages a second per bot) over BOT_PROCESSES. The bot targets
run once per ``--send-rates`` value: the default shows what a deployment gets, 1000 (the
setting's maximum) what the processes themselves can do.

The simulator, the proxy and the simulated users run in this process. Each target runs a
closed loop (every chat sends its next word once the answer to the last one arrived) and an
open loop at a fixed offered rate (other seeded chats).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.benchlib import (
    CpuSample,
    ProcessCpu,
    arrival_offsets,
    database,
    markdown_table,
    p50_95_99,
    percentile,
    postgres_pids,
    run_summary,
)
from bot.settings import Settings
from bot.simulator import ApiCall, BotApiSimulator, SimUser
from bot.simulator.processes import (
    BASE_ID,
    BotProcess,
    PollingProcess,
    WebhookProcess,
    pending_updates,
    process_env,
    saved_texts,
    seed_at_long_text,
    words,
)
from bot.simulator.proxy import LoopbackProxy
from models import db
from models.tables import InboxUpdate

TARGETS = {
    "webhook-1": "webhook x1",
    "webhook-2": "webhook x2",
    "polling-1": "polling x1",
    "echo": "echo floor",
}
DEFAULT_SEND_RATE = float(Settings.model_fields["send_rate_per_second"].default)
LIFTED_SEND_RATE = 1000.0  # the most SEND_RATE_PER_SECOND takes
ECHO_COMMAND = ("benchmarks/webhook_echo.py",)
WARM_CHATS, WARM_WORDS = 4, 5  # untimed, so that every process has handled some updates
STEP_TIMEOUT = 120.0
DONE_CHECK = 0.05  # seconds between two looks at the simulator's queue and the inbox
# PostgreSQL counts the connections made to a database (pg_stat_database.sessions); each
# backend reports within about a second (PGSTAT_MIN_INTERVAL)
SESSIONS = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
STATS_SETTLE = 1.5

DEFINITIONS = """\
Definitions (times on this process's time.perf_counter clock):
- injected: the simulated user's update is put in the simulator's queue (SimUser.fire_text);
  the simulator then POSTs it to the webhook (one update per chat at a time, as Telegram),
  or hands it to getUpdates when polling.
- first answer: injected -> the simulator receives the first sendMessage for that chat.
  Each chat has at most one update whose answer has not arrived yet.
- updates/s: updates / wall, wall = first injection -> the first look (every 50 ms after the
  last answer) that finds all done: every answer arrived, the simulator holds no update (each
  answered 200 or fetched) and the inbox is empty (each handled and taken out).
- CPU ms/update: CPU time (utime + stime from /proc/<pid>/stat) used during wall, divided by
  the updates. bot = the bot processes (or the echo); load = this process (simulator, proxy,
  simulated users); pg = the PostgreSQL backends of the target's database plus the WAL
  writer. CPU % is of one core; other = the machine's busy time on all cores (/proc/stat)
  less those three: the rest of PostgreSQL and every other program.
- SEND_RATE: the bot's SEND_RATE_PER_SECOND; each of its processes sends at most
  SEND_RATE / BOT_PROCESSES messages a second ("-": the echo has no limits).
- refused: webhook posts not answered 200 (the simulator sends them again).
- PG connections: connections opened to the target's database during the run
  (pg_stat_database.sessions; this script's own one stays open). A backend that exits
  before the run ends takes its CPU time out of pg and into other.
"""


# ---------------------------------------------------------------- measuring


@dataclass
class Sample:
    """One update: when it was injected and when its first answer arrived."""

    injected: float
    answered: float | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


class AnswerProbe:
    """Match each chat's first sendMessage to that chat's update waiting for its answer."""

    def __init__(self) -> None:
        self.waiting: dict[int, Sample] = {}
        self.answers: Counter[int] = Counter()

    def on_call(self, call: ApiCall) -> None:
        """Count the answer and time the chat's waiting update."""
        if call.method != "sendMessage" or call.chat_id is None:
            return
        self.answers[call.chat_id] += 1
        sample = self.waiting.pop(call.chat_id, None)
        if sample is not None:
            sample.answered = call.received
            sample.arrived.set()

    async def send(self, user: SimUser, text: str) -> Sample:
        """Inject one text and wait for its first answer."""
        sample = Sample(time.perf_counter())
        self.waiting[user.chat_id] = sample
        await user.fire_text(text)
        try:
            await asyncio.wait_for(sample.arrived.wait(), STEP_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(f"chat {user.chat_id}: no answer in {STEP_TIMEOUT:g} s") from None
        return sample


@dataclass
class Cpu:
    """CPU counters of everything that works for one target, at one moment."""

    machine: CpuSample
    bot: ProcessCpu
    pg: ProcessCpu

    @classmethod
    def take(cls, bot_pids: list[int], database_name: str) -> Cpu:
        """Read the counters now."""
        return cls(
            CpuSample.take(),
            ProcessCpu.take(bot_pids),
            ProcessCpu.take(postgres_pids(database_name)),
        )


@dataclass
class Run:
    """The measurements of one load run of one target."""

    spec: Spec
    mode: str
    samples: list[Sample]
    wall: float
    bot_cpu: float
    load_cpu: float
    pg_cpu: float
    machine_pct: float
    refused: int
    connections: int
    offered: float | None = None
    deferred: int = 0
    checks: str = ""

    @property
    def throughput(self) -> float:
        """Return updates per second of wall time."""
        return len(self.samples) / self.wall if self.wall > 0 else 0.0

    def first_ms(self) -> list[float]:
        """Return the first-answer latencies in ms."""
        return [1000 * (s.answered - s.injected) for s in self.samples if s.answered is not None]

    def per_update_ms(self, seconds: float) -> float:
        """Return CPU seconds as ms per update."""
        return 1000 * seconds / len(self.samples) if self.samples else 0.0

    def pct(self, seconds: float) -> float:
        """Return CPU seconds as % of one core over the wall time."""
        return 100 * seconds / self.wall if self.wall > 0 else 0.0


# ---------------------------------------------------------------- load


Sent = dict[int, list[str]]


def next_word(user: SimUser, sent: Sent) -> str:
    """Return the user's next word and note it as sent."""
    word = words(user.id, len(sent[user.id]) + 1)[-1]
    sent[user.id].append(word)
    return word


async def closed_loop(
    probe: AnswerProbe, users: list[SimUser], per_chat: int, sent: Sent
) -> list[Sample]:
    """Every chat sends its next word as soon as the answer to its last one arrived."""
    samples: list[Sample] = []

    async def one(user: SimUser) -> None:
        for _ in range(per_chat):
            samples.append(await probe.send(user, next_word(user, sent)))

    await asyncio.gather(*(one(user) for user in users))
    return samples


async def open_loop(
    probe: AnswerProbe,
    users: list[SimUser],
    *,
    count: int,
    rate: float,
    poisson: bool,
    rng: random.Random,
    sent: Sent,
) -> tuple[list[Sample], float, int]:
    """Offer ``count`` updates at ``rate`` per second, each to the chat idle the longest.

    Return the samples, the rate actually offered and how many arrivals found no idle chat.
    """
    samples: list[Sample] = []
    idle = deque(users)
    freed = asyncio.Condition()
    tasks: list[asyncio.Task[None]] = []
    arrivals: list[float] = []

    async def one(user: SimUser) -> None:
        samples.append(await probe.send(user, next_word(user, sent)))
        async with freed:
            idle.append(user)
            freed.notify()

    deferred = 0
    start = time.perf_counter()
    for offset in arrival_offsets(count, rate, poisson=poisson, rng=rng):
        await asyncio.sleep(max(0.0, start + offset - time.perf_counter()))
        async with freed:
            if not idle:
                deferred += 1
                await freed.wait_for(lambda: bool(idle))
            arrivals.append(time.perf_counter())
            tasks.append(asyncio.create_task(one(idle.popleft())))
    await asyncio.gather(*tasks)
    span = arrivals[-1] - arrivals[0] if arrivals else 0.0
    return samples, (len(arrivals) - 1) / span if span > 0 else 0.0, deferred


# ---------------------------------------------------------------- targets


@dataclass(frozen=True)
class Spec:
    """What to start: one of TARGETS and, for the bot, its SEND_RATE_PER_SECOND."""

    kind: str
    send_rate: float | None = None

    @property
    def label(self) -> str:
        """Return the target's name in the tables."""
        return TARGETS[self.kind]

    @property
    def limit(self) -> str:
        """Return the send rate as the tables show it."""
        return "-" if self.send_rate is None else f"{self.send_rate:g}"

    @property
    def processes(self) -> int:
        """Return how many processes the target runs."""
        return int(self.kind.rsplit("-", 1)[1]) if "-" in self.kind else 1


@dataclass
class Target:
    """One target running: its processes, and how to tell that everything is done."""

    spec: Spec
    sim: BotApiSimulator
    database_url: str
    processes: list[BotProcess]
    inbox: Callable[[], Awaitable[int]]
    connections: Callable[[], Awaitable[int]]

    @property
    def pids(self) -> list[int]:
        """Return the pids of the target's processes."""
        return [p.pid for p in self.processes]

    @property
    def database_name(self) -> str:
        """Return the name of the target's database."""
        return self.database_url.rsplit("/", 1)[1]

    async def wait_done(self) -> float:
        """Wait until the simulator holds no update and the inbox is empty; return when."""
        async with asyncio.timeout(STEP_TIMEOUT):
            while pending_updates(self.sim) or await self.inbox():  # noqa: ASYNC110
                await asyncio.sleep(DONE_CHECK)
        return time.perf_counter()

    def log_tail(self, chars: int = 1500) -> str:
        """Return the end of each process's log."""
        return "\n".join(
            f"--- {p.log.name}\n{p.log.read_text(errors='replace')[-chars:]}"
            for p in self.processes
            if p.log.exists()
        )

    def logged_errors(self) -> int:
        """Return how many log lines of the processes say ERROR or Traceback."""
        lines = (
            line
            for p in self.processes
            if p.log.exists()
            for line in p.log.read_text(errors="replace").splitlines()
        )
        return sum(1 for line in lines if "ERROR" in line or "Traceback" in line)


@asynccontextmanager
async def started(spec: Spec, workdir: Path, chats: int) -> AsyncIterator[Target]:
    """Start a target on a fresh simulator, proxy and database with ``chats`` seeded users."""
    name = spec.kind
    async with AsyncExitStack() as stack:
        sim = await stack.enter_async_context(BotApiSimulator())
        proxy = await stack.enter_async_context(LoopbackProxy([]))
        url = await stack.enter_async_context(database("postgresql", workdir, "webhook"))
        home = workdir / f"{name}-{spec.limit}"
        home.mkdir()
        if name != "echo":
            await seed_at_long_text(url, home, chats)
        engine = db.create_engine(url)
        stack.push_async_callback(engine.dispose)
        sessions = db.session_factory(engine)

        async def inbox() -> int:
            async with sessions() as session:
                return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)

        async def empty() -> int:
            return 0

        async def connections() -> int:
            async with sessions() as session:
                await session.execute(text("SELECT pg_stat_clear_snapshot()"))
                opened = await session.scalar(text(SESSIONS))
                return int(opened or 0)

        env = process_env(sim, url, home, webhook=name != "polling-1")
        env["BOT_PROCESSES"] = str(spec.processes)
        if spec.send_rate is not None:
            env["SEND_RATE_PER_SECOND"] = f"{spec.send_rate:g}"
        processes: list[BotProcess]
        if name == "polling-1":
            processes = [PollingProcess(env, home / "bot.log", sim)]
        elif name == "echo":
            processes = [WebhookProcess(env, home / "echo.log", command=ECHO_COMMAND)]
        else:
            processes = [
                WebhookProcess(env, home / f"bot{n}.log") for n in range(1, spec.processes + 1)
            ]
        webhooks = [p for p in processes if isinstance(p, WebhookProcess)]
        proxy.backends[:] = [p.url for p in webhooks]
        proxy.forwarded.update({p.url: 0 for p in webhooks})
        sim.webhook_base = proxy.url
        target = Target(spec, sim, url, processes, empty if name == "echo" else inbox, connections)
        try:
            await asyncio.gather(*(p.start() for p in processes))
            yield target
        except BaseException:
            print(target.log_tail(), file=sys.stderr)
            raise
        finally:
            for p in processes:
                await p.stop()


async def measure(
    target: Target,
    mode: str,
    load: Callable[[], Awaitable[tuple[list[Sample], float | None, int]]],
) -> Run:
    """Run one load on a started target and read the clocks and counters around it."""
    refusals = target.sim.webhook_refusals
    opened = await target.connections()
    before = Cpu.take(target.pids, target.database_name)
    samples, offered, deferred = await load()
    end = await target.wait_done()
    after = Cpu.take(target.pids, target.database_name)
    _, machine = after.machine.usage_since(before.machine)
    await asyncio.sleep(STATS_SETTLE)  # every backend has reported its session
    opened = await target.connections() - opened
    return Run(
        spec=target.spec,
        mode=mode,
        samples=samples,
        wall=end - min(s.injected for s in samples),
        bot_cpu=after.bot.since(before.bot),
        load_cpu=after.machine.process - before.machine.process,
        pg_cpu=after.pg.since(before.pg),
        machine_pct=machine,
        refused=target.sim.webhook_refusals - refusals,
        connections=opened,
        offered=offered,
        deferred=deferred,
    )


async def run_target(spec: Spec, args: argparse.Namespace, workdir: Path) -> list[Run]:
    """Start one target, warm it up, run the closed and the open loop, check what it saved."""
    ids = [BASE_ID + n for n in range(WARM_CHATS + 2 * args.chats)]
    name = f"{spec.label}, SEND_RATE {spec.limit}"
    async with started(spec, workdir, len(ids)) as target:
        sim = target.sim
        probe = AnswerProbe()
        sim.add_call_listener(probe.on_call)
        users = [sim.user(i, started=True) for i in ids]
        warm, closed, opened = (
            users[:WARM_CHATS],
            users[WARM_CHATS : WARM_CHATS + args.chats],
            users[WARM_CHATS + args.chats :],
        )
        sent: Sent = defaultdict(list)
        await closed_loop(probe, warm, WARM_WORDS, sent)
        await target.wait_done()

        async def closed_load() -> tuple[list[Sample], float | None, int]:
            return await closed_loop(probe, closed, args.per_chat, sent), None, 0

        async def open_load() -> tuple[list[Sample], float | None, int]:
            return await open_loop(
                probe,
                opened,
                count=args.open_updates,
                rate=args.rate,
                poisson=args.arrivals == "poisson",
                rng=random.Random(args.seed),
                sent=sent,
            )

        runs = [await measure(target, "closed", closed_load)]
        print(f"  done: {name}, closed loop", file=sys.stderr)
        runs.append(await measure(target, "open", open_load))
        print(f"  done: {name}, open loop", file=sys.stderr)
        checks = await check(target, probe, sent)
    for run in runs:
        run.checks = checks
    return runs


async def check(target: Target, probe: AnswerProbe, sent: Sent) -> str:
    """Return what was checked after the runs: answers per chat, saved texts, log errors."""
    answered = sum(1 for chat, texts in sent.items() if probe.answers[chat] == len(texts))
    parts = [f"answers {answered}/{len(sent)} chats"]
    if target.spec.kind != "echo":
        saved = await saved_texts(target.database_url)
        right = sum(1 for chat, texts in sent.items() if saved.get(chat) == "\n\n".join(texts))
        parts.append(f"saved {right}/{len(sent)}")
    parts.append(f"log errors {target.logged_errors()}")
    return ", ".join(parts)


# ---------------------------------------------------------------- report


def table(runs: list[Run]) -> str:
    """Return one mode's runs as a Markdown table."""
    header = [
        "target",
        "SEND_RATE",
        "updates",
        "wall s",
        "updates/s",
        "first answer p50/p95/p99 ms",
        "CPU ms/update bot / load / pg",
        "CPU % bot / load / pg / other",
        "refused",
        "PG connections",
    ]
    rows = [
        [
            r.spec.label,
            r.spec.limit,
            str(len(r.samples)),
            f"{r.wall:.1f}",
            f"{r.throughput:.1f}",
            p50_95_99(r.first_ms()),
            " / ".join(f"{r.per_update_ms(s):.2f}" for s in (r.bot_cpu, r.load_cpu, r.pg_cpu)),
            " / ".join(f"{r.pct(s):.0f}" for s in (r.bot_cpu, r.load_cpu, r.pg_cpu))
            + f" / {r.machine_pct - r.pct(r.bot_cpu + r.load_cpu + r.pg_cpu):.0f}",
            str(r.refused),
            str(r.connections),
        ]
        for r in runs
    ]
    return markdown_table(header, rows)


def report(runs: list[Run], args: argparse.Namespace) -> str:
    """Return the tables, the checks, and the two processes against one."""
    arrivals = "Poisson" if args.arrivals == "poisson" else "evenly spaced"
    out = [
        f"Closed loop ({args.chats} chats x {args.per_chat} words):\n",
        table([r for r in runs if r.mode == "closed"]),
        f"\nOpen loop at {args.rate:g} updates/s offered ({arrivals} arrivals, "
        f"{args.open_updates} updates over {args.chats} other chats):\n",
        table([r for r in runs if r.mode == "open"]),
        "",
    ]
    out += [
        f"- {r.spec.label}, SEND_RATE {r.spec.limit}: {r.checks}"
        for r in runs
        if r.mode == "closed"
    ]
    out += [
        f"- open loop, {r.spec.label}, SEND_RATE {r.spec.limit}: offered {r.offered or 0:.1f}/s, "
        f"{r.deferred} arrivals found no idle chat"
        for r in runs
        if r.mode == "open"
    ]
    out.append("\nTargets:")
    closed = {(r.spec.kind, r.spec.send_rate): r for r in runs if r.mode == "closed"}
    for rate in args.send_rates:
        one, two = closed.get(("webhook-1", rate)), closed.get(("webhook-2", rate))
        if one is None or two is None or not one.throughput:
            continue
        ratio = two.throughput / one.throughput
        out.append(
            f"- SEND_RATE {rate:g}: two processes / one, closed loop: "
            f"{two.throughput:.1f} / {one.throughput:.1f} = {ratio:.2f}x (target >= 1.6x): "
            f"{'PASS' if ratio >= 1.6 else 'FAIL'}; machine CPU {one.machine_pct:.0f} % and "
            f"{two.machine_pct:.0f} % of {100 * (os.cpu_count() or 1)} %"
        )
    for r in runs:
        if r.mode == "open" and r.spec.kind.startswith("webhook"):
            p95 = percentile(r.first_ms(), 95)
            out.append(
                f"- {r.spec.label}, SEND_RATE {r.spec.limit}: p95 first answer at "
                f"{args.rate:g}/s offered {p95:.1f} ms (target < 100 ms): "
                f"{'PASS' if p95 < 100 else 'FAIL'}"
            )
    return "\n".join(out)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        epilog="Needs PostgreSQL (BENCH_POSTGRES_URL, else TEST_POSTGRES_URL, else "
        "127.0.0.1:5432/test as postgres).",
    )
    parser.add_argument("--chats", type=int, default=50, help="chats in each loop (50)")
    parser.add_argument("--per-chat", type=int, default=10, help="closed loop: words per chat (10)")
    parser.add_argument(
        "--rate", type=float, default=20.0, help="open loop: updates/s offered (20)"
    )
    parser.add_argument(
        "--open-updates", type=int, default=400, help="open loop: updates in all (400)"
    )
    parser.add_argument("--arrivals", choices=("poisson", "uniform"), default="poisson")
    parser.add_argument("--seed", type=int, default=1, help="open loop: arrival times' seed")
    parser.add_argument(
        "--send-rates",
        default=f"{DEFAULT_SEND_RATE:g},{LIFTED_SEND_RATE:g}",
        help="SEND_RATE_PER_SECOND values to run the bot targets with "
        f"({DEFAULT_SEND_RATE:g},{LIFTED_SEND_RATE:g})",
    )
    parser.add_argument(
        "--targets",
        default=",".join(TARGETS),
        help=f"comma-separated subset of {', '.join(TARGETS)} (all)",
    )
    args = parser.parse_args(argv)
    args.targets = [t for t in args.targets.split(",") if t]
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}; use {', '.join(TARGETS)}")
    try:
        args.send_rates = [float(r) for r in args.send_rates.split(",") if r]
    except ValueError:
        parser.error("--send-rates: numbers separated by commas, e.g. 25,1000")
    if not all(0 < r <= LIFTED_SEND_RATE for r in args.send_rates):
        parser.error(f"--send-rates: each above 0 and at most {LIFTED_SEND_RATE:g}")
    if min(args.chats, args.per_chat, args.open_updates) < 1 or args.rate <= 0:
        parser.error("--chats, --per-chat, --open-updates and --rate must be positive")
    return args


def specs(args: argparse.Namespace) -> list[Spec]:
    """Return the targets to run, in order: each bot target at each send rate, the echo."""
    bots = [k for k in TARGETS if k != "echo" and k in args.targets]
    chosen = [Spec(kind, rate) for rate in args.send_rates for kind in bots]
    return chosen + ([Spec("echo")] if "echo" in args.targets else [])


async def main(argv: list[str] | None = None) -> None:
    """Run every selected target and print the report."""
    args = parse_args(argv)
    runs: list[Run] = []
    begun = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-webhook-") as tmp:
        for spec in specs(args):
            runs += await run_target(spec, args, Path(tmp))
    print(run_summary(begun))
    print(DEFINITIONS)
    print(report(runs, args))


if __name__ == "__main__":
    asyncio.run(main())
