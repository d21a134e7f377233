"""Complete registrations on WhatsApp beside the same registrations on Telegram, one bot.

Run: .venv/bin/python benchmarks/whatsapp_flow.py [--users 10,30] [--rounds 1]
     [--db sqlite,postgresql] [--channels telegram,whatsapp] [--limits lifted|deployed]
     [--max-seconds 90] [--profile]

One bot process (``BotRuntime``, as ``bot.py run`` starts it) with both channels configured,
as tests/conftest.py's harness runs it: Telegram polling the loopback Bot API simulator,
WhatsApp through its webhook (``/whatsapp`` on the bot's web server) fed by the loopback
WhatsApp Cloud API simulator. Every simulated user completes onboarding and a full
registration (benchlib.flow_script, 40 updates, the steps of register_until_summary in
tests/handlers/test_registration.py) and presses Kirim, on one channel at a time, in a
closed loop. Bot, both simulators and the simulated users share this process and its event
loop, so "process CPU" includes the simulators.

Channels: ``telegram``; ``whatsapp`` (the test suite's simulator: no delivery statuses);
``whatsapp-statuses`` (the simulator also posts sent, delivered and read for every message
the bot sends, as Meta does; the bot keeps and handles each as an update of its own).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.benchlib import (
    STEPS_PER_USER,
    ChatProbe,
    CpuSample,
    ErrorCounter,
    FlowUser,
    Pending,
    ProcessCpu,
    bot_settings,
    database,
    fire_step,
    flow_script,
    machine_summary,
    markdown_table,
    percentile,
    pg_admin_url,
    pg_reachable,
    postgres_pids,
    postmaster_pid,
    reaped_cpu_seconds,
    running_runtime,
    submitted,
)
from bot.runtime import BotRuntime
from bot.settings import Settings
from bot.simulator import ApiCall, BotApiSimulator
from bot.simulator.processes import free_port
from bot.simulator.whatsapp import WaMessage, WaTemplate, WhatsAppSimulator
from bot.whatsapp import templates as whatsapp_templates

TELEGRAM = "telegram"
WHATSAPP = "whatsapp"
WHATSAPP_STATUSES = "whatsapp-statuses"
CHANNELS = (TELEGRAM, WHATSAPP, WHATSAPP_STATUSES)
# what shows the user an answer on Telegram (answerCallbackQuery only stops the button's
# spinner, with a notice at most; it is counted as a call, not as an answer)
TELEGRAM_ANSWERS = frozenset({"sendMessage", "editMessageText", "sendPhoto", "sendDocument"})
LIFTED = 1000.0  # messages a second: the most SEND_RATE_PER_SECOND takes
PAIR_BURST = 10_000  # as tests/conftest.py: simulated users type faster than people
WARMUP_BASE = 1
DRAIN_TIMEOUT = 120.0
ROOT = str(Path(__file__).resolve().parents[1]) + "/"
PROJECT = ("bot/", "handlers/", "models/", "scheduler/")

DEFINITIONS = """\
Definitions (all times on this process's monotonic clock, time.perf_counter):
- injected: the user's update is handed to its simulator (Telegram: put in the getUpdates
  queue; WhatsApp: the signed webhook POST to the bot is started).
- first answer: injected -> the simulator receives the first message the bot sends to that
  user (Telegram: sendMessage, editMessageText, sendPhoto or sendDocument, at request
  arrival; WhatsApp: a message accepted by POST /messages, before the bot has the reply).
- complete: injected -> the bot's channel has finished with the update (every answer
  sent); a user sends its next update only then, since it may press a button of the answer.
