"""Rows of the handover and weekly report queries (``storage/reports.py``), one type per query.

Times are timezone-aware (UTC from the store); codes are their enums where the code has one.
Readers use the field names: a row is never a dict nor a tuple read by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from jb_watchdesk.domain.models import AlertState, ItemKind
from jb_watchdesk.domain.sensitive.lexicon import Severity


@dataclass(frozen=True, slots=True)
class WindowAlert:
    """An alert raised or acknowledged in a handover's time window, with its account's name."""

    id: int
    account_id: int
    account_name: str
    item_kind: ItemKind
    item_id: int
    category: str
    severity: Severity
    rule: str
    text: str
    context: str
    raised_at: datetime
    state: AlertState
    ack_by: str | None
    ack_note: str | None
    ack_at: datetime | None
    published_at: datetime | None = None
    backlog: bool = False
    hits: int = 1
    """How many hits the alert lists (every hit of its category in the item)."""


@dataclass(frozen=True, slots=True)
class UnacknowledgedAlert:
    """An alert nobody had acknowledged or resolved at a given instant: a carry-over item.

    ``raised_at`` is when the desk raised it (first seen); ``published_at`` when the platform
    says the item was published (None when unknown).
    """

    id: int
    account_id: int
    account_name: str
    category: str
    severity: Severity
    rule: str
    text: str
    raised_at: datetime
    published_at: datetime | None = None
    backlog: bool = False
    hits: int = 1
    platform: str = ""
    escalated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChannelOutcome:
    """What one channel of an escalation step did; ``channel`` is already masked (no key in it)."""

    channel: str
    ok: bool
    error: str = ""


@dataclass(frozen=True, slots=True)
class WindowEscalation:
    """An escalation step taken in a handover's time window, with what it was about.

    ``subject`` is ``alert``, ``comment`` or ``emergency``; ``step`` 1 is the sound at the
    workstation, 2 and later a message to the leader on duty. ``text`` is the alert's (masked)
    text, the comment's text or the emergency's title; ``category`` and ``severity`` are an
    alert's only.
    """

    id: int
    subject: str
    ref_id: int
    step: int
    at: datetime
    channels: tuple[ChannelOutcome, ...]
    account_name: str = ""
    category: str | None = None
    severity: Severity | None = None
    text: str = ""
    platform: str = ""
    """The account's platform code (the same name can exist on several platforms)."""

    @property
    def failed(self) -> tuple[ChannelOutcome, ...]:
        return tuple(channel for channel in self.channels if not channel.ok)


@dataclass(frozen=True, slots=True)
class DeferralAction:
    """One deferral by an officer in a handover's window: the alerts put off together, with one note.

    The ledger holds one row per alert; rows written in one action (same instant, officer, note and
    end) are one action here.
    """

    at: datetime
    officer: str
    note: str
    until: datetime | None
    alert_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class HandledComment:
    """A comment acknowledged or answered in a handover's time window."""

    id: int
    account_id: int
    account_name: str
    author: str
    text: str
    created_at: datetime
    ack_due: datetime
    acked_at: datetime | None
    acked_by: str | None
    ack_note: str | None
    result_due: datetime
    done_at: datetime | None
    done_by: str | None
    done_note: str | None


@dataclass(frozen=True, slots=True)
class UnitDayPosts:
    """Posts one unit (or, without a unit, one account) published on one Shanghai date."""

    unit: str
    day: date
    posts: int


@dataclass(frozen=True, slots=True)
class AccountPosts:
    """Posts one account published in a window, counted as everywhere (public, dated, not deleted)."""

    account_id: int
    posts: int


@dataclass(frozen=True, slots=True)
class CommentTimeliness:
    """One account's comment deadlines that fell due in a window, as known at an instant.

    A deadline is counted in the window it falls due in, once: an acknowledgement (1 hour) or a
    result (7 working days) met on time, met late, or still open past it (late too). A deadline
    not yet due is not counted at all, so a week's rate never looks better for what is pending.
    """

    account_id: int
    acks_due: int
    ack_on_time: int
    ack_late: int
    ack_open: int
    results_due: int
    result_on_time: int
    result_late: int
    result_open: int

    @property
    def acks_missed(self) -> int:
        """Acknowledgements late or still missing: everything due but not on time."""
        return self.ack_late + self.ack_open

    @property
    def results_missed(self) -> int:
        return self.result_late + self.result_open


@dataclass(frozen=True, slots=True)
class WindowGap:
    """A stop of monitoring overlapping a window: from the last completed cycle to the next one
    (``ended_at`` None while monitoring has not resumed); ``cause`` quit, pause, crash or unknown."""

    id: int
    started_at: datetime
    ended_at: datetime | None
    cause: str
    reason: str
    officer: str


@dataclass(frozen=True, slots=True)
class WindowReading:
    """An officer's reading of an account no machine source reads, recorded in a window."""

    id: int
    account_id: int
    account_name: str
    platform: str
    officer: str
    recorded_at: datetime
    latest_post_at: datetime | None
    posts_seen: int | None
    comments_waiting: int | None
    link: str


@dataclass(frozen=True, slots=True)
class CategoryAlerts:
    """How many alerts of one category one account had on items published in a window (an item
    of unknown publish time by when the alert was raised); ``backlog`` of them found on a first poll."""

    account_id: int
    category: str
    alerts: int
    backlog: int = 0


__all__ = [
    "AccountPosts",
    "CategoryAlerts",
    "ChannelOutcome",
    "CommentTimeliness",
    "DeferralAction",
    "HandledComment",
    "UnacknowledgedAlert",
    "UnitDayPosts",
    "WindowAlert",
    "WindowEscalation",
    "WindowGap",
    "WindowReading",
]
