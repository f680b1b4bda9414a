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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final, cast

from sqlite_utils import Database

from jb_watchdesk.domain.alerts import ANY_ALERT, Alert, AlertCounts, AlertDraft, AlertFilter, AlertHit, most_serious
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
    alert = Alert(
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
        hits=_hits(row.get("hits")),
        published_at=from_db(row.get("published_at")),
        seen_at=from_db(row.get("seen_at")),
        backlog=bool(row.get("backlog")),
        deferred_until=from_db(row.get("deferred_until")),
        escalated_at=from_db(row.get("escalated_at")),
        escalation_step=int(row.get("escalation_step") or 0),
    )
    if not alert.hits:  # a row raised before alerts listed their hits: the shown hit is the one
        alert = replace(alert, hits=(alert.shown_hit(),))
    return alert


def _whys(value: object) -> tuple[Why, ...]:
    if not isinstance(value, str):
        return ()
    try:
        return whys_from_json(json.loads(value))
    except (ValueError, TypeError):
        return ()


def _hits(value: object) -> tuple[AlertHit, ...]:
    if not isinstance(value, str):
        return ()
    try:
        stored = json.loads(value)
    except ValueError:
        return ()
    hits = (AlertHit.from_stored(item) for item in stored) if isinstance(stored, list) else ()
    return tuple(hit for hit in hits if hit is not None)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for index in range(0, len(values), _CHUNK):
        yield values[index : index + _CHUNK]


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def _ordered(hits: Iterable[AlertHit]) -> tuple[AlertHit, ...]:
    """Most serious first, then in reading order; one entry per (rule, field, span)."""
    unique = {hit.key: hit for hit in hits}
    return tuple(sorted(unique.values(), key=lambda hit: (-hit.severity.rank, -hit.confidence, hit.field, hit.start or 0, hit.rule)))


def _detail_columns(hits: Sequence[AlertHit], *, context: str, masked: bool) -> dict[str, object]:
    """The columns an alert takes from its hits: the most serious one shown, all of them listed."""
    ordered = _ordered(hits)
    top = most_serious(ordered)
    return {
        "severity": top.severity.value,
        "rule": top.rule,
        "text": top.text,
        "context": context,
        "item_field": top.field,
        "span_start": top.start,
        "span_end": top.end,
        "span_start_utf16": top.start_utf16,
        "span_end_utf16": top.end_utf16,
        "confidence": top.confidence,
        "masked": int(masked),
        "occurrences": sum(hit.occurrences for hit in ordered),
        "why": json.dumps([why.as_json() for why in top.why], ensure_ascii=False),
        "hits": json.dumps([hit.stored() for hit in ordered], ensure_ascii=False),
    }


_GROUP_SQL: Final = (
    "SELECT id, state, resolve_reason, severity, rule, hits, context, masked FROM alerts "
    "WHERE item_kind = ? AND item_id = ? AND category = ? ORDER BY id"
)


def record_alerts(db: Database, drafts: Sequence[AlertDraft], *, now: datetime) -> list[int]:
    """Raise the drafts as one alert per item and category; one transaction.

    Returns the ids of the alerts raised or made more serious by this call (the ones to show).
    Per item and category:

    - no alert yet: one is raised holding every hit;
    - a new (unacknowledged) alert: its hits become the scan's (what the item holds now); it is
      returned, and shown again, only if it became more serious;
    - an alert resolved only because its rules had left the lexicon: raised again with fresh
      details when they come back (the officer never looked at it);
    - acknowledged or resolved by an officer: history, never changed. A hit whose rule that
      history does not hold, or holds at a lower severity (a warning edited into an offer),
      raises a new alert (or joins the open one): what the officer acknowledged is not what is
      there now. Hits the history covers are left out of the new alert.

    At most one alert per item and category is new at a time (a partial unique index).
    """
    stamp = to_db(now)
    groups: dict[tuple[ItemKind, int, str], list[AlertDraft]] = {}
    for draft in drafts:
        groups.setdefault((draft.item_kind, draft.item_id, draft.category), []).append(draft)
    raised: list[int] = []
    with db.atomic():
        for (kind, item_id, category), group in groups.items():
            alert_id = _record_group(db, kind, item_id, category, group, stamp=stamp)
            if alert_id is not None:
                raised.append(alert_id)
    return raised


