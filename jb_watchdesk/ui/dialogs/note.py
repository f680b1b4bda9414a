"""Ask for a note (acknowledging an alert or a comment). Non-blocking: ``open()`` and a signal."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import plain_label


class NoteDialog(QDialog):
    submitted = Signal(str)

    def __init__(self, *, title: str, prompt: str, subject: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt))
        quoted = plain_label(subject)
        quoted.setWordWrap(True)
        layout.addWidget(quoted)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(t("ui.note.placeholder"))
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.note.textChanged.connect(lambda: self.ok.setEnabled(bool(self.note.toPlainText().strip())))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(480, 260)

    def _accept(self) -> None:
        text = self.note.toPlainText().strip()
        if text:
            self.submitted.emit(text)
            self.accept()
