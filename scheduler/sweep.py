"""The reminder sweep: claim due reminders atomically, send them, mark them sent.

It runs every minute on PTB's JobQueue (the job carries nothing; everything is reloaded from
the database), in every bot process at once if there are several: the claim decides who
sends what. A reminder is sent at most once unless a process dies between sending and
marking; a claim whose process died is taken over when it expires.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot

from bot.context import BotApplication, BotContext
from bot.deadline_views import draft_nudge_screen, reminder_screen
from bot.deps import Deps
from models.db import transaction
from models.services import innovations as inno
from models.services import monev, updates, users
from models.tables import Deadline, Innovation, Reminder, ReminderStatus
from scheduler.delivery import Deliverer, RateLimiter, TelegramCourier
from scheduler.results import Courier, Result

log = logging.getLogger(__name__)
JOB_NAME = "reminder-sweep"
MAX_ROUNDS = 50
CONCURRENT_CHATS = 16
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=5)
# Telegram redelivers an unconfirmed update for at most a day; remember handled ones longer.
HANDLED_UPDATES_KEPT = timedelta(days=2)
DRAFT_SCAN_INTERVAL = timedelta(hours=1)


@dataclass
class SweepReport:
    """What one sweep did."""

    opened: int = 0
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    cancelled: int = 0
    unreachable: int = 0
    retried: int = 0
    failed: int = 0
    nudged: int = 0


def claim_token() -> str:
    """Return a name for this sweep's claims: host, process and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


# Reminders take at most this share of a process's sending rate; answers have the rest.
BACKGROUND_SHARE = 0.6
LIMITER_KEY = "send_limiter"
WHATSAPP_KEY = "whatsapp_courier"  # bot_data: the process's WhatsApp channel, if it has one
TELEGRAM = users.TELEGRAM
WHATSAPP = users.WHATSAPP


def make_limiter(deps: Deps, *, per_second: float | None = None) -> RateLimiter:
    """Return this process's sending limits on a channel: its share of the channel's rate
    (SEND_RATE_PER_SECOND for Telegram, by default) over BOT_PROCESSES, since every process
    sends as the same bot."""
    settings = deps.settings
    rate = settings.send_rate_per_second if per_second is None else per_second
    return RateLimiter(
        per_second=rate / settings.bot_processes,
        chat_interval=settings.send_chat_interval_seconds,
        background_share=BACKGROUND_SHARE,
    )


