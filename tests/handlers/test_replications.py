"""Replications end to end: recorded from the owner's card (the original's owner is told),
from a monev report 'Direplikasi' (by whom), and read by the IID Replikasi indicator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator, SimUser
from bot.simulator.whatsapp import WaUser
from models.catalog_tables import Replication
from models.db import transaction
from models.services import replications
from models.services.replications import Side
from models.tables import Innovation, Role, Status
from tests import phones
from tests.conftest import BotHarness, labels_of, screen_text, texts
from tests.factories import make_innovation
from tests.scheduler.support import add_user, add_verified, deps_of, fast

ORIGINAL_OWNER, REPLICA_OWNER, VERIFIER = 9701, 9702, 9703
Sim = BotApiSimulator | phones.WhatsAppPhones


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fast reminder settings, no background sweep."""
    return fast(settings)


async def two_innovations(harness: BotHarness, sim: Sim) -> tuple[Innovation, Innovation]:
    """Rina's verified innovation (INO-2026-0001) and Sari's (INO-2026-0002)."""
    async with transaction(deps_of(harness).session_factory()) as session:
        now = harness.clock.now()
        rina = await add_user(session, sim, telegram_id=ORIGINAL_OWNER, name="Rina Asal", now=now)
        sari = await add_user(session, sim, telegram_id=REPLICA_OWNER, name="Sari Tiru", now=now)
        original = await make_innovation(
            session, harness.clock, owner=rina, n=1, status=Status.TERVERIFIKASI
        )
        replica = await make_innovation(
            session, harness.clock, owner=sari, n=2, status=Status.TERVERIFIKASI
        )
        original.nama_inovasi, replica.nama_inovasi = "Posyandu Keliling", "Posyandu Pesisir"
        return original, replica


async def stored(harness: BotHarness) -> list[Replication]:
    async with await harness.session() as session:
        return list((await session.execute(select(Replication).order_by(Replication.id))).scalars())


async def open_card(user: SimUser | WaUser, code: str) -> None:
    replies = await user.send(f"status {code}")
    assert code in texts(replies)


async def test_a_replication_of_this_pemdas_innovation_from_the_card_tells_its_owner(
    harness: BotHarness, sim: Sim
) -> None:
    original, replica = await two_innovations(harness, sim)
    sari = sim.user(REPLICA_OWNER)
    await open_card(sari, "INO-2026-0002")
    replies = await sari.press("🔁 Replikasi")
    assert "adalah replikasi dari inovasi lain" in texts(replies)
    assert "Inovasi yang direplikasi berasal dari mana?" in texts(replies)
    replies = await sari.press("Inovasi di Pemda ini")
    assert "ketik sebagian namanya atau kodenya" in texts(replies)
    replies = await sari.send("keliling")  # part of the name
    assert "“keliling”: 1" in texts(replies)
    assert labels_of(replies)[0][:13] == "INO-2026-0001"
    replies = await sari.press("INO-2026-0001 · Posyandu Keliling")
    answer = texts(replies)
    assert (
        "Posyandu Pesisir" in answer
        and "replikasi dari INO-2026-0001 (Posyandu Keliling)" in answer
    )
    assert "Pemilik inovasi asal sudah diberi tahu" in answer
    [row] = await stored(harness)
    assert (row.original_id, row.replica_id) == (original.id, replica.id)
    notice = sim.user(ORIGINAL_OWNER).last.text
    assert "Inovasi Anda INO-2026-0001" in notice and "Posyandu Pesisir" in notice
    assert "Sari Tiru" in notice
    # both cards name the replication, each from its side
    replies = await sari.send("status INO-2026-0002")
    assert "Replikasi dari: INO-2026-0001 Posyandu Keliling" in screen_text(sari)
    rina = sim.user(ORIGINAL_OWNER)
    await rina.send("status INO-2026-0001")
    assert "Direplikasi (1×): INO-2026-0002 Posyandu Pesisir" in screen_text(rina)
    # recorded once: the same original again is refused
    await open_card(sari, "INO-2026-0002")
    await sari.press("🔁 Replikasi")
    await sari.press("Inovasi di Pemda ini")
    await sari.send("INO-2026-0001")  # its code
    replies = await sari.press("INO-2026-0001 · Posyandu Keliling")
    assert "sudah dicatat sebelumnya" in texts(replies)
    assert len(await stored(harness)) == 1


