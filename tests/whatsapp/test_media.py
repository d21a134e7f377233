"""Files on WhatsApp: what users send is fetched when handled, by a fresh download URL (a URL
lives five minutes); what the bot sends is uploaded once and its id reused; the contact step
offers the sender's own number."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.tables import Attachment, Innovation
from tests import phones
from tests.conftest import BotHarness, onboard, texts
from tests.handlers.test_registration import (
    JPEG,
    PDF,
    register_until_contact,
    register_until_summary,
)

pytestmark = pytest.mark.parametrize("channel", [phones.WHATSAPP], indirect=True)


async def test_a_photo_taken_up_after_its_first_url_lapsed_is_still_fetched(
    harness: BotHarness, sim: phones.WhatsAppPhones
) -> None:
    user = sim.user(6301)
    await onboard(user)
    await register_until_summary(user)  # the whole registration, with a PDF and a photo
    await user.press("Ubah isian")
    await user.press("Bukti dukung")
    async with sim.wa.held() as batch:
        await user.fire_photo(JPEG + b"kedua")
        harness.clock.advance(timedelta(minutes=10))  # a URL asked for before now is dead
        await batch.release()
    await sim.wait_idle()
    async with await harness.session() as session:
        files = (await session.execute(select(Attachment).order_by(Attachment.id))).scalars().all()
    stored = [(harness.settings.files_dir / f.path).read_bytes() for f in files]
    assert stored == [PDF, JPEG, JPEG + b"kedua"]


async def test_a_file_the_bot_sends_twice_is_uploaded_once(
    harness: BotHarness, sim: phones.WhatsAppPhones
) -> None:
    user = sim.user(6302)
    await onboard(user)
    await register_until_summary(user)
    await user.press("Kirim")
    for _ in range(2):
        replies = await user.send("/status INO-2026-0001")
        replies = await user.press("Lihat bukti", message=replies[-1])
        [document, photo] = replies
        assert document.document is not None and document.document.data == PDF
        assert photo.photo == JPEG
    assert [name for name, _, _ in sim.wa.uploads] == ["INO-2026-0001-bukti-1.pdf",
                                                       "INO-2026-0001-bukti-2.jpg"]  # fmt: skip


async def test_the_contact_step_offers_the_senders_own_number(
    harness: BotHarness, sim: phones.WhatsAppPhones
) -> None:
    user = sim.user(6303)
    await onboard(user)
    await register_until_contact(user)
    prompt = texts(user.answer)
    assert "Pakai nomor WA ini" in prompt and "Telegram" not in prompt
    replies = await user.press("Pakai nomor WA ini")
    assert "Ringkasan profil inovasi" in texts(replies)
    async with await harness.session() as session:
        [contact] = (await session.execute(select(Innovation.kontak))).scalars().all()
    assert contact is not None and contact.lstrip("+0").endswith(user.wa_id[2:])
