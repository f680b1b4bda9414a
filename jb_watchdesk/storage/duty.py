"""SQL for the duty record: shifts, inspections and emergencies, each change with its ledger row.

Every write here appends to the ledger (``storage/audit.py``) in the same transaction as the
change, and the ledger payload carries the columns that ``audit.verify`` compares with the
working table. Reads used by the exports stream in batches so a 12-hour shift over a thousand
accounts never sits in memory twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlite_utils import Database

from jb_watchdesk.domain.errors import InputError, NotFound
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.codec import from_db, to_db
from jb_watchdesk.storage.dashboard import COUNTED_POST

BATCH_ROWS: Final = 5_000


# -- values ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shift:
    id: int
    officer: str
    started_at: datetime
    ended_at: datetime | None
    end_note: str
    force_closed_reason: str | None
    handover_confirmed_at: datetime | None
    handover_confirmed_by: str | None

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "officer": self.officer,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "end_note": self.end_note,
            "force_closed_reason": self.force_closed_reason,
            "handover_confirmed_at": self.handover_confirmed_at.isoformat() if self.handover_confirmed_at else None,
            "handover_confirmed_by": self.handover_confirmed_by,
        }


@dataclass(frozen=True, slots=True)
class NewInspection:
    """An inspection to record; ``checks`` maps each check (and, for automatic ones, raw facts) to text."""

    account_id: int | None
    kind: str  # auto, manual, correction
    checks: Mapping[str, object]
    finding: str = ""
    action: str = ""
    officer: str = ""
    corrects_id: int | None = None


@dataclass(frozen=True, slots=True)
class Inspection:
    id: int
    shift_id: int | None
    account_id: int | None
    kind: str
    recorded_at: datetime
    officer: str
    checks: dict[str, Any]
    finding: str
    action: str
    corrects_id: int | None
    hash: str


@dataclass(frozen=True, slots=True)
class Emergency:
    id: int
    title: str
    keywords: tuple[str, ...]
    activated_at: datetime
    activated_by: str
    first_post_id: int | None
    first_post_at: datetime | None
    closed_at: datetime | None


# -- shifts -----------------------------------------------------------------------------


def _shift(row: Mapping[str, Any]) -> Shift:
    started = from_db(row["started_at"])
    assert started is not None
    return Shift(
        id=row["id"],
        officer=row["officer"],
        started_at=started,
        ended_at=from_db(row["ended_at"]),
        end_note=row["end_note"],
        force_closed_reason=row["force_closed_reason"],
        handover_confirmed_at=from_db(row["handover_confirmed_at"]),
        handover_confirmed_by=row["handover_confirmed_by"],
    )


def open_shift(db: Database) -> Shift | None:
    rows = list(db.query("SELECT * FROM shifts WHERE ended_at IS NULL"))
    return _shift(rows[0]) if rows else None


def get_shift(db: Database, shift_id: int) -> Shift:
    rows = list(db.query("SELECT * FROM shifts WHERE id = ?", [shift_id]))
    if not rows:
        raise NotFound("shift.not_found", shift_id=shift_id)
    return _shift(rows[0])


def list_shifts(db: Database, *, limit: int = 200) -> list[Shift]:
    """Newest first."""
    return [_shift(r) for r in db.query("SELECT * FROM shifts ORDER BY started_at DESC, id DESC LIMIT ?", [limit])]


def shifts_overlapping(db: Database, *, start: datetime, end: datetime) -> list[Shift]:
    """Shifts that were open at some instant of ``[start, end)``, oldest first."""
    rows = db.query(
        "SELECT * FROM shifts WHERE started_at < ? AND (ended_at IS NULL OR ended_at > ?) ORDER BY started_at, id",
        [to_db(end), to_db(start)],
    )
    return [_shift(r) for r in rows]


def last_ended_shift(db: Database) -> Shift | None:
    rows = list(db.query("SELECT * FROM shifts WHERE ended_at IS NOT NULL ORDER BY ended_at DESC, id DESC LIMIT 1"))
    return _shift(rows[0]) if rows else None


def start_shift(db: Database, *, officer: str, now: datetime) -> Shift:
    """Open a shift; refused while another one is open (the unique index backs this up across processes)."""
    with db.atomic():
        current = open_shift(db)
        if current is not None:
            raise InputError("shift.already_open", officer=current.officer, shift_id=current.id)
        started = to_db(now)
        try:
            cursor = db.execute("INSERT INTO shifts (officer, started_at) VALUES (?, ?)", [officer, started])
        except sqlite3.IntegrityError:
            raise InputError("shift.already_open", officer="?", shift_id="?") from None
        shift_id = int(cursor.lastrowid or 0)
        audit.append(
            db,
            audit.Entry(audit.SHIFT_START, {"officer": officer, "started_at": started}, "shifts", shift_id),
            now=now,
        )
        return get_shift(db, shift_id)


def end_shift(
    db: Database, *, shift_id: int, now: datetime, note: str, force_reason: str | None, carry_over: Mapping[str, object]
) -> Shift:
    """Close an open shift with the outgoing officer's note, or force-close it with a reason."""
    with db.atomic():
        shift = get_shift(db, shift_id)
        if not shift.is_open:
            raise InputError("shift.none_open")
        ended = to_db(now)
        db.execute(
            "UPDATE shifts SET ended_at = ?, end_note = ?, force_closed_reason = ? WHERE id = ?",
            [ended, note, force_reason, shift_id],
        )
        payload = {
            "ended_at": ended,
            "note": note,
            "force_closed_reason": force_reason,
            "officer": shift.officer,
            "carry_over": dict(carry_over),
        }
        audit.append(db, audit.Entry(audit.SHIFT_END, payload, "shifts", shift_id), now=now)
        return get_shift(db, shift_id)


