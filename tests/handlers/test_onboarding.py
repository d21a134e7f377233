"""First contact: onboarding, the menu afterwards, commands before onboarding."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.simulator import BotApiSimulator
from models.tables import FlowState, Innovation, User
from tests import phones
from tests.conftest import BotHarness, screen_labels, texts


async def test_onboarding_with_nip_and_shared_contact(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(8001, first_name="Dewi")
    replies = await user.send("/start")
    assert "Pemerintah Kabupaten Nunukan" in texts(replies)
    await user.send("dr. Dewi Kartika")
    replies = await user.send("puskesmas")
    assert "Hasil pencarian" in texts(replies)
    assert screen_labels(user)[:2] == ["Puskesmas Nunukan", "Puskesmas Sebatik"]
    await user.press("Puskesmas Sebatik")
    replies = await user.send("1985 0101 2010")
    assert "NIP harus 18 angka" in texts(replies)
    await user.send("19850101 201001 2 003")
    replies = await user.send_contact("081234567890", "Dewi")
    assert "Akun Anda siap" in texts(replies)
    assert "/baru" in texts(replies)
    async with await harness.session() as session:
        row = (await session.execute(select(User).where(phones.is_person(8001)))).scalar_one()
        states = (await session.execute(select(FlowState))).scalars().all()
    assert (row.name, row.nip, row.phone, row.onboarded) == (
        "dr. Dewi Kartika",
        "198501012010012003",
        "+6281234567890",
        True,
    )
    assert row.unit is not None and row.unit.code == "PKM-SBK"
    assert states == []
    replies = await user.send("/start")
    assert "Halo, dr. Dewi Kartika" in texts(replies)


async def test_commands_before_onboarding_lead_back_to_it(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(8002)
    replies = await user.send("/baru")
    assert "Selesaikan pendaftaran akun dulu" in texts(replies)
    assert "Langkah 1/4" in texts(replies)
    replies = await user.send("/perintahaneh")
    assert "tidak dikenal" in texts(replies)
    replies = await user.send("Yusuf Maulana")
    assert "Unit kerja" in texts(replies)
    async with await harness.session() as session:
        assert (await session.execute(select(Innovation))).scalars().all() == []


async def test_updates_of_one_chat_are_handled_in_order(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(8003)
    await user.send("/start")
    await user.send("Wulan")
    await user.press("Dinas Kesehatan")
    await user.press("Lewati")
    await user.press("Lewati")
    await user.send("/baru")
    await user.send("Inovasi Urut")
    for label in ("Dinas Kesehatan", "Inisiatif", "ASN", "Saya sendiri", "Digital"):
        await user.press(label)
    for label in ("Inovasi pelayanan publik", "Non tematik", "Kesehatan", "Lewati"):
        await user.press(label)
    parts = [f"bagian{i}" for i in range(12)]
    await asyncio.gather(*(user.send(p) for p in parts))
    async with await harness.session() as session:
        row = (await session.execute(select(Innovation))).scalar_one()
    assert row.masalah == "\n\n".join(parts)


@pytest.mark.telegram_only
async def test_english_speaker_gets_english_texts(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(8004, first_name="Jane", language_code="en")
    replies = await user.send("/start")
    assert "Welcome" in texts(replies) and "Step 1/4" in texts(replies)


async def test_a_first_message_of_any_kind_begins_the_onboarding(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(8091)
    replies = await user.send("halo, selamat pagi")  # a first WhatsApp message, typically
    assert "Selamat datang" in texts(replies) and "Nama" in texts(replies)
    replies = await user.send("Rina Wulandari")
    assert "Langkah 2/4" in texts(replies)  # the name was taken as the first answer
