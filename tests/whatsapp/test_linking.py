"""One person on both channels: a code shown on Telegram and typed on WhatsApp (or the other
way round) makes one account; drafts, innovations and the role follow; reminders go to the
channel the person chooses."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.tables import Innovation, User, UserEvent
from tests import phones
from tests.conftest import BotHarness, onboard, texts

pytestmark = pytest.mark.parametrize("channel", [phones.WHATSAPP], indirect=True)


def code_in(text: str) -> str:
    found = re.search(r"tautkan ([A-Z0-9]{8})", text)
    assert found, text
    return found.group(1)


async def test_a_code_from_telegram_typed_on_whatsapp_makes_one_account(
    harness: BotHarness, sim: phones.WhatsAppPhones
) -> None:
    on_telegram = sim.telegram.user(6201, first_name="Siti", started=True)
    await onboard(on_telegram, name="Siti Aminah")
    await on_telegram.send("/baru")
    await on_telegram.send("Posyandu Digital")
    shown = texts(await on_telegram.send("/tautkan"))
    code = code_in(shown)
    assert "15 menit" in shown and "wa.me" in shown

    on_whatsapp = sim.user(6202, first_name="Siti")
    linked = texts(await on_whatsapp.send(f"tautkan {code.lower()}"))  # any case
    assert "Akun tertaut, Siti Aminah" in linked
    drafts = await on_whatsapp.send("/draf")
    assert any("Posyandu Digital" in label for m in drafts for label in m.button_labels())
    async with await harness.session() as session:
        people = (await session.execute(select(User))).scalars().all()
        owners = (await session.execute(select(Innovation.owner_id))).scalars().all()
        events = (
            await session.execute(select(func.count()).where(UserEvent.kind == "linked"))
        ).scalar_one()
    [person] = people
    assert person.telegram_id == 6201 and person.whatsapp_id == on_whatsapp.bsuid
    assert owners == [person.id] and events == 1
    # used once: typed again it links nothing
    assert "sudah dipakai" in texts(await on_whatsapp.send(f"/tautkan {code}"))  # in a flow


async def test_what_the_new_account_had_follows_and_the_higher_role_stays(
    harness: BotHarness, sim: phones.WhatsAppPhones
) -> None:
    phones.set_admins(harness.settings, 6212)  # the WhatsApp account is an admin
    on_whatsapp = sim.user(6212, first_name="Adi")
    await onboard(on_whatsapp, name="Adi Putra")
    await on_whatsapp.send("/baru")
    await on_whatsapp.send("Sekolah Ramah Anak")
    code = code_in(texts(await on_whatsapp.send("/tautkan")))  # in a flow a word is an answer
    on_telegram = sim.telegram.user(6211, first_name="Adi", started=True)
    await onboard(on_telegram, name="Adi Putra")
    await on_telegram.send("/baru")
    await on_telegram.send("Posyandu Digital")
    assert "Akun tertaut" in texts(await on_telegram.send(f"/tautkan {code}"))
    async with await harness.session() as session:
        [person] = (await session.execute(select(User))).scalars().all()
        names = (await session.execute(select(Innovation.nama_inovasi))).scalars().all()
    assert person.role == "admin"
    assert sorted(n or "" for n in names) == ["Posyandu Digital", "Sekolah Ramah Anak"]


async def test_codes_that_link_nothing_say_why(
    harness: BotHarness, sim: phones.WhatsAppPhones
) -> None:
    on_whatsapp = sim.user(6221)
    await onboard(on_whatsapp)
    code = code_in(texts(await on_whatsapp.send("tautkan")))
    assert "aplikasi yang satunya" in texts(await on_whatsapp.send(f"tautkan {code}"))
    assert "tidak dikenal" in texts(await on_whatsapp.send("tautkan ZZZZ2222"))
    on_telegram = sim.telegram.user(6222, started=True)
    harness.clock.advance(timedelta(minutes=16))
    assert "kedaluwarsa" in texts(await on_telegram.send(f"/tautkan {code}"))
    async with await harness.session() as session:
        assert (await session.execute(select(func.count()).select_from(User))).scalar_one() == 2


async def test_reminders_go_to_the_chosen_channel(
    harness: BotHarness, sim: phones.WhatsAppPhones
) -> None:
    on_telegram = sim.telegram.user(6231, first_name="Rina", started=True)
    await onboard(on_telegram, name="Rina Wulandari")
    code = code_in(texts(await on_telegram.send("/tautkan")))
    on_whatsapp = sim.user(6232, first_name="Rina")
    await on_whatsapp.send(f"tautkan {code}")
    replies = await on_whatsapp.send("saluran")
    assert "Yang terakhir saya pakai" in texts(replies)
    assert [label for m in replies for label in m.button_labels()] == [
        "Telegram", "WhatsApp", "Yang terakhir saya pakai"
    ]  # fmt: skip
    replies = await on_whatsapp.press("Telegram")
    assert "dikirim ke: Telegram" in texts(replies)
    async with await harness.session() as session:
        person = (await session.execute(select(User))).scalar_one()
    assert person.reminder_channel == "telegram" and person.last_channel == "whatsapp"
