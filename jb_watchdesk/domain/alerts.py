"""Alerts as the layers exchange them: a draft the scanner wants raised, and a stored alert.

One stored alert stands for one item (a post, a comment) and one category: every hit of that
category in the item is one of its :class:`AlertHit`, and the alert shows the most serious one
(``rule``, ``text``, the span). Spans are offsets into one field of the item (``item_field``), in
code points and in UTF-16 code units (what Qt's text cursors count). ``text`` and ``context`` are
stored already masked, so no screen or export can show the personal data a detector found. Times
are timezone-aware (UTC from the store).

**Backlog**: an item the desk found already there — published before its account's first
successful poll, or more than :data:`BACKLOG_AGE` old when first seen — is counted and listed
but never pops up, repeats or escalates; the officer reviews it in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from jb_watchdesk.domain.models import AlertState, ItemKind
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.domain.sensitive.reasons import Why, reason_text, whys_from_json

BACKLOG_AGE: Final = timedelta(hours=24)
"""An item older than this when the desk first sees it is backlog, not news."""


def is_backlog(
    *,
    published_at: datetime | None,
    seen_at: datetime | None,
    first_polled_at: datetime | None,
    now: datetime,
    changed_at: datetime | None = None,
) -> bool:
    """Whether an item's hits are backlog rather than news (see the module's docstring).

    The item is news when the desk learned of it — first stored at ``seen_at``, or its text
    changed at ``changed_at`` (an edit) — after its account's first successful poll
    (``first_polled_at``; None: not yet, this is that poll), no more than :data:`BACKLOG_AGE`
    before ``now`` (a lexicon change finding a hit in a month-old post is not news), and, unless
    edited, it was published no more than :data:`BACKLOG_AGE` before it was first seen. The items
    of the first poll are stored in the transaction that sets ``first_polled_at``, so they have
    ``seen_at == first_polled_at``.
    """
    learned = changed_at if changed_at is not None else seen_at
    if learned is None or first_polled_at is None or learned <= first_polled_at or now - learned > BACKLOG_AGE:
        return True
    return changed_at is None and published_at is not None and seen_at is not None and published_at < seen_at - BACKLOG_AGE


@dataclass(frozen=True, slots=True)
class AlertHit:
    """One hit of an alert: where it is, which rule, how serious, why. ``text`` is already masked."""

    rule: str
    severity: Severity
    text: str = ""
    field: str = ""
    start: int | None = None
    end: int | None = None
    start_utf16: int | None = None
    end_utf16: int | None = None
    confidence: float = 1.0
    occurrences: int = 1
    why: tuple[Why, ...] = ()

    @property
    def reason(self) -> str:
        """Why the hit was raised, lowered or kept, in the officer's language ("" if plain)."""
        return reason_text(self.why)

    def as_json(self) -> dict[str, object]:
        """The ``alerts --json`` ``hits`` entry: code-point ``start``/``end`` into ``field``."""
        return {
            "start": self.start,
            "end": self.end,
            "field": self.field,
            "rule": self.rule,
            "severity": self.severity.value,
            "text": self.text,
            "reason": self.reason,
            "confidence": self.confidence,
        }

    def stored(self) -> dict[str, object]:
        """What the store keeps (reasons as codes, rendered when shown)."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "text": self.text,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "start16": self.start_utf16,
            "end16": self.end_utf16,
            "confidence": self.confidence,
            "occurrences": self.occurrences,
            "why": [why.as_json() for why in self.why],
        }

    @classmethod
    def from_stored(cls, value: Any) -> AlertHit | None:
        """Read back :meth:`stored`; a shape that is not one is skipped (None), never fatal."""
        if not isinstance(value, dict):
            return None
        try:
            return cls(
                rule=str(value["rule"]),
                severity=Severity(value["severity"]),
                text=str(value.get("text") or ""),
                field=str(value.get("field") or ""),
                start=_int(value.get("start")),
                end=_int(value.get("end")),
                start_utf16=_int(value.get("start16")),
                end_utf16=_int(value.get("end16")),
                confidence=float(value.get("confidence", 1.0)),
                occurrences=int(value.get("occurrences", 1)),
                why=whys_from_json(value.get("why")),
            )
        except (KeyError, ValueError, TypeError):
            return None

    @property
    def key(self) -> tuple[str, str, int | None, int | None]:
        """What makes two hits the same hit: rule, field and span."""
        return self.rule, self.field, self.start, self.end


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def most_serious(hits: tuple[AlertHit, ...] | list[AlertHit]) -> AlertHit:
    """The hit an alert shows: the most serious, then the most certain, then the first in the text."""
    return max(hits, key=lambda hit: (hit.severity.rank, hit.confidence, -(hit.start or 0)))


@dataclass(frozen=True, slots=True)
class AlertDraft:
    """An alert the scanner wants raised; ``text`` and ``context`` must already be masked."""

    account_id: int
    item_kind: ItemKind
    item_id: int
    category: str
    severity: Severity
    rule: str
    text: str = ""
    context: str = ""
    item_field: str = ""
    span_start: int | None = None
    span_end: int | None = None
    span_start_utf16: int | None = None
    span_end_utf16: int | None = None
    confidence: float = 1.0
    masked: bool = False
    occurrences: int = 1
    why: tuple[Why, ...] = ()
    published_at: datetime | None = None
    """When the item was published (for a comment: posted), as the platform said."""
    seen_at: datetime | None = None
    """When the desk first stored the item."""
    backlog: bool = False

    def hit(self) -> AlertHit:
        """The draft as one hit of the alert it joins."""
        return _hit_of(self, field=self.item_field, start=self.span_start, end=self.span_end)


def _hit_of(shown: AlertDraft | Alert, *, field: str, start: int | None, end: int | None) -> AlertHit:
    return AlertHit(
        rule=shown.rule,
        severity=shown.severity,
        text=shown.text,
        field=field,
        start=start,
        end=end,
        start_utf16=shown.span_start_utf16,
        end_utf16=shown.span_end_utf16,
        confidence=shown.confidence,
        occurrences=shown.occurrences,
        why=shown.why,
    )


@dataclass(frozen=True, slots=True)
class Alert:
    """One stored alert. Spans are offsets into ``item_field`` of the item (code points and UTF-16)."""

    id: int
    account_id: int
    item_kind: ItemKind
    item_id: int
    category: str
    severity: Severity
    rule: str
    text: str
    context: str
    item_field: str
    span_start: int | None
    span_end: int | None
    span_start_utf16: int | None
    span_end_utf16: int | None
    confidence: float
    masked: bool
    occurrences: int
    raised_at: datetime
    state: AlertState
    ack_by: str | None
    ack_note: str | None
    ack_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolve_reason: str | None
    last_notified_at: datetime | None
    notify_count: int
    why: tuple[Why, ...] = ()
    hits: tuple[AlertHit, ...] = ()
    """Every hit of this alert's category in the item, most serious first (at least the shown one)."""
    published_at: datetime | None = None
    seen_at: datetime | None = None
    backlog: bool = False
    deferred_until: datetime | None = None
    """Not shown again before this instant (the officer deferred it); the escalation clock runs on."""
    escalated_at: datetime | None = None
    """When the alert was first escalated (a sound, then the leader on duty); None if never."""
    escalation_step: int = 0

    @property
    def reason(self) -> str:
        """Why the hit was raised, lowered or kept, in the officer's language ("" if plain)."""
        return reason_text(self.why)

    def shown_hit(self) -> AlertHit:
        """The hit the alert shows (its own columns), as one of its hits."""
        return _hit_of(self, field=self.item_field, start=self.span_start, end=self.span_end)

    @property
    def item_key(self) -> tuple[ItemKind, int]:
        """The item this alert is about; the notification policy groups by it."""
        return self.item_kind, self.item_id

    def to_json(self) -> dict[str, object]:
        """The ``alerts --json`` shape (ARCHITECTURE.md), followed by the extra detail fields."""
        return {
            "id": self.id,
            "account_id": self.account_id,
            "item_id": self.item_id,
            "category": self.category,
            "severity": self.severity.value,
            "rule": self.rule,
            "text": self.text,
            "context": self.context,
            "raised_at": self.raised_at.isoformat(),
            "state": self.state.value,
            "ack_by": self.ack_by,
            "ack_note": self.ack_note,
            "item_kind": self.item_kind.value,
            "item_field": self.item_field,
            "start": self.span_start,
            "end": self.span_end,
            "confidence": self.confidence,
            "ack_at": self.ack_at.isoformat() if self.ack_at else None,
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "reason": self.reason,
            "why": [why.as_json() for why in self.why],
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "seen_at": self.seen_at.isoformat() if self.seen_at else None,
            "backlog": self.backlog,
            "hits": [hit.as_json() for hit in self.hits],
            "deferred_until": self.deferred_until.isoformat() if self.deferred_until else None,
            "escalated_at": self.escalated_at.isoformat() if self.escalated_at else None,
        }


