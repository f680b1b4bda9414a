"""An officer's actions on a public comment: acknowledged (§3.7's one hour) and done (the result).

Each action is written together with its ledger row, in one transaction, so the duty record
and the comment queue never disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from jb_watchdesk.domain.errors import InputError, NotFound
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.codec import to_db


def _comment(db: Database, comment_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM comments WHERE id = ?", [comment_id]))
    if not rows:
        raise NotFound("comment.not_found", comment_id=comment_id)
    return rows[0]


def acknowledge(db: Database, comment_id: int, *, officer: str, note: str, now: datetime) -> None:
    """Record that the public was told their comment is being handled."""
    with db.atomic():
        row = _comment(db, comment_id)
        if row["acked_at"] is not None:
            raise InputError("comment.already_acked", comment_id=comment_id)
        stamp = to_db(now)
        db.execute(
            "UPDATE comments SET acked_at = ?, acked_by = ?, ack_note = ?, updated_at = ? WHERE id = ?",
            [stamp, officer, note, stamp, comment_id],
        )
        audit.append(
            db,
            audit.Entry(
                kind=audit.COMMENT_ACTION,
                ref_table="comments",
                ref_id=comment_id,
                payload={"action": "acknowledged", "officer": officer, "note": note, "account_id": row["account_id"]},
            ),
            now=now,
        )


def mark_done(db: Database, comment_id: int, *, officer: str, note: str, now: datetime) -> None:
    """Record that the result was given; an unacknowledged comment is acknowledged at the same time."""
    with db.atomic():
        row = _comment(db, comment_id)
        if row["done_at"] is not None:
            raise InputError("comment.already_done", comment_id=comment_id)
        stamp = to_db(now)
        db.execute(
            """UPDATE comments SET done_at = ?, done_by = ?, done_note = ?, updated_at = ?,
               acked_at = COALESCE(acked_at, ?), acked_by = COALESCE(acked_by, ?) WHERE id = ?""",
            [stamp, officer, note, stamp, stamp, officer, comment_id],
        )
        audit.append(
            db,
            audit.Entry(
                kind=audit.COMMENT_ACTION,
                ref_table="comments",
                ref_id=comment_id,
                payload={"action": "done", "officer": officer, "note": note, "account_id": row["account_id"]},
            ),
            now=now,
        )
