"""kill -9 in the middle of a registration: the restarted bot loses no answer and applies
none twice. The bot runs as a real process (python bot.py run) against the simulator."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.app import EXAMPLE_UNITS
from bot.settings import load_settings
from bot.simulator import BotApiSimulator, SimUser
from models import db
from models.clock import SystemClock
from models.tables import Attachment, FlowState, InboxUpdate, Innovation, Reminder
from tests.conftest import texts
from tests.scheduler.support import add_user, add_verified

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n" + b"1" * 1000


class BotProcess:
    """``python bot.py run`` in a child process, pointed at the simulator."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, sim: BotApiSimulator) -> None:
        commands_before = len(sim.calls_of("setMyCommands"))
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "bot.py", "run", cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        await until(lambda: len(sim.calls_of("setMyCommands")) > commands_before, 60)
        await asyncio.sleep(0.5)  # post_init is done; the updater starts polling

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


@pytest.fixture
async def bot_process(
    database_url: str, sim: BotApiSimulator, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
        "TELEGRAM_BOT_TOKEN": sim.token,
        "TELEGRAM_API_URL": sim.api_url,
        "TELEGRAM_FILE_URL": sim.file_url,
        "DATABASE_URL": database_url,
        "FILES_DIR": str(tmp_path / "files"),
        "UNITS_FILE": str(EXAMPLE_UNITS),
        "REMINDER_SWEEP_SECONDS": "0",
        # a killed process's claims run out soon, so its restart takes the updates up
        "INBOX_LEASE_SECONDS": "2",
    }
    process = BotProcess(env)
    await process.start(sim)
    try:
        yield process
    finally:
        await process.stop()


async def until(condition: Callable[[], bool], limit: float = 30) -> None:
    async with asyncio.timeout(limit):
        while not condition():  # noqa: ASYNC110 - the other side is a separate process
            await asyncio.sleep(0.05)


async def rows(database_url: str) -> tuple[list[Attachment], FlowState]:
    engine = db.create_engine(database_url)
    try:
        async with db.session_factory(engine)() as session:
            files = (await session.execute(select(Attachment))).scalars().all()
            state = (await session.execute(select(FlowState))).scalar_one()
            return list(files), state
    finally:
        await engine.dispose()


async def jump_to_evidence(database_url: str) -> None:
    """Move the draft straight to its evidence step (the walk there is tested elsewhere)."""
    engine = db.create_engine(database_url)
    try:
        async with db.transaction(db.session_factory(engine)) as session:
            await session.execute(update(FlowState).values(step="bukti_dukung", rev=100))
            await session.execute(update(Innovation).values(tahapan="inisiatif"))
    finally:
        await engine.dispose()


async def answer(user: SimUser, action: asyncio.Task[object], sent_before: int) -> None:
    await until(lambda: len(user.messages) > sent_before)
    await action


async def test_kill_during_a_file_download_and_after_commit(
    bot_process: BotProcess, sim: BotApiSimulator, database_url: str
) -> None:
    user = sim.user(9801)
    user.timeout = 60
    await user.send("/start")
    await user.send("Korban Kill")
    await user.press("Dinas Kesehatan")
    await user.press("Lewati")
    await user.press("Lewati")
    await user.send("/baru")
    await user.send("Inovasi Tahan Mati Listrik")
    await jump_to_evidence(database_url)

    # 1. killed while downloading the file (inside the update's transaction)
    sim.inject_failure("getFile", delay=4.0)
    before = len(user.messages)
    sending = asyncio.create_task(user.send_document("bukti-1.pdf", PDF, "application/pdf"))
    await asyncio.sleep(1.5)
    await bot_process.kill()
    files, _ = await rows(database_url)
    assert files == []
    await bot_process.start(sim)
    await answer(user, sending, before)
    files, state = await rows(database_url)
    assert [f.filename for f in files] == ["bukti-1.pdf"]
    assert "Diterima: bukti-1.pdf (total 1 berkas)" in texts(user.messages[before:])

    # 2. killed after the answer was stored, while the reply was on its way
    sim.inject_failure("sendMessage", delay=4.0)
    before = len(user.messages)
    sending = asyncio.create_task(user.send_document("bukti-2.pdf", PDF, "application/pdf"))
    await asyncio.sleep(1.5)
    await bot_process.kill()
    await bot_process.start(sim)
    await answer(user, sending, before)
    await until(lambda: "Bukti dukung" in texts(user.messages[before:]))
    files, state = await rows(database_url)
    assert [f.filename for f in files] == ["bukti-1.pdf", "bukti-2.pdf"]
    assert state.step == "bukti_dukung"
    shown = texts(user.messages[before:])
    assert "Bukti dukung" in shown  # the restarted bot shows where the flow stands
    replies = await user.press("Selesai")
    assert "Kontak" in texts(replies)


