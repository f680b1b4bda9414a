"""Answer an alert the officer disagrees with by an allow phrase. Non-blocking: ``open()`` and a signal.

The phrase starts as the matched text and must keep containing it (an allow phrase cancels only
the hits it fully covers); the officer usually widens it to the words around the hit, so the
term still counts everywhere else.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from jb_watchdesk.domain.sensitive.normalize import fold_term
from jb_watchdesk.services.alerts import Alert
from jb_watchdesk.ui.text import plain_label

MIN_PHRASE_CHARS = 2
MAX_PHRASE_CHARS = 64


def _t(text: str) -> str:
    return QCoreApplication.translate("AllowPhraseDialog", text)


def covers(phrase: str, hit: str) -> bool:
    """True when ``phrase`` could cancel ``hit``: long enough and containing it as the matcher reads both."""
    phrase = phrase.strip()
    return len(phrase) >= MIN_PHRASE_CHARS and bool(hit) and fold_term(hit) in fold_term(phrase)


class AllowPhraseDialog(QDialog):
    submitted = Signal(int, str, str)  # alert id, phrase, note

    def __init__(self, alert: Alert, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.alert = alert
        self.setWindowTitle(_t("加入白名单"))
        layout = QVBoxLayout(self)
        intro = plain_label(_t("白名单短语会取消它完整覆盖的命中。只写命中词本身，会在所有文章中停用该词；建议连同前后文字一起写，例如地名或文件名的全称。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        context = plain_label(_t("上下文：") + alert.context)
        context.setWordWrap(True)
        layout.addWidget(context)
        form = QFormLayout()
        self.phrase = QLineEdit(alert.text)
        self.phrase.setMaxLength(MAX_PHRASE_CHARS)
        self.note = QLineEdit()
        self.note.setPlaceholderText(_t("理由，例如：地名，非广告用语"))
        form.addRow(_t("白名单短语"), self.phrase)
        form.addRow(_t("说明"), self.note)
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
            self.problem.setText(_t("短语至少两个字。"))
        else:
            self.problem.setText(_t("短语必须包含命中内容：") + self.alert.text)

    def _accept(self) -> None:
        phrase = self.phrase.text().strip()
        if covers(phrase, self.alert.text):
            self.submitted.emit(self.alert.id, phrase, self.note.text().strip())
            self.accept()
