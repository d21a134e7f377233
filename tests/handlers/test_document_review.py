"""The verifier reads the indicators and the proposal of a submitted innovation and returns
single indicators and sections with a comment; the owner fixes them and submits again."""

from __future__ import annotations

import io

import docx

from bot.simulator import BotApiSimulator
from models.services import indicators, proposal
from models.services.files import EvidenceFile
from models.tables import Innovation, Status
from tests import phones
from tests.conftest import BotHarness, screen_text, texts
from tests.factories import make_innovation, make_user
from tests.samples import PDF

OWNER = 9830
VERIFIER = 9831
SECTION_TEXT = "Ringkasan singkat inovasi jemput bola pemeriksaan TB di desa terpencil."


async def submitted_with_documents(harness: BotHarness) -> Innovation:
    """A submitted innovation whose owner answered two indicators and wrote one section."""
    clock = harness.clock
    async with await harness.session() as session, session.begin():
        await make_user(
            session, clock, telegram_id=VERIFIER, name="Vera Verifikator", unit_code="DINKES",
            role="verifikator",
        )  # fmt: skip
        owner = await make_user(
            session, clock, telegram_id=OWNER, name="Sari Pengusul", unit_code="DINKES"
        )
        innovation = await make_innovation(session, clock, owner=owner, n=2, status=Status.DIAJUKAN)
        now = clock.now()
        await indicators.set_level(session, innovation.id, "regulasi", 1, by=owner.id, now=now)
        stored = harness.settings.files_dir / "iid" / "x.pdf"
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_bytes(PDF)
        evidence = EvidenceFile("document", "sk-kadis.pdf", "application/pdf", 3, "iid/x.pdf")
        await indicators.add_file(
            session, innovation.id, "regulasi", evidence, by=owner.id, now=now
        )
        await indicators.set_level(session, innovation.id, "sdm", 2, by=owner.id, now=now)
        await proposal.save(session, innovation.id, "ringkasan", SECTION_TEXT, now=now)
        return innovation


async def test_verifier_returns_one_indicator_and_one_section(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    innovation = await submitted_with_documents(harness)
    verifier, owner = sim.user(VERIFIER), sim.user(OWNER)
    await owner.send("/start")  # the owner has opened the chat with the bot
    card = texts(await verifier.send(f"status {innovation.code}"))
    assert "Indikator IID: perkiraan skor 1 dari 105 (1%), 1 dari 20 lengkap dengan bukti" in card
    replies = await verifier.press("Indikator IID")
    card = texts(replies)
    assert "✅ 1. Regulasi inovasi daerah: SK Kepala Perangkat Daerah · bukti 1 · 1 poin" in card
    assert "⚠️ 2. Ketersediaan SDM: 11-30 orang · bukti belum ada" in card
    replies = await verifier.press("Lihat bukti indikator (1)")
    [sent] = [m for m in replies if m.document]
    assert sent.document is not None and sent.document.data == PDF
    assert sent.document.filename == f"{innovation.code}-iid-01-regulasi-1.pdf"
    assert "Indikator 1. Regulasi inovasi daerah · sk-kadis.pdf" in sent.text
    await verifier.send(f"status {innovation.code}")
    replies = await verifier.press("Proposal KIPP")
    [document] = [m for m in replies if m.document]
    assert document.document is not None
    word = docx.Document(io.BytesIO(document.document.data))
    assert SECTION_TEXT in "\n".join(p.text for p in word.paragraphs)

    await verifier.send(f"status {innovation.code}")
    confirm = texts(await verifier.press("Verifikasi"))
    # verifying names what IID's indicators still miss, besides the profile
    assert "Perkiraan skor: 1 dari 105" in confirm
    assert "Wajib, belum lengkap: 2. Ketersediaan SDM, 17. Kecepatan penciptaan" in confirm
    await verifier.press("Batal")
    await verifier.send(f"status {innovation.code}")
    await verifier.press("Kembalikan")
    await verifier.send("regulasi")
    await verifier.press("Indikator 1. Regulasi inovasi daerah")
    await verifier.send("proposal")
    await verifier.press("Proposal: Ringkasan")
    await verifier.press("Selesai")
    replies = await verifier.send("SK kepala dinas belum ditandatangani; ringkasan tanpa angka.")
    assert "dikembalikan ke pengusul" in texts(replies)

    notice = owner.last
    assert "Perlu diperbaiki: Indikator 1. Regulasi inovasi daerah, Proposal: Ringkasan" in (
        notice.text
    )
    replies = await owner.press("Perbaiki sekarang")
    summary = texts(replies)
    assert "Diminta diperbaiki di dokumen" in summary
    replies = await owner.press("🚩 📊 Indikator IID")
    assert "🚩 1. Regulasi inovasi daerah" in " ".join(
        label for m in replies for label in m.button_labels()
    )
    await owner.press("🚩 1. Regulasi inovasi daerah")
    await owner.press("SK Kepala Daerah")
    await owner.send_document("sk-bupati.pdf", PDF, "application/pdf")
    await owner.press("Selesai")
    assert "✅ 1. Regulasi inovasi daerah: SK Kepala Daerah · bukti 2 · 2 poin" in screen_text(
        owner
    )
    replies = await owner.send(f"/proposal {innovation.code}")
    assert "🚩 ✏️ Ringkasan (bobot 0%)" in " ".join(
        label for m in replies for label in m.button_labels()
    )
    await owner.press("🚩 ✏️ Ringkasan (bobot 0%)")
    await owner.press("Ganti seluruhnya")
    await owner.send("Ringkasan: 1.240 warga diperiksa, 37 kasus TB ditemukan dini pada 2026.")
    replies = await owner.press("Selesai")
    assert "Proposal KIPP" in texts(replies)
    await owner.send("/draf")
    replies = await owner.press(innovation.nama_inovasi or "")
    replies = await owner.press("Kirim")
    assert "diajukan" in texts(replies).lower()
