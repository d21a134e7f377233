"""The name of a field a reviewer can return: a profile field, an IID indicator
(``iid.<key>``) or a proposal section (``kipp.<key>``)."""

from __future__ import annotations

from bot.i18n import Translator
from models.iid import IidRules
from models.services.document_checks import INDICATOR_FLAG, SECTION_FLAG


def field_label(t: Translator, rules: IidRules, key: str) -> str:
    """Return the plain display name of a returnable field."""
    if key.startswith(INDICATOR_FLAG):
        indicator = rules.get(key.removeprefix(INDICATOR_FLAG))
        if indicator is not None:
            return t.plain("iid.flag_label", no=indicator.nomor, name=indicator.name(t.lang))
    if key.startswith(SECTION_FLAG):
        return t.plain(
            "kipp.flag_label", name=t.plain(f"kipp.section.{key.removeprefix(SECTION_FLAG)}")
        )
    return t.plain(f"reg.{key}.label")


def field_labels(t: Translator, rules: IidRules, keys: list[str] | None) -> str:
    """Return the names of returned fields, comma-separated."""
    return ", ".join(field_label(t, rules, k) for k in keys or [])
