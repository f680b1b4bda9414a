"""A bad line in the holiday override file is reported and skipped; the rest is used, and deadlines in the
years it may concern are marked estimated."""

from __future__ import annotations

from datetime import date

import pytest

from jb_watchdesk.domain.workdays import parse_overrides, unreadable_overrides


@pytest.mark.parametrize("bad", ["2027-13-01 off", "2027-01-01 maybe", "holiday 2027-01-01"])
def test_a_bad_line_is_reported_with_file_and_line_and_the_rest_is_used(bad: str) -> None:
    calendar = parse_overrides(f"2027-01-01 off\n{bad}\n2027-02-06 work\nknown 2027\n", source="o.txt")
    (problem,) = calendar.problems
    assert (problem.source, problem.line) == ("o.txt", 2)
    assert problem.describe("en").startswith("o.txt:2: unrecognised override")
    assert not calendar.is_workday(date(2027, 1, 1)) and calendar.is_workday(date(2027, 2, 6))  # the other lines count
    # 2027 was declared complete, but a line about 2027 was not understood: its deadlines are estimates.
    assert not calendar.is_known(date(2027, 3, 1))
    assert not calendar.add_workdays(date(2027, 3, 1), 5)[1]


def test_a_bad_line_about_one_year_leaves_the_others_known() -> None:
    calendar = parse_overrides("2026-10-01 off\n2027-1-1 off\nknown 2028\n", source="o.txt")
    assert [p.line for p in calendar.problems] == [2]
    assert calendar.is_known(date(2026, 5, 6)) and calendar.is_known(date(2028, 5, 6))
    assert not calendar.is_known(date(2027, 5, 6))


def test_a_bad_line_naming_no_year_makes_every_year_of_the_file_doubtful() -> None:
    calendar = parse_overrides("2026-10-01 off\nNational Day week\n", source="o.txt")
    assert not calendar.is_known(date(2026, 5, 6))
    assert calendar.is_known(date(2025, 5, 6))


def test_a_clean_file_has_no_problems() -> None:
    calendar = parse_overrides("# comment\n2026-10-01 off  National Day\n", source="o.txt")
    assert calendar.problems == () and calendar.is_known(date(2026, 5, 6))


def test_an_unreadable_file_is_a_problem_on_line_zero() -> None:
    calendar = unreadable_overrides(source="o.txt", detail="Permission denied")
    assert calendar.problems[0].describe("en") == "o.txt: cannot be read (Permission denied)"
    assert calendar.is_known(date(2026, 5, 6))
