"""The catalog's pages, rendered from Jinja2 templates (autoescaped) in one language.

Templates receive only what :mod:`models.services.catalog` returns (public fields in plain
dataclasses), the texts of ``bot/texts/<lang>/catalog.yaml`` and the master data's labels.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bot.deps import Deps
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from models.services.catalog import Filters

TEMPLATES = Path(__file__).parent / "templates"
EXCERPT = 180
# Telegram usernames are at least five characters and end in "bot": Deps' placeholder is
# none, so it means the username is not known (no Telegram in this process)
UNKNOWN_USERNAME = "bot"


class Pages:
    """Renders the catalog's pages for one process's settings and texts."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.css = (TEMPLATES / "style.css").read_text(encoding="utf-8")
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    @cached_property
    def style_hash(self) -> str:
        """Return the CSP source of the one inline stylesheet ('sha256-...')."""
        digest = hashlib.sha256(self.css.encode("utf-8")).digest()
        return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"

    def render(
        self, template: str, lang: str, path: str, query: Mapping[str, str], **values: Any
    ) -> str:
        """Render a page in ``lang`` for the request's ``path`` and (clean) ``query``."""
        t = self.deps.translator(lang)
        other = "en" if lang == DEFAULT_LANGUAGE else DEFAULT_LANGUAGE
        context: dict[str, Any] = {
            "lang": t.lang,
            "t": t.plain,
            "css": Markup(self.css),  # the file as it is: its hash is in the CSP
            "pemda": self.deps.settings.pemda_name,
            "master": self.deps.master,
            "link": lambda target, **params: link(target, lang, **params),
            "other_language": link(path, other, **{k: v for k, v in query.items() if k != "lang"}),
            "label": lambda name, key: self.label(name, key, t.lang),
            "number": t.number,
            "date": t.date,
            "local": self.local,
            "excerpt": excerpt,
            "monev_label": lambda status: monev_label(t, status),
        }
        context.update(values)
        return self.env.get_template(template).render(context)

    def label(self, name: str, key: str | None, lang: str) -> str:
        """Return the master data's label of ``key`` in ``lang`` (the key itself if unknown)."""
        return self.deps.master.label(name, key, lang) if key else ""

    def local(self, moment: dt.datetime) -> dt.date:
        """Return the day of ``moment`` in the Pemda's time zone."""
        return moment.astimezone(self.deps.policy.zone).date()

    def ask_links(self, code: str) -> list[tuple[str, str]]:
        """Return the links that open the bot about an innovation: Telegram's deep link and a
        wa.me link with ``status CODE`` typed in, for each channel this Pemda has."""
        settings = self.deps.settings
        links: list[tuple[str, str]] = []
        username = self.deps.bot_username
        if settings.telegram_enabled and username and username != UNKNOWN_USERNAME:
            links.append(("telegram", f"https://t.me/{quote(username)}?start={quote(code)}"))
        if settings.whatsapp_enabled and settings.whatsapp_number:
            text = quote(f"status {code}")
            links.append(("whatsapp", f"https://wa.me/{settings.whatsapp_number}?text={text}"))
        return links


def pick_language(value: str | None) -> str:
    """Return the page's language from ``?lang=`` (Bahasa Indonesia unless it names another)."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def link(path: str, lang: str, **params: Any) -> str:
    """Return a link within the catalog with its query (empty values left out) and the
    language when it is not the default."""
    query = {k: str(v) for k, v in params.items() if v not in (None, "")}
    if lang != DEFAULT_LANGUAGE:
        query["lang"] = lang
    return path + ("?" + urlencode(query) if query else "")


def filter_query(filters: Filters) -> dict[str, str]:
    """Return the query parameters that give ``filters`` (for the pager's links)."""
    values = {
        "q": filters.query,
        "unit": filters.unit,
        "urusan": filters.urusan,
        "tahapan": filters.tahapan,
        "jenis": filters.jenis,
        "tahun": str(filters.year) if filters.year else None,
    }
    return {k: v for k, v in values.items() if v}


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """Return the start of a long text, cut at a word, on one line."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + " …"


def monev_label(t: Translator, status: str) -> str:
    """Return the name of a monev status in the page's language."""
    key = f"monev.status_opt.{status}"  # the words the chat uses for it
    return t.plain(key) if t.has(key) else status
