"""Exactly once: dead claims, restarts, two sweepers, Telegram's errors, downtime."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.deps import Deps
from bot.runtime import BotRuntime
from bot.simulator import BotApiSimulator
from models.clock import FrozenClock
from models.db import transaction
from models.policy import Policy
from models.services import monev
from models.tables import Innovation, Reminder, ReminderStatus, Role, Status, User
from scheduler.sweep import sweep_once
from tests.conftest import BotHarness
from tests.scheduler.support import (
    add_user,
    add_verified,
    at,
    deps_of,
    local,
    record,
    reminder_rows,
    sweep,
    time_lapse,
)

ZONE = "Asia/Jakarta"
FIRST_REMINDER = at(ZONE, 2027, 1, 4, 9, 0)  # Monday; the -7 reminder of the Q4 2026 report
VERA, ADI = 7101, 7201
Q4_2026 = date(2026, 10, 1)
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def q4_rows(harness: BotHarness) -> list[Reminder]:
    """Return the reminder rows of the Q4 2026 reports (not the next quarter's)."""
    return [r for r in await reminder_rows(harness) if r.deadline.period_start == Q4_2026]


async def _owners(harness: BotHarness, sim: BotApiSimulator, ids: list[int]) -> None:
    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        await add_user(
            session, sim, telegram_id=VERA, name="Vera Wati", now=now, role=Role.VERIFIKATOR
        )
        await add_user(
            session, sim, telegram_id=ADI, name="Adi Putra", now=now, role=Role.ADMIN, unit="ORG"
        )
        for telegram_id in ids:
            owner = await add_user(
                session, sim, telegram_id=telegram_id, name=f"Pengusul {telegram_id}", now=now
            )
            await add_verified(
                session,
                owner=owner,
                name=f"Inovasi {telegram_id}",
                now=now,
                settings=harness.settings,
            )


async def test_a_dead_claim_is_sent_once_after_it_expires_and_never_again(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _owners(harness, sim, [8001])
    recorder = record(sim, clock)
    clock.set(FIRST_REMINDER)
    deps = deps_of(harness)
    expiry = timedelta(seconds=harness.settings.reminder_claim_seconds)
    async with transaction(deps.session_factory()) as session:
        claim = await monev.claim_due(
            session,
            now=clock.now(),
            token="host:999:dead",
            until=clock.now() + expiry,
            limit=10,
            policy=Policy.from_settings(harness.settings),
        )
    assert len(claim.ids) == 1  # ...and that process dies before sending

    assert (await sweep(harness)).sent == 0
    clock.advance(expiry - timedelta(seconds=1))
    assert (await sweep(harness)).sent == 0
    clock.advance(timedelta(seconds=2))
    assert (await sweep(harness)).sent == 1
    assert (await sweep(harness)).sent == 0
    await harness.restart()
    assert (await sweep(harness)).sent == 0
    clock.advance(expiry * 3)
    assert (await sweep(harness)).sent == 0

    assert len(recorder.reminders(8001)) == 1
    [row] = [r for r in await q4_rows(harness) if r.status != ReminderStatus.PENDING]
    assert row.status == ReminderStatus.SENT and row.offset_days == -7


@pytest.mark.parametrize("reminder_overrides", [{"reminder_batch_size": 50}])
async def test_two_sweepers_on_postgresql_send_every_reminder_exactly_once(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several bot processes share one database only on PostgreSQL")
    deps = deps_of(harness)
    now = clock.now()
    policy = Policy.from_settings(harness.settings)
    async with transaction(deps.session_factory()) as session:
        verified = []
        for n in range(300):
            owner = await add_user(
                session, sim, telegram_id=20_000 + n, name=f"Pengusul {n}", now=now
            )
            for k in range(2):
                innovation = Innovation(
                    owner_id=owner.id,
                    unit_id=owner.unit_id,
                    status=Status.TERVERIFIKASI,
                    code=f"INO-2026-{n * 2 + k + 1:04d}",
                    nama_inovasi=f"Inovasi {n}-{k}",
                    created_at=now,
                    updated_at=now,
                )
                session.add(innovation)
                verified.append(innovation)
        await session.flush()
        period = policy.period_of(policy.local_date(now))
        pairs = [(i.id, i.owner_id) for i in verified]
        opened = await monev.open_periods(session, pairs, period=period, policy=policy, now=now)
        assert opened == 600
    clock.set(FIRST_REMINDER)
    second_process = BotRuntime(harness.settings, clock=clock, webhook_mode=False)
    await second_process.prepare()
    second = second_process.ptb
    other: Deps = second_process.deps
    try:
        assert harness.app is not None
        one, two = await asyncio.gather(
            sweep_once(deps, bot=harness.app.bot), sweep_once(other, bot=second.bot)
        )
    finally:
        await second_process.stop()

    assert one.sent + two.sent == 600
    assert one.sent > 0 and two.sent > 0  # both really worked at the same time
    sends = [c for c in sim.calls_of("sendMessage") if "Pengingat" in str(c.get("text"))]
    names = Counter(str(c["text"]).split("Inovasi: ")[1].split(" (")[0] for c in sends)
    assert len(names) == 600 and set(names.values()) == {1}
    rows = await reminder_rows(harness)
    due = [r for r in rows if r.send_after <= clock.now()]
    assert Counter(r.status for r in due) == {ReminderStatus.SENT: 600}


@pytest.mark.telegram_only  # Telegram's own failures (WhatsApp's: test_whatsapp_*)
async def test_429_502_and_a_blocked_user_lose_nothing_and_duplicate_nothing(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    owners = [8101, 8102, 8103, 8104]
    blocked = 8104
    await _owners(harness, sim, owners)
    recorder = record(sim, clock)
    sim.block(blocked)
    clock.set(FIRST_REMINDER)
    sim.inject_failure("sendMessage", status=429, retry_after=1)
    sim.inject_failure("sendMessage", status=502)

    report = await sweep(harness)

    for owner in owners:
        assert len(recorder.reminders(owner)) == (0 if owner == blocked else 1), owner
    reasons = " ".join(f[2] for f in sim.failures)
    assert "Too Many Requests" in reasons and "Bad Gateway" in reasons and "blocked" in reasons
    assert report.sent == 4 and report.unreachable == 1  # three owners and the verifier
    [told] = recorder.reminders(VERA)
    assert "Pengusul 8104" in told.text and "tidak dapat dihubungi" in told.text
    assert "Inovasi 8104" in told.text
    async with await harness.session() as session:
        user = (await session.execute(select(User).where(User.telegram_id == blocked))).scalar_one()
        assert user.unreachable
    rows = await q4_rows(harness)
    assert [r.status for r in rows if r.recipient_id == user.id and r.offset_days == -7] == [
        ReminderStatus.UNREACHABLE
    ]
    assert (await sweep(harness)).sent == 0

    # The next reminder is tried again (the user may have unblocked the bot), but the
    # verifikator is not told a second time.
    clock.set(at(ZONE, 2027, 1, 7, 9, 0))
    report = await sweep(harness)
    assert report.sent == 3 and report.unreachable == 1
    assert len(recorder.reminders(VERA)) == 1


@pytest.mark.telegram_only  # Telegram's own failures (WhatsApp's: test_whatsapp_*)
async def test_a_network_failure_that_persists_is_retried_later(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _owners(harness, sim, [8201])
    recorder = record(sim, clock)
    clock.set(FIRST_REMINDER)
    retries = harness.settings.send_max_retries
    sim.inject_failure("sendMessage", status=502, times=retries + 1)

    report = await sweep(harness)
    assert (report.sent, report.retried) == (0, 1)
    [row] = [r for r in await q4_rows(harness) if r.offset_days == -7]
    assert row.status == ReminderStatus.PENDING and row.attempts == 1
    assert row.send_after > clock.now()
    assert (await sweep(harness)).sent == 0
    clock.set(row.send_after)
    assert (await sweep(harness)).sent == 1
    assert (await sweep(harness)).sent == 0
    assert len(recorder.reminders(8201)) == 1


# asserts the full reminder text: after 24 h of silence WhatsApp gets its template instead
@pytest.mark.telegram_only
async def test_ten_days_of_downtime_send_one_catch_up_per_deadline(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    owners = [8301, 8302, 8303]
    await _owners(harness, sim, owners)
    recorder = record(sim, clock)
    await time_lapse(harness, at(ZONE, 2027, 1, 4, 12, 0))
    assert len(recorder.reminders()) == 3  # the -7 reminders

    await harness.stop()
    clock.set(at(ZONE, 2027, 1, 14, 12, 0))  # ten days later: -3, -1, 0, +1 and +3 are due
    await harness.start()
    before = len(recorder.sent)
    await sweep(harness)
    caught_up = [s for s in recorder.sent[before:] if s in recorder.reminders()]

    for owner in owners:
        [mine] = [s for s in caught_up if s.chat_id == owner]
        assert "terlambat 4 hari" in mine.text
    assert len([s for s in caught_up if s.chat_id == VERA]) == 3  # +3: the verifikator too
    assert len(caught_up) == 6  # not the 15 + 3 of the missed backlog
    rows = await q4_rows(harness)
    skipped = Counter(r.offset_days for r in rows if r.status == ReminderStatus.SKIPPED)
    assert skipped == {-3: 3, -1: 3, 0: 3, 1: 3}

    await time_lapse(harness, at(ZONE, 2027, 1, 19, 0, 0))
    last = [s for s in recorder.reminders() if local(s.at, ZONE).date() == date(2027, 1, 18)]
    assert Counter(s.chat_id for s in last) == {8301: 1, 8302: 1, 8303: 1, VERA: 3, ADI: 3}


async def test_reminders_wait_for_working_hours(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _owners(harness, sim, [8401])
    recorder = record(sim, clock)
    clock.set(at(ZONE, 2027, 1, 4, 7, 59))
    assert (await sweep(harness)).sent == 0
    clock.set(at(ZONE, 2027, 1, 4, 16, 0))
    assert (await sweep(harness)).sent == 0  # the -7 reminder is due, but it is 16:00
    clock.set(at(ZONE, 2027, 1, 5, 8, 0))
    assert (await sweep(harness)).sent == 1
    assert local(recorder.reminders(8401)[0].at, ZONE) == at(ZONE, 2027, 1, 5, 8, 0)
    rows = await q4_rows(harness)
    assert [r.offset_days for r in rows if r.status == ReminderStatus.SENT] == [-7]
