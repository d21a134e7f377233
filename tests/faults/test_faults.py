"""Faults: a failing Bot API, a database that drops out, a flood from one user."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bot.simulator import BotApiSimulator, SimUser
from bot.telegram import webhook
from models import db
from models.services import updates
from models.tables import FlowState, HandledUpdate, Innovation
from tests.conftest import BotHarness, onboard, texts


async def at_long_text_step(user: SimUser) -> None:
    """Onboard and walk a registration to the first long-text step (masalah)."""
    await onboard(user)
    await user.send("/baru")
    await user.send("Inovasi Tahan Gangguan")
    for label in ("Dinas Kesehatan", "Inisiatif", "ASN", "Saya sendiri", "Digital"):
        await user.press(label)
    for label in ("Inovasi pelayanan publik", "Non tematik", "Kesehatan", "Lewati"):
        await user.press(label)


async def draft(harness: BotHarness) -> Innovation:
    async with await harness.session() as session:
        stmt = select(Innovation).where(Innovation.nama_inovasi == "Inovasi Tahan Gangguan")
        return (await session.execute(stmt)).scalar_one()


@pytest.mark.telegram_only
async def test_a_failing_bot_api_loses_and_repeats_nothing(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(9701)
    user.timeout = 60
    await at_long_text_step(user)
    before = len(user.messages)
    sim.inject_failure("sendMessage", status=429, retry_after=1, times=3)
    sim.inject_failure("sendMessage", status=502, times=3)
    sim.inject_failure("sendMessage", delay=5.0, times=1)
    parts = [f"bagian{i}" for i in range(4)]
    for part in parts:
        await user.send(part)
    replies = [m.text for m in user.messages[before:]]
    assert [r.split(",")[0] for r in replies] == ["Tersimpan"] * 4
    assert [r.split(", ")[1].split(" ")[0] for r in replies] == ["1", "2", "3", "4"]
    assert (await draft(harness)).masalah == "\n\n".join(parts)
    assert [name for name, _, _ in sim.failures].count("sendMessage") == 6


SAVING = "Jawaban Anda sedang disimpan"


@pytest.mark.telegram_only  # the poller says it is saving; a webhook answers 503
async def test_the_database_dropping_out_mid_flow(
    harness: BotHarness, sim: BotApiSimulator, tmp_path: object
) -> None:
    user = sim.user(9702)
    await at_long_text_step(user)
    assert harness.app is not None
    deps = harness.app.bot_data["deps"]
    working = deps.sessions
    broken = db.create_engine("sqlite+aiosqlite:////nonexistent-dir/unreachable.db")
    deps.sessions = async_sessionmaker(broken)
    before = len(user.messages)
    try:
        sending = asyncio.create_task(user.send("Jawaban saat database mati."))
        async with asyncio.timeout(15):
            while SAVING not in texts(user.messages[before:]):  # noqa: ASYNC110 - the bot is busy retrying
                await asyncio.sleep(0.05)
        assert not sending.done()
    finally:
        deps.sessions = working
        await broken.dispose()
    # kept as soon as the database is back, then handled: nothing typed is lost
    replies = await sending
    assert [m.text.split(",")[0] for m in replies] == [
        "⏳ Jawaban Anda sedang disimpan; sistem sedang sibuk. Mohon tunggu sebentar",
        "Tersimpan",
    ]
    assert "Tersimpan, 4 kata" in texts(replies)
    assert (await draft(harness)).masalah == "Jawaban saat database mati."
    async with await harness.session() as session:
        handled = (await session.execute(select(HandledUpdate.update_key))).scalars().all()
        state = (await session.execute(select(FlowState))).scalar_one()
    assert len(handled) == len(set(handled)) and state.step == "masalah"
    replies = await user.send("Jawaban setelah database pulih.")
    assert "Tersimpan, 8 kata" in texts(replies)


@contextlib.asynccontextmanager
async def write_lock(url: str) -> AsyncIterator[None]:
    """Hold the database's write lock (SQLite) or the inbox table's lock (PostgreSQL) from
    another connection, as a long export or a backup would."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            if url.startswith("sqlite"):
                await conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                await conn.exec_driver_sql("BEGIN")
                await conn.exec_driver_sql("LOCK TABLE inbox_updates IN ACCESS EXCLUSIVE MODE")
            yield
            await conn.exec_driver_sql("ROLLBACK")
    finally:
        await engine.dispose()


