"""Roles, invites, status commands and the review loop, through the simulated Bot API."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator, SimUser
from models.services import innovations as inno
from models.tables import Innovation, StatusEvent, Unit, User, UserEvent
from tests import phones
from tests.conftest import BotHarness, button_answer, labels_of, onboard, screen_labels, texts
from tests.handlers.test_registration import register_until_summary

ADMIN_ID = 9000


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with one bootstrap admin."""
    phones.set_admins(settings, ADMIN_ID)
    return settings


async def make_admin(sim: BotApiSimulator) -> SimUser:
    admin = sim.user(ADMIN_ID, first_name="Admin")
    await onboard(admin, name="Admin Organisasi", unit="Bagian Organisasi")
    return admin


async def invite_code(admin: SimUser, role: str, unit: str | None = None) -> str:
    await admin.send("/undang")
    replies = await admin.press(role)
    if unit is not None:
        replies = await admin.press(unit)
    found = re.search(r"start=(\S+)", texts(replies)) or re.search(
        r"text=%2Fstart%20(\S+)", texts(replies)
    )
    assert found, texts(replies)
    return found.group(1)


async def make_verifier(
    sim: BotApiSimulator, admin: SimUser, user_id: int, unit: str = "Dinas Kesehatan"
) -> SimUser:
    code = await invite_code(admin, "Verifikator", unit)
    verifier = sim.user(user_id, first_name="Vera")
    replies = await verifier.send(f"/start {code}")
    assert f"Peran Anda sekarang: Verifikator (unit: {unit})" in texts(replies)
    await verifier.send("Vera Verifikator")
    await verifier.press(unit)
    await verifier.press("Lewati")
    await verifier.press("Lewati")
    return verifier


async def submit_one(sim: BotApiSimulator, user_id: int, name: str = "Sari") -> SimUser:
    user = sim.user(user_id, first_name=name)
    await onboard(user, name=f"{name} Pengusul", unit="Dinas Kesehatan")
    await register_until_summary(user)
    replies = await user.press("Kirim")
    assert "diajukan" in texts(replies)
    return user


async def events(harness: BotHarness) -> list[tuple[str | None, str, str | None]]:
    async with await harness.session() as session:
        rows = await session.execute(select(StatusEvent).order_by(StatusEvent.id))
        return [(e.from_status, e.to_status, e.comment) for e in rows.scalars()]


async def test_the_whole_review_loop(harness: BotHarness, sim: BotApiSimulator) -> None:
    admin = await make_admin(sim)
    verifier = await make_verifier(sim, admin, 9100)
    submitter = await submit_one(sim, 9200)

    replies = await verifier.send("/antrian")
    assert "Antrian verifikasi" in texts(replies) and "(1," in texts(replies)
    replies = await verifier.press("INO-2026-0001")
    card = texts(replies)
    assert "Status: Diajukan" in card and "Riwayat" in card and "Si Cantik" in card
    await verifier.press("Kembalikan")
    await verifier.press("Nama inovasi")
    await verifier.send("tujuan")
    await verifier.press("Tujuan")
    replies = await verifier.press("Selesai")
    assert "Komentar" in texts(replies)
    replies = await verifier.send("Nama terlalu umum; tujuan belum terukur.")
    assert "dikembalikan ke pengusul" in texts(replies)

    notice = submitter.last
    assert "dikembalikan oleh verifikator" in notice.text
    assert "Nama terlalu umum; tujuan belum terukur." in notice.text
    assert "Perlu diperbaiki: Nama inovasi, Tujuan" in notice.text
    replies = await submitter.press("Perbaiki sekarang")
    summary = texts(replies)
    assert "Ringkasan profil inovasi" in summary
    assert "🚩 Nama inovasi" in summary and "🚩 Tujuan" in summary
    assert "🚩 Manfaat" not in summary
    await submitter.press("🚩 ✏️ Nama inovasi")
    await submitter.send("Si Cantik: Posyandu Digital Perbatasan")
    await submitter.press("🚩 ✏️ Tujuan")
    await submitter.send("Menurunkan keterlambatan layanan ibu dan anak sebesar 30% pada 2027.")
    replies = await submitter.press("Selesai")
    assert "Ringkasan" in texts(replies)
    replies = await submitter.press("Kirim")
    assert "INO-2026-0001" in texts(replies)

    diff = verifier.last.text
    assert "diajukan kembali" in diff
    assert (
        "Nama inovasi: Si Cantik: Posyandu Digital → Si Cantik: Posyandu Digital Perbatasan" in diff
    )
    assert "Tujuan: Menurunkan angka keterlambatan" in diff and "sebesar 30% pada 2027" in diff
    assert diff.count("• ") == 2

    replies = await verifier.send("/status ino-2026-0001")
    assert "🚩" not in texts(replies)
    replies = await verifier.press("Verifikasi")
    assert "Verifikasi INO-2026-0001?" in texts(replies)
    assert "memenuhi semua syarat IID (100%)" in texts(replies)
    assert "telah terverifikasi" not in submitter.last.text
    replies = await verifier.press("Ya, verifikasi")
    assert "terverifikasi" in texts(replies)
    assert "telah terverifikasi" in submitter.last.text

    replies = await submitter.send("/status INO-2026-0001")
    card = texts(replies)
    order = [card.index(s) for s in ("Diajukan oleh", "Dikembalikan oleh", "Terverifikasi oleh")]
    assert order == sorted(order)
    assert card.count("Diajukan oleh") == 2
    assert "Tenggat berikutnya: 📝 Laporan monev Triwulan IV 2026" in card
    assert "Tenggat 10 Januari 2027 · 51 hari lagi" in card
    assert await events(harness) == [
        ("draf", "diajukan", None),
        ("diajukan", "dikembalikan", "Nama terlalu umum; tujuan belum terukur."),
        ("dikembalikan", "diajukan", None),
        ("diajukan", "terverifikasi", None),
    ]
    async with await harness.session() as session:
        returned = (
            await session.execute(
                select(StatusEvent).where(StatusEvent.to_status == "dikembalikan")
            )
        ).scalar_one()
        resubmitted = (
            (await session.execute(select(StatusEvent).order_by(StatusEvent.id))).scalars().all()[2]
        )
    assert returned.data is not None and returned.data["fields"] == ["nama_inovasi", "tujuan"]
    assert resubmitted.data is not None
    assert sorted(resubmitted.data["changes"]) == ["nama_inovasi", "tujuan"]
    assert sim.rejected == []


