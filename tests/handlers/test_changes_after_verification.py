"""A verified innovation's indicators and proposal may still change (evaluation campaigns ask
owners to complete them); each change waits for a verifier, who is told, sees what changed,
and accepts what they saw. Until then the card, the indicators and the exports say so."""

from __future__ import annotations

import io
from datetime import timedelta

import docx

from bot.simulator import BotApiSimulator
from bot.simulator.records import SentMessage
from bot.simulator.users import SimUser
from bot.simulator.whatsapp.records import WaMessage
from bot.simulator.whatsapp.users import WaUser
from tests import phones
from tests.conftest import BotHarness, button_answer, screen_text, texts
from tests.handlers.test_document_review import OWNER, VERIFIER, submitted_with_documents

SDM = "2. Ketersediaan SDM"
REGULASI = "1. Regulasi inovasi daerah"


async def verified_in_chat(
    sim: BotApiSimulator | phones.WhatsAppPhones, code: str
) -> tuple[SimUser | WaUser, SimUser | WaUser]:
    """The verifier verifies the submitted innovation in chat; return (verifier, owner)."""
    verifier, owner = sim.user(VERIFIER), sim.user(OWNER)
    await owner.send("/start")
    await verifier.send(f"status {code}")
    await verifier.press("Verifikasi")
    await verifier.press("Ya, verifikasi")
    return verifier, owner


async def change_level(owner: SimUser | WaUser, code: str, indicator: str, level: str) -> str:
    """Open the indicators, choose another level for one, leave; return the last reply."""
    await owner.send(f"indikator {code}")
    await owner.press("Pilih indikator")
    await owner.press(indicator)
    await owner.press(level)
    await owner.press("Lewati")  # the evidence, for later
    return texts(await owner.press("Selesai (semua tersimpan)"))