async def inbox_size(database_url: str) -> int:
    engine = db.create_engine(database_url)
    try:
        async with db.session_factory(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(InboxUpdate)) or 0)
    finally:
        await engine.dispose()


async def test_updates_answered_before_a_kill_are_not_answered_again(
    bot_process: BotProcess, sim: BotApiSimulator, database_url: str
) -> None:
    user = sim.user(9802)
    user.timeout = 60
    await user.send("/start")
    await user.send("Korban Tiga Kali")
    for _ in range(3):
        replies = await user.send("/bantuan")
        assert "/baru" in texts(replies)
        # answered: it leaves the inbox at once, though Telegram has not been told yet
        async with asyncio.timeout(10):
            while await inbox_size(database_url):  # noqa: ASYNC110 - another process
                await asyncio.sleep(0.05)
        before = len(user.messages)
        await bot_process.kill()
        await bot_process.start(sim)  # Telegram delivers /bantuan once more
        replies = await user.send("/bahasa")
        assert len(replies) == 1 and "bahasa" in replies[0].text
        assert [m.text for m in user.messages[before:]] == [replies[0].text]


REMINDED = 30


async def seed_due_reminders(database_url: str, sim: BotApiSimulator) -> list[int]:
    """Thirty verified innovations, each with one reminder due now (the rest skipped)."""
    engine = db.create_engine(database_url)
    now = SystemClock().now()
    settings = load_settings(_env_file=None)
    chats = []
    try:
        async with db.transaction(db.session_factory(engine)) as session:
            for n in range(REMINDED):
                owner = await add_user(
                    session, sim, telegram_id=9900 + n, name=f"Pemilik {n}", now=now
                )
                await add_verified(
                    session, owner=owner, name=f"Inovasi {n}", now=now, settings=settings
                )
                chats.append(9900 + n)
            first = (
                select(Reminder.deadline_id, func.min(Reminder.id).label("first"))
                .group_by(Reminder.deadline_id)
                .subquery()
            )
            keep = select(first.c.first)
            await session.execute(
                update(Reminder).where(Reminder.id.not_in(keep)).values(status="skipped")
            )
            await session.execute(
                update(Reminder)
                .where(Reminder.id.in_(keep))
                .values(send_after=now - timedelta(minutes=1))
            )
    finally:
        await engine.dispose()
    return chats


async def test_kill_during_a_reminder_sweep(
    database_url: str, sim: BotApiSimulator, tmp_path: Path
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
        "TELEGRAM_BOT_TOKEN": sim.token,
        "TELEGRAM_API_URL": sim.api_url,
        "TELEGRAM_FILE_URL": sim.file_url,
        "DATABASE_URL": database_url,
        "FILES_DIR": str(tmp_path / "files"),
        "UNITS_FILE": str(EXAMPLE_UNITS),
        "REMINDER_SWEEP_SECONDS": "1",
        "REMINDER_CLAIM_SECONDS": "10",
        "WORKING_HOURS_START": "00:00",
        "WORKING_HOURS_END": "23:59",
        "WORKING_DAYS": "1,2,3,4,5,6,7",
        "SEND_RATE_PER_SECOND": "2",
    }
    migrate_only = BotProcess({**env, "REMINDER_SWEEP_SECONDS": "0"})
    await migrate_only.start(sim)
    await migrate_only.stop()
    chats = await seed_due_reminders(database_url, sim)
    delivered: list[int] = []
    sim.add_listener(
        lambda kind, message: (
            delivered.append(message.chat_id)
            if kind == "sent" and message.chat_id in chats
            else None
        )
    )
    slow = BotProcess(env)
    await slow.start(sim)
    try:
        await until(lambda: len(delivered) >= 5, 60)
        await asyncio.sleep(0.25)  # between two sends (two a second): this one is marked sent
        await slow.kill()
    finally:
        await slow.stop()
    at_kill = len(delivered)
    assert at_kill < REMINDED
    fast = BotProcess({**env, "SEND_RATE_PER_SECOND": "100"})
    await fast.start(sim)
    try:
        await until(lambda: len(set(delivered)) == REMINDED, 60)
        await asyncio.sleep(2.5)  # a few more sweeps: nothing may be sent again
    finally:
        await fast.stop()
    assert sorted(delivered) == sorted(chats), "every reminder exactly once"
