"""Evaluator tools: /ekspor (XLSX or CSV), /statistik (text and chart), /bahasa."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.context import BotContext
from bot.forms.engine import Button, Screen
from bot.i18n import LANGUAGES, Translator
from bot.render import show
from handlers.common import (
    current_user,
    onboarding_gate,
    role_refusal,
    set_menu,
    translator,
    unit_of_work,
)
from handlers.flow import stale_button
from models.ids import parse_id
from models.services import export as data
from models.services import units
from models.tables import Role, Status, User

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


Export = tuple[bytes, str, str]  # content, file name, caption


async def _export(
    session: AsyncSession, context: BotContext, user: User, fmt: str, filters: data.Filters
) -> Export:
    from bot import exports  # openpyxl is loaded on first use, not at start-up

    t = translator(context, user)
    count = await data.count_innovations(session, viewer=user, filters=filters)
    build = exports.build_csv if fmt == "csv" else exports.build_xlsx
    content = await build(session, context.deps, t, viewer=user, filters=filters)
    stamp = context.deps.clock.now().astimezone(context.deps.policy.zone).strftime("%Y%m%d-%H%M")
    return content, f"inovasi-{stamp}.{fmt}", t("export.caption", count=t.number(count))


async def _send(update: Update, context: BotContext, export: Export) -> None:
    assert update.effective_chat is not None
    content, filename, caption = export
    await context.bot.send_document(
        update.effective_chat.id, InputFile(content, filename=filename), caption=caption
    )


async def export_command(update: Update, context: BotContext) -> None:
    """Export innovations: /ekspor [xlsx|csv] [status] [UNIT] [year], or choose by buttons."""
    export: Export | None = None
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        screens = await onboarding_gate(session, context, user, *REVIEWERS)
        if screens is None and not context.args:
            codes_line = await unit_codes_line(session, t)
            screens = [export_menu(t, context.deps.today().year, codes_line)]
        elif screens is None:
            fmt, filters = parse_export_args(context.args or [])
            filters, problem = await resolve_unit(session, t, filters)
            if problem is not None:
                screens = [problem]
            else:
                export = await _export(session, context, user, fmt, filters)
    if export is not None:
        await _send(update, context, export)
    else:
        await show(update, context, screens or [])


async def export_button(update: Update, context: BotContext) -> None:
    """Export with the filters of the pressed button."""
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    year = parse_id(parts[-1], maximum=MAX_YEAR)  # "-": every year
    if len(parts) != 4 or parts[1] not in FORMATS or (year is None and parts[3] != "-"):
        await stale_button(update, context)
        return
    await query.answer()
    status = parts[2] if parts[2] in tuple(Status) else None
    filters = data.Filters(status=status, year=year)
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        refused = role_refusal(user, *REVIEWERS, t=translator(context, user))
        export = None if refused else await _export(session, context, user, parts[1], filters)
    if export is not None:
        await _send(update, context, export)
    else:
        await show(update, context, refused or [])


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


async def stats_command(update: Update, context: BotContext) -> None:
    """Show counts by status, unit, tahapan, jenis and urusan, basic-service coverage, a chart."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
        screens = await onboarding_gate(session, context, user, *REVIEWERS)
        if screens is None:
            stats = await data.statistics(session, viewer=user)
            master = context.deps.master
            tahapan = {o.key: o.label for o in master.tahapan}
            jenis = {o.key: o.label for o in master.jenis}
            urusan = {o.key: o.label for o in master.urusan}
            basic = [o for o in master.urusan if o.pelayanan_dasar]
            missing = [o.label for o in basic if o.key not in stats.urusan_covered]
            covered = len(basic) - len(missing)
            coverage_key = (
                "stats.coverage_ok" if covered >= BASIC_SERVICE_MINIMUM else "stats.coverage_low"
            )
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
            deps = context.deps
            compliance = await data.monev_compliance(
                session, viewer=user, today=deps.today(), zone=deps.policy.zone
            )
            lines.append(compliance_text(t, compliance))
            text = "\n".join(lines)
    if screens is not None:
        await show(update, context, screens)
        return
    await show(update, context, [Screen(text)])
    from bot import charts  # matplotlib is loaded on first use, not at start-up

    # drawn after the transaction, off the event loop: it takes a while
    chart = await asyncio.to_thread(
        charts.unit_chart,
        stats.by_unit,
        {unit: (a, b, c) for unit, (a, b, c) in compliance.by_unit.items()},
        titles={
            "innovations": t.plain("stats.chart_innovations"),
            "compliance": t.plain("stats.chart_compliance"),
            "on_time": t.plain("stats.on_time"),
            "late": t.plain("stats.late"),
            "missing": t.plain("stats.missing"),
        },
    )
    assert update.effective_chat is not None
    await context.bot.send_photo(
        update.effective_chat.id,
        InputFile(chart, filename="statistik.png"),
        caption=t.plain("stats.chart_caption"),
    )


async def language_command(update: Update, context: BotContext) -> None:
    """Offer the languages as buttons."""
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        t = translator(context, user)
    buttons = [[Button(t.plain(f"lang.{code}"), f"lang:{code}") for code in LANGUAGES]]
    await show(update, context, [Screen(t("lang.choose"), buttons)])


async def language_button(update: Update, context: BotContext) -> None:
    """Switch the user's language."""
    query = update.callback_query
    assert query is not None and query.data is not None
    code = query.data.removeprefix("lang:")
    async with unit_of_work(context, update) as session:
        user = await current_user(session, update, context)
        if code in LANGUAGES:
            user.language = code
        t = translator(context, user)
        role = user.role
    await query.answer()
    await show(update, context, [Screen(t("lang.changed"))])
    if update.effective_chat:
        await set_menu(context, update.effective_chat.id, role, t.lang)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this module's handlers."""
    app.add_handler(CommandHandler(["ekspor", "export"], export_command))
    app.add_handler(CommandHandler(["statistik", "stats"], stats_command))
    app.add_handler(CommandHandler(["bahasa", "language"], language_command))
    app.add_handler(CallbackQueryHandler(export_button, pattern=r"^ex:"))
    app.add_handler(CallbackQueryHandler(language_button, pattern=r"^lang:"))
