"""The pop-up for a high-severity hit: stays on top until acknowledged or deferred.

Non-modal, so the rest of the desk keeps working; shows the matched text (masked where it is
personal data) in its context and why the scanner raised it, literally. A hit the officer
disagrees with is answered by an allow phrase (never for personal data).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services.allow_phrases import allow_refusal
from jb_watchdesk.domain.alerts import Alert
from jb_watchdesk.ui import icons, labels
from jb_watchdesk.ui.dialogs.allow_phrase import AllowPhraseDialog
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import plain_label, tooltip


def highlight(view: QPlainTextEdit, *, text: str, needle: str) -> None:
    """Show ``text`` as plain text and mark the first occurrence of ``needle`` (never via HTML)."""
    view.setPlainText(text)
    position = text.find(needle) if needle else -1
    if position < 0:
        return
    cursor = view.textCursor()
    # QTextCursor positions count UTF-16 units, as Qt strings do.
    start = len(text[:position].encode("utf-16-le")) // 2
    length = len(needle.encode("utf-16-le")) // 2
    cursor.setPosition(start)
    cursor.setPosition(start + length, QTextCursor.MoveMode.KeepAnchor)
    marked = QTextCharFormat()
    marked.setBackground(Qt.GlobalColor.yellow)
    marked.setFontWeight(700)
    cursor.mergeCharFormat(marked)


class AlertPopup(QWidget):
    """One window for every unacknowledged high alert, shown one at a time ("2 / 7").

    Acknowledging (with a note) or deferring moves on to the next; the window closes when the
    queue is empty. Deferred alerts come back through the notification policy's repeat.
    """

    acknowledged = Signal(int, str)  # alert id, note
    deferred = Signal(int)
    allowRequested = Signal(int, str, str)  # alert id, phrase, note

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle(t("ui.popup.title"))
        self._queue: list[tuple[Alert, str]] = []
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.badge = QLabel()
        self.badge.setPixmap(icons.draw("high", 40))
        head.addWidget(self.badge)
        self.title = plain_label()
        font = self.title.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.title.setFont(font)
        head.addWidget(self.title, 1)
        self.position = plain_label()
        head.addWidget(self.position)
        layout.addLayout(head)
        self.meta = plain_label()
        self.matched = plain_label()
        self.reason = plain_label()  # why the scanner raised, lowered or kept the hit; never rich text
        self.reason.setWordWrap(True)
        self.reason.hide()
        layout.addWidget(self.meta)
        layout.addWidget(self.matched)
        layout.addWidget(self.reason)
        self.context = QPlainTextEdit()
        self.context.setReadOnly(True)
        layout.addWidget(self.context)
        self.note = QLineEdit()
        self.note.setPlaceholderText(t("ui.popup.note_placeholder"))
        layout.addWidget(self.note)
        buttons = QDialogButtonBox()
        self.ack_button = buttons.addButton(t("ui.popup.acknowledge"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.defer_button = buttons.addButton(t("ui.popup.later"), QDialogButtonBox.ButtonRole.RejectRole)
        self.allow_button = buttons.addButton(t("ui.popup.add_allow_phrase"), QDialogButtonBox.ButtonRole.ActionRole)
        self.allow_button.clicked.connect(self._ask_allow)
        self._dialog: AllowPhraseDialog | None = None
        self.ack_button.setEnabled(False)
        self.note.textChanged.connect(lambda text: self.ack_button.setEnabled(bool(text.strip())))
        self.ack_button.clicked.connect(self._acknowledge)
        self.defer_button.clicked.connect(self._defer)
        layout.addWidget(buttons)
        self.resize(600, 360)

    @property
    def current(self) -> Alert | None:
        return self._queue[0][0] if self._queue else None

    def alert_ids(self) -> list[int]:
        return [alert.id for alert, _ in self._queue]

    def add(self, alert: Alert, *, account_name: str) -> None:
        """Queue an alert (once); the first one is shown."""
        self.add_many([(alert, account_name)])

    def add_many(self, items: Sequence[tuple[Alert, str]]) -> None:
        """Queue several alerts and redraw once (a first poll can raise hundreds)."""
        queued = set(self.alert_ids())
        for alert, account_name in items:
            if alert.id not in queued:
                queued.add(alert.id)
                self._queue.append((alert, account_name))
        self._show_current()

    def drop(self, alert_id: int) -> None:
        """Forget an alert acknowledged elsewhere (the inbox, another desk)."""
        was_current = self.current is not None and self.current.id == alert_id
        self._queue = [(a, n) for a, n in self._queue if a.id != alert_id]
        if was_current:
            self.note.clear()
        self._show_current()

    def _show_current(self) -> None:
        if not self._queue:
            self.hide()
            return
        alert, account_name = self._queue[0]
        self.badge.setPixmap(icons.draw(alert.severity.value, 40))
        self.title.setText(f"{labels.severity(alert.severity.value)} · {labels.category(alert.category)} · {account_name}")
        self.position.setText(f"1 / {len(self._queue)}")
        when = alert.raised_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
        self.meta.setText(t("ui.popup.found") + when + "    " + t("ui.popup.rule") + labels.rule(alert.rule))
        self.matched.setText(t("ui.popup.matched") + alert.text)
        reason = alert.reason
        self.reason.setText(t("ui.popup.why") + reason if reason else "")
        self.reason.setVisible(bool(reason))
        refusal = allow_refusal(alert)
        self.allow_button.setEnabled(not refusal)
        self.allow_button.setToolTip(tooltip(refusal) if refusal else t("ui.popup.allow_tooltip"))
        highlight(self.context, text=alert.context, needle=alert.text)

    def _acknowledge(self) -> None:
        note = self.note.text().strip()
        alert = self.current
        if note and alert is not None:
            self.acknowledged.emit(alert.id, note)
            self.note.clear()
            self.drop(alert.id)

    def _ask_allow(self) -> None:
        alert = self.current
        if alert is None or allow_refusal(alert):
            return
        dialog = AllowPhraseDialog(alert, parent=self)
        dialog.submitted.connect(self._allow)
        self._dialog = dialog
        dialog.open()

    def _allow(self, alert_id: int, phrase: str, note: str) -> None:
        self.allowRequested.emit(alert_id, phrase, note)
        self.drop(alert_id)

    def _defer(self) -> None:
        alert = self.current
        if alert is not None:
            self.deferred.emit(alert.id)
            self.drop(alert.id)
