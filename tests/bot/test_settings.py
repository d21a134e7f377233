"""Settings validation: one clear line naming the variable."""

from __future__ import annotations

import logging

import pytest

from bot.logging_setup import RedactFilter
from bot.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings


def test_defaults_use_a_sqlite_file_under_data() -> None:
    settings = load_settings(_env_file=None)
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.timezone == "Asia/Jakarta"
    assert settings.admin_telegram_ids == []


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_TELEGRAM_IDS", "11, 22;33")
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@db/inovasi")
    monkeypatch.setenv("TIMEZONE", "Asia/Makassar")
    settings = load_settings(_env_file=None)
    assert settings.admin_telegram_ids == [11, 22, 33]
    assert settings.database_url == "postgresql+asyncpg://bot@db/inovasi"
    assert settings.timezone == "Asia/Makassar"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TIMEZONE", "Mars/Olympus"),
        ("ADMIN_TELEGRAM_IDS", "12,abc"),
        ("DATABASE_URL", "mysql://x"),
        ("PORT", "99999"),
        ("WEBHOOK_URL", "http://insecure.example"),
    ],
)
def test_a_wrong_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as exc:
        load_settings(_env_file=None)
    message = str(exc.value)
    assert message.startswith(f"{name}:")
    assert "\n" not in message


def test_missing_token_says_how_to_get_one() -> None:
    settings = load_settings(_env_file=None, telegram_bot_token=None)
    with pytest.raises(SettingsError) as exc:
        settings.require_token()
    assert "@BotFather" in str(exc.value) and "demo" in str(exc.value)


def test_token_is_never_shown() -> None:
    settings = load_settings(_env_file=None, telegram_bot_token="123456:SECRET-TOKEN")
    assert "SECRET-TOKEN" not in repr(settings)
    assert "SECRET-TOKEN" not in str(settings.model_dump())


def test_log_filter_removes_secrets(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    caplog.handler.addFilter(RedactFilter(["123456:SECRET"]))
    logger.warning("POST https://api.telegram.org/bot%s/getUpdates", "123456:SECRET")
    assert "123456:SECRET" not in caplog.text
    assert "bot***/getUpdates" in caplog.text
