"""Throughput and latency of complete registrations through the loopback Bot API.

Run: .venv/bin/python benchmarks/flow_throughput.py [--users 200] [--db sqlite|postgresql|both]

Every simulated user completes onboarding and a full registration (40 updates) against the
real bot, once on SQLite and once on PostgreSQL, and the same updates go to a minimal PTB echo
bot (the framework's floor), with PTB's default transport and with the bot's own. The bot, the
simulator and the simulated users share this process and its event loop, as in the end-to-end
tests.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.benchlib import (
    STEPS_PER_USER,
    ChatProbe,
    CpuSample,
    ErrorCounter,
    Pending,
    Step,
    bot_settings,
    database,
    fire_step,
    flow_script,
    machine_summary,
    markdown_table,
    percentile,
    running_runtime,
)
from bot.runtime import BotRuntime
from bot.settings import Settings
from bot.simulator import ApiCall, BotApiSimulator, SimUser
from bot.telegram.transport import AiohttpRequest

AnyApp = Application[Any, Any, Any, Any, Any, Any]

ECHO_AIOHTTP = "echo-aiohttp"
BOT_LABELS = {"echo": "echo (floor)", ECHO_AIOHTTP: "echo, aiohttp", "inovasi": "inovasi bot"}
ANSWER_METHODS = frozenset({"sendMessage", "editMessageText", "answerCallbackQuery"})
STEP_TIMEOUT = 120.0
WARMUP_USER = 1
CLOSED_BASE = 100_000
OPEN_BASE = 200_000

DEFINITIONS = """\
Definitions (all times on this process's monotonic clock, time.perf_counter):
- injected: the simulated user's update is put in the simulator's getUpdates queue.
- first answer: injected -> the simulator receives the bot's first sendMessage,
  editMessageText or answerCallbackQuery for that chat (request arrival, before the reply).
- complete: injected -> the bot's Application has finished handling the update (every reply
  sent); a user sends its next update only then, since it may press a button of that reply.
- updates/s: updates handled / wall time from the first injection to the last completion.
- CPU %: of one core; 'process' is this process (bot + simulator + users), 'machine' is
  all cores (PostgreSQL included) from /proc/stat.
"""


async def fire(user: SimUser, step: Step, *, echo: bool) -> None:
    """Inject one step's update without waiting for the bot."""
    if step.kind == "press" and echo:
        # the echo bot shows no buttons: press a button of its last message instead
        await user.fire_data("echo")
    else:
        await fire_step(user, step)


# ---------------------------------------------------------------- measuring


class Probe(ChatProbe):
    """Match the bot's answers and completions to each chat's update in flight."""

    timeout = STEP_TIMEOUT

    def on_call(self, call: ApiCall) -> None:
        """Record the first answering call for the chat's update in flight."""
        if call.method in ANSWER_METHODS and call.chat_id is not None:
            self.on_answer(call.chat_id, call.received)

    def on_handled(self, update: object) -> None:
        """Mark the chat's update in flight as completely handled."""
        if isinstance(update, Update) and update.effective_chat is not None:
            self.on_chat_handled(update.effective_chat.id)

    async def step(self, user: SimUser, step: Step, *, echo: bool) -> Pending:
        """Send one step and wait until the bot has handled it."""
        try:
            return await self.send(user.chat_id, lambda: fire(user, step, echo=echo))
        except RuntimeError:
            raise RuntimeError(f"user {user.id}: no completion for {step} in time") from None


