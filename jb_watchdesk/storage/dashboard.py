"""Read queries behind the dashboard and ``status``: a few indexed queries for all accounts at once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from jb_watchdesk.domain.models import ItemKind, ItemText, Visibility
from jb_watchdesk.storage.codec import from_db, to_db


@dataclass(slots=True)
class AccountActivity:
    """What the store knows about one account's posts and open comments as of an instant."""

    posts_7d: int = 0
    """Public posts with a known date published after ``now - 7 days`` (and not after ``now``)."""
    posts_this_week: int = 0
    """Posts published since Monday 00:00 Asia/Shanghai of ``now``'s week."""
    last_post_at: datetime | None = None
    closing_posts: int = 0
    open_comments: int = 0
    """Comments not done as of the instant (``rules.comment_state`` is not ``DONE``)."""
    overdue_ack: int = 0
    """Of those, the ones ``rules.comment_state`` calls ``OVERDUE_ACK``."""
    overdue_result: int = 0
    """Of those, the ones ``rules.comment_state`` calls ``OVERDUE_RESULT``."""


COUNTED_POST = "deleted_at IS NULL AND date_estimated = 0 AND visibility = 'public'"
"""The posts that count (§3.3 freshness, the weekly report, closing accounts' posts, emergencies):
public, not deleted, with a date the source gave. A predicate over ``posts`` without an alias."""


def activity(db: Database, *, now: datetime, week_start: datetime) -> dict[int, AccountActivity]:
    """Post counts for the last 7 days and this week, the last post and the open comments of every account.

    Every question is answered from an index, never by reading all posts or all comments: the
    dashboard asks this on every refresh, over databases of a million posts and comments.
    """
    result: dict[int, AccountActivity] = defaultdict(AccountActivity)
    now_s = to_db(now)
    seven_s, week_s = to_db(now - timedelta(days=7)), to_db(week_start)
    # Counted in SQL on to_db text (its order is time order): handing over every recent
    # timestamp to count it in Python cost more than the query.
    for row in db.query(
        """
        SELECT account_id, SUM(published_at > ?) AS n7, SUM(published_at >= ?) AS nweek
        FROM posts INDEXED BY posts_counted_published
        WHERE deleted_at IS NULL AND date_estimated = 0 AND visibility = 'public'
          AND published_at > ? AND published_at <= ?
        GROUP BY account_id
        """,
        [seven_s, week_s, min(seven_s, week_s), now_s],
    ):
        found = result[row["account_id"]]
        found.posts_7d, found.posts_this_week = int(row["n7"]), int(row["nweek"])
    # One backwards step along (account_id, published_at) per account, instead of a MAX over
    # every post; deleted, hidden and undated posts are skipped on the way: an estimated date
    # (the day the desk first saw an undated item) must never make an account look fresh.
    for row in db.query(
        """
        SELECT a.id AS account_id, (
            SELECT p.published_at FROM posts p
            WHERE p.account_id = a.id AND p.published_at <= ? AND p.deleted_at IS NULL
              AND p.date_estimated = 0 AND p.visibility = 'public'
            ORDER BY p.published_at DESC LIMIT 1
        ) AS last
        FROM accounts a
        """,
        [now_s],
    ):
        if row["last"] is not None:
            result[row["account_id"]].last_post_at = from_db(row["last"])
    # Only accounts being closed count; each one's posts since its status changed, by index range.
    for row in db.query(
        """
        SELECT a.id AS account_id, (
            SELECT COUNT(*) FROM posts p
            WHERE p.account_id = a.id AND p.deleted_at IS NULL AND p.date_estimated = 0 AND p.visibility = 'public'
              AND p.published_at >= COALESCE(a.status_changed_at, '') AND p.published_at <= ?
        ) AS n
        FROM accounts a WHERE a.status != 'active'
        """,
        [now_s],
    ):
        if row["n"]:
            result[row["account_id"]].closing_posts = row["n"]
    # Open comments are counted here rather than returned one by one: tens of thousands of rows
    # would cost more to hand over than to classify. The CASEs are ``rules.comment_state`` with
    # ``done_at`` unset, on ``to_db`` text, whose order is time order: past the result deadline
    # first, then acknowledged by ``now``, then past the acknowledgement deadline.
    for row in db.query(
        f"""
        SELECT account_id, COUNT(*) AS open,
            SUM(result_due < :now) AS overdue_result,
            SUM(result_due >= :now AND (acked_at IS NULL OR acked_at > :now) AND ack_due < :now) AS overdue_ack
        FROM (
            SELECT account_id, ack_due, result_due, acked_at FROM comments INDEXED BY comments_open_deadlines
            WHERE {_OPEN_UNFINISHED}
            UNION ALL
            SELECT account_id, ack_due, result_due, acked_at FROM comments WHERE {_OPEN_DONE_LATER}
        )
        GROUP BY account_id
        """,  # noqa: S608 - constant fragments
        {"now": now_s},
    ):
        counts = result[row["account_id"]]
        counts.open_comments, counts.overdue_ack, counts.overdue_result = row["open"], row["overdue_ack"], row["overdue_result"]
    return dict(result)


