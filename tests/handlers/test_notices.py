"""Whoever is said to be told was told: monev reports, submissions, resubmissions, erasure and
decisions name the people who got the notice, or say that nobody could be told."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator, SimUser
from models.db import transaction
from models.services import people
from models.tables import Innovation, MonevReport, Role, User
from tests import phones
from tests.conftest import BotHarness, onboard, screen_labels, texts
from tests.factories import make_innovation
from tests.handlers.test_registration import register_until_summary
from tests.scheduler.support import add_user, add_verified, deps_of, fast

ANI, VERA, WATI, ADMIN = 7001, 7101, 7102, 7201


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fast sends, no background sweep, no admin by the settings."""
    return fast(settings)


async def _people(
    harness: BotHarness,
    sim: BotApiSimulator,
    *,
    verifiers: int = 0,
    admin: bool = False,
    unreachable_verifier: bool = False,
    verified: bool = True,
) -> None:
    """Ani (Dinas Kesehatan) with one verified innovation, and who else is asked for."""
    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        ani = await add_user(session, sim, telegram_id=ANI, name="Ani Lestari", now=now)
        for telegram_id, name in ((VERA, "Vera Wati"), (WATI, "Wati Rahayu"))[:verifiers]:
            vera = await add_user(
                session, sim, telegram_id=telegram_id, name=name, now=now, role=Role.VERIFIKATOR
            )
            vera.unreachable = unreachable_verifier
        if admin:
            await add_user(
                session, sim, telegram_id=ADMIN, name="Admin Organisasi", now=now,
                unit="ORG", role=Role.ADMIN,
            )  # fmt: skip
        if verified:
            await add_verified(
                session, owner=ani, name="Posyandu Digital", now=now, settings=harness.settings
            )


async def _report(ani: SimUser) -> str:
    """Fill in and send the monev report of Ani's only open period; return the answer."""
    replies = await ani.send("/monev")
    assert "Bagaimana keadaan inovasi" in texts(replies)
    await ani.press("Berjalan")
    await ani.send("120")
    await ani.send("Kunjungan posyandu naik dibanding triwulan lalu.")
    await ani.press("Selesai")
    await ani.press("Lewati")
    await ani.send("Memperluas ke dua puskesmas lagi.")
    await ani.press("Selesai")
    await ani.press("Lewati")
    replies = await ani.press("Kirim laporan")
    assert "Terkirim" in texts(replies)
    assert "Verifikator unit Anda sudah diberi tahu" not in texts(replies)
    return texts(replies)


async def _reports(harness: BotHarness) -> int:
    async with await harness.session() as session:
        return len((await session.execute(select(MonevReport))).scalars().all())