def confirm_handover(db: Database, *, shift_id: int, officer: str, now: datetime, carry_over: Mapping[str, object]) -> Shift:
    """The incoming officer confirms having taken over the ended shift and its open items."""
    with db.atomic():
        shift = get_shift(db, shift_id)
        if shift.is_open or shift.handover_confirmed_at is not None:
            raise InputError("handover.nothing_to_confirm")
        confirmed = to_db(now)
        db.execute(
            "UPDATE shifts SET handover_confirmed_at = ?, handover_confirmed_by = ? WHERE id = ?",
            [confirmed, officer, shift_id],
        )
        payload = {"confirmed_at": confirmed, "officer": officer, "carry_over": dict(carry_over)}
        audit.append(db, audit.Entry(audit.HANDOVER_CONFIRM, payload, "shifts", shift_id), now=now)
        return get_shift(db, shift_id)


# -- inspections ------------------------------------------------------------------------


def _inspection(row: Sequence[Any]) -> Inspection:
    recorded = from_db(row[4])
    assert recorded is not None
    return Inspection(
        id=row[0],
        shift_id=row[1],
        account_id=row[2],
        kind=row[3],
        recorded_at=recorded,
        officer=row[5],
        checks=json.loads(row[6]),
        finding=row[7],
        action=row[8],
        corrects_id=row[9],
        hash=row[10],
    )


_INSPECTION_COLUMNS: Final = "id, shift_id, account_id, kind, recorded_at, officer, checks, finding, action, corrects_id, hash"


def get_inspection(db: Database, inspection_id: int) -> Inspection:
    row = db.execute(f"SELECT {_INSPECTION_COLUMNS} FROM inspections WHERE id = ?", [inspection_id]).fetchone()  # noqa: S608
    if row is None:
        raise NotFound("inspect.not_found", inspection_id=inspection_id)
    return _inspection(row)


