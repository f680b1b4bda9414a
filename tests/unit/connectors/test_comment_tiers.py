"""Which posts' comments a comment cycle reads: 30 days of posts, young ones most often."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from jb_watchdesk.connectors.base import FetchedPost
from jb_watchdesk.connectors.fetching import COMMENT_HORIZON, FetchState, comment_every

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def post(external_id: str, *, days: float) -> FetchedPost:
    return FetchedPost(
        external_id=external_id, title="t", body="b", digest="", url="", published_at=NOW - timedelta(days=days)
    )


def test_the_window_is_a_month_and_tiers_slow_down_with_age() -> None:
    assert COMMENT_HORIZON >= timedelta(days=30)
    assert comment_every(timedelta(hours=1)) == 1
    assert comment_every(timedelta(days=2)) == 1
    assert comment_every(timedelta(days=5)) == 3
    assert comment_every(timedelta(days=14)) == 12
    assert comment_every(timedelta(days=30)) == 12
    assert comment_every(timedelta(days=31)) is None


def test_the_first_round_reads_every_post_then_each_by_its_tier() -> None:
    state = FetchState()
    ages = {"young": 0.5, "week": 5, "fortnight": 14, "month": 29, "old": 35}
    state.remember([post(k, days=v) for k, v in ages.items()], now=NOW)

    first = state.comment_round(now=NOW)
    reads = Counter(post_id for _ in range(36) for post_id in state.comment_round(now=NOW))

    assert first == ["young", "week", "fortnight", "month"]  # newest first, nothing beyond 30 days
    assert reads == {"young": 36, "week": 12, "fortnight": 3, "month": 3}


def test_a_poll_that_reads_only_new_posts_keeps_the_month() -> None:
    state = FetchState()
    state.remember([post("two_weeks", days=14)], now=NOW)
    assert state.post_horizon(now=NOW) == NOW - timedelta(days=21)

    state.remember([post("new", days=0)], now=NOW)  # a since_id poll sees only the new one

    assert set(state.recent_posts) == {"two_weeks", "new"}


def test_the_first_poll_reads_back_over_the_whole_window() -> None:
    assert FetchState().post_horizon(now=NOW) <= NOW - COMMENT_HORIZON


def test_older_posts_spread_over_the_cycles() -> None:
    state = FetchState()
    state.remember([post(f"p{n}", days=10 + n % 15) for n in range(120)], now=NOW)
    state.comment_round(now=NOW)

    per_round = [len(state.comment_round(now=NOW)) for _ in range(12)]

    assert sum(per_round) == 120 and max(per_round) < 30  # not all on one cycle