async def test_a_change_after_verification_waits_for_the_verifier_who_accepts_it(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    innovation = await submitted_with_documents(harness)
    code = innovation.code or ""
    # the proposal's first drafts are written before the verification, and checked with it
    await sim.user(OWNER).send(f"proposal {code}")
    await sim.user(OWNER).press("Selesai (semua tersimpan)")
    verifier, owner = await verified_in_chat(sim, code)
    assert "Antrian verifikasi kosong" in texts(await verifier.send("/antrian"))
    # what was verified with the innovation does not wait
    await owner.send(f"indikator {code}")
    summary = screen_text(owner)
    assert "menunggu verifikator" not in summary
    assert "diperiksa lagi oleh verifikator" in summary
    await owner.send("/batal")

    # the owner changes one indicator: the verifier is told once, with what changed
    before = len(verifier.messages)
    left = await change_level(owner, code, SDM, "Lebih dari 30 orang")
    assert "Indikator tersimpan" in left and "Vera Verifikator" in left
    assert len(verifier.messages) == before + 1
    notice = verifier.last.text
    assert "Sari Pengusul memperbarui Indikator 2. Ketersediaan SDM" in notice
    assert code in notice
    # leaving again without a change tells nobody
    await owner.send(f"indikator {code}")
    await owner.press("Selesai (semua tersimpan)")
    assert len(verifier.messages) == before + 1
    # nor does leaving the other flow: who was told of what is the innovation's
    await owner.send(f"proposal {code}")
    await owner.press("Selesai (semua tersimpan)")
    assert len(verifier.messages) == before + 1

    replies = await verifier.send("/antrian")
    [item] = [label for m in replies for label in m.button_labels() if code in label]
    # (WhatsApp cuts a list row's text at its limit)
    assert item.startswith(f"🔄 {code} · {innovation.nama_inovasi} · indikator/proposal diper")
    await verifier.press(item)
    card = screen_text(verifier)
    assert "Diubah setelah verifikasi, menunggu pemeriksaan verifikator" in card
    assert "Indikator 2. Ketersediaan SDM" in card and "Indikator 1." not in card
    await verifier.press("Indikator IID")
    indicator_card = screen_text(verifier)
    [sdm_line] = [line for line in indicator_card.splitlines() if f" {SDM}:" in line]
    [regulasi_line] = [ln for ln in indicator_card.splitlines() if f" {REGULASI}:" in ln]
    assert "menunggu verifikator" in sdm_line and "menunggu verifikator" not in regulasi_line
    # the profile document says so too
    await verifier.send(f"status {code}")
    [sent] = [m for m in await verifier.press("Dokumen profil") if m.document]
    assert sent.document is not None
    cells = [
        cell.text
        for table in docx.Document(io.BytesIO(sent.document.data)).tables
        for row in table.rows
        for cell in row.cells
    ]
    waiting = [text for text in cells if "menunggu verifikator" in text]
    assert waiting and all("Ketersediaan SDM" in text for text in waiting)

    # the verifier opens the card; the owner changes the proposal meanwhile
    await verifier.send(f"status {code}")
    shown = verifier.latest_with_buttons()
    harness.clock.advance(timedelta(seconds=5))
    await owner.send(f"proposal {code}")
    await owner.press("Ringkasan")
    await owner.press("Ganti seluruhnya")
    await owner.send("Ringkasan baru dengan angka: 1.240 warga diperiksa.")
    await owner.press("Selesai")
    await owner.press("Selesai (semua tersimpan)")
    # accepting accepts what the verifier saw, not the later section
    replies = await press_on(verifier, "Perubahan sesuai", shown)
    accepted = texts(replies)
    assert f"Perubahan {code} diterima (1 bagian)" in accepted
    assert "Verifikator menerima perubahan" in owner.last.text
    # what came after stays in the queue
    replies = await verifier.send("/antrian")
    assert any(code in label for m in replies for label in m.button_labels())
    await verifier.send(f"status {code}")
    card = screen_text(verifier)
    assert "Proposal: Ringkasan" in card and "Indikator 2." not in card
    shown = verifier.latest_with_buttons()
    assert shown is not None
    again = accept_payload(shown)
    await press_on(verifier, "Perubahan sesuai", shown)
    assert "Antrian verifikasi kosong" in texts(await verifier.send("/antrian"))
    await owner.send(f"status {code}")
    assert "Diubah setelah verifikasi" not in screen_text(owner)
    # the button again, with nothing waiting any more, only says it is stale
    replies = await verifier.press_data(again)
    assert button_answer(verifier, replies) == ("Tombol ini sudah tidak berlaku.", [])


def accept_payload(message: SentMessage | WaMessage) -> str:
    """The payload of a card's "changes are fine" button."""
    if isinstance(message, SentMessage):
        buttons = [(b.text, b.callback_data or "") for row in message.buttons for b in row]
    else:
        buttons = [(b.label, b.id) for b in message.all_buttons()]
    [payload] = [data for label, data in buttons if "Perubahan sesuai" in label]
    return payload


async def press_on(
    user: SimUser | WaUser, label: str, message: SentMessage | WaMessage | None
) -> list[SentMessage] | list[WaMessage]:
    """Press a button of an earlier message (the channel's own kind of message)."""
    if isinstance(user, SimUser):
        assert isinstance(message, SentMessage)
        return await user.press(label, message=message)
    assert isinstance(message, WaMessage)
    return await user.press(label, message=message)


async def test_the_verifier_asks_for_a_fix_and_the_owner_fixes_the_flagged_indicator(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    innovation = await submitted_with_documents(harness)
    code = innovation.code or ""
    verifier, owner = await verified_in_chat(sim, code)
    await change_level(owner, code, SDM, "Lebih dari 30 orang")

    await verifier.send(f"status {code}")
    replies = await verifier.press("Minta perbaikan")
    assert f"Meminta perbaikan atas perubahan {code}: Indikator 2. Ketersediaan SDM" in texts(
        replies
    )
    replies = await verifier.send("Belum ada SK tim; lampirkan daftar petugas.")
    done = texts(replies)
    assert f"Permintaan perbaikan untuk {code} terkirim" in done and "Pengusul" in done
    notice = owner.last
    assert "Verifikator meminta perbaikan" in notice.text
    assert "Indikator 2. Ketersediaan SDM" in notice.text
    assert "Belum ada SK tim; lampirkan daftar petugas." in notice.text
    # the change still waits: the queue keeps it
    replies = await verifier.send("/antrian")
    assert any(code in label for m in replies for label in m.button_labels())

    harness.clock.advance(timedelta(minutes=30))  # the owner fixes it later
    before = len(verifier.messages)
    await press_on(owner, "Indikator IID", notice)
    assert f"🚩 {SDM}" in " ".join(owner.last.button_labels())
    await owner.press(f"🚩 {SDM}")
    await owner.press("11-30 orang")
    await owner.press("Lewati")
    left = texts(await owner.press("Selesai (semua tersimpan)"))
    # the fix is a new change: the verifier is told again
    assert "Vera Verifikator" in left
    assert len(verifier.messages) == before + 1
    assert "Indikator 2. Ketersediaan SDM" in verifier.last.text

    await verifier.send(f"status {code}")
    accepted = texts(await verifier.press("Perubahan sesuai"))
    assert f"Perubahan {code} diterima" in accepted
    # accepted: nothing is flagged any more
    await owner.send(f"indikator {code}")
    assert "🚩" not in " ".join(owner.last.button_labels())
