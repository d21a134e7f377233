"""WhatsApp's message templates (``bot/data/whatsapp-templates.yaml``): which one a message
becomes outside the 24-hour window, its values in order and its quick replies."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, Field

from bot.forms.screens import Screen
from bot.whatsapp.format import plain
from bot.whatsapp.render import shorten

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "whatsapp-templates.yaml"
GENERIC = "notice"
VALUE_LIMIT = 200  # characters of one value (a template value may not hold line breaks)


class Wording(BaseModel):
    """A template in one language, as submitted to Meta."""

    code: str
    body: str = Field(max_length=1024)
    buttons: list[Annotated[str, Field(max_length=25)]] = Field(max_length=3)  # quick replies


class Template(BaseModel):
    """One template: its name at Meta, its values, what its buttons do."""

    name: str
    category: Literal["UTILITY", "MARKETING", "AUTHENTICATION"] = "UTILITY"
    params: list[str]
    buttons: Literal["screen", "open"]
    languages: dict[str, Wording]

    def wording(self, language: str) -> Wording:
        """Return the wording in ``language``, else Indonesian, else any."""
        return (
            self.languages.get(language)
            or self.languages.get("id")
            or next(iter(self.languages.values()))
        )


class Templates(BaseModel):
    """Every template, by the kind of message it stands for."""

    templates: dict[str, Template]

    def for_screen(self, screen: Screen) -> Template:
        """Return the template of a screen (its hint's kind, else the generic notice)."""
        kind = screen.template.kind if screen.template is not None else GENERIC
        return self.templates.get(kind) or self.templates[GENERIC]


def load(path: Path | None = None) -> Templates:
    """Read the templates file (WHATSAPP_TEMPLATES_FILE, else the shipped one)."""
    data = yaml.safe_load((path or DEFAULT_FILE).read_text(encoding="utf-8"))
    templates = Templates.model_validate(data)
    if GENERIC not in templates.templates:
        raise ValueError(f"the templates file needs a {GENERIC!r} template")
    return templates


def values(template: Template, screen: Screen, name: str) -> list[str]:
    """Return the template's values for a screen, in the template's order."""
    given = dict(screen.template.values) if screen.template is not None else {}
    first = next((line for line in screen.text.splitlines() if line.strip()), "")
    given.setdefault("name", name)
    given.setdefault("summary", first)
    return [_clean(given.get(key, "-")) for key in template.params]


def _clean(value: str) -> str:
    text = " ".join(plain(value).split())  # no line breaks, tabs or runs of spaces
    return shorten(text, VALUE_LIMIT) or "-"
