"""SQL for inspections (automatic, manual, corrections), each with its ledger row.

Reads stream in batches (``BATCH_ROWS``) so a 12-hour shift over a thousand accounts never sits
in memory twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Final

from sqlite_utils import Database

from jb_watchdesk.domain.errors import NotFound
from jb_watchdesk.domain.record import Inspection, InspectionRow, NewInspection, Reading, StoredReading
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.codec import from_db, to_db

BATCH_ROWS: Final = 5_000


def _inspection(row: Sequence[Any]) -> Inspection:
    recorded = from_db(row[4])
    assert recorded is not None
    latest = from_db(row[11])
    reading = None if latest is None else Reading(latest_post_at=latest, posts_seen=row[12], comments_waiting=row[13], link=row[14])
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
        reading=reading,
    )


_INSPECTION_COLUMNS: Final = (
    "id, shift_id, account_id, kind, recorded_at, officer, checks, finding, action, corrects_id, hash,"
    " latest_post_at, posts_seen, comments_waiting, link"
)


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
            if item.reading is not None:
                # Only a reading carries these keys, so the ledger rows of other inspections keep their shape.
                record.update(
                    latest_post_at=to_db(item.reading.latest_post_at),
                    posts_seen=item.reading.posts_seen,
                    comments_waiting=item.reading.comments_waiting,
                    link=item.reading.link,
                )
            corrects_seq = None
            if item.corrects_id is not None:
                corrected = db.execute(
                    "SELECT seq FROM ledger WHERE ref_table = 'inspections' AND ref_id = ? ORDER BY seq LIMIT 1",
                    [item.corrects_id],
                ).fetchone()
                corrects_seq = None if corrected is None else int(corrected[0])
            kind = audit.CORRECTION if item.kind == "correction" else audit.READING if item.reading else audit.INSPECTION
            records.append(record)
            entries.append(audit.Entry(kind, record, "inspections", first_id + offset, corrects_seq))
        ledger_rows = audit.append_many(db, entries, now=now)
        db.conn.executemany(
            "INSERT INTO inspections (id, shift_id, account_id, kind, recorded_at, officer, checks, finding, action,"
            " corrects_id, prev_hash, hash, latest_post_at, posts_seen, comments_waiting, link)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r["id"], r["shift_id"], r["account_id"], r["kind"], r["recorded_at"], r["officer"],
                    audit.canonical_json(r["checks"]),  # type: ignore[arg-type]
                    r["finding"], r["action"], r["corrects_id"], row.prev_hash, row.hash,
                    r.get("latest_post_at"), r.get("posts_seen"), r.get("comments_waiting"), r.get("link", ""),
                )
                for r, row in zip(records, ledger_rows, strict=True)
            ],
        )
    return [first_id + i for i in range(len(items))]


_ROW_COLUMNS: Final = """i.id, i.recorded_at, i.kind, i.account_id, ifnull(a.name, ''), ifnull(a.unit, ''),
               ifnull(a.platform, ''), i.officer, i.checks, i.finding, i.action, i.corrects_id, i.hash,
               i.latest_post_at, i.posts_seen, i.comments_waiting, i.link"""


def iter_inspections(
    db: Database, *, start: datetime, end: datetime, shift_id: int | None = None
) -> Iterator[InspectionRow]:
    """Inspections in ``[start, end)`` (or of one shift), oldest first, streamed in batches
    (a shift can hold 70,000 rows)."""
    where = "i.recorded_at >= ? AND i.recorded_at < ?"
    params: list[object] = [to_db(start), to_db(end)]
    if shift_id is not None:
        where = "i.shift_id = ?"
        params = [shift_id]
    cursor = db.execute(
        f"""
        SELECT {_ROW_COLUMNS}
        FROM inspections i LEFT JOIN accounts a ON a.id = i.account_id
        WHERE {where} ORDER BY i.recorded_at, i.id
        """,  # noqa: S608 - the WHERE clause is one of two constants
        params,
    )
    while batch := cursor.fetchmany(BATCH_ROWS):
        yield from map(InspectionRow._make, batch)


def recent_manual(db: Database, *, shift_id: int, limit: int) -> list[InspectionRow]:
    """The shift's last ``limit`` manual inspections and corrections, newest first."""
    cursor = db.execute(
        f"""
        SELECT {_ROW_COLUMNS}
        FROM inspections i LEFT JOIN accounts a ON a.id = i.account_id
        WHERE i.shift_id = ? AND i.kind != 'auto'
        ORDER BY i.recorded_at DESC, i.id DESC LIMIT ?
        """,  # noqa: S608 - fixed column list
        [shift_id, max(0, limit)],
    )
    return [InspectionRow._make(row) for row in cursor.fetchall()]


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


