"""The one parser of numbers that arrive in button payloads and command arguments.

A payload can be old or forged: ``st:99999999999999999999``, ``st:²`` (``str.isdigit`` accepts
superscripts, which ``int`` then refuses), ``st:٣`` (``int`` reads Arabic-Indic digits), ``-1``.
Every such value is "no id" here, so a handler answers "that button is no longer valid" instead
of failing in ``int`` or in the database.
"""

from __future__ import annotations

MAX_INT64 = 2**63 - 1
# Every id column is an Integer primary key: PostgreSQL's int4. A larger number reaches no row,
# and asyncpg would refuse to send it, so it is no id either.
MAX_ROW_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_INT64))


def parse_id(raw: str, *, maximum: int = MAX_ROW_ID) -> int | None:
    """Return ``raw`` as a whole number in 0..``maximum`` (at most 2**63 - 1), or None.

    Only the ASCII digits 0-9 count: no sign, space, exponent, underscore or other script's
    digits. More than 19 digits (leading zeros included) is no id.
    """
    if not raw or len(raw) > _MAX_DIGITS or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if value <= min(maximum, MAX_INT64) else None