@dataclass(frozen=True, slots=True)
class AlertFilter:
    """Which alerts a list, a count or a bulk action takes; an empty field means "any".

    ``backlog``: True for backlog only, False for live only. ``published_from``/``published_to``
    bound the item's publish time (inclusive, exclusive). ``item`` is one post or comment.
    """

    states: frozenset[AlertState] = frozenset()
    severities: frozenset[Severity] = frozenset()
    categories: frozenset[str] = frozenset()
    account_ids: frozenset[int] = frozenset()
    unit: str | None = None
    rule: str | None = None
    item: tuple[ItemKind, int] | None = None
    backlog: bool | None = None
    published_from: datetime | None = None
    published_to: datetime | None = None
    raised_since: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return self == ANY_ALERT


ANY_ALERT: Final = AlertFilter()
"""The filter that takes every alert."""


@dataclass(frozen=True, slots=True)
class AlertCounts:
    """How many alerts stand where, counted once by the store and shown the same everywhere.

    ``open`` = new (not yet acknowledged) alerts; ``open_live`` and ``open_backlog`` split them;
    ``open_high`` are the high ones, ``open_high_live`` the ones that pop up and escalate.
    """

    open: int = 0
    open_high: int = 0
    open_live: int = 0
    open_backlog: int = 0
    open_high_live: int = 0
    deferred: int = 0
    escalated: int = 0
    acknowledged: int = 0
    resolved: int = 0

    @property
    def total(self) -> int:
        return self.open + self.acknowledged + self.resolved

    def as_json(self) -> dict[str, int]:
        return {
            "open": self.open,
            "open_high": self.open_high,
            "open_live": self.open_live,
            "open_backlog": self.open_backlog,
            "open_high_live": self.open_high_live,
            "deferred": self.deferred,
            "escalated": self.escalated,
            "acknowledged": self.acknowledged,
            "resolved": self.resolved,
            "total": self.total,
        }


__all__ = [
    "ANY_ALERT",
    "BACKLOG_AGE",
    "Alert",
    "AlertCounts",
    "AlertDraft",
    "AlertFilter",
    "AlertHit",
    "AlertState",
    "ItemKind",
    "is_backlog",
    "most_serious",
]
