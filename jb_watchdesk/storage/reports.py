"""What the handover and the weekly report read: alerts, comments and posts in a time window."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.dashboard import COUNTED_POST


def alerts_in_window(db: Database, *, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Alerts raised or acknowledged in ``[start, end)``, with the account name."""
    s, e = to_db(start), to_db(end)
    return list(
        db.query(
            """
            SELECT al.id, al.account_id, ifnull(a.name, '') AS account_name, al.item_kind, al.item_id, al.category,
                   al.severity, al.rule, al.text, al.context, al.raised_at, al.state, al.ack_by, al.ack_note, al.ack_at
            FROM alerts al LEFT JOIN accounts a ON a.id = al.account_id
            WHERE (al.raised_at >= ? AND al.raised_at < ?) OR (al.ack_at >= ? AND al.ack_at < ?)
            ORDER BY al.raised_at, al.id
            """,
            [s, e, s, e],
        )
    )


def unacknowledged_alerts(db: Database, *, now: datetime) -> list[dict[str, Any]]:
    """Alerts raised by ``now`` that nobody had acknowledged or resolved by then."""
    n = to_db(now)
    return list(
        db.query(
            """
            SELECT al.id, al.account_id, ifnull(a.name, '') AS account_name, al.category, al.severity, al.rule,
                   al.text, al.raised_at
            FROM alerts al LEFT JOIN accounts a ON a.id = al.account_id
            WHERE al.raised_at <= ? AND (al.ack_at IS NULL OR al.ack_at > ?)
              AND (al.resolved_at IS NULL OR al.resolved_at > ?)
            ORDER BY al.raised_at, al.id
            """,
            [n, n, n],
        )
    )


def comments_acknowledged(db: Database, *, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Comments acknowledged or finished in ``[start, end)``."""
    s, e = to_db(start), to_db(end)
    return list(
        db.query(
            """
            SELECT c.id, c.account_id, ifnull(a.name, '') AS account_name, c.author, c.text, c.created_at,
                   c.ack_due, c.acked_at, c.acked_by, c.ack_note, c.result_due, c.done_at, c.done_by, c.done_note
            FROM comments c LEFT JOIN accounts a ON a.id = c.account_id
            WHERE c.deleted_at IS NULL AND ((c.acked_at >= ? AND c.acked_at < ?) OR (c.done_at >= ? AND c.done_at < ?))
            ORDER BY coalesce(c.acked_at, c.done_at), c.id
            """,
            [s, e, s, e],
        )
    )


def posts_per_day_per_unit(db: Database, *, start: datetime, end: datetime) -> list[tuple[str, str, int]]:
    """(unit, Shanghai date, posts) for posts published in ``[start, end)``.

    China has kept UTC+8 without daylight saving since 1991, so '+8 hours' is the Shanghai date.
    """
    rows = db.execute(
        """
        SELECT ifnull(nullif(a.unit, ''), a.name), date(p.published_at, '+8 hours'), COUNT(*)
        FROM posts p JOIN accounts a ON a.id = p.account_id
        WHERE p.deleted_at IS NULL AND p.date_estimated = 0 AND p.visibility = 'public'
          AND p.published_at >= ? AND p.published_at < ?
        GROUP BY 1, 2 ORDER BY 1, 2
        """,
        [to_db(start), to_db(end)],
    )
    return [(str(u), str(d), int(n)) for u, d, n in rows.fetchall()]


def posts_per_account(db: Database, *, start: datetime, end: datetime) -> dict[int, int]:
    rows = db.execute(
        f"SELECT account_id, COUNT(*) FROM posts WHERE {COUNTED_POST} AND published_at >= ? AND published_at < ?"  # noqa: S608
        " GROUP BY account_id",
        [to_db(start), to_db(end)],
    )
    return {int(a): int(n) for a, n in rows.fetchall()}


def comment_timeliness(db: Database, *, start: datetime, end: datetime, now: datetime) -> dict[int, dict[str, int]]:
    """Per account, for comments received in ``[start, end)`` as known at ``now``: how many were
    acknowledged within 1 hour, late, or not yet; how many results were given on time, late, or not yet.
    """
    n = to_db(now)
    rows = db.execute(
        """
        SELECT account_id,
               COUNT(*),
               SUM(acked_at IS NOT NULL AND acked_at <= ? AND acked_at <= ack_due),
               SUM(acked_at IS NOT NULL AND acked_at <= ? AND acked_at > ack_due),
               SUM(done_at IS NOT NULL AND done_at <= ? AND done_at <= result_due),
               SUM(done_at IS NOT NULL AND done_at <= ? AND done_at > result_due),
               SUM((done_at IS NULL OR done_at > ?) AND result_due < ?)
        FROM comments
        WHERE deleted_at IS NULL AND created_at >= ? AND created_at < ? AND created_at <= ?
        GROUP BY account_id
        """,
        [n, n, n, n, n, n, to_db(start), to_db(end), n],
    )
    result: dict[int, dict[str, int]] = {}
    for account_id, total, ack_ok, ack_late, done_ok, done_late, result_overdue in rows.fetchall():
        result[int(account_id)] = {
            "total": int(total),
            "ack_on_time": int(ack_ok or 0),
            "ack_late": int(ack_late or 0),
            "result_on_time": int(done_ok or 0),
            "result_late": int(done_late or 0),
            "result_overdue": int(result_overdue or 0),
        }
    return result


def alerts_by_category(db: Database, *, start: datetime, end: datetime) -> list[tuple[int, str, int]]:
    """(account id, category, alerts raised in ``[start, end)``)."""
    rows = db.execute(
        "SELECT account_id, category, COUNT(*) FROM alerts WHERE raised_at >= ? AND raised_at < ?"
        " GROUP BY account_id, category ORDER BY account_id, category",
        [to_db(start), to_db(end)],
    )
    return [(int(a), str(c), int(n)) for a, c, n in rows.fetchall()]
