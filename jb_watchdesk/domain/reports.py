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


@dataclass(frozen=True, slots=True)
class UnacknowledgedAlert:
    """An alert nobody had acknowledged or resolved at a given instant: a carry-over item."""

    id: int
    account_id: int
    account_name: str
    category: str
    severity: Severity
    rule: str
    text: str
    raised_at: datetime


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
    """One account's comments received in a window, as known at an instant: acknowledged within
    the hour, late or not yet; answered on time, late, or overdue."""

    account_id: int
    total: int
    ack_on_time: int
    ack_late: int
    result_on_time: int
    result_late: int
    result_overdue: int

    @property
    def not_acked(self) -> int:
        return self.total - self.ack_on_time - self.ack_late

    @property
    def results_due(self) -> int:
        """Results given or overdue: the base of the on-time rate for results."""
        return self.result_on_time + self.result_late + self.result_overdue


@dataclass(frozen=True, slots=True)
class CategoryAlerts:
    """How many alerts of one category one account raised in a window."""

    account_id: int
    category: str
    alerts: int


__all__ = [
    "AccountPosts",
    "CategoryAlerts",
    "CommentTimeliness",
    "HandledComment",
    "UnacknowledgedAlert",
    "UnitDayPosts",
    "WindowAlert",
]
