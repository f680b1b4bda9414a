"""SQL for monitoring gaps: spans of time in which the desk watched nothing (quit, pause, crash,
sleep). Each start and each end of a gap is a ledger row (``monitoring_gap``), in the same unit
of work as the row it records; a gap row is never deleted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from sqlite_utils import Database

from jb_watchdesk.storage import audit
from jb_watchdesk.storage.codec import to_db

CAUSES: Final = ("quit", "pause", "crash", "unknown")
LIST_LIMIT: Final = 10_000


def _payload(row: Mapping[str, Any], event: str) -> dict[str, object]:
    return {
        "event": event,
        "started_at": row["started_at"],
        "ended_at": row["ended_at"],
        "cause": row["cause"],
        "reason": row["reason"],
        "officer": row["officer"],
    }


def _get(db: Database, gap_id: int) -> dict[str, Any]:
    return dict(next(iter(db.query("SELECT * FROM gaps WHERE id = ?", [gap_id]))))


def add_gap(
    db: Database,
    *,
    started_at: datetime,
    ended_at: datetime | None,
    cause: str,
    reason: str,
    officer: str,
    now: datetime,
) -> dict[str, Any]:
    """A gap, open (``ended_at`` None: closed by the next completed cycle) or already closed; one
    ledger row (``event``: ``start``, or ``recorded`` for a gap known whole)."""
    if cause not in CAUSES:
        raise ValueError(f"unknown gap cause {cause!r}")
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO gaps (started_at, ended_at, cause, reason, officer, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            [to_db(started_at), to_db(ended_at), cause, reason, officer, to_db(now)],
        )
        row = _get(db, int(cursor.lastrowid or 0))
        event = "start" if ended_at is None else "recorded"
        audit.append(db, audit.Entry(audit.MONITORING_GAP, _payload(row, event), "gaps", row["id"]), now=now)
        return row


def close_open_gaps(db: Database, *, at: datetime, now: datetime, causes: tuple[str, ...] = CAUSES) -> list[dict[str, Any]]:
    """End every open gap (of ``causes``) at ``at`` — never before it started; one ledger row each
    (``event``: ``end``). Returns the gaps as closed, oldest first."""
    marks = ", ".join("?" for _ in causes)
    with db.atomic():
        rows = list(db.query(f"SELECT * FROM gaps WHERE ended_at IS NULL AND cause IN ({marks}) ORDER BY started_at, id", list(causes)))  # noqa: S608
        closed = []
        for row in rows:
            end = max(row["started_at"], to_db(at))
            db.execute("UPDATE gaps SET ended_at = ? WHERE id = ?", [end, row["id"]])
            row = _get(db, row["id"])
            audit.append(db, audit.Entry(audit.MONITORING_GAP, _payload(row, "end"), "gaps", row["id"]), now=now)
            closed.append(row)
        return closed


def open_gaps(db: Database) -> list[dict[str, Any]]:
    """Gaps whose end is not known yet, oldest first."""
    return [dict(r) for r in db.query("SELECT * FROM gaps WHERE ended_at IS NULL ORDER BY started_at, id")]


def gaps_between(
    db: Database, *, start: datetime | None = None, end: datetime | None = None, limit: int = LIST_LIMIT
) -> list[dict[str, Any]]:
    """Gaps that overlap ``[start, end)`` (open ones reach to now), oldest first."""
    where: list[str] = []
    params: list[object] = []
    if end is not None:
        where.append("started_at < ?")
        params.append(to_db(end))
    if start is not None:
        where.append("(ended_at IS NULL OR ended_at > ?)")
        params.append(to_db(start))
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    params.append(limit)
    return [dict(r) for r in db.query(f"SELECT * FROM gaps {clause} ORDER BY started_at, id LIMIT ?", params)]  # noqa: S608