@pytest.mark.telegram_only  # the poller says it is saving; a webhook answers 503
async def test_a_locked_database_keeps_the_update_and_says_it_is_saving(
    harness: BotHarness, sim: BotApiSimulator, database_url: str
) -> None:
    user = sim.user(9705)
    await at_long_text_step(user)
    before = len(user.messages)
    async with write_lock(database_url):
        sending = asyncio.create_task(user.send("Jawaban saat database terkunci."))
        async with asyncio.timeout(15):
            while SAVING not in texts(user.messages[before:]):  # noqa: ASYNC110 - the bot is busy retrying
                await asyncio.sleep(0.05)
        told = len(user.messages) - before
        assert not sending.done() and told == 1  # nothing else has happened yet
    replies = await sending
    assert SAVING in replies[0].text and "Tersimpan, 4 kata" in replies[1].text
    assert (await draft(harness)).masalah == "Jawaban saat database terkunci."


@pytest.mark.telegram_only
async def test_a_flood_from_one_user_neither_blocks_others_nor_corrupts_the_draft(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    flooder, other = sim.user(9703), sim.user(9704)
    flooder.timeout = other.timeout = 120
    await at_long_text_step(flooder)
    await onboard(other, name="Tetangga Sebelah")
    answered: dict[int, list[float]] = {9703: [], 9704: []}
    sim.add_listener(
        lambda kind, message: (
            answered[message.chat_id].append(time.perf_counter())
            if kind == "sent" and message.chat_id in answered
            else None
        )
    )
    parts = [f"kata{i}" for i in range(100)]
    flood = asyncio.gather(*(flooder.send(p) for p in parts))
    await asyncio.sleep(0)  # the hundred updates are queued first
    await other.send("/baru")
    await flood
    assert len(answered[9703]) == 100 and len(answered[9704]) >= 2
    # the flood's updates are handled one after another; the neighbour's goes alongside
    # (counted in answers, not seconds, so a busy machine cannot make it flaky)
    flood_answers_first = sum(1 for t in answered[9703] if t < answered[9704][0])
    assert flood_answers_first < 25, flood_answers_first
    assert (await draft(harness)).masalah == "\n\n".join(parts)
    async with await harness.session() as session:
        drafts = (await session.execute(select(Innovation))).scalars().all()
    assert len(drafts) == 1  # the neighbour's /baru makes no row before its first answer


@pytest.mark.telegram_only
async def test_an_update_kept_and_still_unconfirmed_is_answered_once_after_a_restart(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(9705)
    await onboard(user)
    await harness.stop()
    # the process died right after keeping a batch, before the next poll confirmed it
    update_id = await user.fire_text("/baru")
    assert update_id is not None
    queued = next(u for u in sim._updates if u.update_id == update_id)
    payload = json.loads(queued.encoded)
    engine = db.create_engine(harness.settings.database_url)
    try:
        async with db.transaction(db.session_factory(engine)) as session:
            kept = webhook.parse(payload)  # the inbox row the poller writes
            assert kept is not None
            await updates.keep(session, arrivals=[kept], now=harness.clock.now())
    finally:
        await engine.dispose()
    before = len(user.messages)
    await harness.start()
    await sim.wait_idle()
    answers = texts(user.messages[before:])
    assert answers.count("Langkah 1/") == 1, answers
    async with await harness.session() as session:
        drafts = (await session.execute(select(Innovation))).scalars().all()
        states = (await session.execute(select(FlowState))).scalars().all()
    assert drafts == []  # no row before the first answer
    assert [(s.flow, s.step, s.active) for s in states] == [("reg", "nama_inovasi", True)]
