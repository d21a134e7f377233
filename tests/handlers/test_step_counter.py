"""The step counter ("Langkah 3/20") counts the steps that will be asked given the answers
so far: it moves one step at a time and its total changes only when an answer rules steps
out."""

from __future__ import annotations

import itertools
import re

import pytest

from bot.settings import Settings
from bot.simulator import BotApiSimulator, SentMessage
from models.db import transaction
from tests import phones
from tests.conftest import BotHarness, onboard
from tests.handlers.test_registration import register_until_summary
from tests.handlers.test_review import ADMIN_ID
from tests.scheduler.support import add_user, add_verified, deps_of

HEADER = re.compile(r"(?:Langkah|Step) (\d+)/(\d+)")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    phones.set_admins(settings, ADMIN_ID)
    return settings


def counters(messages: list[SentMessage]) -> list[tuple[int, int]]:
    found = (HEADER.search(m.text) for m in messages)
    return [(int(m.group(1)), int(m.group(2))) for m in found if m]


def assert_steady(seen: list[tuple[int, int]]) -> None:
    """Each prompt is the same step again (a search, an error) or the next one."""
    for (n, _), (m, _) in itertools.pairwise(seen):
        assert m in (n, n + 1), seen


async def test_a_registration_counts_20_steps_from_the_first(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7401)
    await onboard(user)
    before = len(user.messages)
    await register_until_summary(user)  # tahapan Penerapan: every step is asked
    seen = counters(user.messages[before:])
    assert seen[0] == (1, 20) and seen[-1] == (20, 20)
    assert {total for _, total in seen} == {20}
    assert_steady(seen)


async def test_choosing_inisiatif_rules_two_steps_out(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(7402)
    await onboard(user)
    before = len(user.messages)
    await user.send("/baru")
    await user.send("Inovasi Hitung Langkah")
    await user.press("Dinas Kesehatan")
    await user.press("Inisiatif")
    await user.press("ASN")
    seen = counters(user.messages[before:])
    assert seen == [(1, 20), (2, 20), (3, 20), (4, 18), (5, 18)]


async def test_an_invite_counts_its_unit_step_until_the_role_rules_it_out(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    admin = sim.user(ADMIN_ID)
    await onboard(admin, name="Admin Organisasi", unit="Bagian Organisasi")
    replies = await admin.send("/undang")
    assert counters(replies) == [(1, 2)]
    replies = await admin.press("Verifikator")
    assert counters(replies) == [(2, 2)]


async def test_a_monev_report_for_one_period_starts_at_step_1(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    deps, now = deps_of(harness), harness.clock.now()
    async with transaction(deps.session_factory()) as session:
        owner = await add_user(session, sim, telegram_id=7403, name="Ani Lestari", now=now)
        await add_verified(session, owner=owner, name="Posyandu", now=now, settings=deps.settings)
    user = sim.user(7403)
    replies = await user.send("/monev")
    assert counters(replies) == [(1, 6)]
    replies = await user.press("Berjalan")
    assert counters(replies) == [(2, 6)]
