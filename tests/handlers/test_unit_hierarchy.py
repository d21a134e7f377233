"""A unit covers the units below it (Dinas Kesehatan its puskesmas and RSUD, a puskesmas its
pustu): queues, /jadwal, /statistik, exports and who may verify; unit names work in place of
codes. Through the simulated Bot API."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from bot.settings import Settings
from bot.simulator import BotApiSimulator, SentMessage, SimUser
from models.policy import Policy
from models.services import export, monev, units
from models.tables import Innovation, Status, Unit, User
from tests import phones
from tests.conftest import BotHarness, texts
from tests.factories import make_innovation, make_user

ADMIN_ID = 9800
V_DINKES, V_PKM, V_DISDIK, V_CYCLE = 9810, 9811, 9812, 9813
P_PKM, P_DINKES, P_DISDIK, P_PUSTU, P_CYCLE = 9820, 9821, 9822, 9823, 9824


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings with one bootstrap admin."""
    phones.set_admins(settings, ADMIN_ID)
    return settings


async def seed(harness: BotHarness) -> dict[str, Innovation]:
    """Verifikators of DINKES, PKM-NNK, DISDIK and of a unit in a cycle; one innovation per
    pengusul (PKM-NNK two, one verified with its monev period open)."""
    async with await harness.session() as session, session.begin():
        session.add_all(
            [
                Unit(code="PUSTU-BNS", name="Pustu Binusan", parent_code="PKM-NNK"),
                Unit(code="CYC-A", name="Unit Siklus A", parent_code="CYC-B"),
                Unit(code="CYC-B", name="Unit Siklus B", parent_code="CYC-A"),
                Unit(code="SELF", name="Unit Sendiri", parent_code="SELF"),
            ]
        )
        await session.flush()
        await make_user(
            session, harness.clock, telegram_id=ADMIN_ID, name="Adi Admin", unit_code="ORG",
            role="admin",
        )  # fmt: skip
        for telegram_id, unit in (
            (V_DINKES, "DINKES"), (V_PKM, "PKM-NNK"), (V_DISDIK, "DISDIK"), (V_CYCLE, "CYC-A"),
        ):  # fmt: skip
            await make_user(
                session, harness.clock, telegram_id=telegram_id, name=f"Verifikator {unit}",
                unit_code=unit, role="verifikator",
            )  # fmt: skip
        owners = {}
        for telegram_id, unit in (
            (P_PKM, "PKM-NNK"), (P_DINKES, "DINKES"), (P_DISDIK, "DISDIK"),
            (P_PUSTU, "PUSTU-BNS"), (P_CYCLE, "CYC-B"),
        ):  # fmt: skip
            owners[unit] = await make_user(
                session, harness.clock, telegram_id=telegram_id, name=f"Pengusul {unit}",
                unit_code=unit,
            )  # fmt: skip
        made: dict[str, Innovation] = {}
        for key, unit, status in (
            ("pkm", "PKM-NNK", Status.DIAJUKAN),  # INO-2026-0001
            ("pkm_verified", "PKM-NNK", Status.TERVERIFIKASI),  # 0002
            ("dinkes", "DINKES", Status.DIAJUKAN),  # 0003
            ("disdik", "DISDIK", Status.DIAJUKAN),  # 0004
            ("pustu", "PUSTU-BNS", Status.DIAJUKAN),  # 0005
            ("cycle", "CYC-B", Status.DIAJUKAN),  # 0006
        ):
            made[key] = await make_innovation(
                session, harness.clock, owner=owners[unit], n=len(made), status=status
            )
        policy = Policy.from_settings(harness.settings)
        await monev.open_monev_periods(
            session, made["pkm_verified"], now=harness.clock.now(), policy=policy
        )
    return made


def queue_codes(message: SentMessage) -> list[str]:
    return [label.split(" · ")[0] for label in message.button_labels() if label.startswith("INO")]


