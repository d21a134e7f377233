"""XLSX and CSV exports in the IID profile's column order, with the Indikator sheet
(bot/iid_exports.py); the evidence zip is bot/evidence_zip.py."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.deps import Deps
from bot.forms.definitions import REGISTRATION
from bot.i18n import Translator
from bot.iid_exports import indicator_headers, indicator_rows
from bot.views import local
from models.services import export as data
from models.services import innovations as inno
from models.services.cards import option_labels
from models.tables import Innovation, User
from models.validation import first_day

Progress = Callable[[int], object]
PROFILE_KEYS = [s.key for s in REGISTRATION.steps]
DATE_KEYS = inno.DATE_FIELDS  # a real date where IID asks for one; then the same as given
WRITE_BATCH = 2000  # Indikator rows written to the workbook at a time, off the event loop


class Labels:
    """Option labels (units and master data) looked up once per export."""

    def __init__(self, by_source: dict[str, dict[str, str]], owners: dict[int, str]) -> None:
        self.by_source = by_source
        self.owners = owners

    @classmethod
    async def load(cls, session: AsyncSession, deps: Deps, t: Translator) -> Labels:
        """Collect every label an export needs."""
        sources = {s.options for s in REGISTRATION.steps if s.options}
        by_source = {src: await option_labels(session, deps.master, src, t.lang) for src in sources}
        rows = await session.execute(select(User.id, User.name, User.deleted_at))
        owners = {
            uid: (name if name and deleted is None else t.plain("people.erased"))
            for uid, name, deleted in rows
        }
        return cls(by_source, owners)


def headers(t: Translator) -> list[str]:
    """Return the innovation sheet's column titles: code and status, then the IID profile."""
    return [
        t.plain("export.code"),
        t.plain("export.status"),
        *(_profile_header(t, k) for k in PROFILE_KEYS),
        t.plain("export.completeness"),
        t.plain("export.owner"),
        t.plain("export.submitted_at"),
        *(t.plain("export.date_as_given", label=t.plain(f"reg.{k}.label")) for k in DATE_KEYS),
    ]


def _profile_header(t: Translator, key: str) -> str:
    label = t.plain(f"reg.{key}.label")
    return t.plain("export.date_column", label=label) if key in DATE_KEYS else label


def innovation_row(innovation: Innovation, labels: Labels, t: Translator, deps: Deps) -> list[Any]:
    """Return one innovation's cells: labels instead of keys, real dates, plain text."""
    answers = inno.answers_of(innovation)
    cells: list[Any] = [innovation.code or "", t.plain(f"status.{innovation.status}")]
    for step in REGISTRATION.steps:
        value = answers.get(step.key)
        names = labels.by_source.get(step.options or "", {})
        if step.key == "unit_id":
            cells.append(names.get(str(value), "") if value is not None else "")
        elif isinstance(value, list):
            cells.append("; ".join(names.get(str(v), str(v)) for v in value))
        elif isinstance(value, dict):
            text = value.get("text") or ""
            if value.get("lat") is not None:
                text = f"{value['lat']}, {value['lon']}"
            cells.append(text)
        elif step.options and value is not None:
            cells.append(names.get(str(value), str(value)))
        elif isinstance(value, date):
            cells.append(first_day(value))  # a month alone: its 1st (the header says so)
        else:
            cells.append(value if value is not None else "")
    check = inno.profile_completeness(innovation)
    submitted = innovation.submitted_at
    cells += [
        check.percent,
        labels.owners.get(innovation.owner_id, ""),
        local(deps, submitted).replace(tzinfo=None) if submitted else "",
        *(t.date(answers[k]) if answers.get(k) else "" for k in DATE_KEYS),
    ]
    return cells


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays text
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