def add_inspections(db: Database, items: Sequence[NewInspection], *, shift_id: int | None, now: datetime) -> list[int]:
    """Record inspections and their ledger rows in one transaction; returns the new ids in order."""
    if not items:
        return []
    recorded = to_db(now)
    with db.atomic():
        first_id = int(db.execute("SELECT ifnull(max(id), 0) + 1 FROM inspections").fetchone()[0])
        records: list[dict[str, object]] = []
        entries: list[audit.Entry] = []
        for offset, item in enumerate(items):
            record: dict[str, object] = {
                "id": first_id + offset,
                "shift_id": shift_id,
                "account_id": item.account_id,
                "kind": item.kind,
                "recorded_at": recorded,
                "officer": item.officer,
                "checks": dict(item.checks),
                "finding": item.finding,
                "action": item.action,
                "corrects_id": item.corrects_id,
            }
            corrects_seq = None
            if item.corrects_id is not None:
                corrected = db.execute(
                    "SELECT seq FROM ledger WHERE ref_table = 'inspections' AND ref_id = ? ORDER BY seq LIMIT 1",
                    [item.corrects_id],
                ).fetchone()
                corrects_seq = None if corrected is None else int(corrected[0])
            kind = audit.CORRECTION if item.kind == "correction" else audit.INSPECTION
            records.append(record)
            entries.append(audit.Entry(kind, record, "inspections", first_id + offset, corrects_seq))
        ledger_rows = audit.append_many(db, entries, now=now)
        db.conn.executemany(
            "INSERT INTO inspections (id, shift_id, account_id, kind, recorded_at, officer, checks, finding, action,"
            " corrects_id, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r["id"], r["shift_id"], r["account_id"], r["kind"], r["recorded_at"], r["officer"],
                    audit.canonical_json(r["checks"]),  # type: ignore[arg-type]
                    r["finding"], r["action"], r["corrects_id"], row.prev_hash, row.hash,
                )
                for r, row in zip(records, ledger_rows, strict=True)
            ],
        )
    return [first_id + i for i in range(len(items))]


def iter_inspections(
    db: Database, *, start: datetime, end: datetime, shift_id: int | None = None
) -> Iterator[tuple[Any, ...]]:
    """Inspections in ``[start, end)`` (or of one shift), oldest first, as raw rows.

    Each row: (id, recorded_at, kind, account_id, account name, unit, platform, officer, checks
    JSON, finding, action, corrects_id, hash). Raw tuples, because a shift can hold 70,000 rows.
    """
    where = "i.recorded_at >= ? AND i.recorded_at < ?"
    params: list[object] = [to_db(start), to_db(end)]
    if shift_id is not None:
        where = "i.shift_id = ?"
        params = [shift_id]
    cursor = db.execute(
        f"""
        SELECT i.id, i.recorded_at, i.kind, i.account_id, ifnull(a.name, ''), ifnull(a.unit, ''),
               ifnull(a.platform, ''), i.officer, i.checks, i.finding, i.action, i.corrects_id, i.hash
        FROM inspections i LEFT JOIN accounts a ON a.id = i.account_id
        WHERE {where} ORDER BY i.recorded_at, i.id
        """,  # noqa: S608 - the WHERE clause is one of two constants
        params,
    )
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield from batch


def count_inspections(db: Database, *, start: datetime, end: datetime, shift_id: int | None = None) -> dict[str, int]:
    """How many inspections of each kind."""
    if shift_id is not None:
        rows = db.execute("SELECT kind, COUNT(*) FROM inspections WHERE shift_id = ? GROUP BY kind", [shift_id])
    else:
        rows = db.execute(
            "SELECT kind, COUNT(*) FROM inspections WHERE recorded_at >= ? AND recorded_at < ? GROUP BY kind",
            [to_db(start), to_db(end)],
        )
    return {kind: int(n) for kind, n in rows.fetchall()}


# -- emergencies ------------------------------------------------------------------------


def _emergency(row: Mapping[str, Any]) -> Emergency:
    activated = from_db(row["activated_at"])
    assert activated is not None
    return Emergency(
        id=row["id"],
        title=row["title"],
        keywords=tuple(json.loads(row["keywords"])),
        activated_at=activated,
        activated_by=row["activated_by"],
        first_post_id=row["first_post_id"],
        first_post_at=from_db(row["first_post_at"]),
        closed_at=from_db(row["closed_at"]),
    )