async def test_a_monev_report_names_the_verifiers_who_were_told(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await _people(harness, sim, verifiers=2, admin=True)
    said = await _report(sim.user(ANI))
    assert "📨 Diteruskan ke verifikator Dinas Kesehatan: Vera Wati, Wati Rahayu." in said
    for telegram_id in (VERA, WATI):
        assert "Laporan monev masuk" in sim.user(telegram_id).last.text
    assert all("Laporan monev masuk" not in m.text for m in sim.user(ADMIN).messages)


async def test_without_a_reachable_verifier_the_admins_are_told_and_it_says_so(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await _people(harness, sim, verifiers=1, unreachable_verifier=True, admin=True)
    said = await _report(sim.user(ANI))
    assert (
        "Dinas Kesehatan belum punya verifikator yang dapat dihubungi bot, jadi diteruskan ke "
        "admin: Admin Organisasi." in said
    )
    assert "Laporan monev masuk" in sim.user(ADMIN).last.text
    assert all("Laporan monev masuk" not in m.text for m in sim.user(VERA).messages)


async def test_when_nobody_can_be_told_the_report_is_kept_and_it_says_so(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await _people(harness, sim)
    said = await _report(sim.user(ANI))
    assert "Belum ada yang bisa diberi tahu: Dinas Kesehatan belum punya verifikator" in said
    assert "Laporan Anda tetap tersimpan." in said
    assert "Diteruskan" not in said
    assert await _reports(harness) == 1


async def test_a_submission_and_a_resubmission_name_who_was_told(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await _people(harness, sim, verifiers=2, admin=True, verified=False)
    owner = sim.user(7301, first_name="Sari")
    await onboard(owner, name="Sari Pengusul", unit="Dinas Kesehatan")
    await register_until_summary(owner)
    replies = await owner.press("Kirim")
    assert "📨 Diteruskan ke verifikator Dinas Kesehatan: Vera Wati, Wati Rahayu." in texts(replies)
    vera = sim.user(VERA)
    notice = vera.last
    assert "Inovasi diajukan untuk diverifikasi" in notice.text
    assert "INO-2026-0001" in notice.text and "Pengusul: Sari Pengusul" in notice.text
    assert "Inovasi diajukan untuk diverifikasi" in sim.user(WATI).last.text
    replies = await vera.press("Lihat kartu", message=notice)
    assert "Status: Diajukan" in texts(replies) and "↩️ Kembalikan" in screen_labels(vera)

    await vera.press("Kembalikan")
    await vera.press("Lewati")
    await vera.send("Tujuan belum terukur, mohon dilengkapi.")
    await owner.press("Perbaiki sekarang")
    replies = await owner.press("Kirim")
    assert "📨 Diteruskan ke Vera Wati, yang meminta perbaikan." in texts(replies)
    assert "diajukan kembali" in vera.last.text
    assert all("diajukan kembali" not in m.text for m in sim.user(WATI).messages)


async def test_a_submission_nobody_can_be_told_of_says_so(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    owner = sim.user(7302, first_name="Sari")
    await onboard(owner, name="Sari Pengusul", unit="Dinas Kesehatan")
    await register_until_summary(owner)
    replies = await owner.press("Kirim")
    said = texts(replies)
    assert "Belum ada yang bisa diberi tahu: Dinas Kesehatan belum punya verifikator" in said
    assert "Inovasi Anda tetap tercatat berstatus diajukan." in said
    async with await harness.session() as session:
        innovation = (await session.execute(select(Innovation))).scalar_one()
    assert innovation.status == "diajukan"


async def test_erasure_says_which_admins_were_told(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await _people(harness, sim, admin=True, verified=False)
    ani = sim.user(ANI)
    await ani.send("/dataku")
    await ani.press("Hapus data pribadi saya")
    replies = await ani.press("Ya, hapus data saya")
    assert "📨 Diteruskan ke admin: Admin Organisasi." in texts(replies)
    assert "menghapus data pribadinya" in sim.user(ADMIN).last.text

    lone = sim.user(7303)
    await onboard(lone, name="Sendiri Saja")
    await lone.send("/dataku")
    await lone.press("Hapus data pribadi saya")
    async with await harness.session() as session, session.begin():
        admin = (await session.execute(select(User).where(phones.is_person(ADMIN)))).scalar_one()
        admin.unreachable = True
    replies = await lone.press("Ya, hapus data saya")
    assert "Belum ada admin yang dapat dihubungi bot, jadi belum ada yang diberi tahu." in texts(
        replies
    )


async def test_stopping_says_whether_the_submitter_was_told(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await _people(harness, sim, verifiers=1, verified=False)
    deps, clock = deps_of(harness), harness.clock
    async with transaction(deps.session_factory()) as session:
        ani = (await session.execute(select(User).where(phones.is_person(ANI)))).scalar_one()
        for n in (1, 2):
            await make_innovation(session, clock, owner=ani, n=n)
    vera = sim.user(VERA)
    await vera.send("/status INO-2026-0001")
    await vera.press("Hentikan")
    replies = await vera.send("Sudah ada layanan serupa di provinsi.")
    assert "INO-2026-0001 dihentikan. Pengusul sudah diberi tahu." in texts(replies)
    assert "dihentikan" in sim.user(ANI).last.text

    async with transaction(deps.session_factory()) as session:
        ani = (await session.execute(select(User).where(phones.is_person(ANI)))).scalar_one()
        await people.erase_personal_data(session, ani, now=clock.now())
    await vera.send("/status INO-2026-0002")
    await vera.press("Hentikan")
    replies = await vera.send("Sudah ada layanan serupa di provinsi.")
    assert "INO-2026-0002 dihentikan. Pengusul tidak dapat diberi tahu lewat bot" in texts(replies)
