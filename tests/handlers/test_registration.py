"""Registration of an innovation, end to end through the simulated Bot API."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import select

from bot.simulator import BotApiSimulator, SentMessage, SimUser
from bot.simulator.whatsapp import WaMessage, WaUser
from models.tables import Attachment, FlowState, Innovation, StatusEvent, Unit
from tests.conftest import BotHarness, onboard, screen_text, texts

MASALAH_1 = (
    "Ibu hamil dan balita di wilayah perbatasan sering terlambat mendapat layanan "
    "karena jadwal posyandu tidak diketahui dan data kunjungan masih dicatat di buku."
)
MASALAH_2 = "Kader kesulitan melaporkan kasus gizi buruk tepat waktu ke puskesmas."
RANCANG_1 = " ".join(["Kader mencatat kunjungan posyandu lewat aplikasi sederhana."] * 25)
RANCANG_2 = " ".join(["Puskesmas memantau data dan mengirim pengingat jadwal."] * 25)
PDF = b"%PDF-1.4\n" + b"0" * 2048
JPEG = b"\xff\xd8\xff\xe0" + b"1" * 4096


async def innovations(harness: BotHarness) -> list[Innovation]:
    async with await harness.session() as session:
        result = await session.execute(select(Innovation).order_by(Innovation.id))
        return list(result.scalars())


async def edit_field(user: SimUser | WaUser, label: str) -> list[SentMessage] | list[WaMessage]:
    """From the summary card: open the list of fields, then the field ``label``."""
    await user.press("Ubah isian")
    return await user.press(label)


async def register_until_summary(user: SimUser | WaUser) -> None:
    """Walk through every step with valid answers (tahapan Penerapan)."""
    await register_until_contact(user)
    replies = await user.send_contact("+62 812-3456-7890", "Siti")
    assert "Ringkasan profil inovasi" in texts(replies)


async def register_until_contact(user: SimUser | WaUser) -> None:
    """Walk through every step up to the contact step, with valid answers."""
    await user.send("/baru")
    await user.send("Si Cantik: Posyandu Digital")
    await user.press("Dinas Kesehatan")
    await user.press("Penerapan")
    await user.press("ASN")
    await user.press("Saya sendiri")
    await user.press("Digital")
    await user.press("Inovasi pelayanan publik")
    await user.press("Digitalisasi layanan pemerintahan")
    replies = await user.send("kesehat")
    assert "Hasil pencarian" in texts(replies)
    await user.press("Kesehatan")
    await user.press("Pendidikan")
    replies = await user.send("komunikasi")
    await user.press("Komunikasi dan Informatika")
    replies = await user.press("Selesai")
    assert "Waktu uji coba" in texts(replies)
    await user.send("05/03/2024")
    await user.send("Juni 2024")
    await user.send(MASALAH_1)
    replies = await user.send(MASALAH_2)
    assert "kata" in texts(replies)
    await user.press("Selesai")
    await user.send(RANCANG_1)
    await user.send(RANCANG_2)
    await user.press("Selesai")
    await user.send("Menurunkan angka keterlambatan layanan ibu dan anak.")
    await user.press("Selesai")
    await user.send("Jadwal posyandu diketahui semua warga; data gizi terkirim hari itu juga.")
    await user.press("Selesai")
    await user.send("Kunjungan posyandu naik 35% dalam enam bulan.")
    await user.press("Selesai")
    await user.send_location(4.1367, 117.6631)
    replies = await user.send_document("sk-inovasi.pdf", PDF, "application/pdf")
    assert "sk-inovasi.pdf" in texts(replies)
    replies = await user.send_photo(JPEG)
    assert "2 berkas" in texts(replies)
    replies = await user.press("Selesai")
    assert "Kontak" in texts(replies)


async def test_complete_registration_is_stored_as_submitted(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(5001, first_name="Siti")
    await onboard(user, name="Siti Aminah", unit="Dinas Kesehatan")
    await register_until_summary(user)
    summary = screen_text(user)
    assert "Si Cantik: Posyandu Digital" in summary
    assert "Kelengkapan profil IID: 100%" in summary
    replies = await user.press("Kirim")
    assert "INO-2026-0001" in texts(replies)
    assert "diajukan" in texts(replies)

    [inno] = await innovations(harness)
    async with await harness.session() as session:
        unit = (await session.execute(select(Unit).where(Unit.code == "DINKES"))).scalar_one()
        events = list((await session.execute(select(StatusEvent))).scalars())
        files = list((await session.execute(select(Attachment).order_by(Attachment.id))).scalars())
        states = list((await session.execute(select(FlowState))).scalars())
    assert inno.code == "INO-2026-0001"
    assert inno.status == "diajukan"
    assert inno.nama_inovasi == "Si Cantik: Posyandu Digital"
    assert inno.unit_id == unit.id
    assert (inno.tahapan, inno.inisiator, inno.jenis) == ("penerapan", "asn", "digital")
    assert inno.nama_inisiator == "Siti Aminah"
    assert (inno.bentuk, inno.tematik) == ("pelayanan_publik", "digitalisasi_layanan")
    assert inno.urusan_utama == "kesehatan"
    assert inno.urusan_irisan == ["pendidikan", "kominfo"]
    assert inno.waktu_uji_coba == date(2024, 3, 5)
    assert inno.waktu_penerapan == date(2024, 6, 1)  # "Juni 2024": a month, kept as one
    assert inno.waktu_penerapan_precision == "month"
    assert inno.masalah == f"{MASALAH_1}\n\n{MASALAH_2}"
    assert inno.rancang_bangun == f"{RANCANG_1}\n\n{RANCANG_2}"
    assert inno.tujuan == "Menurunkan angka keterlambatan layanan ibu dan anak."
    assert inno.hasil == "Kunjungan posyandu naik 35% dalam enam bulan."
    assert (inno.latitude, inno.longitude) == (4.1367, 117.6631)
    assert inno.kontak == "+6281234567890"
    assert [(e.from_status, e.to_status) for e in events] == [("draf", "diajukan")]
    assert [f.kind for f in files] == ["document", "photo"]
    assert files[0].filename == "sk-inovasi.pdf"
    assert [(f.mime_type, f.size) for f in files] == [
        ("application/pdf", len(PDF)),
        ("image/jpeg", len(JPEG)),
    ]
    paths = [harness.settings.files_dir / f.path for f in files]
    stored = [await asyncio.to_thread(path.read_bytes) for path in paths]
    assert stored == [PDF, JPEG]
    assert states == []


async def test_two_users_interleaved_keep_their_own_answers(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    ani, budi = sim.user(6001, first_name="Ani"), sim.user(6002, first_name="Budi")
    await asyncio.gather(onboard(ani, name="Ani Lestari"), onboard(budi, name="Budi Hartono"))
    await asyncio.gather(ani.send("/baru"), budi.send("/baru"))
    await asyncio.gather(ani.send("Inovasi milik Ani"), budi.send("Inovasi milik Budi"))
    await asyncio.gather(ani.press("Dinas Kesehatan"), budi.press("Dinas Kesehatan"))
    await asyncio.gather(ani.press("Inisiatif"), budi.press("Uji coba"))
    await asyncio.gather(ani.press("ASN"), budi.press("Masyarakat"))
    a, b = await asyncio.gather(ani.press("Saya sendiri"), budi.press("Saya sendiri"))
    assert "Ani" not in texts(b) and "Budi" not in texts(a)
    rows = await innovations(harness)
    by_name = {r.nama_inovasi: r for r in rows}
    assert by_name["Inovasi milik Ani"].tahapan == "inisiatif"
    assert by_name["Inovasi milik Ani"].nama_inisiator == "Ani Lestari"
    assert by_name["Inovasi milik Budi"].tahapan == "uji_coba"
    assert by_name["Inovasi milik Budi"].inisiator == "masyarakat"
    assert by_name["Inovasi milik Budi"].nama_inisiator == "Budi Hartono"
    assert by_name["Inovasi milik Ani"].owner_id != by_name["Inovasi milik Budi"].owner_id
