"""SQL for inspections (automatic, manual, corrections), each with its ledger row.

Reads stream in batches (``BATCH_ROWS``) so a 12-hour shift over a thousand accounts never sits
in memory twice.

Automatic inspections are kept per poll cycle (migration 0009): one ``inspection_cycles`` row
(when, which shift, ``first_id`` and how many accounts) and one ledger row of kind
``auto_inspections`` whose payload says what every inspection of the cycle found, grouped by
result::

    {"accounts": 1000, "first_id": 5001, "recorded_at": "2026-11-25T00:10:00.000000+00:00",
     "shift_id": 3, "results": [{"accounts": "1-17,19-1000", "freshness": "ok", "health": "ok",
                                 "new_alerts": 0, "reason": ""},
                                {"accounts": "18", "freshness": "veto", "health": "failing",
                                 "new_alerts": 0, "reason": "HTTP 500"}]}

``accounts`` in a group lists account ids as ascending ranges (``1-17,19``); the groups are
sorted by their result and together name each polled account once. The cycle's inspections
take the ids ``first_id`` … ``first_id + accounts - 1`` in ascending account order, from the same
sequence as the rows of ``inspections``, so every automatic inspection keeps an id of its own.
About 150 bytes per account per cycle became some 3 KB per cycle for a thousand accounts; the
ledger row is the only place the results are written, so the chain's hash covers them and
``verify`` compares the cycle row with it. Rows written before 0009 (one per account, each
with its ledger row) stay as they are and are read alongside.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Final, NamedTuple

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
    """One inspection by id, of either form; raises NotFound."""
    row = db.execute(f"SELECT {_INSPECTION_COLUMNS} FROM inspections WHERE id = ?", [inspection_id]).fetchone()  # noqa: S608
    if row is not None:
        return _inspection(row)
    cycle = db.execute(
        f"{_CYCLE_SELECT} WHERE c.first_id <= ? ORDER BY c.first_id DESC LIMIT 1", [inspection_id]  # noqa: S608 - constant
    ).fetchone()
    if cycle is not None:
        _cycle_id, recorded_at, shift_id, first_id, payload, digest = cycle
        results = decode_results(json.loads(payload)["results"])
        if inspection_id - first_id < len(results):
            result = results[inspection_id - first_id]
            recorded = from_db(recorded_at)
            assert recorded is not None
            return Inspection(
                id=inspection_id, shift_id=shift_id, account_id=result.account_id, kind="auto", recorded_at=recorded,
                officer="", checks=json.loads(result.checks()), finding="", action="", corrects_id=None, hash=digest,
            )
    raise NotFound("inspect.not_found", inspection_id=inspection_id)


class AutoResult(NamedTuple):
    """What one automatic inspection found: codes of ``Freshness`` and ``Health``, the health
    reason as the connector gave it, and the sensitive-content alerts the cycle raised."""

    account_id: int
    freshness: str
    health: str
    health_reason: str = ""
    new_alerts: int = 0

    def checks(self) -> str:
        """The ``checks`` JSON an automatic inspection is listed with (``InspectionRow.checks``)."""
        return audit.canonical_json(
            {"freshness": self.freshness, "health": self.health, "health_reason": self.health_reason, "new_alerts": self.new_alerts}
        )


def encode_ids(ids: Iterable[int]) -> str:
    """Account ids as ascending ranges: ``[1, 2, 3, 7, 9, 10]`` → ``"1-3,7,9-10"``."""
    parts: list[str] = []
    run: list[int] = []
    for value in sorted(set(ids)):
        if run and value == run[1] + 1:
            run[1] = value
            continue
        if run:
            parts.append(str(run[0]) if run[0] == run[1] else f"{run[0]}-{run[1]}")
        run = [value, value]
    if run:
        parts.append(str(run[0]) if run[0] == run[1] else f"{run[0]}-{run[1]}")
    return ",".join(parts)


def decode_ids(text: str) -> list[int]:
    """The inverse of :func:`encode_ids`."""
    ids: list[int] = []
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        ids.extend(range(int(low), int(high or low) + 1))
    return ids


def encode_results(results: Iterable[AutoResult]) -> list[dict[str, object]]:
    """A cycle's results grouped by what they found (the payload's ``results``), one per account
    (the last one given wins), in a canonical order."""
    by_account = {r.account_id: r for r in results}
    groups: dict[tuple[str, str, str, int], list[int]] = {}
    for r in by_account.values():
        groups.setdefault((r.freshness, r.health, r.health_reason, r.new_alerts), []).append(r.account_id)
    return [
        {"accounts": encode_ids(ids), "freshness": f, "health": h, "new_alerts": n, "reason": reason}
        for (f, h, reason, n), ids in sorted(groups.items())
    ]


def decode_results(groups: Sequence[dict[str, Any]]) -> list[AutoResult]:
    """The inverse of :func:`encode_results`, in ascending account order (the ids' order)."""
    out = [
        AutoResult(account_id, str(g["freshness"]), str(g["health"]), str(g["reason"]), int(g["new_alerts"]))
        for g in groups
        for account_id in decode_ids(str(g["accounts"]))
    ]
    out.sort(key=lambda r: r.account_id)
    return out


def _next_inspection_id(db: Database) -> int:
    """The next id free in both forms (rows of ``inspections`` and the ranges of cycles)."""
    row = db.execute(
        """SELECT max(ifnull((SELECT max(id) FROM inspections), 0),
                      ifnull((SELECT first_id + accounts - 1 FROM inspection_cycles ORDER BY first_id DESC LIMIT 1), 0)) + 1"""
    ).fetchone()
    return int(row[0])


def add_cycle(db: Database, results: Sequence[AutoResult], *, shift_id: int | None, now: datetime) -> int:
    """Record one poll cycle's automatic inspections (one per account in ``results``) as a cycle
    row and its ledger row, in one transaction; returns how many inspections it holds."""
    groups = encode_results(results)
    count = len({r.account_id for r in results})
    if not count:
        return 0
    recorded = to_db(now)
    with db.atomic():
        first_id = _next_inspection_id(db)
        cycle_id = int(db.execute("SELECT ifnull(max(id), 0) + 1 FROM inspection_cycles").fetchone()[0])
        payload = {"recorded_at": recorded, "shift_id": shift_id, "first_id": first_id, "accounts": count, "results": groups}
        audit.append(db, audit.Entry(audit.AUTO_INSPECTIONS, payload, "inspection_cycles", cycle_id), now=now)
        db.execute(
            "INSERT INTO inspection_cycles (id, recorded_at, shift_id, first_id, accounts) VALUES (?, ?, ?, ?, ?)",
            [cycle_id, recorded, shift_id, first_id, count],
        )
    return count


_CYCLE_SELECT: Final = f"""
    SELECT c.id, c.recorded_at, c.shift_id, c.first_id, l.payload, l.hash
    FROM inspection_cycles c
    JOIN ledger l ON l.ref_table = 'inspection_cycles' AND l.ref_id = c.id AND l.kind = '{audit.AUTO_INSPECTIONS}'
"""  # noqa: S608 - constant fragments


def add_inspections(db: Database, items: Sequence[NewInspection], *, shift_id: int | None, now: datetime) -> list[int]:
    """Record inspections and their ledger rows in one transaction; returns the new ids in order."""
    if not items:
        return []
    recorded = to_db(now)
    with db.atomic():
        first_id = _next_inspection_id(db)
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
    where = "{t}.recorded_at >= ? AND {t}.recorded_at < ?"
    params: list[object] = [to_db(start), to_db(end)]
    if shift_id is not None:
        where = "{t}.shift_id = ?"
        params = [shift_id]
    cursor = db.execute(
        f"""
        SELECT {_ROW_COLUMNS}
        FROM inspections i LEFT JOIN accounts a ON a.id = i.account_id
        WHERE {where.format(t="i")} ORDER BY i.recorded_at, i.id
        """,  # noqa: S608 - the WHERE clause is one of two constants
        params,
    )

    def rows() -> Iterator[InspectionRow]:
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield from map(InspectionRow._make, batch)

    cycles = db.execute(f"{_CYCLE_SELECT} WHERE {where.format(t='c')} ORDER BY c.recorded_at, c.first_id", params)  # noqa: S608
    yield from heapq.merge(rows(), _cycle_rows(db, cycles), key=lambda row: (row.recorded_at, row.id))


def _cycle_rows(db: Database, cycles: Iterable[Sequence[Any]]) -> Iterator[InspectionRow]:
    """Each cycle's automatic inspections as rows, in id order."""
    accounts: dict[int, tuple[str, str, str]] | None = None
    for _cycle_id, recorded_at, _shift_id, first_id, payload, digest in cycles:
        if accounts is None:  # read once, and only when there is a cycle to list
            accounts = {int(r[0]): (r[1], r[2], r[3]) for r in db.execute("SELECT id, name, unit, platform FROM accounts")}
        for offset, result in enumerate(decode_results(json.loads(payload)["results"])):
            name, unit, platform = accounts.get(result.account_id, ("", "", ""))
            yield InspectionRow(
                first_id + offset, recorded_at, "auto", result.account_id, name, unit, platform, "", result.checks(), "", "",
                None, digest,
            )


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
    """How many inspections of each kind (``auto``, ``manual``, ``correction``), of both forms."""
    where, params = (
        ("shift_id = ?", [shift_id]) if shift_id is not None else ("recorded_at >= ? AND recorded_at < ?", [to_db(start), to_db(end)])
    )
    rows = db.execute(
        f"""SELECT kind, COUNT(*) FROM inspections WHERE {where} GROUP BY kind
            UNION ALL SELECT 'auto', SUM(accounts) FROM inspection_cycles WHERE {where}""",  # noqa: S608 - constants
        params * 2,
    )
    counts: dict[str, int] = {}
    for kind, n in rows.fetchall():
        if n:
            counts[kind] = counts.get(kind, 0) + int(n)
    return counts


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
    """Every account's standing readings recorded by ``now`` (and made after ``since``), in the order
    they were made. A correction stands in the place of the reading it corrects: its
    ``recorded_at`` is that reading's (the facts are of that moment), so a count corrected days
    later still covers the interval the officer read then."""
    floor = to_db(since) if since else ""
    params: dict[str, object] = {"now": to_db(now), "since": floor}
    cursor = db.execute(
        f"""
        SELECT i.id, i.account_id, i.recorded_at, i.officer, i.latest_post_at, i.posts_seen, i.comments_waiting, i.link,
               i.corrects_id
        FROM inspections i INDEXED BY inspections_reading
        WHERE {_STANDING} AND i.recorded_at > :since
        """,  # noqa: S608 - constant fragment
        params,
    )
    placed = []
    for row in cursor.fetchall():
        made = str(row[2]) if row[8] is None else _made_at(db, int(row[8]), default=str(row[2]))
        if made > floor:
            placed.append((int(row[1]), made, int(row[0]), (row[0], row[1], made, *row[3:8])))
    placed.sort(key=lambda item: item[:3])
    found: dict[int, list[StoredReading]] = {}
    for account_id, _made, _id, row in placed:
        found.setdefault(account_id, []).append(_stored_reading(row))
    return found


def _made_at(db: Database, reading_id: int, *, default: str) -> str:
    """When the reading ``reading_id`` was made: for a correction, the reading it corrects (through
    a chain of corrections, the first); ``default`` when the chain cannot be followed. Corrections
    are few, so they are followed one row at a time, by primary key."""
    made = default
    for _ in range(1000):  # a chain longer than this is not an officer's
        row = db.execute("SELECT corrects_id, recorded_at FROM inspections WHERE id = ?", [reading_id]).fetchone()
        if row is None:
            break
        made = str(row[1])
        if row[0] is None:
            break
        reading_id = int(row[0])
    return made


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
