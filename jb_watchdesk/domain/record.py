"""The duty record's values: shifts, inspections and emergency plan activations (§3.6, §4.3).

Times are timezone-aware (UTC from the store). An emergency's state is judged as of a given
"now" by :func:`status_of`, with the 2-hour rule of ``rules.emergency_clock``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from jb_watchdesk.domain import rules


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
    reading: Reading | None = None
    """What the officer saw on the platform, for an account no machine source reads."""


@dataclass(frozen=True, slots=True)
class Reading:
    """An officer's reading of an account the desk cannot read by machine (an inspection of kind
    ``manual`` with these facts): what the platform showed when the officer looked.

    ``posts_seen`` counts the posts published since the previous reading (for an account's first
    reading: in the 7 days before it); None when the officer did not count them.
    ``comments_waiting`` is how many public comments were waiting for an answer; None when not
    counted. ``link`` is where the officer looked (http or https), or empty.
    """

    latest_post_at: datetime
    posts_seen: int | None = None
    comments_waiting: int | None = None
    link: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "latest_post_at": self.latest_post_at.isoformat(),
            "posts_seen": self.posts_seen,
            "comments_waiting": self.comments_waiting,
            "link": self.link,
        }


@dataclass(frozen=True, slots=True)
class StoredReading:
    """One recorded reading as the freshness rule, the checklist and the carry-over read it."""

    id: int
    account_id: int
    recorded_at: datetime
    officer: str
    reading: Reading


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
    reading: Reading | None = None


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
    cancelled_at: datetime | None = None
    """Cancelled by the officer (mistyped, a false alarm, or replaced by a correction): the clock stops."""
    cancelled_by: str = ""
    cancel_reason: str = ""
    corrects_id: int | None = None
    """The activation this one corrects (cancelled in the same unit of work)."""


class InspectionRow(NamedTuple):
    """One inspection as the exports and the duty panel list it (a tuple: a shift can hold 70,000)."""

    id: int
    recorded_at: str
    """UTC ISO-8601, as stored."""
    kind: str
    """``auto``, ``manual`` or ``correction``."""
    account_id: int | None
    account_name: str
    unit: str
    platform: str
    officer: str
    checks: str
    """The checks as JSON text: ``{check: "ok" | finding}``, and for automatic ones the raw facts."""
    finding: str
    action: str
    corrects_id: int | None
    hash: str
    latest_post_at: str | None = None
    """An officer's reading (UTC ISO-8601, as stored): the latest post seen; None for other inspections."""
    posts_seen: int | None = None
    comments_waiting: int | None = None
    link: str = ""


class EmergencyState(StrEnum):
    """Where an activation's 2-hour clock stands."""

    WAITING = "waiting"
    """No related post yet, still within 2 hours."""
    MET = "met"
    """The first related post came within 2 hours."""
    MISSED = "missed"
    """2 hours passed without a related post."""
    CLOSED = "closed"
    """Closed by the officer before either."""
    CANCELLED = "cancelled"
    """Cancelled or corrected by the officer: no clock runs, nothing escalates."""


@dataclass(frozen=True, slots=True)
class EmergencyStatus:
    emergency: Emergency
    clock: rules.EmergencyClock
    state: EmergencyState

    def to_json(self) -> dict[str, object]:
        e = self.emergency
        return {
            "id": e.id,
            "title": e.title,
            "keywords": list(e.keywords),
            "activated_at": e.activated_at.isoformat(),
            "activated_by": e.activated_by,
            "due": self.clock.due.isoformat(),
            "first_post_id": e.first_post_id,
            "first_post_at": e.first_post_at.isoformat() if e.first_post_at else None,
            "state": self.state.value,
            "remaining_s": int(self.clock.remaining.total_seconds()),
            "cancelled_at": e.cancelled_at.isoformat() if e.cancelled_at else None,
            "cancelled_by": e.cancelled_by,
            "cancel_reason": e.cancel_reason,
            "corrects_id": e.corrects_id,
        }


def status_of(emergency: Emergency, *, now: datetime) -> EmergencyStatus:
    """One activation's 2-hour clock as of ``now``; a cancelled one's clock stands where it stopped."""
    cancelled = emergency.cancelled_at is not None and emergency.cancelled_at <= now
    if cancelled:
        assert emergency.cancelled_at is not None
        now = max(emergency.activated_at, emergency.cancelled_at)
    first = emergency.first_post_at if emergency.first_post_at and emergency.first_post_at <= now else None
    clock = rules.emergency_clock(emergency.activated_at, now=now, first_post_at=first)
    if cancelled:
        state = EmergencyState.CANCELLED
    elif clock.met:
        state = EmergencyState.MET
    elif clock.missed:
        state = EmergencyState.MISSED
    elif emergency.closed_at is not None and emergency.closed_at <= now:
        state = EmergencyState.CLOSED
    else:
        state = EmergencyState.WAITING
    return EmergencyStatus(emergency=emergency, clock=clock, state=state)