async def test_a_replication_of_an_innovation_elsewhere_from_the_card(
    harness: BotHarness, sim: Sim
) -> None:
    _, replica = await two_innovations(harness, sim)
    sari = sim.user(REPLICA_OWNER)
    await open_card(sari, "INO-2026-0002")
    await sari.press("🔁 Replikasi")
    await sari.press("Inovasi di daerah lain")
    replies = await sari.send("Gerakan Posyandu Pantai")
    assert "daerah asalnya" in texts(replies)
    replies = await sari.send("Kabupaten Banyuwangi")
    assert "replikasi dari Gerakan Posyandu Pantai (Kabupaten Banyuwangi)" in texts(replies)
    [row] = await stored(harness)
    assert (row.original_id, row.original_name, row.original_region) == (
        None, "Gerakan Posyandu Pantai", "Kabupaten Banyuwangi",
    )  # fmt: skip
    assert row.replica_id == replica.id
    # only the owner has the button
    rina = sim.user(ORIGINAL_OWNER)
    await rina.send("status INO-2026-0001")
    assert "🔁 Replikasi" not in screen_text(rina)


async def test_a_monev_report_direplikasi_asks_by_whom_and_records_it(
    harness: BotHarness, sim: Sim
) -> None:
    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        ani = await add_user(session, sim, telegram_id=ORIGINAL_OWNER, name="Ani Lestari", now=now)
        await add_user(
            session, sim, telegram_id=VERIFIER, name="Vera Wati", now=now, role=Role.VERIFIKATOR
        )
        innovation = await add_verified(
            session, owner=ani, name="Posyandu Digital", now=now, settings=harness.settings
        )
    user = sim.user(ORIGINAL_OWNER)
    await user.send("/monev")
    replies = await user.press("Direplikasi")
    assert "Siapa yang mereplikasi inovasi ini?" in texts(replies)
    replies = await user.send("Kabupaten Malinau")
    assert "Berapa penerima manfaat" in texts(replies)
    await user.send("1250")
    await user.send("Layanan berjalan dan ditiru kabupaten tetangga.")
    await user.press("Selesai")
    await user.press("Lewati")  # kendala
    await user.send("Pendampingan untuk Malinau.")
    await user.press("Selesai")
    replies = await user.press("Lewati")  # bukti
    summary = texts(replies)
    assert "Direplikasi oleh" in summary and "Kabupaten Malinau" in summary
    replies = await user.press("Kirim laporan")
    assert "Replikasi oleh Kabupaten Malinau dicatat" in texts(replies)
    [row] = await stored(harness)
    assert (row.original_id, row.replica_id, row.replica_name, row.replica_region) == (
        innovation.id, None, None, "Kabupaten Malinau",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("count", "level"),
    [(0, None), (1, "1 kali"), (2, "2 kali"), (3, "3 kali atau lebih"), (4, "3 kali atau lebih")],
)
async def test_the_replikasi_indicator_follows_the_recorded_replications(
    harness: BotHarness, sim: Sim, count: int, level: str | None
) -> None:
    original, replica = await two_innovations(harness, sim)
    async with transaction(deps_of(harness).session_factory()) as session:
        # a replication within this Pemda is listed, not counted: IID counts other regions
        others = [Side.internal(replica)]
        others += [Side.external(None, f"Kabupaten {n}") for n in range(count)]
        for other in others:
            await replications.record(
                session, original=Side.internal(original), replica=other, by=None,
                now=harness.clock.now(),
            )  # fmt: skip
    rina = sim.user(ORIGINAL_OWNER)
    replies = await rina.send("indikator INO-2026-0001")
    for _ in range(60):  # skip every question to reach the summary
        if "Perkiraan skor" in screen_text(rina):
            break
        replies = await rina.press("Lewati")
    summary = screen_text(rina)
    assert "Perkiraan skor" in summary, texts(replies)
    if level is None:
        assert "16. Replikasi: belum dijawab" in summary
    else:
        assert f"16. Replikasi: {level}" in summary
