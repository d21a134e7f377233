"""Reminders stop when the report is in, move when an extension is approved, and come back
tomorrow when asked."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.simulator import BotApiSimulator
from models.clock import FrozenClock
from models.db import transaction
from models.tables import Deadline, DeadlineStatus, ExtensionRequest, MonevReport, Role
from tests.conftest import BotHarness, texts
from tests.scheduler.support import add_user, add_verified, at, deps_of, local, record, time_lapse

ZONE = "Asia/Jakarta"
ANI, VERA = 7001, 7101
PDF = b"%PDF-1.4\n" + b"0" * 1024


async def _setup(harness: BotHarness, sim: BotApiSimulator, names: list[str]) -> None:
    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        ani = await add_user(session, sim, telegram_id=ANI, name="Ani Lestari", now=now)
        await add_user(
            session, sim, telegram_id=VERA, name="Vera Wati", now=now, role=Role.VERIFIKATOR
        )
        for name in names:
            await add_verified(session, owner=ani, name=name, now=now, settings=harness.settings)


# asserts the full reminder text: after 24 h of silence WhatsApp gets its template instead
@pytest.mark.telegram_only
async def test_a_report_after_the_first_reminder_stops_the_later_ones(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _setup(harness, sim, ["Posyandu Digital", "Sekolah Ramah Anak"])
    recorder = record(sim, clock)
    await time_lapse(harness, at(ZONE, 2027, 1, 4, 10, 0))
    [first] = [s for s in recorder.reminders(ANI) if "Posyandu Digital" in s.text]
    ani = sim.user(ANI)

    replies = await ani.press("Isi laporan sekarang", message=first.message)
    assert "Bagaimana keadaan inovasi" in texts(replies)
    await ani.press("Berjalan")
    replies = await ani.send("-12")
    assert "Tulis berupa angka" in texts(replies)
    await ani.send("1.250")
    await ani.send("Kunjungan posyandu naik 35% dibanding triwulan lalu.")
    replies = await ani.press("Selesai")
    assert "Kendala" in texts(replies)
    await ani.press("Lewati")
    await ani.send("Memperluas ke dua puskesmas lagi.")
    await ani.press("Selesai")
    replies = await ani.send_document("laporan.pdf", PDF, "application/pdf")
    assert "laporan.pdf" in texts(replies)
    replies = await ani.press("Selesai")
    summary = texts(replies)
    assert "Ringkasan laporan monev" in summary and "1.250" in summary
    assert "Posyandu Digital" in summary and "Berjalan" in summary
    replies = await ani.press("Kirim laporan")
    assert "Terkirim" in texts(replies)
    [notice] = [m for m in sim.user(VERA).messages if "Laporan monev masuk" in m.text]
    assert "Posyandu Digital" in notice.text and "1.250" in notice.text

    await time_lapse(harness, at(ZONE, 2027, 1, 25, 0, 0))
    later = [s for s in recorder.reminders(ANI) if local(s.at, ZONE).date() > date(2027, 1, 4)]
    assert later and all("Posyandu Digital" not in s.text for s in later)
    assert len([s for s in later if "Sekolah Ramah Anak" in s.text]) == 4
    assert all("Posyandu Digital" not in s.text for s in recorder.reminders(VERA))
    async with await harness.session() as session:
        [report] = (await session.execute(select(MonevReport))).scalars().all()
        deadline = await session.get(Deadline, report.deadline_id)
    assert report.beneficiaries == 1250 and report.status == "berjalan"
    assert report.obstacles is None and report.next_steps == "Memperluas ke dua puskesmas lagi."
    assert [e.filename for e in report.evidence] == ["laporan.pdf"]
    stored = harness.settings.files_dir / report.evidence[0].path
    assert stored.read_bytes() == PDF
    assert deadline is not None and deadline.status == DeadlineStatus.DONE


# asserts the full reminder text: after 24 h of silence WhatsApp gets its template instead
@pytest.mark.telegram_only
async def test_an_approved_extension_moves_the_reminders(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _setup(harness, sim, ["Posyandu Digital"])
    recorder = record(sim, clock)
    await time_lapse(harness, at(ZONE, 2027, 1, 4, 10, 0))
    [first] = recorder.reminders(ANI)
    ani, vera = sim.user(ANI), sim.user(VERA)

    replies = await ani.press("Minta perpanjangan", message=first.message)
    assert "Berapa lama" in texts(replies)
    replies = await ani.press("+14 hari")
    assert "Diteruskan ke verifikator Dinas Kesehatan: Vera Wati." in texts(replies)
    request = vera.last
    assert "Ani Lestari" in request.text and "14 hari" in request.text
    replies = await vera.press("Setujui", message=request)
    assert "24 Januari 2027" in texts(replies)
    assert "Perpanjangan disetujui" in ani.last.text and "24 Januari 2027" in ani.last.text

    await time_lapse(harness, at(ZONE, 2027, 2, 6, 0, 0))
    days = [local(s.at, ZONE).date() for s in recorder.reminders(ANI)]
    # Due Sunday 24 January now: -7 held to Monday the 18th, -3 on Thursday the 21st, -1 and
    # 0 superseded by +1 on Monday the 25th, +3 on the 27th, +7 held to Monday 1 February.
    assert days == [date(2027, 1, d) for d in (4, 18, 21, 25, 27)] + [date(2027, 2, 1)]
    assert all("24 Januari 2027" in s.text for s in recorder.reminders(ANI)[1:])
    told = [local(s.at, ZONE).date() for s in recorder.reminders(VERA)]
    assert told == [date(2027, 1, 27), date(2027, 2, 1)]
    async with await harness.session() as session:
        [req] = (await session.execute(select(ExtensionRequest))).scalars().all()
    assert (req.status, req.days, req.new_due_date) == ("approved", 14, date(2027, 1, 24))


# asserts the full reminder text: after 24 h of silence WhatsApp gets its template instead
@pytest.mark.telegram_only
async def test_a_refused_extension_keeps_the_schedule(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _setup(harness, sim, ["Posyandu Digital"])
    recorder = record(sim, clock)
    await time_lapse(harness, at(ZONE, 2027, 1, 4, 10, 0))
    [first] = recorder.reminders(ANI)
    ani, vera = sim.user(ANI), sim.user(VERA)
    await ani.press("Minta perpanjangan", message=first.message)
    await ani.press("+7 hari")
    await ani.press("Minta perpanjangan", message=first.message)
    await ani.press("+7 hari")
    assert "masih menunggu keputusan" in str(ani.last_callback_answer)
    request = vera.last
    approve = request.all_buttons()[0].callback_data
    assert approve is not None
    replies = await vera.press("Tolak", message=request)
    assert "ditolak" in texts(replies)
    assert "tidak disetujui" in ani.last.text
    replies = await vera.press_data(approve, message=request)
    assert "sudah diputuskan" in str(vera.last_callback_answer)
    await time_lapse(harness, at(ZONE, 2027, 1, 8, 0, 0))
    days = [local(s.at, ZONE).date() for s in recorder.reminders(ANI)]
    assert days == [date(2027, 1, 4), date(2027, 1, 7)]


# asserts the full reminder text: after 24 h of silence WhatsApp gets its template instead
@pytest.mark.telegram_only
async def test_remind_me_tomorrow(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _setup(harness, sim, ["Posyandu Digital"])
    recorder = record(sim, clock)
    await time_lapse(harness, at(ZONE, 2027, 1, 4, 10, 0))
    [first] = recorder.reminders(ANI)
    ani = sim.user(ANI)
    replies = await ani.press("Ingatkan besok", message=first.message)
    assert "5 Januari 2027" in texts(replies)
    await time_lapse(harness, at(ZONE, 2027, 1, 8, 0, 0))
    mine = recorder.reminders(ANI)
    assert [local(s.at, ZONE).date() for s in mine] == [date(2027, 1, d) for d in (4, 5, 7)]
    assert "5 hari lagi" in mine[1].text
    [snooze] = [b.callback_data for b in first.message.all_buttons() if "besok" in b.text]
    assert snooze is not None
    vera = sim.user(VERA)
    await vera.send("/jadwal")
    await vera.press_data(snooze, message=vera.last)  # someone else's button
    assert "bukan untuk Anda" in str(vera.last_callback_answer)
