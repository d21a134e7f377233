"""Real bot processes in webhook mode behind a loopback reverse proxy, as deploy/ lays them
out: kill -9 during webhook traffic loses nothing and applies nothing twice; two processes on
one PostgreSQL keep every chat's order, one of them killed midway.

Every simulated user sits at the long-text step "masalah" and sends words one after another
without waiting for answers; a word applied twice, lost or out of order shows in the saved
text, which must be exactly the words in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.simulator import BotApiSimulator
from bot.simulator.processes import (
    WebhookProcess,
    all_done,
    inbox_size,
    process_env,
    saved_texts,
    seed_at_long_text,
    words,
)
from bot.simulator.proxy import LoopbackProxy

LEASE_SECONDS = 2  # a killed process's claims run out soon


@pytest.fixture
async def proxy() -> AsyncIterator[LoopbackProxy]:
    async with LoopbackProxy([]) as running:
        yield running


async def test_webhook_updates_answered_200_survive_kill_9(
    sim: BotApiSimulator, database_url: str, tmp_path: Path, proxy: LoopbackProxy
) -> None:
    chats, per_chat = 5, 12
    ids = await seed_at_long_text(database_url, tmp_path, chats)
    bot = WebhookProcess(
        process_env(sim, database_url, tmp_path, lease_seconds=LEASE_SECONDS), tmp_path / "bot.log"
    )
    proxy.backends[:] = [bot.url]
    proxy.forwarded[bot.url] = 0
    sim.webhook_base = proxy.url
    users = {i: sim.user(i, started=True) for i in ids}
    await bot.start()
    try:
        # the answers are slow, so updates pile up kept but unhandled when the kill comes
        sim.inject_failure("sendMessage", delay=0.3, times=1000)
        for n in range(per_chat):
            for i in ids:
                await users[i].fire_text(words(i, per_chat)[n])
        async with asyncio.timeout(60):
            while sim._updates:  # noqa: ASYNC110 - every update answered 200, i.e. kept
                await asyncio.sleep(0.02)
        waiting = await inbox_size(database_url)
        await bot.kill()
        assert waiting > 0, "the kill came after everything was handled: nothing was tested"
        sim._failures.clear()
        await bot.start()
        await all_done(sim, database_url)
    finally:
        await bot.stop()
        print((tmp_path / "bot.log").read_text()[-3000:])
    saved = await saved_texts(database_url)
    for i in ids:
        assert saved[i] == "\n\n".join(words(i, per_chat)), i


async def test_two_processes_keep_each_chats_order_one_killed_midway(
    sim: BotApiSimulator, database_url: str, tmp_path: Path, proxy: LoopbackProxy
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several bot processes share one database only on PostgreSQL")
    chats, per_chat = 50, 20
    ids = await seed_at_long_text(database_url, tmp_path, chats)
    env = process_env(sim, database_url, tmp_path, lease_seconds=LEASE_SECONDS)
    env["BOT_PROCESSES"] = "2"
    bots = [WebhookProcess(env, tmp_path / f"bot{n}.log") for n in (1, 2)]
    proxy.backends[:] = [b.url for b in bots]
    proxy.forwarded.update({b.url: 0 for b in bots})
    sim.webhook_base = proxy.url
    users = {i: sim.user(i, started=True) for i in ids}
    await asyncio.gather(*(b.start() for b in bots))
    total = chats * per_chat
    try:
        for n in range(per_chat):
            for i in ids:
                await users[i].fire_text(words(i, per_chat)[n])
        async with asyncio.timeout(120):
            while len(sim._updates) > total * 2 // 3:  # noqa: ASYNC110 - a third answered 200
                await asyncio.sleep(0.02)
        await bots[0].kill()
        await all_done(sim, database_url)
    finally:
        for b in bots:
            await b.stop()
        for n in (1, 2):
            print((tmp_path / f"bot{n}.log").read_text()[-2000:])
    assert all(count > 0 for count in proxy.forwarded.values()), proxy.forwarded
    saved = await saved_texts(database_url)
    assert len(saved) == chats
    for i in ids:
        assert saved[i] == "\n\n".join(words(i, per_chat)), i  # once each, in order
