"""Start-up as an operator sees it: one clear line for a wrong token, a dead Bot API or an
unsafe webhook; a webhook request without the secret changes nothing."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.simulator import BotApiSimulator
from models import db
from models.tables import HandledUpdate, User
from tests.bot.test_cli import ROOT, run_cli

TOKEN_SECRET = "WRONG-abcdefghijklmnop"
WEBHOOK_SECRET = "s3cret-webhook-token-0123456789"


def clean_env(**values: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    base.pop("WEBHOOK_URL", None)
    base.pop("WEBHOOK_SECRET", None)
    return {**base, **values}


async def run_bot(env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "bot.py", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


def one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert "Traceback" not in output and "Unclosed" not in output
    return lines[0]


def test_webhook_mode_refuses_to_start_without_a_secret() -> None:
    result = run_cli(
        "run",
        env={"TELEGRAM_BOT_TOKEN": "123:abc", "WEBHOOK_URL": "https://bot.example.go.id"},
    )
    assert result.returncode == 2
    assert one_line(result.stderr).startswith("WEBHOOK_SECRET is required when WEBHOOK_URL")


def test_a_webhook_secret_telegram_would_refuse_is_refused_at_start() -> None:
    env = {"WEBHOOK_URL": "https://bot.example.go.id", "WEBHOOK_SECRET": "short secret"}
    result = run_cli("migrate", env=env)
    assert result.returncode == 2
    assert one_line(result.stderr).startswith("WEBHOOK_SECRET: use 16 to 256 characters")


def test_the_listen_address_must_be_an_address() -> None:
    result = run_cli("migrate", env={"WEBHOOK_LISTEN": "everywhere"})
    assert result.returncode == 2
    assert one_line(result.stderr).startswith("WEBHOOK_LISTEN: use an IP address")


async def test_a_rejected_token_is_one_line_without_the_token(
    sim: BotApiSimulator, tmp_path: Path
) -> None:
    env = clean_env(
        TELEGRAM_BOT_TOKEN=f"999999:{TOKEN_SECRET}",
        TELEGRAM_API_URL=sim.api_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )
    code, output = await run_bot(env)
    assert code == 2
    assert one_line(output) == (
        "TELEGRAM_BOT_TOKEN: Telegram rejected the token; copy it again from @BotFather"
    )
    assert TOKEN_SECRET not in output


async def test_an_unreachable_bot_api_is_one_line_and_a_clean_exit(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = clean_env(
        TELEGRAM_BOT_TOKEN=f"999999:{TOKEN_SECRET}",
        TELEGRAM_API_URL=f"http://127.0.0.1:{port}/bot",
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
    )
    code, output = await run_bot(env)
    assert code == 4
    assert one_line(output).startswith(
        f"TELEGRAM_API_URL: cannot reach the Bot API at 127.0.0.1:{port}"
    )
    assert TOKEN_SECRET not in output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def webhook_bot(
    sim: BotApiSimulator, database_url: str, tmp_path: Path
) -> AsyncIterator[str]:
    port = free_port()
    env = clean_env(
        TELEGRAM_BOT_TOKEN=sim.token,
        TELEGRAM_API_URL=sim.api_url,
        TELEGRAM_FILE_URL=sim.file_url,
        DATABASE_URL=database_url,
        FILES_DIR=str(tmp_path / "files"),
        WEBHOOK_URL="https://bot.example.go.id",
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        PORT=str(port),
        REMINDER_SWEEP_SECONDS="0",
        ADMIN_TELEGRAM_IDS="4242",
    )
    log = (tmp_path / "bot.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "bot.py", "run", cwd=ROOT, env=env,
        stdout=log, stderr=log,
    )  # fmt: skip
    try:
        async with asyncio.timeout(120):  # a busy machine starts Python slowly
            while not sim.calls_of("setWebhook"):  # noqa: ASYNC110 - another process
                await asyncio.sleep(0.05)
        assert sim.calls_of("setWebhook")[0]["secret_token"] == WEBHOOK_SECRET
        yield f"http://127.0.0.1:{port}/telegram"
    finally:
        process.terminate()
        await process.wait()
        log.close()
        print((tmp_path / "bot.log").read_text())  # shown by pytest when the test failed


def start_update(update_id: int, user_id: int) -> dict[str, object]:
    sender = {"id": user_id, "is_bot": False, "first_name": "Penyusup"}
    message = {
        "message_id": update_id,
        "date": 1_800_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": "Penyusup"},
        "from": sender,
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    return {"update_id": update_id, "message": message}


async def counts(database_url: str) -> tuple[int, int]:
    engine = db.create_engine(database_url)
    try:
        async with db.session_factory(engine)() as session:
            users = await session.scalar(select(func.count()).select_from(User))
            handled = await session.scalar(select(func.count()).select_from(HandledUpdate))
            return int(users or 0), int(handled or 0)
    finally:
        await engine.dispose()


async def test_a_webhook_request_without_the_secret_gets_403_and_changes_nothing(
    webhook_bot: str, sim: BotApiSimulator, database_url: str
) -> None:
    intruder, genuine_user = sim.user(4242, started=True), sim.user(5151, started=True)
    # a new connection per request, as Telegram's retries and an attacker's would be
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as client:
        for n, headers in enumerate(
            [{}, {"X-Telegram-Bot-Api-Secret-Token": "guessed-but-wrong-0000"}], start=1
        ):
            forged = json.dumps(start_update(n, 4242))  # an admin's id from the settings
            async with client.post(webhook_bot, data=forged, headers=headers) as response:
                assert response.status == 403
        assert await counts(database_url) == (0, 0)
        assert intruder.messages == [] and sim.calls_of("sendMessage") == []
        headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        genuine = json.dumps(start_update(3, 5151))
        async with client.post(
            webhook_bot, data=genuine, headers={**headers, "Content-Type": "application/json"}
        ) as response:
            assert response.status == 200
    async with asyncio.timeout(60):
        while not genuine_user.messages:  # noqa: ASYNC110 - another process
            await asyncio.sleep(0.05)
    assert "Selamat datang" in genuine_user.messages[0].text
    assert intruder.messages == []
    assert await counts(database_url) == (1, 1)


def test_log_level_and_json_lines(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "LOG_FORMAT": "json"}
    result = run_cli("migrate", env=env)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.strip().splitlines()]
    assert records and {r["level"] for r in records} == {"INFO"}
    assert {"asctime", "logger", "message"} <= set(records[0])
    quiet = run_cli("migrate", env={**env, "LOG_LEVEL": "warning"})
    assert quiet.returncode == 0 and quiet.stderr == ""
    wrong = run_cli("migrate", env={**env, "LOG_LEVEL": "loud"})
    assert wrong.returncode == 2
    assert one_line(wrong.stderr) == "LOG_LEVEL: use DEBUG, INFO, WARNING, ERROR"
