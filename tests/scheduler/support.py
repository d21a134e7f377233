"""Helpers of the reminder tests: people and verified innovations straight in the database,
a recorder of what the bot sent (and when, by the test clock), and a time-lapse sweep."""

from __future__ import annotations

import itertools
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from bot.settings import Settings
from bot.simulator import BotApiSimulator, SentMessage
from bot.simulator.whatsapp import WaMessage
from bot.whatsapp import templates as whatsapp_templates
from models.clock import FrozenClock
from models.db import transaction
from models.policy import Policy
from models.services.innovations import record_event
from models.services.monev import open_monev_periods
from models.tables import Innovation, Reminder, Role, Status, Unit, User
from scheduler.sweep import SweepReport, sweep_once
from tests import phones
from tests.conftest import BotHarness

FAST = {
    "send_rate_per_second": 1000.0,
    "send_chat_interval_seconds": 0.0,
    "send_retry_backoff_seconds": 0.01,
    "reminder_sweep_seconds": 0,
}
_codes = itertools.count(1)


def fast(settings: Settings, **overrides: Any) -> Settings:
    """Return the settings with high send rates, no background sweep, and ``overrides``."""
    return settings.model_copy(update={**FAST, **overrides})


def deps_of(harness: BotHarness) -> Deps:
    """Return the running bot's dependencies."""
    assert harness.app is not None
    deps = harness.app.bot_data["deps"]
    assert isinstance(deps, Deps)
    return deps


async def unit_id(session: AsyncSession, code: str) -> int:
    """Return the id of the unit with this code."""
    return (await session.execute(select(Unit.id).where(Unit.code == code))).scalar_one()


async def add_user(
    session: AsyncSession,
    sim: BotApiSimulator | phones.WhatsAppPhones,
    *,
    telegram_id: int,
    name: str,
    now: datetime,
    unit: str | None = "DINKES",
    role: str = Role.PENGUSUL,
    language: str = "id",
) -> User:
    """Register an onboarded user who has talked to the bot (so it may write to them)."""
    user = User(
        **phones.identity(telegram_id, now),
        name=name,
        unit_id=await unit_id(session, unit) if unit else None,
        language=language,
        role=role,
        onboarded=True,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    sim.user(telegram_id, first_name=name.split()[0], started=True)
    return user


async def add_verified(
    session: AsyncSession, *, owner: User, name: str, now: datetime, settings: Settings
) -> Innovation:
    """Add a submitted innovation, verify it, and open its monev calendar."""
    innovation = Innovation(
        owner_id=owner.id,
        unit_id=owner.unit_id,
        status=Status.DIAJUKAN,
        code=f"INO-2026-{next(_codes):04d}",
        nama_inovasi=name,
        created_at=now,
        updated_at=now,
        urusan_irisan=[],
        skipped=[],
        attachments=[],
    )
    session.add(innovation)
    await session.flush()
    record_event(session, innovation, actor=None, to_status=Status.TERVERIFIKASI, now=now)
    await open_monev_periods(session, innovation, now=now, policy=Policy.from_settings(settings))
    return innovation


# the templates a reminder goes as to someone silent on WhatsApp for 24 hours
REMINDER_TEMPLATES = {
    t.name for k, t in whatsapp_templates.load().templates.items() if k != "nudge"
}


@dataclass
class Sent:
    """A message the bot sent, with the test clock's time and the test person it went to."""

    at: datetime
    message: Any  # a SentMessage, or a WaMessage: tests press its buttons on either channel
    chat_id: int

    @property
    def text(self) -> str:
        """Return the visible text."""
        return str(self.message.text)

    @property
    def template(self) -> str | None:
        """Return the WhatsApp template the message was sent as, if it was one."""
        if isinstance(self.message, WaMessage) and self.message.template is not None:
            return self.message.template[0]
        return None


@dataclass
class Recorder:
    """Collects every message the bot sends."""

    clock: FrozenClock
    sent: list[Sent] = field(default_factory=list)

    def __call__(self, kind: str, message: SentMessage | phones.AsChat) -> None:
        """Record a sent message."""
        if kind != "sent":
            return
        if isinstance(message, phones.AsChat):
            self.sent.append(Sent(self.clock.now(), message.message, message.chat_id))
        else:
            self.sent.append(Sent(self.clock.now(), message, message.chat_id))

    def to(self, chat_id: int | str) -> list[Sent]:
        """Return what went to one chat (a test person, or a WhatsApp user's id)."""
        return [s for s in self.sent if chat_id in (s.chat_id, getattr(s.message, "to", None))]

    def reminders(self, chat_id: int | None = None) -> list[Sent]:
        """Return the reminder messages (to one chat)."""
        marks = ("Pengingat:", "Tenggat terlewat", "tidak dapat dihubungi", "Reminder:")
        return [
            s
            for s in self.sent
            if (chat_id is None or s.chat_id == chat_id)
            and (any(m in s.text for m in marks) or s.template in REMINDER_TEMPLATES)
        ]


def record(sim: BotApiSimulator, clock: FrozenClock) -> Recorder:
    """Start recording what the bot sends."""
    recorder = Recorder(clock)
    sim.add_listener(recorder)
    return recorder


async def sweep(harness: BotHarness) -> SweepReport:
    """Run one sweep of the running bot, now."""
    assert harness.runtime is not None and harness.app is not None
    return await sweep_once(
        deps_of(harness), bot=harness.app.bot, whatsapp=harness.runtime.whatsapp
    )


async def time_lapse(
    harness: BotHarness, until: datetime, *, step: timedelta = timedelta(hours=3)
) -> list[SweepReport]:
    """Move the clock to ``until`` step by step, sweeping at every step (never sleeping).

    From the test clock's 02:00 UTC, three-hour steps sweep at 09:00, 12:00 and 15:00 WIB
    every day; one-hour steps also hit the exact start of working hours."""
    reports = []
    clock = harness.clock
    while clock.now() < until:
        clock.set(min(clock.now() + step, until))
        reports.append(await sweep(harness))
    return reports


def local(moment: datetime, zone: str) -> datetime:
    """Return ``moment`` in a time zone."""
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def at(zone: str, year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return a local wall-clock time in ``zone``."""
    return datetime(year, month, day, hour, minute, tzinfo=zoneinfo.ZoneInfo(zone))


async def reminder_rows(harness: BotHarness) -> list[Reminder]:
    """Return every reminder row."""
    async with transaction(deps_of(harness).session_factory()) as session:
        rows = await session.execute(select(Reminder).order_by(Reminder.id))
        return list(rows.unique().scalars())
