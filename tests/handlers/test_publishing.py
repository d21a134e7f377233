"""The owner of a verified innovation is asked whether it may be shown on the public catalog,
chooses the contact and the photos shown, and can change it later; an admin can take it
down."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.settings import Settings
from bot.simulator import BotApiSimulator
from models.catalog_tables import Publication
from models.tables import Attachment, Innovation, Status
from tests import phones
from tests.conftest import BotHarness, button_answer, screen_labels, screen_text, texts
from tests.factories import make_innovation, make_user

OWNER = 9840
VERIFIER = 9841
ADMIN = 9842


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with one bootstrap admin."""
    phones.set_admins(settings, ADMIN)
    return settings


async def submitted_with_photo(harness: BotHarness) -> Innovation:
    clock = harness.clock
    async with await harness.session() as session, session.begin():
        await make_user(
            session, clock, telegram_id=VERIFIER, name="Vera", unit_code="DINKES",
            role="verifikator",
        )  # fmt: skip
        await make_user(
            session, clock, telegram_id=ADMIN, name="Adi", unit_code="ORG", role="admin"
        )
        owner = await make_user(session, clock, telegram_id=OWNER, name="Sari", unit_code="DINKES")
        innovation = await make_innovation(session, clock, owner=owner, n=2, status=Status.DIAJUKAN)
        for name, mime in (("kegiatan.jpg", "image/jpeg"), ("sk.pdf", "application/pdf")):
            session.add(
                Attachment(
                    innovation_id=innovation.id, kind="photo", filename=name, mime_type=mime,
                    size=3, path=f"x/{name}", created_at=datetime(2026, 11, 20, tzinfo=UTC),
                )
            )  # fmt: skip
        return innovation


async def publication(harness: BotHarness, innovation_id: int) -> Publication | None:
    async with await harness.session() as session:
        return await session.get(Publication, innovation_id)


async def test_owner_consents_and_chooses_what_is_shown_and_admin_takes_it_down(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    innovation = await submitted_with_photo(harness)
    owner, verifier, admin = sim.user(OWNER), sim.user(VERIFIER), sim.user(ADMIN)
    await owner.send("/start")
    await verifier.send(f"status {innovation.code}")
    await verifier.press("Verifikasi")
    await verifier.press("Ya, verifikasi")
    notice = screen_text(owner)
    assert "katalog inovasi publik" in notice
    assert await publication(harness, innovation.id) is None  # nothing decided until asked
    replies = await owner.press("Ya, tampilkan di katalog")
    shown = texts(replies)
    assert "akan tampil di katalog publik" in shown and "tidak ditampilkan" in shown
    row = await publication(harness, innovation.id)
    assert row is not None and row.published and not row.public_contact
    await owner.press("Tampilkan nomor kontak")
    replies = await owner.press("▫️ Foto 1: kegiatan.jpg")
    assert "Foto yang ditampilkan: 1 dari 1" in texts(replies)
    assert not any("sk.pdf" in label for label in screen_labels(owner))  # photos only
    row = await publication(harness, innovation.id)
    assert row is not None and row.public_contact and len(row.public_photos) == 1
    # later, from the card
    await owner.send(f"status {innovation.code}")
    replies = await owner.press("Katalog publik")
    assert "Tampil di katalog publik." in texts(replies)
    # an admin takes it down; the owner's consent stays, the catalog does not show it
    await admin.send(f"status {innovation.code}")
    replies = await admin.press("Turunkan dari katalog")
    assert f"{innovation.code} diturunkan dari katalog publik" in texts(replies)
    row = await publication(harness, innovation.id)
    assert row is not None and row.published and row.hidden_at is not None
    await owner.send(f"status {innovation.code}")
    replies = await owner.press("Katalog publik")
    assert "admin menurunkannya" in texts(replies)
    replies = await owner.press("Jangan tampilkan")
    assert "tidak tampil di katalog publik" in texts(replies)
    row = await publication(harness, innovation.id)
    assert row is not None and not row.published


async def test_only_the_owner_changes_the_consent(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    innovation = await submitted_with_photo(harness)
    verifier = sim.user(VERIFIER)
    await verifier.send("/start")
    replies = await verifier.press_data(f"pub:y:{innovation.id}")
    assert await publication(harness, innovation.id) is None
    assert button_answer(verifier, replies)[0] == "Tombol ini sudah tidak berlaku."
