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
from jb_watchdesk.domain.record import Inspection, InspectionRow, NewInspection
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.codec import from_db, to_db

BATCH_ROWS: Final = 5_000


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


_ROW_COLUMNS: Final = """i.id, i.recorded_at, i.kind, i.account_id, ifnull(a.name, ''), ifnull(a.unit, ''),
               ifnull(a.platform, ''), i.officer, i.checks, i.finding, i.action, i.corrects_id, i.hash"""


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
