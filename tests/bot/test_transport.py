"""The aiohttp transport behind every Bot API call, against the loopback Bot API."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.simulator import BotApiSimulator
from bot.telegram.render import retry_after_seconds
from bot.telegram.transport import AiohttpRequest

USER_ID = 4242


@pytest.fixture
async def sim() -> AsyncIterator[BotApiSimulator]:
    async with BotApiSimulator() as simulator:
        # the user writes first: bots cannot start a conversation
        await simulator.user(USER_ID, first_name="Siti").fire_text("/start")
        yield simulator


def make_bot(sim: BotApiSimulator, *, timeout: float = 5.0, api_url: str | None = None) -> Bot:
    return Bot(
        sim.token,
        base_url=api_url or sim.api_url,
        base_file_url=sim.file_url,
        request=AiohttpRequest(connection_pool_size=2, timeout=timeout, media_timeout=timeout),
        get_updates_request=AiohttpRequest(connection_pool_size=1, timeout=timeout),
    )


async def test_text_buttons_and_html_arrive_as_sent(sim: BotApiSimulator) -> None:
    async with make_bot(sim) as bot:
        text = "<b>Halo</b> &amp; selamat datang"
        sent = await bot.send_message(USER_ID, text, parse_mode="HTML")
    assert sent.text == "Halo & selamat datang"
    assert sim.messages(USER_ID)[-1].html == "<b>Halo</b> &amp; selamat datang"


async def test_files_go_up_as_multipart_and_come_back_down(sim: BotApiSimulator) -> None:
    data = b"%PDF-1.4\n" + bytes(range(256)) * 40
    async with make_bot(sim) as bot:
        sent = await bot.send_document(USER_ID, data, filename="profil.pdf", caption="Profil")
        assert sent.document is not None
        file = await bot.get_file(sent.document.file_id)
        downloaded = await file.download_as_bytearray()
    stored = sim.messages(USER_ID)[-1].document
    assert stored is not None and stored.filename == "profil.pdf" and stored.data == data
    assert bytes(downloaded) == data


async def test_bot_api_errors_keep_their_meaning(sim: BotApiSimulator) -> None:
    sim.inject_failure("sendMessage", status=429, retry_after=3)
    sim.inject_failure("sendMessage", status=502)
    async with make_bot(sim) as bot:
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(USER_ID, "satu")
        with pytest.raises(NetworkError):
            await bot.send_message(USER_ID, "dua")
        with pytest.raises(BadRequest):
            await bot.send_message(USER_ID, "")
        await bot.send_message(USER_ID, "tiga")
    assert retry_after_seconds(flood.value) == 3
    assert [m.text for m in sim.messages(USER_ID)] == ["tiga"]


async def test_a_slow_answer_is_timed_out(sim: BotApiSimulator) -> None:
    sim.inject_failure("sendMessage", delay=2.0)
    async with make_bot(sim, timeout=0.2) as bot:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(USER_ID, "lambat")
        assert time.monotonic() - started < 1.5


async def test_an_unreachable_api_is_a_network_error(sim: BotApiSimulator) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    request = AiohttpRequest(connection_pool_size=1, timeout=2.0)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as err:
            await request.post(f"http://127.0.0.1:{closed_port}/bot{sim.token}/getMe")
    finally:
        await request.shutdown()
    assert not isinstance(err.value, TimedOut)


async def test_requests_need_an_open_session() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/", "POST")
