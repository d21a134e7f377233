"""A notice is written in its reader's language, option labels included: an English verifier
reads what a resubmission changed in English, though its owner writes in Indonesian."""

from __future__ import annotations

from sqlalchemy import update

from bot.simulator import BotApiSimulator
from models.tables import Status, User
from tests import phones
from tests.conftest import BotHarness, screen_text, texts
from tests.factories import make_innovation, make_user

OWNER = 9850
VERIFIER = 9851


async def test_a_resubmission_shows_the_changed_options_in_the_verifiers_language(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    clock = harness.clock
    async with await harness.session() as session, session.begin():
        verifier_row = await make_user(
            session, clock, telegram_id=VERIFIER, name="Jane Verifier", unit_code="DINKES",
            role="verifikator",
        )  # fmt: skip
        await session.execute(update(User).where(User.id == verifier_row.id).values(language="en"))
        owner_row = await make_user(
            session, clock, telegram_id=OWNER, name="Sari Pengusul", unit_code="DINKES"
        )
        # n=1: jenis "non_digital"
        innovation = await make_innovation(
            session, clock, owner=owner_row, n=1, status=Status.DIKEMBALIKAN,
            reviewer=verifier_row,
        )  # fmt: skip
    verifier, owner = sim.user(VERIFIER, language_code="en"), sim.user(OWNER)
    await verifier.send("/start")
    await owner.send("/draf")
    await owner.press(innovation.nama_inovasi or "")
    if "✏️ Jenis" not in owner.last.button_labels():
        await owner.press("Ubah isian")
    await owner.press("✏️ Jenis")
    await owner.press("Digital")
    assert "Jenis: Digital" in screen_text(owner)
    replies = await owner.press("Kirim")
    assert "diajukan" in texts(replies)
    notice = verifier.last.text
    assert "Non-digital → Digital" in notice
    assert "Non digital" not in notice
