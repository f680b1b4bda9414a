"""What the handover and the weekly report read: alerts, comments, posts, escalations and
deferrals in a time window, and the alerts still open at an instant.

Each query returns rows of one type of ``domain/reports.py`` (or the ``AlertCounts`` every screen
shows).

Open alerts at an instant
-------------------------
The tile, the banner, the tray, the tabs and ``alerts --json`` count alerts by their state now
(``storage.alerts.count_alerts``). A handover counts them at its end instant, which for a shift
still open, or one just ended, is the same thing: when nothing about any alert was recorded
after that instant (raised, acknowledged, resolved, escalated), the state columns are the state
at that instant, and the handover takes the very same count. Only for an instant with later
events (the export of an earlier shift) are the open alerts rebuilt from the recorded times; the
list and the counts of one handover always come from the same one of the two.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Final

from sqlite_utils import Database

from jb_watchdesk.domain.alerts import AlertCounts
from jb_watchdesk.domain.models import AlertState, ItemKind
from jb_watchdesk.domain.reports import (
    AccountPosts,
    CategoryAlerts,
    ChannelOutcome,
    CommentTimeliness,
    DeferralAction,
    HandledComment,
    UnacknowledgedAlert,
    UnitDayPosts,
    WindowAlert,
    WindowEscalation,
    WindowGap,
    WindowReading,
)
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage.codec import from_db, to_db
from jb_watchdesk.storage.dashboard import COUNTED_POST


def _when(value: str) -> datetime:
    """A NOT NULL time column."""
    when = from_db(value)
    if when is None:
        raise ValueError("a time column that may not be empty was empty")
    return when


_HIT_COUNT: Final = "CASE WHEN json_valid(al.hits) THEN max(json_array_length(al.hits), 1) ELSE 1 END"
"""How many hits an alert lists (a row raised before alerts listed their hits has its one shown hit)."""


def alerts_in_window(db: Database, *, start: datetime, end: datetime) -> list[WindowAlert]:
    """Live alerts raised in ``[start, end)`` and every alert acknowledged in it, with the account name.

    Backlog alerts raised in the window (a new account's first poll) are not listed one by one
    unless an officer acknowledged them then: :func:`backlog_raised_in_window` counts the rest.
    """
    s, e = to_db(start), to_db(end)
    rows = db.execute(
        f"""
        SELECT al.id, al.account_id, ifnull(a.name, ''), al.item_kind, al.item_id, al.category,
               al.severity, al.rule, al.text, al.context, al.raised_at, al.state, al.ack_by, al.ack_note, al.ack_at,
               al.published_at, al.backlog, {_HIT_COUNT}
        FROM alerts al LEFT JOIN accounts a ON a.id = al.account_id
        WHERE (al.raised_at >= ? AND al.raised_at < ? AND al.backlog = 0) OR (al.ack_at >= ? AND al.ack_at < ?)
        ORDER BY al.raised_at, al.id
        """,  # noqa: S608 - a fixed expression
        [s, e, s, e],
    )
    return [
        WindowAlert(
            id=alert_id, account_id=account_id, account_name=name, item_kind=ItemKind(item_kind), item_id=item_id,
            category=category, severity=Severity(severity), rule=rule, text=text, context=context, raised_at=_when(raised_at),
            state=AlertState(state), ack_by=ack_by, ack_note=ack_note, ack_at=from_db(ack_at),
            published_at=from_db(published_at), backlog=bool(backlog), hits=int(hits),
        )
        for (alert_id, account_id, name, item_kind, item_id, category, severity, rule, text, context, raised_at, state,
             ack_by, ack_note, ack_at, published_at, backlog, hits) in rows.fetchall()
    ]


def backlog_raised_in_window(db: Database, *, start: datetime, end: datetime) -> int:
    """Backlog alerts raised in ``[start, end)`` that nobody acknowledged in it: what
    :func:`alerts_in_window` leaves out."""
    s, e = to_db(start), to_db(end)
    row = db.execute(
        "SELECT COUNT(*) FROM alerts WHERE backlog = 1 AND raised_at >= ? AND raised_at < ?"
        " AND NOT (ack_at IS NOT NULL AND ack_at >= ? AND ack_at < ?)",
        [s, e, s, e],
    ).fetchone()
    return int(row[0])


# -- open alerts at an instant ----------------------------------------------------------------

_OPEN_THEN: Final = (
    "al.raised_at <= :at AND (al.ack_at IS NULL OR al.ack_at > :at) AND (al.resolved_at IS NULL OR al.resolved_at > :at)"
)
"""An alert open at ``:at``, from the recorded times (an instant with later events)."""
_OPEN_NOW: Final = "al.state = 'new'"
"""An alert open now: what ``storage.alerts.count_alerts`` counts."""


def settled(db: Database, *, at: datetime) -> bool:
    """Whether nothing about any alert was recorded after ``at`` (raised, acknowledged, resolved,
    escalated, deferred, or its deferral ended with a shift): the alerts' state is then their state at ``at``."""
    a = to_db(at)
    row = db.execute(
        "SELECT EXISTS (SELECT 1 FROM alerts WHERE raised_at > ? OR ack_at > ? OR resolved_at > ? OR escalated_at > ?)"
        " OR EXISTS (SELECT 1 FROM ledger WHERE kind IN ('alert_defer', 'shift_end') AND recorded_at > ?)",
        [a, a, a, a, a],
    ).fetchone()
    return not row[0]


def alert_counts_at(db: Database, *, at: datetime) -> AlertCounts:
    """How many alerts stood where at ``at``: ``storage.alerts.count_alerts`` itself when the
    alerts are :func:`settled` at ``at``, else rebuilt from the recorded times.

    A deferral is not kept on the alert once it ends; rebuilt, an alert counts as deferred at
    ``at`` when its latest deferral in the ledger up to ``at`` ran past it and no shift ended in between.
    """
    if settled(db, at=at):
        return alert_store.count_alerts(db, now=at)
    row = db.execute(
        f"""
        SELECT COUNT(*) FILTER (WHERE {_OPEN_THEN}),
               COUNT(*) FILTER (WHERE {_OPEN_THEN} AND al.severity = 'high'),
               COUNT(*) FILTER (WHERE {_OPEN_THEN} AND al.backlog = 0),
               COUNT(*) FILTER (WHERE {_OPEN_THEN} AND al.backlog = 1),
               COUNT(*) FILTER (WHERE {_OPEN_THEN} AND al.backlog = 0 AND al.severity = 'high'),
               COUNT(*) FILTER (WHERE {_OPEN_THEN} AND al.id IN (
                   SELECT l.ref_id FROM ledger l
                   WHERE l.kind = 'alert_defer' AND l.recorded_at <= :at AND json_extract(l.payload, '$.until') > :at
                     AND l.seq = (SELECT MAX(l2.seq) FROM ledger l2
                                  WHERE l2.kind = 'alert_defer' AND l2.ref_id = l.ref_id AND l2.recorded_at <= :at)
                     AND NOT EXISTS (SELECT 1 FROM ledger s WHERE s.kind = 'shift_end'
                                     AND s.recorded_at > l.recorded_at AND s.recorded_at <= :at))),
               COUNT(*) FILTER (WHERE {_OPEN_THEN} AND al.escalated_at <= :at),
               COUNT(*) FILTER (WHERE al.ack_at <= :at AND (al.resolved_at IS NULL OR al.resolved_at > :at)),
               COUNT(*) FILTER (WHERE al.resolved_at <= :at)
        FROM alerts al
        """,  # noqa: S608 - fixed expressions
        {"at": to_db(at)},
    ).fetchone()
    return AlertCounts(*(int(value or 0) for value in row))


def open_alerts_at(db: Database, *, at: datetime, backlog: bool | None = False) -> list[UnacknowledgedAlert]:
    """The alerts open at ``at`` (live only by default; ``backlog=None`` for all), most serious
    first, then the longest waiting; decided as :func:`alert_counts_at` decides, so the list and
    the counts agree."""
    condition = _OPEN_NOW if settled(db, at=at) else _OPEN_THEN
    params: dict[str, object] = {"at": to_db(at)}
    if backlog is not None:
        condition += " AND al.backlog = :backlog"
        params["backlog"] = int(backlog)
    rows = db.execute(
        f"""
        SELECT al.id, al.account_id, ifnull(a.name, ''), al.category, al.severity, al.rule, al.text, al.raised_at,
               al.published_at, al.backlog, {_HIT_COUNT}, ifnull(a.platform, ''), al.escalated_at
        FROM alerts al LEFT JOIN accounts a ON a.id = al.account_id
        WHERE {condition}
        ORDER BY CASE al.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, al.raised_at, al.id
        """,  # noqa: S608 - fixed expressions
        params,
    )
    return [
        UnacknowledgedAlert(
            id=alert_id, account_id=account_id, account_name=name, category=category, severity=Severity(severity),
            rule=rule, text=text, raised_at=_when(raised_at), published_at=from_db(published_at), backlog=bool(is_backlog),
            hits=int(hits), platform=str(platform), escalated_at=from_db(escalated_at),
        )
        for (alert_id, account_id, name, category, severity, rule, text, raised_at, published_at, is_backlog, hits, platform,
             escalated_at) in rows.fetchall()
    ]


def unacknowledged_alerts(db: Database, *, now: datetime) -> list[UnacknowledgedAlert]:
    """Every alert (live and backlog) open at ``now``: :func:`open_alerts_at` with ``backlog=None``."""
    return open_alerts_at(db, at=now, backlog=None)


# -- escalations and deferrals in a window --------------------------------------------------------


def _channels(value: object) -> tuple[ChannelOutcome, ...]:
    """The outcome column read back; a shape that is not a list of channel results gives what it can."""
    try:
        stored = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return ()
    if not isinstance(stored, list):
        return ()
    return tuple(
        ChannelOutcome(channel=str(item.get("channel") or ""), ok=item.get("ok") is True, error=str(item.get("error") or ""))
        for item in stored
        if isinstance(item, dict)
    )


def escalations_in_window(db: Database, *, start: datetime, end: datetime) -> list[WindowEscalation]:
    """Escalation steps taken in ``[start, end)``, oldest first, with the alert, comment or
    emergency each was about (its account, and an alert's category and severity)."""
    rows = db.execute(
        """
        SELECT e.id, e.subject, e.ref_id, e.step, e.at, e.outcome, ifnull(acc.name, ''), al.category, al.severity,
               CASE e.subject WHEN 'alert' THEN al.text WHEN 'comment' THEN c.text WHEN 'emergency' THEN em.title END,
               ifnull(acc.platform, '')
        FROM escalations e
        LEFT JOIN alerts al ON e.subject = 'alert' AND al.id = e.ref_id
        LEFT JOIN comments c ON e.subject = 'comment' AND c.id = e.ref_id
        LEFT JOIN emergencies em ON e.subject = 'emergency' AND em.id = e.ref_id
        LEFT JOIN accounts acc ON acc.id = coalesce(al.account_id, c.account_id)
        WHERE e.at >= ? AND e.at < ?
        ORDER BY e.at, e.id
        """,
        [to_db(start), to_db(end)],
    )
    return [
        WindowEscalation(
            id=int(escalation_id), subject=str(subject), ref_id=int(ref_id), step=int(step), at=_when(at),
            channels=_channels(outcome), account_name=str(account), category=category,
            severity=Severity(severity) if severity else None, text=str(text or ""), platform=str(platform),
        )
        for escalation_id, subject, ref_id, step, at, outcome, account, category, severity, text, platform in rows.fetchall()
    ]


def deferrals_in_window(db: Database, *, start: datetime, end: datetime) -> list[DeferralAction]:
    """Officers' deferrals of alerts in ``[start, end)`` from the ledger, one entry per action
    (the rows written together: same instant, officer, note and end), oldest first."""
    rows = db.execute(
        """
        SELECT recorded_at, ifnull(json_extract(payload, '$.officer'), ''), ifnull(json_extract(payload, '$.note'), ''),
               json_extract(payload, '$.until'), group_concat(ref_id)
        FROM ledger
        WHERE kind = 'alert_defer' AND recorded_at >= ? AND recorded_at < ?
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, min(seq)
        """,
        [to_db(start), to_db(end)],
    )
    return [
        DeferralAction(
            at=_when(at), officer=str(officer), note=str(note), until=from_db(until) if isinstance(until, str) else None,
            alert_ids=tuple(sorted(int(i) for i in str(ids or "").split(",") if i.strip().isdigit())),
        )
        for at, officer, note, until, ids in rows.fetchall()
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
    """Per account, the comment deadlines that fell due in ``[start, end)`` by ``now``, as known at
    ``now``: acknowledgements (``ack_due``) and results (``result_due``) met on time, met late, or
    still open (late as well). Deadlines after ``now`` are not counted.
    """
    n = to_db(now)
    s, e = to_db(start), to_db(end)
    rows = db.execute(
        """
        SELECT account_id,
               SUM(ack_in),
               SUM(ack_in AND acked_at IS NOT NULL AND acked_at <= :now AND acked_at <= ack_due),
               SUM(ack_in AND acked_at IS NOT NULL AND acked_at <= :now AND acked_at > ack_due),
               SUM(ack_in AND (acked_at IS NULL OR acked_at > :now)),
               SUM(result_in),
               SUM(result_in AND done_at IS NOT NULL AND done_at <= :now AND done_at <= result_due),
               SUM(result_in AND done_at IS NOT NULL AND done_at <= :now AND done_at > result_due),
               SUM(result_in AND (done_at IS NULL OR done_at > :now))
        FROM (
            SELECT account_id, acked_at, ack_due, done_at, result_due,
                   (ack_due >= :start AND ack_due < :end AND ack_due <= :now) AS ack_in,
                   (result_due >= :start AND result_due < :end AND result_due <= :now) AS result_in
            FROM comments
            WHERE deleted_at IS NULL AND created_at <= :now
              AND ((ack_due >= :start AND ack_due < :end) OR (result_due >= :start AND result_due < :end))
        )
        GROUP BY account_id HAVING SUM(ack_in) + SUM(result_in) > 0 ORDER BY account_id
        """,
        {"now": n, "start": s, "end": e},
    )
    return [
        CommentTimeliness(
            account_id=int(account_id), acks_due=int(acks or 0), ack_on_time=int(ack_ok or 0), ack_late=int(ack_late or 0),
            ack_open=int(ack_open or 0), results_due=int(results or 0), result_on_time=int(done_ok or 0),
            result_late=int(done_late or 0), result_open=int(done_open or 0),
        )
        for account_id, acks, ack_ok, ack_late, ack_open, results, done_ok, done_late, done_open in rows.fetchall()
    ]


_ALERT_DATE: Final = "coalesce(published_at, raised_at)"
"""When an alert's item appeared: its publish time, or (unknown) when the alert was raised."""


def alerts_by_category(db: Database, *, start: datetime, end: datetime) -> list[CategoryAlerts]:
    """Alerts per account and category for items published in ``[start, end)`` (by when the alert
    was raised when the publish time is unknown), with how many of them are backlog alerts."""
    rows = db.execute(
        f"SELECT account_id, category, COUNT(*), SUM(backlog) FROM alerts WHERE {_ALERT_DATE} >= ? AND {_ALERT_DATE} < ?"  # noqa: S608
        " GROUP BY account_id, category ORDER BY account_id, category",
        [to_db(start), to_db(end)],
    )
    return [
        CategoryAlerts(account_id=int(a), category=str(c), alerts=int(n), backlog=int(b or 0)) for a, c, n, b in rows.fetchall()
    ]


def gaps_in_window(db: Database, *, start: datetime, end: datetime) -> list[WindowGap]:
    """Monitoring gaps that overlap ``[start, end)`` (one still open included), oldest first."""
    rows = db.execute(
        "SELECT id, started_at, ended_at, cause, reason, officer FROM gaps"
        " WHERE started_at < ? AND (ended_at IS NULL OR ended_at > ?) ORDER BY started_at, id",
        [to_db(end), to_db(start)],
    )
    return [
        WindowGap(id=int(i), started_at=_when(s), ended_at=from_db(e), cause=str(c), reason=str(r or ""), officer=str(o or ""))
        for i, s, e, c, r, o in rows.fetchall()
    ]


def readings_in_window(db: Database, *, start: datetime, end: datetime) -> list[WindowReading]:
    """Officers' readings (inspections with the latest post seen) recorded in ``[start, end)``, oldest first."""
    rows = db.execute(
        """
        SELECT i.id, i.account_id, ifnull(a.name, ''), ifnull(a.platform, ''), i.officer, i.recorded_at, i.latest_post_at,
               i.posts_seen, i.comments_waiting, i.link
        FROM inspections i LEFT JOIN accounts a ON a.id = i.account_id
        WHERE i.latest_post_at IS NOT NULL AND i.recorded_at >= ? AND i.recorded_at < ?
        ORDER BY i.recorded_at, i.id
        """,
        [to_db(start), to_db(end)],
    )
    return [
        WindowReading(
            id=int(i), account_id=int(account_id or 0), account_name=str(name), platform=str(platform), officer=str(officer or ""),
            recorded_at=_when(recorded_at), latest_post_at=from_db(latest), posts_seen=None if posts is None else int(posts),
            comments_waiting=None if waiting is None else int(waiting), link=str(link or ""),
        )
        for i, account_id, name, platform, officer, recorded_at, latest, posts, waiting, link in rows.fetchall()
    ]
