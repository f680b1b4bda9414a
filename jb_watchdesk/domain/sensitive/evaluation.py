"""Measuring the scanner on a labelled set of passages: recall, high-severity precision, false alarms.

A labelled set is JSON Lines, one passage per line (``tests/data/detection/README.md``)::

    {"id": "…", "kind": "…", "text": "…",
     "expect": [{"span": "机密★10年", "nth": 0, "category": "secret", "must": "alert"},
                {"span": "绝密", "nth": 0, "must": "not_high"}]}

- a ``must: alert`` span is *found* when a hit of its category overlaps it (any severity;
  ``min_severity: high`` spans are also counted for high-severity recall);
- a high-severity hit is *true* when it overlaps an alert span, *false* otherwise;
- an *ordinary* passage has no alert span; it *has a false high* when any hit in it is high.

The figures an office should hold its lexicon to are in :data:`BARS`. Pure code: the caller
reads the file and passes the scan function.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

BARS: Final = {"recall": 0.95, "high_precision": 0.95, "false_high_share": 0.02}
"""Recall ≥ 0.95 in every category, high-severity precision ≥ 0.95, false highs on ≤ 2% of ordinary passages."""
SMALL_SAMPLE: Final = 20
"""Below this many labelled spans one miss is already more than 5%: a category that small may miss one."""
CATEGORIES: Final = frozenset({"secret", "privacy", "advertising", "paid_service", "misstatement"})
MUSTS: Final = frozenset({"alert", "not_high"})


class _HitLike(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def category(self) -> object: ...
    @property
    def severity(self) -> object: ...


@dataclass(frozen=True, slots=True)
class Expectation:
    start: int
    end: int
    must: str  # "alert" or "not_high"
    category: str = ""
    min_severity: str = ""


@dataclass(frozen=True, slots=True)
class Passage:
    id: str
    kind: str
    text: str
    expect: tuple[Expectation, ...]
    tags: tuple[str, ...] = ()

    @property
    def ordinary(self) -> bool:
        return not any(item.must == "alert" for item in self.expect)


def parse_passages(lines: Iterable[str]) -> list[Passage]:
    """Read a labelled set; raises ``ValueError`` naming the passage when a span is not in its text."""
    passages: list[Passage] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        text = record["text"]
        expect: list[Expectation] = []
        for item in record.get("expect", []):
            if item.get("must") not in MUSTS or (item["must"] == "alert" and item.get("category") not in CATEGORIES):
                raise ValueError(f"line {number} ({record['id']}): bad label {item!r}")
            start = _nth(text, item["span"], int(item.get("nth", 0)))
            if start < 0:
                raise ValueError(f"line {number} ({record['id']}): span {item['span']!r} #{item.get('nth', 0)} not in text")
            expect.append(
                Expectation(
                    start=start,
                    end=start + len(item["span"]),
                    must=item["must"],
                    category=item.get("category", ""),
                    min_severity=item.get("min_severity", ""),
                )
            )
        passages.append(Passage(record["id"], record.get("kind", ""), text, tuple(expect), tuple(record.get("tags", ()))))
    return passages


def _nth(text: str, span: str, nth: int) -> int:
    index = -1
    for _ in range(nth + 1):
        index = text.find(span, index + 1)
        if index < 0:
            return -1
    return index


def _value(value: object) -> str:
    return str(getattr(value, "value", value))


@dataclass
class Report:
    """What a labelled set showed; ``misses`` and ``false_highs`` name the passages for a human."""

    found: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    high_found: int = 0
    high_expected: int = 0
    true_highs: int = 0
    false_highs: int = 0
    ordinary: int = 0
    ordinary_with_false_high: int = 0
    misses: list[str] = field(default_factory=list)
    false_high_examples: list[str] = field(default_factory=list)

    def recall(self, category: str) -> float:
        return self.found[category] / self.expected[category] if self.expected[category] else 1.0

    @property
    def categories(self) -> list[str]:
        return sorted(self.expected)

    @property
    def high_precision(self) -> float:
        total = self.true_highs + self.false_highs
        return self.true_highs / total if total else 1.0

    @property
    def false_high_share(self) -> float:
        return self.ordinary_with_false_high / self.ordinary if self.ordinary else 0.0

    def recall_meets_bar(self, category: str) -> bool:
        """Recall ≥ the bar, or at most one miss in a category smaller than :data:`SMALL_SAMPLE`."""
        if self.recall(category) >= BARS["recall"]:
            return True
        return self.expected[category] < SMALL_SAMPLE and self.expected[category] - self.found[category] <= 1

    def meets_bars(self) -> bool:
        return (
            all(self.recall_meets_bar(category) for category in self.categories)
            and self.high_precision >= BARS["high_precision"]
            and self.false_high_share <= BARS["false_high_share"]
        )

    def lines(self) -> list[str]:
        """The figures as printable lines."""
        out = [
            f"recall {category:13} {self.recall(category):.3f} ({self.found[category]}/{self.expected[category]})"
            for category in self.categories
        ]
        out.append(f"recall of must-be-high spans at high: {self.high_found}/{self.high_expected}")
        out.append(f"high-severity precision {self.high_precision:.3f} ({self.true_highs} true, {self.false_highs} false)")
        out.append(
            f"ordinary passages with a false high {self.false_high_share:.3f} ({self.ordinary_with_false_high}/{self.ordinary})"
        )
        return out


def evaluate(passages: Sequence[Passage], *, scan: Callable[[str], Sequence[_HitLike]]) -> Report:
    """Scan every passage and count against its labels."""
    report = Report()
    for passage in passages:
        hits = list(scan(passage.text))
        alerts = [item for item in passage.expect if item.must == "alert"]
        for item in alerts:
            report.expected[item.category] += 1
            overlapping = [
                hit for hit in hits
                if hit.start < item.end and item.start < hit.end and (not item.category or _value(hit.category) == item.category)
            ]
            if overlapping:
                report.found[item.category] += 1
            else:
                report.misses.append(f"{passage.id}: {passage.text[item.start:item.end]!r} ({item.category})")
            if item.min_severity == "high":
                report.high_expected += 1
                report.high_found += any(_value(hit.severity) == "high" for hit in overlapping)
        false_here = False
        for hit in hits:
            if _value(hit.severity) != "high":
                continue
            if any(hit.start < item.end and item.start < hit.end for item in alerts):
                report.true_highs += 1
            else:
                report.false_highs += 1
                false_here = True
                report.false_high_examples.append(f"{passage.id}: {passage.text[hit.start:hit.end]!r}")
        if passage.ordinary:
            report.ordinary += 1
            report.ordinary_with_false_high += false_here
    return report


__all__ = ["BARS", "SMALL_SAMPLE", "Expectation", "Passage", "Report", "evaluate", "parse_passages"]
