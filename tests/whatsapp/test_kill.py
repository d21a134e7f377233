"""A real bot process serving WhatsApp, killed with SIGKILL in the middle of a burst of
messages: what WhatsApp was told had arrived (200) is handled after the restart, what it was
not told it sends again; nothing typed is lost, nothing is saved twice."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.simulator.processes import WebhookProcess, inbox_size, seed_at_long_text
from bot.simulator.whatsapp import WhatsAppSimulator
from bot.simulator.whatsapp.inbound import bsuid_for
from models import db
from models.tables import Innovation, User
from tests import phones

pytestmark = pytest.mark.parametrize("channel", [phones.WHATSAPP], indirect=True)
WA_ID = "6281299990001"


def whatsapp_env(wa: WhatsAppSimulator, database_url: str, workdir: Path) -> dict[str, str]:
    """The environment of a bot process that serves only WhatsApp, on the simulator."""
    prefixes = ("TELEGRAM_", "DATABASE_", "WHATSAPP_", "WEBHOOK_", "PORT")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {
        **env,
        "DATABASE_URL": database_url,
        "FILES_DIR": str(workdir / "files"),
        "REMINDER_SWEEP_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "INBOX_LEASE_SECONDS": "2",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WHATSAPP_TOKEN": wa.token,
        "WHATSAPP_PHONE_ID": wa.phone_id,
        "WHATSAPP_APP_SECRET": wa.app_secret,
        "WHATSAPP_VERIFY_TOKEN": wa.verify_token,
        "WHATSAPP_API_URL": wa.api_url,
    }


@pytest.fixture
async def process(
    wa_sim: WhatsAppSimulator, database_url: str, tmp_path: Path
) -> AsyncIterator[WebhookProcess]:
    await seed_at_long_text(database_url, tmp_path, 1, whatsapp_ids=[bsuid_for(WA_ID)])
    bot = WebhookProcess(whatsapp_env(wa_sim, database_url, tmp_path), tmp_path / "bot.log")
    await bot.start()
    wa_sim.webhook_url = bot.url + "/whatsapp"
    wa_sim.webhook_attempts = 12  # Meta keeps trying for days; a restart takes seconds
    wa_sim.webhook_retry_delay = 0.25
    wa_sim.pair_burst = 10_000
    try:
        yield bot
    finally:
        await bot.stop()


async def saved(database_url: str) -> str:
    engine = db.create_engine(database_url)
    try:
        async with db.session_factory(engine)() as session:
            rows = await session.execute(
                select(Innovation.masalah)
                .join(User, Innovation.owner_id == User.id)
                .where(User.whatsapp_id == bsuid_for(WA_ID))
            )
            return rows.scalar_one() or ""
    finally:
        await engine.dispose()


async def test_a_kill_during_whatsapp_traffic_loses_nothing(
    process: WebhookProcess, wa_sim: WhatsAppSimulator, database_url: str
) -> None:
    user = wa_sim.user(WA_ID, name="Rina")
    wa_sim.mark_inbound(WA_ID)
    parts = [f"bagian{n:02d}" for n in range(12)]
    sending = [asyncio.ensure_future(user.fire_text(part)) for part in parts[:6]]
    async with asyncio.timeout(10):
        while not any(post.status == 200 for post in wa_sim.webhook_posts):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    await process.kill()  # some kept, perhaps not handled; some in flight
    sending += [asyncio.ensure_future(user.fire_text(part)) for part in parts[6:]]
    await asyncio.sleep(0.5)  # these find nobody listening: WhatsApp will try again
    await process.start()
    await asyncio.gather(*sending)
    async with asyncio.timeout(60):
        while len((await saved(database_url)).split()) < len(parts) or await inbox_size(  # noqa: ASYNC110
            database_url
        ):
            await asyncio.sleep(0.2)
    text = await saved(database_url)
    for part in parts:
        assert text.count(part) == 1, (part, text)
    assert wa_sim.dropped_webhooks == []
    refused = [post for post in wa_sim.webhook_posts if post.status != 200]
    assert refused, "no delivery met the dead process: the kill came too late to test"
    answers = [m.text for m in user.messages if m.text.startswith("Tersimpan")]
    assert len(answers) >= len(parts) - 1  # one may have been answered by the dead process