- updates/s: the users' updates / wall, first injection -> last completion.
- CPU ms/update: CPU time used from the first injection until everything the run caused was
  handled (WhatsApp's status webhooks included), per user update. 'process' is this process
  (bot, simulators and users: the bot runs in-process), from time.process_time; 'pg' the
  PostgreSQL backends of the run's database and the WAL writer, from /proc/<pid>/stat, plus
  the backends that exited during the run (the postmaster's cutime + cstime: those of any
  database, so other programs' connections too).
- CPU %: of one core over that time; 'other' is the machine's busy time on all cores
  (/proc/stat) less process and pg: every other program (and PostgreSQL's other helpers).
- msgs/update: messages the bot sent per user update (Telegram: the answer calls above;
  WhatsApp: messages accepted); calls/update: every API call but getUpdates (WhatsApp:
  messages, media uploads, media URL look-ups and downloads).
- SQL stmts / txns per update: the bot's statements (SQLAlchemy's
  before_cursor_execute) and transactions begun, statuses' included, per user update.
- errors: ERROR log records + calls the simulators refused + WhatsApp messages throttled +
  webhook posts tried again + webhooks dropped.
"""


def telegram_chat(payload: dict[str, Any]) -> int | None:
    """Return the chat of a kept Telegram update (the probe's key for it)."""
    for key in ("message", "edited_message"):
        message = payload.get(key)
        if isinstance(message, dict):
            return int(message["chat"]["id"])
    query = payload.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict):
            return int(message["chat"]["id"])
        return int(query["from"]["id"])
    return None


def whatsapp_sender(payload: dict[str, Any]) -> str | None:
    """Return the WhatsApp id of a kept WhatsApp message's sender (None for a status)."""
    value = payload["entry"][0]["changes"][0]["value"]
    messages = value.get("messages")
    return str(messages[0]["from"]) if messages else None


def wa_number(person: int) -> str:
    """Return the WhatsApp number of simulated person ``person`` (as tests/phones.py)."""
    return f"62812{person:08d}"


@dataclass
class Counters:
    """What the simulators and the bot did, counted as it happens."""

    calls: int = 0
    messages: int = 0
    statuses: int = 0
    statements: int = 0
    transactions: int = 0

    def copy(self) -> Counters:
        """Return the counts now."""
        return Counters(
            self.calls, self.messages, self.statuses, self.statements, self.transactions
        )

    def count_statement(self, *args: Any) -> None:
        """Count one SQL statement (SQLAlchemy's before_cursor_execute)."""
        self.statements += 1

    def count_transaction(self, *args: Any) -> None:
        """Count one transaction begun (SQLAlchemy's begin)."""
        self.transactions += 1


@dataclass
class Result:
    """The measurements of one closed-loop run on one channel."""

    seq: int
    db: str
    channel: str
    users: int
    samples: list[Pending]
    finished: int
    wall: float
    span: float  # first injection -> all drained: the CPU window
    cpu_process: float  # seconds
    cpu_pg: float | None
    machine: float  # % of one core, all cores
    calls: int
    messages: int
    statuses: int
    statements: int
    transactions: int
    errors: int
    error_kinds: dict[str, int]

    @property
    def updates(self) -> int:
        """Return how many user updates were handled."""
        return len(self.samples)

    @property
    def throughput(self) -> float:
        """Return user updates handled per second of wall time."""
        return self.updates / self.wall if self.wall > 0 else 0.0

    def first_ms(self) -> list[float]:
        """Return first-answer latencies in ms."""
        return [1000 * (p.answered - p.injected) for p in self.samples if p.answered is not None]

    def complete_ms(self) -> list[float]:
        """Return completion latencies in ms."""
        return [1000 * (p.handled - p.injected) for p in self.samples if p.handled is not None]

    def per_update_ms(self, seconds: float) -> float:
        """Return CPU seconds as ms per user update."""
        return 1000 * seconds / self.updates if self.updates else 0.0

    def percent(self, seconds: float) -> float:
        """Return CPU seconds as % of one core over the CPU window."""
        return 100 * seconds / self.span if self.span > 0 else 0.0


class Bench:
    """The bot on one database, both simulators, and the probe that times every update."""

    def __init__(
        self,
        db: str,
        url: str,
        tg: BotApiSimulator,
        wa: WhatsAppSimulator,
        args: argparse.Namespace,
    ) -> None:
        self.db = db
        self.url = url
        self.tg = tg
        self.wa = wa
        self.args = args
        self.probe = ChatProbe()
        self.probe.timeout = args.step_timeout
        self.counts = Counters()
        self.errors = ErrorCounter()
        logging.getLogger().addHandler(self.errors)
        tg.add_call_listener(self.on_telegram_call)
        wa.listeners.append(self.on_whatsapp_message)
        self.runtime: BotRuntime | None = None

    def close(self) -> None:
        """Stop counting log records."""
        logging.getLogger().removeHandler(self.errors)

    # ------------------------------------------------------------ what the bot does

    def on_telegram_call(self, call: ApiCall) -> None:
        """Count a Bot API call; time an answer."""
        if call.method == "getUpdates":
            return
        self.counts.calls += 1
        if call.method in TELEGRAM_ANSWERS and call.chat_id is not None:
            self.counts.messages += 1
            self.probe.on_answer(call.chat_id, call.received)

    def on_whatsapp_message(self, message: WaMessage) -> None:
        """Count and time a message the WhatsApp simulator accepted."""
        self.counts.messages += 1
        self.probe.on_answer(message.to)

    def on_handled(self, channel: str, payload: dict[str, Any]) -> None:
        """Complete the update in flight of the chat whose update the bot finished."""
        chat: Hashable | None
        if channel == TELEGRAM:
            chat = telegram_chat(payload)
        else:
            chat = whatsapp_sender(payload)
            if chat is None:
                self.counts.statuses += 1
        if chat is not None:
            self.probe.on_chat_handled(chat)

    # ------------------------------------------------------------ users

    def users(self, channel: str, base: int, count: int) -> list[tuple[Hashable, FlowUser, int]]:
        """Return ``count`` new users of a channel: (probe key, user, person number)."""
        made: list[tuple[Hashable, FlowUser, int]] = []
        for i in range(count):
            person = base + i
            if channel == TELEGRAM:
                user = self.tg.user(person, first_name=f"U{i}")
                made.append((user.chat_id, user, person))
            else:
                wa_user = self.wa.user(wa_number(person), name=f"U{i}", language="id")
                made.append((wa_user.wa_id, wa_user, person))
        return made

    def messages_of(self, channel: str, key: Hashable) -> list[Any]:
        """Return what the bot sent to a user."""
        if channel == TELEGRAM:
            assert isinstance(key, int)
            return list(self.tg.messages(key))
        return self.wa.messages(str(key))

    # ------------------------------------------------------------ load

    async def closed_loop(
        self, users: list[tuple[Hashable, FlowUser, int]]
    ) -> tuple[list[Pending], list[Hashable]]:
        """Every user sends its next update as soon as the bot has handled the previous one;
        none starts an update after --max-seconds. Return the samples and who finished."""
        samples: list[Pending] = []
        finished: list[Hashable] = []
        deadline = time.perf_counter() + self.args.max_seconds

        async def one(key: Hashable, user: FlowUser, person: int) -> None:
            for step in flow_script(person):
                if time.perf_counter() > deadline:
                    return

                async def send(step: Any = step) -> None:
                    await fire_step(user, step)

                try:
                    samples.append(await self.probe.send(key, send))
                except RuntimeError:
                    raise RuntimeError(f"user {key}: no completion for {step}") from None
            finished.append(key)

        await asyncio.gather(*(one(*u) for u in users))
        return samples, finished

    async def drain(self) -> None:
        """Wait until every webhook was answered and the bot has handled everything."""
        assert self.runtime is not None
        await self.wa.wait_idle(DRAIN_TIMEOUT)
        await self.runtime.worker.join()

    def check(self, channel: str, finished: list[Hashable]) -> None:
        """Fail unless every user who finished got an INO code."""
        missing = [k for k in finished if not submitted(self.messages_of(channel, k))]
        if missing:
            last = self.messages_of(channel, missing[0])
            sample = last[-1].text if last else ""
            raise RuntimeError(
                f"{channel}: {len(missing)} users did not finish the registration, e.g. "
                f"{missing[:3]}; their last message: {sample[:300]!r}"
            )

    def trouble_by_kind(self) -> dict[str, int]:
        """Return how many things of each kind went wrong so far (DEFINITIONS: errors)."""
        wa = self.wa
        return {
            "ERROR logs": self.errors.count,
            "refused": len(self.tg.rejected) + len(wa.rejected),
            "throttled": len(wa.throttled),
            "webhooks retried": sum(1 for post in wa.webhook_posts if post.attempt > 1),
            "webhooks dropped": len(wa.dropped_webhooks),
        }

    def trouble(self) -> int:
        """Return how many things went wrong so far."""
        return sum(self.trouble_by_kind().values())

    async def warm_up(self, channel: str) -> None:
        """Run one user of the channel through the whole flow, untimed."""
        self.wa.report_statuses = channel == WHATSAPP_STATUSES
        users = self.users(channel, WARMUP_BASE + 10 * CHANNELS.index(channel), 1)
        _, finished = await self.closed_loop(users)
        await self.drain()
        self.check(channel, finished)

    async def measure(self, seq: int, channel: str, count: int) -> Result:
        """Run ``count`` new users of one channel through the flow in a closed loop."""
        self.wa.report_statuses = channel == WHATSAPP_STATUSES
        users = self.users(channel, (seq + 1) * 100_000, count)
        pg = self.db == "postgresql"
        name = self.url.rsplit("/", 1)[1]
        postmaster = postmaster_pid() if pg else None
        trouble = self.trouble()
        errors = self.trouble_by_kind()
        counts = self.counts.copy()
        wa_calls = len(self.wa.sent_calls)
        pg_before = ProcessCpu.take(postgres_pids(name) if pg else [])
        reaped_before = reaped_cpu_seconds(postmaster) if postmaster else None
        before = CpuSample.take()
        samples, finished = await self.closed_loop(users)
        await self.drain()
        after = CpuSample.take()
        # a backend started meanwhile counts from zero; one that ended meanwhile was reaped
        # by the postmaster, which adds its CPU time to its children's
        pg_after = ProcessCpu.take(postgres_pids(name) if pg else [])
        reaped_after = reaped_cpu_seconds(postmaster) if postmaster else None
        cpu_pg = pg_after.since(pg_before) if pg else None
        if cpu_pg is not None and reaped_before is not None and reaped_after is not None:
            # what an ended backend had used before the run is in the reaped time too
            gone = set(pg_before.seconds) - set(pg_after.seconds)
            before_run = sum(pg_before.seconds[pid] for pid in gone)
            cpu_pg += reaped_after - reaped_before - before_run
        kinds = {k: n - errors.get(k, 0) for k, n in self.trouble_by_kind().items()}
        self.check(channel, finished)
        _, machine = after.usage_since(before)
        start = min(p.injected for p in samples)
        end = max(p.handled or p.injected for p in samples)
        return Result(
            seq=seq,
            db=self.db,
            channel=channel,
            users=count,
            samples=samples,
            finished=len(finished),
            wall=end - start,
            span=after.wall - before.wall,
            cpu_process=after.process - before.process,
            cpu_pg=cpu_pg,
            machine=machine,
            calls=self.counts.calls - counts.calls + len(self.wa.sent_calls) - wa_calls,
            messages=self.counts.messages - counts.messages,
            statuses=self.counts.statuses - counts.statuses,
            statements=self.counts.statements - counts.statements,
            transactions=self.counts.transactions - counts.transactions,
            errors=self.trouble() - trouble,
            error_kinds={k: n for k, n in kinds.items() if n},
        )


async def measured(
    bench: Bench, seq: int, channel: str, count: int, profiles: Profiles | None
) -> Result:
    """Measure one run, profiled if asked."""
    if profiles is None:
        return await bench.measure(seq, channel, count)
    profile = cProfile.Profile(time.thread_time)
    profile.enable()
    try:
        return await bench.measure(seq, channel, count)
    finally:
        profile.disable()
        profiles.add(channel, profile)


def settings_for(
    db_url: str, files: Path, tg: BotApiSimulator, wa: WhatsAppSimulator, args: argparse.Namespace
) -> Settings:
    """Return the bot's settings: both simulators, as tests/conftest.py's ``settings``."""
    more: dict[str, Any] = {
        "whatsapp_token": wa.token,
        "whatsapp_phone_id": wa.phone_id,
        "whatsapp_app_secret": wa.app_secret,
        "whatsapp_verify_token": wa.verify_token,
        "whatsapp_api_url": wa.api_url,
        "whatsapp_number": wa.display_phone_number,
        "port": free_port(),
    }
    if args.limits == "lifted":
        more |= {"send_rate_per_second": LIFTED, "whatsapp_send_rate_per_second": LIFTED}
    return bot_settings(tg, db_url, files, **more)


def prepare_whatsapp(wa: WhatsAppSimulator, args: argparse.Namespace) -> None:
    """Set the WhatsApp simulator up as tests/conftest.py's ``wa_sim`` does."""
    wa.pair_burst = PAIR_BURST
    if args.limits == "lifted":
        wa.throughput = int(LIFTED)  # Meta raises a number's 80 messages a second to 1000
    for template in whatsapp_templates.load().templates.values():
        for wording in template.languages.values():
            wa.templates[(template.name, wording.code)] = WaTemplate(
                wording.body, buttons=tuple(wording.buttons)
            )


def order(channels: list[str], index: int) -> list[str]:
    """Return the channels in the order of run ``index``: alternating, so neither always
    goes first on a database that grows."""
    return channels if index % 2 == 0 else list(reversed(channels))


async def run_database(
    db: str, args: argparse.Namespace, workdir: Path, seq: list[int], profiles: Profiles | None
) -> tuple[list[Result], str]:
    """Start the bot on a fresh database and run every channel, user count and round."""
    results: list[Result] = []
    async with (
        BotApiSimulator() as tg,
        WhatsAppSimulator() as wa,
        database(db, workdir, "waflow") as url,
    ):
        prepare_whatsapp(wa, args)
        settings = settings_for(url, workdir / f"files-{db}", tg, wa, args)
        bench = Bench(db, url, tg, wa, args)
        try:
            async with running_runtime(settings, bench.on_handled) as runtime:
                bench.runtime = runtime
                engine = runtime.deps.engine
                assert engine is not None
                event.listen(
                    engine.sync_engine, "before_cursor_execute", bench.counts.count_statement
                )
                event.listen(engine.sync_engine, "begin", bench.counts.count_transaction)
                wa.webhook_url = f"http://127.0.0.1:{settings.port}/whatsapp"
                wa.attach(runtime.worker)
                tg.attach(runtime.worker)
                for channel in args.channels:
                    await bench.warm_up(channel)
                index = 0
                for _ in range(args.rounds):
                    for count in args.users:
                        for channel in order(args.channels, index):
                            profile = (
                                None if profiles is None else cProfile.Profile(time.thread_time)
                            )
                            if profile is not None:
                                profile.enable()
                            result = await bench.measure(seq[0], channel, count)
                            if profile is not None and profiles is not None:
                                profile.disable()
                                profiles.add(channel, profile)
                            seq[0] += 1
                            results.append(result)
                            print(
                                f"  done: {db}, {channel}, {count} users: "
                                f"{result.throughput:.1f} updates/s",
                                file=sys.stderr,
                            )
                        index += 1
        finally:
            bench.close()
        limits = (
            f"SEND_RATE_PER_SECOND {settings.send_rate_per_second:g}, "
            f"WHATSAPP_SEND_RATE_PER_SECOND {settings.whatsapp_send_rate_per_second:g}, "
            f"simulated WhatsApp throughput {wa.throughput}/s, pair burst {wa.pair_burst}"
        )
    return results, limits


# ---------------------------------------------------------------- profile


def group_of(filename: str) -> str:
    """Return where a profiled function lives: the simulators, the project, a package, the
    event loop, C built-ins or the rest of the standard library."""
    if "/bot/simulator/" in filename:
        return "simulators (bot/simulator)"
    if filename.startswith(ROOT) and filename[len(ROOT) :].startswith(PROJECT):
        return "project (bot, handlers, models, scheduler)"
    if "site-packages/" in filename:
        package = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        return package.removesuffix(".py").split(".")[0]
    if "/asyncio/" in filename:
        return "asyncio"
    if filename == "~":
        return "C functions (sockets, json, hmac...)"
    return "other standard library"


class Profiles:
    """CPU self time of the event loop's thread by where the code lives, per channel
    (cProfile timed by time.thread_time: pure Python weighs more than C under it, and other
    threads, such as aiosqlite's, are not seen)."""

    def __init__(self) -> None:
        self.by_channel: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def add(self, channel: str, profile: cProfile.Profile) -> None:
        """Add one profiled run's self times."""
        groups = self.by_channel[channel]
        # (file, line, name) -> (calls, primitive calls, self time, cumulative, callers)
        stats: dict[Any, Any] = getattr(pstats.Stats(profile), "stats")  # noqa: B009
        for (filename, _, _), (_, _, own, _, _) in stats.items():
            groups[group_of(filename)] += own

    def report(self) -> str:
        """Return each channel's shares, largest first."""
        out = ["Profile (cProfile, CPU self time of the event loop's thread, % per channel):"]
        for channel, groups in self.by_channel.items():
            total = sum(groups.values()) or 1.0
            shares = sorted(groups.items(), key=lambda item: -item[1])
            parts = [f"{name} {100 * t / total:.1f}" for name, t in shares if t / total >= 0.01]
            out.append(f"- {channel} ({total:.1f} s): " + ", ".join(parts))
        return "\n".join(out)


# ---------------------------------------------------------------- report


def _ms(values: list[float]) -> str:
    return " / ".join(f"{percentile(values, p):.1f}" for p in (50, 95))


def table(results: list[Result]) -> str:
    """Return one row per run."""
    header = [
        "#",
        "db",
        "channel",
        "users",
        "updates",
        "wall s",
        "updates/s",
        "first answer p50/p95 ms",
        "complete p50/p95 ms",
        "CPU ms/update process / pg",
        "CPU % process / pg / other",
        "msgs / calls per update",
        "SQL stmts / txns per update",
        "statuses",
        "errors",
    ]
    rows = []
    for r in results:
        pg = r.cpu_pg or 0.0
        other = r.machine - r.percent(r.cpu_process) - r.percent(pg)
        rows.append(
            [
                str(r.seq + 1),
                r.db,
                r.channel,
                str(r.users),
                str(r.updates),
                f"{r.wall:.1f}",
                f"{r.throughput:.1f}",
                _ms(r.first_ms()),
                _ms(r.complete_ms()),
                f"{r.per_update_ms(r.cpu_process):.2f} / "
                + (f"{r.per_update_ms(pg):.2f}" if r.cpu_pg is not None else "-"),
                f"{r.percent(r.cpu_process):.0f} / "
                + (f"{r.percent(pg):.0f}" if r.cpu_pg is not None else "-")
                + f" / {other:.0f}",
                f"{r.messages / r.updates:.2f} / {r.calls / r.updates:.2f}" if r.updates else "-",
                f"{r.statements / r.updates:.1f} / {r.transactions / r.updates:.2f}"
                if r.updates
                else "-",
                str(r.statuses),
                str(r.errors),
            ]
        )
    return markdown_table(header, rows)


def median_of(results: list[Result], channel: str, value: str) -> float | None:
    """Return the median updates/s ("throughput") or process CPU ms per update ("cpu") of a
    channel's results (None if it has none)."""
    values = [
        r.throughput if value == "throughput" else r.per_update_ms(r.cpu_process)
        for r in results
        if r.channel == channel
    ]
    return percentile(values, 50) if values else None


def comparison(results: list[Result]) -> str:
    """Return WhatsApp against Telegram, per database and user count (medians over rounds)."""
    lines = ["WhatsApp against Telegram in this run (median over rounds):"]
    for db, users in sorted({(r.db, r.users) for r in results}):
        chosen = [r for r in results if (r.db, r.users) == (db, users)]
        telegram = median_of(chosen, TELEGRAM, "throughput")
        telegram_cpu = median_of(chosen, TELEGRAM, "cpu")
        for channel in (WHATSAPP, WHATSAPP_STATUSES):
            wa = median_of(chosen, channel, "throughput")
            wa_cpu = median_of(chosen, channel, "cpu")
            if wa is None or wa_cpu is None or not telegram or not telegram_cpu:
                continue
            lines.append(
                f"- {db}, {users} users: {channel} {wa:.1f} updates/s = "
                f"{100 * wa / telegram:.0f} % of Telegram's {telegram:.1f}; process CPU "
                f"{wa_cpu:.2f} ms/update = {wa_cpu / telegram_cpu:.2f} x Telegram's "
                f"{telegram_cpu:.2f}"
            )
    return "\n".join(lines)


def report(results: list[Result], limits: list[str], args: argparse.Namespace) -> str:
    """Return the table and the comparison."""
    out = [
        f"Closed loop, {STEPS_PER_USER} updates per user; users {args.users}, "
        f"rounds {args.rounds}, limits {args.limits}:",
        *(f"- {line}" for line in sorted(set(limits))),
        "",
        table(results),
    ]
    cut = [r for r in results if r.finished < r.users]
    if cut:
        out.append("")
        out += [
            f"run {r.seq + 1} ({r.db}, {r.channel}): stopped by --max-seconds "
            f"{args.max_seconds:g}: {r.updates} of {r.users * STEPS_PER_USER} updates, "
            f"{r.finished} of {r.users} users finished"
            for r in cut
        ]
    troubled = [r for r in results if r.error_kinds]
    if troubled:
        out.append("")
        out += [
            f"run {r.seq + 1} ({r.db}, {r.channel}) errors: "
            + ", ".join(f"{n} {kind}" for kind, n in r.error_kinds.items())
            for r in troubled
        ]
    out += ["", comparison(results)]
    return "\n".join(out)


def _list(kind: type[Any], choices: tuple[str, ...] | None = None) -> Any:
    def parse(text: str) -> list[Any]:
        items = [kind(part.strip()) for part in text.split(",") if part.strip()]
        if not items:
            raise argparse.ArgumentTypeError("give at least one value")
        if choices is not None and any(item not in choices for item in items):
            raise argparse.ArgumentTypeError(f"choose from {', '.join(choices)}")
        return items

    return parse


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--users", type=_list(int), default=[10, 30], help="simulated users at once (10,30)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="times each measurement is repeated (1)"
    )
    parser.add_argument(
        "--db",
        type=_list(str, ("sqlite", "postgresql")),
        default=["sqlite", "postgresql"],
        help="databases (sqlite,postgresql; PostgreSQL is left out if unreachable)",
    )
    parser.add_argument(
        "--channels",
        type=_list(str, CHANNELS),
        default=[TELEGRAM, WHATSAPP],
        help=f"of {', '.join(CHANNELS)} (telegram,whatsapp)",
    )
    parser.add_argument(
        "--limits",
        choices=("lifted", "deployed"),
        default="lifted",
        help="sending limits: lifted (1000 messages/s on both channels, and the simulated "
        "number's throughput) or deployed (the settings' defaults, 80/s on the simulator)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=90.0,
        help="no user starts an update after this many seconds of a run (90)",
    )
    parser.add_argument(
        "--step-timeout", type=float, default=120.0, help="fail if one update takes longer"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile every run (cProfile) and print where each channel's time goes",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or min(args.users) < 1 or args.max_seconds <= 0:
        parser.error("--users, --rounds and --max-seconds must be positive")
    return args


async def main(argv: list[str] | None = None) -> None:
    """Run every database and print the report."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    began = time.perf_counter()
    dbs = list(args.db)
    skipped = ""
    if "postgresql" in dbs and not await pg_reachable():
        dbs.remove("postgresql")
        skipped = f"PostgreSQL not reachable at {pg_admin_url()}: left out\n"
        print(skipped, file=sys.stderr)
    results: list[Result] = []
    limits: list[str] = []
    seq = [0]
    profiles = Profiles() if args.profile else None
    with tempfile.TemporaryDirectory(prefix="bench-waflow-") as tmp:
        for db in dbs:
            found, said = await run_database(db, args, Path(tmp), seq, profiles)
            results += found
            limits.append(said)
    print(f"Machine: {machine_summary()}; Python {sys.version.split()[0]}")
    print(f"Total run time {time.perf_counter() - began:.0f} s\n{skipped}")
    print(DEFINITIONS)
    print(report(results, limits, args))
    if profiles is not None:
        print("\nEvery run above was profiled: its times and CPU include cProfile's cost.\n")
        print(profiles.report())


if __name__ == "__main__":
    asyncio.run(main())
