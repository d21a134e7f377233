"""Roles tell the truth (the settings' admins, invites that change nothing) and /dataku
changes one's own name, unit, NIP and phone, through the simulated Bot API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator
from models.tables import FlowState, Invite, Unit, User, UserEvent
from tests import phones
from tests.conftest import BotHarness, onboard, screen_labels, texts
from tests.handlers.test_review import invite_code

ADMIN, SECOND_ADMIN = 9000, 9001


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Two admins by the settings (ADMIN_TELEGRAM_IDS)."""
    phones.set_admins(settings, ADMIN, SECOND_ADMIN)
    return settings


async def _user(harness: BotHarness, telegram_id: int) -> User:
    async with await harness.session() as session:
        stmt = select(User).where(phones.is_person(telegram_id))
        return (await session.execute(stmt)).scalar_one()


async def _unit_name(harness: BotHarness, unit_id: int | None) -> str | None:
    async with await harness.session() as session:
        unit = await session.get(Unit, unit_id) if unit_id is not None else None
        return unit.name if unit else None


async def _events(harness: BotHarness, kind: str) -> list[UserEvent]:
    async with await harness.session() as session:
        stmt = select(UserEvent).where(UserEvent.kind == kind).order_by(UserEvent.id)
        return list((await session.execute(stmt)).scalars())


async def _invite(harness: BotHarness, code: str) -> Invite:
    async with await harness.session() as session:
        stmt = select(Invite).where(Invite.code == code)
        return (await session.execute(stmt)).scalar_one()


