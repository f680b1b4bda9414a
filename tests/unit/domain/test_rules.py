from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jb_watchdesk.domain import rules
from jb_watchdesk.domain.models import AccountStatus, CommentState, Freshness
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.domain.workdays import DEFAULT_CALENDAR, parse_overrides


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


NOW = sh(2026, 11, 25, 10, 0)  # a Wednesday


# -- freshness -------------------------------------------------------------------


def test_never_polled_is_unknown_not_ok() -> None:
    report = rules.freshness([], now=NOW, observed_since=None)
    assert report.state is Freshness.UNKNOWN
    assert report.days_silent is None


def test_three_posts_in_seven_days_is_ok() -> None:
    posts = [NOW - timedelta(days=d) for d in (0.5, 2, 6.9)]
    report = rules.freshness(posts, now=NOW, observed_since=NOW - timedelta(days=30))
    assert report.state is Freshness.OK
    assert report.posts_7d == 3
    assert report.posts_this_week == 2  # Monday 23rd 00:00 onwards: 24th and 25th
    assert report.days_silent == 0


def test_two_posts_is_warn() -> None:
    report = rules.freshness([NOW - timedelta(days=1), NOW - timedelta(days=2)], now=NOW, observed_since=NOW)
    assert report.state is Freshness.WARN
    assert "under_3_per_week" in report.reasons


def test_seven_days_silent_is_warn_fourteen_is_veto() -> None:
    seven = rules.freshness([NOW - timedelta(days=7, hours=1)], now=NOW, observed_since=None)
    assert seven.state is Freshness.WARN and seven.days_silent == 7 and "silent_7d" in seven.reasons
    almost = rules.freshness([NOW - timedelta(days=13, hours=23)], now=NOW, observed_since=None)
    assert almost.state is Freshness.WARN
    fourteen = rules.freshness([NOW - timedelta(days=14)], now=NOW, observed_since=None)
    assert fourteen.state is Freshness.VETO and fourteen.days_silent == 14


def test_polled_but_never_posting_counts_silence_from_first_poll() -> None:
    report = rules.freshness([], now=NOW, observed_since=NOW - timedelta(days=15))
    assert report.state is Freshness.VETO
    fresh = rules.freshness([], now=NOW, observed_since=NOW - timedelta(hours=1))
    assert fresh.state is Freshness.WARN


def test_calendar_week_starts_monday_in_shanghai() -> None:
    # Sunday 23:30 Shanghai is still last week even though it is Sunday 15:30 UTC.
    monday_morning = sh(2026, 11, 23, 0, 30)
    report = rules.freshness([sh(2026, 11, 22, 23, 30)], now=monday_morning, observed_since=None)
    assert report.posts_this_week == 0 and report.posts_7d == 1


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        rules.freshness([], now=datetime(2026, 1, 1), observed_since=None)


# -- comment SLA: worked examples --------------------------------------------------


def test_ack_due_one_hour_round_the_clock() -> None:
    sla = rules.comment_sla(sh(2026, 10, 3, 23, 30))  # a holiday, late at night
    assert sla.ack_due == sh(2026, 10, 4, 0, 30)


@pytest.mark.parametrize(
    ("created", "due"),
    [
        # Tuesday before National Day: Sep 30, Oct 8, 9, 10 (adjusted Saturday), 12
        (sh(2026, 9, 29, 15, 0), sh(2026, 10, 12, 15, 0)),
        # Wednesday Sep 30: Oct 8, 9, 10, 12, 13
        (sh(2026, 9, 30, 15, 0), sh(2026, 10, 13, 15, 0)),
        # During the holiday: counting starts Oct 8 00:00 → five working days later
        (sh(2026, 10, 3, 11, 0), sh(2026, 10, 14, 0, 0)),
        # Mid-Autumn Friday Sep 25 is a holiday: counting starts Monday 28th 00:00;
        # Sep 28, 29, 30, Oct 8, 9 are the five working days → due Oct 10 (an adjusted Saturday) 00:00
        (sh(2026, 9, 25, 9, 0), sh(2026, 10, 10, 0, 0)),
        # Sunday Sep 20 is an adjusted working day: counts from the same time
        (sh(2026, 9, 20, 10, 0), sh(2026, 9, 28, 10, 0)),
        # Friday Feb 13, before Spring Festival: Feb 14 (adjusted Saturday), 24, 25, 26, 27
        (sh(2026, 2, 13, 16, 45), sh(2026, 2, 27, 16, 45)),
        # Spring Festival Eve (Feb 16) is a holiday: starts Feb 24 00:00 → 25, 26, 27, 28, Mar 2
        (sh(2026, 2, 16, 20, 0), sh(2026, 3, 2, 0, 0)),
        # An ordinary week
        (sh(2026, 11, 24, 9, 15), sh(2026, 12, 1, 9, 15)),
        # Saturday in an ordinary week: Monday 00:00 + 5 working days
        (sh(2026, 11, 28, 9, 15), sh(2026, 12, 7, 0, 0)),
    ],
)
def test_result_deadline_worked_examples(created: datetime, due: datetime) -> None:
    deadline = rules.result_deadline(created)
    assert deadline.at == due
    assert not deadline.estimated


