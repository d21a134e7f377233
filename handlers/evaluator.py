"""Evaluator tools: /ekspor (XLSX or CSV), /statistik (text and chart), /bahasa."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from bot.forms.screens import Button, Outcome, OutgoingFile, Screen
from bot.i18n import LANGUAGES, Translator
from bot.iid_stats_views import band_counts, iid_lines
from handlers.core import Routes, Turn, role_refusal, stale
from models.ids import parse_id
from models.services import export as data
from models.services import iid_stats, units
from models.tables import Role, Status

REVIEWERS = (Role.VERIFIKATOR, Role.ADMIN)
FORMATS = ("xlsx", "csv")
MAX_YEAR = 9999
BASIC_SERVICE_MINIMUM = 5
MAX_MATCHES_SHOWN = 10


def parse_export_args(args: list[str]) -> tuple[str, data.Filters]:
    """Read ``[xlsx|csv] [status] [UNIT] [year]`` in any order; the other words, together,
    name the unit (a code, or a name of several words)."""
    fmt, status, year = "xlsx", None, None
    unit: list[str] = []
    for word in args:
        low = word.lower()
        if low in FORMATS:
            fmt = low
        elif low in tuple(Status):
            status = low
        elif len(low) == 4 and (number := parse_id(low)) is not None:
            year = number
        else:
            unit.append(word)
    return fmt, data.Filters(status=status, unit_code=" ".join(unit) or None, year=year)


async def unit_codes_line(session: AsyncSession, t: Translator) -> str:
    """Return the line that lists the codes of the top-level units."""
    codes = ", ".join(u.code for u in await units.top_level(session))
    return t("export.unit_codes", codes=codes)


async def resolve_unit(
    session: AsyncSession, t: Translator, filters: data.Filters
) -> tuple[data.Filters, Screen | None]:
    """Replace the unit a command names (code or name) by its code, or return why not: an
    unknown unit, or several that match (by their codes), with the usage."""
    if not filters.unit_code:
        return filters, None
    found = await units.find(session, filters.unit_code)
    if len(found) == 1:
        return replace(filters, unit_code=found[0].code), None
    if found:
        matches = ", ".join(f"{u.code} ({u.name})" for u in found[:MAX_MATCHES_SHOWN])
        if len(found) > MAX_MATCHES_SHOWN:
            matches += " " + t.plain("export.unit_more", count=len(found) - MAX_MATCHES_SHOWN)
        problem = t("export.unit_ambiguous", name=filters.unit_code, matches=matches)
    else:
        problem = t("export.unit_unknown", name=filters.unit_code)
    usage = "\n\n".join([problem, t("export.usage"), await unit_codes_line(session, t)])
    return filters, Screen(usage)


def export_menu(t: Translator, year: int, codes_line: str) -> Screen:
    """Return the export choices as buttons."""
    rows = [
        [
            Button(t.plain("export.all_xlsx"), "ex:xlsx:-:-"),
            Button(t.plain("export.all_csv"), "ex:csv:-:-"),
        ],
        [
            Button(t.plain("export.verified_xlsx"), "ex:xlsx:terverifikasi:-"),
            Button(t.plain("export.submitted_xlsx"), "ex:xlsx:diajukan:-"),
        ],
        [Button(t.plain("export.year_xlsx", year=year), f"ex:xlsx:-:{year}")],
    ]
    return Screen(t("export.menu") + "\n\n" + codes_line, rows)


async def _export(turn: Turn, fmt: str, filters: data.Filters) -> OutgoingFile:
    from bot import exports  # openpyxl is loaded on first use, not at start-up

    t, deps = turn.t, turn.deps
    count = await data.count_innovations(turn.session, viewer=turn.user, filters=filters)
    build = exports.build_csv if fmt == "csv" else exports.build_xlsx
    content = await build(turn.session, deps, t, viewer=turn.user, filters=filters)
    stamp = deps.clock.now().astimezone(deps.policy.zone).strftime("%Y%m%d-%H%M")
    caption = t("export.caption", count=t.number(count))
    return OutgoingFile(f"inovasi-{stamp}.{fmt}", caption=caption, data=content)


async def export_command(turn: Turn) -> Outcome:
    """Export innovations: /ekspor [xlsx|csv] [status] [UNIT] [year], or choose by buttons."""
    t = turn.t
    screens = await turn.gate(*REVIEWERS)
    if screens is not None:
        return Outcome(screens)
    if not turn.args:
        codes_line = await unit_codes_line(turn.session, t)
        return Outcome([export_menu(t, turn.deps.today().year, codes_line)])
    fmt, filters = parse_export_args(list(turn.args))
    filters, problem = await resolve_unit(turn.session, t, filters)
    if problem is not None:
        return Outcome([problem])
    return Outcome(files=[await _export(turn, fmt, filters)])


async def export_button(turn: Turn) -> Outcome:
    """Export with the filters of the pressed button."""
    parts = turn.payload.split(":")
    year = parse_id(parts[-1], maximum=MAX_YEAR)  # "-": every year
    if len(parts) != 4 or parts[1] not in FORMATS or (year is None and parts[3] != "-"):
        return stale(turn)
    status = parts[2] if parts[2] in tuple(Status) else None
    filters = data.Filters(status=status, year=year)
    refused = role_refusal(turn.user, *REVIEWERS, t=turn.t)
    if refused:
        return Outcome(refused)
    return Outcome(files=[await _export(turn, parts[1], filters)])


def _counts(
    t: Translator, counter: Counter[str], key_prefix: str | None, labels: dict[str, str]
) -> str:
    parts = []
    for key, n in counter.most_common():
        name = t.plain(f"{key_prefix}.{key}") if key_prefix else labels.get(key, key)
        parts.append(f"{name} {t.number(n)}")
    return " · ".join(parts) or "-"


MAX_OVERDUE_SHOWN = 10


def compliance_text(t: Translator, compliance: data.Compliance) -> str:
    """Return monev compliance per unit and the longest-overdue reports."""
    if not compliance.by_unit:
        return t("stats.no_monev")
    lines = [t("stats.compliance_title")]
    for unit, (on_time, late, missing) in sorted(compliance.by_unit.items()):
        lines.append(
            t(
                "stats.compliance_unit",
                unit=unit,
                on_time=t.number(on_time),
                late=t.number(late),
                missing=t.number(missing),
            )
        )
    if compliance.overdue:
        lines.append(t("stats.overdue_title", count=t.number(len(compliance.overdue))))
        for code, name, unit, days in compliance.overdue[:MAX_OVERDUE_SHOWN]:
            lines.append(
                t("stats.overdue_item", code=code, name=name, unit=unit, days=t.number(days))
            )
    return "\n".join(lines)


async def stats_command(turn: Turn) -> Outcome:
    """Show counts by status, unit, tahapan, jenis and urusan, basic-service coverage, monev
    compliance, the estimated IID bands and the indicators most often without evidence, and
    a chart."""
    screens = await turn.gate(*REVIEWERS)
    if screens is not None:
        return Outcome(screens)
    session, t, deps = turn.session, turn.t, turn.deps
    stats = await data.statistics(session, viewer=turn.user)
    master = deps.master
    tahapan = {o.key: o.text(t.lang) for o in master.tahapan}
    jenis = {o.key: o.text(t.lang) for o in master.jenis}
    urusan = {o.key: o.text(t.lang) for o in master.urusan}
    basic = [o for o in master.urusan if o.pelayanan_dasar]
    missing = [o.text(t.lang) for o in basic if o.key not in stats.urusan_covered]
    covered = len(basic) - len(missing)
    coverage_key = "stats.coverage_ok" if covered >= BASIC_SERVICE_MINIMUM else "stats.coverage_low"
    lines = [
        t("stats.title", total=t.number(stats.total)),
        t("stats.by_status", items=_counts(t, stats.by_status, "status", {})),
        t("stats.by_tahapan", items=_counts(t, stats.by_tahapan, None, tahapan)),
        t("stats.by_jenis", items=_counts(t, stats.by_jenis, None, jenis)),
        t("stats.by_unit", items=_counts(t, stats.by_unit, None, {})),
        t(
            "stats.by_urusan",
            items=_counts(t, Counter(dict(stats.by_urusan.most_common(8))), None, urusan),
        ),
        t(coverage_key, covered=covered, total=len(basic), minimum=BASIC_SERVICE_MINIMUM),
    ]
    if missing:
        lines.append(t("stats.coverage_missing", items="; ".join(missing)))
    compliance = await data.monev_compliance(
        session, viewer=turn.user, today=deps.today(), zone=deps.policy.zone
    )
    lines.append(compliance_text(t, compliance))
    rules = deps.iid
    scores = await iid_stats.iid_statistics(session, rules, viewer=turn.user)
    lines += iid_lines(t, rules, scores)
    from bot import charts  # matplotlib is loaded on first use, not at start-up

    # drawn after the transaction, off the event loop: it takes a while
    draw = partial(
        charts.unit_chart,
        stats.by_unit,
        {unit: (a, b, c) for unit, (a, b, c) in compliance.by_unit.items()},
        titles={
            "innovations": t.plain("stats.chart_innovations"),
            "compliance": t.plain("stats.chart_compliance"),
            "on_time": t.plain("stats.on_time"),
            "late": t.plain("stats.late"),
            "missing": t.plain("stats.missing"),
            "bands": t.plain("iidstats.chart_bands"),
        },
        bands=band_counts(t, rules, scores) if scores.total else (),
    )
    chart = OutgoingFile(
        "statistik.png",
        caption=t.plain("iidstats.chart_caption" if scores.total else "stats.chart_caption"),
        photo=True,
        make=draw,
    )
    return Outcome([Screen("\n".join(lines))], files=[chart])


async def language_command(turn: Turn) -> Outcome:
    """Offer the languages as buttons."""
    t = turn.t
    buttons = [[Button(t.plain(f"lang.{code}"), f"lang:{code}") for code in LANGUAGES]]
    return Outcome([Screen(t("lang.choose"), buttons)])


async def language_button(turn: Turn) -> Outcome:
    """Switch the user's language."""
    code = turn.payload.removeprefix("lang:")
    if code in LANGUAGES:
        turn.user.language = code
    return Outcome([Screen(turn.t("lang.changed"))], menus=[turn.menu()])


ROUTES = Routes(
    commands={
        "ekspor": export_command,
        "export": export_command,
        "statistik": stats_command,
        "stats": stats_command,
        "bahasa": language_command,
        "language": language_command,
    },
    buttons={"ex:": export_button, "lang:": language_button},
)