def _record_group(
    db: Database, kind: ItemKind, item_id: int, category: str, drafts: Sequence[AlertDraft], *, stamp: str | None
) -> int | None:
    shown = max(drafts, key=lambda draft: (draft.severity.rank, draft.confidence))
    masked = any(draft.masked for draft in drafts)
    rows = list(db.query(_GROUP_SQL, [kind.value, item_id, category]))
    # What an officer already handled stays handled: only hits it does not cover (a rule it does
    # not hold, or holds at a lower severity: a warning edited into an offer) are news.
    history: dict[str, Severity] = {}
    for row in rows:
        if row["state"] == AlertState.NEW.value or (
            row["state"] == AlertState.RESOLVED.value and row["resolve_reason"] in _SYSTEM_RESOLUTIONS
        ):
            continue
        for hit in _hits(row["hits"]) or (AlertHit(rule=row["rule"], severity=Severity(row["severity"])),):
            if hit.rule not in history or hit.severity.rank > history[hit.rule].rank:
                history[hit.rule] = hit.severity
    hits = [draft.hit() for draft in drafts]
    hits = [hit for hit in hits if hit.rule not in history or hit.severity.rank > history[hit.rule].rank]
    if not hits:
        return None
    open_row = next((row for row in reversed(rows) if row["state"] == AlertState.NEW.value), None)
    if open_row is not None:
        # A scan reads the whole item: its hits of this category are what is there now.
        merged = _ordered(hits)
        if merged == _ordered(_hits(open_row["hits"])):
            return None
        worse = most_serious(merged).severity.rank > Severity(open_row["severity"]).rank
        context = shown.context if worse else open_row["context"]
        columns = _detail_columns(merged, context=context, masked=masked or bool(open_row["masked"]))
        if not shown.backlog:
            columns["backlog"] = 0  # an edit seen live makes an old item news
        _update(db, open_row["id"], columns, reopen=False, stamp=stamp, renotify=worse)
        return int(open_row["id"]) if worse else None
    columns = {
        **_detail_columns(hits, context=shown.context, masked=masked),
        "published_at": to_db(shown.published_at),
        "seen_at": to_db(shown.seen_at),
        "backlog": int(shown.backlog),
    }
    reopenable = next(
        (row for row in reversed(rows) if row["state"] == AlertState.RESOLVED.value and row["resolve_reason"] == RESOLVED_RULE_REMOVED),
        None,
    )
    if reopenable is not None:
        _update(db, reopenable["id"], columns, reopen=True, stamp=stamp, renotify=True)
        return int(reopenable["id"])
    values = {
        "account_id": shown.account_id,
        "item_kind": kind.value,
        "item_id": item_id,
        "category": category,
        "raised_at": stamp,
        "state": AlertState.NEW.value,
        **columns,
    }
    return int(cast(int, db.table("alerts").insert(values).last_pk))


_SYSTEM_RESOLUTIONS: Final = frozenset({"rule_removed", "merged"})


def _update(db: Database, alert_id: int, columns: dict[str, object], *, reopen: bool, stamp: str | None, renotify: bool) -> None:
    assignments = ", ".join(f"{name} = ?" for name in columns)
    extra = ""
    params: list[object] = [*columns.values()]
    if reopen:
        extra += (
            ", state = ?, raised_at = ?, resolved_at = NULL, resolved_by = NULL, resolve_reason = NULL, "
            "ack_by = NULL, ack_note = NULL, ack_at = NULL, deferred_until = NULL, escalated_at = NULL, escalation_step = 0"
        )
        params.extend([AlertState.NEW.value, stamp])
    if renotify:  # more serious than when put off: shown again at once
        extra += ", last_notified_at = NULL, notify_count = 0, deferred_until = NULL"
    db.execute(f"UPDATE alerts SET {assignments}{extra} WHERE id = ?", [*params, alert_id])  # noqa: S608 - internal names


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


