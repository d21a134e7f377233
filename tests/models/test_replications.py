"""The replications service and the near-duplicate search over the database, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import DEFAULT_IID_RULES, EXAMPLE_UNITS
from models import db, iid
from models.clock import FrozenClock
from models.masterdata import load_unit_file
from models.services import duplicates, indicators, replications, units
from models.services import innovations as inno
from models.services.replications import NotRecorded, Side
from models.similarity import DEFAULT_THRESHOLD
from models.tables import Innovation, Status, User
from tests.factories import make_innovation, make_user

RULES = iid.load_rules(DEFAULT_IID_RULES)
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
MASALAH = (
    "Ibu hamil dan balita di wilayah perbatasan sering terlambat mendapat layanan karena "
    "jadwal posyandu tidak diketahui dan data kunjungan masih dicatat di buku."
)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = db.create_engine(database_url)
    await db.migrate(engine)
    try:
        yield db.session_factory(engine)
    finally:
        await engine.dispose()


async def people(session: AsyncSession, clock: FrozenClock) -> tuple[User, User]:
    await units.import_units(session, load_unit_file(EXAMPLE_UNITS).units)
    rina = await make_user(session, clock, telegram_id=9801, name="Rina", unit_code="DINKES")
    sari = await make_user(session, clock, telegram_id=9802, name="Sari", unit_code="DINKES")
    return rina, sari


async def named(
    session: AsyncSession,
    clock: FrozenClock,
    owner: User,
    name: str,
    masalah: str = MASALAH,
    *,
    status: str = Status.DIAJUKAN,
) -> Innovation:
    innovation = await make_innovation(session, clock, owner=owner, n=2, status=Status.DRAF)
    inno.set_field(innovation, "nama_inovasi", name, now=clock.now())
    inno.set_field(innovation, "masalah", masalah, now=clock.now())
    if status != Status.DRAF:
        await inno.submit(session, innovation, actor=owner, now=clock.now())
    await session.flush()
    return innovation


async def test_replications_both_ways_counts_and_the_indicator_facts(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FrozenClock(NOW)
    async with db.transaction(sessions) as session:
        rina, sari = await people(session, clock)
        original = await named(session, clock, rina, "Posyandu Keliling")
        replica = await named(session, clock, sari, "Posyandu Pesisir")
        lone = await named(session, clock, sari, "Sekolah Ramah Anak", "Anak putus sekolah.")
        at = clock.now()
        await replications.record(
            session, original=Side.internal(original), replica=Side.internal(replica), by=sari.id,
            now=at,
        )  # fmt: skip
        await replications.record(
            session, original=Side.internal(original),
            replica=Side.external(None, " Kabupaten Malinau "), by=rina.id,
            now=at + timedelta(days=1),
        )  # fmt: skip
        await replications.record(
            session, original=Side.external("Gerakan Posyandu Pantai", "Kabupaten Banyuwangi"),
            replica=Side.internal(replica), by=sari.id, now=at + timedelta(days=2),
        )  # fmt: skip
        for bad, reason in (
            ((Side.internal(original), Side.internal(original)), "self"),
            ((Side.internal(original), Side.internal(replica)), "twice"),
            ((Side.external("Nama", ""), Side.internal(replica)), "sides"),
            ((Side(original.id, "Nama", "Daerah"), Side.internal(replica)), "sides"),
        ):
            with pytest.raises(NotRecorded) as refused:
                await replications.record(session, original=bad[0], replica=bad[1], by=None, now=at)
            assert refused.value.reason == reason

    async with sessions() as session:
        by = await replications.replicated_by(session, original.id)
        assert [(link.other.id if link.other else None, link.name, link.region) for link in by] == [
            (replica.id, "Posyandu Pesisir", None),
            (None, None, "Kabupaten Malinau"),
        ]
        from_, by_replica = await replications.both_ways(session, replica.id)
        assert [(link.other.id if link.other else None, link.name) for link in from_] == [
            (original.id, "Posyandu Keliling"),
            (None, "Gerakan Posyandu Pantai"),
        ]
        assert by_replica == []
        # IID counts replications by other regions: Malinau, not Posyandu Pesisir of this Pemda
        assert await replications.count(session, original.id) == 1
        assert await replications.count(session, replica.id) == 0
        assert await replications.counts_for(session, [original.id, replica.id, lone.id]) == {
            original.id: 1
        }
        # the Replikasi indicator reads the count, one innovation at a time and in batches
        rows = [await session.get(Innovation, i) for i in (original.id, replica.id)]
        batch = await indicators.facts_for(session, [r for r in rows if r is not None])
        for row in rows:
            assert row is not None
            facts = await indicators.profile_facts(session, row)
            assert facts.replications == batch[row.id].replications
        assert batch[original.id].replications == 1
        answer = indicators.answers(RULES, {}, batch[original.id])["replikasi"]
        assert (answer.level, answer.from_profile) == (1, True)
        assert indicators.answers(RULES, {}, batch[replica.id])["replikasi"].level is None


@pytest.mark.parametrize(("count", "level"), [(1, 1), (2, 2), (3, 3), (5, 3)])
async def test_the_replikasi_level_follows_the_rules_ranges(
    sessions: async_sessionmaker[AsyncSession], count: int, level: int
) -> None:
    clock = FrozenClock(NOW)
    async with db.transaction(sessions) as session:
        rina, _ = await people(session, clock)
        original = await named(session, clock, rina, "Posyandu Keliling")
        for n in range(count):
            await replications.record(
                session, original=Side.internal(original),
                replica=Side.external(f"Salinan {n}", f"Kabupaten {n}"), by=None, now=clock.now(),
            )  # fmt: skip
        facts = await indicators.profile_facts(session, original)
        assert indicators.answers(RULES, {}, facts)["replikasi"].level == level


async def test_near_duplicates_follow_the_database(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = FrozenClock(NOW)
    cache = duplicates.SimilarityCache()
    async with db.transaction(sessions) as session:
        rina, sari = await people(session, clock)
        submitted = await named(session, clock, rina, "Posyandu Digital Si Cantik")
        hidden = await named(session, clock, rina, "Si Cantik Posyandu", status=Status.DRAF)
        own = await named(session, clock, sari, "Posyandu Si Cantik", status=Status.DRAF)
        await named(session, clock, rina, "Sekolah Ramah Anak", "Anak putus sekolah karena jauh.")
        draft = await named(session, clock, sari, "Si Cantik: Posyandu Digital", status=Status.DRAF)

        found = await duplicates.similar(session, cache, draft, threshold=DEFAULT_THRESHOLD)
        # another's draft never submitted is left out, the user's own draft is not
        assert [i.id for i, _ in found] == [submitted.id, own.id]
        assert all(score >= DEFAULT_THRESHOLD for _, score in found)
        assert hidden.id not in [i.id for i, _ in found]
        skipped = await duplicates.similar(
            session, cache, draft, threshold=DEFAULT_THRESHOLD, skip=[submitted.id]
        )
        assert [i.id for i, _ in skipped] == [own.id]
        assert cache.builds == 1

        # a new innovation is found without building the index again
        clock.advance(timedelta(minutes=5))
        newer = await named(session, clock, rina, "Posyandu Digital Cantik Sekali")
        found = await duplicates.similar(
            session, cache, draft, threshold=DEFAULT_THRESHOLD, limit=5
        )
        assert newer.id in [i.id for i, _ in found] and cache.builds == 1
        # a changed masalah is seen: no longer similar
        clock.advance(timedelta(minutes=5))
        inno.set_field(own, "masalah", "Jalan desa rusak dan berlubang.", now=clock.now())
        inno.set_field(own, "nama_inovasi", "Jalan Mulus", now=clock.now())
        found = await duplicates.similar(
            session, cache, draft, threshold=DEFAULT_THRESHOLD, limit=5
        )
        assert own.id not in [i.id for i, _ in found] and cache.builds == 1
        # a deleted one is gone, and the index is built again
        await inno.delete_draft(session, own)
        await session.flush()
        found = await duplicates.similar(
            session, cache, draft, threshold=DEFAULT_THRESHOLD, limit=5
        )
        assert own.id not in [i.id for i, _ in found] and cache.builds == 2
        assert len(await cache.index(session)) == 5  # every named innovation but the deleted
        # a stricter threshold warns of fewer
        strict = await duplicates.similar(session, cache, draft, threshold=0.99, limit=5)
        assert len(strict) < len(found)