async def test_others_cannot_see_or_act_on_an_innovation(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    admin = await make_admin(sim)
    other_verifier = await make_verifier(sim, admin, 9101, unit="Dinas Pendidikan")
    owner = await submit_one(sim, 9201)
    async with await harness.session() as session:
        innovation = (await session.execute(select(Innovation))).scalar_one()
    snapshot = await events(harness)

    pengusul = sim.user(9202, first_name="Lain")
    await onboard(pengusul, name="Pengusul Lain", unit="Dinas Kesehatan")
    stranger = sim.user(9203, first_name="Asing")

    for person in (pengusul, other_verifier):
        mine = texts(await person.send("/status INO-2026-0001"))
        missing = texts(await person.send("/status INO-2026-0999"))
        assert mine == "Inovasi INO-2026-0001 tidak ditemukan."
        assert missing == "Inovasi INO-2026-0999 tidak ditemukan."
        assert "tidak ditemukan" in texts(await person.send("lihat INO-2026-0001 dong"))
        for data in (
            f"rv:v:{innovation.id}",
            f"rv:vy:{innovation.id}:1",
            f"rv:b:{innovation.id}",
            f"rv:k:{innovation.id}",
            f"rd:t:{innovation.id}",
            f"rd:f:{innovation.id}",
            f"st:{innovation.id}",
            f"draft:{innovation.id}",
            "f:1:c:kesehatan",
        ):
            answer, rest = button_answer(person, await person.press_data(data))
            assert rest == [] and answer is not None
            assert "tidak berlaku" in answer or "tidak ditemukan" in answer
    assert "tidak ditemukan" not in texts(await other_verifier.send("/antrian"))
    assert "kosong" in texts(await other_verifier.send("/antrian"))
    assert "khusus verifikator" in texts(await pengusul.send("/antrian"))
    assert "khusus admin" in texts(await pengusul.send("/undang"))
    assert "khusus admin" in texts(await other_verifier.send("/pengguna"))
    replies = await stranger.send("/status INO-2026-0001")
    assert "Selesaikan pendaftaran akun dulu" in texts(replies)
    assert "Si Cantik" not in texts(replies)
    assert button_answer(stranger, await stranger.press_data(f"rv:v:{innovation.id}"))[1] == []

    assert await events(harness) == snapshot
    async with await harness.session() as session:
        again = (await session.execute(select(Innovation))).scalar_one()
    assert again.status == "diajukan"
    assert "INO-2026-0001" in texts(await owner.send("/status INO-2026-0001"))


async def test_invites_work_once_and_expire(harness: BotHarness, sim: BotApiSimulator) -> None:
    admin = await make_admin(sim)
    code = await invite_code(admin, "Verifikator", "Dinas Pendidikan")
    first, second = sim.user(9301), sim.user(9302)
    assert "Peran Anda sekarang: Verifikator (unit: Dinas Pendidikan)" in texts(
        await first.send(f"/start {code}")
    )
    assert "sudah pernah dipakai" in texts(await second.send(f"/start {code}"))
    assert "tidak dikenal" in texts(await second.send("/start bukan-kode"))

    late = await invite_code(admin, "Admin")
    harness.clock.advance(timedelta(days=7, minutes=1))
    assert "kedaluwarsa" in texts(await second.send(f"/start {late}"))

    fresh = await invite_code(admin, "Admin")
    assert "Peran Anda sekarang: Admin" in texts(await second.send(f"/start {fresh}"))
    async with await harness.session() as session:
        users = {phones.person_id(u): u for u in (await session.execute(select(User))).scalars()}
        unit = (await session.execute(select(Unit).where(Unit.code == "DISDIK"))).scalar_one()
        changes = (await session.execute(select(UserEvent).order_by(UserEvent.id))).scalars().all()
    assert (users[9301].role, users[9301].unit_id) == ("verifikator", unit.id)
    assert users[9302].role == "admin"
    assert [(c.user_id, c.kind, c.data["to"]["role"]) for c in changes if c.data] == [
        (users[9301].id, "role", "verifikator"),
        (users[9302].id, "role", "admin"),
    ]


@pytest.mark.telegram_only
async def test_admin_changes_a_role_from_the_user_list(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    admin = await make_admin(sim)
    worker = sim.user(9401, first_name="Joko")
    await onboard(worker, name="Joko Widodo", unit="Dinas Kesehatan")
    replies = await admin.send("/pengguna")
    assert "Pengguna" in texts(replies)
    await admin.press("Joko Widodo")
    await admin.press("Ubah peran")
    await admin.press("Verifikator")
    replies = await admin.press("Dinas Sosial")
    assert "Joko Widodo sekarang: Verifikator" in texts(replies).replace("Peran ", "")
    assert "Peran Anda sekarang: Verifikator (unit: Dinas Sosial" in worker.last.text
    assert "antrian" in [c for c, _ in sim.my_commands(scope={"type": "chat", "chat_id": 9401})]
    replies = await worker.send("/bantuan")
    assert "/antrian" in texts(replies) and "/undang" not in texts(replies)


async def test_paging_of_my_innovations_and_the_queue(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    admin = await make_admin(sim)
    verifier = await make_verifier(sim, admin, 9501)
    owner = sim.user(9502, first_name="Banyak")
    await onboard(owner, name="Pengusul Rajin", unit="Dinas Kesehatan")
    async with await harness.session() as session, session.begin():
        user = (await session.execute(select(User).where(phones.is_person(9502)))).scalar_one()
        for n in range(27):
            harness.clock.advance(timedelta(minutes=1))
            draft = await inno.create_draft(session, owner=user, now=harness.clock.now())
            for key, value in {
                "nama_inovasi": f"Inovasi nomor {n + 1:02d}",
                "tahapan": "inisiatif", "inisiator": "asn", "nama_inisiator": "Rajin",
                "jenis": "digital", "bentuk": "pelayanan_publik", "tematik": "non_tematik",
                "urusan_utama": "kesehatan", "masalah": "kata " * 30, "rancang_bangun": "x",
                "tujuan": "tujuan", "manfaat": "manfaat",
            }.items():  # fmt: skip
                inno.set_field(draft, key, value, now=harness.clock.now())
            await inno.submit(session, draft, actor=user, now=harness.clock.now())
    replies = await owner.send("/inovasiku")
    # the page: a button on Telegram, a line of the list's text on WhatsApp
    assert "(27)" in texts(replies) and "1/3" in " ".join(screen_labels(owner)) + texts(replies)
    assert "INO-2026-0027 · Inovasi nomor 27 · Diajukan" in screen_labels(owner)
    await owner.press("▶️")
    replies = await owner.press("▶️")
    labels = labels_of(replies)
    assert "3/3" in labels or "Halaman 3/3" in texts(replies)
    assert [x for x in labels if x.startswith("INO-")] == [
        f"INO-2026-{n:04d} · Inovasi nomor {n:02d} · Diajukan" for n in range(7, 0, -1)
    ]
    replies = await verifier.send("/antrian")
    first_page = [x for x in screen_labels(verifier) if x.startswith("INO-")]
    assert first_page[0].startswith("INO-2026-0001") and len(first_page) == 10
    await verifier.press("▶️")
    replies = await verifier.press("▶️")
    last_page = [x for x in replies[0].button_labels() if x.startswith("INO-")]
    assert last_page[-1].startswith("INO-2026-0027") and len(last_page) == 7
    assert date.today()  # the listing does not depend on the wall clock


async def test_personal_data_can_be_seen_and_erased(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    admin = await make_admin(sim)
    owner = await submit_one(sim, 9601, name="Hapus")
    replies = await owner.send("/dataku")
    assert "Nama: Hapus Pengusul" in texts(replies) and phones.id_line(9601) in texts(replies)
    await owner.press("Hapus data pribadi saya")
    replies = await owner.press("Ya, hapus data saya")
    assert "sudah dihapus" in texts(replies)
    assert "menghapus data pribadinya" in admin.last.text
    async with await harness.session() as session:
        erased = (
            await session.execute(select(User).where(User.deleted_at.is_not(None)))
        ).scalar_one()
        innovation = (await session.execute(select(Innovation))).scalar_one()
    assert (erased.name, erased.nip, erased.phone) == (None, None, None)
    assert (erased.telegram_id, erased.whatsapp_id) == (None, None)
    assert innovation.owner_id == erased.id and innovation.status == "diajukan"
    replies = await admin.send("/status INO-2026-0001")
    assert "Pengusul: pengguna dihapus" in texts(replies)
    replies = await owner.send("/start")
    assert "Selamat datang" in texts(replies)
