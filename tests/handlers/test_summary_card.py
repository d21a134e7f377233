"""The summary card fits a phone: completeness first, fields under headings, one button to
open the list of fields to edit."""

from __future__ import annotations

import pytest

from bot.forms.definitions import REGISTRATION
from bot.simulator import BotApiSimulator
from tests.conftest import BotHarness, onboard
from tests.handlers.test_registration import register_until_summary


def test_every_registration_field_has_one_heading() -> None:
    grouped = [key for _, keys in REGISTRATION.groups for key in keys]
    assert sorted(grouped) == sorted(s.key for s in REGISTRATION.steps)


@pytest.mark.telegram_only  # the card is edited in place into the list of fields
async def test_the_summary_card_is_short_and_edits_from_one_button(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7701)
    await onboard(user)
    await register_until_summary(user)
    card = user.last
    lines = card.text.splitlines()
    assert lines[0] == "Ringkasan profil inovasi"
    assert lines[2].startswith("📊 Kelengkapan profil IID: 100%")  # at the top
    assert lines[3] == "" and lines[4] == "🪪 Identitas"
    for heading in ("🪪 Identitas", "🏷 Klasifikasi", "📅 Waktu", "📝 Uraian", "📎 Pendukung"):
        assert heading in lines
    assert len(lines) <= 30
    assert card.button_labels() == [
        "✏️ Ubah isian",
        "📤 Kirim untuk diverifikasi",
        "💾 Simpan draf",
        "🗑 Hapus",
    ]
    replies = await user.press("Ubah isian")
    listing = replies[-1]
    assert listing.message_id == card.message_id  # the card turns into the list, in place
    assert listing.text == "Isian mana yang ingin diubah?"
    labels = listing.button_labels()
    assert labels[:3] == ["✏️ Nama inovasi", "✏️ Perangkat daerah", "✏️ Tahapan"]
    assert len(labels) == 21 and labels[-1] == "↩️ Kembali ke ringkasan"
    replies = await user.press("Kembali ke ringkasan")
    assert replies[-1].text.splitlines()[0] == "Ringkasan profil inovasi"
    replies = await user.press("Ubah isian")
    replies = await user.press("Kontak")
    assert "Kontak" in replies[0].text and "Langkah 20/20" in replies[0].text
