"""Alerts in the database: raise once per item and rule, list, acknowledge, resolve.

An alert is raised at most once per (item, rule) — the table's UNIQUE constraint — so a
re-scan, a re-fetched post or an edit that keeps the same hit never duplicates one. Text and
context are stored exactly as an officer may see them: personal data already masked, so no
export or screen can leak what the scanner found.

Acknowledged alerts are part of the inspection record: nothing here ever changes an
acknowledgement, and the automatic resolution after a lexicon change touches only alerts
nobody has acknowledged yet.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from sqlite_utils import Database

from jb_watchdesk.domain.alerts import Alert, AlertDraft
from jb_watchdesk.domain.errors import InputError, NotFound
from jb_watchdesk.domain.models import AccountStatus, AlertState, ItemKind, Visibility
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.domain.sensitive.reasons import Why, whys_from_json
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.codec import from_db, to_db

RESOLVED_RULE_REMOVED: Final = "rule_removed"
"""``resolve_reason`` of an alert resolved because its rule left the lexicon."""
RESOLVED_BY_OFFICER: Final = audit.OFFICER_RESOLUTION

_CHUNK: Final = 500


def _alert(row: dict[str, Any]) -> Alert:
    raised = from_db(row["raised_at"])
    assert raised is not None
    return Alert(
        id=row["id"],
        account_id=row["account_id"],
        item_kind=ItemKind(row["item_kind"]),
        item_id=row["item_id"],
        category=row["category"],
        severity=Severity(row["severity"]),
        rule=row["rule"],
        text=row["text"],
        context=row["context"],
        item_field=row["item_field"],
        span_start=row["span_start"],
        span_end=row["span_end"],
        span_start_utf16=row["span_start_utf16"],
        span_end_utf16=row["span_end_utf16"],
        confidence=row["confidence"],
        masked=bool(row["masked"]),
        occurrences=row["occurrences"],
        raised_at=raised,
        state=AlertState(row["state"]),
        ack_by=row["ack_by"],
        ack_note=row["ack_note"],
        ack_at=from_db(row["ack_at"]),
        resolved_at=from_db(row["resolved_at"]),
        resolved_by=row["resolved_by"],
        resolve_reason=row["resolve_reason"],
        last_notified_at=from_db(row["last_notified_at"]),
        notify_count=row["notify_count"],
        why=_whys(row.get("why")),
    )


def _whys(value: object) -> tuple[Why, ...]:
    if not isinstance(value, str):
        return ()
    try:
        return whys_from_json(json.loads(value))
    except (ValueError, TypeError):
        return ()


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for index in range(0, len(values), _CHUNK):
        yield values[index : index + _CHUNK]


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _detail_columns(draft: AlertDraft) -> dict[str, object]:
    return {
        "category": draft.category,
        "severity": draft.severity.value,
        "text": draft.text,
        "context": draft.context,
        "item_field": draft.item_field,
        "span_start": draft.span_start,
        "span_end": draft.span_end,
        "span_start_utf16": draft.span_start_utf16,
        "span_end_utf16": draft.span_end_utf16,
        "confidence": draft.confidence,
        "masked": int(draft.masked),
        "occurrences": draft.occurrences,
        "why": json.dumps([why.as_json() for why in draft.why], ensure_ascii=False),
    }


def record_alerts(db: Database, drafts: Sequence[AlertDraft], *, now: datetime) -> list[int]:
    """Raise each draft unless its (item, rule) already has an alert; one transaction.

    Returns the ids of the alerts raised by this call. An alert that was resolved only because
    its rule had been removed is raised again, with fresh details, when the rule comes back:
    the officer never looked at it, so it is new again. So is one whose item now gives the
    rule a higher severity (a warning edited into an offer): what the officer acknowledged is
    not what is there now (the acknowledgement stays in the ledger). Every other existing
    alert is left exactly as it is.
    """
    stamp = to_db(now)
    raised: list[int] = []
    with db.atomic():
        for draft in drafts:
            key = [draft.item_kind.value, draft.item_id, draft.rule]
            existing = db.execute(
                "SELECT id, state, resolve_reason, severity FROM alerts WHERE item_kind = ? AND item_id = ? AND rule = ?", key
            ).fetchone()
            if existing is None:
                values = {
                    "account_id": draft.account_id,
                    "item_kind": draft.item_kind.value,
                    "item_id": draft.item_id,
                    "rule": draft.rule,
                    "raised_at": stamp,
                    "state": AlertState.NEW.value,
                    **_detail_columns(draft),
                }
                raised.append(int(cast(int, db.table("alerts").insert(values).last_pk)))
                continue
            alert_id, state, reason, severity = existing
            worse = draft.severity.rank > Severity(severity).rank
            if (state == AlertState.RESOLVED.value and reason == RESOLVED_RULE_REMOVED) or worse:
                columns = _detail_columns(draft)
                assignments = ", ".join(f"{name} = ?" for name in columns)
                db.execute(
                    f"UPDATE alerts SET {assignments}, state = ?, raised_at = ?, resolved_at = NULL, "  # noqa: S608 - internal names
                    "resolved_by = NULL, resolve_reason = NULL, ack_by = NULL, ack_note = NULL, ack_at = NULL, "
                    "last_notified_at = NULL, notify_count = 0 WHERE id = ?",
                    [*columns.values(), AlertState.NEW.value, stamp, alert_id],
                )
                raised.append(int(alert_id))
    return raised


def raise_alerts(db: Database, drafts: Sequence[AlertDraft], *, now: datetime) -> list[Alert]:
    """:func:`record_alerts`, returning the alerts it raised rather than their ids."""
    ids = record_alerts(db, drafts, now=now)
    return get_alerts(db, ids) if ids else []


def get_alert(db: Database, alert_id: int) -> Alert:
    rows = list(db.query("SELECT * FROM alerts WHERE id = ?", [alert_id]))
    if not rows:
        raise NotFound("alert.not_found", alert_id=alert_id)
    return _alert(rows[0])


def get_alerts(db: Database, alert_ids: Sequence[int]) -> list[Alert]:
    """The alerts with these ids, in the order given; unknown ids are left out."""
    found: dict[int, Alert] = {}
    for chunk in _chunks(list(alert_ids)):
        for row in db.query(f"SELECT * FROM alerts WHERE id IN ({_marks(chunk)})", list(chunk)):  # noqa: S608
            found[row["id"]] = _alert(row)
    return [found[alert_id] for alert_id in alert_ids if alert_id in found]


def list_alerts(
    db: Database,
    *,
    states: Collection[AlertState] = (),
    severities: Collection[Severity] = (),
    account_id: int | None = None,
    item: tuple[ItemKind, int] | None = None,
    raised_since: datetime | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[Alert]:
    """Alerts, newest first, filtered and paged; an empty filter collection means "any".

    The window and the command line page through long histories rather than loading them whole.
    """
    where: list[str] = []
    params: list[object] = []
    if states:
        values = [state.value for state in states]
        where.append(f"state IN ({_marks(values)})")
        params.extend(values)
    if severities:
        values = [severity.value for severity in severities]
        where.append(f"severity IN ({_marks(values)})")
        params.extend(values)
    if account_id is not None:
        where.append("account_id = ?")
        params.append(account_id)
    if item is not None:
        where.append("item_kind = ? AND item_id = ?")
        params.extend([item[0].value, item[1]])
    if raised_since is not None:
        where.append("raised_at >= ?")
        params.append(to_db(raised_since))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT * FROM alerts {clause} ORDER BY raised_at DESC, id DESC LIMIT ? OFFSET ?"  # noqa: S608 - built from fixed parts
    return [_alert(row) for row in db.query(sql, [*params, max(0, limit), max(0, offset)])]


def count_alerts(db: Database) -> dict[str, int]:
    """How many alerts stand in each state, and how many new ones are high: never capped by a page."""
    row = db.execute(
        "SELECT COUNT(*) FILTER (WHERE state = 'new'), COUNT(*) FILTER (WHERE state = 'new' AND severity = 'high'), "
        "COUNT(*) FILTER (WHERE state = 'acknowledged'), COUNT(*) FILTER (WHERE state = 'resolved') FROM alerts"
    ).fetchone()
    return dict(zip(("new", "new_high", "acknowledged", "resolved"), (int(value or 0) for value in row), strict=True))


def notification_candidates(db: Database, *, notified_since: datetime) -> list[Alert]:
    """What the notification policy needs: every new alert, and every alert notified since then.

    The recently notified ones (in any state) tell the policy which items were just shown.
    """
    rows = db.query(
        "SELECT * FROM alerts WHERE state = ? OR last_notified_at >= ? ORDER BY raised_at, id",
        [AlertState.NEW.value, to_db(notified_since)],
    )
    return [_alert(row) for row in rows]


def acknowledge(db: Database, alert_id: int, *, officer: str, note: str, now: datetime) -> Alert:
    """``new → acknowledged``: who looked at it, what they did, when. Only a new alert can be."""
    with db.atomic():
        alert = get_alert(db, alert_id)
        if alert.state is not AlertState.NEW:
            raise InputError("alert.not_new", alert_id=alert_id, state=alert.state.value)
        db.execute(
            "UPDATE alerts SET state = ?, ack_by = ?, ack_note = ?, ack_at = ? WHERE id = ?",
            [AlertState.ACKNOWLEDGED.value, officer, note, to_db(now), alert_id],
        )
        audit.append(
            db,
            audit.Entry(
                kind=audit.ALERT_ACK,
                ref_table="alerts",
                ref_id=alert_id,
                payload={"officer": officer, "note": note, "rule": alert.rule, "account_id": alert.account_id},
            ),
            now=now,
        )
        return get_alert(db, alert_id)


def resolve(db: Database, alert_id: int, *, officer: str, now: datetime) -> Alert:
    """``new|acknowledged → resolved`` by an officer; the acknowledgement, if any, is kept."""
    with db.atomic():
        alert = get_alert(db, alert_id)
        if alert.state is AlertState.RESOLVED:
            raise InputError("alert.already_resolved", alert_id=alert_id)
        db.execute(
            "UPDATE alerts SET state = ?, resolved_at = ?, resolved_by = ?, resolve_reason = ? WHERE id = ?",
            [AlertState.RESOLVED.value, to_db(now), officer, RESOLVED_BY_OFFICER, alert_id],
        )
        audit.append(
            db,
            audit.Entry(
                kind=audit.ALERT_RESOLVE,
                ref_table="alerts",
                ref_id=alert_id,
                payload={"officer": officer, "rule": alert.rule, "account_id": alert.account_id},
            ),
            now=now,
        )
        return get_alert(db, alert_id)


def resolve_removed_rules(
    db: Database, *, active_rules: Collection[str], categories: Collection[str], now: datetime
) -> list[int]:
    """Resolve the new alerts of ``categories`` whose rule is no longer in ``active_rules``.

    Acknowledged and resolved alerts are never touched: they are history. Returns the ids of
    the alerts resolved. ``categories`` keeps alerts raised by other checks (the account
    lifecycle) out of a lexicon change's reach.
    """
    if not categories:
        return []
    category_list = list(categories)
    stale = [
        rule
        for (rule,) in db.execute(
            f"SELECT DISTINCT rule FROM alerts WHERE state = ? AND category IN ({_marks(category_list)})",  # noqa: S608
            [AlertState.NEW.value, *category_list],
        ).fetchall()
        if rule not in active_rules
    ]
    resolved: list[int] = []
    with db.atomic():
        for chunk in _chunks(stale):
            condition = f"state = ? AND rule IN ({_marks(chunk)}) AND category IN ({_marks(category_list)})"
            params = [AlertState.NEW.value, *chunk, *category_list]
            resolved.extend(
                alert_id for (alert_id,) in db.execute(f"SELECT id FROM alerts WHERE {condition}", params).fetchall()  # noqa: S608
            )
            db.execute(
                f"UPDATE alerts SET state = ?, resolved_at = ?, resolve_reason = ? WHERE {condition}",  # noqa: S608
                [AlertState.RESOLVED.value, to_db(now), RESOLVED_RULE_REMOVED, *params],
            )
    return sorted(resolved)


def mark_notified(db: Database, alert_ids: Sequence[int], *, now: datetime) -> None:
    """Remember that these alerts were just shown to the officer."""
    stamp = to_db(now)
    with db.atomic():
        for chunk in _chunks(list(alert_ids)):
            db.execute(
                f"UPDATE alerts SET last_notified_at = ?, notify_count = notify_count + 1 WHERE id IN ({_marks(chunk)})",  # noqa: S608
                [stamp, *chunk],
            )


# -- what the scanner reads ------------------------------------------------------------

POST_FIELDS: Final = ("title", "body", "digest")
COMMENT_FIELDS: Final = ("text",)


@dataclass(frozen=True, slots=True)
class ScanItem:
    """A post or comment as the scanner sees it: its texts and what the lifecycle check needs."""

    kind: ItemKind
    id: int
    account_id: int
    texts: tuple[tuple[str, str], ...]
    """(field, text) pairs in reading order: title, body, digest for a post; text for a comment."""
    account_status: AccountStatus
    status_changed_at: datetime | None
    published_at: datetime | None
    visibility: Visibility = Visibility.PUBLIC
    date_estimated: bool = False
    """The source gave no date: ``published_at`` is when the desk first saw the post."""
    edited: bool = False
    """A post whose text changed since it was first stored (an edit is not a new post)."""
    version: str = ""
    """What the scan read (a post's text hash and visibility, a comment's text): a scan clears the
    mark only if that is unchanged since, whatever else (a reply, a date) changed meanwhile."""


def _scan_item(kind: ItemKind, row: dict[str, Any]) -> ScanItem:
    fields = POST_FIELDS if kind is ItemKind.POST else COMMENT_FIELDS
    return ScanItem(
        kind=kind,
        id=row["id"],
        account_id=row["account_id"],
        texts=tuple((name, row[name] or "") for name in fields),
        account_status=AccountStatus(row["account_status"]),
        status_changed_at=from_db(row["status_changed_at"]),
        published_at=from_db(row["published_at"]),
        visibility=Visibility(row["visibility"]),
        date_estimated=bool(row["date_estimated"]),
        edited=bool(row["edit_count"]),
        version=row["version"],
    )


_ITEM_SQL: Final = {
    ItemKind.POST: (
        "SELECT p.id, p.account_id, p.title, p.body, p.digest, p.published_at, p.visibility, p.date_estimated, p.edit_count, "
        "p.content_hash || '|' || p.visibility AS version, "
        "a.status AS account_status, a.status_changed_at FROM posts p JOIN accounts a ON a.id = p.account_id"
    ),
    ItemKind.COMMENT: (
        "SELECT c.id, c.account_id, c.text, c.created_at AS published_at, 'public' AS visibility, 0 AS date_estimated, "
        "0 AS edit_count, c.text AS version, "
        "a.status AS account_status, a.status_changed_at FROM comments c JOIN accounts a ON a.id = c.account_id"
    ),
}
_ITEM_ID: Final = {ItemKind.POST: "p.id", ItemKind.COMMENT: "c.id"}


def scan_items(db: Database, *, kind: ItemKind, ids: Sequence[int]) -> list[ScanItem]:
    """The posts or comments with these ids, in id order; ids that no longer exist are skipped."""
    unique = sorted(set(ids))
    items: list[ScanItem] = []
    for chunk in _chunks(unique):
        sql = f"{_ITEM_SQL[kind]} WHERE {_ITEM_ID[kind]} IN ({_marks(chunk)}) ORDER BY {_ITEM_ID[kind]}"  # noqa: S608
        items.extend(_scan_item(kind, row) for row in db.query(sql, list(chunk)))
    return items


def scan_item_page(db: Database, *, kind: ItemKind, after_id: int, limit: int) -> list[ScanItem]:
    """One page of every post or comment, by id after ``after_id``: a full re-scan reads in pages."""
    sql = f"{_ITEM_SQL[kind]} WHERE {_ITEM_ID[kind]} > ? ORDER BY {_ITEM_ID[kind]} LIMIT ?"  # noqa: S608
    return [_scan_item(kind, row) for row in db.query(sql, [after_id, limit])]


_TABLE: Final = {ItemKind.POST: "posts", ItemKind.COMMENT: "comments"}
_VERSION: Final = {ItemKind.POST: "content_hash || '|' || visibility", ItemKind.COMMENT: "text"}


def pending_scan_items(db: Database, *, kind: ItemKind, after_id: int = 0, limit: int) -> list[ScanItem]:
    """Posts or comments whose "to scan" mark is set (``scanned_at`` NULL), by id after ``after_id``."""
    sql = f"{_ITEM_SQL[kind]} WHERE {_ITEM_ID[kind]} > ? AND {_ITEM_ID[kind]} IN (SELECT id FROM {_TABLE[kind]} WHERE scanned_at IS NULL) ORDER BY {_ITEM_ID[kind]} LIMIT ?"  # noqa: S608,E501
    return [_scan_item(kind, row) for row in db.query(sql, [after_id, limit])]


def pending_scan_count(db: Database) -> int:
    """How many posts and comments wait for their scan."""
    posts = db.execute("SELECT COUNT(*) FROM posts WHERE scanned_at IS NULL").fetchone()[0]
    comments = db.execute("SELECT COUNT(*) FROM comments WHERE scanned_at IS NULL").fetchone()[0]
    return int(posts) + int(comments)


def store_scan(
    db: Database, drafts: Sequence[AlertDraft], *, scanned: Sequence[ScanItem], now: datetime
) -> list[Alert]:
    """Raise the alerts of a scan and clear the "to scan" mark of the items it read, in one transaction.

    Either both happen or neither: a crash in between leaves the items marked, and the next scan
    reads them again (alerts are unique per item and rule, so nothing is raised twice). An item
    whose row changed after it was read (an edit arrived meanwhile) keeps its mark: the new text
    was not scanned.
    """
    stamp = to_db(now)
    with db.atomic():
        ids = record_alerts(db, drafts, now=now)
        for item in scanned:
            db.execute(
                f"UPDATE {_TABLE[item.kind]} SET scanned_at = ? WHERE id = ? AND {_VERSION[item.kind]} = ?",  # noqa: S608
                [stamp, item.id, item.version],
            )
        return get_alerts(db, ids) if ids else []