def test_result_deadline_uses_shanghai_clock_whatever_the_input_zone() -> None:
    created_utc = datetime(2026, 9, 30, 7, 0, tzinfo=UTC)  # 15:00 in Shanghai
    assert rules.result_deadline(created_utc).at == sh(2026, 10, 13, 15, 0)


def test_deadline_into_2027_is_estimated_until_overrides_declare_the_year() -> None:
    created = sh(2026, 12, 29, 10, 0)
    estimated = rules.result_deadline(created)
    assert estimated.estimated
    assert estimated.at == sh(2027, 1, 5, 10, 0)
    calendar = parse_overrides("2027-01-01 off\nknown 2027\n", source="o.txt")
    official = rules.result_deadline(created, calendar=calendar)
    assert not official.estimated
    assert official.at == sh(2027, 1, 6, 10, 0)  # Dec 30, 31, Jan 4, 5, 6


def test_comment_state_transitions() -> None:
    created = sh(2026, 11, 24, 9, 0)
    sla = rules.comment_sla(created)
    assert rules.comment_state(sla, now=created + timedelta(minutes=59), acked_at=None, done_at=None) is CommentState.PENDING
    assert rules.comment_state(sla, now=created + timedelta(minutes=61), acked_at=None, done_at=None) is CommentState.OVERDUE_ACK
    acked = created + timedelta(minutes=30)
    assert rules.comment_state(sla, now=created + timedelta(days=2), acked_at=acked, done_at=None) is CommentState.ACKED
    late = sla.result_due.at + timedelta(seconds=1)
    assert rules.comment_state(sla, now=late, acked_at=acked, done_at=None) is CommentState.OVERDUE_RESULT
    assert rules.comment_state(sla, now=late, acked_at=acked, done_at=late - timedelta(hours=1)) is CommentState.DONE
    # an acknowledgement recorded after "now" does not count yet (status as of a past instant)
    state = rules.comment_state(sla, now=created + timedelta(hours=2), acked_at=created + timedelta(hours=3), done_at=None)
    assert state is CommentState.OVERDUE_ACK


# -- comment SLA: properties -----------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2004, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(SHANGHAI)
)


@given(instants)
def test_deadline_is_never_on_a_non_working_day(created: datetime) -> None:
    deadline = rules.result_deadline(created)
    assert DEFAULT_CALENDAR.is_workday(deadline.at.astimezone(SHANGHAI).date())
    assert deadline.at > created


@given(instants, instants)
def test_deadline_is_monotonic_in_the_start_time(a: datetime, b: datetime) -> None:
    early, late = sorted((a, b))
    assert rules.result_deadline(early).at <= rules.result_deadline(late).at


@given(instants)
def test_deadline_spans_exactly_five_working_days(created: datetime) -> None:
    due = rules.result_deadline(created).at.astimezone(SHANGHAI).date()
    start = created.astimezone(SHANGHAI).date()
    between = [start + timedelta(days=n) for n in range(1, (due - start).days + 1)]
    assert sum(DEFAULT_CALENDAR.is_workday(d) for d in between) == 5 + (0 if DEFAULT_CALENDAR.is_workday(start) else 1)


@given(instants)
def test_estimated_exactly_when_an_unknown_year_is_crossed(created: datetime) -> None:
    deadline = rules.result_deadline(created)
    years = range(created.astimezone(SHANGHAI).year, deadline.at.astimezone(SHANGHAI).year + 1)
    assert deadline.estimated == any(not DEFAULT_CALENDAR.is_known(date(y, 1, 1)) for y in years)


# -- emergency and lifecycle ------------------------------------------------------------


def test_emergency_clock() -> None:
    activated = sh(2026, 11, 25, 8, 0)
    waiting = rules.emergency_clock(activated, now=sh(2026, 11, 25, 9, 0), first_post_at=None)
    assert not waiting.met and not waiting.missed and waiting.remaining == timedelta(hours=1)
    missed = rules.emergency_clock(activated, now=sh(2026, 11, 25, 10, 1), first_post_at=None)
    assert missed.missed and missed.remaining < timedelta(0)
    met = rules.emergency_clock(activated, now=sh(2026, 11, 25, 12, 0), first_post_at=sh(2026, 11, 25, 9, 59))
    assert met.met and not met.missed
    late = rules.emergency_clock(activated, now=sh(2026, 11, 25, 12, 0), first_post_at=sh(2026, 11, 25, 10, 30))
    assert late.missed and not late.met


def test_lifecycle_findings() -> None:
    posts = [sh(2026, 11, 1), sh(2026, 11, 20)]
    assert rules.lifecycle_findings(AccountStatus.ACTIVE, posts) == []
    assert rules.lifecycle_findings(AccountStatus.CLOSED, posts) == posts
    assert rules.lifecycle_findings(AccountStatus.TO_CLOSE, posts, since=sh(2026, 11, 10)) == [sh(2026, 11, 20)]
