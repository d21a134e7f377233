"""The batch reads of the IID indicators agree with the one-innovation reads, in two grouped
queries per batch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import DEFAULT_IID_RULES, EXAMPLE_UNITS
from models import db, iid
from models.clock import FrozenClock
from models.masterdata import load_unit_file
from models.services import indicators, units
from models.tables import Deadline, Innovation, MonevReport, Status
from tests.factories import answer_indicator, make_innovation, make_user

RULES = iid.load_rules(DEFAULT_IID_RULES)
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.create_engine(database_url)
    await db.migrate(engine)
    try:
        yield db.session_factory(engine)
    finally:
        await engine.dispose()


async def test_facts_and_estimates_of_many_innovations_match_one_at_a_time(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FrozenClock(NOW)
    async with db.transaction(sessions) as session:
        await units.import_units(session, load_unit_file(EXAMPLE_UNITS).units)
        owner = await make_user(
            session, clock, telegram_id=9100, name="Pemilik", unit_code="DINKES"
        )
        rows = [
            await make_innovation(session, clock, owner=owner, n=n, status=Status.TERVERIFIKASI)
            for n in range(6)
        ]
        # reports: none for rows[0]; for rows[1] the latest by time has the lowest id; for
        # rows[2] two at the same moment (the later id wins); one for rows[3]
        reports = [
            (rows[1], 300, NOW - timedelta(days=1)),
            (rows[1], 40, NOW - timedelta(days=90)),
            (rows[1], 250, NOW - timedelta(days=30)),
            (rows[2], 70, NOW - timedelta(days=5)),
            (rows[2], 150, NOW - timedelta(days=5)),
            (rows[3], 120, NOW - timedelta(days=2)),
        ]
        for n, (innovation, beneficiaries, at) in enumerate(reports):
            deadline = Deadline(
                key=f"monev:{innovation.id}:{n}", kind="monev", innovation_id=innovation.id,
                due_date=date(2026, 1, 10), original_due_date=date(2026, 1, 10), revision=1,
                status="done", created_at=NOW,
            )  # fmt: skip
            session.add(deadline)
            await session.flush()
            session.add(
                MonevReport(
                    deadline_id=deadline.id, innovation_id=innovation.id, status="berjalan",
                    beneficiaries=beneficiaries, results="Hasil", submitted_at=at,
                )
            )  # fmt: skip
        await session.flush()
        await answer_indicator(session, clock, rows[0], "regulasi", 3, files=["perda.pdf"])
        await answer_indicator(session, clock, rows[1], "kemanfaatan", None, files=["data.pdf"])
        await answer_indicator(session, clock, rows[2], "video", 2, link="https://youtu.be/x")
        await answer_indicator(session, clock, rows[4], "monev", 1)

    async with sessions() as session:
        fresh = [await session.get(Innovation, r.id) for r in rows]
        innovations = [i for i in fresh if i is not None]
        one_by_one = {i.id: await indicators.profile_facts(session, i) for i in innovations}
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        engine = session.bind
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            await indicators.facts_for(session, innovations[:1])
            for_one, statements[:] = len(statements), []
            batch = await indicators.facts_for(session, innovations)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        # as many queries for six as for one: a count and the latest report of each batch
        assert len(statements) == for_one
        assert len([s for s in statements if "FROM monev_reports" in s]) == 2
        assert batch == one_by_one
        assert batch[rows[1].id].beneficiaries == 300 and batch[rows[1].id].reports == 3
        assert batch[rows[2].id].beneficiaries == 150
        assert batch[rows[0].id].reports == 0 and batch[rows[0].id].beneficiaries is None

        estimates = await indicators.estimates_for(session, RULES, innovations)
        for innovation in innovations:
            single = await indicators.estimate_for(session, RULES, innovation)
            assert estimates[innovation.id] == single
        assert estimates[rows[0].id].total == 3  # Regulasi 3 x 1, with its evidence
        # the latest report's 300 beneficiaries imply Kemanfaatan's top level: 3 x 3
        assert estimates[rows[1].id].total == 9
        assert estimates[rows[2].id].total == 8  # the video link: 2 x 4
