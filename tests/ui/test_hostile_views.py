"""Hostile text shown in the window stays text: no markup rendered, no image or link loaded.

Live posts carrying HTML, ``file:`` and UNC links, bidi and control characters reach the
overview, the alert list and detail, the comment queue and the pop-up. Every label, tooltip,
text pane and table cell that shows them must show the characters, not what they would render
to; a loopback listener and a named pipe named in the text prove nothing was fetched or opened.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtGui
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QLabel, QPlainTextEdit, QTextEdit, QWidget

from jb_watchdesk.ui.main_window import MainWindow
from tests.reliability.harness import hostile_texts, loopback_listener, watched_fifo

rich = QtGui.Qt.mightBeRichText  # what Qt renders as rich text where a widget's format is AutoText
AD = "全网最低价"  # an advertising phrase: each hostile post raises an alert, so it reaches the pop-up


def interpreted(text: str, marker: str) -> bool:
    """Whether ``text``, shown as Qt shows it (rich text when it looks like it), interprets the
    hostile markup around ``marker`` instead of showing it: the marker is gone, or links or
    images appear. Escaped rich text (``ui.text.tooltip``) shows the characters and passes."""
    if not rich(text):
        return False
    document = QTextDocument()
    document.setHtml(text)
    return marker not in document.toPlainText() or _has_markup(document)


def rendered_markup(widget: QWidget, marker: str) -> list[str]:
    """Places under ``widget`` where text holding ``marker`` would be rendered as rich text."""
    found: list[str] = []
    for label in [widget, *widget.findChildren(QWidget)]:
        if marker in label.toolTip() and interpreted(label.toolTip(), marker):
            found.append(f"tooltip of {type(label).__name__}")
        if isinstance(label, QLabel) and marker in label.text():
            if label.textFormat() != Qt.TextFormat.PlainText and interpreted(label.text(), marker):
                found.append(f"QLabel {label.objectName() or label.text()[:30]!r}")
        if isinstance(label, QTextEdit | QPlainTextEdit):
            document: QTextDocument = label.document()
            if marker in document.toPlainText() and _has_markup(document):
                found.append(f"{type(label).__name__} with links or images")
        if isinstance(label, QAbstractItemView) and label.model() is not None:
            found.extend(_cells(label, marker))
    return found


def _has_markup(document: QTextDocument) -> bool:
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid() and (fragment.charFormat().isAnchor() or fragment.charFormat().isImageFormat()):
                return True
            iterator += 1
        block = block.next()
    return False


def _cells(view: QAbstractItemView, marker: str) -> list[str]:
    model = view.model()
    found: list[str] = []
    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # a list model's columnCount is not public: one column
        columns = 1
    for row in range(min(model.rowCount(QModelIndex()), 2_000)):
        for column in range(columns):
            index = model.index(row, column)
            tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
            if isinstance(tip, str) and marker in tip and interpreted(tip, marker):
                found.append(f"tooltip of a {type(view).__name__} cell ({row}, {column})")
    return found


def test_hostile_text_is_shown_as_text_everywhere(run_desk, simulated_desk, until, first_cycle, publish_live_post, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with loopback_listener() as (port, connections), watched_fifo(tmp_path) as (fifo, opened):
        texts = [f"{title}{AD}{body}" for title, body in hostile_texts(port, fifo)[:-1]]  # the 1 MB title aside

        async def scenario(window: MainWindow) -> None:
            await first_cycle(window, until)
            account_id = sorted(simulated_desk.ids.values())[0]
            for number, body in enumerate(texts):
                await publish_live_post(window, account_id=account_id, external_id=f"hostile-{number}", body=body)
            assert await window.controller.poll_now()
            await until(lambda: window.popup.isVisible() and len(window.popup.entries) == len(texts))
            await window.controller.refresh()
            places: list[str] = []
            shown = 0  # items whose hostile text the pop-up shows (so the check is not vacuous)
            markers = ("<b>", "<img", "<a ", "file://", "\\\\127")
            for number in range(len(texts)):
                window.alerts.table.selectRow(number)  # its detail pane
                entry = window.popup.current_entry
                assert entry is not None
                shown += any(marker in window.popup.context.toPlainText() for marker in ("<", "file:", "=", "\\\\"))
                for marker in markers:
                    places += rendered_markup(window, marker) + rendered_markup(window.popup, marker)
                window.popup.drop_item(entry.key)  # the next item comes forward
            assert not places, sorted(set(places))
            assert shown >= 4

        run_desk(scenario)
        assert connections == [] and opened == []
