"""Parsing and checking of typed answers; every failure names a text-catalog key."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

MIN_YEAR = 1990
_NUMERIC_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_NUMERIC_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_WORDY = re.compile(r"^(?:(\d{1,2})\s+)?([^\W\d_]+)\.?\s+(\d{4})$")
_NUMERIC_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_NUMERIC_YM = re.compile(r"^(\d{4})[/.\-](\d{1,2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DAY = "day"
MONTH = "month"
_CONTROL = {"Cc", "Cf", "Cs", "Co", "Cn"}


class InvalidInput(ValueError):
    """An answer that cannot be accepted; ``key`` names the message to show."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def clean_text(text: str, *, keep_newlines: bool = True) -> str:
    """Normalise Unicode, drop control characters and trim surrounding blanks."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            kept.append(ch)
        elif ch in "\t\n":
            kept.append(" ")
        elif unicodedata.category(ch) not in _CONTROL:
            kept.append(ch)
    lines = [" ".join(line.split()) for line in "".join(kept).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def count_words(text: str | None) -> int:
    """Count words the way a reader would (runs of letters or digits)."""
    if not text:
        return 0
    return len(re.findall(r"\w+(?:[-'’]\w+)*", text))


def parse_text(text: str, *, min_len: int = 1, max_len: int = 4000) -> str:
    """Return a cleaned single-line text within the length limits."""
    value = clean_text(text, keep_newlines=False)
    if not value:
        raise InvalidInput("err.empty")
    if len(value) < min_len:
        raise InvalidInput("err.too_short", min=min_len, length=len(value))
    if len(value) > max_len:
        raise InvalidInput("err.too_long", max=max_len, length=len(value))
    return value


_LINK = re.compile(r"https?://[^\s<>\"']{3,490}", re.IGNORECASE)


def parse_link(text: str) -> str:
    """Return the web link (http or https) a message holds."""
    found = _LINK.search(text or "")
    if found is None:
        raise InvalidInput("err.link")
    return found.group(0).rstrip(".,;:)")


class Month(date):
    """A date known to its month only ("Juni 2023", "06/2023"), held as the month's first day.

    ``isoformat()`` is ISO 8601's reduced form, "2023-06": that is how the answer is saved,
    snapshotted and compared, so a month never turns into the 1st of it by accident.
    Arithmetic keeps the type (as for every date subclass): use :func:`first_day` before
    computing with it.
    """

    def isoformat(self) -> str:
        """Return the month as ISO 8601's reduced form, e.g. "2023-06"."""
        return f"{self.year:04d}-{self.month:02d}"

    def __repr__(self) -> str:
        return f"Month({self.year}, {self.month})"


def month_of(year: int, month: int) -> Month:
    """Return the month ``year``-``month``."""
    return Month(year, month, 1)


def first_day(value: date) -> date:
    """Return a plain calendar date: a month's first day, a full date as it is."""
    return date(value.year, value.month, value.day)


def precision_of(value: date | None) -> str:
    """Return how precisely a date was given: "month" or "day"."""
    return MONTH if isinstance(value, Month) else DAY


def with_precision(value: date | None, precision: str) -> date | None:
    """Return a stored date as given: a :class:`Month` when only the month was."""
    if value is None or precision != MONTH:
        return value
    return month_of(value.year, value.month)


def iso_date(value: date | str) -> date:
    """Return a date from its ISO form: "2023-06" is a :class:`Month`, "2023-06-05" a day."""
    if isinstance(value, date):
        return value
    if m := _ISO_MONTH.match(value):
        return month_of(int(m[1]), int(m[2]))
    return date.fromisoformat(value)


def parse_date(text: str, *, today: date, not_before: date | None = None) -> date:
    """Parse 05/03/2024, 5-3-2024, 2024-03-05, "5 Maret 2024"; a month alone ("Maret 2024",
    03/2024, 2024-03) gives a :class:`Month`, compared by its month with ``not_before``."""
    raw = clean_text(text, keep_newlines=False).lower()
    day: int | None
    if m := _NUMERIC_DMY.match(raw):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _NUMERIC_YMD.match(raw):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _NUMERIC_MY.match(raw):
        day, month, year = None, int(m[1]), int(m[2])
    elif m := _NUMERIC_YM.match(raw):
        day, year, month = None, int(m[1]), int(m[2])
    elif (m := _WORDY.match(raw)) and m[2] in MONTHS:
        day = int(m[1]) if m[1] else None
        month, year = MONTHS[m[2]], int(m[3])
    else:
        raise InvalidInput("err.date_format")
    try:
        value = month_of(year, month) if day is None else date(year, month, day)
    except ValueError:
        raise InvalidInput("err.date_impossible") from None
    if value.year < MIN_YEAR:
        raise InvalidInput("err.date_too_old", year=str(MIN_YEAR))
    if value > today:
        raise InvalidInput("err.date_future")
    if not_before is not None and _earlier(value, not_before):
        raise InvalidInput("err.date_before", other=not_before)
    return value


def _earlier(value: date, other: date) -> bool:
    """Whether ``value`` is surely before ``other``: a month is before a date only when the
    whole month is (June 2023 is not before 15 June 2023)."""
    if isinstance(value, Month) or isinstance(other, Month):
        return (value.year, value.month) < (other.year, other.month)
    return value < other


def normalise_phone(text: str) -> str:
    """Return an Indonesian phone number as +62..., accepting 08.., 62.., +62.. forms."""
    digits = re.sub(r"[\s\-().]", "", text.strip())
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("62"):
            raise InvalidInput("err.phone")
    if not digits.isascii() or not digits.isdigit():
        raise InvalidInput("err.phone")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not digits.startswith("62") or not 10 <= len(digits) <= 15:
        raise InvalidInput("err.phone")
    return "+" + digits


def parse_nip(text: str) -> str:
    """Return an 18-digit NIP (spaces allowed in between), or raise."""
    digits = re.sub(r"[\s.\-]", "", text)
    if not (digits.isascii() and digits.isdigit() and len(digits) == 18):
        raise InvalidInput("err.nip")
    return digits


def parse_number(text: str, *, minimum: int = 0, maximum: int = 10**9) -> int:
    """Parse a whole number written 1250, 1.250 or 1,250."""
    raw = re.sub(r"[\s.,]", "", text.strip())
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidInput("err.number")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise InvalidInput("err.number_range", min=minimum, max=maximum)
    return value
