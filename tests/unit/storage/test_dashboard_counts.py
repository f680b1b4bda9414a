"""The dashboard counts posts in SQL; the counts must be exactly what the rules count in Python."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from jb_watchdesk.domain import rules
from jb_watchdesk.domain.models import AccountSpec, Platform, Visibility
from jb_watchdesk.services.status import account_status
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai

offsets = st.lists(
    st.tuples(st.integers(min_value=-20 * 86_400, max_value=3_600), st.booleans(), st.sampled_from(list(Visibility))),
    max_size=40,
)


@settings(max_examples=60)
@given(offsets, st.booleans())
def test_sql_counts_match_the_rules(posts: list[tuple[int, bool, Visibility]], polled: bool) -> None:
    """Only public posts with a known date count: an estimated date never makes an account look fresh."""
    times = [NOW + timedelta(seconds=s) for s, _, _ in posts]
    with Store(None) as store:
        store.call(apply_register, [AccountSpec(name="a", platform=Platform.RSS, source="https://x/feed")], now=NOW)

        def seed(db) -> None:  # type: ignore[no-untyped-def]
            if polled:
                db.execute("UPDATE accounts SET first_polled_at = ?", [to_db(NOW - timedelta(days=30))])
            for n, (when, (_, estimated, visibility)) in enumerate(zip(times, posts, strict=True)):
                db.execute(
                    "INSERT INTO posts (account_id, external_id, published_at, first_seen_at, updated_at,"
                    " date_estimated, visibility) VALUES (1, ?, ?, ?, ?, ?, ?)",
                    [f"p{n}", to_db(when), to_db(NOW), to_db(NOW), int(estimated), visibility.value],
                )

        store.call(seed)
        row = account_status(store, now=NOW)[0]
    # posts after "now" are not known yet as of "now"
    counted = [t for t, (_, estimated, visibility) in zip(times, posts, strict=True) if not estimated and visibility is Visibility.PUBLIC]
    expected = rules.freshness(
        [t for t in counted if t <= NOW], now=NOW, observed_since=NOW - timedelta(days=30) if polled else None
    )
    assert (row.posts_7d, row.posts_this_week, row.last_post_at, row.days_silent, row.freshness) == (
        expected.posts_7d, expected.posts_this_week, expected.last_post_at, expected.days_silent, expected.state
    )  # fmt: skip
