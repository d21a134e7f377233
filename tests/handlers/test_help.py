"""/bantuan ends by naming whom to ask: HELPDESK, or else the Pemda's Bagian Organisasi."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings
from bot.simulator import BotApiSimulator
from tests.conftest import BotHarness, onboard


async def test_help_names_the_helpdesk(harness: BotHarness, sim: BotApiSimulator) -> None:
    contact = "Bagian Organisasi, Sdr. Rina <WA 0812-1111-2222> & tim"  # escaped, not HTML
    harness.settings.helpdesk = f"  {contact}\n"
    user = sim.user(8101, first_name="Rina")
    await onboard(user)
    await user.send("/bantuan")
    lines = user.last.text.splitlines()
    assert lines[0] == "Bantuan"
    assert lines[-1] == f"Bantuan lebih lanjut: {contact}"
    assert lines[-2] == ""  # a paragraph of its own, after the commands


async def test_help_without_helpdesk_points_to_the_pemda(
    harness: BotHarness, sim: BotApiSimulator
) -> None:
    assert harness.settings.helpdesk == ""
    user = sim.user(8102, first_name="Dedi", language_code="id")
    await onboard(user)
    await user.send("/bantuan")
    text = user.last.text
    assert text.splitlines()[-1] == (
        "Bantuan lebih lanjut: tanyakan ke Bagian Organisasi Pemerintah Kabupaten Nunukan."
    )
    assert "\n\n\n" not in text and not text.endswith("\n")
    await user.send("/bahasa")
    await user.press("English")
    await user.send("/help")
    assert user.last.text.splitlines()[-1] == (
        "More help: ask the Bagian Organisasi (organisation section) of "
        "Pemerintah Kabupaten Nunukan."
    )


def test_helpdesk_setting_is_limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK", "Sdr. Rina, WA 0812-1111-2222")
    assert load_settings(_env_file=None).helpdesk == "Sdr. Rina, WA 0812-1111-2222"
    monkeypatch.setenv("HELPDESK", "x" * 201)
    with pytest.raises(SettingsError, match=r"^HELPDESK: "):
        load_settings(_env_file=None)
