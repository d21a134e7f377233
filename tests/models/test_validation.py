"""Parsing of typed answers: dates, phones, NIP, numbers, words, text cleaning."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.validation import (
    InvalidInput,
    Month,
    clean_text,
    count_words,
    first_day,
    iso_date,
    month_of,
    normalise_phone,
    parse_date,
    parse_nip,
    parse_number,
    parse_text,
)

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/03/2024", date(2024, 3, 5)),
        ("5-3-2024", date(2024, 3, 5)),
        ("2024-03-05", date(2024, 3, 5)),
        ("5.3.2024", date(2024, 3, 5)),
        ("Maret 2024", date(2024, 3, 1)),
        ("maret 2024", date(2024, 3, 1)),
        ("5 Maret 2024", date(2024, 3, 5)),
        ("17 Agustus 2025", date(2025, 8, 17)),
        ("Agt 2025", date(2025, 8, 1)),
        ("March 2024", date(2024, 3, 1)),
        ("  22/11/2026 ", date(2026, 11, 22)),
    ],
)
def test_dates_in_every_accepted_format(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("31/02/2024", "err.date_impossible"),
        ("29/02/2023", "err.date_impossible"),
        ("00/01/2024", "err.date_impossible"),
        ("23/11/2026", "err.date_future"),
        ("Desember 2026", "err.date_future"),
        ("01/01/1950", "err.date_too_old"),
        ("kemarin", "err.date_format"),
        ("Maretan 2024", "err.date_format"),
        ("", "err.date_format"),
        ("2024", "err.date_format"),
    ],
)
def test_bad_dates_name_the_problem(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_date(text, today=TODAY)
    assert exc.value.key == key


def test_date_not_before_another() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_date("01/01/2024", today=TODAY, not_before=date(2024, 3, 5))
    assert exc.value.key == "err.date_before"
    assert parse_date("05/03/2024", today=TODAY, not_before=date(2024, 3, 5)) == date(2024, 3, 5)


@pytest.mark.parametrize(
    "text", ["Juni 2023", "jun 2023", "June 2023", "06/2023", "6-2023", "6.2023", "2023-06"]
)
def test_a_month_alone_stays_a_month(text: str) -> None:
    value = parse_date(text, today=TODAY)
    assert isinstance(value, Month) and value == date(2023, 6, 1)
    assert value.isoformat() == "2023-06"  # how it is saved and snapshotted
    assert str(value) == "2023-06"  # str() is isoformat(): a month never prints as a day
    assert iso_date(value.isoformat()) == value and isinstance(iso_date("2023-06"), Month)
    assert type(first_day(value)) is date


def test_a_full_date_stays_a_day() -> None:
    for text in ("05/06/2023", "5 Juni 2023", "2023-06-05"):
        value = parse_date(text, today=TODAY)
        assert type(value) is date and value.isoformat() == "2023-06-05"
    assert type(iso_date("2023-06-05")) is date


def test_months_compare_by_month() -> None:
    # a month is not before a day of the same month, nor a day before that month's start
    june = month_of(2023, 6)
    assert parse_date("Juni 2023", today=TODAY, not_before=date(2023, 6, 15)) == june
    assert parse_date("15/06/2023", today=TODAY, not_before=june) == date(2023, 6, 15)
    assert parse_date("01/06/2023", today=TODAY, not_before=june) == date(2023, 6, 1)
    for text, other in [("Mei 2023", date(2023, 6, 15)), ("31/05/2023", june)]:
        with pytest.raises(InvalidInput) as exc:
            parse_date(text, today=TODAY, not_before=other)
        assert exc.value.key == "err.date_before"
    # the current month is not in the future; the next one is
    assert parse_date("November 2026", today=TODAY) == month_of(2026, 11)
    with pytest.raises(InvalidInput):
        parse_date("12/2026", today=TODAY)
    with pytest.raises(InvalidInput) as exc:
        parse_date("13/2023", today=TODAY)
    assert exc.value.key == "err.date_impossible"


def test_leap_day_is_a_date() -> None:
    assert parse_date("29/02/2024", today=TODAY) == date(2024, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("812 3456 7890", "+6281234567890"),
        ("(0556) 21234", "+6255621234"),
    ],
)
def test_phones_normalise_to_plus62(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


@pytest.mark.parametrize("text", ["12345", "+1 202 555 0101", "08abc", "", "0812345678901234567"])
def test_bad_phones(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        normalise_phone(text)
    assert exc.value.key == "err.phone"


def test_nip() -> None:
    assert parse_nip("19850101 201001 1 001") == "198501012010011001"
    for bad in ("123", "1985010120100110011", "19850101201001100x", "١٩٨٥٠١٠١٢٠١٠٠١١٠٠١"):
        with pytest.raises(InvalidInput):
            parse_nip(bad)


def test_numbers() -> None:
    assert parse_number("1.250") == 1250
    assert parse_number("1,250") == 1250
    assert parse_number("0") == 0
    for bad in ("-3", "dua", "", "1e5"):
        with pytest.raises(InvalidInput):
            parse_number(bad)


def test_word_count_and_cleaning() -> None:
    assert count_words("Pelayanan  satu-pintu, cepat & mudah!") == 4
    assert count_words(None) == 0
    assert clean_text(" a\x00b\u200b  c \r\n\n\n\nd ") == "ab c\n\nd"
    assert parse_text("  <b>Dinas & Co</b> ") == "<b>Dinas & Co</b>"
    with pytest.raises(InvalidInput):
        parse_text("   \n  ")
    with pytest.raises(InvalidInput) as exc:
        parse_text("x" * 151, max_len=150)
    assert exc.value.params == {"max": 150, "length": 151}


@given(st.text(max_size=300))
def test_any_text_is_either_a_date_or_a_named_error(text: str) -> None:
    try:
        value = parse_date(text, today=TODAY)
    except InvalidInput as exc:
        assert exc.key.startswith("err.date")
    else:
        assert date(1990, 1, 1) <= value <= TODAY


@given(st.text(max_size=2000))
def test_any_text_is_cleaned_or_refused(text: str) -> None:
    try:
        value = parse_text(text, min_len=5, max_len=150)
    except InvalidInput as exc:
        assert exc.key in {"err.empty", "err.too_short", "err.too_long"}
    else:
        assert 5 <= len(value) <= 150
        assert value == value.strip()
        assert "\n" not in value


@given(st.text(max_size=40))
def test_any_phone_text_is_normalised_or_refused(text: str) -> None:
    try:
        value = normalise_phone(text)
    except InvalidInput as exc:
        assert exc.key == "err.phone"
    else:
        assert value.startswith("+62") and value[1:].isdigit()
