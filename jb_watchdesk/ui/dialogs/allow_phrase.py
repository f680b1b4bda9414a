"""Answer an alert the officer disagrees with by an allow phrase. Non-blocking: ``open()`` and a signal.

The phrase starts as the matched text and must keep containing it (an allow phrase cancels only
the hits it fully covers); the officer usually widens it to the words around the hit, so the
term still counts everywhere else.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from jb_watchdesk.domain.sensitive.normalize import fold_term
from jb_watchdesk.services.alerts import Alert
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import plain_label

MIN_PHRASE_CHARS = 2
MAX_PHRASE_CHARS = 64


def covers(phrase: str, hit: str) -> bool:
    """True when ``phrase`` could cancel ``hit``: long enough and containing it as the matcher reads both."""
    phrase = phrase.strip()
    return len(phrase) >= MIN_PHRASE_CHARS and bool(hit) and fold_term(hit) in fold_term(phrase)


class AllowPhraseDialog(QDialog):
    submitted = Signal(int, str, str)  # alert id, phrase, note

    def __init__(self, alert: Alert, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alert = alert
        self.setWindowTitle(t("ui.allow.title"))
        layout = QVBoxLayout(self)
        intro = plain_label(t("ui.allow.explanation"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        context = plain_label(t("ui.allow.context") + alert.context)
        context.setWordWrap(True)
        layout.addWidget(context)
        form = QFormLayout()
        self.phrase = QLineEdit(alert.text)
        self.phrase.setMaxLength(MAX_PHRASE_CHARS)
        self.note = QLineEdit()
        self.note.setPlaceholderText(t("ui.allow.note_placeholder"))
        form.addRow(t("ui.allow.allow_phrase"), self.phrase)
        form.addRow(t("ui.allow.note"), self.note)
        layout.addLayout(form)
        self.problem = plain_label()
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.phrase.textChanged.connect(self._check)
        self._check()
        self.resize(520, 240)

    def _check(self, *_: object) -> None:
        phrase = self.phrase.text()
        ok = covers(phrase, self.alert.text)
        self.ok.setEnabled(ok)
        if ok:
            self.problem.setText("")
        elif len(phrase.strip()) < MIN_PHRASE_CHARS:
            self.problem.setText(t("ui.allow.too_short"))
        else:
            self.problem.setText(t("ui.allow.must_contain_match") + self.alert.text)

    def _accept(self) -> None:
        phrase = self.phrase.text().strip()
        if covers(phrase, self.alert.text):
            self.submitted.emit(self.alert.id, phrase, self.note.text().strip())
            self.accept()
