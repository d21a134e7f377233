"""Managing one's drafts: no empty drafts, /baru in the middle of one asks, /draf deletes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.simulator import BotApiSimulator, SentMessage
from bot.simulator.whatsapp import WaMessage
from models.tables import Attachment, FlowState, Innovation
from tests.conftest import BotHarness, onboard, texts
from tests.handlers.test_registration import register_until_summary
from tests.samples import PDF

QUESTION = "Anda sedang mengisi draf"


async def names(harness: BotHarness) -> list[str | None]:
    async with await harness.session() as session:
        rows = await session.execute(select(Innovation.nama_inovasi).order_by(Innovation.id))
        return list(rows.scalars())


def drafts_listed(message: SentMessage | WaMessage) -> list[str]:
    """Return the drafts a /draf listing offers, in order (each has a delete button too)."""
    return [b.split(" · ")[0] for b in message.button_labels() if not b.startswith("🗑")]


async def test_no_draft_row_before_the_first_answer(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7501)
    await onboard(user)
    for _ in range(2):
        replies = await user.send("/baru")
        assert "Nama inovasi" in texts(replies) and QUESTION not in texts(replies)
    assert await names(harness) == []
    assert "belum punya draf" in texts(await user.send("/draf"))
    await user.send("/baru")
    replies = await user.send("Posyandu Keliling")
    assert "Perangkat daerah" in texts(replies)
    assert await names(harness) == ["Posyandu Keliling"]


async def test_baru_in_the_middle_of_a_draft_asks_continue_or_another(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7502)
    await onboard(user)
    await user.send("/baru")
    await user.send("Posyandu Keliling")
    await user.press("Dinas Kesehatan")
    replies = await user.send("/baru")
    assert f"{QUESTION} Posyandu Keliling" in texts(replies)
    assert replies[-1].button_labels() == [
        "▶️ Lanjutkan Posyandu Keliling",
        "🆕 Mulai inovasi lain",
    ]
    replies = await user.press("Lanjutkan Posyandu Keliling")
    assert "Tahapan" in texts(replies)  # exactly where it stopped
    await user.send("/new")
    replies = await user.press("Mulai inovasi lain")
    assert "Nama inovasi" in texts(replies)
    assert await names(harness) == ["Posyandu Keliling"]
    await user.send("Sekolah Ramah Anak")
    assert await names(harness) == ["Posyandu Keliling", "Sekolah Ramah Anak"]
    replies = await user.send("/draf")
    assert drafts_listed(replies[-1]) == [
        "Sekolah Ramah Anak",
        "Posyandu Keliling",
    ]


async def test_a_draft_is_deleted_from_draf_with_its_files(
    harness: BotHarness, sim: BotApiSimulator, tmp_path: Path
) -> None:
    user = sim.user(7503)
    await onboard(user)
    await user.send("/baru")
    await user.send("Inovasi Akan Dihapus")
    async with await harness.session() as session:
        state = (await session.execute(select(FlowState).where(FlowState.active))).scalar_one()
        state.step, state.rev = "bukti_dukung", state.rev + 10
        await session.commit()
    await user.send("/batal")
    await user.send("/draf")
    await user.press("Inovasi Akan Dihapus")
    replies = await user.send_document("sk.pdf", PDF, "application/pdf")
    assert "Diterima: sk.pdf" in texts(replies)
    async with await harness.session() as session:
        [attachment] = (await session.execute(select(Attachment))).scalars().all()
    stored = harness.settings.files_dir / attachment.path
    assert stored.exists()
    await user.send("/baru")
    await user.press("Mulai inovasi lain")
    await user.send("Inovasi Yang Tetap")
    await user.send("/draf")
    replies = await user.press_data(f"draft:del:{attachment.innovation_id}")
    assert "Hapus draf Inovasi Akan Dihapus beserta berkas buktinya?" in texts(replies)
    replies = await user.press("Ya, hapus")
    assert "Draf Inovasi Akan Dihapus dihapus." in texts(replies)
    assert drafts_listed(replies[-1]) == ["Inovasi Yang Tetap"]
    assert await names(harness) == ["Inovasi Yang Tetap"]
    assert not stored.exists()
    async with await harness.session() as session:
        assert (await session.execute(select(Attachment))).scalars().all() == []
    # the confirmation pressed again, or forged for someone else's draft: nothing happens
    replies = await user.press_data(f"draft:dely:{attachment.innovation_id}")
    assert await names(harness) == ["Inovasi Yang Tetap"]


async def test_a_submitted_innovation_cannot_be_deleted_from_draf(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7504)
    await onboard(user)
    await register_until_summary(user)
    await user.press("Kirim untuk diverifikasi")
    async with await harness.session() as session:
        innovation = (await session.execute(select(Innovation))).scalar_one()
    await user.press_data(f"draft:dely:{innovation.id}")
    assert await names(harness) == ["Si Cantik: Posyandu Digital"]


async def test_batal_says_what_stays_for_the_flow_it_leaves(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7505)
    await onboard(user)
    replies = await user.send("/dataku")
    await user.press(replies[-1].button_labels()[0])  # change the name: a one-step flow
    replies = await user.send("/batal")
    assert texts(replies) == "Dibatalkan."
    await user.send("/baru")
    replies = await user.send("/batal")
    assert "Draf Anda tetap tersimpan" in texts(replies)
    replies = await user.send("/batal")
    assert texts(replies) == "Tidak ada isian yang sedang berjalan."
