"""Where the catalog is served: ``python bot.py web`` (the catalog and /healthz only) and the
bot's own web server whenever it runs."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from bot.runtime import BotRuntime
from bot.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _wait_for(url: str, deadline: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + deadline
    async with aiohttp.ClientSession() as client:
        while True:
            try:
                async with client.get(url) as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if loop.time() > end:
                raise TimeoutError(url)
            await asyncio.sleep(0.2)


async def test_bot_py_web_serves_only_the_catalog(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WHATSAPP_"))}
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "FILES_DIR": str(tmp_path / "files"),
        "PORT": str(port),
        "PEMDA_NAME": "Pemerintah Kabupaten Nunukan",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "bot.py", "web", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        await _wait_for(base + "/healthz")
        async with aiohttp.ClientSession() as client:
            async with client.get(base + "/katalog") as answer:
                assert answer.status == 200
                page = await answer.text()
                assert "Pemerintah Kabupaten Nunukan" in page and "0 inovasi" in page
                assert "t.me/" not in page and "wa.me/" not in page
            for path in ("/telegram", "/whatsapp"):
                async with client.post(base + path, data=b"{}") as answer:
                    assert answer.status == 404, path
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert "catalog on http://127.0.0.1:" in stderr.decode()


def test_the_bot_web_server_serves_the_catalog(tmp_path: Path) -> None:
    settings = load_settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        files_dir=tmp_path / "files",
        whatsapp_token="token",
        whatsapp_phone_id="1234567890",
        whatsapp_app_secret="app-secret",
        whatsapp_verify_token="verify-token",
    )
    runtime = BotRuntime(settings)
    assert runtime.web is not None
    paths = {r.get_info().get("path") or r.get_info().get("formatter") for r in
             runtime.web.app.router.resources()}  # fmt: skip
    assert {"/katalog", "/katalog/ringkasan", "/whatsapp", "/healthz"} <= paths
