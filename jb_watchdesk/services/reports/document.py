"""The neutral document model of an export, and the text of its cells.

A ``Document`` is a title, header facts, the ledger anchor, and sections with headers and rows of
plain text, every text already in the officer's language; the writers (``writers.py``, and the
Qt PDF renderer) only lay it out. Personal data (identity, mobile and bank-card numbers in free
text; commenters' names) is masked before it enters the document, so no writer can leak it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.messages import times
from jb_watchdesk.domain.sensitive import fold
from jb_watchdesk.domain.sensitive.detectors import detect_all
from jb_watchdesk.domain.text import clean_text
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.codec import from_db

MAX_CELL: Final = 500  # free text beyond this is cut in exports; the database keeps it whole


@dataclass(frozen=True, slots=True)
class Chart:
    """A grouped bar chart over ``categories``; each series is (name, one value per category).

    A value of None is *no data* (nothing to measure), drawn as a mark, never as a zero bar.
    """

    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    percent: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    """One table: a sheet in XLSX, a block in CSV, a titled table in PDF.

    ``widths`` are column widths in characters (a CJK character counts two); ``summary``, when
    set, is what the PDF prints instead of ``rows`` (the full rows stay in XLSX and CSV).
    ``numeric`` are the columns (0-based) that hold whole numbers: XLSX writes those cells as
    numbers a spreadsheet can sum (every other cell, and a numeric cell that is not a plain
    integer, stays literal text); a :class:`Percent` cell is a number in any column.
    """

    key: str
    title: str
    headers: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    widths: tuple[int, ...]
    note: str = ""
    chart: Chart | None = None
    summary: Section | None = None
    numeric: tuple[int, ...] = ()
    in_pdf: bool = True
    """False for a detail kept for XLSX and CSV only (the PDF is what the next officer reads)."""
    break_after: bool = False
    """The PDF starts a new page after this section (the handover's summary page)."""


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    anchor: audit.Anchor
    generated_at: datetime
    signatures: tuple[str, ...] = ()

    def anchor_text(self) -> str:
        return messages.text("export.anchor_text", seq=self.anchor.seq, count=self.anchor.count, hash=self.anchor.head_hash)

    def cover(self) -> tuple[tuple[str, str], ...]:
        """The facts, then when the document was made and the ledger anchor: the cover of every format."""
        return (
            *self.facts,
            (messages.text("export.generated_at"), local(self.generated_at, seconds=True)),
            (messages.text("export.anchor"), self.anchor_text()),
        )


PdfRenderer = Callable[[Document, Path], None]


class Percent(str):
    """A rate as the officer reads it (``85%``) that keeps its exact ratio (``0.8547``): CSV and PDF
    print the text, XLSX writes the ratio as a number formatted as a percentage."""

    ratio: float

    def __new__(cls, part: int, whole: int) -> Percent:
        text = super().__new__(cls, f"{100 * part / whole:.0f}%")
        text.ratio = part / whole
        return text


# -- cell text ------------------------------------------------------------------------------------


def mask_pii(text: str) -> str:
    """Replace identity, mobile and bank-card numbers in free text by their masked forms.

    The detectors run on the folded text, whose offsets are those of the original.
    """
    if not text:
        return text
    found = sorted(detect_all(fold(text)), key=lambda d: d.start, reverse=True)
    last_start = len(text) + 1
    for detection in found:
        if detection.masked is None or detection.end > last_start:
            continue  # overlapping detections: the later one already replaced this span
        text = text[: detection.start] + detection.masked + text[detection.end :]
        last_start = detection.start
    return text


def mask_name(name: str) -> str:
    """A member of the public's name or nickname: first character kept (``张三`` → ``张*``)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * min(max(len(name) - 1, 1), 4)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell(text: object, *, limit: int = MAX_CELL) -> str:
    """Plain one-cell text: no control characters that XML or a terminal would choke on, bounded length."""
    value = "" if text is None else clean_text(str(text))
    value = _CONTROL.sub(" ", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def free_text(text: object) -> str:
    """Text from a post, comment or feed: bounded and with personal data masked."""
    return cell(mask_pii("" if text is None else str(text)))


def local(value: datetime | str | None, *, seconds: bool = False) -> str:
    """Asia/Shanghai wall time as the duty room reads it; empty for no time."""
    when = from_db(value) if isinstance(value, str) else value
    return times.show(when, times.Shape.SECONDS if seconds else times.Shape.MINUTES, empty="")


def duration(start: datetime, end: datetime) -> str:
    """How long from ``start`` to ``end``: ``3天4小时``, ``5小时12分``, ``40分钟``; empty if ``end`` is earlier."""
    if end < start:
        return ""
    minutes = int((end - start).total_seconds()) // 60
    days, rest = divmod(minutes, 1_440)
    hours, minutes = divmod(rest, 60)
    if days:
        return t("export.age.days", days=days, hours=hours)
    if hours:
        return t("export.age.hours", hours=hours, minutes=minutes)
    return t("export.age.minutes", minutes=minutes)


def rate(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a :class:`Percent`, or the catalogue's "no data" when nothing was due
    (never ``0%``, which would say everything was late)."""
    return Percent(part, whole) if whole else t("export.no_data")


# -- the language of fixed texts ------------------------------------------------------------------


def t(key: str, /, **params: object) -> str:
    """Fixed text ``key`` of the catalogue in the current language."""
    return messages.text(key, None, **params)


def pair(label: str, value: str) -> str:
    """``label：value`` / ``label: value``."""
    return t("export.pair", label=label, value=value)


def aside(text: str, note: str) -> str:
    """``text（note）`` / ``text (note)``."""
    return t("export.aside", text=text, aside=note)


def parts(items: Iterable[str]) -> str:
    """Parts of one cell: ``a；b`` / ``a; b``."""
    return t("export.parts").join(items)


def listing(items: Iterable[str]) -> str:
    """A list in one cell: ``a、b`` / ``a, b``."""
    return t("export.list").join(items)


def headers(*names: str) -> tuple[str, ...]:
    """Column headers from their ``export.header.<name>`` keys."""
    return tuple(t(f"export.header.{name}") for name in names)


def rule_name(rule: str, category: str) -> str:
    """A detection rule by its name; a rule the catalogue does not name (an office's own lexicon
    rule) by its category."""
    if f"label.rule.{rule}" in messages.CATALOGUE:
        return messages.label("rule", rule)
    return messages.label("category", category)


__all__ = [
    "MAX_CELL",
    "Chart",
    "Document",
    "PdfRenderer",
    "Percent",
    "Section",
    "aside",
    "cell",
    "duration",
    "free_text",
    "headers",
    "listing",
    "local",
    "mask_name",
    "mask_pii",
    "pair",
    "parts",
    "rate",
    "rule_name",
    "t",
]
