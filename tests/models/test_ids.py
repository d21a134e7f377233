"""The parser of ids in button payloads and command arguments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.ids import MAX_INT64, MAX_ROW_ID, parse_id


@given(st.integers(min_value=0, max_value=MAX_ROW_ID))
def test_every_id_a_row_can_have_is_read_back(value: int) -> None:
    assert parse_id(str(value)) == value


@given(st.integers(min_value=0, max_value=MAX_INT64))
def test_up_to_signed_64_bits_when_the_caller_allows(value: int) -> None:
    assert parse_id(str(value), maximum=MAX_INT64) == value


@given(st.integers(min_value=MAX_ROW_ID + 1))
def test_past_the_maximum_is_no_id(value: int) -> None:
    assert parse_id(str(value)) is None
    assert parse_id(str(value), maximum=value - 1) is None


@given(st.integers(max_value=-1))
def test_negative_numbers_are_no_ids(value: int) -> None:
    assert parse_id(str(value)) is None


@given(st.text(max_size=30))
def test_any_text_is_an_id_only_when_it_is_ascii_digits(text: str) -> None:
    value = parse_id(text)
    if value is None:
        return
    assert text.isascii() and text.isdigit()
    assert int(text) == value and 0 <= value <= MAX_ROW_ID


@pytest.mark.parametrize(
    "raw",
    [
        "", " ", "-1", "+1", " 1", "1 ", "1\n", "1e5", "1.0", "1_000", "0x1f", "²", "¹²", "٣",
        "１２", "৩", "99999999999999999999", "9223372036854775808", "0" * 20 + "1",
    ],
)  # fmt: skip
def test_what_is_no_id(raw: str) -> None:
    assert parse_id(raw) is None
    assert parse_id(raw, maximum=MAX_INT64) is None


def test_the_edges() -> None:
    assert parse_id("0") == 0
    assert parse_id("007") == 7
    assert parse_id(str(MAX_ROW_ID)) == MAX_ROW_ID
    assert parse_id(str(MAX_ROW_ID + 1)) is None
    assert parse_id(str(MAX_ROW_ID + 1), maximum=MAX_INT64) == MAX_ROW_ID + 1
    assert parse_id(str(MAX_INT64), maximum=MAX_INT64) == MAX_INT64
    assert parse_id(str(MAX_INT64), maximum=10**30) == MAX_INT64
    assert parse_id("2026", maximum=9999) == 2026
    assert parse_id("10000", maximum=9999) is None
