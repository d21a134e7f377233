"""A visitor who follows the catalog's link into the bot (or anyone who types the code of an
innovation on the catalog) sees its public card: the public fields only."""

from __future__ import annotations

from bot.simulator import BotApiSimulator
from models.services import publication
from models.tables import Innovation, Status
from tests import phones
from tests.conftest import BotHarness, onboard, texts
from tests.factories import make_innovation, make_user

OWNER = 9850
VISITOR = 9851
NIP = "198501012010011001"


async def published_and_private(harness: BotHarness) -> tuple[Innovation, Innovation]:
    clock = harness.clock
    async with await harness.session() as session, session.begin():
        owner = await make_user(
            session, clock, telegram_id=OWNER, name="Rina Pemilik", unit_code="DINKES"
        )
        owner.nip, owner.phone = NIP, "+6281299990000"
        shown = await make_innovation(session, clock, owner=owner, n=2, status=Status.TERVERIFIKASI)
        hidden = await make_innovation(
            session, clock, owner=owner, n=3, status=Status.TERVERIFIKASI
        )
        await publication.decide(session, shown, published=True, by=owner.id, now=clock.now())
        return shown, hidden


def assert_public_only(text: str) -> None:
    for private in ("Rina Pemilik", NIP, "+6281299990000", "+6281234567890", "Riwayat"):
        assert private not in text


async def test_a_visitor_from_the_catalog_sees_the_public_card(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    shown, hidden = await published_and_private(harness)
    visitor = sim.user(VISITOR)
    # the catalog's links: t.me/<bot>?start=CODE on Telegram, "status CODE" on WhatsApp
    first = (
        f"/start {shown.code}" if phones.CURRENT[0] == phones.TELEGRAM else f"status {shown.code}"
    )
    replies = await visitor.send(first)
    card = texts(replies)
    assert f"{shown.nama_inovasi}</b>" not in card  # shown as formatting, not as markup
    assert f"({shown.code}) · dari katalog inovasi publik" in card
    assert "Unit: Dinas Kesehatan" in card and "Tahapan: Penerapan" in card
    assert_public_only(card)
    # an innovation not on the catalog: nothing of it (a newcomer is asked to register first)
    replies = await visitor.send(f"/status {hidden.code}")
    assert "dari katalog" not in texts(replies)
    assert hidden.nama_inovasi and hidden.nama_inovasi not in texts(replies)


async def test_a_civil_servant_of_another_unit_sees_the_public_card(
    harness: BotHarness, sim: BotApiSimulator | phones.WhatsAppPhones
) -> None:
    shown, hidden = await published_and_private(harness)
    other = sim.user(VISITOR)
    await onboard(other, name="Dedi Lain", unit="Dinas Pendidikan")
    replies = await other.send(f"status {shown.code}")
    assert "dari katalog inovasi publik" in texts(replies)
    assert_public_only(texts(replies))
    replies = await other.send(f"status {hidden.code}")
    assert f"Inovasi {hidden.code} tidak ditemukan." in texts(replies)
