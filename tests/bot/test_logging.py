"""Secrets never reach the log: not in messages, arguments, exception texts or tracebacks."""

from __future__ import annotations

import io
import json
import logging

import pytest
from telegram.error import InvalidToken

from bot.logging_setup import RedactFilter, make_formatter
from bot.settings import load_settings

TOKEN = "999999:WRONG-secret_value"
SECRET_SETTINGS = {
    "telegram_bot_token": TOKEN,
    "webhook_url": "https://bot.example.go.id",
    "webhook_secret": "hook-secret-0123456789",
    "database_url": "postgresql+asyncpg://bot:db-Pa55word@db.internal/inovasi",
    "whatsapp_token": "EAAGwa-permanent-token-77",
    "whatsapp_phone_id": "109876543210987",
    "whatsapp_app_secret": "app-secret-41678a4f",
    "whatsapp_verify_token": "verify-token-9f2c",
}


def logged(fmt: str, emit: object) -> str:
    settings = load_settings(_env_file=None, **SECRET_SETTINGS)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter(fmt, settings.secrets()))
    logger = logging.getLogger(f"test.redaction.{fmt}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        assert callable(emit)
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def emit_everything(logger: logging.Logger) -> None:
    logger.warning("POST https://api.telegram.org/bot%s/getMe", TOKEN)
    logger.info("webhook secret is %s", "hook-secret-0123456789")
    logger.info("url-quoted: %s", TOKEN.replace(":", "%3A"))
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken:
        logger.exception("start failed")
    logger.error("with a stack", stack_info=True, extra={"hint": "db-Pa55word"})
    try:
        raise RuntimeError("Authorization: Bearer EAAGwa-permanent-token-77 refused")
    except RuntimeError:
        logger.exception("WhatsApp failed (app-secret-41678a4f, verify-token-9f2c)")


@pytest.mark.parametrize("fmt", ["plain", "json"])
def test_no_secret_in_any_part_of_a_record(fmt: str) -> None:
    output = logged(fmt, emit_everything)
    secrets = ("WRONG-secret_value", "hook-secret-0123456789", "db-Pa55word",
               "EAAGwa-permanent-token-77", "app-secret-41678a4f", "verify-token-9f2c")  # fmt: skip
    for secret in secrets:
        assert secret not in output
    assert "InvalidToken" in output and "***" in output
    if fmt == "json":
        records = [json.loads(line) for line in output.splitlines()]
        levels = [r["level"] for r in records]
        assert levels == ["WARNING", "INFO", "INFO", "ERROR", "ERROR", "ERROR"]
        assert "exc_info" in records[3] and "***" in records[3]["exc_info"]


def test_the_filter_redacts_the_traceback_for_other_formatters(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.handler.addFilter(RedactFilter([TOKEN]))
    try:
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    except InvalidToken:
        logging.getLogger("test.filter").exception("start failed")
    assert TOKEN not in caplog.text and "was rejected" in caplog.text
