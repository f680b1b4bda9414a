"""The alerts inbox: new first; the matched text highlighted in its context and why the scanner
raised it; acknowledge with a note, or answer a hit the officer disagrees with by an allow phrase."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QPlainTextEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget

from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services.allow_phrases import allow_refusal
from jb_watchdesk.domain.alerts import Alert
from jb_watchdesk.domain.models import AlertState
from jb_watchdesk.ui import labels
from jb_watchdesk.ui.dialogs.alert_popup import highlight
from jb_watchdesk.ui.dialogs.allow_phrase import AllowPhraseDialog
from jb_watchdesk.ui.dialogs.note import NoteDialog
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.models.alerts import AlertsModel
from jb_watchdesk.ui.text import plain_label, tooltip
from jb_watchdesk.ui.views.columns import FitWhenShown, fit_columns


class AlertsView(QWidget):
    acknowledgeRequested = Signal(int, str)
    allowRequested = Signal(int, str, str)  # alert id, phrase, note

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AlertsModel(self)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.ack_button = QPushButton(t("ui.alerts.acknowledge"))
        self.ack_button.setEnabled(False)
        bar.addWidget(self.ack_button)
        self.allow_button = QPushButton(t("ui.alerts.add_allow_phrase"))
        self.allow_button.setEnabled(False)
        bar.addWidget(self.allow_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        split = QSplitter()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setWordWrap(False)
        split.addWidget(self.table)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        self.summary = plain_label()
        self.summary.setWordWrap(True)
        self.reason = plain_label()  # why the scanner raised, lowered or kept the hit; never rich text
        self.reason.setWordWrap(True)
        self.reason.hide()
        self.context = QPlainTextEdit()
        self.context.setReadOnly(True)
        side_layout.addWidget(self.summary)
        side_layout.addWidget(self.reason)
        side_layout.addWidget(self.context)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        layout.addWidget(split)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.ack_button.clicked.connect(self._ask)
        self.allow_button.clicked.connect(self._ask_allow)
        self._dialog: NoteDialog | AllowPhraseDialog | None = None
        self._fit = FitWhenShown(self.table, lambda: fit_columns(self.table, widest=260))

    def set_rows(self, alerts: Sequence[Alert], account_names: Mapping[int, str]) -> None:
        selected = self.current()
        first = self.model.rowCount() == 0
        self.model.set_rows(alerts, account_names=account_names)
        if first and alerts:
            self._fit.request()
        if selected is not None:
            self.select(selected.id)
        self._selected()

    def update_rows(self, alerts: Sequence[Alert]) -> bool:
        """Show the current state of listed alerts; False if any is not listed."""
        selected = self.current()
        if not self.model.update_rows(alerts):
            return False
        if selected is not None:
            self.select(selected.id)
        self._selected()
        return True

    def select(self, alert_id: int) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.row_at(row).id == alert_id:
                self.table.selectRow(row)
                return True
        return False

    def current(self) -> Alert | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.row_at(rows[0].row()) if rows else None

    def _selected(self, *_: object) -> None:
        alert = self.current()
        self.ack_button.setEnabled(alert is not None and alert.state is AlertState.NEW)
        refusal = allow_refusal(alert) if alert is not None else ""
        self.allow_button.setEnabled(alert is not None and alert.state is AlertState.NEW and not refusal)
        self.allow_button.setToolTip(tooltip(refusal) if refusal else t("ui.alerts.allow_tooltip"))
        if alert is None:
            self.summary.setText("")
            self.reason.hide()
            self.context.setPlainText("")
            return
        lines = [
            f"{labels.severity(alert.severity.value)} · {labels.category(alert.category)} · {self.model.account_name(alert.account_id)}",
            f"{t('ui.alerts.rule')}: {labels.rule(alert.rule)}    {t('ui.alerts.confidence')}: {alert.confidence:.1f}",
            f"{t('ui.alerts.found')}: {alert.raised_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}",
        ]
        if alert.ack_by:
            lines.append(f"{t('ui.alerts.acked_by')}: {alert.ack_by}  {t('ui.alerts.note')}: {alert.ack_note or ''}")
        self.summary.setText("\n".join(lines))
        reason = alert.reason
        self.reason.setText(f"{t('ui.alerts.why')}: {reason}" if reason else "")
        self.reason.setVisible(bool(reason))
        highlight(self.context, text=alert.context, needle=alert.text)

    def _ask(self) -> None:
        alert = self.current()
        if alert is None or alert.state is not AlertState.NEW:
            return
        dialog = NoteDialog(title=t("ui.alerts.acknowledge_title"), prompt=t("ui.alerts.acknowledge_prompt"), subject=alert.context, parent=self)
        dialog.submitted.connect(lambda note: self.acknowledgeRequested.emit(alert.id, note))
        self._dialog = dialog
        dialog.open()

    def _ask_allow(self) -> None:
        alert = self.current()
        if alert is None or alert.state is not AlertState.NEW or allow_refusal(alert):
            return
        dialog = AllowPhraseDialog(alert, parent=self)
        dialog.submitted.connect(self.allowRequested)
        self._dialog = dialog
        dialog.open()
