"""Alerts as the layers exchange them: a draft the scanner wants raised, and a stored alert.

Spans are offsets into one field of the item (``item_field``), in code points and in UTF-16 code
units (what Qt's text cursors count). ``text`` and ``context`` are stored already masked, so no
screen or export can show the personal data a detector found. Times are timezone-aware (UTC from
the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jb_watchdesk.domain.models import AlertState, ItemKind
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.domain.sensitive.reasons import Why, reason_text


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

    @property
    def reason(self) -> str:
        """Why the hit was raised, lowered or kept, in the officer's language ("" if plain)."""
        return reason_text(self.why)

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
        }


__all__ = ["Alert", "AlertDraft", "AlertState", "ItemKind"]
