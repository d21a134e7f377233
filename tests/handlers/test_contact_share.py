"""The contact steps offer Telegram's "share my number" button; it goes away afterwards."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.simulator import BotApiSimulator
from models.tables import Innovation, User
from tests.conftest import BotHarness, texts
from tests.handlers.test_registration import register_until_summary

SHARE = "📱 Bagikan nomor saya"


@pytest.mark.telegram_only
async def test_onboarding_shares_the_registered_number_with_one_tap(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7801, first_name="Rina")
    await user.send("/start")
    await user.send("Rina Marlina")
    await user.press("Dinas Kesehatan")
    replies = await user.press("Lewati")  # NIP
    assert "Nomor HP" in texts(replies)
    assert "Atau tekan 📱 Bagikan nomor saya" in texts(replies)
    assert user.reply_keyboard == [[SHARE]]
    replies = await user.tap(SHARE)
    assert replies[0].text == f"📱 Nomor tersimpan: {user.phone_number}"
    assert "Akun Anda siap" in texts(replies)
    assert user.reply_keyboard is None  # taken away with the confirmation
    async with await harness.session() as session:
        stored = (await session.execute(select(User.phone))).scalar_one()
    assert stored == user.phone_number


@pytest.mark.telegram_only
async def test_skipping_or_typing_also_takes_the_button_away(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7802)
    await user.send("/start")
    await user.send("Budi Santoso")
    await user.press("Dinas Kesehatan")
    await user.press("Lewati")
    assert user.reply_keyboard == [[SHARE]]
    replies = await user.press("Kembali")  # back to NIP: nothing to confirm yet
    assert "Tanpa nomor kontak" not in texts(replies) and "NIP" in texts(replies)
    await user.press("Lewati")
    replies = await user.press("Lewati")
    assert replies[0].text == "Tanpa nomor kontak." and user.reply_keyboard is None
    await register_until_summary(user)  # its contact step: a typed number works as before
    assert user.reply_keyboard is None
    async with await harness.session() as session:
        kontak = (await session.execute(select(Innovation.kontak))).scalar_one()
    assert kontak == "+6281234567890"
