"""/monev: the report flow on the form engine, end to end."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator
from models.clock import FrozenClock
from models.db import transaction
from models.policy import Policy
from models.services import monev
from models.tables import (
    Deadline,
    DeadlineStatus,
    Innovation,
    MonevReport,
    Role,
    Status,
    StatusEvent,
)
from tests.conftest import BotHarness, button_answer, onboard, screen_labels, texts
from tests.scheduler.support import add_user, add_verified, deps_of, fast

ANI, VERA = 7001, 7101


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fast reminder settings, no background sweep."""
    return fast(settings)


async def _setup(harness: BotHarness, sim: BotApiSimulator, names: list[str]) -> None:
    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        ani = await add_user(session, sim, telegram_id=ANI, name="Ani Lestari", now=now)
        vera = await add_user(
            session, sim, telegram_id=VERA, name="Vera Wati", now=now, role=Role.VERIFIKATOR
        )
        for name in names:
            await add_verified(session, owner=ani, name=name, now=now, settings=harness.settings)
        await monev.create_campaign(
            session,
            name="IID 2027",
            due_date=date(2027, 8, 23),
            scope="all",
            actor=vera,
            now=now,
            policy=Policy.from_settings(harness.settings),
        )


async def test_without_an_open_period_there_is_nothing_to_report(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(5001)
    await onboard(user)
    replies = await user.send("/monev")
    assert "tidak ada laporan monev" in texts(replies)
    replies = await user.send("/report")
    assert "tidak ada laporan monev" in texts(replies)


async def test_stopping_an_innovation_through_its_report(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _setup(harness, sim, ["Posyandu Digital", "Sekolah Ramah Anak"])
    ani = sim.user(ANI)
    replies = await ani.send("/monev")
    assert "Laporan monev untuk inovasi mana?" in texts(replies)
    assert len(ani.last.buttons) == 2
    await ani.press("Posyandu Digital")
    replies = await ani.press("Dihentikan")
    assert "Mengapa inovasi ini dihentikan" in texts(replies)
    replies = await ani.send("ok")
    assert "Terlalu pendek" in texts(replies)
    await ani.send("Anggaran <b>tidak</b> tersedia & kader pindah tugas.")
    replies = await ani.send("banyak")
    assert "Tulis berupa angka" in texts(replies)
    await ani.send("0")
    await ani.send("Layanan berjalan dua bulan sebelum berhenti.")
    await ani.press("Selesai")
    await ani.press("Lewati")  # kendala: optional unless terkendala
    replies = await ani.press("Lewati")  # rencana: optional for a stopped innovation
    assert "Bukti dukung" in texts(replies)
    replies = await ani.press("Lewati")
    summary = texts(replies)
    assert "Dihentikan" in summary and "Anggaran <b>tidak</b> tersedia & kader" in summary
    replies = await ani.press("Kirim laporan")
    assert "dihentikan" in texts(replies)

    async with await harness.session() as session:
        stopped = (
            await session.execute(select(Innovation).where(Innovation.nama_inovasi.like("Pos%")))
        ).scalar_one()
        events = (
            (
                await session.execute(
                    select(StatusEvent).where(StatusEvent.innovation_id == stopped.id)
                )
            )
            .scalars()
            .all()
        )
        deadlines = (
            (await session.execute(select(Deadline).where(Deadline.innovation_id == stopped.id)))
            .unique()
            .scalars()
            .all()
        )
        [report] = (await session.execute(select(MonevReport))).scalars().all()
    assert stopped.status == Status.DIHENTIKAN
    assert [(e.from_status, e.to_status) for e in events][-1] == ("terverifikasi", "dihentikan")
    assert events[-1].comment == "Anggaran <b>tidak</b> tersedia & kader pindah tugas."
    assert sorted(d.status for d in deadlines) == [DeadlineStatus.CANCELLED, DeadlineStatus.DONE]
    assert report.status == "dihentikan" and report.next_steps is None
    notice = sim.user(VERA).last.text
    assert "Laporan monev masuk" in notice and "Inovasi dihentikan" in notice

    replies = await ani.send("/monev")  # one period is left: it is chosen at once
    assert "Bagaimana keadaan inovasi" in texts(replies)


async def test_the_report_survives_a_restart_and_can_wait(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await _setup(harness, sim, ["Posyandu Digital"])
    ani = sim.user(ANI)
    replies = await ani.send("/monev")
    assert "Laporan monev Triwulan IV 2026" in texts(replies)
    assert "Posyandu Digital" in texts(replies) and "Langkah 1/6" in texts(replies)
    await ani.press("Terkendala")
    await ani.send("12")
    await harness.restart()
    replies = await ani.send("Kader sudah terlatih.")
    assert "kata" in texts(replies)
    replies = await ani.press("Selesai")
    assert "Kendala" in texts(replies)
    assert "Lewati" not in " ".join(screen_labels(ani))  # required when terkendala
    await ani.send("Sinyal internet lemah di desa.")
    await ani.press("Selesai")
    await ani.send("Memakai mode luring.")
    await ani.press("Selesai")
    replies = await ani.send_photo(b"\xff\xd8\xff\xe0" + b"1" * 512)
    assert "1 berkas" in texts(replies)
    await ani.press("Selesai")
    replies = await ani.press("Simpan, lanjutkan nanti")
    assert "Laporan disimpan" in texts(replies)
    replies = await ani.send("/monev")
    assert "Ringkasan laporan monev" in texts(replies)
    replies = await ani.press("Kirim laporan")
    assert "Terkirim" in texts(replies)
    async with await harness.session() as session:
        [report] = (await session.execute(select(MonevReport))).scalars().all()
    assert (report.status, report.beneficiaries) == ("terkendala", 12)
    assert report.obstacles == "Sinyal internet lemah di desa."
    assert [e.kind for e in report.evidence] == ["photo"]


async def test_buttons_of_other_people_are_refused(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await _setup(harness, sim, ["Posyandu Digital"])
    async with await harness.session() as session:
        deadline = (await session.execute(select(Deadline))).unique().scalars().first()
    assert deadline is not None
    budi = sim.user(5002)
    await onboard(budi, name="Budi Hartono")
    for data in (f"mv:fill:{deadline.id}", f"mv:ext:{deadline.id}", "mv:ok:1", "mv:x:1"):
        notice, _ = button_answer(budi, await budi.press_data(data, message=budi.last))
        assert notice, data
    if isinstance(sim, BotApiSimulator):  # Telegram's button spinner stops when answered
        assert sim.unanswered_queries == []
