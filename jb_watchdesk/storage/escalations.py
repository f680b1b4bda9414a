"""Escalations in the database: what waits past its deadline, and each step taken (once).

Three things escalate (``escalations.subject``): a live high alert nobody acknowledged, a
public comment not acknowledged within its hour, and an emergency activation whose first
post did not follow within two hours. Each step of each one is one row of ``escalations``
(UNIQUE per subject, id and step), written in the same transaction as its ledger row; an
alert's first step also sets ``alerts.escalated_at`` and each its ``escalation_step``.

Backlog never escalates: alerts flagged backlog, and comments the desk found already there
(read by their account's first poll, or more than a day old when first seen).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlite_utils import Database

from jb_watchdesk.domain.alerts import BACKLOG_AGE
from jb_watchdesk.domain.rules import EMERGENCY_FIRST_POST_WITHIN
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.codec import from_db, to_db

MESSAGE_STEP: Final = 2
"""The step that messages the leader on duty."""

ALERT: Final = "alert"
COMMENT: Final = "comment"
EMERGENCY: Final = "emergency"
MAX_STEP: Final = 2


@dataclass(frozen=True, slots=True)
class Open:
    """One thing past (or near) its escalation deadline, still not handled, with what a message names.

    ``step`` is the last step taken (0: none yet) and ``step_at`` when the first one was.
    ``since`` is when the thing itself happened (the post published, the comment written, the
    plan activated); ``started`` is when its clock started (the alert raised, the comment written,
    the plan activated). ``what`` is a code (an alert's category) or an officer's title."""

    subject: str
    ref_id: int
    started: datetime
    step: int
    step_at: datetime | None
    since: datetime | None
    account: str = ""
    platform: str = ""
    what: str = ""
    severity: str = ""


@dataclass(frozen=True, slots=True)
class StepRow:
    """One step taken, as the handover and the doctor read it."""

    id: int
    subject: str
    ref_id: int
    step: int
    at: datetime
    outcome: tuple[Mapping[str, Any], ...]

    @property
    def failed(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(item for item in self.outcome if not item.get("ok"))


def open_alerts(db: Database, *, raised_by: datetime) -> list[Open]:
    """New, live, high alerts raised at or before ``raised_by`` or already escalated (alerts from
    before escalation existed carry step -1 and never escalate)."""
    rows = db.query(
        """
        SELECT al.id, al.raised_at, al.escalation_step, al.escalated_at, al.published_at, al.category, al.severity,
               ac.name AS account, ac.platform
        FROM alerts al JOIN accounts ac ON ac.id = al.account_id
        WHERE al.state = 'new' AND al.backlog = 0 AND al.severity = 'high' AND al.escalation_step >= 0
          AND (al.raised_at <= ? OR al.escalation_step > 0)
        ORDER BY al.raised_at, al.id
        """,
        [to_db(raised_by)],
    )
    found = []
    for row in rows:
        raised = from_db(row["raised_at"])
        assert raised is not None
        found.append(
            Open(
                subject=ALERT,
                ref_id=int(row["id"]),
                started=raised,
                step=int(row["escalation_step"] or 0),
                step_at=from_db(row["escalated_at"]),
                since=from_db(row["published_at"]) or raised,
                account=str(row["account"]),
                platform=str(row["platform"]),
                what=str(row["category"]),
                severity=str(row["severity"]),
            )
        )
    return found


_STEP_COLUMNS: Final = """
    (SELECT MAX(e.step) FROM escalations e WHERE e.subject = :subject AND e.ref_id = {table}.id) AS step,
    (SELECT e.at FROM escalations e WHERE e.subject = :subject AND e.ref_id = {table}.id AND e.step = 1) AS step_at
"""


def open_comments(db: Database, *, due_by: datetime) -> list[Open]:
    """Comments whose acknowledgement was due at or before ``due_by`` and is still missing, left
    out those the desk found already there (see the module's docstring)."""
    backlog_days = BACKLOG_AGE / timedelta(days=1)
    rows = db.query(
        f"""
        SELECT c.id, c.created_at, c.ack_due, ac.name AS account, ac.platform, {_STEP_COLUMNS.format(table="c")}
        FROM comments c JOIN accounts ac ON ac.id = c.account_id
        WHERE c.acked_at IS NULL AND c.done_at IS NULL AND c.deleted_at IS NULL AND c.ack_due <= :due_by
          AND ac.first_polled_at IS NOT NULL AND c.first_seen_at > ac.first_polled_at
          AND julianday(c.created_at) >= julianday(c.first_seen_at) - :backlog_days
        ORDER BY c.ack_due, c.id
        """,  # noqa: S608 - constant fragments
        {"subject": COMMENT, "due_by": to_db(due_by), "backlog_days": backlog_days},
    )
    found = []
    for row in rows:
        created = from_db(row["created_at"])
        assert created is not None
        found.append(
            Open(
                subject=COMMENT,
                ref_id=int(row["id"]),
                started=created,
                step=int(row["step"] or 0),
                step_at=from_db(row["step_at"]),
                since=created,
                account=str(row["account"]),
                platform=str(row["platform"]),
            )
        )
    return found


def open_emergencies(db: Database, *, activated_by: datetime) -> list[Open]:
    """Activations at or before ``activated_by`` still waiting for their first post."""
    rows = db.query(
        f"""
        SELECT em.id, em.title, em.activated_at, {_STEP_COLUMNS.format(table="em")}
        FROM emergencies em
        WHERE em.first_post_id IS NULL AND em.closed_at IS NULL AND em.cancelled_at IS NULL AND em.activated_at <= :activated_by
        ORDER BY em.activated_at, em.id
        """,  # noqa: S608 - constant fragments
        {"subject": EMERGENCY, "activated_by": to_db(activated_by)},
    )
    found = []
    for row in rows:
        activated = from_db(row["activated_at"])
        assert activated is not None
        found.append(
            Open(
                subject=EMERGENCY,
                ref_id=int(row["id"]),
                started=activated,
                step=int(row["step"] or 0),
                step_at=from_db(row["step_at"]),
                since=activated,
                what=str(row["title"]),
            )
        )
    return found


def open_subjects(db: Database, *, now: datetime, after: timedelta) -> list[Open]:
    """Everything that may need a step at ``now`` (alerts ``after`` their raising, comments past their
    acknowledgement deadline, plans past their two hours), with what was done so far."""
    return [
        *open_alerts(db, raised_by=now - after),
        *open_comments(db, due_by=now),
        *open_emergencies(db, activated_by=now - EMERGENCY_FIRST_POST_WITHIN),
    ]


def still_open(db: Database, subject: str, ref_id: int) -> bool:
    """Whether nobody handled the thing since it was read (checked again just before a step)."""
    if subject == ALERT:
        sql = "SELECT 1 FROM alerts WHERE id = ? AND state = 'new'"
    elif subject == COMMENT:
        sql = "SELECT 1 FROM comments WHERE id = ? AND acked_at IS NULL AND done_at IS NULL AND deleted_at IS NULL"
    else:
        sql = "SELECT 1 FROM emergencies WHERE id = ? AND first_post_id IS NULL AND closed_at IS NULL AND cancelled_at IS NULL"
    return db.execute(sql, [ref_id]).fetchone() is not None


def record_step(
    db: Database,
    *,
    subject: str,
    ref_id: int,
    step: int,
    outcome: Sequence[Mapping[str, object]],
    details: Mapping[str, object],
    now: datetime,
) -> bool:
    """Record one step, once: the escalations row, its ledger row, and for an alert its columns.

    Returns False (and writes nothing) when this step was already taken or the thing was handled
    meanwhile. ``outcome`` is each channel's result (masked addresses only); ``details`` what the
    message said about the thing (no personal data), for the ledger."""
    if not 0 < step <= MAX_STEP:
        raise ValueError(f"no escalation step {step}")
    stamp = to_db(now)
    outcome_json = json.dumps(list(outcome), ensure_ascii=False, sort_keys=True)
    with db.atomic():
        if not still_open(db, subject, ref_id):
            return False
        verb = "INSERT OR IGNORE"
        if subject == ALERT:
            # The alert's own column says which steps this raising took; an alert raised again (new
            # after an acknowledgement) starts from 0 and escalates afresh, its old steps in the ledger.
            (taken,) = db.execute("SELECT escalation_step FROM alerts WHERE id = ?", [ref_id]).fetchone()
            if int(taken or 0) >= step:
                return False
            verb = "INSERT OR REPLACE"
        cursor = db.execute(
            f"{verb} INTO escalations (subject, ref_id, step, at, outcome) VALUES (?, ?, ?, ?, ?)",  # noqa: S608 - one of two verbs
            [subject, ref_id, step, stamp, outcome_json],
        )
        if cursor.rowcount != 1:
            return False
        if subject == ALERT:
            db.execute(
                "UPDATE alerts SET escalated_at = COALESCE(escalated_at, ?), escalation_step = MAX(escalation_step, ?) WHERE id = ?",
                [stamp, step, ref_id],
            )
        payload: dict[str, object] = {
            "subject": subject,
            "ref_id": ref_id,
            "step": step,
            "channels": [dict(item) for item in outcome],
            **dict(details),
        }
        entry = audit.Entry(kind=audit.ESCALATION, ref_table="escalations", ref_id=int(cursor.lastrowid or 0), payload=payload)
        audit.append(db, entry, now=now)
    return True


def undelivered_messages(db: Database) -> set[tuple[str, int]]:
    """The things whose message to the leader reached no channel yet and that are still open:
    the service tries again (the step stays taken; each try is in the ledger)."""
    found: set[tuple[str, int]] = set()
    for subject, ref_id, outcome in db.execute("SELECT subject, ref_id, outcome FROM escalations WHERE step = ?", [MESSAGE_STEP]):
        try:
            channels = json.loads(outcome or "[]")
        except ValueError:
            channels = []
        delivered = any(isinstance(item, dict) and item.get("ok") for item in channels)
        if not delivered and still_open(db, subject, ref_id):
            found.add((str(subject), int(ref_id)))
    return found


def record_retry(
    db: Database, *, subject: str, ref_id: int, outcome: Sequence[Mapping[str, object]], now: datetime
) -> None:
    """Another try at a message no channel had taken: its outcome replaces the failed one (the
    handover shows the latest), and the try is a ledger row of its own."""
    outcome_json = json.dumps(list(outcome), ensure_ascii=False, sort_keys=True)
    with db.atomic():
        row = db.execute(
            "SELECT id FROM escalations WHERE subject = ? AND ref_id = ? AND step = ?", [subject, ref_id, MESSAGE_STEP]
        ).fetchone()
        if row is None:
            return
        db.execute("UPDATE escalations SET outcome = ? WHERE id = ?", [outcome_json, row[0]])
        payload: dict[str, object] = {
            "subject": subject, "ref_id": ref_id, "step": MESSAGE_STEP, "retry": True, "channels": [dict(item) for item in outcome],
        }
        audit.append(db, audit.Entry(kind=audit.ESCALATION, ref_table="escalations", ref_id=int(row[0]), payload=payload), now=now)


def _step_row(row: Mapping[str, Any]) -> StepRow:
    at = from_db(row["at"])
    assert at is not None
    try:
        outcome = json.loads(row["outcome"] or "[]")
    except ValueError:
        outcome = []
    return StepRow(
        id=int(row["id"]),
        subject=str(row["subject"]),
        ref_id=int(row["ref_id"]),
        step=int(row["step"]),
        at=at,
        outcome=tuple(item for item in outcome if isinstance(item, dict)),
    )


def list_steps(db: Database, *, start: datetime | None = None, end: datetime | None = None) -> list[StepRow]:
    """The steps taken in ``[start, end)`` (either open), oldest first: what the handover lists."""
    where, params = [], []
    if start is not None:
        where.append("at >= ?")
        params.append(to_db(start))
    if end is not None:
        where.append("at < ?")
        params.append(to_db(end))
    condition = " AND ".join(where) or "1"
    return [_step_row(row) for row in db.query(f"SELECT * FROM escalations WHERE {condition} ORDER BY at, id", params)]  # noqa: S608


def last_message(db: Database) -> StepRow | None:
    """The newest message step (step 2) with each channel's outcome, if any was ever taken."""
    rows = db.query("SELECT * FROM escalations WHERE step = ? ORDER BY at DESC, id DESC LIMIT 1", [MAX_STEP])
    found = [_step_row(row) for row in rows]
    return found[0] if found else None
