"""The public catalog's queries: only innovations on the catalog, only their public fields.

Every query here (and in :mod:`models.services.catalog_page`, one innovation's page) selects
by :func:`models.services.publication.on_catalog` and returns plain frozen dataclasses of
the columns the public may read; no ORM object (with its owner, files and the rest) leaves.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    extract,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog_tables import Publication
from models.services import units
from models.services.publication import on_catalog
from models.tables import Attachment, Innovation, Unit

PER_PAGE = 20
MAX_QUERY = 100
MAX_WORDS = 20
WORD = re.compile(r"[^\W_]+")
SEARCHED = ("nama_inovasi", "masalah", "rancang_bangun", "tujuan", "manfaat", "hasil")
# the expression migration 0012 indexes on PostgreSQL (written out the same way, literals and
# all, or PostgreSQL would not take the index)
DOCUMENT: ColumnElement[Any] = literal_column(
    "to_tsvector('simple', "
    + " || ' ' || ".join(f"coalesce(innovations.{name}, '')" for name in SEARCHED)
    + ")"
)


@dataclass(frozen=True)
class Filters:
    """What a visitor narrows the list to: a unit (by code; the units below it too), an
    urusan (main or cross-cutting), a tahapan, a jenis, a year (of registration) and words."""

    unit: str | None = None
    urusan: str | None = None
    tahapan: str | None = None
    jenis: str | None = None
    year: int | None = None
    query: str | None = None


@dataclass(frozen=True)
class Listed:
    """An innovation as the list shows it."""

    code: str
    name: str
    unit: str | None
    tahapan: str | None
    jenis: str | None
    urusan: str | None
    masalah: str | None


@dataclass(frozen=True)
class Page:
    """One page of the list (``page`` counts from 1)."""

    items: list[Listed]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class UnitOption:
    """A unit the filter offers, with its depth in the tree."""

    code: str
    name: str
    depth: int


@dataclass(frozen=True)
class Options:
    """What the filters offer: the units with innovations on the catalog (and the units above
    them), and the years."""

    units: list[UnitOption]
    years: list[int]


@dataclass
class Summary:
    """Counts of the innovations on the catalog."""

    total: int = 0
    by_urusan: Counter[str] = field(default_factory=Counter)
    by_unit: Counter[str] = field(default_factory=Counter)
    unit_codes: dict[str, str] = field(default_factory=dict)  # unit name -> code
    urusan_covered: set[str] = field(default_factory=set)


def _is_postgresql(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


def _words(text: str) -> list[str]:
    """The words of a search, as PostgreSQL's parser finds them (letters and digits)."""
    return WORD.findall(text)[:MAX_WORDS]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_condition(session: AsyncSession, query: str) -> ColumnElement[bool]:
    """Return the condition of innovations whose name or long texts have every word of
    ``query``: PostgreSQL's full text (the 'simple' configuration, whole words), elsewhere a
    case-insensitive LIKE of each word in any of the texts."""
    query = query[:MAX_QUERY]
    if _is_postgresql(session):
        return DOCUMENT.op("@@")(func.plainto_tsquery(literal_column("'simple'"), query))
    columns = [getattr(Innovation, name) for name in SEARCHED]
    conditions = [
        or_(*(column.ilike(_like(word), escape="\\") for column in columns))
        for word in _words(query)
    ]
    return and_(*conditions) if conditions else false()  # no word: nothing, as on PostgreSQL