def track_completions(app: AnyApp, on_handled: Callable[[object], None]) -> None:
    """Call on_handled(update) whenever the application finished handling an update."""
    processor = app.update_processor
    original = processor.do_process_update

    async def do_process_update(update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await original(update, coroutine)
        finally:
            on_handled(update)

    # process_update (final) awaits do_process_update; an instance attribute wins the lookup
    processor.do_process_update = do_process_update  # type: ignore[method-assign]


# ---------------------------------------------------------------- bots


def build_echo_bot(sim: BotApiSimulator, *, aiohttp: bool = False) -> AnyApp:
    """Build the floor: replies with the message text, answers every button.

    With ``aiohttp`` it sends through the bot's own transport (bot/transport.py) instead of
    PTB's default httpx one: the same floor, minus what the transport saves.
    """

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None:
            await message.reply_text(message.text or message.caption or "ok")

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await update.callback_query.answer()

    builder = (
        ApplicationBuilder()
        .token(sim.token)
        .base_url(sim.api_url)
        .base_file_url(sim.file_url)
        .concurrent_updates(True)
    )
    if aiohttp:
        builder = builder.request(AiohttpRequest(connection_pool_size=32)).get_updates_request(
            AiohttpRequest(connection_pool_size=1)
        )
    app: AnyApp = builder.build()
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.add_handler(CallbackQueryHandler(answer))
    return app


@asynccontextmanager
async def running(app: AnyApp) -> AsyncIterator[AnyApp]:
    """Start the application polling the simulator, as run_polling would, and stop it."""
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


@asynccontextmanager
async def running_bot(settings: Settings, probe: Probe) -> AsyncIterator[BotRuntime]:
    """Start the real bot (inbox worker, polling) and tell the probe when each kept update
    is handled and answered."""
    runtime: BotRuntime | None = None

    def handled(channel: str, payload: dict[str, Any]) -> None:
        assert runtime is not None
        update = Update.de_json(payload, runtime.ptb.bot)
        if update.effective_chat is not None:
            probe.on_chat_handled(update.effective_chat.id)

    async with running_runtime(settings, handled) as started:
        runtime = started
        yield started


# ---------------------------------------------------------------- load


@dataclass
class Result:
    """The measurements of one load run."""

    mode: str
    bot: str
    db: str
    users: int
    samples: list[Pending]
    wall: float
    cpu_process: float
    cpu_machine: float
    errors: int = 0
    offered: float | None = None
    deferred: int = 0
    finished: int = 0

    @property
    def throughput(self) -> float:
        """Return updates handled per second of wall time."""
        return len(self.samples) / self.wall if self.wall > 0 else 0.0

    def first_ms(self) -> list[float]:
        """Return first-answer latencies in ms."""
        return [1000 * (p.answered - p.injected) for p in self.samples if p.answered is not None]

    def complete_ms(self) -> list[float]:
        """Return completion latencies in ms."""
        return [1000 * (p.handled - p.injected) for p in self.samples if p.handled is not None]


async def closed_loop(
    probe: Probe, users: list[SimUser], *, echo: bool, max_seconds: float
) -> tuple[list[Pending], list[SimUser]]:
    """Every user sends its next update as soon as the previous one was handled.

    No user starts a new update after max_seconds; return the samples and the users who
    completed the whole script.
    """
    samples: list[Pending] = []
    finished: list[SimUser] = []
    deadline = time.perf_counter() + max_seconds

    async def one(user: SimUser) -> None:
        for step in flow_script(user.id):
            if time.perf_counter() > deadline:
                return
            samples.append(await probe.step(user, step, echo=echo))
        finished.append(user)

    await asyncio.gather(*(one(user) for user in users))
    return samples, finished


async def open_loop(
    probe: Probe,
    users: list[SimUser],
    *,
    echo: bool,
    rate: float,
    poisson: bool,
    rng: random.Random,
) -> tuple[list[Pending], float, int]:
    """Offer updates at a fixed rate; each arrival goes to a random user not waiting on the bot.

    Return the samples, the rate actually offered and how many arrivals found no idle user.
    """
    samples: list[Pending] = []
    remaining = {user.id: deque(flow_script(user.id)) for user in users}
    total = sum(len(steps) for steps in remaining.values())
    idle = list(users)
    became_idle = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    arrivals: list[float] = []
    deferred = 0

    async def one(user: SimUser, step: Step) -> None:
        samples.append(await probe.step(user, step, echo=echo))
        if remaining[user.id]:
            idle.append(user)
            became_idle.set()

    next_at = time.perf_counter()
    for index in range(total):
        if index:
            next_at += rng.expovariate(rate) if poisson else 1 / rate
        delay = next_at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if not idle:
            deferred += 1
            while not idle:
                became_idle.clear()
                await became_idle.wait()
        user = idle.pop(rng.randrange(len(idle)))
        step = remaining[user.id].popleft()
        arrivals.append(time.perf_counter())
        tasks.append(asyncio.create_task(one(user, step)))
    await asyncio.gather(*tasks)
    span = arrivals[-1] - arrivals[0]
    offered = (len(arrivals) - 1) / span if span > 0 else 0.0
    return samples, offered, deferred


def check_submitted(bot: str, users: list[SimUser]) -> None:
    """Fail unless every user's registration got its INO code."""
    if bot.startswith("echo"):
        return
    missing = [u.id for u in users if not any("INO-" in m.text for m in u.messages[-3:])]
    if missing:
        sample = users[0].messages[-1].text if users[0].messages else ""
        raise RuntimeError(
            f"{len(missing)} users did not finish the registration, e.g. {missing[:5]}; "
            f"last message of user {users[0].id}: {sample[:300]!r}"
        )


async def run_target(
    bot: str, db: str, args: argparse.Namespace, workdir: Path, errors: ErrorCounter
) -> list[Result]:
    """Start one bot (echo or the real one on db), run the selected load modes, stop it."""
    results: list[Result] = []
    echo = bot.startswith("echo")
    kind = "sqlite" if echo else db
    async with BotApiSimulator() as sim, database(kind, workdir, "flow") as url:
        probe = Probe()
        sim.add_call_listener(probe.on_call)
        if echo:
            app = build_echo_bot(sim, aiohttp=bot == ECHO_AIOHTTP)
            track_completions(app, probe.on_handled)
            started: Any = running(app)
        else:
            started = running_bot(bot_settings(sim, url, workdir / f"files-{db}"), probe)
        async with started:
            warm = sim.user(WARMUP_USER, first_name="Pemanasan")
            for step in flow_script(warm.id):
                await probe.step(warm, step, echo=echo)
            check_submitted(bot, [warm])
            modes = ["closed", "open"] if args.mode == "both" else [args.mode]
            for mode in modes:
                base, count = (
                    (CLOSED_BASE, args.users) if mode == "closed" else (OPEN_BASE, args.open_users)
                )
                users = [sim.user(base + i, first_name=f"U{i}") for i in range(count)]
                errors.count = 0
                before = CpuSample.take()
                offered: float | None = None
                deferred = 0
                finished = users
                if mode == "closed":
                    samples, finished = await closed_loop(
                        probe, users, echo=echo, max_seconds=args.max_seconds
                    )
                else:
                    rng = random.Random(args.seed)
                    samples, offered, deferred = await open_loop(
                        probe,
                        users,
                        echo=echo,
                        rate=args.rate,
                        poisson=args.arrivals == "poisson",
                        rng=rng,
                    )
                after = CpuSample.take()
                start = min(p.injected for p in samples)
                end = max(p.handled or p.injected for p in samples)
                process, machine = after.usage_since(before)
                check_submitted(bot, finished)
                result = Result(
                    mode=mode,
                    bot=BOT_LABELS.get(bot, "inovasi bot"),
                    db="-" if echo else db,
                    users=count,
                    samples=samples,
                    wall=end - start,
                    cpu_process=process,
                    cpu_machine=machine,
                    errors=errors.count + len(sim.rejected),
                    offered=offered,
                    finished=len(finished),
                    deferred=deferred,
                )
                results.append(result)
                print(f"  done: {mode} loop, {result.bot}, {result.db}", file=sys.stderr)
        if sim.unanswered_queries:
            raise RuntimeError(f"{len(sim.unanswered_queries)} callback queries never answered")
    return results


# ---------------------------------------------------------------- report


def _ms(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, p):.1f}" for p in (50, 95, 99))


