"""What a connector remembers between polls, and how a failed poll gives it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind, FetchedPost
from jb_watchdesk.connectors.fetching import FetchState

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def post(external_id: str, *, days_ago: float) -> FetchedPost:
    return FetchedPost(
        external_id=external_id, title="t", body="", digest="", url="", published_at=NOW - timedelta(days=days_ago)
    )


def test_a_snapshot_is_what_the_state_was_whatever_the_fetch_did_after() -> None:
    state = FetchState(since_id="100", etag='"a"')
    state.remember([post("old", days_ago=20)], now=NOW)
    before = state.snapshot()
    state.since_id, state.etag = "200", '"b"'
    state.remember([post("new", days_ago=0.1)], now=NOW)
    state.comment_round(now=NOW)
    state.owe_comments(["new"])
    assert (before.since_id, before.etag, before.comment_rounds) == ("100", '"a"', 0)
    assert set(before.recent_posts) == {"old"} and before.comments_owed == set()


def test_a_post_whose_comments_could_not_be_read_is_read_at_the_next_round_whatever_its_tier() -> None:
    state = FetchState()
    state.remember([post("month-old", days_ago=25), post("fresh", days_ago=0.5)], now=NOW)
    assert set(state.comment_round(now=NOW)) == {"month-old", "fresh"}  # the first round reads everything
    # a 25-day-old post is read every 12th round; a failed read must not wait that long
    later = [state.comment_round(now=NOW) for _ in range(11)]
    assert sum("month-old" in chosen for chosen in later) <= 1
    state.owe_comments(["month-old"])
    assert "month-old" in state.comment_round(now=NOW)
    assert state.comments_owed == set()


def test_a_round_that_a_quota_pause_skips_is_owed_to_the_round_after_the_pause() -> None:
    state = FetchState()
    state.remember([post("p1", days_ago=10)], now=NOW)
    state.comment_round(now=NOW)
    quota = ConnectorError(ErrorKind.QUOTA, "daily quota used up", code="wechat.45009")
    state.pause_comments(quota, until=NOW + timedelta(hours=1))
    skipped = [state.comment_round(now=NOW) for _ in range(12)]
    assert ["p1"] in skipped and state.comments_owed == {"p1"}
    assert state.comment_round(now=NOW + timedelta(hours=2)) == ["p1"]
