"""Text catalogs (one YAML file per language) and locale-aware formatting."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

import yaml

from models.validation import Month

CATALOG_DIR = Path(__file__).parent / "texts"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


class Raw(str):
    """A parameter that is already safe HTML and must not be escaped again."""

    __slots__ = ()


def _flatten(prefix: str, node: Any, out: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    else:
        out[prefix] = str(node)


def load_catalogs(directory: Path = CATALOG_DIR) -> dict[str, dict[str, str]]:
    """Read every ``<lang>.yaml`` catalog, and the ``<lang>/*.yaml`` files beside it (one per
    feature), into flat ``key -> text`` mappings; a key given twice is an error."""
    catalogs: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        flat: dict[str, str] = {}
        for path in [directory / f"{lang}.yaml", *sorted((directory / lang).glob("*.yaml"))]:
            with path.open(encoding="utf-8") as fh:
                part: dict[str, str] = {}
                _flatten("", yaml.safe_load(fh), part)
            twice = sorted(set(part) & set(flat))
            if twice:
                raise ValueError(f"{path}: keys given twice: {', '.join(twice[:5])}")
            flat.update(part)
        catalogs[lang] = flat
    return catalogs


def pick_language(language_code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Choose a catalog from Telegram's language_code, falling back to the default."""
    if language_code:
        base = language_code.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return default


def _escape(value: Any) -> Any:
    if isinstance(value, Raw):
        return value
    if isinstance(value, str):
        return html.escape(value, quote=False)
    return value


class Translator:
    """Look up texts of one language; string parameters are HTML-escaped."""

    def __init__(self, catalogs: dict[str, dict[str, str]], lang: str) -> None:
        self.lang = lang if lang in catalogs else DEFAULT_LANGUAGE
        self._texts = catalogs[self.lang]
        self._fallback = catalogs[DEFAULT_LANGUAGE]

    def __call__(self, key: str, **params: Any) -> str:
        """Return the text for ``key`` with ``params`` filled in."""
        template = self._texts.get(key) or self._fallback.get(key)
        if template is None:
            raise KeyError(f"missing text {key!r}")
        if not params:
            return template
        return template.format(**{k: _escape(v) for k, v in params.items()})

    def plain(self, key: str, **params: Any) -> str:
        """Return the text for ``key`` with ``params`` unescaped (button labels, files)."""
        template = self._texts.get(key) or self._fallback.get(key)
        if template is None:
            raise KeyError(f"missing text {key!r}")
        return template.format(**params) if params else template

    def has(self, key: str) -> bool:
        """Whether the catalog defines ``key``."""
        return key in self._texts or key in self._fallback

    def date(self, value: dt.date) -> str:
        """Format a date the local way: 23 Agustus 2027 / 23 August 2027; a date given as a
        month only (:class:`~models.validation.Month`) as Agustus 2027."""
        if isinstance(value, Month):
            return self.month(value)
        month = self(f"month.{value.month}")
        return f"{value.day} {month} {value.year}"

    def month(self, value: dt.date) -> str:
        """Format a month and year: Maret 2024 / March 2024."""
        return f"{self(f'month.{value.month}')} {value.year}"

    def time(self, value: dt.datetime) -> str:
        """Format a date and clock time: 23 Agustus 2027 09.30 / 23 August 2027 09:30."""
        sep = "." if self.lang == "id" else ":"
        return f"{self.date(value.date())} {value.hour:02d}{sep}{value.minute:02d}"

    def number(self, value: int) -> str:
        """Format a whole number: 1.250 in Indonesian, 1,250 in English."""
        text = f"{value:,}"
        return text.replace(",", ".") if self.lang == "id" else text
