"""Untrusted text in widgets: always literal, never rich text.

Qt guesses whether a string is rich text (``Qt::mightBeRichText``) for labels, message
boxes and tooltips; a post titled ``<img src=file:///etc/passwd>`` would make it load a
local file. Labels get ``Qt.PlainText``; tooltips, which have no such switch, get the
text HTML-escaped inside an explicit paragraph, so Qt renders exactly the characters.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

MAX_TOOLTIP_CHARS = 600


def plain_label(text: str = "", parent: object | None = None) -> QLabel:
    label = QLabel(parent)  # type: ignore[arg-type]
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally, whatever it contains."""
    clipped = text if len(text) <= MAX_TOOLTIP_CHARS else text[:MAX_TOOLTIP_CHARS] + "…"
    return "<p style='white-space:pre-wrap'>" + html.escape(clipped) + "</p>"


def one_line(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
