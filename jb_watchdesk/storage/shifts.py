"""SQL for shifts and the handover: each change appends its ledger row in the same transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from jb_watchdesk.domain.errors import InputError, NotFound
from jb_watchdesk.domain.record import Shift
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.codec import from_db, to_db


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
    """Close an open shift with the outgoing officer's note, or force-close it with a reason.

    Alerts the officer deferred come back (their deferral ends with the shift)."""
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
        # "Defer until the end of the shift" ends here: the next officer sees every open alert.
        db.execute("UPDATE alerts SET deferred_until = NULL WHERE state = 'new' AND deferred_until > ?", [ended])
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