class Sweep:
    """One run of the sweep in one process."""

    def __init__(self, deps: Deps, couriers: Mapping[str, Courier]) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.policy = deps.policy
        self.couriers = couriers
        self.token = claim_token()
        self.report = SweepReport()
        self._gate = asyncio.Semaphore(CONCURRENT_CHATS)

    def _factory(self) -> async_sessionmaker[AsyncSession]:
        return self.deps.session_factory()

    async def run(self) -> SweepReport:
        """Open new monev periods, then send every due reminder (inside working hours)."""
        now = self.deps.clock.now()
        today = self.policy.local_date(now)
        if self.deps.housekeeping_done_on != today:
            # Once a day per process: new periods (a quarter begins at midnight; verification
            # opens its own) and old update records. Scanning every verified innovation each
            # minute would dominate a sweep that finds nothing to send.
            async with transaction(self._factory()) as session:
                self.report.opened = await monev.ensure_monev_periods(
                    session, now=now, policy=self.policy
                )
                await updates.forget_before(session, before=now - HANDLED_UPDATES_KEPT)
            self.deps.housekeeping_done_on = today
        if not self.policy.in_working_hours(now):
            return self.report
        for _ in range(MAX_ROUNDS):
            if not await self._round():
                break
        # Idle drafts: looked for once an hour per process (the claim keeps processes from
        # doubling up); nudges the channel did not take are tried again at the next sweep.
        scan = self.deps.next_draft_scan
        due = self.settings.draft_nudge_days and (scan is None or now >= scan)
        if due and await self._nudge_idle_drafts():
            self.deps.next_draft_scan = now + DRAFT_SCAN_INTERVAL
        return self.report

    async def _round(self) -> bool:
        now = self.deps.clock.now()
        until = now + timedelta(seconds=self.settings.reminder_claim_seconds)
        async with transaction(self._factory()) as session:
            claim = await monev.claim_due(
                session,
                now=now,
                token=self.token,
                until=until,
                limit=self.settings.reminder_batch_size,
                policy=self.policy,
            )
            reminders = await monev.load_reminders(session, claim.ids)
        self.report.claimed += claim.claimed
        self.report.skipped += claim.skipped
        by_chat: dict[int, list[Reminder]] = defaultdict(list)
        for reminder in reminders:
            by_chat[reminder.recipient_id].append(reminder)
        await asyncio.gather(*(self._deliver_chat(items, until) for items in by_chat.values()))
        return claim.claimed > 0

    async def _deliver_chat(self, reminders: list[Reminder], until: datetime) -> None:
        async with self._gate:
            for reminder in reminders:
                try:
                    await self._deliver(reminder, until)
                except Exception:
                    log.exception("reminder %s failed; its claim will expire", reminder.id)

    async def _deliver(self, reminder: Reminder, until: datetime) -> None:
        now = self.deps.clock.now()
        if now >= until:
            return  # our claim ran out: another sweep may take this one over
        factory = self._factory()
        if not monev.still_needed(reminder.deadline):
            async with transaction(factory) as session:
                deadline = await session.get(Deadline, reminder.deadline_id)
                if deadline is not None:
                    await monev.settle_if_not_needed(session, deadline, now=now)
                await monev.mark_finished(
                    session,
                    reminder_id=reminder.id,
                    token=self.token,
                    status=ReminderStatus.CANCELLED,
                )
            self.report.cancelled += 1
            return
        recipient = reminder.recipient
        where = users.address_of(recipient, self.couriers)
        if where is None:
            async with transaction(factory) as session:
                await monev.mark_unreachable(
                    session, reminder_id=reminder.id, token=self.token, now=now, error="erased"
                )
            self.report.unreachable += 1
            return
        t = self.deps.translator(recipient.language)
        today = self.policy.local_date(now)
        screen = reminder_screen(t, reminder, today=today)
        channel, address = where
        delivery = await self.couriers[channel].deliver(
            address, recipient, screen, purpose=f"reminder:{reminder.id}"
        )
        now = self.deps.clock.now()
        async with transaction(factory) as session:
            if delivery.result == Result.SENT:
                marked = await monev.mark_sent(
                    session,
                    reminder_id=reminder.id,
                    token=self.token,
                    now=now,
                    message_id=delivery.message_id,
                    recipient_id=recipient.id,
                    was_unreachable=recipient.unreachable,
                )
                if not marked:
                    log.warning("reminder %s sent, but its claim was taken over", reminder.id)
                self.report.sent += 1
            elif delivery.result == Result.BLOCKED:
                await monev.mark_unreachable(
                    session,
                    reminder_id=reminder.id,
                    token=self.token,
                    now=now,
                    error=delivery.error,
                )
                self.report.unreachable += 1
            elif delivery.result == Result.RETRY:
                wait = RETRY_BASE * 2 ** min(reminder.attempts, 6)
                status = await monev.release_for_retry(
                    session,
                    reminder_id=reminder.id,
                    token=self.token,
                    retry_at=self.policy.next_window(now + wait),
                    error=delivery.error,
                    max_attempts=MAX_ATTEMPTS,
                )
                if status == ReminderStatus.FAILED:
                    self.report.failed += 1
                else:
                    self.report.retried += 1
            else:
                log.error("reminder %s refused by the channel: %s", reminder.id, delivery.error)
                await monev.mark_finished(
                    session,
                    reminder_id=reminder.id,
                    token=self.token,
                    status=ReminderStatus.FAILED,
                    error=delivery.error,
                )
                self.report.failed += 1

    async def _nudge_idle_drafts(self) -> bool:
        """Remind owners of drafts (and returned innovations) idle for DRAFT_NUDGE_DAYS,
        once per idle spell: a change to the draft starts a new one. Return False if some
        nudges could not be delivered for now (they are released for a later sweep)."""
        undelivered: list[int] = []
        for _ in range(MAX_ROUNDS):
            now = self.deps.clock.now()
            idle_since = now - timedelta(days=self.settings.draft_nudge_days)
            async with transaction(self._factory()) as session:
                drafts = await inno.claim_idle_drafts(
                    session,
                    idle_since=idle_since,
                    now=now,
                    limit=self.settings.reminder_batch_size,
                )
            if not drafts:
                break
            results = await asyncio.gather(*(self._nudge(draft) for draft in drafts))
            undelivered += [d.id for d, result in zip(drafts, results, strict=True) if not result]
        if undelivered:
            async with transaction(self._factory()) as session:
                await inno.release_nudges(session, undelivered)
        return not undelivered

    async def _nudge(self, draft: Innovation) -> bool:
        """Send one nudge; False if it should be tried again later."""
        async with self._gate:
            owner = draft.owner
            where = users.address_of(owner, self.couriers)
            if where is None:  # claim_idle_drafts skips erased users; a channel not run here
                return False
            t = self.deps.translator(owner.language)
            last_change = self.policy.local_date(draft.updated_at)
            screen = draft_nudge_screen(t, draft, last_change=last_change)
            channel, address = where
            delivery = await self.couriers[channel].deliver(
                address, owner, screen, purpose=f"nudge:{draft.id}"
            )
        if delivery.result == Result.SENT:
            self.report.nudged += 1
            return True
        log.warning("draft %s: nudge not delivered (%s)", draft.id, delivery.error)
        if delivery.result == Result.BLOCKED:
            async with transaction(self._factory()) as session:
                await users.set_reachable(session, owner.id, reachable=False)
        return delivery.result != Result.RETRY


