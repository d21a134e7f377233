"""Commands are words too ("baru", "status INO-...", "menu", "bantuan"), in Indonesian and
English, for a channel without a command menu; inside a flow a typed word is an answer."""

from __future__ import annotations

from bot.simulator import BotApiSimulator
from tests.conftest import BotHarness, onboard


async def test_words_work_as_commands_outside_a_flow(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(8301, first_name="Wati")
    await onboard(user)
    await user.send("bantuan")
    assert user.last.text.splitlines()[0] == "Bantuan"
    await user.send("Menu")
    assert user.last.text.startswith("Halo, Budi Santoso!")
    await user.send("status INO-2026-9999")
    assert "INO-2026-9999" in user.last.text and "tidak ditemukan" in user.last.text
    replies = await user.send("baru")
    assert replies[0].text.startswith("Mendaftarkan inovasi baru.")


async def test_inside_a_flow_a_command_word_is_an_answer(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(8302, first_name="Yudi")
    await onboard(user)
    await user.send("baru")
    await user.send("Baru Sehat Bersama")  # an innovation may well be named "Baru ..."
    await user.send("/draf")
    drafts = [b.text for row in user.last.buttons for b in row if "Hapus" not in b.text]
    assert len(drafts) == 1 and "Baru Sehat Bersama" in drafts[0], drafts  # kept as the name


async def test_escape_words_leave_a_flow(harness: BotHarness, sim: BotApiSimulator) -> None:
    user = sim.user(8303, first_name="Sari")
    await onboard(user)
    await user.send("baru")
    await user.send("Sistem Antrian Daring")
    await user.send("batal")
    assert "draf" in user.last.text.lower()
    await user.send("bantuan")  # no flow now: a command again
    assert user.last.text.splitlines()[0] == "Bantuan"


async def test_english_words_and_unknown_slash_commands(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    user = sim.user(8304, first_name="Andi")
    await onboard(user)
    await user.send("help")
    assert user.last.text.splitlines()[0] == "Bantuan"  # the user's language stays Indonesian
    await user.send("/tidakada")
    assert user.last.text.startswith("Perintah itu tidak dikenal.")
    await user.send("halo")  # an ordinary word outside a flow
    assert user.last.text.startswith("Saya belum mengerti pesan itu.")
