"""The catalog's queries: only innovations on the catalog, filters, search, paging, one
innovation's page and the summary, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from bot.deps import Deps
from models import db
from models.services import catalog, catalog_page
from models.services.catalog import Filters
from tests.catalog.seed import Seeded


async def _search(deps: Deps, filters: Filters, page: int = 1) -> catalog.Page:
    async with db.transaction(deps.session_factory()) as session:
        return await catalog.search(session, filters, page=page)


async def _codes(deps: Deps, **filters: object) -> list[str]:
    found = await _search(deps, Filters(**filters))  # type: ignore[arg-type]
    return [i.code for i in found.items]


async def test_only_innovations_on_the_catalog_are_listed(
    catalog_deps: Deps, seeded: Seeded
) -> None:
    assert await _codes(catalog_deps) == [seeded.b, seeded.a]  # newest code first


async def test_filters_narrow_the_list(catalog_deps: Deps, seeded: Seeded) -> None:
    # A belongs to Puskesmas Nunukan, under Dinas Kesehatan; B to Dinas Pendidikan
    assert await _codes(catalog_deps, unit="DINKES") == [seeded.a]
    assert await _codes(catalog_deps, unit="PKM-NNK") == [seeded.a]
    assert await _codes(catalog_deps, unit="RSUD") == []
    assert await _codes(catalog_deps, unit="DISDIK") == [seeded.b]
    # the factory's profiles: n=1 pendidikan/uji_coba/non_digital (kominfo cross-cutting),
    # n=2 sosial/penerapan/digital
    assert await _codes(catalog_deps, urusan="pendidikan") == [seeded.a]
    assert await _codes(catalog_deps, urusan="kominfo") == [seeded.a]
    assert await _codes(catalog_deps, urusan="sosial") == [seeded.b]
    assert await _codes(catalog_deps, tahapan="penerapan") == [seeded.b]
    assert await _codes(catalog_deps, jenis="non_digital") == [seeded.a]
    assert await _codes(catalog_deps, year=2026) == [seeded.b, seeded.a]
    assert await _codes(catalog_deps, year=2025) == []
    assert await _codes(catalog_deps, unit="DINKES", jenis="digital") == []


async def test_search_finds_words_of_the_name_and_texts(catalog_deps: Deps, seeded: Seeded) -> None:
    assert await _codes(catalog_deps, query="posyandu") == [seeded.a]
    assert await _codes(catalog_deps, query="POSYANDU keliling") == [seeded.a]
    assert await _codes(catalog_deps, query="sekolah") == [seeded.b]
    assert await _codes(catalog_deps, query="tanpa antre") == [seeded.b]
    assert await _codes(catalog_deps, query="posyandu sekolah") == []
    # words of innovations off the catalog find nothing
    assert await _codes(catalog_deps, query="Rahasia") == []
    assert await _codes(catalog_deps, query="khusus") == []
    # what LIKE or a tsquery would take as syntax is a word like any other
    for odd in ("%", "_", "'", "& | ! :*", "\\", "()"):
        assert await _codes(catalog_deps, query=odd) == []


async def test_paging(catalog_deps: Deps, clock: object) -> None:
    from tests.catalog.seed import seed

    seeded = await seed(catalog_deps, clock, extra=23)  # type: ignore[arg-type]
    first = await _search(catalog_deps, Filters())
    assert (first.total, first.pages, first.page, len(first.items)) == (25, 2, 1, 20)
    second = await _search(catalog_deps, Filters(), page=2)
    assert len(second.items) == 5
    assert {i.code for i in first.items + second.items} == set(seeded.public_codes)
    assert (await _search(catalog_deps, Filters(), page=99)).page == 2


async def test_an_innovation_page_has_its_public_fields(catalog_deps: Deps, seeded: Seeded) -> None:
    async with db.transaction(catalog_deps.session_factory()) as session:
        a = await catalog_page.innovation(session, seeded.a)
        b = await catalog_page.innovation(session, seeded.b)
    assert a is not None and b is not None
    assert (a.name, a.unit, a.unit_code, a.urusan) == (
        seeded.name_a, "Puskesmas Nunukan", "PKM-NNK", "pendidikan",
    )  # fmt: skip
    assert a.kontak is None and b.kontak == seeded.contact
    assert a.photos == (seeded.public_photo,)
    assert a.monev is not None and a.monev.status == "dikembangkan"
    assert b.monev is None
    assert [(r.name, r.region, r.code) for r in a.replicas] == [
        ("Inovasi Tiruan Malinau", "Kabupaten Malinau", None),
        (seeded.name_b, None, seeded.b),
    ]
    assert a.hidden_replications == 1 and a.originals == ()
    assert [(r.name, r.code) for r in b.originals] == [(seeded.name_a, seeded.a)]
    assert b.hidden_replications == 1


async def test_innovations_off_the_catalog_have_no_page(catalog_deps: Deps, seeded: Seeded) -> None:
    async with db.transaction(catalog_deps.session_factory()) as session:
        codes = list(
            await session.scalars(text("SELECT code FROM innovations WHERE code IS NOT NULL"))
        )
        for code in codes:
            found = await catalog_page.innovation(session, code)
            assert (found is not None) == (code in (seeded.a, seeded.b)), code


async def test_photos_only_public_ones_of_innovations_on_the_catalog(
    catalog_deps: Deps, seeded: Seeded
) -> None:
    async with db.transaction(catalog_deps.session_factory()) as session:
        assert await catalog.photo_path(session, seeded.public_photo) is not None
        assert await catalog.photo_path(session, seeded.private_photo) is None
        assert await catalog.photo_path(session, seeded.hidden_photo) is None
        assert await catalog.photo_path(session, 999_999) is None


async def test_summary_counts_the_catalog(catalog_deps: Deps, seeded: Seeded) -> None:
    async with db.transaction(catalog_deps.session_factory()) as session:
        summary = await catalog.summary(session)
        options = await catalog.options(session)
    assert summary.total == 2
    assert dict(summary.by_urusan) == {"pendidikan": 1, "sosial": 1}
    assert dict(summary.by_unit) == {"Puskesmas Nunukan": 1, "Dinas Pendidikan": 1}
    assert summary.urusan_covered == {"pendidikan", "sosial", "kominfo"}
    # the units with innovations on the catalog, under the units above them
    assert [(u.code, u.depth) for u in options.units] == [
        ("DINKES", 0), ("PKM-NNK", 1), ("DISDIK", 0),
    ]  # fmt: skip
    assert options.years == [2026]


async def test_postgresql_search_uses_the_index(catalog_deps: Deps, seeded: Seeded) -> None:
    async with db.transaction(catalog_deps.session_factory()) as session:
        if session.bind.dialect.name != "postgresql":
            return
        await session.execute(text("SET LOCAL enable_seqscan = off"))
        condition = catalog.search_condition(session, "posyandu")
        from sqlalchemy import select

        from models.tables import Innovation

        stmt = select(Innovation.id).where(condition)
        compiled = stmt.compile(session.bind, compile_kwargs={"literal_binds": True})
        plan = "\n".join(str(row[0]) for row in await session.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_innovations_catalog_search" in plan, plan
