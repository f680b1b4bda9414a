"""Freshness from officers' readings: ``rules.reading_counts`` never claims more posts than the readings show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from jb_watchdesk.domain import rules
from jb_watchdesk.domain.models import Freshness
from jb_watchdesk.domain.rules import ManualReading, reading_counts

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # Friday 10:00 Shanghai; Monday 00:00 is 11-23 16:00 UTC
MONDAY = rules.week_start(NOW)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def test_no_readings_know_nothing() -> None:
    assert reading_counts([], now=NOW) == rules.ReadingCounts(0, 0, None)


def test_a_first_reading_counts_the_posts_of_the_week_before_it() -> None:
    first = ManualReading(recorded_at=NOW - HOUR, latest_post_at=NOW - 5 * HOUR, posts_seen=4)
    counts = reading_counts([first], now=NOW)
    assert counts.posts_7d == 4
    assert counts.last_post_at == NOW - 5 * HOUR
    # the first reading's week began before Monday: only its latest post is known to be this week's
    assert counts.posts_this_week == 1


def test_readings_each_shift_add_up() -> None:
    readings = [
        ManualReading(recorded_at=NOW - 3 * DAY, latest_post_at=NOW - 3 * DAY - HOUR, posts_seen=1),
        ManualReading(recorded_at=NOW - 2 * DAY, latest_post_at=NOW - 2 * DAY - HOUR, posts_seen=2),
        ManualReading(recorded_at=NOW - DAY, latest_post_at=NOW - 2 * DAY - HOUR, posts_seen=0),
        ManualReading(recorded_at=NOW - HOUR, latest_post_at=NOW - 2 * HOUR, posts_seen=1),
    ]
    counts = reading_counts(readings, now=NOW)
    # 1 (the first reading's interval starts 10 days back: only its latest post) + 2 + 0 + 1
    assert counts.posts_7d == 4
    assert counts.last_post_at == NOW - 2 * HOUR
    # since Monday 00:00 (4 days 10 hours ago): the first interval starts before it (its latest
    # post only), the second and fourth lie inside
    assert counts.posts_this_week == 1 + 2 + 1


def test_a_long_gap_between_readings_counts_only_the_latest_post() -> None:
    readings = [
        ManualReading(recorded_at=NOW - 20 * DAY, latest_post_at=NOW - 20 * DAY, posts_seen=3),
        ManualReading(recorded_at=NOW - HOUR, latest_post_at=NOW - 2 * HOUR, posts_seen=9),
    ]
    # the 9 posts may lie anywhere in the last 20 days: one is known to be in the last 7
    assert reading_counts(readings, now=NOW).posts_7d == 1


def test_a_reading_without_a_count_counts_a_new_latest_post_once() -> None:
    readings = [
        ManualReading(recorded_at=NOW - DAY, latest_post_at=NOW - DAY - HOUR, posts_seen=None),
        ManualReading(recorded_at=NOW - 2 * HOUR, latest_post_at=NOW - DAY - HOUR, posts_seen=None),
        ManualReading(recorded_at=NOW - HOUR, latest_post_at=NOW - 3 * HOUR, posts_seen=0),
    ]
    assert reading_counts(readings, now=NOW).posts_7d == 2


def test_the_window_ends_at_the_latest_reading_and_silence_grows_with_now() -> None:
    reading = ManualReading(recorded_at=NOW, latest_post_at=NOW - HOUR, posts_seen=3)
    later = NOW + 8 * DAY
    counts = reading_counts([reading], now=later)
    assert counts.posts_7d == 3
    report = rules.judge_freshness(
        posts_7d=counts.posts_7d, posts_this_week=counts.posts_this_week, last_post_at=counts.last_post_at,
        now=later, observed_since=NOW,
    )
    assert report.state is Freshness.WARN and report.reasons == ("silent_7d",)


def test_readings_after_now_are_ignored_and_future_posts_count_as_now() -> None:
    readings = [
        ManualReading(recorded_at=NOW - HOUR, latest_post_at=NOW + HOUR, posts_seen=2),
        ManualReading(recorded_at=NOW + HOUR, latest_post_at=NOW + HOUR, posts_seen=50),
    ]
    counts = reading_counts(readings, now=NOW)
    assert counts.posts_7d == 2 and counts.last_post_at == NOW


_READINGS = st.lists(
    st.tuples(st.integers(0, 40 * 24), st.integers(0, 24 * 10), st.one_of(st.none(), st.integers(0, 20))), max_size=8
)


@given(_READINGS)
def test_readings_never_claim_more_posts_than_they_state(raw: list[tuple[int, int, int | None]]) -> None:
    """Whatever the readings, the counts are at most the posts they state (or one per new latest post)."""
    readings = sorted(
        (ManualReading(NOW - h * HOUR, NOW - h * HOUR - age * HOUR, seen) for h, age, seen in raw), key=lambda r: r.recorded_at
    )
    counts = reading_counts(readings, now=NOW)
    stated = sum(max(r.posts_seen or 0, 1) for r in readings)
    assert 0 <= counts.posts_this_week <= stated
    assert 0 <= counts.posts_7d <= stated
    if readings:
        assert counts.last_post_at == max(r.latest_post_at for r in readings)