async def _filters(session: AsyncSession, filters: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [on_catalog()]
    if filters.unit:
        found = await units.id_of_code(session, filters.unit)
        covered = await units.with_descendants(session, found) if found is not None else []
        where.append(Innovation.unit_id.in_(covered))
    if filters.urusan:
        # the cross-cutting urusan are a JSON list of keys: matched in its text, quotes and all
        irisan = cast(Innovation.urusan_irisan, String).like(_like(f'"{filters.urusan}"'), "\\")
        where.append(or_(Innovation.urusan_utama == filters.urusan, irisan))
    if filters.tahapan:
        where.append(Innovation.tahapan == filters.tahapan)
    if filters.jenis:
        where.append(Innovation.jenis == filters.jenis)
    if filters.year:
        where.append(extract("year", Innovation.created_at) == filters.year)
    if filters.query and filters.query.strip():
        where.append(search_condition(session, filters.query.strip()))
    return where


async def search(
    session: AsyncSession, filters: Filters, *, page: int = 1, per_page: int = PER_PAGE
) -> Page:
    """Return one page of the innovations on the catalog that match, newest code first (a
    page past the last is the last)."""
    where = await _filters(session, filters)
    total = await session.scalar(select(func.count()).select_from(Innovation).where(*where))
    total = int(total or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    stmt = (
        select(
            Innovation.code,
            Innovation.nama_inovasi,
            Unit.name,
            Innovation.tahapan,
            Innovation.jenis,
            Innovation.urusan_utama,
            Innovation.masalah,
        )
        .outerjoin(Unit, Unit.id == Innovation.unit_id)
        .where(*where)
        .order_by(Innovation.code.desc(), Innovation.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    items = [
        Listed(code or "", name or "", unit, tahapan, jenis, urusan, masalah)
        for code, name, unit, tahapan, jenis, urusan, masalah in await session.execute(stmt)
    ]
    return Page(items, page, pages, total)


async def public_photos(session: AsyncSession, innovation_id: int) -> list[int]:
    """The ids of the photos the owner marked public that the innovation still has, in the
    owner's order."""
    marked = await session.scalar(
        select(Publication.public_photos).where(Publication.innovation_id == innovation_id)
    )
    have = set(
        await session.scalars(
            select(Attachment.id).where(
                Attachment.innovation_id == innovation_id, Attachment.mime_type.like("image/%")
            )
        )
    )
    return [i for i in marked or [] if isinstance(i, int) and i in have]


async def photo_path(session: AsyncSession, attachment_id: int) -> str | None:
    """Return the stored path (under FILES_DIR) of a photo the owner of an innovation on the
    catalog marked public; None for any other file."""
    row = (
        await session.execute(
            select(Attachment.innovation_id, Attachment.path, Attachment.mime_type)
            .join(Innovation, Innovation.id == Attachment.innovation_id)
            .where(Attachment.id == attachment_id, on_catalog())
        )
    ).one_or_none()
    if row is None or not str(row[2]).startswith("image/"):
        return None
    if attachment_id not in await public_photos(session, int(row[0])):
        return None
    return str(row[1])


async def options(session: AsyncSession) -> Options:
    """Return the units and years the filters offer."""
    rows = list(
        await session.execute(
            select(Innovation.unit_id, extract("year", Innovation.created_at))
            .where(on_catalog())
            .distinct()
        )
    )
    years = sorted({int(year) for _, year in rows if year is not None}, reverse=True)
    all_units = list(await session.execute(select(Unit.id, Unit.code, Unit.name, Unit.parent_code)))
    by_code = {code: (uid, name, parent) for uid, code, name, parent in all_units}
    parent_of = {uid: by_code[parent][0] for uid, _, _, parent in all_units if parent in by_code}
    wanted: set[int] = set()  # the units with innovations on the catalog, and those above
    for unit_id in {u for u, _ in rows if u is not None}:
        while unit_id is not None and unit_id not in wanted:  # a cycle in the data ends it
            wanted.add(unit_id)
            unit_id = parent_of.get(unit_id)
    children: dict[str | None, list[tuple[str, str]]] = {}
    for uid, code, name, parent in all_units:
        if uid in wanted:
            root = parent if parent in by_code and by_code[parent][0] in wanted else None
            children.setdefault(root, []).append((name, code))
    listed: list[UnitOption] = []
    seen: set[str] = set()

    def walk(parent: str | None, depth: int) -> None:
        for name, code in sorted(children.get(parent, [])):
            if code not in seen:
                seen.add(code)
                listed.append(UnitOption(code, name, depth))
                walk(code, depth + 1)

    walk(None, 0)
    return Options(listed, years)


async def summary(session: AsyncSession) -> Summary:
    """Count the innovations on the catalog by urusan (main) and unit, and the urusan they
    cover (main and cross-cutting)."""
    stmt = (
        select(Innovation.urusan_utama, Innovation.urusan_irisan, Unit.name, Unit.code)
        .outerjoin(Unit, Unit.id == Innovation.unit_id)
        .where(on_catalog())
    )
    result = Summary()
    for urusan, irisan, unit_name, unit_code in await session.execute(stmt):
        result.total += 1
        if urusan:
            result.by_urusan[urusan] += 1
            result.urusan_covered.add(urusan)
        result.urusan_covered.update(k for k in irisan or [] if isinstance(k, str))
        result.by_unit[unit_name or "-"] += 1
        if unit_name and unit_code:
            result.unit_codes[unit_name] = unit_code
    return result
