"""/tenggat: an admin sets, lists and cancels evaluation campaigns; owners get reminded."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator
from models.clock import FrozenClock
from models.db import transaction
from models.tables import Campaign, Deadline, DeadlineStatus, Reminder, ReminderStatus, Role
from tests.conftest import BotHarness, onboard, texts
from tests.handlers.test_registration import register_until_summary
from tests.scheduler.support import add_user, at, deps_of, fast, local, record, time_lapse

ADI = 7201
ZONE = "Asia/Jakarta"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fast reminder settings, no background sweep."""
    return fast(settings)


async def _admin(harness: BotHarness, sim: BotApiSimulator) -> None:
    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        await add_user(
            session, sim, telegram_id=ADI, name="Adi Putra", now=now, role=Role.ADMIN, unit="ORG"
        )


async def test_only_admins_set_campaigns(harness: BotHarness, sim: BotApiSimulator) -> None:
    user = sim.user(5001)
    await onboard(user)
    replies = await user.send("/tenggat")
    assert "khusus admin" in texts(replies)
    await user.press_data("tg:new", message=user.last)
    assert "khusus admin" in user.last.text


# asserts the full reminder text: after 24 h of silence WhatsApp gets its template instead
@pytest.mark.telegram_only
async def test_a_campaign_reminds_drafts_until_they_are_submitted(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _admin(harness, sim)
    siti = sim.user(5001, first_name="Siti")
    await onboard(siti, name="Siti Aminah")
    await register_until_summary(siti)
    await siti.press("Simpan draf")
    recorder = record(sim, clock)

    adi = sim.user(ADI)
    replies = await adi.send("/tenggat")
    assert "Belum ada tenggat evaluasi" in texts(replies)
    await adi.press("Tenggat baru")
    await adi.send("IID 2027: profil lengkap")
    replies = await adi.send("01/01/2020")
    assert "sudah lewat" in texts(replies)
    replies = await adi.send("31/02/2027")
    assert "tidak ada di kalender" in texts(replies)
    await adi.send("23 Desember 2026")
    replies = await adi.press("Draf dan profil belum lengkap")
    assert "23 Desember 2026" in texts(replies)
    replies = await adi.press("Simpan tenggat")
    assert "disimpan untuk 1 inovasi" in texts(replies)
    replies = await adi.send("/tenggat")
    assert "IID 2027: profil lengkap" in texts(replies) and "0/1" in texts(replies)

    await time_lapse(harness, at(ZONE, 2026, 12, 17, 0, 0))
    [reminder] = recorder.reminders(5001)
    assert local(reminder.at, ZONE).date() == date(2026, 12, 16)  # -7: a Wednesday
    assert "IID 2027: profil lengkap" in reminder.text
    assert "Profil belum dikirim untuk diverifikasi" in reminder.text
    replies = await siti.press("Lengkapi profil sekarang", message=reminder.message)
    assert "Ringkasan profil inovasi" in texts(replies)
    await siti.press("Kirim")

    await time_lapse(harness, at(ZONE, 2027, 1, 5, 0, 0))
    assert len(recorder.reminders(5001)) == 1
    async with await harness.session() as session:
        [deadline] = (await session.execute(select(Deadline))).unique().scalars().all()
        rows = (await session.execute(select(Reminder))).unique().scalars().all()
    assert deadline.status == DeadlineStatus.DONE
    assert Counter(r.status for r in rows) == {
        ReminderStatus.SENT: 1,
        ReminderStatus.CANCELLED: 6,
    }
    replies = await adi.send("/tenggat")
    assert "1/1" in texts(replies)


# asserts the full reminder text: after 24 h of silence WhatsApp gets its template instead
@pytest.mark.telegram_only
async def test_a_cancelled_campaign_stops_its_reminders(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _admin(harness, sim)
    siti = sim.user(5001, first_name="Siti")
    await onboard(siti, name="Siti Aminah")
    await siti.send("/baru")
    await siti.send("Inovasi yang belum selesai")
    recorder = record(sim, clock)
    adi = sim.user(ADI)
    await adi.send("/tenggat")
    await adi.press("Tenggat baru")
    await adi.send("Evaluasi KIPP")
    await adi.send("2026-12-01")
    await adi.press("Semua inovasi")
    await adi.press("Simpan tenggat")
    await time_lapse(harness, at(ZONE, 2026, 11, 25, 9, 0))
    [first] = recorder.reminders(5001)
    assert "Belum diisi" in first.text and "Tahapan" in first.text
    await adi.send("/tenggat")
    replies = await adi.press("Batalkan: Evaluasi KIPP")
    assert "Batalkan tenggat" in texts(replies)
    replies = await adi.press("Ya, batalkan")
    assert "dibatalkan" in texts(replies)
    await time_lapse(harness, at(ZONE, 2026, 12, 12, 0, 0))
    assert len(recorder.reminders(5001)) == 1
    async with await harness.session() as session:
        campaign = (await session.execute(select(Campaign))).scalar_one()
        rows = (await session.execute(select(Reminder))).unique().scalars().all()
    assert campaign.cancelled_at is not None
    assert {r.status for r in rows} == {ReminderStatus.SENT, ReminderStatus.CANCELLED}
