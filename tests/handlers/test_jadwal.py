"""/jadwal: upcoming deadlines for an owner, a verifikator's unit, and an admin's overview."""

from __future__ import annotations

from datetime import date

import pytest

from bot.settings import Settings
from bot.simulator import BotApiSimulator
from models.clock import FrozenClock
from models.db import transaction
from models.policy import Policy
from models.services import monev
from models.tables import Role
from tests.conftest import BotHarness, onboard, texts
from tests.scheduler.support import add_user, add_verified, at, deps_of, fast

ANI, BUDI, VERA, ADI = 7001, 7002, 7101, 7201


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fast reminder settings, no background sweep."""
    return fast(settings)


async def _setup(harness: BotHarness, sim: BotApiSimulator) -> None:
    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        ani = await add_user(session, sim, telegram_id=ANI, name="Ani Lestari", now=now)
        budi = await add_user(
            session, sim, telegram_id=BUDI, name="Budi Hartono", now=now, unit="DISDIK"
        )
        await add_user(
            session, sim, telegram_id=VERA, name="Vera Wati", now=now, role=Role.VERIFIKATOR
        )
        adi = await add_user(
            session, sim, telegram_id=ADI, name="Adi Putra", now=now, role=Role.ADMIN, unit="ORG"
        )
        await add_verified(
            session, owner=ani, name="Posyandu Digital", now=now, settings=harness.settings
        )
        await add_verified(
            session, owner=ani, name="Sekolah Ramah Anak", now=now, settings=harness.settings
        )
        await add_verified(
            session, owner=budi, name="Perpustakaan Keliling", now=now, settings=harness.settings
        )
        await monev.create_campaign(
            session,
            name="IID 2027 <profil>",
            due_date=date(2026, 12, 23),
            scope="incomplete",
            actor=adi,
            now=now,
            policy=Policy.from_settings(harness.settings),
        )


async def test_an_owner_sees_their_deadlines_soonest_first(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await _setup(harness, sim)
    replies = await sim.user(ANI).send("/jadwal")
    text = texts(replies)
    assert "Tenggat Anda" in text
    assert text.index("IID 2027 <profil>") < text.index("Laporan monev Triwulan IV 2026")
    assert "23 Desember 2026" in text and "33 hari lagi" in text
    assert "10 Januari 2027" in text and "51 hari lagi" in text
    assert text.count("Posyandu Digital") == 2 and "Perpustakaan Keliling" not in text
    replies = await sim.user(ANI).send("/deadlines")
    assert "Tenggat Anda" in texts(replies)


async def test_someone_without_deadlines_is_told_so(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(5001)
    await onboard(user)
    replies = await user.send("/jadwal")
    assert "tidak punya tenggat" in texts(replies)


async def test_a_verifier_sees_the_units_deadlines(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await _setup(harness, sim)
    text = texts(await sim.user(VERA).send("/jadwal"))
    assert "Tenggat unit Dinas Kesehatan" in text
    assert "Posyandu Digital" in text and "Sekolah Ramah Anak" in text and "Ani Lestari" in text
    assert "Perpustakaan Keliling" not in text


async def test_an_admin_sees_overdue_deadlines_per_unit(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    await _setup(harness, sim)
    text = texts(await sim.user(ADI).send("/jadwal"))
    assert "Tidak ada tenggat yang terlewat" in text
    clock.set(at("Asia/Jakarta", 2027, 1, 12, 9, 0))
    text = texts(await sim.user(ADI).send("/jadwal"))
    assert "Tenggat terlewat per unit" in text
    # Dinas Kesehatan: 2 monev reports + 2 campaign profiles; Dinas Pendidikan: 1 + 1.
    assert "Dinas Kesehatan: 4" in text and "Dinas Pendidikan: 2" in text
    assert text.index("Dinas Kesehatan") < text.index("Dinas Pendidikan")
    owner = texts(await sim.user(ANI).send("/jadwal"))
    assert "terlambat 2 hari" in owner
