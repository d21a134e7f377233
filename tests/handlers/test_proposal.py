"""`proposal KODE`: the owner writes the KIPP proposal in chat, starting from drafts the
profile already holds, within each section's word limit, and gets it as a DOCX; the profile
document comes from the card."""

from __future__ import annotations

import io

import docx
from sqlalchemy import select

from bot.app import DEFAULT_MASTER_DATA
from bot.simulator import BotApiSimulator
from models.document_tables import ProposalSection
from models.masterdata import load_master_data
from models.tables import Innovation
from tests import phones
from tests.conftest import BotHarness, labels_of, screen_text, texts
from tests.factories import TRICKY_TEXT
from tests.handlers.test_indicators import OWNER, own_innovation

MASTER = load_master_data(DEFAULT_MASTER_DATA)
LIMITS = {s.key: s.maks_kata for s in MASTER.kipp_bagian}
SUMMARY = "Ringkasan <b>TB Keliling</b> & =SUM(A1) menjemput pasien ke rumah."
NOVELTY = "Kader memakai sepeda motor @puskesmas +62 untuk menjemput dahak pasien."


def document_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


async def stored_sections(harness: BotHarness, innovation_id: int) -> dict[str, str]:
    async with await harness.session() as session:
        rows = await session.scalars(
            select(ProposalSection).where(ProposalSection.innovation_id == innovation_id)
        )
        return {row.key: row.text for row in rows}


async def test_owner_writes_the_proposal_from_drafts_and_gets_the_docx(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    innovation = await own_innovation(harness)
    user = sim.user(OWNER)
    replies = await user.send(f"proposal {innovation.code}")
    prompt = texts(replies)
    assert "Ringkasan (bobot 0%)" in prompt and "Paling banyak 200 kata" in prompt
    assert "Yang dicari penilai" in prompt
    replies = await user.send(SUMMARY)
    assert "dari paling banyak 200 kata" in texts(replies)
    replies = await user.press("Selesai")
    # latar belakang starts from the profile's masalah and tujuan, offered as a draft
    step = texts(replies)
    assert "Latar belakang dan tujuan (bobot 10%)" in step
    assert "draf dari profil" in step
    replies = await user.press("Selesai")
    assert "Kebaruan / nilai tambah (bobot 15%)" in texts(replies)
    too_long = " ".join(["kata"] * (LIMITS["kebaruan"] + 1))
    replies = await user.send(too_long)
    assert (
        f"paling banyak {LIMITS['kebaruan']} kata, tulisan ini {LIMITS['kebaruan'] + 1} kata"
        in (texts(replies))
    )
    replies = await user.send(NOVELTY)
    assert "Tersimpan, 10 dari paling banyak 600 kata" in texts(replies)
    replies = await user.press("Selesai")
    # implementasi: the rancang bangun, as a draft to keep
    assert "Implementasi inovasi (bobot 5%)" in texts(replies)
    for _ in range(5):  # the rest: keep the drafts, or leave them for later
        labels = " ".join(labels_of(replies))
        replies = await user.press("Selesai" if "Selesai (" in labels else "Lewati")
    summary = screen_text(user)
    assert "Proposal KIPP" in summary and "Bagian yang sudah ditulis" in summary
    sections = await stored_sections(harness, innovation.id)
    assert sections["ringkasan"] == SUMMARY and sections["kebaruan"] == NOVELTY
    async with await harness.session() as session:
        stored = await session.get(Innovation, innovation.id)
        assert stored is not None
        masalah, tujuan = stored.masalah or "", stored.tujuan or ""
    assert sections["latar_belakang"] == f"{masalah}\n\n{tujuan}"
    replies = await user.press("Kirim dokumen proposal")
    [document] = [m for m in replies if m.document]
    assert document.document is not None
    assert document.document.filename == f"{innovation.code}-proposal.docx"
    text = document_text(document.document.data)
    for section in MASTER.kipp_bagian:
        assert section.label.split(" /")[0] in text
    assert SUMMARY in text and NOVELTY in text
    assert masalah.splitlines()[0] in text
    assert "Bobot 15% · 10/600 kata" in text


async def test_the_profile_document_from_the_card(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    innovation = await own_innovation(harness)
    user = sim.user(OWNER)
    await user.send(f"indikator {innovation.code}")
    await user.press("SK Kepala Daerah")
    await user.send("/batal")
    await user.send(f"status {innovation.code}")
    replies = await user.press("Dokumen profil")
    [document] = [m for m in replies if m.document]
    assert document.document is not None
    assert document.document.filename == f"{innovation.code}-profil.docx"
    word = docx.Document(io.BytesIO(document.document.data))
    text = "\n".join(p.text for p in word.paragraphs)
    cells = [c.text for table in word.tables for row in table.rows for c in row.cells]
    assert innovation.nama_inovasi and innovation.nama_inovasi in text
    # the long texts in full and verbatim: HTML-looking and formula-looking text included
    assert TRICKY_TEXT.split("\n")[0] in text and "=SUM(A1)" in text
    assert innovation.masalah and innovation.masalah.split("\n")[-1] in text
    assert "Rancang bangun" in text + " ".join(cells)
    assert "SK Kepala Daerah" in cells
    # chosen after the innovation was verified: the document says it waits for a verifier
    assert "Regulasi inovasi daerah\n🕓 menunggu verifikator" in cells
    assert "Perangkat daerah" in cells or "Perangkat daerah" in text
