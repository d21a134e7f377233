"""`indikator KODE`: the owner answers the 20 IID indicators with evidence, in chat, and the
estimated score matches a hand computation from the rules file."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import DEFAULT_IID_RULES
from bot.simulator import BotApiSimulator
from models import iid
from models.document_tables import IndicatorAnswer
from models.tables import Innovation, Status
from tests import phones
from tests.conftest import BotHarness, screen_text, texts
from tests.factories import make_innovation, make_user
from tests.samples import JPEG, PDF

OWNER = 9820
RULES = iid.load_rules(DEFAULT_IID_RULES)
VIDEO = "https://youtu.be/inovasi-tb-keliling"


async def own_innovation(harness: BotHarness, *, status: str = Status.TERVERIFIKASI) -> Innovation:
    async with await harness.session() as session, session.begin():
        owner = await make_user(
            session, harness.clock, telegram_id=OWNER, name="Sari Pengusul", unit_code="DINKES"
        )
        return await make_innovation(session, harness.clock, owner=owner, n=2, status=status)


def level_for(indicator: iid.Indicator) -> int:
    return indicator.nomor % 3 + 1


async def stored_levels(harness: BotHarness, innovation_id: int) -> dict[str, int | None]:
    async with await harness.session() as session:
        rows = await session.scalars(
            select(IndicatorAnswer).where(IndicatorAnswer.innovation_id == innovation_id)
        )
        return {row.key: row.level for row in rows}


async def test_owner_answers_every_indicator_with_evidence(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    innovation = await own_innovation(harness)
    user = sim.user(OWNER)
    replies = await user.send(f"indikator {innovation.code}")
    assert "Indikator 1 dari 20 · Regulasi inovasi daerah" in texts(replies)
    assert "Apa dasar hukum" in texts(replies)
    for indicator in RULES.indikator:
        level = indicator.levels[level_for(indicator) - 1].label
        replies = await user.press(level)
        assert f"Indikator {indicator.nomor} dari 20 · {indicator.label} · bukti" in texts(replies)
        if indicator.bukti.tautan:
            replies = await user.send(f"Videonya di sini: {VIDEO}")
            assert "Tautan tersimpan" in texts(replies)
        elif "pdf" in indicator.bukti.jenis:
            replies = await user.send_document(f"{indicator.key}.pdf", PDF, "application/pdf")
            assert f"Diterima: {indicator.key}.pdf" in texts(replies)
        else:
            replies = await user.send_photo(JPEG)
        replies = await user.press("Selesai")
    summary = screen_text(user)
    # by hand: level x weight for every indicator, all with evidence
    expected = sum(level_for(i) * i.bobot for i in RULES.indikator)
    maximum = 3 * sum(i.bobot for i in RULES.indikator)
    assert f"Perkiraan skor: {expected:g} dari {maximum:g}" in summary
    assert "✅ 20. Video inovasi" in summary
    assert "belum dijawab" not in summary and "bukti belum ada" not in summary
    assert await stored_levels(harness, innovation.id) == {
        i.key: level_for(i) for i in RULES.indikator
    }
    replies = await user.press("Selesai (semua tersimpan)")
    assert f"indikator {innovation.code}" in texts(replies)


async def test_levels_are_saved_at_once_and_the_flow_resumes_at_the_summary(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    innovation = await own_innovation(harness)
    user = sim.user(OWNER)
    await user.send(f"indikator {innovation.code}")
    await user.press("Peraturan Kepala Daerah / Perda")
    assert await stored_levels(harness, innovation.id) == {"regulasi": 3}
    await harness.restart()
    await user.send("/batal")
    # the flow resumes where it stopped: the evidence of the first indicator
    replies = await user.send(f"indikator {innovation.code}")
    assert "Indikator 1 dari 20 · Regulasi inovasi daerah · bukti" in texts(replies)
    # skip the rest for now: 19 levels, and the evidence of Kecepatan, whose level comes
    # from the profile
    for _ in range(21):
        await user.press("Lewati")
    summary = screen_text(user)
    # chosen without evidence: not scored yet, and the summary says what is missing;
    # 3 x 1 (Regulasi) + 3 x 2 (Kecepatan) once the evidence is there
    assert (
        "⚠️ 1. Regulasi inovasi daerah: Peraturan Kepala Daerah / Perda · bukti belum ada" in summary
    )
    assert "Bila semua bukti yang kurang dilengkapi: 9 poin" in summary
    # the profile's dates imply Kecepatan (trial to implementation in one month)
    assert "17. Kecepatan penciptaan: 1-4 bulan" in summary
    assert "▫️ 2. Ketersediaan SDM: belum dijawab" in summary
    assert "Wajib, belum lengkap: 1. Regulasi" in summary
    assert "Perkiraan skor: 0 dari 105" in summary
    # "complete the rest" goes to the first incomplete indicator and back to the summary
    await user.press("Lengkapi yang belum")
    replies = await user.send_document("perbup.pdf", PDF, "application/pdf")
    replies = await user.press("Selesai")
    summary = screen_text(user)
    assert "✅ 1. Regulasi inovasi daerah" in summary
    assert "Perkiraan skor: 3 dari 105" in summary


async def test_without_a_code_the_owner_chooses_and_an_unknown_code_is_not_found(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    innovation = await own_innovation(harness)
    user = sim.user(OWNER)
    replies = await user.send("indikator")
    assert "Tulis <code>indikator KODE</code>" not in texts(replies)  # shown, not markup
    assert "indikator INO-2026-0001" in texts(replies)
    replies = await user.press(f"{innovation.code} · {innovation.nama_inovasi}")
    assert "Indikator 1 dari 20 · Regulasi inovasi daerah" in texts(replies)
    await user.send("/batal")
    replies = await user.send("indikator INO-2026-9999")
    assert "Inovasi INO-2026-9999 tidak ditemukan." in texts(replies)
