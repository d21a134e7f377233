"""Logging that never prints secrets: plain text or JSON lines, at LOG_LEVEL."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

from pythonjsonlogger.json import JsonFormatter

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
MASK = "***"


class Redactor:
    """Replaces every secret, as it is and as it appears in a URL, by ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = {form for s in secrets if s for form in (s, quote(s, safe=""), quote(s))}
        # longest first, so a secret that contains another is masked whole
        self.forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """Return ``text`` without secrets."""
        for form in self.forms:
            if form in text:
                text = text.replace(form, MASK)
        return text


class RedactFilter(logging.Filter):
    """Rewrite a record's message, arguments and exception text without secrets, so any
    handler or formatter sees only the redacted record."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.redact = Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        if not self.redact.forms:
            return True
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # format the traceback now (exception texts name tokens: InvalidToken does)
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


class RedactingFormatter(logging.Formatter):
    """A plain formatter whose whole output, traceback included, is redacted."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(PLAIN_FORMAT)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """Format, then mask secrets."""
        return self.redact(super().format(record))


class RedactingJsonFormatter(JsonFormatter):
    """One JSON object per line (python-json-logger), redacted like the plain format."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"})
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """Format, then mask secrets."""
        return self.redact(super().format(record))


def make_formatter(fmt: str, secrets: Iterable[str]) -> logging.Formatter:
    """Return the formatter for LOG_FORMAT (``plain`` or ``json``)."""
    redact = Redactor(secrets)
    return RedactingJsonFormatter(redact) if fmt == "json" else RedactingFormatter(redact)


def configure(
    level: int = logging.INFO, *, secrets: Iterable[str] = (), fmt: str = "plain"
) -> None:
    """Log to stderr at ``level``; HTTP client chatter (which names the token in URLs) stays
    quiet, and every record is redacted, whichever handler writes it."""
    secrets = list(secrets)
    logging.basicConfig(level=level, force=True)
    root = logging.getLogger()
    formatter = make_formatter(fmt, secrets)
    redact = RedactFilter(secrets)
    for handler in root.handlers:
        handler.setFormatter(formatter)
        handler.addFilter(redact)
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access", "tornado.access"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
