"""WhatsApp's 24-hour window: inside it reminders and notices go as they are; after 24 hours
of silence as their approved templates, whose quick replies work like the buttons; failed
deliveries are handled as the reminder policy says, and nothing goes twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from models.clock import FrozenClock
from models.db import transaction
from models.tables import Reminder, ReminderStatus, Role, User
from models.whatsapp_tables import WhatsAppSent
from tests import phones
from tests.conftest import BotHarness, texts
from tests.scheduler.support import add_user, add_verified, at, deps_of, sweep

pytestmark = pytest.mark.parametrize("channel", [phones.WHATSAPP], indirect=True)
ZONE = "Asia/Jakarta"
ANI, VERA = 7001, 7101


async def setup(harness: BotHarness, sim: phones.WhatsAppPhones) -> None:
    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        ani = await add_user(session, sim, telegram_id=ANI, name="Ani Lestari", now=now)
        await add_user(
            session, sim, telegram_id=VERA, name="Vera Wati", now=now, role=Role.VERIFIKATOR
        )
        await add_verified(session, owner=ani, name="Posyandu Digital", now=now,
                           settings=harness.settings)  # fmt: skip


async def reminders(harness: BotHarness) -> list[Reminder]:
    async with await harness.session() as session:
        return list((await session.execute(select(Reminder).order_by(Reminder.id))).scalars())


async def test_a_reminder_inside_the_window_is_the_full_message(
    harness: BotHarness, sim: phones.WhatsAppPhones, clock: FrozenClock
) -> None:
    await setup(harness, sim)
    clock.set(at(ZONE, 2027, 1, 4, 9, 0))
    ani = sim.user(ANI)
    sim.wa.mark_inbound(ani.wa_id)  # Ani wrote this morning
    async with await harness.session() as session, session.begin():
        user = (await session.execute(select(User).where(phones.is_person(ANI)))).scalar_one()
        user.whatsapp_seen_at = clock.now()
    assert (await sweep(harness)).sent == 1
    reminder = ani.messages[-1]
    assert reminder.kind != "template" and "Pengingat" in texts(ani.messages[-2:])
    assert "Isi laporan sekarang" in " ".join(reminder.button_labels())
    replies = await ani.press("Isi laporan sekarang")
    assert "Bagaimana keadaan inovasi" in texts(replies)


async def test_after_24_hours_of_silence_the_reminder_is_its_template_and_its_buttons_work(
    harness: BotHarness, sim: phones.WhatsAppPhones, clock: FrozenClock
) -> None:
    await setup(harness, sim)
    clock.set(at(ZONE, 2027, 1, 4, 9, 0))  # weeks after Ani last wrote
    assert (await sweep(harness)).sent == 1
    ani = sim.user(ANI)
    [reminder] = [m for m in ani.messages if m.kind == "template"]
    assert [m.kind for m in ani.messages] == ["template"], [m.text for m in ani.messages]
    assert reminder.template is not None
    name, language, values = reminder.template
    assert (name, language) == ("pengingat_monev", "id")
    assert values[0] == "Ani Lestari" and "Posyandu Digital" in values[2]
    assert "10 Januari 2027" in reminder.text
    assert reminder.button_labels() == [
        "Isi laporan sekarang",
        "Ingatkan besok",
        "Minta perpanjangan",
    ]
    replies = await ani.press("Isi laporan sekarang")
    assert "Bagaimana keadaan inovasi" in texts(replies)  # the window is open again
    assert all(m.kind != "template" for m in replies)
    statuses = [r.status for r in await reminders(harness)]
    assert statuses.count(ReminderStatus.SENT) == 1  # the later ones wait for their days


async def test_remind_me_tomorrow_from_the_template(
    harness: BotHarness, sim: phones.WhatsAppPhones, clock: FrozenClock
) -> None:
    await setup(harness, sim)
    clock.set(at(ZONE, 2027, 1, 4, 9, 0))
    await sweep(harness)
    ani = sim.user(ANI)
    replies = await ani.press("Ingatkan besok")
    assert "ingatkan lagi pada 5 Januari 2027" in texts(replies)
    clock.set(at(ZONE, 2027, 1, 5, 8, 30))
    assert (await sweep(harness)).sent == 1  # tomorrow, inside the window Ani opened
    assert ani.messages[-1].kind != "template"


async def test_a_number_whatsapp_cannot_reach_escalates_to_the_verifier_once(
    harness: BotHarness, sim: phones.WhatsAppPhones, clock: FrozenClock
) -> None:
    await setup(harness, sim)
    ani, vera = sim.user(ANI), sim.user(VERA)
    sim.wa.fail_next(ani.wa_id, 131026, times=10)
    clock.set(at(ZONE, 2027, 1, 4, 9, 0))
    await sweep(harness)
    await sim.wait_idle()  # the failed status comes back by webhook
    async with await harness.session() as session:
        owner = (await session.execute(select(User).where(phones.is_person(ANI)))).scalar_one()
        assert owner.unreachable
    [first, *_] = await reminders(harness)
    assert first.status == ReminderStatus.UNREACHABLE
    await sweep(harness)
    told = [m for m in vera.messages if m.template and m.template[0] == "eskalasi_tenggat"]
    assert len(told) == 1 and "Posyandu Digital" in told[0].text
    replies = await vera.press("Lihat", message=told[0])
    assert "Ani Lestari" in texts(replies)  # the whole escalation, with whom it is about
    await sweep(harness)
    await sim.wait_idle()
    assert len([m for m in vera.messages if m.kind == "template"]) == 1  # never twice


async def test_a_message_refused_for_the_window_goes_again_as_its_template_once(
    harness: BotHarness, sim: phones.WhatsAppPhones, clock: FrozenClock
) -> None:
    await setup(harness, sim)
    ani = sim.user(ANI)
    clock.set(at(ZONE, 2027, 1, 4, 9, 0))
    async with await harness.session() as session, session.begin():
        user = (await session.execute(select(User).where(phones.is_person(ANI)))).scalar_one()
        user.whatsapp_seen_at = clock.now()  # the bot believes Ani wrote; WhatsApp does not
    await sweep(harness)
    await sim.wait_idle()
    templates = [m for m in ani.messages if m.kind == "template"]
    assert len(templates) == 1 and templates[0].template is not None
    assert templates[0].template[0] == "pengingat_monev"
    assert len(sim.wa.undelivered) == 1  # the reminder itself, refused (131047)
    async with await harness.session() as session:
        rows = (await session.execute(select(WhatsAppSent.status))).scalars().all()
    assert sorted(rows) == ["accepted", "resent"]  # sent again once, as the template


async def test_a_returned_innovation_reaches_a_silent_owner_and_opens_in_full(
    harness: BotHarness, sim: phones.WhatsAppPhones, clock: FrozenClock
) -> None:
    owner = sim.user(7301, first_name="Siti")
    from tests.conftest import onboard
    from tests.handlers.test_registration import register_until_summary

    await onboard(owner, name="Siti Aminah")
    await register_until_summary(owner)
    await owner.press("Kirim")
    deps, now = deps_of(harness), clock.now()
    async with transaction(deps.session_factory()) as session:
        await add_user(session, sim, telegram_id=VERA, name="Vera Wati", now=now,
                       role=Role.VERIFIKATOR)  # fmt: skip
    clock.advance(timedelta(days=2))  # Siti has been silent since
    vera = sim.user(VERA)
    sim.wa.mark_inbound(vera.wa_id)
    async with await harness.session() as session, session.begin():
        user = (await session.execute(select(User).where(phones.is_person(VERA)))).scalar_one()
        user.whatsapp_seen_at = clock.now()
    await vera.send("/antrian")
    await vera.press("INO-2026-0001")
    await vera.press("Kembalikan")
    await vera.press("Lewati")
    await vera.send("Lengkapi data hasil dan foto kegiatan.")
    template = owner.messages[-1]
    assert template.kind == "template" and template.template is not None
    assert template.template[0] == "inovasi_dikembalikan"
    replies = await owner.press("Lihat catatan")
    assert "Lengkapi data hasil dan foto kegiatan." in texts(replies)
    assert any("Perbaiki sekarang" in label for m in replies for label in m.button_labels())


async def test_a_reminder_whatsapp_failed_for_a_passing_reason_goes_again_later(
    harness: BotHarness, sim: phones.WhatsAppPhones, clock: FrozenClock
) -> None:
    await setup(harness, sim)
    ani = sim.user(ANI)
    sim.wa.fail_next(ani.wa_id, 131000)  # "something went wrong": accepted, then failed
    clock.set(at(ZONE, 2027, 1, 4, 9, 0))
    assert (await sweep(harness)).sent == 1
    await sim.wait_idle()
    assert ani.messages == []
    [first, *_] = await reminders(harness)
    assert first.status == ReminderStatus.PENDING and first.attempts == 1
    assert (await sweep(harness)).sent == 0  # not before its time
    clock.set(at(ZONE, 2027, 1, 4, 10, 0))
    assert (await sweep(harness)).sent == 1
    assert [m.kind for m in ani.messages] == ["template"]  # delivered once
