"""SQL for emergency plan activations (§3.6) and the posts their 2-hour clocks are matched against."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from jb_watchdesk.domain.errors import InputError, NotFound
from jb_watchdesk.domain.record import Emergency
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.codec import from_db, to_db
from jb_watchdesk.storage.dashboard import COUNTED_POST


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
        cancelled_at=from_db(row["cancelled_at"]),
        cancelled_by=row["cancelled_by"] or "",
        cancel_reason=row["cancel_reason"] or "",
        corrects_id=row["corrects_id"],
    )


def add_emergency(
    db: Database,
    *,
    title: str,
    keywords: Sequence[str],
    officer: str,
    now: datetime,
    activated_at: datetime | None = None,
    corrects_id: int | None = None,
) -> Emergency:
    """A new activation (at ``now`` unless ``activated_at`` says otherwise: a correction keeps
    the activation time of the one it corrects) and its ledger row."""
    activated = to_db(activated_at or now)
    keywords_json = json.dumps(list(keywords), ensure_ascii=False)
    with db.atomic():
        cursor = db.execute(
            "INSERT INTO emergencies (title, keywords, activated_at, activated_by, corrects_id) VALUES (?, ?, ?, ?, ?)",
            [title, keywords_json, activated, officer, corrects_id],
        )
        emergency_id = int(cursor.lastrowid or 0)
        payload: dict[str, object] = {
            "title": title,
            "keywords": list(keywords),
            "keywords_json": keywords_json,
            "activated_at": activated,
            "activated_by": officer,
        }
        if corrects_id is not None:
            payload["corrects_id"] = corrects_id
        audit.append(db, audit.Entry(audit.EMERGENCY_START, payload, "emergencies", emergency_id), now=now)
        return get_emergency(db, emergency_id)


def cancel_emergency(
    db: Database, *, emergency_id: int, officer: str, reason: str, now: datetime, replaced_by: int | None = None
) -> Emergency:
    """Stop an activation's clock for good, with who and why (a new ledger row; the activation's
    own row keeps what was typed). ``replaced_by`` names the correction that takes its place."""
    with db.atomic():
        current = get_emergency(db, emergency_id)
        if current.cancelled_at is not None:
            raise InputError("emergency.already_cancelled", emergency_id=emergency_id, at=current.cancelled_at.isoformat())
        at = to_db(now)
        db.execute(
            "UPDATE emergencies SET cancelled_at = ?, cancelled_by = ?, cancel_reason = ? WHERE id = ?",
            [at, officer, reason, emergency_id],
        )
        payload: dict[str, object] = {"cancelled_at": at, "officer": officer, "reason": reason}
        if replaced_by is not None:
            payload["replaced_by"] = replaced_by
        audit.append(db, audit.Entry(audit.EMERGENCY_CANCEL, payload, "emergencies", emergency_id), now=now)
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
    rows = db.query(
        "SELECT * FROM emergencies WHERE first_post_id IS NULL AND closed_at IS NULL AND cancelled_at IS NULL ORDER BY activated_at"
    )
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


def last_post_id(db: Database) -> int:
    """The highest post id stored (0 when none)."""
    return int(db.execute("SELECT ifnull(max(id), 0) FROM posts").fetchone()[0])


def posts_to_match(db: Database, *, since: datetime, after_id: int | None) -> tuple[list[dict[str, Any]], int]:
    """Posts published since ``since`` and stored after post ``after_id`` (None: any), with the
    highest post id stored now (0 when none): the next call passes it as ``after_id``."""
    through = last_post_id(db)
    posts = db.query(
        f"SELECT id, account_id, title, body, published_at FROM posts"  # noqa: S608 - a constant predicate
        f" WHERE {COUNTED_POST} AND published_at >= ? AND id > ? AND id <= ? ORDER BY published_at, id",
        [to_db(since), after_id or 0, through],
    )
    return list(posts), through


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


def correct_emergency(
    db: Database,
    *,
    emergency_id: int,
    title: str,
    keywords: Sequence[str],
    officer: str,
    reason: str,
    activated_at: datetime,
    now: datetime,
) -> tuple[Emergency, Emergency]:
    """Cancel an activation and record the one that replaces it, in one unit of work:
    ``(cancelled, correction)``. The correction names the one it corrects (``corrects_id``)."""
    with db.atomic():
        get_emergency(db, emergency_id)
        correction = add_emergency(
            db, title=title, keywords=keywords, officer=officer, now=now, activated_at=activated_at, corrects_id=emergency_id
        )
        cancelled = cancel_emergency(db, emergency_id=emergency_id, officer=officer, reason=reason, now=now, replaced_by=correction.id)
        return cancelled, correction
