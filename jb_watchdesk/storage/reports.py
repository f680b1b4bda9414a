"""What the handover and the weekly report read: alerts, comments and posts in a time window.

Each query returns rows of one type of ``domain/reports.py``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from jb_watchdesk.domain.models import AlertState, ItemKind
from jb_watchdesk.domain.reports import (
    AccountPosts,
    CategoryAlerts,
    CommentTimeliness,
    HandledComment,
    UnacknowledgedAlert,
    UnitDayPosts,
    WindowAlert,
)
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.storage.codec import from_db, to_db
from jb_watchdesk.storage.dashboard import COUNTED_POST


def _when(value: str) -> datetime:
    """A NOT NULL time column."""
    when = from_db(value)
    if when is None:
        raise ValueError("a time column that may not be empty was empty")
    return when


def alerts_in_window(db: Database, *, start: datetime, end: datetime) -> list[WindowAlert]:
    """Alerts raised or acknowledged in ``[start, end)``, with the account name."""
    s, e = to_db(start), to_db(end)
    rows = db.execute(
        """
        SELECT al.id, al.account_id, ifnull(a.name, ''), al.item_kind, al.item_id, al.category,
               al.severity, al.rule, al.text, al.context, al.raised_at, al.state, al.ack_by, al.ack_note, al.ack_at
        FROM alerts al LEFT JOIN accounts a ON a.id = al.account_id
        WHERE (al.raised_at >= ? AND al.raised_at < ?) OR (al.ack_at >= ? AND al.ack_at < ?)
        ORDER BY al.raised_at, al.id
        """,
        [s, e, s, e],
    )
    return [
        WindowAlert(
            id=alert_id, account_id=account_id, account_name=name, item_kind=ItemKind(item_kind), item_id=item_id,
            category=category, severity=Severity(severity), rule=rule, text=text, context=context, raised_at=_when(raised_at),
            state=AlertState(state), ack_by=ack_by, ack_note=ack_note, ack_at=from_db(ack_at),
        )
        for (alert_id, account_id, name, item_kind, item_id, category, severity, rule, text, context, raised_at, state,
             ack_by, ack_note, ack_at) in rows.fetchall()
    ]


def unacknowledged_alerts(db: Database, *, now: datetime) -> list[UnacknowledgedAlert]:
    """Alerts raised by ``now`` that nobody had acknowledged or resolved by then."""
    n = to_db(now)
    rows = db.execute(
        """
        SELECT al.id, al.account_id, ifnull(a.name, ''), al.category, al.severity, al.rule, al.text, al.raised_at
        FROM alerts al LEFT JOIN accounts a ON a.id = al.account_id
        WHERE al.raised_at <= ? AND (al.ack_at IS NULL OR al.ack_at > ?)
          AND (al.resolved_at IS NULL OR al.resolved_at > ?)
        ORDER BY al.raised_at, al.id
        """,
        [n, n, n],
    )
    return [
        UnacknowledgedAlert(
            id=alert_id, account_id=account_id, account_name=name, category=category, severity=Severity(severity),
            rule=rule, text=text, raised_at=_when(raised_at),
        )
        for alert_id, account_id, name, category, severity, rule, text, raised_at in rows.fetchall()
    ]


def comments_acknowledged(db: Database, *, start: datetime, end: datetime) -> list[HandledComment]:
    """Comments acknowledged or finished in ``[start, end)``."""
    s, e = to_db(start), to_db(end)
    rows = db.execute(
        """
        SELECT c.id, c.account_id, ifnull(a.name, ''), c.author, c.text, c.created_at,
               c.ack_due, c.acked_at, c.acked_by, c.ack_note, c.result_due, c.done_at, c.done_by, c.done_note
        FROM comments c LEFT JOIN accounts a ON a.id = c.account_id
        WHERE c.deleted_at IS NULL AND ((c.acked_at >= ? AND c.acked_at < ?) OR (c.done_at >= ? AND c.done_at < ?))
        ORDER BY coalesce(c.acked_at, c.done_at), c.id
        """,
        [s, e, s, e],
    )
    return [
        HandledComment(
            id=comment_id, account_id=account_id, account_name=name, author=author, text=text, created_at=_when(created_at),
            ack_due=_when(ack_due), acked_at=from_db(acked_at), acked_by=acked_by, ack_note=ack_note,
            result_due=_when(result_due), done_at=from_db(done_at), done_by=done_by, done_note=done_note,
        )
        for (comment_id, account_id, name, author, text, created_at, ack_due, acked_at, acked_by, ack_note, result_due,
             done_at, done_by, done_note) in rows.fetchall()
    ]


def posts_per_day_per_unit(db: Database, *, start: datetime, end: datetime) -> list[UnitDayPosts]:
    """Posts per unit and Shanghai date, for posts published in ``[start, end)``.

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
    return [UnitDayPosts(unit=str(unit), day=date.fromisoformat(day), posts=int(n)) for unit, day, n in rows.fetchall()]


def posts_per_account(db: Database, *, start: datetime, end: datetime) -> list[AccountPosts]:
    """Posts per account published in ``[start, end)``; accounts without any are left out."""
    rows = db.execute(
        f"SELECT account_id, COUNT(*) FROM posts WHERE {COUNTED_POST} AND published_at >= ? AND published_at < ?"  # noqa: S608
        " GROUP BY account_id ORDER BY account_id",
        [to_db(start), to_db(end)],
    )
    return [AccountPosts(account_id=int(account_id), posts=int(n)) for account_id, n in rows.fetchall()]


def comment_timeliness(db: Database, *, start: datetime, end: datetime, now: datetime) -> list[CommentTimeliness]:
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
        GROUP BY account_id ORDER BY account_id
        """,
        [n, n, n, n, n, n, to_db(start), to_db(end), n],
    )
    return [
        CommentTimeliness(
            account_id=int(account_id), total=int(total), ack_on_time=int(ack_ok or 0), ack_late=int(ack_late or 0),
            result_on_time=int(done_ok or 0), result_late=int(done_late or 0), result_overdue=int(result_overdue or 0),
        )
        for account_id, total, ack_ok, ack_late, done_ok, done_late, result_overdue in rows.fetchall()
    ]


def alerts_by_category(db: Database, *, start: datetime, end: datetime) -> list[CategoryAlerts]:
    """Alerts raised in ``[start, end)`` per account and category."""
    rows = db.execute(
        "SELECT account_id, category, COUNT(*) FROM alerts WHERE raised_at >= ? AND raised_at < ?"
        " GROUP BY account_id, category ORDER BY account_id, category",
        [to_db(start), to_db(end)],
    )
    return [CategoryAlerts(account_id=int(a), category=str(c), alerts=int(n)) for a, c, n in rows.fetchall()]
