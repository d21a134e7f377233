"""Forged or stale buttons and command arguments with numbers that are no ids (huge, signed,
superscript, other scripts' digits): the user is told the button is no longer valid, nothing
changes, and nothing is logged as an error."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from bot.simulator import BotApiSimulator, SimUser
from handlers import dispatch
from models.db import transaction
from models.tables import Base, Role
from tests.conftest import BotHarness, button_answer, texts
from tests.scheduler.support import add_user, deps_of

ADMIN = 9301
STALE = "Tombol ini sudah tidak berlaku."
NOT_IDS = (
    "99999999999999999999",
    "9223372036854775808",  # just past signed 64 bits
    "2147483648",  # just past the int4 id columns
    "²",  # str.isdigit() says yes, int() says no
    "٣",  # Arabic-Indic three: int() reads it as 3
    "１２",  # full-width digits
    "-1",
    "",
    "1e5",
    " 1",
    "1_0",
    "0x1",
)
# every callback prefix the handlers register, with where the number goes in its payloads
PAYLOADS: dict[str, tuple[str, ...]] = {
    "draft:": ("draft:{}", "draft:del:{}", "draft:dely:{}"),
    "st:": ("st:{}",),
    "rv:": ("rv:v:{}", "rv:k:{}", "rv:h:{}", "rv:b:{}", "rv:vy:{}:1", "rv:vy:1:{}"),
    "rd:": ("rd:t:{}", "rd:f:{}"),
    "us:": ("us:{}",),
    "ur:": ("ur:{}",),
    "pg:": ("pg:mine:{}", "pg:queue:{}", "pg:users:{}"),
    "ex:": ("ex:xlsx:-:{}", "ex:csv:terverifikasi:{}"),
    "mv:": (
        "mv:fill:{}", "mv:snz:{}", "mv:ext:{}", "mv:exd:{}:7", "mv:exd:1:{}", "mv:ok:{}",
        "mv:no:{}",
    ),
    "tg:": ("tg:c:{}", "tg:cy:{}"),
    "rs:": (
        "rs:n:{}", "rs:ny:{}:0", "rs:ny:1:{}", "rs:x:{}", "rs:e:{}", "rs:o:{}", "rs:a:{}:1",
        "rs:a:1:{}", "rs:k:{}:1", "rs:t:1:{}",
    ),
    "wd:": ("wd:a:{}", "wd:y:{}:1", "wd:y:1:{}", "wd:n:{}", "wd:e:{}"),
    "f:": ("f:{}:c:kesehatan", "f:{}:p:1"),
    "iid:": ("iid:{}",),
    "iidf:": ("iidf:{}",),
    "kipp:": ("kipp:{}",),
    "doc:": ("doc:{}",),
    "pub:": (
        "pub:s:{}", "pub:y:{}", "pub:n:{}", "pub:c:{}", "pub:f:{}:1", "pub:f:1:{}", "pub:h:{}",
    ),
    "dup:": ("dup:d:{}", "dup:r:{}:1", "dup:r:1:{}", "dup:m:{}:1", "dup:m:1:{}"),
    "rpl:": ("rpl:{}",),
}  # fmt: skip
UPDATE_BOOKKEEPING = {"handled_updates", "inbox_updates"}
# prefixes whose payloads carry no number
WITHOUT_NUMBERS = ("me:erase", "me:ed:name", "lang:en", "noop", "ch:whatsapp")


async def rows(harness: BotHarness) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but those that keep track of the updates themselves."""
    snapshot = {}
    async with await harness.session() as session:
        for table in Base.metadata.sorted_tables:
            if table.name not in UPDATE_BOOKKEEPING:
                result = await session.execute(select(table))
                snapshot[table.name] = sorted((tuple(map(str, r)) for r in result), key=str)
    return snapshot


async def admin(harness: BotHarness, sim: BotApiSimulator) -> SimUser:
    deps = deps_of(harness)
    async with transaction(deps.session_factory()) as session:
        await add_user(
            session, sim, telegram_id=ADMIN, name="Adi Putra", now=harness.clock.now(),
            role=Role.ADMIN, unit="ORG",
        )  # fmt: skip
    user = sim.user(ADMIN)
    await user.send("/bantuan")
    return user


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def test_every_registered_button_prefix_is_covered() -> None:
    prefixes = [prefix for prefix, _ in dispatch.BUTTONS]
    samples = [p.format("1") for ps in PAYLOADS.values() for p in ps] + list(WITHOUT_NUMBERS)
    assert prefixes
    for prefix in prefixes:
        assert any(s.startswith(prefix) for s in samples), f"no forged payload for {prefix}"
    for prefix, payloads in PAYLOADS.items():
        assert all(p.startswith(prefix) for p in payloads)
        assert any(p.startswith(r) for r in prefixes for p in payloads), prefix


@pytest.mark.parametrize("prefix", sorted(PAYLOADS))
async def test_a_forged_number_in_a_button_is_a_stale_button(
    harness: BotHarness, sim: BotApiSimulator, caplog: pytest.LogCaptureFixture, prefix: str
) -> None:
    user = await admin(harness, sim)
    before = await rows(harness)
    caplog.set_level(logging.WARNING)
    for template in PAYLOADS[prefix]:
        for number in NOT_IDS:
            data = template.format(number)
            replies = await user.press_data(data, message=user.last)
            notice, rest = button_answer(user, replies)
            assert notice == STALE, (data, notice)
            assert rest == [], data
    assert errors(caplog) == []
    assert await rows(harness) == before


async def test_a_forged_page_of_a_choice_step_is_a_stale_button(
    harness: BotHarness, sim: BotApiSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    user = await admin(harness, sim)
    await user.send("/baru")
    replies = await user.send("Inovasi Tombol Palsu")
    assert "Perangkat daerah" in texts(replies)
    prompt = user.last
    page_buttons = [b.callback_data or "" for m in replies for b in m.all_buttons()]
    page_buttons = [d for d in page_buttons if ":p:" in d]
    assert page_buttons, "the unit step has more than one page"
    rev = page_buttons[0].split(":")[1]
    before = await rows(harness)
    caplog.set_level(logging.WARNING)
    for number in NOT_IDS:
        replies = await user.press_data(f"f:{rev}:p:{number}", message=prompt)
        assert button_answer(user, replies) == (STALE, []), number
    assert errors(caplog) == []
    assert await rows(harness) == before
    replies = await user.press_data(page_buttons[-1], message=prompt)
    assert "Perangkat daerah" in texts(replies)


@pytest.mark.parametrize("year", ["²²²²", "٢٠٢٦", "２０２６", "-202", "1e10"])
async def test_a_forged_year_in_an_export_command_is_refused_with_the_usage(
    harness: BotHarness, sim: BotApiSimulator, caplog: pytest.LogCaptureFixture, year: str
) -> None:
    user = await admin(harness, sim)
    caplog.set_level(logging.WARNING)
    replies = await user.send(f"/ekspor xlsx {year}")
    assert "/ekspor" in texts(replies) and replies[-1].document is None
    assert errors(caplog) == []