def _where(selection: AlertFilter) -> tuple[str, list[object]]:
    """The SQL condition (over ``alerts``) and its parameters for ``selection``."""
    where: list[str] = []
    params: list[object] = []

    def among(column: str, values: Collection[object]) -> None:
        listed = sorted(values, key=str)
        where.append(f"{column} IN ({_marks(listed)})")
        params.extend(listed)

    if selection.states:
        among("state", [state.value for state in selection.states])
    if selection.severities:
        among("severity", [severity.value for severity in selection.severities])
    if selection.categories:
        among("category", selection.categories)
    if selection.account_ids:
        among("account_id", selection.account_ids)
    if selection.unit is not None:
        where.append("account_id IN (SELECT id FROM accounts WHERE unit = ?)")
        params.append(selection.unit)
    if selection.rule is not None:
        # the shown rule or any listed hit's rule
        where.append("(rule = ? OR EXISTS (SELECT 1 FROM json_each(alerts.hits) h WHERE json_extract(h.value, '$.rule') = ?))")
        params.extend([selection.rule, selection.rule])
    if selection.item is not None:
        where.append("item_kind = ? AND item_id = ?")
        params.extend([selection.item[0].value, selection.item[1]])
    if selection.backlog is not None:
        where.append("backlog = ?")
        params.append(int(selection.backlog))
    if selection.published_from is not None:
        where.append("COALESCE(published_at, raised_at) >= ?")
        params.append(to_db(selection.published_from))
    if selection.published_to is not None:
        where.append("COALESCE(published_at, raised_at) < ?")
        params.append(to_db(selection.published_to))
    if selection.raised_since is not None:
        where.append("raised_at >= ?")
        params.append(to_db(selection.raised_since))
    return (" AND ".join(where) if where else "1"), params


def list_alerts(db: Database, selection: AlertFilter = ANY_ALERT, *, limit: int = 200, offset: int = 0) -> list[Alert]:
    """Alerts, newest first, filtered and paged: the window and the command line page through
    long histories rather than loading them whole (:func:`count_selected` gives the total)."""
    condition, params = _where(selection)
    sql = f"SELECT * FROM alerts WHERE {condition} ORDER BY raised_at DESC, id DESC LIMIT ? OFFSET ?"  # noqa: S608 - built from fixed parts
    return [_alert(row) for row in db.query(sql, [*params, max(0, limit), max(0, offset)])]


def count_selected(db: Database, selection: AlertFilter = ANY_ALERT) -> int:
    """How many alerts ``selection`` takes: the "of N" of a paged list."""
    condition, params = _where(selection)
    return int(db.execute(f"SELECT COUNT(*) FROM alerts WHERE {condition}", params).fetchone()[0])  # noqa: S608


def selected_ids(db: Database, selection: AlertFilter) -> list[int]:
    """The ids ``selection`` takes, oldest first (what a bulk action acts on)."""
    condition, params = _where(selection)
    return [int(alert_id) for (alert_id,) in db.execute(f"SELECT id FROM alerts WHERE {condition} ORDER BY id", params).fetchall()]  # noqa: S608


def count_alerts(db: Database, *, now: datetime) -> AlertCounts:
    """How many alerts stand where (:class:`AlertCounts`), in one statement: never capped by a page."""
    row = db.execute(
        "SELECT COUNT(*) FILTER (WHERE state = 'new'), "
        "COUNT(*) FILTER (WHERE state = 'new' AND severity = 'high'), "
        "COUNT(*) FILTER (WHERE state = 'new' AND backlog = 0), "
        "COUNT(*) FILTER (WHERE state = 'new' AND backlog = 1), "
        "COUNT(*) FILTER (WHERE state = 'new' AND backlog = 0 AND severity = 'high'), "
        "COUNT(*) FILTER (WHERE state = 'new' AND deferred_until > ?), "
        "COUNT(*) FILTER (WHERE state = 'new' AND escalated_at IS NOT NULL), "
        "COUNT(*) FILTER (WHERE state = 'acknowledged'), "
        "COUNT(*) FILTER (WHERE state = 'resolved') FROM alerts",
        [to_db(now)],
    ).fetchone()
    return AlertCounts(*(int(value or 0) for value in row))