async def build_xlsx(
    session: AsyncSession,
    deps: Deps,
    t: Translator,
    *,
    viewer: User | None,
    filters: data.Filters,
    progress: Progress | None = None,
) -> bytes:
    """Return a workbook: innovations (IID column order), monev reports, deadlines, and the
    IID indicators of each innovation."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(t.plain("export.sheet_innovations"))
    sheet.append(headers(t))
    labels = await Labels.load(session, deps, t)
    async for innovation in data.stream_innovations(session, viewer=viewer, filters=filters):
        sheet.append([_cell(sheet, v) for v in innovation_row(innovation, labels, t, deps)])
        if progress:
            progress(1)
    for title, columns, rows in await monev_sheets(
        session, deps, t, labels, viewer=viewer, filters=filters
    ):
        extra = workbook.create_sheet(title)
        extra.append(columns)
        for row in rows:
            extra.append([_cell(extra, v) for v in row])
    sheet = workbook.create_sheet(t.plain("iidstats.sheet.title"))
    sheet.append(indicator_headers(t))
    # the Indikator sheet (20 rows per innovation) and the saving are written off the event
    # loop, a batch at a time, so a large export does not hold up the other chats
    pending: list[list[Any]] = []
    async for row in indicator_rows(session, deps, t, viewer=viewer, filters=filters):
        pending.append(row)
        if len(pending) >= WRITE_BATCH:
            await asyncio.to_thread(_append_rows, sheet, pending)
            pending = []
    await asyncio.to_thread(_append_rows, sheet, pending)
    buffer = io.BytesIO()
    await asyncio.to_thread(workbook.save, buffer)
    return buffer.getvalue()


def _append_rows(sheet: WriteOnlyWorksheet, rows: list[list[Any]]) -> None:
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])


def _looks_like_formula(value: str) -> bool:
    if value.startswith(("=", "@")):
        return True
    return value.startswith(("+", "-")) and len(value) > 1 and not value[1].isdigit()


Sheet = tuple[str, list[str], list[list[Any]]]


async def monev_sheets(
    session: AsyncSession,
    deps: Deps,
    t: Translator,
    labels: Labels,
    *,
    viewer: User | None,
    filters: data.Filters,
) -> list[Sheet]:
    """Return the monev-report sheet and the deadline sheet of the exported innovations."""
    units = labels.by_source.get("units", {})
    today = local(deps, deps.clock.now()).date()
    reports: list[list[Any]] = []
    for report, deadline, innovation in await data.monev_reports(
        session, viewer=viewer, filters=filters
    ):
        reports.append(
            [
                innovation.code or "",
                innovation.nama_inovasi or "",
                units.get(str(innovation.unit_id), ""),
                deadline.period_start,
                deadline.period_end,
                t.plain(f"monev.status_opt.{report.status}"),
                report.beneficiaries,
                report.results,
                report.obstacles or "",
                report.next_steps or "",
                report.stop_reason or "",
                labels.owners.get(report.reporter_id or 0, ""),
                local(deps, report.submitted_at).replace(tzinfo=None),
            ]
        )
    rows: list[list[Any]] = []
    for deadline, innovation in await data.deadlines(session, viewer=viewer, filters=filters):
        state = deadline.status
        if state == "open" and deadline.due_date < today:
            state = "overdue"
        rows.append(
            [
                innovation.code or "",
                innovation.nama_inovasi or "",
                units.get(str(innovation.unit_id), ""),
                t.plain(f"export.kind_{deadline.kind}"),
                deadline.campaign.name if deadline.campaign else "",
                deadline.period_start or "",
                deadline.period_end or "",
                deadline.due_date,
                deadline.original_due_date,
                t.plain(f"export.deadline_{state}"),
            ]
        )
    report_columns = [
        t.plain(f"export.{k}")
        for k in (
            "code", "name", "unit", "period_start", "period_end", "monev_status",
            "beneficiaries", "results", "obstacles", "next_steps", "stop_reason", "reporter",
            "sent_at",
        )
    ]  # fmt: skip
    deadline_columns = [
        t.plain(f"export.{k}")
        for k in (
            "code", "name", "unit", "kind", "campaign", "period_start", "period_end",
            "due_date", "original_due_date", "state",
        )
    ]  # fmt: skip
    return [
        (t.plain("export.sheet_monev"), report_columns, reports),
        (t.plain("export.sheet_deadlines"), deadline_columns, rows),
    ]


def csv_safe(value: Any) -> Any:
    if isinstance(value, str) and _looks_like_formula(value):
        return "'" + value  # keep spreadsheet programs from running it as a formula
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value


async def build_csv(
    session: AsyncSession,
    deps: Deps,
    t: Translator,
    *,
    viewer: User | None,
    filters: data.Filters,
    progress: Progress | None = None,
) -> bytes:
    """Return the innovations as UTF-8 CSV (with BOM, for spreadsheet programs)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(t))
    labels = await Labels.load(session, deps, t)
    async for innovation in data.stream_innovations(session, viewer=viewer, filters=filters):
        writer.writerow([csv_safe(v) for v in innovation_row(innovation, labels, t, deps)])
        if progress:
            progress(1)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
