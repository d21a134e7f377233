"""Text catalogs: complete in both languages, placeholders consistent, values escaped."""

from __future__ import annotations

import re
from datetime import date

from bot.i18n import Raw, Translator, load_catalogs, pick_language
from models.validation import month_of

PLACEHOLDER = re.compile(r"{(\w+)}")


def test_every_key_exists_in_both_catalogs() -> None:
    catalogs = load_catalogs()
    assert set(catalogs["id"]) == set(catalogs["en"])


def test_placeholders_match_between_languages() -> None:
    catalogs = load_catalogs()
    for key, text in catalogs["id"].items():
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(catalogs["en"][key])), key


def test_parameters_are_escaped_unless_raw() -> None:
    t = Translator(load_catalogs(), "id")
    assert t("menu.welcome_back", name="<b>A&B</b>") == "Halo, <b>&lt;b&gt;A&amp;B&lt;/b&gt;</b>!"
    assert t("form.error", message=Raw("<i>x</i>")) == "⚠️ <i>x</i>"
    assert t.plain("reg.draft_button", name="A & B", updated="1") == "A & B · 1"


def test_dates_and_numbers_the_local_way() -> None:
    catalogs = load_catalogs()
    t_id, t_en = Translator(catalogs, "id"), Translator(catalogs, "en")
    assert t_id.date(date(2027, 8, 23)) == "23 Agustus 2027"
    assert t_en.date(date(2027, 8, 23)) == "23 August 2027"
    assert t_id.date(month_of(2023, 6)) == "Juni 2023"  # given as a month: shown as one
    assert t_en.date(month_of(2023, 6)) == "June 2023"
    assert t_id.number(1250) == "1.250"
    assert t_en.number(1250) == "1,250"


def test_language_from_telegram() -> None:
    assert pick_language("en-US") == "en"
    assert pick_language("id") == "id"
    assert pick_language("fr") == "id"
    assert pick_language(None, "en") == "en"