def add_emergency(db: Database, *, title: str, keywords: Sequence[str], officer: str, now: datetime) -> Emergency:
    activated = to_db(now)
    keywords_json = json.dumps(list(keywords), ensure_ascii=False)
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO emergencies (title, keywords, activated_at, activated_by) VALUES (?, ?, ?, ?)",
            [title, keywords_json, activated, officer],
        )
        emergency_id = int(cursor.lastrowid or 0)
        payload = {
            "title": title,
            "keywords": list(keywords),
            "keywords_json": keywords_json,
            "activated_at": activated,
            "activated_by": officer,
        }
        audit.append(db, audit.Entry(audit.EMERGENCY_START, payload, "emergencies", emergency_id), now=now)
        return get_emergency(db, emergency_id)


def get_emergency(db: Database, emergency_id: int) -> Emergency:
    rows = list(db.query("SELECT * FROM emergencies WHERE id = ?", [emergency_id]))
    if not rows:
        raise NotFound("emergency.not_found", emergency_id=emergency_id)
    return _emergency(rows[0])


def list_emergencies(db: Database, *, limit: int = 500) -> list[Emergency]:
    """Newest first."""
    return [_emergency(r) for r in db.query("SELECT * FROM emergencies ORDER BY activated_at DESC, id DESC LIMIT ?", [limit])]


def waiting_emergencies(db: Database) -> list[Emergency]:
    """Open activations still waiting for their first related post."""
    rows = db.query("SELECT * FROM emergencies WHERE first_post_id IS NULL AND closed_at IS NULL ORDER BY activated_at")
    return [_emergency(r) for r in rows]


def emergencies_overlapping(db: Database, *, start: datetime, end: datetime) -> list[Emergency]:
    """Activations before ``end`` that were still waiting, or were met, after ``start``."""
    rows = db.query(
        """
        SELECT * FROM emergencies WHERE activated_at < ?
          AND (first_post_at IS NULL OR first_post_at >= ? OR activated_at >= ?)
        ORDER BY activated_at, id
        """,
        [to_db(end), to_db(start), to_db(start)],
    )
    return [_emergency(r) for r in rows]


def posts_for_matching(db: Database, *, post_ids: Sequence[int] = (), since: datetime | None = None) -> list[dict[str, Any]]:
    """Posts (id, account_id, title, body, published_at) by id, or every post published since an instant."""
    if since is not None:
        return list(
            db.query(
                f"SELECT id, account_id, title, body, published_at FROM posts"  # noqa: S608 - a constant predicate
                f" WHERE {COUNTED_POST} AND published_at >= ? ORDER BY published_at, id",
                [to_db(since)],
            )
        )
    found: list[dict[str, Any]] = []
    ids = list(post_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        found.extend(
            db.query(
                f"SELECT id, account_id, title, body, published_at FROM posts"  # noqa: S608 - placeholders only
                f" WHERE {COUNTED_POST} AND id IN ({', '.join('?' for _ in chunk)})",
                chunk,
            )
        )
    return found


def set_first_post(db: Database, *, emergency_id: int, post_id: int, post_at: datetime, now: datetime) -> Emergency:
    """Record the first related post: the §3.6 clock stops at its publication time."""
    with db.atomic():
        current = get_emergency(db, emergency_id)
        if current.first_post_id is not None:
            return current
        at = to_db(post_at)
        db.execute("UPDATE emergencies SET first_post_id = ?, first_post_at = ? WHERE id = ?", [post_id, at, emergency_id])
        payload = {"post_id": post_id, "first_post_at": at}
        audit.append(db, audit.Entry(audit.EMERGENCY_POST, payload, "emergencies", emergency_id), now=now)
        return get_emergency(db, emergency_id)


# -- what the handover and the reports read (alerts and comments belong to other modules) --


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
