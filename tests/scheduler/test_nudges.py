"""Idle drafts: the sweep nudges their owners once per idle spell, inside working hours."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from sqlalchemy import select, update

from bot.simulator import BotApiSimulator, SimUser
from bot.whatsapp import templates as whatsapp_templates
from models.clock import FrozenClock
from models.db import transaction
from models.tables import Innovation, Status, User
from scheduler.sweep import sweep_once
from tests import phones
from tests.conftest import BotHarness, onboard, texts
from tests.scheduler.support import Recorder, at, deps_of, record, sweep

ZONE = "Asia/Jakarta"
WAITING, RETURNED, RESUME = "Draf Anda menunggu", "Perbaikan Anda ditunggu", "Lanjutkan sekarang"


async def start_draft(user: SimUser) -> None:
    """Onboard, start a registration and answer its first step (Friday 09:00 WIB)."""
    await onboard(user)
    await user.send("/baru")
    replies = await user.send(f"Si Cantik {user.id}: Posyandu Digital")
    assert "Langkah 2/" in texts(replies)


NUDGE_TEMPLATE = whatsapp_templates.load().templates["nudge"].name


def nudges(recorder: Recorder, chat_id: int | str, mark: str = WAITING) -> list[str]:
    """Return the nudges a chat got (on WhatsApp, after 24 h of silence: the template)."""
    return [s.text for s in recorder.to(chat_id) if mark in s.text or s.template == NUDGE_TEMPLATE]


# asserts the full reminder text: after 24 h of silence WhatsApp gets its template instead
@pytest.mark.telegram_only
async def test_an_idle_draft_is_nudged_once_and_its_button_resumes_it(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    user = sim.user(7601)
    await start_draft(user)
    recorder = record(sim, clock)

    clock.set(at(ZONE, 2026, 11, 22, 10))  # Sunday: not a working day
    assert (await sweep(harness)).nudged == 0
    clock.set(at(ZONE, 2026, 11, 23, 8, 30))  # Monday, idle a little under three days
    assert (await sweep(harness)).nudged == 0
    clock.set(at(ZONE, 2026, 11, 23, 9, 30))
    assert (await sweep(harness)).nudged == 1
    [text] = nudges(recorder, user.id)
    assert "Si Cantik 7601: Posyandu Digital" in text and "20 November 2026" in text
    assert "Kelengkapan profil IID" in text

    for day, hour in ((23, 14), (24, 9), (25, 15)):
        clock.set(at(ZONE, 2026, 11, day, hour))
        await sweep(harness)
    assert len(nudges(recorder, user.id)) == 1  # still idle, but already nudged

    replies = await user.press(f"▶️ {RESUME}")
    assert "Langkah 2/" in texts(replies)
    await user.press("Dinas Kesehatan")  # a change starts a new idle spell
    clock.set(at(ZONE, 2026, 11, 27, 15))  # Friday, two days later
    await sweep(harness)
    assert len(nudges(recorder, user.id)) == 1
    clock.set(at(ZONE, 2026, 11, 30, 8))  # Monday
    assert (await sweep(harness)).nudged == 1
    assert len(nudges(recorder, user.id)) == 2


async def test_returned_innovations_are_nudged_submitted_ones_are_not(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    returned, submitted = sim.user(7611), sim.user(7612)
    for user in (returned, submitted):
        await start_draft(user)
    async with await harness.session() as session, session.begin():
        for telegram_id, status in ((7611, Status.DIKEMBALIKAN), (7612, Status.DIAJUKAN)):
            owner = select(User.id).where(phones.is_person(telegram_id)).scalar_subquery()
            await session.execute(
                update(Innovation).where(Innovation.owner_id == owner).values(status=status)
            )
    recorder = record(sim, clock)
    clock.set(at(ZONE, 2026, 11, 24, 10))
    assert (await sweep(harness)).nudged == 1
    assert len(nudges(recorder, returned.id, RETURNED)) == 1
    assert recorder.to(submitted.id) == []


@pytest.mark.parametrize("reminder_overrides", [{"draft_nudge_days": 0}])
async def test_nudges_can_be_turned_off(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    user = sim.user(7621)
    await start_draft(user)
    recorder = record(sim, clock)
    clock.set(at(ZONE, 2026, 12, 1, 10))
    assert (await sweep(harness)).nudged == 0
    assert recorder.to(user.id) == []


@pytest.mark.telegram_only  # Telegram's own failures (WhatsApp's: test_whatsapp_*)
async def test_a_nudge_telegram_did_not_take_is_sent_at_a_later_sweep(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    user = sim.user(7631)
    await start_draft(user)
    recorder = record(sim, clock)
    attempts = harness.settings.send_max_retries + 1
    sim.inject_failure("sendMessage", status=502, times=attempts)
    clock.set(at(ZONE, 2026, 11, 24, 10))
    assert (await sweep(harness)).nudged == 0
    assert nudges(recorder, user.id) == []
    clock.set(at(ZONE, 2026, 11, 24, 10, 1))
    assert (await sweep(harness)).nudged == 1
    clock.set(at(ZONE, 2026, 11, 25, 10))
    assert (await sweep(harness)).nudged == 0
    assert len(nudges(recorder, user.id)) == 1


@pytest.mark.telegram_only  # Telegram's own failures (WhatsApp's: test_whatsapp_*)
async def test_a_blocked_owner_is_marked_unreachable_until_they_write_again(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    user = sim.user(7632)
    await start_draft(user)
    sim.block(user.id)
    clock.set(at(ZONE, 2026, 11, 24, 10))
    assert (await sweep(harness)).nudged == 0
    clock.set(at(ZONE, 2026, 11, 25, 10))
    assert (await sweep(harness)).nudged == 0

    async def unreachable() -> bool:
        async with await harness.session() as session:
            query = select(User.unreachable).where(User.telegram_id == user.id)
            return bool((await session.execute(query)).scalar_one())

    assert await unreachable()
    sim.unblock(user.id)
    replies = await user.send("/draf")  # writing to the bot makes the owner reachable again
    assert "Draf Anda" in texts(replies)
    assert not await unreachable()


async def test_two_sweeping_processes_nudge_each_draft_once(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    users = [sim.user(7640 + n) for n in range(6)]
    for user in users:
        await start_draft(user)
    recorder = record(sim, clock)
    clock.set(at(ZONE, 2026, 11, 24, 10))
    deps = deps_of(harness)
    other = dataclasses.replace(deps, next_draft_scan=None)
    assert harness.app is not None
    assert harness.runtime is not None
    wa = harness.runtime.whatsapp
    one, two = await asyncio.gather(
        sweep_once(deps, bot=harness.app.bot, whatsapp=wa),
        sweep_once(other, bot=harness.app.bot, whatsapp=wa),
    )
    assert one.nudged + two.nudged == 6
    assert [len(nudges(recorder, u.id)) for u in users] == [1] * 6
    async with transaction(deps.session_factory()) as session:
        marked = (await session.execute(select(Innovation.nudged_at))).scalars().all()
    assert len(marked) == 6 and all(m is not None for m in marked)
