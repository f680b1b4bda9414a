"""A scan's findings (``Hit``) and how overlapping ones are resolved: allow-list phrases, the same
span found twice, and a hit that a longer one covers."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.domain.sensitive.reasons import Why, reason_text


@dataclass(frozen=True, slots=True)
class Hit:
    """One finding in a text.

    ``start``/``end`` are code-point offsets into the text as given (before any normalisation)
    and ``text`` is exactly ``original[start:end]``. ``masked`` is set for personal data that
    must be shown masked in alerts and exports; ``term`` is the lexicon term as written in the
    lexicon (``None`` for detector hits). ``why`` says what raised, lowered or kept it.
    """

    start: int
    end: int
    text: str
    category: Category
    severity: Severity
    rule: str
    confidence: float
    masked: str | None = None
    term: str | None = None
    why: tuple[Why, ...] = ()

    @property
    def display(self) -> str:
        """What an alert or an export may show: the masked form when there is one."""
        return self.masked if self.masked is not None else self.text

    def reason(self, language: str | None = None) -> str:
        """The reasons as one line in the officer's language ("" when the hit is plain)."""
        return reason_text(self.why, language)

    def as_json(self) -> dict[str, object]:
        """The ``scan --json`` shape; ``text`` is the display form so personal data stays masked."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.display,
            "category": self.category.value,
            "severity": self.severity.value,
            "rule": self.rule,
            "confidence": self.confidence,
            "term": self.term,
            "reason": self.reason(),
            "why": [why.as_json() for why in self.why],
        }


class _Coverage:
    """Spans (allow-list matches) and a fast test of whether one of them covers a given span."""

    __slots__ = ("_reach", "_starts")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        self._reach: list[int] = []  # reach[i]: furthest end among ordered[:i + 1]
        furthest = -1
        for _, end in ordered:
            furthest = max(furthest, end)
            self._reach.append(furthest)

    def covers(self, start: int, end: int) -> bool:
        index = bisect_right(self._starts, start)
        return bool(index) and self._reach[index - 1] >= end


def _drop_allowed(hits: list[Hit], allowed: list[tuple[int, int]]) -> list[Hit]:
    """Drop every hit that lies entirely inside an allow-list match."""
    covered = _Coverage(allowed)
    return [hit for hit in hits if not covered.covers(hit.start, hit.end)]


def _one_per_span_and_rule(hits: list[Hit]) -> list[Hit]:
    """A lexicon term and a detector that found the same words for the same rule are one hit (the more serious)."""
    best: dict[tuple[int, int, str], Hit] = {}
    for hit in hits:
        key = (hit.start, hit.end, hit.rule)
        current = best.get(key)
        if current is None or (hit.severity.rank, hit.confidence) > (current.severity.rank, current.confidence):
            best[key] = hit
    return list(best.values()) if len(best) < len(hits) else hits


def _drop_contained(hits: list[Hit]) -> list[Hit]:
    """Keep a hit unless a strictly longer hit covers it; partial overlaps are all kept.

    Sorted by start, then longest first, a hit is covered exactly when an earlier hit with a
    different span reaches at least as far. Hits with identical spans (a term and a detector on
    the same characters) are all kept.
    """
    if len(hits) < 2:
        return hits
    ordered = sorted(hits, key=lambda hit: (hit.start, -hit.end))
    kept: list[Hit] = []
    reach = -1  # furthest end among earlier hits with a different span
    group_span: tuple[int, int] | None = None
    group_end = -1
    for hit in ordered:
        span = (hit.start, hit.end)
        if span != group_span:
            reach = max(reach, group_end)
            group_span, group_end = span, hit.end
        if reach >= hit.end:
            continue
        kept.append(hit)
    return kept
