"""The reminder policy as pure functions: periods, due dates, send times, working hours."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time

import pytest

from bot.settings import SettingsError, load_settings
from models.policy import Period, Policy

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
MAKASSAR = zoneinfo.ZoneInfo("Asia/Makassar")


def policy(**overrides: object) -> Policy:
    return Policy.from_settings(load_settings(_env_file=None, **overrides))


def test_defaults_follow_the_design() -> None:
    p = policy()
    assert p.offsets == (-7, -3, -1, 0, 1, 3, 7)
    assert p.escalation_roles(1) == ()
    assert p.escalation_roles(3) == ("verifier",)
    assert p.escalation_roles(7) == ("verifier", "admin")
    assert (p.work_start, p.work_end) == (time(8), time(16))
    assert p.zone == JAKARTA


@pytest.mark.parametrize(
    ("months", "day", "start", "end", "due"),
    [
        (3, date(2026, 11, 20), date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 10)),
        (3, date(2027, 2, 28), date(2027, 1, 1), date(2027, 3, 31), date(2027, 4, 10)),
        (1, date(2027, 2, 3), date(2027, 2, 1), date(2027, 2, 28), date(2027, 3, 10)),
        (6, date(2026, 8, 1), date(2026, 7, 1), date(2026, 12, 31), date(2027, 1, 10)),
        (12, date(2026, 3, 5), date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 10)),
    ],
)
def test_periods_and_due_dates(months: int, day: date, start: date, end: date, due: date) -> None:
    p = policy(monev_cadence_months=months)
    period = p.period_of(day)
    assert (period.start, period.end) == (start, end)
    assert p.due_date(period) == due


def test_the_due_day_is_a_setting() -> None:
    p = policy(monev_due_days=15)
    assert p.due_date(Period(date(2026, 10, 1), date(2026, 12, 31), 3)) == date(2027, 1, 15)
    assert Period(date(2026, 10, 1), date(2026, 12, 31), 3).index == 4


def test_send_times_are_window_starts_and_skip_the_weekend() -> None:
    p = policy()
    due = date(2027, 1, 13)  # a Wednesday
    times = p.reminder_times(due)
    assert times[-3] == datetime(2027, 1, 11, 8, tzinfo=JAKARTA)  # Monday 08:00 WIB
    assert times[-7] == datetime(2027, 1, 6, 8, tzinfo=JAKARTA)
    assert times[3] == datetime(2027, 1, 18, 8, tzinfo=JAKARTA)  # Saturday -> Monday
    assert all(t.tzinfo is UTC for t in times.values())


def test_working_hours_in_the_pemdas_time_zone() -> None:
    jakarta, makassar = policy(), policy(timezone="Asia/Makassar")
    moment = datetime(2027, 1, 4, 0, 30, tzinfo=UTC)  # 07:30 WIB, 08:30 WITA, Monday
    assert not jakarta.in_working_hours(moment)
    assert makassar.in_working_hours(moment)
    assert jakarta.next_window(moment) == datetime(2027, 1, 4, 8, tzinfo=JAKARTA)
    assert makassar.next_window(moment) == moment
    evening = datetime(2027, 1, 8, 16, 0, tzinfo=MAKASSAR)  # Friday 16:00: closed
    assert not makassar.in_working_hours(evening)
    assert makassar.next_window(evening) == datetime(2027, 1, 11, 8, tzinfo=MAKASSAR)
    assert makassar.next_working_day_window(datetime(2027, 1, 8, 9, tzinfo=MAKASSAR)) == (
        datetime(2027, 1, 11, 8, tzinfo=MAKASSAR)
    )


def test_a_custom_policy() -> None:
    p = policy(
        reminder_days_before="14,2",
        reminder_days_overdue="5",
        escalate_verifier_days=5,
        escalate_admin_days=30,
        working_hours_start="07:30",
        working_hours_end="15:30",
        working_days="1,2,3,4,5,6",
    )
    assert p.offsets == (-14, -2, 5)
    assert p.escalation_roles(5) == ("verifier",)
    saturday = date(2027, 1, 9)
    assert p.send_time(saturday, 0) == datetime(2027, 1, 9, 7, 30, tzinfo=JAKARTA)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REMINDER_DAYS_BEFORE", "7,x"),
        ("REMINDER_DAYS_OVERDUE", "-1"),
        ("WORKING_DAYS", "0,1"),
        ("WORKING_HOURS_END", "07:00"),
        ("MONEV_CADENCE_MONTHS", "5"),
        ("SEND_RATE_PER_SECOND", "0"),
        ("EXTENSION_DAY_OPTIONS", ""),
    ],
)
def test_a_wrong_reminder_setting_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as exc:
        load_settings(_env_file=None)
    assert str(exc.value).startswith(f"{name}:")
