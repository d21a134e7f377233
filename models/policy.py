"""The reminder policy: monev periods, reminder offsets, escalation and working hours.

Pure functions of dates and times; the Pemda's time zone decides what "today" and "08:00"
mean. Offsets count days relative to the due date: -7 is a week before, 0 the day itself,
3 three days overdue.
"""

from __future__ import annotations

import calendar
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

MAX_SEARCH_DAYS = 14


class PolicySettings(Protocol):
    """The settings a policy is built from (bot.settings.Settings has them all)."""

    timezone: str
    reminder_days_before: list[int]
    reminder_days_overdue: list[int]
    escalate_verifier_days: int
    escalate_admin_days: int
    working_hours_start: time
    working_hours_end: time
    working_days: list[int]
    monev_cadence_months: int
    monev_due_days: int


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Period:
    """A monev period: first and last day (inclusive), and the cadence in months."""

    start: date
    end: date
    months: int

    @property
    def index(self) -> int:
        """Return the period's number within its year (1-based: quarter 1-4, month 1-12)."""
        return (self.start.month - 1) // self.months + 1


@dataclass(frozen=True)
class Policy:
    """When deadlines fall and when reminders about them are sent."""

    zone: zoneinfo.ZoneInfo
    days_before: tuple[int, ...] = (7, 3, 1, 0)
    days_overdue: tuple[int, ...] = (1, 3, 7)
    verifier_after: int = 3
    admin_after: int = 7
    work_start: time = time(8, 0)
    work_end: time = time(16, 0)
    working_days: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    cadence_months: int = 3
    due_days: int = 10

    @classmethod
    def from_settings(cls, settings: PolicySettings) -> Policy:
        """Build the policy the settings describe."""
        return cls(
            zone=zoneinfo.ZoneInfo(settings.timezone),
            days_before=tuple(settings.reminder_days_before),
            days_overdue=tuple(settings.reminder_days_overdue),
            verifier_after=settings.escalate_verifier_days,
            admin_after=settings.escalate_admin_days,
            work_start=settings.working_hours_start,
            work_end=settings.working_hours_end,
            working_days=frozenset(settings.working_days),
            cadence_months=settings.monev_cadence_months,
            due_days=settings.monev_due_days,
        )

    # -- calendar ----------------------------------------------------------------------------

    def local_date(self, moment: datetime) -> date:
        """Return the Pemda's calendar date at ``moment``."""
        return moment.astimezone(self.zone).date()

    def period_of(self, day: date) -> Period:
        """Return the monev period that contains ``day``."""
        months = self.cadence_months
        first_month = (day.month - 1) // months * months + 1
        start = date(day.year, first_month, 1)
        end = _add_months(start, months) - timedelta(days=1)
        return Period(start, end, months)

    def due_date(self, period: Period) -> date:
        """Return the day a period's report is due (by default the 10th day after it ends)."""
        return period.end + timedelta(days=self.due_days)

    # -- reminders ---------------------------------------------------------------------------

    @property
    def offsets(self) -> tuple[int, ...]:
        """Return every reminder offset of the owner, earliest first."""
        return tuple(sorted({-d for d in self.days_before} | set(self.days_overdue)))

    def escalation_roles(self, offset: int) -> tuple[str, ...]:
        """Return who else is told at ``offset``: the verifier, then also the admins."""
        roles: list[str] = []
        if offset >= self.verifier_after and offset > 0:
            roles.append("verifier")
        if offset >= self.admin_after and offset > 0:
            roles.append("admin")
        return tuple(roles)

    def send_time(self, due: date, offset: int) -> datetime:
        """Return when the reminder at ``offset`` may go out: the start of that day's working
        hours, or of the next working day."""
        day = due + timedelta(days=offset)
        return self.next_window(datetime.combine(day, self.work_start, tzinfo=self.zone))

    def reminder_times(
        self, due: date, offsets: Iterable[int] | None = None
    ) -> dict[int, datetime]:
        """Return offset -> send time for a deadline."""
        chosen = self.offsets if offsets is None else offsets
        return {offset: self.send_time(due, offset) for offset in chosen}

    # -- working hours -----------------------------------------------------------------------

    def in_working_hours(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside working hours on a working day."""
        local = moment.astimezone(self.zone)
        if local.isoweekday() not in self.working_days:
            return False
        return self.work_start <= local.time().replace(tzinfo=None) < self.work_end

    def next_window(self, moment: datetime) -> datetime:
        """Return ``moment`` if it is inside working hours, else the start of the next window
        (in UTC)."""
        local = moment.astimezone(self.zone)
        for i in range(MAX_SEARCH_DAYS):
            day = local.date() + timedelta(days=i)
            if day.isoweekday() not in self.working_days:
                continue
            opens = datetime.combine(day, self.work_start, tzinfo=self.zone)
            closes = datetime.combine(day, self.work_end, tzinfo=self.zone)
            if local < opens:
                return opens.astimezone(UTC)
            if local < closes:
                return local.astimezone(UTC)
        raise ValueError("no working day in two weeks; check WORKING_DAYS")

    def next_working_day_window(self, moment: datetime) -> datetime:
        """Return the start of working hours on the first working day after ``moment``'s day
        ("remind me tomorrow")."""
        tomorrow = self.local_date(moment) + timedelta(days=1)
        return self.next_window(datetime.combine(tomorrow, self.work_start, tzinfo=self.zone))
