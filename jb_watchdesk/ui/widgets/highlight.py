"""Untrusted text shown literally with every hit marked: plain text plus character formats, never HTML."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit

from jb_watchdesk.domain.alerts import Alert


def _utf16(text: str) -> int:
    # QTextCursor positions count UTF-16 units, as Qt strings do.
    return len(text.encode("utf-16-le")) // 2


def spans_of(text: str, needles: Iterable[str]) -> list[tuple[int, int]]:
    """Code-point spans of every occurrence of each needle in ``text`` (the masked hit texts are
    what the context holds, so they are found by text, not by the item's offsets)."""
    spans: set[tuple[int, int]] = set()
    for needle in needles:
        if not needle:
            continue
        start = text.find(needle)
        while start >= 0:
            spans.add((start, start + len(needle)))
            start = text.find(needle, start + len(needle))
    return sorted(spans)


def highlight_spans(view: QPlainTextEdit, *, text: str, spans: Sequence[tuple[int, int]]) -> None:
    """Show ``text`` as plain text and mark each code-point span."""
    view.setPlainText(text)
    marked = QTextCharFormat()
    marked.setBackground(Qt.GlobalColor.yellow)
    marked.setFontWeight(700)
    cursor = view.textCursor()
    for start, end in spans:
        cursor.setPosition(_utf16(text[:start]))
        cursor.setPosition(_utf16(text[:end]), QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(marked)
    cursor.setPosition(0)
    view.setTextCursor(cursor)


def highlight_alerts(view: QPlainTextEdit, alerts: Sequence[Alert]) -> list[tuple[int, int]]:
    """The alerts' shared context (the first one's; they are of one item) with every hit marked."""
    if not alerts:
        view.setPlainText("")
        return []
    text = alerts[0].context
    needles = [alert.text for alert in alerts] + [hit.text for alert in alerts for hit in alert.hits]
    spans = spans_of(text, needles)
    highlight_spans(view, text=text, spans=spans)
    return spans


def marked_texts(view: QPlainTextEdit) -> list[str]:
    """The runs of text shown marked (bold), for tests and accessibility checks."""
    runs: list[str] = []
    block = view.document().begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid() and fragment.charFormat().fontWeight() >= 700:
                runs.append(fragment.text())
            iterator += 1
        block = block.next()
    return runs
