"""Settings read from the environment or a `.env` file, validated at start-up."""

from __future__ import annotations

import ipaddress
import logging
import re
import zoneinfo
from datetime import time
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

from models.services.users import Admins
from models.similarity import DEFAULT_THRESHOLD

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/inovasi.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# What Telegram accepts as a webhook's secret_token.
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,256}")


class SettingsError(Exception):
    """A setting is missing or wrong; the message is one line naming the variable."""


class Settings(BaseSettings):
    """Every setting of the bot; names are the environment variables in upper case."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", validate_default=True)

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    database_url: str = DEFAULT_DATABASE_URL
    files_dir: Path = Path("./data/files")
    timezone: str = "Asia/Jakarta"
    pemda_name: str = "Pemerintah Daerah"
    helpdesk: str = Field(default="", max_length=200)
    admin_telegram_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    admin_whatsapp_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # WhatsApp Cloud API (docs/whatsapp.md): the number's id, a permanent token, the app
    # secret that signs webhooks and the token of the webhook's verification handshake
    whatsapp_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_phone_id: str | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_url: str = "https://graph.facebook.com"
    whatsapp_api_version: str = Field(default="22.0", pattern=r"^\d{1,3}\.\d{1,2}$")
    # the number users write to, digits only (for wa.me links in invitations)
    whatsapp_number: str = Field(default="", pattern=r"^\d{0,15}$")
    whatsapp_send_rate_per_second: float = Field(default=80.0, gt=0, le=1000)
    # the approved message templates (names, languages, values), else the shipped file
    whatsapp_templates_file: Path | None = None
    default_language: str = "id"
    master_data_file: Path | None = None
    # the IID indicator rules of the year (weights, levels, evidence), else the shipped file
    iid_rules_file: Path | None = None
    units_file: Path | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    port: int = Field(default=8443, ge=1, le=65535)
    # The inbox: updates handled at once per process, and how long a claim holds before
    # another process takes the update up (a process that died).
    inbox_concurrency: int = Field(default=16, ge=1, le=200)
    inbox_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    # How many bot processes share the bot's sending limits (each gets its share).
    bot_processes: int = Field(default=1, ge=1, le=64)
    log_level: str = "INFO"
    log_format: str = "plain"
    # Monev calendar and reminders (design section 6).
    monev_cadence_months: int = 3
    monev_due_days: int = Field(default=10, ge=0, le=90)
    reminder_days_before: Annotated[list[int], NoDecode] = Field(default=[7, 3, 1, 0])
    reminder_days_overdue: Annotated[list[int], NoDecode] = Field(default=[1, 3, 7])
    escalate_verifier_days: int = Field(default=3, ge=0, le=365)
    escalate_admin_days: int = Field(default=7, ge=0, le=365)
    working_hours_start: time = time(8, 0)
    working_hours_end: time = time(16, 0)
    working_days: Annotated[list[int], NoDecode] = Field(default=[1, 2, 3, 4, 5])
    extension_day_options: Annotated[list[int], NoDecode] = Field(default=[7, 14, 30])
    reminder_sweep_seconds: int = Field(default=60, ge=0, le=3600)
    reminder_claim_seconds: int = Field(default=300, ge=10, le=86400)
    reminder_batch_size: int = Field(default=100, ge=1, le=1000)
    send_rate_per_second: float = Field(default=25.0, gt=0, le=1000)
    send_chat_interval_seconds: float = Field(default=1.0, ge=0, le=60)
    send_max_retries: int = Field(default=3, ge=0, le=10)
    send_retry_backoff_seconds: float = Field(default=1.0, ge=0, le=60)
    draft_nudge_days: int = Field(default=3, ge=0, le=365)
    # a registration this similar (0..1) to an innovation of the Pemda is warned of
    similarity_threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0, le=1)

    @field_validator("admin_whatsapp_ids", mode="before")
    @classmethod
    def _split_wa_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = value.replace(";", ",").replace(" ", ",").split(",")
            return [p.strip().lstrip("+") for p in parts if p.strip()]
        return value

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            return [int(p) for p in parts]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. Asia/Jakarta") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if value.startswith(("postgres://", "postgresql://")):
            return "postgresql+asyncpg://" + value.split("://", 1)[1]
        if value.startswith("sqlite://") and not value.startswith("sqlite+aiosqlite://"):
            return "sqlite+aiosqlite://" + value.split("://", 1)[1]
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db")
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in ("id", "en"):
            raise ValueError("use id or en")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https_webhook(cls, value: str | None) -> str | None:
        if value and not value.startswith("https://"):
            raise ValueError("must start with https://")
        return value or None

    @field_validator("webhook_listen")
    @classmethod
    def _listen_address(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValueError(
                "use an IP address: 127.0.0.1 behind a reverse proxy on this host, "
                "0.0.0.0 in a container"
            ) from None
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError(
                "use 16 to 256 characters from A-Z, a-z, 0-9, _ and -, "
                "e.g. the output of: openssl rand -hex 32"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError("use " + ", ".join(LOG_LEVELS))
        return level

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        fmt = value.strip().lower()
        if fmt not in ("plain", "json"):
            raise ValueError("use plain or json (one JSON object per line)")
        return fmt

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_SECRET is required when WEBHOOK_URL is set: without it anyone who "
                "finds the address can send the bot forged updates (e.g. openssl rand -hex 32)"
            )
        return self

    @model_validator(mode="after")
    def _whatsapp_complete(self) -> Settings:
        given = {
            "WHATSAPP_TOKEN": _secret(self.whatsapp_token),
            "WHATSAPP_PHONE_ID": self.whatsapp_phone_id or "",
            "WHATSAPP_APP_SECRET": _secret(self.whatsapp_app_secret),
            "WHATSAPP_VERIFY_TOKEN": _secret(self.whatsapp_verify_token),
        }
        missing = [name for name, value in given.items() if not value]
        if len(missing) not in (0, len(given)):
            raise ValueError(
                f"{', '.join(missing)} missing: WhatsApp needs its token and phone number id, "
                "and the app secret and verify token that keep its webhook closed to others "
                "(docs/whatsapp.md)"
            )
        return self

    @field_validator(
        "reminder_days_before",
        "reminder_days_overdue",
        "working_days",
        "extension_day_options",
        mode="before",
    )
    @classmethod
    def _split_numbers(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return [int(p) for p in parts]
            except ValueError:
                raise ValueError("use whole numbers separated by commas, e.g. 7,3,1,0") from None
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("reminder_days_before", "reminder_days_overdue")
    @classmethod
    def _reminder_days(cls, value: list[int]) -> list[int]:
        if any(day < 0 or day > 365 for day in value):
            raise ValueError("days must be between 0 and 365")
        return sorted(set(value), reverse=True)

    @field_validator("working_days")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not value or any(day < 1 or day > 7 for day in value):
            raise ValueError("use weekday numbers 1 (Monday) to 7 (Sunday), e.g. 1,2,3,4,5")
        return sorted(set(value))

    @field_validator("extension_day_options")
    @classmethod
    def _extension_days(cls, value: list[int]) -> list[int]:
        if not value or any(day < 1 or day > 365 for day in value):
            raise ValueError("use one or more numbers of days between 1 and 365")
        return sorted(set(value))

    @field_validator("monev_cadence_months")
    @classmethod
    def _cadence(cls, value: int) -> int:
        if value not in (1, 2, 3, 4, 6, 12):
            raise ValueError("use 1, 2, 3, 4, 6 or 12 months (3 = quarterly)")
        return value

    @field_validator("working_hours_end")
    @classmethod
    def _end_after_start(cls, value: time, info: ValidationInfo) -> time:
        start = info.data.get("working_hours_start")
        if start is not None and value <= start:
            raise ValueError("must be later than WORKING_HOURS_START")
        return value

    def require_token(self) -> SecretStr:
        """Return the bot token or raise a one-line error saying how to get one."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram "
                "(/newbot) and put its token in TELEGRAM_BOT_TOKEN or .env; "
                "`python bot.py demo` needs no token."
            )
        return self.telegram_bot_token

    @property
    def admins(self) -> Admins:
        """Return the people ADMIN_TELEGRAM_IDS and ADMIN_WHATSAPP_IDS make admins."""
        return Admins(frozenset(self.admin_telegram_ids), frozenset(self.admin_whatsapp_ids))

    @property
    def telegram_enabled(self) -> bool:
        """Whether the Telegram channel is configured (a bot token is set)."""
        return bool(_secret(self.telegram_bot_token))

    @property
    def whatsapp_enabled(self) -> bool:
        """Whether the WhatsApp channel is configured (all four of its settings)."""
        return bool(_secret(self.whatsapp_token))

    def require_channel(self) -> None:
        """Raise a one-line error if no channel is configured."""
        if not self.telegram_enabled and not self.whatsapp_enabled:
            raise SettingsError(
                "no channel is configured: set TELEGRAM_BOT_TOKEN (a bot from @BotFather), "
                "or WHATSAPP_TOKEN, WHATSAPP_PHONE_ID, WHATSAPP_APP_SECRET and "
                "WHATSAPP_VERIFY_TOKEN (docs/whatsapp.md), or both; "
                "`python bot.py demo` needs neither."
            )

    @property
    def logging_level(self) -> int:
        """Return LOG_LEVEL as a ``logging`` level."""
        return logging.getLevelNamesMapping()[self.log_level]

    def secrets(self) -> list[str]:
        """Return the values of every secret setting (to keep them out of logs)."""
        values = [getattr(self, name) for name in type(self).model_fields]
        found = [v.get_secret_value() for v in values if isinstance(v, SecretStr)]
        password = make_url(self.database_url).password
        return [*found, str(password)] if password else found


def _secret(value: SecretStr | None) -> str:
    return value.get_secret_value() if value is not None else ""


def load_settings(**overrides: Any) -> Settings:
    """Load settings, turning a validation error into one line naming the variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        message = str(err["msg"]).removeprefix("Value error, ")
        if not err["loc"]:  # a rule across settings names its variables itself
            raise SettingsError(message) from None
        raise SettingsError(f"{str(err['loc'][0]).upper()}: {message}") from None
