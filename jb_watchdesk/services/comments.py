"""The public-comment queue: each comment with its §3.7 deadlines and where it stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from jb_watchdesk.domain import rules
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import CommentSla, CommentState, Deadline
from jb_watchdesk.services.fields import MAX_NAME, MAX_TEXT, clean_field
from jb_watchdesk.storage import comment_actions, dashboard
from jb_watchdesk.storage.codec import from_db
from jb_watchdesk.storage.db import Store


@dataclass(frozen=True, slots=True)
class CommentRow:
    id: int
    account_id: int
    account_name: str
    post_id: int | None
    author: str
    text: str
    created_at: datetime
    ack_due: datetime
    result_due: datetime
    result_due_estimated: bool
    acked_at: datetime | None
    done_at: datetime | None
    state: CommentState

    @property
    def next_due(self) -> datetime | None:
        """The deadline the comment waits on next: its acknowledgement until an officer gave it,
        then its result; None once it is done. An overdue comment's next deadline has passed.
        (``acked_at`` of a listed row is as of the listing's "now".)"""
        if self.state is CommentState.DONE:
            return None
        if self.acked_at is not None:
            return self.result_due
        return self.ack_due

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "account_id": self.account_id,
            "post_id": self.post_id,
            "author": self.author,
            "text": self.text,
            "created_at": self.created_at.isoformat(),
            "ack_due": self.ack_due.isoformat(),
            "result_due": self.result_due.isoformat(),
            "result_due_estimated": self.result_due_estimated,
            "acked_at": self.acked_at.isoformat() if self.acked_at else None,
            "state": self.state.value,
            "next_due": self.next_due.isoformat() if self.next_due else None,
        }


def list_comments(store: Store, *, now: datetime, pending_only: bool, limit: int = 10_000) -> list[CommentRow]:
    """Comments as of ``now``, most urgent first; ``pending_only`` leaves out finished ones.

    Most urgent is the earliest next deadline (:attr:`CommentRow.next_due`): acknowledgement, then
    result. Overdue comments come first (their deadline has passed), finished ones last.

    Read on the store's reader; the rows are built there too, since turning thousands of them
    into ``CommentRow`` takes long enough to matter."""
    return store.query(_load, now=now, pending_only=pending_only, limit=limit)


def _load(db: Database, *, now: datetime, pending_only: bool, limit: int) -> list[CommentRow]:
    return _rows(dashboard.comments(db, now=now, open_only=pending_only, limit=limit), now=now)


def _note(officer: str, note: str) -> tuple[str, str]:
    if not officer.strip():
        raise InputError("comment.empty_officer")
    if not note.strip():
        raise InputError("comment.empty_note")
    return (
        clean_field(officer, field_name="--officer", limit=MAX_NAME, required=True),
        clean_field(note, field_name="--note", limit=MAX_TEXT, required=True),
    )


def acknowledge(store: Store, comment_id: int, *, officer: str, note: str, now: datetime) -> None:
    """Mark a comment acknowledged (the public was told it is being handled), with a note."""
    officer, note = _note(officer, note)
    store.call(comment_actions.acknowledge, comment_id, officer=officer, note=note, now=now)


def mark_done(store: Store, comment_id: int, *, officer: str, note: str, now: datetime) -> None:
    """Mark a comment done (the result was given), with a note."""
    officer, note = _note(officer, note)
    store.call(comment_actions.mark_done, comment_id, officer=officer, note=note, now=now)



def _as_of(when: datetime | None, now: datetime) -> datetime | None:
    return when if when is not None and when <= now else None


def _rows(rows: list[dict], *, now: datetime) -> list[CommentRow]:
    result = []
    for row in rows:
        ack_due, result_due = from_db(row["ack_due"]), from_db(row["result_due"])
        # As of ``now``: an acknowledgement or closing recorded later has not happened yet.
        acked, done = _as_of(from_db(row["acked_at"]), now), _as_of(from_db(row["done_at"]), now)
        assert ack_due is not None and result_due is not None
        state = rules.comment_state(CommentSla(ack_due, Deadline(result_due)), now=now, acked_at=acked, done_at=done)
        created = from_db(row["created_at"])
        assert created is not None
        result.append(
            CommentRow(
                id=row["id"],
                account_id=row["account_id"],
                account_name=row["account_name"],
                post_id=row["post_id"],
                author=row["author"],
                text=row["text"],
                created_at=created,
                ack_due=ack_due,
                result_due=result_due,
                result_due_estimated=bool(row["result_due_estimated"]),
                acked_at=acked,
                done_at=done,
                state=state,
            )
        )
    result.sort(key=queue_order)
    return result


def queue_order(row: CommentRow) -> tuple[bool, datetime, int]:
    """Sort key of the comment queue: open before done, then the next deadline, then the id."""
    due = row.next_due
    return (due is None, due if due is not None else row.ack_due, row.id)
