"""At the evidence step the files sent so far are listed and one can be removed."""

from __future__ import annotations

from sqlalchemy import select

from bot.simulator import BotApiSimulator, SimUser
from models.tables import Attachment, FlowState
from tests.conftest import BotHarness, button_answer, onboard, texts
from tests.samples import JPEG, PDF


async def at_evidence_step(user: SimUser, harness: BotHarness) -> None:
    await onboard(user)
    await user.send("/baru")
    await user.send("Inovasi Banyak Bukti")
    async with await harness.session() as session:
        state = (await session.execute(select(FlowState).where(FlowState.active))).scalar_one()
        state.step, state.rev = "bukti_dukung", state.rev + 10
        await session.commit()
    await user.send("/batal")
    await user.send("/draf")
    replies = await user.press("Inovasi Banyak Bukti")
    assert "Bukti dukung" in texts(replies)


async def attachments(harness: BotHarness) -> list[Attachment]:
    async with await harness.session() as session:
        return list((await session.execute(select(Attachment))).scalars())


async def test_list_and_remove_one_evidence_file(harness: BotHarness, sim: BotApiSimulator) -> None:
    user = sim.user(7601)
    await at_evidence_step(user, harness)
    await user.send_document("sk-kepala-dinas.pdf", PDF, "application/pdf")
    replies = await user.send_photo(JPEG)
    assert "🗂 Lihat / hapus berkas (2)" in replies[-1].button_labels()
    first, second = await attachments(harness)
    replies = await user.press("Lihat / hapus berkas")
    listing = replies[-1]
    assert "Berkas yang sudah terkirim (2)" in listing.text
    assert f"1. sk-kepala-dinas.pdf\n2. {second.filename}" in listing.text
    old_remove = listing.buttons[0][0].callback_data or ""
    replies = await user.press("🗑 1. sk-kepala-dinas.pdf")
    assert "Dihapus: sk-kepala-dinas.pdf" in texts(replies)
    assert [a.id for a in await attachments(harness)] == [second.id]
    assert not (harness.settings.files_dir / first.path).exists()
    assert (harness.settings.files_dir / second.path).exists()
    # the list is redrawn in place; its old first button does nothing a second time
    replies = await user.press_data(old_remove, message=listing)
    assert button_answer(user, replies) == ("Tombol ini sudah tidak berlaku.", [])
    assert [a.id for a in await attachments(harness)] == [second.id]
    replies = await user.press("Kembali ke langkah ini")
    assert "Bukti dukung" in texts(replies) and "1 berkas" in texts(replies)
    replies = await user.press("Selesai")
    assert "Kontak" in texts(replies)
