"""The rate limiter and the delivery's handling of Telegram's answers."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Bot

from bot.forms.engine import Screen
from bot.simulator import BotApiSimulator
from bot.telegram.transport import AiohttpRequest
from scheduler.delivery import Deliverer, RateLimiter
from scheduler.results import Result

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_one_message_per_interval_per_chat_and_others_in_between() -> None:
    limiter = RateLimiter(per_second=1000, chat_interval=0.05)
    loop = asyncio.get_running_loop()
    times: dict[int, list[float]] = {1: [], 2: []}

    async def send(chat: int) -> None:
        await limiter.acquire(chat)
        times[chat].append(loop.time())

    await asyncio.gather(*(send(1) for _ in range(3)), *(send(2) for _ in range(3)))
    for chat in (1, 2):
        gaps = [b - a for a, b in zip(times[chat], times[chat][1:], strict=False)]
        assert all(gap >= 0.045 for gap in gaps), gaps
    assert abs(times[1][0] - times[2][0]) < 0.04  # different chats do not wait for each other


async def test_the_overall_rate_is_capped() -> None:
    limiter = RateLimiter(per_second=20, chat_interval=0)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await asyncio.gather(*(limiter.acquire(chat) for chat in range(30)))
    assert loop.time() - start >= 0.4  # 20 at once, then 20 a second


async def test_a_reminder_burst_does_not_starve_answers() -> None:
    """Answers, notices and reminders share one limiter; reminders take only their share, so
    an answer asked for in the middle of a burst goes out within a couple of sends."""
    limiter = RateLimiter(per_second=200, chat_interval=0, background_share=0.5)
    done: list[str] = []
    under_way = asyncio.Event()

    async def reminder(chat: int) -> None:
        await limiter.acquire(chat)
        done.append("reminder")
        if len(done) == 5:
            under_way.set()

    burst = [asyncio.create_task(reminder(chat)) for chat in range(40)]
    await under_way.wait()
    asked_at = len(done)
    await limiter.acquire_reply()
    done.append("answer")
    answered_at = done.index("answer")
    await asyncio.gather(*burst)
    assert answered_at - asked_at <= 2, done
    # without the share, the answer queues behind the whole burst (the check can fail)
    shared = RateLimiter(per_second=200, chat_interval=0)
    order: list[str] = []

    async def queued(chat: int) -> None:
        await shared.acquire(chat)
        order.append("reminder")

    burst = [asyncio.create_task(queued(chat)) for chat in range(40)]
    await asyncio.sleep(0)
    await shared.acquire_reply()
    order.append("answer")
    await asyncio.gather(*burst)
    assert order.index("answer") > 20, order


async def test_flood_control_pauses_every_chat() -> None:
    limiter = RateLimiter(per_second=1000, chat_interval=0)
    loop = asyncio.get_running_loop()
    limiter.pause(0.1)
    start = loop.time()
    await limiter.acquire(42)
    assert loop.time() - start >= 0.09


async def test_the_deliverer_sorts_telegrams_answers(sim: BotApiSimulator) -> None:
    sim.user(1, started=True)
    sim.user(2, started=True)
    sim.block(2)
    async with Bot(sim.token, base_url=sim.api_url) as bot:
        deliverer = Deliverer(
            bot, RateLimiter(per_second=1000, chat_interval=0), max_retries=2, backoff=0.01
        )
        sim.inject_failure("sendMessage", status=429, retry_after=1)
        sim.inject_failure("sendMessage", status=502)
        assert (await deliverer.send(1, Screen("<b>satu</b>"))).result == Result.SENT
        assert (await deliverer.send(2, Screen("dua"))).result == Result.BLOCKED
        sim.inject_failure("sendMessage", status=400, description="Bad Request: chat not found")
        assert (await deliverer.send(1, Screen("tiga"))).result == Result.FAILED
        sim.inject_failure("sendMessage", status=502, times=3)
        assert (await deliverer.send(1, Screen("empat"))).result == Result.RETRY
        sim.inject_failure("sendMessage", status=429, retry_after=600)
        assert (await deliverer.send(1, Screen("lima"))).result == Result.RETRY
    assert [m.text for m in sim.user(1).messages] == ["satu"]


async def test_a_timed_out_send_is_not_repeated(sim: BotApiSimulator) -> None:
    sim.user(1, started=True)
    attempts: list[str] = []
    sim.add_call_listener(lambda call: attempts.append(call.method))
    request = AiohttpRequest(connection_pool_size=2, timeout=0.2)
    async with Bot(sim.token, base_url=sim.api_url, request=request) as bot:
        deliverer = Deliverer(
            bot, RateLimiter(per_second=1000, chat_interval=0), max_retries=3, backoff=0.01
        )
        sim.inject_failure("sendMessage", delay=1.0)
        delivery = await deliverer.send(1, Screen("satu"))
    # Telegram may have shown the first attempt: a second one could show it twice
    assert delivery.result == Result.SENT and delivery.message_id is None
    assert attempts.count("sendMessage") == 1
