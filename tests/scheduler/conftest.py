"""Reminder tests run with high send rates and without the background sweep; tests move the
clock and call the sweep themselves."""

from __future__ import annotations

from typing import Any

import pytest

from bot.settings import Settings
from tests.scheduler.support import fast


@pytest.fixture
def reminder_overrides() -> dict[str, Any]:
    """Extra settings of one test (parametrize to change the time zone, batch size...)."""
    return {}


@pytest.fixture
def settings(settings: Settings, reminder_overrides: dict[str, Any]) -> Settings:
    """The shared test settings, made fast for reminder tests."""
    return fast(settings, **reminder_overrides)
