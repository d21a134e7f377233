"""The IID part of /statistik: innovations by the band of their estimated score, and the
indicators most often without evidence (the counting is in models/services/iid_stats.py)."""

from __future__ import annotations

from bot.i18n import Translator
from models.iid import IidRules
from models.services.iid_stats import IidStatistics


def band_counts(t: Translator, rules: IidRules, stats: IidStatistics) -> list[tuple[str, int]]:
    """Return (label, count) per band of the rules file, highest first as the file lists
    them, then "belum dinilai" (score 0) and, if any, scores outside every band."""
    counts = [(band.text(t.lang), stats.by_band.get(band.label, 0)) for band in rules.predikat]
    counts.append((t.plain("iidstats.unscored"), stats.unscored))
    if stats.outside:
        counts.append((t.plain("iidstats.outside"), stats.outside))
    return counts


def iid_lines(t: Translator, rules: IidRules, stats: IidStatistics) -> list[str]:
    """Return the lines /statistik shows: the bands, then the top indicators without evidence."""
    if not stats.total:
        return []
    items = " · ".join(f"{label} {t.number(n)}" for label, n in band_counts(t, rules, stats))
    lines = [t("iidstats.by_band", items=items)]
    if not stats.gaps:
        lines.append(t("iidstats.no_gaps"))
        return lines
    lines.append(t("iidstats.gaps_title", count=len(stats.gaps)))
    for gap in stats.gaps:
        lines.append(
            t(
                "iidstats.gap_item",
                no=gap.indicator.nomor,
                name=gap.indicator.name(t.lang),
                total=t.number(gap.total),
                level_only=t.number(gap.level_only),
                unanswered=t.number(gap.unanswered),
            )
        )
    return lines
