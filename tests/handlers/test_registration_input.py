"""Bad input, back, skip, edit from the summary, /batal and /draf, restarts."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.simulator import BotApiSimulator, SimUser
from models.tables import FlowState, Innovation
from tests.conftest import BotHarness, button_answer, onboard, screen_labels, texts
from tests.handlers.test_registration import (
    JPEG,
    MASALAH_1,
    MASALAH_2,
    edit_field,
    register_until_summary,
)

PROFILE_COLUMNS = [c.name for c in Innovation.__table__.columns if c.name != "updated_at"]


async def snapshot(harness: BotHarness) -> list[dict[str, Any]]:
    async with await harness.session() as session:
        rows = (await session.execute(select(Innovation).order_by(Innovation.id))).scalars()
        return [{c: getattr(r, c) for c in PROFILE_COLUMNS} for r in rows]


async def flow_step(harness: BotHarness) -> tuple[str, str]:
    async with await harness.session() as session:
        state = (await session.execute(select(FlowState).where(FlowState.active))).scalar_one()
        return state.step, state.mode


async def start_draft(user: SimUser) -> None:
    await onboard(user)
    await user.send("/baru")


async def test_bad_text_input_is_reasked_and_changes_nothing(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7001)
    await start_draft(user)
    before = await snapshot(harness)
    cases = [
        ("   ", "tidak boleh kosong"),
        ("Abc", "Terlalu pendek"),
        ("x" * 151, "Terlalu panjang"),
    ]
    for text, expected in cases:
        replies = await user.send(text)
        assert expected in texts(replies), text
        assert "Langkah 1/" in texts(replies)
        assert await snapshot(harness) == before
    replies = await user.send_photo(JPEG)
    assert "ketik jawaban berupa teks" in texts(replies)
    replies = await user.send_sticker()
    assert "ketik jawaban berupa teks" in texts(replies)
    assert await snapshot(harness) == before
    assert await flow_step(harness) == ("nama_inovasi", "form")


async def test_html_in_answers_is_shown_escaped(harness: BotHarness, sim: BotApiSimulator) -> None:
    user = sim.user(7002)
    await onboard(user, name="<i>Ana</i> & Co")
    await user.send("/baru")
    replies = await user.send("<b>Dinas & Co</b> <script>")
    assert "Perangkat daerah" in texts(replies)
    replies = await user.press("Kembali")
    assert "Jawaban tersimpan: <b>Dinas & Co</b> <script>" in texts(replies)
    replies = await user.send("/draf")
    assert "<b>Dinas & Co</b> <script>" in str(screen_labels(user))
    await user.press("Dinas & Co")
    await user.send("Inovasi &amp; <u>layanan</u>")
    await user.press("Dinas Kesehatan")
    await user.press("Inisiatif")
    await user.press("ASN")
    replies = await user.press("Saya sendiri")
    replies = await user.press("Kembali")
    assert "Jawaban tersimpan: <i>Ana</i> & Co" in texts(replies)
    [row] = await snapshot(harness)
    assert row["nama_inovasi"] == "Inovasi &amp; <u>layanan</u>"
    assert row["nama_inisiator"] == "<i>Ana</i> & Co"
    assert sim.rejected == []


@pytest.mark.telegram_only
async def test_bad_dates_and_files_are_reasked(harness: BotHarness, sim: BotApiSimulator) -> None:
    user = sim.user(7003)
    await start_draft(user)
    await user.send("Layanan Cepat Tanggap")
    await user.press("Dinas Kesehatan")
    await user.press("Penerapan")
    await user.press("ASN")
    await user.press("Saya sendiri")
    await user.press("Non digital")
    await user.press("Inovasi pelayanan publik")
    await user.press("Non tematik")
    await user.press("Kesehatan")
    await user.press("Lewati")
    before = await snapshot(harness)
    for text, expected in [
        ("31/02/2024", "tidak ada di kalender"),
        ("22/11/2099", "masa depan"),
        ("kemarin sore", "Tanggal tidak dikenali"),
    ]:
        replies = await user.send(text)
        assert expected in texts(replies)
        assert await snapshot(harness) == before
    await user.send("05/03/2024")
    replies = await user.send("01/01/2024")
    assert "tidak boleh sebelum 5 Maret 2024" in texts(replies)
    assert await flow_step(harness) == ("waktu_penerapan", "form")
    await user.send("10/03/2024")
    replies = await user.send("terlalu singkat")
    # only what will be accepted is offered: no Selesai below the minimum
    assert "Tersimpan, 2 kata (minimal 30)" in texts(replies)
    assert replies[-1].button_labels() == ["⬅️ Kembali"]
    assert await flow_step(harness) == ("masalah", "form")
    await user.send(MASALAH_1 + " " + MASALAH_2)
    await user.press("Selesai")
    replies = await user.send("Rancang bangun singkat dulu.")
    assert "IID meminta minimal 300" in texts(replies)
    assert replies[-1].button_labels() == ["⏳ Lengkapi nanti (4/300 kata)", "⬅️ Kembali"]
    replies = await user.press("Lengkapi nanti")
    assert "Tujuan" in texts(replies)
    for _ in range(3):
        await user.send("Teks yang cukup untuk isian ini.")
        await user.press("Selesai")
    await user.press("Lewati")
    before = await snapshot(harness)
    replies = await user.send_document("virus.exe", b"MZ" * 10, "application/octet-stream")
    assert "Jenis berkas tidak didukung" in texts(replies)
    replies = await user.send_document(
        "besar.pdf", b"%PDF", "application/pdf", declared_size=25 * 1024 * 1024
    )
    assert "terlalu besar" in texts(replies)
    replies = await user.send("ini bukan berkas")
    assert "kirim foto atau dokumen" in texts(replies)
    assert await snapshot(harness) == before
    await user.press("Lewati")
    replies = await user.send("12345")
    assert "Nomor HP tidak valid" in texts(replies)
    replies = await user.press("Lewati")
    summary = texts(replies)
    assert "Belum memenuhi jumlah kata minimum: Rancang bangun" in summary
    replies = await user.press("Kirim")
    assert "INO-2026-0001" in texts(replies)


async def test_old_buttons_are_refused_and_change_nothing(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7004)
    await start_draft(user)
    shown = await user.send("Inovasi Tombol Lama")
    unit_prompt = next(m for m in shown if "Dinas Pendidikan" in m.button_labels())
    await user.press("Dinas Kesehatan")
    await user.press("Uji coba")
    before = await snapshot(harness)
    replies = await user.press("Dinas Pendidikan", message=unit_prompt)
    notice, rest = button_answer(user, replies)
    assert rest == [] and "tidak berlaku" in (notice or "")
    await user.press_data("f:999:c:kesehatan")
    await user.press_data("garbage")
    assert await snapshot(harness) == before
    assert await flow_step(harness) == ("inisiator", "form")


async def test_back_skip_edit_cancel_and_resume(harness: BotHarness, sim: BotApiSimulator) -> None:
    user = sim.user(7005)
    await onboard(user, name="Rina")
    await register_until_summary(user)
    replies = await edit_field(user, "Nama inovasi")
    assert "Langkah 1/" in texts(replies)
    replies = await user.send("Si Cantik Versi Dua")
    assert "Ringkasan profil inovasi" in texts(replies)
    assert "Si Cantik Versi Dua" in texts(replies)
    # changing tahapan to Inisiatif hides the dates; back to Penerapan asks for them again
    await edit_field(user, "Tahapan")
    replies = await user.press("Inisiatif")
    assert "Ringkasan" in texts(replies) and "Waktu uji coba" not in texts(replies)
    await edit_field(user, "Tahapan")
    replies = await user.press("Penerapan")
    assert "Ringkasan" in texts(replies)
    assert "5 Maret 2024" in texts(replies)
    # /batal leaves, /draf resumes at the summary
    await edit_field(user, "Kontak")
    replies = await user.send("/batal")
    assert "Draf Anda tetap tersimpan" in texts(replies)
    replies = await user.send("bukan perintah")
    assert "/bantuan" in texts(replies)
    await user.send("/draf")
    replies = await user.press("Si Cantik Versi Dua")
    assert "Kontak" in texts(replies) and "Langkah" in texts(replies)
    replies = await user.press("Kembali ke ringkasan")
    assert "Ringkasan" in texts(replies)
    [row] = await snapshot(harness)
    assert row["nama_inovasi"] == "Si Cantik Versi Dua"
    assert row["status"] == "draf"


@pytest.mark.telegram_only
async def test_back_and_skip_in_the_middle(harness: BotHarness, sim: BotApiSimulator) -> None:
    user = sim.user(7006)
    await start_draft(user)
    await user.send("Inovasi Maju Mundur")
    await user.press("Dinas Kesehatan")
    replies = await user.press("Kembali")
    assert "Langkah 2/" in texts(replies)
    assert await flow_step(harness) == ("unit_id", "form")
    replies = await user.press("Kembali")
    assert "Langkah 1/" in texts(replies) and "Inovasi Maju Mundur" in texts(replies)
    await user.send("Inovasi Maju Terus")
    await user.press("Dinas Kesehatan")
    await user.press("Inisiatif")
    await user.press("Kepala Daerah")
    await user.send("Bupati Nunukan")
    await user.press("Digital")
    await user.press("Inovasi tata kelola")
    await user.press("Kemudahan investasi")
    await user.press("▶️")
    replies = await user.press("▶️")
    assert replies[0].edited and "3/5" in replies[0].button_labels()
    await user.press("Penanaman Modal")
    replies = await user.press("Lewati")
    # Inisiatif: no trial or implementation date is asked
    assert "Latar belakang masalah" in texts(replies)
    [row] = await snapshot(harness)
    assert row["nama_inovasi"] == "Inovasi Maju Terus"
    assert row["urusan_irisan"] == []
    assert row["skipped"] == ["urusan_irisan"]


async def test_restart_in_the_middle_continues_at_the_same_step(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7007)
    await start_draft(user)
    await user.send("Inovasi Tahan Restart")
    await user.press("Dinas Kesehatan")
    await user.press("Inisiatif")
    await user.press("ASN")
    await user.press("Saya sendiri")
    await user.press("Digital")
    await user.press("Inovasi pelayanan publik")
    await user.press("Non tematik")
    await user.press("Kesehatan")
    await user.press("Lewati")
    await user.send(MASALAH_1)
    await harness.restart()
    replies = await user.send(MASALAH_2)
    assert "Tersimpan, 33 kata" in texts(replies)
    replies = await user.press("Selesai")
    assert "Rancang bangun" in texts(replies)
    [row] = await snapshot(harness)
    assert row["masalah"] == f"{MASALAH_1}\n\n{MASALAH_2}"
    await harness.restart()
    replies = await user.send("/start")
    assert "Halo" in texts(replies)
    replies = await user.send("Rancang bangun bagian pertama.")
    assert "Tersimpan" in texts(replies)
    assert await flow_step(harness) == ("rancang_bangun", "form")