def notification_candidates(
    db: Database,
    *,
    now: datetime,
    repeat_after: timedelta,
    immediate: Collection[Severity] = (Severity.HIGH,),
    digest: Collection[Severity] = (Severity.MEDIUM,),
) -> list[Alert]:
    """The new live alerts that may be pushed at ``now``: of an ``immediate`` severity never shown,
    shown ``repeat_after`` ago or more, or whose deferral ended since it was last shown; of a
    ``digest`` severity never shown. Backlog alerts and alerts deferred past ``now`` never are. A
    tick reads what can be pushed, not the whole inbox (:func:`recently_shown` gives the items
    just shown, which the notification policy keeps quiet)."""
    pushed = [severity.value for severity in immediate]
    gathered = [severity.value for severity in digest]
    stamp = to_db(now)
    rows = db.query(
        "SELECT * FROM alerts WHERE state = ? AND backlog = 0 AND (deferred_until IS NULL OR deferred_until <= ?) AND ("  # noqa: S608
        f"(severity IN ({_marks(pushed)}) AND (last_notified_at IS NULL OR last_notified_at <= ? OR last_notified_at < deferred_until)) "
        f"OR (severity IN ({_marks(gathered)}) AND last_notified_at IS NULL)) ORDER BY raised_at, id",
        [AlertState.NEW.value, stamp, *pushed, to_db(now - repeat_after), *gathered],
    )
    return [_alert(row) for row in rows]


def recently_shown(db: Database, *, since: datetime) -> dict[tuple[ItemKind, int], datetime]:
    """When each item last had an alert shown, for the items shown since ``since`` (any state)."""
    rows = db.execute(
        "SELECT item_kind, item_id, MAX(last_notified_at) FROM alerts WHERE last_notified_at >= ? GROUP BY item_kind, item_id",
        [to_db(since)],
    ).fetchall()
    shown: dict[tuple[ItemKind, int], datetime] = {}
    for kind, item_id, last in rows:
        when = from_db(last)
        if when is not None:
            shown[(ItemKind(kind), int(item_id))] = when
    return shown


def acknowledge(db: Database, alert_id: int, *, officer: str, note: str, now: datetime) -> Alert:
    """``new → acknowledged``: who looked at it, what they did, when. Only a new alert can be."""
    with db.atomic():
        alert = get_alert(db, alert_id)
        if alert.state is not AlertState.NEW:
            raise InputError("alert.not_new", alert_id=alert_id, state=alert.state.value)
        _acknowledge(db, [alert], officer=officer, note=note, now=now)
        return get_alert(db, alert_id)


def acknowledge_selected(db: Database, selection: AlertFilter, *, officer: str, note: str, now: datetime) -> list[Alert]:
    """Acknowledge every new alert ``selection`` takes, with one note: one ledger row per alert,
    one transaction. Returns the alerts as they are now (empty when none was new)."""
    with db.atomic():
        ids = _new_selected(db, selection)
        alerts = get_alerts(db, ids)
        _acknowledge(db, alerts, officer=officer, note=note, now=now)
        return get_alerts(db, ids)


def _new_selected(db: Database, selection: AlertFilter) -> list[int]:
    """The NEW alerts among those ``selection`` takes (a selection of handled states takes none)."""
    if selection.states and AlertState.NEW not in selection.states:
        return []
    return selected_ids(db, replace(selection, states=frozenset({AlertState.NEW})))


def _acknowledge(db: Database, alerts: Sequence[Alert], *, officer: str, note: str, now: datetime) -> None:
    stamp = to_db(now)
    for chunk in _chunks([alert.id for alert in alerts]):
        db.execute(
            f"UPDATE alerts SET state = ?, ack_by = ?, ack_note = ?, ack_at = ?, deferred_until = NULL WHERE id IN ({_marks(chunk)})",  # noqa: S608
            [AlertState.ACKNOWLEDGED.value, officer, note, stamp, *chunk],
        )
    audit.append_many(
        db,
        [
            audit.Entry(
                kind=audit.ALERT_ACK,
                ref_table="alerts",
                ref_id=alert.id,
                payload={"officer": officer, "note": note, "rule": alert.rule, "account_id": alert.account_id},
            )
            for alert in alerts
        ],
        now=now,
    )


