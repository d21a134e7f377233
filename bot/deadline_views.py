"""What reminders and schedules say: periods, days left, what is missing, the buttons."""

from __future__ import annotations

from datetime import date

from bot.forms.engine import Button, Screen
from bot.forms.screens import TemplateHint
from bot.i18n import Raw, Translator
from models.policy import Period
from models.services import innovations as inno
from models.services import monev
from models.tables import (
    Deadline,
    DeadlineKind,
    Innovation,
    Reminder,
    ReminderRole,
    Status,
    User,
)

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
FILL, SNOOZE, EXTEND = "mv:fill:", "mv:snz:", "mv:ext:"
# resumes a draft (handled by /draf's buttons)
RESUME_DRAFT = "draft:"


def period_label(t: Translator, period: Period) -> str:
    """Return "Triwulan IV 2026", "November 2026", "Semester II 2026", "Tahun 2026"..."""
    year = period.start.year
    if period.months == 1:
        return t.month(period.start)
    if period.months == 3:
        return t.plain("monev.period.quarter", n=ROMAN[period.index - 1], year=year)
    if period.months == 6:
        return t.plain("monev.period.semester", n=ROMAN[period.index - 1], year=year)
    if period.months == 12:
        return t.plain("monev.period.year", year=year)
    return t.plain("monev.period.range", start=t.month(period.start), end=t.month(period.end))


def when_phrase(t: Translator, due: date, today: date) -> str:
    """Return "7 hari lagi", "besok", "hari ini" or "terlambat 3 hari"."""
    days = (due - today).days
    if days > 1:
        return t.plain("monev.when.left", days=days)
    if days == 1:
        return t.plain("monev.when.tomorrow")
    if days == 0:
        return t.plain("monev.when.today")
    return t.plain("monev.when.overdue", days=-days)


def subject(t: Translator, deadline: Deadline) -> str:
    """Return what the deadline asks for: "Laporan monev Triwulan IV 2026" or the campaign."""
    period = monev.period_of_deadline(deadline)
    if deadline.kind == DeadlineKind.MONEV and period is not None:
        return t.plain("monev.subject", period=period_label(t, period))
    return deadline.campaign.name if deadline.campaign else ""


def innovation_name(t: Translator, deadline: Deadline) -> str:
    """Return the deadline's innovation's name with its code, as plain text."""
    return name_with_code(t, deadline.innovation)


def name_with_code(t: Translator, innovation: Innovation) -> str:
    """Return an innovation's name with its code, as plain text."""
    name = innovation.nama_inovasi or t.plain("reg.untitled")
    return f"{name} ({innovation.code})" if innovation.code else name


def missing_lines(t: Translator, deadline: Deadline) -> list[str]:
    """Return what the owner still has to deliver, as HTML lines."""
    if deadline.kind == DeadlineKind.MONEV:
        return [t("reminder.missing_report")]
    if monev.is_indicator_campaign(deadline):
        return [t("iidstats.reminder_missing", code=deadline.innovation.code or "")]
    check = monev.missing_of(deadline)
    lines = []
    if check.missing:
        fields = ", ".join(t.plain(f"reg.{k}.label") for k in check.missing)
        lines.append(t("reminder.missing_fields", fields=fields))
    if check.short:
        fields = ", ".join(t.plain(f"reg.{k}.label") for k in check.short)
        lines.append(t("reminder.short_fields", fields=fields))
    status = deadline.innovation.status
    if status in inno.EDITABLE:
        lines.append(t("reminder.not_submitted"))
    elif lines:
        lines.append(t("reminder.ask_return"))
    return lines


def owner_buttons(t: Translator, reminder: Reminder) -> list[list[Button]]:
    """Return the reminder's buttons: fill in now, remind me tomorrow, ask for more time."""
    deadline = reminder.deadline
    fill = (
        "reminder.fill_report" if deadline.kind == DeadlineKind.MONEV else "reminder.fill_profile"
    )
    first = Button(t.plain(fill), f"{FILL}{deadline.id}")
    if monev.is_indicator_campaign(deadline):  # straight to the indicators
        first = Button(t.plain("iidstats.fill_indicators"), f"iid:{deadline.innovation_id}")
    return [
        [first],
        [
            Button(t.plain("reminder.snooze"), f"{SNOOZE}{reminder.id}"),
            Button(t.plain("reminder.extend"), f"{EXTEND}{deadline.id}"),
        ],
    ]


def reminder_screen(t: Translator, reminder: Reminder, *, today: date) -> Screen:
    """Return the message of one reminder in the recipient's language."""
    deadline = reminder.deadline
    due = t.date(deadline.due_date)
    when = when_phrase(t, deadline.due_date, today)
    what = subject(t, deadline)
    if reminder.role == ReminderRole.OWNER:
        lines = [
            t("reminder.title", subject=what),
            t("reminder.innovation", name=innovation_name(t, deadline)),
            t("reminder.due", date=due, when=when),
            *missing_lines(t, deadline),
        ]
        kind = "reminder" if deadline.kind == DeadlineKind.MONEV else "deadline"
        hint = TemplateHint(
            kind, (("subject", what), ("innovation", innovation_name(t, deadline)), ("date", due))
        )
        return Screen("\n".join(lines), owner_buttons(t, reminder), template=hint)
    owner: User = deadline.innovation.owner
    overdue = (today - deadline.due_date).days
    title = (
        t("reminder.escalation_title", days=overdue)
        if overdue > 0
        else t("reminder.unreachable_title")
    )
    unit = deadline.innovation.unit
    lines = [
        title,
        t("reminder.about", subject=what),
        t("reminder.innovation", name=innovation_name(t, deadline)),
        t("reminder.owner", owner=owner.name or "-", unit=unit.name if unit else "-"),
        t("reminder.due", date=due, when=when),
        *missing_lines(t, deadline),
    ]
    if owner.unreachable:
        lines.append(t("reminder.owner_unreachable", owner=owner.name or "-"))
    hint = TemplateHint(
        "escalation",
        (("subject", what), ("innovation", innovation_name(t, deadline)), ("days", str(overdue))),
    )
    return Screen("\n".join(lines), template=hint)


def deadline_line(t: Translator, deadline: Deadline, *, today: date) -> str:
    """Return one /jadwal entry as HTML."""
    icon = "📝" if deadline.kind == DeadlineKind.MONEV else "📋"
    return t(
        "jadwal.item",
        icon=Raw(icon),
        subject=subject(t, deadline),
        name=innovation_name(t, deadline),
        date=t.date(deadline.due_date),
        when=when_phrase(t, deadline.due_date, today),
    )


def draft_nudge_screen(t: Translator, innovation: Innovation, *, last_change: date) -> Screen:
    """Return the nudge about an idle draft (or a returned innovation) with a resume button."""
    name = name_with_code(t, innovation)
    key = "nudge.returned" if innovation.status == Status.DIKEMBALIKAN else "nudge.draft"
    check = inno.profile_completeness(innovation)
    text = (
        t(key, name=name, date=t.date(last_change))
        + "\n"
        + t("nudge.completeness", percent=check.percent)
    )
    hint = TemplateHint("nudge", (("innovation", name), ("date", t.date(last_change))))
    resume = Button(t.plain("nudge.resume"), f"{RESUME_DRAFT}{innovation.id}")
    return Screen(text, [[resume]], template=hint)