# A reading counts unless a later reading of the same account corrects it (``inspect --corrects``
# with the reading's facts); the partial index ``inspections_reading`` answers both sides.
_STANDING = """i.latest_post_at IS NOT NULL AND i.account_id IS NOT NULL AND i.recorded_at <= :now
    AND NOT EXISTS (
        SELECT 1 FROM inspections c INDEXED BY inspections_reading
        WHERE c.account_id = i.account_id AND c.latest_post_at IS NOT NULL AND c.corrects_id = i.id
          AND c.recorded_at <= :now
    )"""


def _stored_reading(row: Sequence[Any]) -> StoredReading:
    recorded, latest = from_db(row[2]), from_db(row[4])
    assert recorded is not None and latest is not None
    return StoredReading(
        id=row[0], account_id=row[1], recorded_at=recorded, officer=row[3],
        reading=Reading(latest_post_at=latest, posts_seen=row[5], comments_waiting=row[6], link=row[7]),
    )


def readings(db: Database, *, now: datetime, since: datetime | None = None) -> dict[int, list[StoredReading]]:
    """Every account's standing readings recorded by ``now`` (and after ``since``), oldest first."""
    params: dict[str, object] = {"now": to_db(now), "since": to_db(since) if since else ""}
    cursor = db.execute(
        f"""
        SELECT i.id, i.account_id, i.recorded_at, i.officer, i.latest_post_at, i.posts_seen, i.comments_waiting, i.link
        FROM inspections i INDEXED BY inspections_reading
        WHERE {_STANDING} AND i.recorded_at > :since
        ORDER BY i.account_id, i.recorded_at, i.id
        """,  # noqa: S608 - constant fragment
        params,
    )
    found: dict[int, list[StoredReading]] = {}
    for row in cursor.fetchall():
        found.setdefault(int(row[1]), []).append(_stored_reading(row))
    return found


def reading_span(db: Database, *, now: datetime) -> dict[int, tuple[datetime, datetime]]:
    """Per account with a standing reading by ``now``: (first reading's time, latest post ever seen)."""
    rows = db.execute(
        f"""
        SELECT i.account_id, min(i.recorded_at), max(min(i.latest_post_at, :now))
        FROM inspections i INDEXED BY inspections_reading
        WHERE {_STANDING}
        GROUP BY i.account_id
        """,  # noqa: S608 - constant fragment
        {"now": to_db(now)},
    ).fetchall()
    span: dict[int, tuple[datetime, datetime]] = {}
    for account_id, first, latest in rows:
        first_at, latest_at = from_db(first), from_db(latest)
        assert first_at is not None and latest_at is not None
        span[int(account_id)] = (first_at, latest_at)
    return span


def last_readings(db: Database, *, now: datetime) -> dict[int, StoredReading]:
    """Every account's latest standing reading recorded by ``now``."""
    cursor = db.execute(
        f"""
        SELECT i.id, i.account_id, i.recorded_at, i.officer, i.latest_post_at, i.posts_seen, i.comments_waiting, i.link
        FROM inspections i INDEXED BY inspections_reading
        WHERE {_STANDING} AND NOT EXISTS (
            SELECT 1 FROM inspections n INDEXED BY inspections_reading
            WHERE n.account_id = i.account_id AND n.latest_post_at IS NOT NULL AND n.recorded_at <= :now
              AND (n.recorded_at > i.recorded_at OR (n.recorded_at = i.recorded_at AND n.id > i.id))
              AND NOT EXISTS (
                  SELECT 1 FROM inspections c INDEXED BY inspections_reading
                  WHERE c.account_id = n.account_id AND c.latest_post_at IS NOT NULL AND c.corrects_id = n.id
                    AND c.recorded_at <= :now
              )
        )
        """,  # noqa: S608 - constant fragment
        {"now": to_db(now)},
    )
    return {int(row[1]): _stored_reading(row) for row in cursor.fetchall()}
