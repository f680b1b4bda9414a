"""China's working-day calendar: official holidays and adjusted working weekends (调休).

The State Council publishes each year's schedule late in the previous year; the
``chinese-calendar`` package carries the published years. For a year it does not know
yet we fall back to Monday–Friday and mark every deadline that relies on that guess as
*estimated*. The duty room can correct a year in an override file in the data dir::

    # workday-overrides.txt
    2027-01-01 off        New Year's Day
    2027-02-06 work       adjusted working Saturday
    known 2027            the overrides above describe 2027 completely

This module is pure: the override text is read elsewhere and handed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import chinese_calendar

from jb_watchdesk.domain import messages

_OVERRIDE_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(off|work)\b")
_KNOWN_LINE = re.compile(r"^known\s+(\d{4})\b")
_YEAR = re.compile(r"(?<!\d)((?:19|20|21)\d{2})(?!\d)")


@cache
def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class OverrideProblem:
    """A line of the override file that was not used: ``line`` 0 means the file itself could not
    be read (``text`` then says why)."""

    source: str
    line: int
    text: str

    def describe(self, language: str | None = None) -> str:
        """``file:line: reason`` in the officer's language."""
        if self.line == 0:
            return messages.text("workdays.unreadable", language, path=self.source, detail=self.text)
        return messages.text("workdays.bad_override", language, path=self.source, line=self.line, text=self.text)


@dataclass(frozen=True, slots=True)
class WorkdayCalendar:
    """Answers "is this a working day?" and whether the answer is official or a guess."""

    overrides: Mapping[date, bool] = field(default_factory=dict)
    known_years: frozenset[int] = frozenset()
    problems: tuple[OverrideProblem, ...] = ()
    """Override lines that were not understood (and skipped)."""
    doubtful_years: frozenset[int] = frozenset()
    """Years a skipped override line may have been about: their days are never *known*."""

    def is_known(self, day: date) -> bool:
        """True when the day's year is on the official calendar or declared complete by overrides,
        and no override line that was not understood may concern it."""
        if day.year in self.doubtful_years:
            return False
        return day.year in self.known_years or _library_knows(day.year)

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if _library_knows(day.year):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def next_workday(self, day: date) -> tuple[date, bool]:
        """The first working day strictly after ``day``, and whether every day crossed was known."""
        known = True
        current = day
        while True:
            current += timedelta(days=1)
            known = known and self.is_known(current)
            if self.is_workday(current):
                return current, known

    def add_workdays(self, day: date, count: int) -> tuple[date, bool]:
        """The ``count``-th working day after ``day`` (``count`` ≥ 0), and whether it is official."""
        if count < 0:
            raise ValueError("count must be non-negative")
        known = self.is_known(day)
        current = day
        for _ in range(count):
            current, step_known = self.next_workday(current)
            known = known and step_known
        return current, known


def parse_overrides(text: str, *, source: str) -> WorkdayCalendar:
    """Build a calendar from override-file text. A line that is not understood is skipped and kept
    in :attr:`WorkdayCalendar.problems` (file, line, text): the rest of the file is used, and the
    years a bad line names (every year the file names, when the line names none) are no longer
    *known*, so deadlines that fall in them are marked estimated."""
    overrides: dict[date, bool] = {}
    known: set[int] = set()
    problems: list[OverrideProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if match := _OVERRIDE_LINE.match(line):
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                problems.append(OverrideProblem(source=source, line=number, text=raw.strip()))
                continue
            overrides[day] = match.group(2) == "work"
        elif match := _KNOWN_LINE.match(line):
            known.add(int(match.group(1)))
        else:
            problems.append(OverrideProblem(source=source, line=number, text=raw.strip()))
    named = {day.year for day in overrides} | known
    doubtful: set[int] = set()
    for problem in problems:
        years = {int(y) for y in _YEAR.findall(problem.text)}
        doubtful |= years or named
    return WorkdayCalendar(
        overrides=overrides, known_years=frozenset(known), problems=tuple(problems), doubtful_years=frozenset(doubtful)
    )


_RAW_YEAR = re.compile(rb"(?<![0-9])(20[0-9]{2})(?![0-9])")


def unreadable_overrides(*, source: str, detail: str, data: bytes = b"") -> WorkdayCalendar:
    """The official calendar alone, when the override file cannot be read: the problem is kept
    (line 0) so doctor and the window say so. Every year ``data`` (the file's bytes, when they
    could be read but not decoded) names in ASCII digits (``20xx``) is doubtful: its deadlines are
    estimates, since the file may change its workdays."""
    years = frozenset(int(y) for y in _RAW_YEAR.findall(data))
    return WorkdayCalendar(problems=(OverrideProblem(source=source, line=0, text=detail),), doubtful_years=years)


DEFAULT_CALENDAR = WorkdayCalendar()
