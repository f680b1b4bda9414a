"""The comment queue sorts by the deadline each comment waits on next: acknowledgement, then result."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jb_watchdesk.domain.models import AccountSpec, CommentState, Platform
from jb_watchdesk.services import comments
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Shanghai


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(None) as s:
        s.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.RSS, source="https://f/1")], now=NOW - timedelta(days=30))
        yield s


def add_comment(store: Store, name: str, *, ack_due: datetime, result_due: datetime, created: datetime | None = None) -> int:
    created = created or NOW - timedelta(hours=1)

    def insert(db) -> int:  # type: ignore[no-untyped-def]
        with db.atomic():
            cursor = db.execute(
                "INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due,"
                " first_seen_at, updated_at) VALUES (1, ?, '王小明', ?, ?, ?, ?, ?, ?)",
                [name, name, to_db(created), to_db(ack_due), to_db(result_due), to_db(created), to_db(created)],
            )
        return int(cursor.lastrowid)

    return store.call(insert)


def queue(store: Store, *, now: datetime = NOW, pending_only: bool = True, limit: int = 10_000) -> list[str]:
    return [row.text for row in comments.list_comments(store, now=now, pending_only=pending_only, limit=limit)]


def test_an_acknowledged_comment_due_in_hours_stays_above_comments_with_days_left(store: Store) -> None:
    soon = add_comment(store, "result in 5 hours", ack_due=NOW + timedelta(hours=1), result_due=NOW + timedelta(hours=5))
    add_comment(store, "ack in 2 days", ack_due=NOW + timedelta(days=2), result_due=NOW + timedelta(days=6))
    add_comment(store, "ack in 3 hours", ack_due=NOW + timedelta(hours=3), result_due=NOW + timedelta(days=6))
    assert queue(store) == ["result in 5 hours", "ack in 3 hours", "ack in 2 days"]

    comments.acknowledge(store, soon, officer="张三", note="已回复：正在办理", now=NOW)

    rows = comments.list_comments(store, now=NOW, pending_only=True)
    assert [(r.text, r.state, r.next_due) for r in rows] == [
        ("ack in 3 hours", CommentState.PENDING, NOW + timedelta(hours=3)),
        ("result in 5 hours", CommentState.ACKED, NOW + timedelta(hours=5)),
        ("ack in 2 days", CommentState.PENDING, NOW + timedelta(days=2)),
    ]


def test_overdue_comments_come_first_most_overdue_first(store: Store) -> None:
    add_comment(store, "pending", ack_due=NOW + timedelta(minutes=10), result_due=NOW + timedelta(days=6))
    late_result = add_comment(store, "result late", ack_due=NOW - timedelta(days=3), result_due=NOW - timedelta(hours=2),
                              created=NOW - timedelta(days=4))
    add_comment(store, "ack late", ack_due=NOW - timedelta(hours=1), result_due=NOW + timedelta(days=6))
    comments.acknowledge(store, late_result, officer="张三", note="已受理", now=NOW - timedelta(days=3, hours=1))
    rows = comments.list_comments(store, now=NOW, pending_only=True)
    assert [(r.text, r.state) for r in rows] == [
        ("result late", CommentState.OVERDUE_RESULT),
        ("ack late", CommentState.OVERDUE_ACK),
        ("pending", CommentState.PENDING),
    ]


def test_the_limit_keeps_the_most_urgent_comments(store: Store) -> None:
    """The cut at ``limit`` happens in SQL: it must keep the acknowledged comment whose result is near."""
    for n in range(5):
        add_comment(store, f"ack in {n + 2} days", ack_due=NOW + timedelta(days=n + 2), result_due=NOW + timedelta(days=9))
    urgent = add_comment(store, "result in 5 hours", ack_due=NOW + timedelta(days=1), result_due=NOW + timedelta(hours=5))
    comments.acknowledge(store, urgent, officer="张三", note="已受理", now=NOW)
    assert queue(store, limit=2) == ["result in 5 hours", "ack in 2 days"]


def test_the_full_list_puts_finished_comments_last(store: Store) -> None:
    finished = add_comment(store, "done", ack_due=NOW - timedelta(days=1), result_due=NOW - timedelta(hours=20),
                           created=NOW - timedelta(days=2))
    comments.acknowledge(store, finished, officer="张三", note="已受理", now=NOW - timedelta(days=2))
    comments.mark_done(store, finished, officer="张三", note="已办结", now=NOW - timedelta(days=1, hours=12))
    add_comment(store, "open", ack_due=NOW + timedelta(days=3), result_due=NOW + timedelta(days=6))
    assert queue(store, pending_only=False) == ["open", "done"]
    assert queue(store) == ["open"]
    assert comments.list_comments(store, now=NOW, pending_only=False)[1].next_due is None


def test_the_json_row_names_its_next_deadline(store: Store) -> None:
    add_comment(store, "one", ack_due=NOW + timedelta(hours=3), result_due=NOW + timedelta(days=6))
    [row] = comments.list_comments(store, now=NOW, pending_only=True)
    assert row.to_json()["next_due"] == (NOW + timedelta(hours=3)).isoformat()


deadlines = st.lists(
    st.tuples(
        st.integers(min_value=-72, max_value=200),  # ack_due, hours from now
        st.integers(min_value=1, max_value=300),  # result_due, hours after ack_due
        st.sampled_from(["open", "acked", "acked_later"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40)
@given(deadlines, st.integers(min_value=1, max_value=12))
def test_the_queue_is_ordered_by_next_deadline_and_cut_at_the_most_urgent(
    rows: list[tuple[int, int, str]], limit: int
) -> None:
    """Property: each row's next deadline is never earlier than the one above it, and the SQL cut
    at ``limit`` keeps exactly the ``limit`` most urgent of the whole queue."""
    with Store(None) as store:
        store.call(apply_register, [AccountSpec(name="a", platform=Platform.RSS, source="https://f/1")], now=NOW - timedelta(days=30))
        for n, (ack_hours, result_hours, acked) in enumerate(rows):
            ack_due = NOW + timedelta(hours=ack_hours)
            comment = add_comment(store, f"c{n}", ack_due=ack_due, result_due=ack_due + timedelta(hours=result_hours),
                                  created=NOW - timedelta(days=4))
            if acked != "open":
                at = NOW - timedelta(minutes=5) if acked == "acked" else NOW + timedelta(hours=1)  # after "now": not yet
                comments.acknowledge(store, comment, officer="张三", note="已受理", now=at)
        everything = comments.list_comments(store, now=NOW, pending_only=True)
        cut = comments.list_comments(store, now=NOW, pending_only=True, limit=limit)
    dues = [r.next_due for r in everything]
    assert all(d is not None for d in dues)
    assert dues == sorted(dues)  # type: ignore[type-var]
    assert [r.id for r in cut] == [r.id for r in everything[:limit]]
    for row, (_, _, acked) in zip(sorted(everything, key=lambda r: r.id), rows, strict=True):
        assert row.next_due == (row.result_due if acked == "acked" else row.ack_due)
        assert (row.acked_at is not None) == (acked == "acked")  # an acknowledgement after "now" is not shown