# A comment is open as of ``now`` when it is not deleted, was made by ``now`` and is not done by
# ``now``: either not done at all (the partial indexes' rows) or done only after ``now`` (a past
# instant asked for with ``--now``; read through ``comments_done_at``).
_OPEN_UNFINISHED = "deleted_at IS NULL AND done_at IS NULL AND created_at <= :now"
_OPEN_DONE_LATER = "deleted_at IS NULL AND done_at > :now AND created_at <= :now"


# What a row of the comment queue shows; the text of notes and the post are read on demand.
_COMMENT_COLUMNS = ", ".join(
    f"c.{name}"
    for name in (
        "id", "account_id", "post_id", "external_id", "author", "text", "created_at", "ack_due", "result_due",
        "result_due_estimated", "acked_at", "acked_by", "done_at", "done_by", "deleted_at",
    )
)  # fmt: skip


# The deadline a comment waits on next: its result once an officer acknowledged it (as of
# ``:now``), its acknowledgement before that. The queue sorts by it, so an acknowledged comment
# whose result is due in hours stays above comments with days left.
_NEXT_DUE = "CASE WHEN acked_at IS NOT NULL AND acked_at <= :now THEN result_due ELSE ack_due END"


def comments(db: Database, *, now: datetime, open_only: bool, limit: int) -> list[dict[str, Any]]:
    """Comments known as of ``now``, most urgent first: open ones by the next deadline that
    applies (overdue ones, whose deadline has passed, come first), finished ones last.

    Each row has the comment's queue columns and ``account_name``.
    """
    now_s = to_db(now)
    select = f"SELECT {_COMMENT_COLUMNS}, a.name AS account_name FROM comments c JOIN accounts a ON a.id = c.account_id"  # noqa: S608
    if open_only:
        rows = db.query(
            f"""
            WITH queue (id, next_due) AS (
                SELECT id, {_NEXT_DUE} FROM comments WHERE {_OPEN_UNFINISHED}
                UNION ALL
                SELECT id, {_NEXT_DUE} FROM comments WHERE {_OPEN_DONE_LATER}
            )
            {select} JOIN queue q ON q.id = c.id
            ORDER BY q.next_due, c.id
            LIMIT :limit
            """,  # noqa: S608 - constant fragments
            {"now": now_s, "limit": limit},
        )
        return list(rows)
    rows = db.query(
        f"""
        {select}
        WHERE c.deleted_at IS NULL AND c.created_at <= :now
        ORDER BY (c.done_at IS NOT NULL AND c.done_at <= :now),
                 CASE WHEN c.acked_at IS NOT NULL AND c.acked_at <= :now THEN c.result_due ELSE c.ack_due END, c.id
        LIMIT :limit
        """,  # noqa: S608 - constant fragments
        {"now": now_s, "limit": limit},
    )
    return list(rows)


def _post_text(row: dict[str, Any]) -> ItemText:
    return ItemText(
        kind=ItemKind.POST,
        id=row["id"],
        title=row["title"] or "",
        body=row["body"] or row["digest"] or "",
        url=row["url"] or "",
        published_at=from_db(row["published_at"]),
        date_estimated=bool(row["date_estimated"]),
        visibility=Visibility(row["visibility"]),
        deleted=row["deleted_at"] is not None,
    )


def item_text(db: Database, *, kind: ItemKind, item_id: int) -> ItemText | None:
    """A post or a comment as the viewer shows it; None when it is not stored."""
    if kind is ItemKind.POST:
        rows = list(db.query("SELECT * FROM posts WHERE id = ?", [item_id]))
        return _post_text(rows[0]) if rows else None
    if kind is ItemKind.COMMENT:
        rows = list(db.query("SELECT id, text, created_at, deleted_at FROM comments WHERE id = ?", [item_id]))
        if not rows:
            return None
        row = rows[0]
        return ItemText(
            kind=kind, id=row["id"], title="", body=row["text"] or "", published_at=from_db(row["created_at"]),
            deleted=row["deleted_at"] is not None,
        )
    return None


def latest_post(db: Database, *, account_id: int) -> ItemText | None:
    """An account's newest stored post (deleted ones included, marked)."""
    rows = list(db.query("SELECT * FROM posts WHERE account_id = ? ORDER BY published_at DESC, id DESC LIMIT 1", [account_id]))
    return _post_text(rows[0]) if rows else None