def defer_selected(
    db: Database, selection: AlertFilter, *, until: datetime, officer: str, note: str, now: datetime
) -> list[Alert]:
    """Put off every new alert ``selection`` takes until ``until``: no pop-up or repeat before then
    (the escalation clock runs on). One ledger row per alert; returns the alerts as they are now."""
    with db.atomic():
        ids = _new_selected(db, selection)
        alerts = get_alerts(db, ids)
        for chunk in _chunks(ids):
            db.execute(f"UPDATE alerts SET deferred_until = ? WHERE id IN ({_marks(chunk)})", [to_db(until), *chunk])  # noqa: S608
        audit.append_many(
            db,
            [
                audit.Entry(
                    kind=audit.ALERT_DEFER,
                    ref_table="alerts",
                    ref_id=alert.id,
                    payload={"officer": officer, "note": note, "until": to_db(until), "rule": alert.rule, "account_id": alert.account_id},
                )
                for alert in alerts
            ],
            now=now,
        )
        return get_alerts(db, ids)


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
    """Drop the hits whose rule is no longer in ``active_rules`` from the new alerts of ``categories``;
    resolve the alerts left with none.

    Acknowledged and resolved alerts are never touched: they are history. Returns the ids of
    the alerts resolved. ``categories`` keeps alerts raised by other checks (the account
    lifecycle) out of a lexicon change's reach.
    """
    if not categories:
        return []
    category_list = list(categories)
    resolved: list[int] = []
    with db.atomic():
        rows = list(
            db.query(
                f"SELECT * FROM alerts WHERE state = ? AND category IN ({_marks(category_list)})",  # noqa: S608
                [AlertState.NEW.value, *category_list],
            )
        )
        for row in rows:
            alert = _alert(row)
            kept = [hit for hit in alert.hits if hit.rule in active_rules]
            if len(kept) == len(alert.hits):
                continue
            if kept:
                columns = _detail_columns(kept, context=alert.context, masked=alert.masked)
                _update(db, alert.id, columns, reopen=False, stamp=None, renotify=False)
                continue
            resolved.append(alert.id)
        for chunk in _chunks(resolved):
            db.execute(
                f"UPDATE alerts SET state = ?, resolved_at = ?, resolve_reason = ? WHERE id IN ({_marks(chunk)})",  # noqa: S608
                [AlertState.RESOLVED.value, to_db(now), RESOLVED_RULE_REMOVED, *chunk],
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
    seen_at: datetime | None = None
    """When the desk first stored the item."""
    first_polled_at: datetime | None = None
    """When its account was first read successfully (None: never yet)."""
    changed_at: datetime | None = None
    """When its text last changed after it was first stored (an edit); None if never."""
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
        seen_at=from_db(row["seen_at"]),
        first_polled_at=from_db(row["first_polled_at"]),
        changed_at=from_db(row["changed_at"]) if row["edit_count"] else None,
        version=row["version"],
    )


_ITEM_SQL: Final = {
    ItemKind.POST: (
        "SELECT p.id, p.account_id, p.title, p.body, p.digest, p.published_at, p.visibility, p.date_estimated, p.edit_count, "
        "p.content_hash || '|' || p.visibility AS version, "
        "p.first_seen_at AS seen_at, p.updated_at AS changed_at, a.first_polled_at, "
        "a.status AS account_status, a.status_changed_at FROM posts p JOIN accounts a ON a.id = p.account_id"
    ),
    ItemKind.COMMENT: (
        "SELECT c.id, c.account_id, c.text, c.created_at AS published_at, 'public' AS visibility, 0 AS date_estimated, "
        "0 AS edit_count, c.text AS version, "
        "c.first_seen_at AS seen_at, NULL AS changed_at, a.first_polled_at, "
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