def report(results: list[Result], args: argparse.Namespace) -> str:
    """Return the tables and the verdicts against the targets."""
    out: list[str] = []
    header = [
        "bot",
        "db",
        "users",
        "updates",
        "wall s",
        "updates/s",
        "first answer p50/p95/p99 ms",
        "complete p50/p95/p99 ms",
        "CPU % process / machine",
        "errors",
    ]
    for mode in ("closed", "open"):
        chosen = [r for r in results if r.mode == mode]
        if not chosen:
            continue
        if mode == "closed":
            out.append(f"\nClosed loop ({args.users} users x {STEPS_PER_USER} updates):\n")
        else:
            arrivals = "Poisson" if args.arrivals == "poisson" else "evenly spaced"
            out.append(
                f"\nOpen loop at {args.rate:g} updates/s offered ({arrivals} arrivals, "
                f"{args.open_users} users x {STEPS_PER_USER} updates):\n"
            )
        rows = [
            [
                r.bot,
                r.db,
                str(r.users),
                str(len(r.samples)),
                f"{r.wall:.1f}",
                f"{r.throughput:.1f}",
                _ms(r.first_ms()),
                _ms(r.complete_ms()),
                f"{r.cpu_process:.0f} / {r.cpu_machine:.0f}",
                str(r.errors),
            ]
            for r in chosen
        ]
        out.append(markdown_table(header, rows))
        cut = [r for r in chosen if mode == "closed" and r.finished < r.users]
        if cut:
            notes = [
                f"{r.bot} {r.db}: stopped by --max-seconds {args.max_seconds:g}: "
                f"{len(r.samples)} of {r.users * STEPS_PER_USER} updates, "
                f"{r.finished} of {r.users} users finished"
                for r in cut
            ]
            out.append("\n" + "\n".join(notes))
        if mode == "open":
            notes = [
                f"{r.bot} {r.db}: offered {r.offered or 0:.1f}/s, {r.deferred} arrivals waited "
                "for an idle user"
                for r in chosen
            ]
            out.append("\n" + "\n".join(notes))
    out.append("\nTargets:")
    closed = {r.bot: r for r in results if r.mode == "closed" and r.db == "-"}
    floor = closed.get(BOT_LABELS["echo"])
    same = closed.get(BOT_LABELS[ECHO_AIOHTTP])
    for r in results:
        if r.db == "-":
            continue
        if r.mode == "closed" and floor is not None:
            ratio = r.throughput / floor.throughput if floor.throughput else 0.0
            verdict = "PASS" if ratio >= 0.5 else "FAIL"
            out.append(
                f"- throughput {r.db}: {r.throughput:.1f}/s = {100 * ratio:.0f}% of the floor's "
                f"{floor.throughput:.1f}/s (target >= 50%): {verdict}"
            )
            if same is not None and same.throughput:
                out.append(
                    f"  (and {100 * r.throughput / same.throughput:.0f}% of the echo bot on "
                    f"the same aiohttp transport, {same.throughput:.1f}/s)"
                )
        if r.mode == "open":
            p95 = percentile(r.first_ms(), 95)
            verdict = "PASS" if p95 < 100 else "FAIL"
            out.append(
                f"- p95 first answer {r.db} at {args.rate:g} updates/s offered: {p95:.1f} ms "
                f"(target < 100 ms): {verdict}"
            )
    return "\n".join(out)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--users", type=int, default=200, help="closed-loop users (200)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--mode", choices=("closed", "open", "both"), default="both")
    parser.add_argument("--rate", type=float, default=20.0, help="open-loop updates/s (20)")
    parser.add_argument(
        "--open-users",
        type=int,
        default=10,
        help=f"open-loop users, {STEPS_PER_USER} updates each (10: 20 s at 20/s)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=90.0,
        help="closed loop: start no update after this many seconds (90)",
    )
    parser.add_argument("--arrivals", choices=("poisson", "uniform"), default="poisson")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.users < 1 or args.open_users < 1 or args.rate <= 0 or args.max_seconds <= 0:
        parser.error("--users, --open-users, --rate and --max-seconds must be positive")
    return args


async def main(argv: list[str] | None = None) -> None:
    """Run every selected target and print the report."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    errors = ErrorCounter()
    logging.getLogger().addHandler(errors)
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results: list[Result] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-flow-") as tmp:
        workdir = Path(tmp)
        results += await run_target("echo", "-", args, workdir, errors)
        results += await run_target(ECHO_AIOHTTP, "-", args, workdir, errors)
        for db in dbs:
            results += await run_target("inovasi", db, args, workdir, errors)
    print(f"Machine: {machine_summary()}; Python {sys.version.split()[0]}")
    print(f"Total run time {time.perf_counter() - started:.0f} s\n")
    print(DEFINITIONS)
    print(report(results, args))


if __name__ == "__main__":
    asyncio.run(main())
