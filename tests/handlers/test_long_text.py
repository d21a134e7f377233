"""Long texts are never lost: going back, editing from the summary and resuming from /draf
all show the saved text and add to it; replacing it is a choice that can be undone."""

from __future__ import annotations

from sqlalchemy import select

from bot.simulator import BotApiSimulator, SentMessage, SimUser
from bot.simulator.whatsapp import WaMessage
from models.tables import Innovation
from tests.conftest import BotHarness, onboard, texts
from tests.handlers.test_registration import (
    RANCANG_1,
    RANCANG_2,
    edit_field,
    register_until_summary,
)

SAVED_69 = " ".join(f"kata{i}" for i in range(69))
ONE_SENTENCE = "Kalimat tambahan yang dikirim sesudahnya."


async def rancang_bangun(harness: BotHarness) -> str:
    async with await harness.session() as session:
        innovation = (await session.execute(select(Innovation))).scalar_one()
        return innovation.rancang_bangun or ""


def assert_asks_add_or_replace(prompt: SentMessage | WaMessage, words: int) -> None:
    assert f"({words} kata)" in prompt.text  # the saved text's start and its word count
    assert "akan ditambahkan di akhir teks ini" in prompt.text
    assert "🔄 Ganti seluruhnya" in prompt.button_labels()


async def at_rancang_bangun_with_69_words(user: SimUser, harness: BotHarness) -> None:
    await onboard(user)
    await register_until_summary(user)
    await edit_field(user, "Rancang bangun")
    await user.press("Ganti seluruhnya")
    replies = await user.send(SAVED_69)
    assert "Tersimpan, 69 kata (IID meminta minimal 300)" in texts(replies)
    await user.press("Ringkasan")  # back to the summary, the replacement kept
    assert await rancang_bangun(harness) == SAVED_69


async def test_editing_from_the_summary_adds_to_the_text(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7301)
    await at_rancang_bangun_with_69_words(user, harness)
    replies = await edit_field(user, "Rancang bangun")
    assert_asks_add_or_replace(replies[-1], 69)
    replies = await user.send(ONE_SENTENCE)
    assert "Tersimpan, 74 kata" in texts(replies)
    assert await rancang_bangun(harness) == f"{SAVED_69}\n\n{ONE_SENTENCE}"
    # 74 of 300 words: Selesai would be refused, so it is not offered
    labels = replies[-1].button_labels()
    assert "⏳ Lengkapi nanti (74/300 kata)" in labels
    assert not any(label.startswith("✅ Selesai") for label in labels)


async def test_replacing_keeps_the_old_text_one_step_back(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7302)
    await at_rancang_bangun_with_69_words(user, harness)
    await edit_field(user, "Rancang bangun")
    replies = await user.press("Ganti seluruhnya")
    assert "Kirim teks pengganti" in texts(replies)
    assert await rancang_bangun(harness) == SAVED_69  # nothing changes until the new text
    replies = await user.send(ONE_SENTENCE)
    assert "Teks lama sudah diganti" in texts(replies)
    assert await rancang_bangun(harness) == ONE_SENTENCE
    replies = await user.press("Batalkan penggantian")
    assert "Teks lama dipulihkan (69 kata)" in texts(replies)
    assert await rancang_bangun(harness) == SAVED_69
    assert "↩️ Batalkan penggantian" not in replies[-1].button_labels()


async def test_going_back_and_resuming_from_draf_add_to_the_text(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7303)
    await onboard(user)
    await user.send("/baru")
    await user.send("Inovasi Teks Panjang")
    for label in ("Dinas Kesehatan", "Inisiatif", "ASN", "Saya sendiri", "Digital"):
        await user.press(label)
    for label in ("Inovasi pelayanan publik", "Non tematik", "Kesehatan", "Lewati"):
        await user.press(label)
    latar = " ".join(f"latar{i}" for i in range(31))
    await user.send(latar)
    await user.press("Selesai")
    # ⬅️ Kembali from Rancang bangun to the 31-word Latar belakang
    replies = await user.press("Kembali")
    assert_asks_add_or_replace(replies[-1], 31)
    await user.send("dua kata")
    async with await harness.session() as session:
        masalah = (await session.execute(select(Innovation.masalah))).scalar_one()
    assert masalah == f"{latar}\n\ndua kata"
    await user.press("Selesai")
    await user.send(RANCANG_1)
    await user.send("/batal")
    replies = await user.send("/draf")
    replies = await user.press("Inovasi Teks Panjang")
    assert_asks_add_or_replace(replies[-1], 175)
    replies = await user.send(RANCANG_2)
    assert "Tersimpan, 350 kata" in texts(replies)
    assert await rancang_bangun(harness) == f"{RANCANG_1}\n\n{RANCANG_2}"
    assert "✅ Selesai (350 kata)" in replies[-1].button_labels()
