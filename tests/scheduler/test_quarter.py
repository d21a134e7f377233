"""One simulated quarter: exactly the reminders the policy prescribes, each once, each inside
working hours in the Pemda's time zone."""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from bot.simulator import BotApiSimulator
from models.clock import FrozenClock
from models.db import transaction
from models.tables import Deadline, ReminderStatus, Role
from tests.conftest import BotHarness
from tests.scheduler.support import (
    add_user,
    add_verified,
    at,
    deps_of,
    local,
    record,
    reminder_rows,
    time_lapse,
)

ZONES = ["Asia/Jakarta", "Asia/Makassar"]
ANI, BUDI, VERA, ADI = 7001, 7002, 7101, 7201
NAMES = {"Posyandu Digital": ANI, "Sekolah Ramah Anak": ANI, "Ambulans Desa": BUDI}
# The Q4 2026 report is due on Sunday 10 January 2027. -7 falls on a Sunday (held to Monday
# the 4th), -1 and 0 fall on the weekend and are superseded on Monday the 11th by +1, +7
# falls on a Sunday (held to Monday the 18th).
OWNER_DAYS = [date(2027, 1, 4), date(2027, 1, 7), date(2027, 1, 11), date(2027, 1, 13),
              date(2027, 1, 18)]  # fmt: skip
VERIFIER_DAYS = [date(2027, 1, 13), date(2027, 1, 18)]
ADMIN_DAYS = [date(2027, 1, 18)]


# asserts the full reminder text: after 24 h of silence WhatsApp gets its template instead
@pytest.mark.telegram_only
@pytest.mark.parametrize("reminder_overrides", [{"timezone": z} for z in ZONES], ids=ZONES)
async def test_a_quarter_yields_exactly_the_prescribed_reminders(
    harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock
) -> None:
    settings = harness.settings
    zone = settings.timezone
    deps = deps_of(harness)
    recorder = record(sim, clock)
    now = clock.now()
    async with transaction(deps.session_factory()) as session:
        ani = await add_user(session, sim, telegram_id=ANI, name="Ani Lestari", now=now)
        budi = await add_user(session, sim, telegram_id=BUDI, name="Budi Hartono", now=now)
        await add_user(
            session, sim, telegram_id=VERA, name="Vera Wati", now=now, role=Role.VERIFIKATOR
        )
        await add_user(
            session, sim, telegram_id=ADI, name="Adi Putra", now=now, role=Role.ADMIN, unit="ORG"
        )
        owners = {ANI: ani, BUDI: budi}
        for name, owner in NAMES.items():
            await add_verified(session, owner=owners[owner], name=name, now=now, settings=settings)

    await time_lapse(harness, at(zone, 2027, 1, 25, 0, 0), step=timedelta(hours=1))

    sent = recorder.reminders()
    for item in sent:
        moment = local(item.at, zone)
        assert moment.isoweekday() <= 5, item
        assert moment.time() == time(8, 0), item  # the start of the day's window
    for name, owner in NAMES.items():
        mine = [s for s in recorder.reminders(owner) if name in s.text]
        assert [local(s.at, zone).date() for s in mine] == OWNER_DAYS, name
        for item in mine:
            assert "Laporan monev Triwulan IV 2026" in item.text
            assert "10 Januari 2027" in item.text
            assert "Yang belum: laporan monev" in item.text
            labels = " ".join(item.message.button_labels())
            for label in ("Isi laporan sekarang", "Ingatkan besok", "Minta perpanjangan"):
                assert label in labels
        assert "6 hari lagi" in mine[0].text
        assert "terlambat 1 hari" in mine[2].text
        told = [s for s in recorder.reminders(VERA) if name in s.text]
        assert [local(s.at, zone).date() for s in told] == VERIFIER_DAYS, name
        assert "Tenggat terlewat 3 hari" in told[0].text
        assert ("Ani Lestari" if owner == ANI else "Budi Hartono") in told[0].text
        admins = [s for s in recorder.reminders(ADI) if name in s.text]
        assert [local(s.at, zone).date() for s in admins] == ADMIN_DAYS, name
    assert len(sent) == len(NAMES) * (len(OWNER_DAYS) + len(VERIFIER_DAYS) + len(ADMIN_DAYS))

    rows = await reminder_rows(harness)
    statuses = Counter(r.status for r in rows)
    assert statuses[ReminderStatus.SENT] == len(sent)
    assert statuses[ReminderStatus.SKIPPED] == len(NAMES) * 2  # -1 and 0, on the weekend
    assert statuses[ReminderStatus.CLAIMED] == 0
    assert all(r.message_id is not None for r in rows if r.status == ReminderStatus.SENT)
    async with await harness.session() as session:
        periods = (await session.execute(select(Deadline.period_start))).scalars().all()
    # The new quarter began on 1 January: its periods were opened by the sweep.
    assert Counter(periods) == {date(2026, 10, 1): 3, date(2027, 1, 1): 3}
