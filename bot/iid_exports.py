"""The Indikator sheet of the XLSX export: one row per innovation and IID indicator, in the
export's innovation order and the rules' indicator order, read in batches of innovations."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.check_views import verified_cell
from bot.deps import Deps
from bot.i18n import Translator
from models.services import export as data
from models.services import indicators
from models.services.iid_stats import batches, light
from models.tables import User

COLUMNS = ("code", "name", "number", "indicator", "level", "weight", "score", "evidence")


def indicator_headers(t: Translator) -> list[str]:
    """Return the Indikator sheet's column titles (the last: whether a verifier checked it)."""
    return [t.plain(f"iidstats.sheet.{c}") for c in COLUMNS] + [t.plain("checks.sheet_verified")]


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


async def indicator_rows(
    session: AsyncSession,
    deps: Deps,
    t: Translator,
    *,
    viewer: User | None,
    filters: data.Filters,
) -> AsyncIterator[list[Any]]:
    """Yield the Indikator sheet's rows: code, innovation, indicator number and name, the level
    (chosen, or read from the profile), weight, score (level x weight, with evidence only),
    the evidence (file names, then the link), and whether a verifier has checked it."""
    rules, lang = deps.iid, t.lang
    query = light(await data.innovations_query(session, viewer, filters))
    async for chunk in batches(session, query):
        read = await indicators.read_for(session, rules, chunk)
        for innovation in chunk:
            found = read[innovation.id]
            for scored in sorted(found.estimate.rows, key=lambda r: r.indicator.nomor):
                indicator, level = scored.indicator, scored.answer.level
                yield [
                    innovation.code or "",
                    innovation.nama_inovasi or "",
                    indicator.nomor,
                    indicator.name(lang),
                    indicator.level_text(level, lang) if level else "",
                    _number(indicator.bobot),
                    _number(scored.score),
                    "; ".join(found.evidence(indicator.key)),
                    verified_cell(t, innovation, found.rows.get(indicator.key)) if level else "",
                ]
