from __future__ import annotations

from datetime import date

import pytest

from jb_watchdesk.domain.workdays import DEFAULT_CALENDAR, WorkdayCalendar, parse_overrides


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 9, 20), True),  # Sunday made a working day for National Day
        (date(2026, 10, 1), False),
        (date(2026, 10, 7), False),
        (date(2026, 10, 8), True),
        (date(2026, 10, 10), True),  # adjusted working Saturday
        (date(2026, 10, 11), False),
        (date(2026, 2, 14), True),  # Saturday before Spring Festival, working
        (date(2026, 2, 16), False),
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # adjusted working Saturday
        (date(2026, 11, 25), True),
        (date(2026, 11, 28), False),
    ],
)
def test_official_calendar_2026(day: date, working: bool) -> None:
    assert DEFAULT_CALENDAR.is_workday(day) is working
    assert DEFAULT_CALENDAR.is_known(day)


def test_unknown_year_falls_back_to_monday_to_friday() -> None:
    assert not DEFAULT_CALENDAR.is_known(date(2027, 1, 1))
    assert DEFAULT_CALENDAR.is_workday(date(2027, 1, 1))  # a Friday: the guess says working
    assert not DEFAULT_CALENDAR.is_workday(date(2027, 1, 2))


def test_add_workdays_across_national_day() -> None:
    day, known = DEFAULT_CALENDAR.add_workdays(date(2026, 9, 30), 5)
    # Oct 8, 9, 10 (adjusted Saturday), 12, 13
    assert day == date(2026, 10, 13)
    assert known


def test_add_workdays_into_unknown_year_is_not_known() -> None:
    day, known = DEFAULT_CALENDAR.add_workdays(date(2026, 12, 29), 5)
    assert day == date(2027, 1, 5)  # Dec 30, 31 (2026: Jan 1 is a guess), Jan 1, 4, 5
    assert not known


def test_overrides_parse_and_apply() -> None:
    calendar = parse_overrides(
        "# 2027 schedule\n2027-01-01 off  New Year\n\n2027-02-06 work # adjusted Saturday\nknown 2027\n",
        source="workday-overrides.txt",
    )
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.is_workday(date(2027, 2, 6))
    assert calendar.is_known(date(2027, 7, 1))
    day, known = calendar.add_workdays(date(2026, 12, 31), 1)
    assert day == date(2027, 1, 4) and known


def test_override_wins_over_the_official_calendar() -> None:
    calendar = WorkdayCalendar(overrides={date(2026, 11, 25): False})
    assert not calendar.is_workday(date(2026, 11, 25))