def couriers_of(
    deps: Deps,
    *,
    bot: Bot | None,
    limiter: RateLimiter | None = None,
    whatsapp: Courier | None = None,
) -> dict[str, Courier]:
    """Return the couriers of a process's channels: Telegram through ``bot`` and the
    process's sending limits, WhatsApp through its channel."""
    found: dict[str, Courier] = {}
    if bot is not None:
        deliverer = Deliverer(
            bot,
            limiter or make_limiter(deps),
            max_retries=deps.settings.send_max_retries,
            backoff=deps.settings.send_retry_backoff_seconds,
        )
        found[TELEGRAM] = TelegramCourier(deliverer)
    if whatsapp is not None:
        found[WHATSAPP] = whatsapp
    return found


async def sweep_once(
    deps: Deps,
    *,
    bot: Bot | None = None,
    limiter: RateLimiter | None = None,
    whatsapp: Courier | None = None,
) -> SweepReport:
    """Run one sweep: open new periods, then claim, send and mark every due reminder."""
    sweep = Sweep(deps, couriers_of(deps, bot=bot, limiter=limiter, whatsapp=whatsapp))
    report = await sweep.run()
    if report.claimed or report.nudged:
        log.info("reminder sweep: %s", report)
    return report


async def sweep_job(context: BotContext) -> None:
    """Run the sweep from the JobQueue (the job carries nothing; all state is in the DB),
    through the process's sending limits that answers share."""
    limiter = context.bot_data.get(LIMITER_KEY)
    whatsapp = context.bot_data.get(WHATSAPP_KEY)
    await sweep_once(
        context.deps,
        bot=context.bot,
        limiter=limiter if isinstance(limiter, RateLimiter) else None,
        whatsapp=whatsapp,
    )


def schedule(app: BotApplication, deps: Deps) -> None:
    """Run the sweep every REMINDER_SWEEP_SECONDS (0 turns it off in this process)."""
    interval = deps.settings.reminder_sweep_seconds
    if interval <= 0:
        return
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is needed for reminders")
    app.job_queue.run_repeating(sweep_job, interval=interval, first=interval, name=JOB_NAME)


def schedule_without_telegram(deps: Deps, whatsapp: Courier) -> AsyncIOScheduler | None:
    """Return the APScheduler that runs the sweep in a process without Telegram (PTB's
    JobQueue, which wraps the same scheduler, needs a Telegram bot), not yet started."""
    interval = deps.settings.reminder_sweep_seconds
    if interval <= 0:
        return None
    scheduler = AsyncIOScheduler(timezone=UTC)

    async def run() -> None:  # WhatsApp sends within its channel's own limits
        await sweep_once(deps, whatsapp=whatsapp)

    scheduler.add_job(
        run,
        "interval",
        seconds=interval,
        next_run_time=datetime.now(UTC) + timedelta(seconds=interval),
        id=JOB_NAME,
        max_instances=1,
        coalesce=True,
    )
    return scheduler