async def csv_rows(user: SimUser, command: str) -> list[str]:
    replies = await user.send(command)
    [document] = [m for m in replies if m.document]
    assert document.document is not None
    rows = list(csv.reader(io.StringIO(document.document.data.decode("utf-8-sig"))))
    return sorted(row[0] for row in rows[1:])


async def test_a_verifikator_covers_the_units_below(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await seed(harness)
    dinkes = sim.user(V_DINKES, started=True)
    pkm = sim.user(V_PKM, started=True)
    for owner in (P_PKM, P_DINKES, P_DISDIK, P_PUSTU, P_CYCLE):
        sim.user(owner, started=True)

    await dinkes.send("/antrian")
    assert queue_codes(dinkes.last) == ["INO-2026-0001", "INO-2026-0003", "INO-2026-0005"]
    await pkm.send("/antrian")
    assert queue_codes(pkm.last) == ["INO-2026-0001", "INO-2026-0005"]
    assert "tidak ditemukan" in texts(await pkm.send("/status INO-2026-0003"))  # the unit above
    assert "tidak ditemukan" in texts(await dinkes.send("/status INO-2026-0004"))

    await dinkes.send("/inovasiku")
    assert "(4)" in dinkes.last.text  # 0001, 0002, 0003, 0005

    # the DINKES verifikator may verify a puskesmas' innovation
    replies = await dinkes.send("/status INO-2026-0005")
    assert "✅ Verifikasi" in replies[0].button_labels()
    await dinkes.press("Verifikasi", message=replies[0])
    replies = await dinkes.press("Ya, verifikasi")
    assert "INO-2026-0005 terverifikasi" in texts(replies)

    text = texts(await dinkes.send("/statistik"))
    assert "(4 inovasi" in text
    assert "Puskesmas Nunukan 2" in text and "Pustu Binusan 1" in text
    assert "Dinas Kesehatan 1" in text and "Dinas Pendidikan" not in text

    text = texts(await dinkes.send("/jadwal"))
    assert "Tenggat unit Dinas Kesehatan" in text
    assert "👤 Pengusul PKM-NNK · Puskesmas Nunukan" in text
    text = texts(await pkm.send("/jadwal"))
    assert "Tenggat unit Puskesmas Nunukan" in text and "👤 Pengusul PKM-NNK\n" in text + "\n"
    disdik = sim.user(V_DISDIK, started=True)
    assert "Tidak ada tenggat" in texts(await disdik.send("/jadwal"))


async def test_exports_of_a_unit_include_the_units_below_and_take_names(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    await seed(harness)
    admin = sim.user(ADMIN_ID, started=True)
    assert await csv_rows(admin, "/ekspor csv terverifikasi DINKES 2026") == ["INO-2026-0002"]
    assert await csv_rows(admin, "/ekspor csv DINKES") == [
        "INO-2026-0001", "INO-2026-0002", "INO-2026-0003", "INO-2026-0005",
    ]  # fmt: skip
    named = ["INO-2026-0001", "INO-2026-0002", "INO-2026-0005"]
    assert await csv_rows(admin, "/ekspor csv Puskesmas Nunukan") == named
    assert await csv_rows(admin, "/ekspor csv puskesmas NUNUKAN 2026") == named
    assert await csv_rows(admin, "/ekspor csv pkm-nnk") == named
    assert await csv_rows(admin, "/ekspor csv DISDIK") == ["INO-2026-0004"]

    text = texts(await admin.send("/ekspor csv puskesmas"))
    assert "«puskesmas» cocok dengan beberapa unit" in text
    assert "PKM-NNK (Puskesmas Nunukan), PKM-SBK (Puskesmas Sebatik)" in text
    text = texts(await admin.send("/ekspor csv Dinas Rahasia"))
    assert "Unit «Dinas Rahasia» tidak dikenal." in text and "Format: /ekspor" in text
    codes = text.rsplit("Kode unit utama", 1)[1]
    assert "DINKES" in codes and "KEC-NNK" in codes and "ORG" in codes
    assert "PKM-NNK" not in codes and "RSUD" not in codes and "PUSTU-BNS" not in codes
    assert "DINKES" in texts(await admin.send("/ekspor"))  # the menu lists them too

    # a verifikator's export stays within the units it reviews
    pkm = sim.user(V_PKM, started=True)
    assert await csv_rows(pkm, "/ekspor csv DINKES") == named
    assert await csv_rows(pkm, "/ekspor csv DISDIK") == []
    dinkes = sim.user(V_DINKES, started=True)
    assert await csv_rows(dinkes, "/ekspor csv Pustu Binusan") == ["INO-2026-0005"]


async def test_bad_unit_data_and_who_is_asked(harness: BotHarness, sim: BotApiSimulator) -> None:
    made = await seed(harness)
    cycle = sim.user(V_CYCLE, started=True)
    await cycle.send("/antrian")
    assert queue_codes(cycle.last) == ["INO-2026-0006"]  # the cycle ends the walk
    async with await harness.session() as session:
        ids = {u.code: u.id for u in (await session.execute(select(Unit))).scalars()}
        assert await units.with_descendants(session, ids["CYC-A"]) == [ids["CYC-A"], ids["CYC-B"]]
        assert await units.with_ancestors(session, ids["CYC-B"]) == [ids["CYC-B"], ids["CYC-A"]]
        assert await units.with_descendants(session, ids["SELF"]) == [ids["SELF"]]
        assert await units.with_ancestors(session, ids["SELF"]) == [ids["SELF"]]
        assert await units.with_ancestors(session, ids["PUSTU-BNS"]) == [
            ids["PUSTU-BNS"], ids["PKM-NNK"], ids["DINKES"],
        ]  # fmt: skip
        below = await units.with_descendants(session, ids["DINKES"])
        assert below[0] == ids["DINKES"]
        assert sorted(below[1:]) == sorted(
            ids[c] for c in ("RSUD", "PKM-NNK", "PKM-SBK", "PUSTU-BNS")
        )
        assert [u.code for u in await units.find(session, "dinas kesehatan")] == ["DINKES"]
        assert len(await units.find(session, "Dinas")) > 1
        assert await units.find(session, "   ") == []
        # the command line's --unit: a code or a name, the units below included
        for name, count in (("dinkes", 4), ("Puskesmas Nunukan", 3), ("puskesmas", 0)):
            filters = export.Filters(unit_code=name)
            assert await export.count_innovations(session, viewer=None, filters=filters) == count

        # who decides an extension and who is told follows the same rule
        users = {phones.person_id(u): u for u in (await session.execute(select(User))).scalars()}
        pustu = await session.get(Innovation, made["pustu"].id)
        disdik = await session.get(Innovation, made["disdik"].id)
        assert pustu is not None and disdik is not None
        assert await monev.may_decide(session, users[V_DINKES], pustu)
        assert await monev.may_decide(session, users[V_PKM], pustu)
        assert not await monev.may_decide(session, users[V_DISDIK], pustu)
        assert not await monev.may_decide(session, users[V_PKM], disdik)
        nearest = await monev.verifiers_of_unit(session, ids["PUSTU-BNS"])
        assert [phones.person_id(u) for u in nearest] == [V_PKM]
        nearest = await monev.verifiers_of_unit(session, ids["PKM-SBK"])
        assert [phones.person_id(u) for u in nearest] == [V_DINKES]


async def test_admin_unit_pickers_show_the_codes(harness: BotHarness, sim: BotApiSimulator) -> None:
    await seed(harness)
    admin = sim.user(ADMIN_ID, started=True)
    await admin.send("/undang")
    replies = await admin.press("Verifikator")
    labels = [label for m in replies for label in m.button_labels()]
    assert "Dinas Kesehatan · DINKES" in labels
    assert any(label.startswith("Bagian Organisasi Sekretariat Daerah · ORG") for label in labels)
