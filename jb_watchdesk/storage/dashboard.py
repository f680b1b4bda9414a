"""Read queries behind the dashboard and ``status``: a few indexed queries for all accounts at once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from jb_watchdesk.storage.codec import from_db, to_db


@dataclass(slots=True)
class AccountActivity:
    """What the store knows about one account's posts and open comments as of an instant."""

    recent_posts: list[datetime] = field(default_factory=list)
    last_post_at: datetime | None = None
    closing_posts: int = 0
    open_comments: list[tuple[datetime, datetime, datetime | None]] = field(default_factory=list)
    """(ack_due, result_due, acked_at) of each comment not yet done."""


def activity(db: Database, *, now: datetime, recent_since: datetime) -> dict[int, AccountActivity]:
    """Posts since ``recent_since``, the last post and the open comments of every account."""
    result: dict[int, AccountActivity] = defaultdict(AccountActivity)
    now_s, since_s = to_db(now), to_db(recent_since)
    for row in db.query(
        """
        SELECT account_id, published_at FROM posts
        WHERE deleted_at IS NULL AND published_at > ? AND published_at <= ?
        """,
        [since_s, now_s],
    ):
        result[row["account_id"]].recent_posts.append(from_db(row["published_at"]))  # type: ignore[arg-type]
    for row in db.query(
        """
        SELECT account_id, MAX(published_at) AS last FROM posts
        WHERE deleted_at IS NULL AND published_at <= ? GROUP BY account_id
        """,
        [now_s],
    ):
        result[row["account_id"]].last_post_at = from_db(row["last"])
    for row in db.query(
        """
        SELECT p.account_id, COUNT(*) AS n FROM posts p JOIN accounts a ON a.id = p.account_id
        WHERE a.status != 'active' AND p.deleted_at IS NULL AND p.published_at <= ?
          AND (a.status_changed_at IS NULL OR p.published_at >= a.status_changed_at)
        GROUP BY p.account_id
        """,
        [now_s],
    ):
        result[row["account_id"]].closing_posts = row["n"]
    for row in db.query(
        """
        SELECT account_id, ack_due, result_due, acked_at FROM comments
        WHERE deleted_at IS NULL AND created_at <= ? AND (done_at IS NULL OR done_at > ?)
        """,
        [now_s, now_s],
    ):
        acked = from_db(row["acked_at"])
        result[row["account_id"]].open_comments.append(
            (from_db(row["ack_due"]), from_db(row["result_due"]), acked if acked and acked <= now else None)  # type: ignore[arg-type]
        )
    return dict(result)


def comments(db: Database, *, now: datetime, open_only: bool, limit: int) -> list[dict]:
    """Comments known as of ``now``, most urgent first (open ones by acknowledgement deadline)."""
    now_s = to_db(now)
    where = "c.deleted_at IS NULL AND c.created_at <= ?"
    params: list[object] = [now_s]
    if open_only:
        where += " AND (c.done_at IS NULL OR c.done_at > ?)"
        params.append(now_s)
    rows = db.query(
        f"""
        SELECT c.*, a.name AS account_name, p.external_id AS post_external_id, p.title AS post_title
        FROM comments c JOIN accounts a ON a.id = c.account_id LEFT JOIN posts p ON p.id = c.post_id
        WHERE {where}
        ORDER BY (c.done_at IS NOT NULL AND c.done_at <= ?), c.ack_due
        LIMIT ?
        """,  # noqa: S608 - the WHERE clause is built from constants
        [*params, now_s, limit],
    )
    return list(rows)


def recent_posts(db: Database, *, account_id: int, limit: int = 100) -> list[dict]:
    """An account's latest posts (deleted ones included, marked), newest first."""
    return list(
        db.query(
            "SELECT id, account_id, title, body, digest, url, published_at, deleted_at, edit_count FROM posts"
            " WHERE account_id = ? ORDER BY published_at DESC LIMIT ?",
            [account_id, limit],
        )
    )


def get_post(db: Database, post_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM posts WHERE id = ?", [post_id]))
    return rows[0] if rows else None


def get_comment(db: Database, comment_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM comments WHERE id = ?", [comment_id]))
    return rows[0] if rows else None
