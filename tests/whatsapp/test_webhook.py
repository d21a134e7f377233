"""The /whatsapp webhook as Meta uses it: the verification handshake, signed updates kept
once before they are acknowledged, forged ones refused without a trace."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.simulator.whatsapp import WhatsAppSimulator
from models.tables import HandledUpdate, InboxUpdate, User
from tests import phones
from tests.conftest import BotHarness, onboard, texts

pytestmark = pytest.mark.parametrize("channel", [phones.WHATSAPP], indirect=True)


async def counts(harness: BotHarness) -> tuple[int, int, int]:
    async with await harness.session() as session:
        users = (await session.execute(select(func.count()).select_from(User))).scalar_one()
        kept = (await session.execute(select(func.count()).select_from(InboxUpdate))).scalar_one()
        done = (await session.execute(select(func.count()).select_from(HandledUpdate))).scalar_one()
    return users, kept, done


def message_body(wa: WhatsAppSimulator, text: str) -> bytes:
    person = wa.user("6289999999999", name="Penyusup")
    update = {
        "object": "whatsapp_business_account",
        "entry": [{"id": wa.waba_id, "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": wa.display_phone_number,
                         "phone_number_id": wa.phone_id},
            "contacts": [{"profile": {"name": "Penyusup"}, "wa_id": person.wa_id,
                          "user_id": person.bsuid}],
            "messages": [{"from": "6289999999999", "id": "wamid.FORGED1", "timestamp": "1",
                          "type": "text", "text": {"body": "/start"}}],
        }}]}],
    }  # fmt: skip
    return json.dumps(update).encode()


async def test_the_verification_handshake_answers_only_the_right_token(
    harness: BotHarness, wa_sim: WhatsAppSimulator
) -> None:
    assert await wa_sim.verify_webhook(challenge="1158201444") == (200, "1158201444")
    status, body = await wa_sim.verify_webhook(token="salah", challenge="1158201444")
    assert status == 403 and "1158201444" not in body
    assert (await wa_sim.verify_webhook(mode="unsubscribe"))[0] == 403


async def test_an_update_without_the_right_signature_changes_nothing(
    harness: BotHarness, wa_sim: WhatsAppSimulator
) -> None:
    before = await counts(harness)
    body = message_body(wa_sim, "/start")
    assert await wa_sim.post_raw(body, None) == 401
    assert await wa_sim.post_raw(body, "sha256=" + "0" * 64) == 403
    forged = WhatsAppSimulator(app_secret="bukan-rahasia-aplikasi").sign(body)
    assert await wa_sim.post_raw(body, forged) == 403
    assert await counts(harness) == before
    assert wa_sim.messages("6289999999999") == []
    # the same body, signed with the app secret, is taken in and answered
    wa_sim.mark_inbound("6289999999999")  # (posted by hand, past the simulator's records)
    assert await wa_sim.post_raw(body, wa_sim.sign(body)) == 200
    await wa_sim.wait_idle()
    assert "Nama" in texts(wa_sim.messages("6289999999999"))


async def test_a_message_delivered_twice_is_kept_and_answered_once(
    harness: BotHarness, sim: phones.WhatsAppPhones
) -> None:
    user = sim.user(6101)
    await onboard(user)
    await user.send("/baru")
    replies = await user.send("Posyandu Digital", duplicate=True)
    assert "Perangkat daerah" in texts(replies)
    assert sum("Perangkat daerah" in m.text for m in replies) == 1
    async with await harness.session() as session:
        kept = (await session.execute(select(func.count()).select_from(HandledUpdate))).scalar_one()
    assert kept == len({post.body for post in sim.wa.webhook_posts if b"messages" in post.body})


async def test_messages_that_arrive_out_of_order_are_all_kept(
    harness: BotHarness, sim: phones.WhatsAppPhones
) -> None:
    first, second = sim.user(6102), sim.user(6103)
    await onboard(first)
    await first.send("/baru")
    await first.send("Posyandu Digital")
    async with sim.wa.held() as batch:
        await first.fire_text("/status")
        await second.fire_text("/start")
        await first.fire_text("/draf")
        assert len(batch) == 3
        await batch.release(order=[2, 1, 0])
    await sim.wait_idle()
    assert "Nama" in texts(second.messages)
    # handled in the order they arrived: /draf before /status
    shown = texts(first.messages)
    assert shown.index("Draf Anda") < shown.index("Tulis kodenya")
    [listing] = [m for m in first.messages if m.text.startswith("Draf Anda")]
    assert any("Posyandu Digital" in label for label in listing.button_labels())
    async with await harness.session() as session:
        done = (await session.execute(select(func.count()).select_from(HandledUpdate))).scalar_one()
        left = (await session.execute(select(func.count()).select_from(InboxUpdate))).scalar_one()
    assert left == 0 and done >= 3


async def test_statuses_of_answers_are_not_kept_those_of_notices_are_recorded(
    harness: BotHarness, sim: phones.WhatsAppPhones, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.whatsapp import statuses
    from models.db import transaction
    from models.tables import Role
    from models.whatsapp_tables import WhatsAppSent
    from tests.handlers.test_registration import register_until_summary
    from tests.scheduler.support import add_user, deps_of

    async with transaction(deps_of(harness).session_factory()) as session:
        await add_user(session, sim, telegram_id=6191, name="Vera Wati", now=harness.clock.now(),
                       role=Role.VERIFIKATOR)  # fmt: skip
    user = sim.user(6190)
    await onboard(user)
    await register_until_summary(user)
    handled: list[str] = []
    record = statuses.record

    async def counted(channel: Any, status: statuses.Status) -> None:
        handled.append(status.message_id)
        await record(channel, status)

    monkeypatch.setattr(statuses, "record", counted)
    sim.wa.report_statuses = True
    await user.press("Kirim")  # an answer to the owner, a notice to Vera
    await sim.wait_idle()
    async with await harness.session() as session:
        rows = (await session.execute(select(WhatsAppSent.message_id, WhatsAppSent.status))).all()
    notices = {message_id for message_id, _ in rows}
    assert rows and all(status == "read" for _, status in rows)  # sent, delivered, read
    assert handled and set(handled) == notices  # the answers' statuses were not kept
    assert any(post.body.count(b'"statuses"') for post in sim.wa.webhook_posts)
    answered = {m.message_id for m in user.messages}
    assert answered and not answered & set(handled)