async def test_an_admin_by_the_settings_keeps_the_role_and_the_admin_is_told_why(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    admin, second = sim.user(ADMIN), sim.user(SECOND_ADMIN)
    await onboard(admin, name="Admin Organisasi", unit="Bagian Organisasi")
    await onboard(second, name="Bambang Admin", unit="Dinas Kesehatan")
    await admin.send("/pengguna")
    replies = await admin.press("Bambang Admin")
    assert "Admin menurut pengaturan bot (ADMIN_TELEGRAM_IDS)" in texts(replies)
    await admin.press("Ubah peran")
    before = len(second.messages)
    replies = await admin.press("Verifikator")
    refusal = texts(replies)
    assert "Bambang Admin adalah admin menurut pengaturan bot (ADMIN_TELEGRAM_IDS)" in refusal
    assert "hapus ID Telegram-nya dari ADMIN_TELEGRAM_IDS" in refusal
    assert "Pilih peran baru" in refusal  # asked again: Admin (to change the unit) is allowed
    assert "sekarang: Verifikator" not in refusal
    row = await _user(harness, SECOND_ADMIN)
    assert row.role == "admin" and await _unit_name(harness, row.unit_id) == "Dinas Kesehatan"
    assert await _events(harness, "role") == []
    replies = await admin.send("/pengguna")
    assert "Bambang Admin · Admin · DINKES" in screen_labels(admin)

    # Admin with another unit is a change the settings leave alone: it is made, and said.
    await admin.press("Bambang Admin")
    await admin.press("Ubah peran")
    await admin.press("Admin")
    replies = await admin.press("Dinas Pendidikan")
    assert "Peran Bambang Admin sekarang: Admin (unit: Dinas Pendidikan)" in texts(replies)
    assert "Peran Anda sekarang: Admin (unit: Dinas Pendidikan)" in second.last.text
    assert len(second.messages) == before + 1
    row = await _user(harness, SECOND_ADMIN)
    assert row.role == "admin" and await _unit_name(harness, row.unit_id) == "Dinas Pendidikan"


async def test_a_role_change_is_reported_as_stored_and_a_repeat_changes_nothing(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    admin, worker = sim.user(ADMIN), sim.user(9402, first_name="Joko")
    await onboard(admin, name="Admin Organisasi", unit="Bagian Organisasi")
    await onboard(worker, name="Joko & Sons", unit="Dinas Kesehatan")
    for _ in range(2):
        await admin.send("/pengguna")
        await admin.press("Joko & Sons")
        await admin.press("Ubah peran")
        await admin.press("Verifikator")
        replies = await admin.press("Dinas Pendidikan")
    assert "Joko &amp; Sons" not in texts(replies)
    assert "Joko & Sons sudah Verifikator (unit: Dinas Pendidikan); tidak ada yang diubah" in texts(
        replies
    )
    notices = [m for m in worker.messages if "Peran Anda sekarang" in m.text]
    assert [m.text for m in notices] == [
        "Peran Anda sekarang: Verifikator (unit: Dinas Pendidikan)."
    ]
    assert len(await _events(harness, "role")) == 1


async def test_an_invite_changes_nothing_it_should_not_and_stays_unused(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    admin, second = sim.user(ADMIN), sim.user(SECOND_ADMIN)
    await onboard(admin, name="Admin Organisasi", unit="Bagian Organisasi")
    await onboard(second, name="Bambang Admin", unit="Dinas Kesehatan")
    code = await invite_code(admin, "Verifikator", "Dinas Pendidikan")

    replies = await admin.send(f"/start {code}")
    assert "undangan buatan Anda sendiri" in texts(replies)
    assert "Peran Anda sekarang" not in texts(replies)
    replies = await second.send(f"/start {code}")
    said = texts(replies)
    assert "Anda admin menurut pengaturan bot (ADMIN_TELEGRAM_IDS)" in said
    assert "Peran Anda: Admin (unit: Dinas Kesehatan)" in said
    for telegram_id, unit in (
        (ADMIN, "Bagian Organisasi Sekretariat Daerah"),
        (SECOND_ADMIN, "Dinas Kesehatan"),
    ):
        row = await _user(harness, telegram_id)
        assert row.role == "admin" and await _unit_name(harness, row.unit_id) == unit
    assert (await _invite(harness, code)).used_at is None

    # The person it was meant for still can use it; a second invite for the same role and
    # unit changes nothing for them and stays free for someone else.
    vera = sim.user(9310, first_name="Vera")
    replies = await vera.send(f"/start {code}")
    assert "Peran Anda sekarang: Verifikator (unit: Dinas Pendidikan)" in texts(replies)
    again = await invite_code(admin, "Verifikator", "Dinas Pendidikan")
    replies = await vera.send(f"/start {again}")
    assert "Anda sudah Verifikator (unit: Dinas Pendidikan), jadi tidak ada yang diubah" in texts(
        replies
    )
    assert (await _invite(harness, again)).used_at is None
    assert (await _invite(harness, code)).used_by == (await _user(harness, 9310)).id

    # Onboarding does not move a verifikator to another unit than the invite's.
    await vera.send("Vera Verifikator")
    replies = await vera.press("Dinas Kesehatan")
    await vera.press("Lewati")
    replies = await vera.press("Lewati")
    assert "unit Anda tetap Dinas Pendidikan" in texts(replies)
    row = await _user(harness, 9310)
    assert (
        row.role == "verifikator" and await _unit_name(harness, row.unit_id) == "Dinas Pendidikan"
    )
    replies = await vera.send("/dataku")
    assert "Unit: Dinas Pendidikan" in texts(replies) and "Peran: Verifikator" in texts(replies)


async def test_my_data_changes_one_field_at_a_time(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    dewi = sim.user(8101, first_name="Dewi")
    await onboard(dewi, name="Dewi Kartika", unit="Dinas Kesehatan")
    replies = await dewi.send("/dataku")
    assert "✏️ Ubah NIP" in screen_labels(dewi)

    replies = await dewi.press("Ubah NIP")
    assert "Langkah 1/1" in texts(replies) and "NIP" in texts(replies)
    replies = await dewi.send("1985 0101")
    assert "NIP harus 18 angka" in texts(replies)
    replies = await dewi.send("19850101 201001 2 003")
    assert "NIP diperbarui" in texts(replies)
    assert "NIP: 198501012010012003" in texts(replies)

    await dewi.press("Ubah nama")
    replies = await dewi.send("dr")
    assert "Terlalu pendek" in texts(replies)
    replies = await dewi.send("dr. Dewi Kartika, M.Kes")
    assert "Nama diperbarui" in texts(replies) and "Nama: dr. Dewi Kartika, M.Kes" in texts(replies)

    replies = await dewi.press("Ubah unit")
    assert "Dinas Kesehatan (unit Anda)" in screen_labels(dewi)
    await dewi.send("puskesmas")
    replies = await dewi.press("Puskesmas Sebatik")
    assert "Unit kerja diperbarui" in texts(replies) and "Unit: Puskesmas Sebatik" in texts(replies)

    await dewi.press("Ubah nomor HP")
    replies = await dewi.send_contact("081234567890", "Dewi")
    assert "Nomor HP diperbarui" in texts(replies) and "HP: +6281234567890" in texts(replies)
    await dewi.press("Ubah nomor HP")
    replies = await dewi.press("Lewati")
    assert "Nomor HP dihapus" in texts(replies) and "HP: -" in texts(replies)

    await dewi.press("Ubah nama")
    replies = await dewi.send("dr. Dewi Kartika, M.Kes")
    assert "Nama tidak berubah" in texts(replies)

    row = await _user(harness, 8101)
    assert (row.name, row.nip, row.phone) == ("dr. Dewi Kartika, M.Kes", "198501012010012003", None)
    assert await _unit_name(harness, row.unit_id) == "Puskesmas Sebatik"
    events = await _events(harness, "profile")
    assert [e.data["field"] for e in events if e.data] == [
        "nip",
        "name",
        "unit_id",
        "phone",
        "phone",
    ]
    assert all(e.actor_id == row.id for e in events)
    unit_change = events[2].data
    assert unit_change is not None and unit_change["to"] == row.unit_id
    assert all("198501012010012003" not in str(e.data) for e in events)  # no values kept
    async with await harness.session() as session:
        assert (await session.execute(select(FlowState))).scalars().all() == []


async def test_a_verifier_cannot_move_to_another_unit_through_my_data(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    admin = sim.user(ADMIN)
    await onboard(admin, name="Admin Organisasi", unit="Bagian Organisasi")
    code = await invite_code(admin, "Verifikator", "Dinas Pendidikan")
    vera = sim.user(9311, first_name="Vera")
    await vera.send(f"/start {code}")
    await vera.send("Vera Verifikator")
    await vera.press("Dinas Pendidikan")
    await vera.press("Lewati")
    await vera.press("Lewati")
    await vera.send("/dataku")
    replies = await vera.press("Ubah unit")
    assert "hanya admin yang dapat mengubahnya" in texts(replies)
    replies = await vera.send("Dinas Kesehatan")
    assert "belum mengerti" in texts(replies)  # no flow was started
    row = await _user(harness, 9311)
    assert await _unit_name(harness, row.unit_id) == "Dinas Pendidikan"
    assert await _events(harness, "profile") == []
