"""The alerts inbox: new first, a page at a time ("显示第 1–500 条，共 807 条"), filtered by severity,
category, account, unit, state, publish date, live or backlog. The detail pane lists every hit of
the selected alert (rule, why, masked text), all of them highlighted in the text. Acknowledge one
alert, or with one note every alert of the selection, the post, the account, the rule or the view;
defer them 15 minutes, an hour or until the end of the shift; or answer a hit the officer
disagrees with by an allow phrase."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from jb_watchdesk.domain.alerts import Alert, AlertFilter
from jb_watchdesk.domain.messages import times
from jb_watchdesk.domain.models import Account, AlertState
from jb_watchdesk.services.alerts import Deferral
from jb_watchdesk.services.allow_phrases import allow_refusal
from jb_watchdesk.ui import labels
from jb_watchdesk.ui.dialogs.alert_popup import hit_line
from jb_watchdesk.ui.dialogs.allow_phrase import AllowPhraseDialog
from jb_watchdesk.ui.dialogs.note import NoteDialog
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.models.alerts import AlertsModel
from jb_watchdesk.ui.text import plain_label, tooltip
from jb_watchdesk.ui.views.columns import FitWhenShown, fit_columns
from jb_watchdesk.ui.widgets.alert_filters import AlertFilterBar, Pager
from jb_watchdesk.ui.widgets.highlight import highlight_alerts

SCOPES = ("selected", "item", "account", "rule", "filter")


class AlertsView(QWidget):
    acknowledgeRequested = Signal(int, str)
    allowRequested = Signal(int, str, str)  # alert id, phrase, note
    acknowledgeSelectionRequested = Signal(object, str)  # list[AlertFilter], note
    deferRequested = Signal(object, str)  # list[AlertFilter], Deferral value
    viewChanged = Signal(object, int)  # AlertFilter, offset: which page of which alerts to list

    def __init__(self, parent: QWidget | None = None, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        self.model = AlertsModel(self, now=now)
        self.selection = AlertFilter()
        layout = QVBoxLayout(self)
        self.filters = AlertFilterBar()
        layout.addWidget(self.filters)
        bar = QHBoxLayout()
        self.ack_button = QPushButton(t("ui.alerts.acknowledge"))
        self.ack_button.setEnabled(False)
        bar.addWidget(self.ack_button)
        self.allow_button = QPushButton(t("ui.alerts.add_allow_phrase"))
        self.allow_button.setEnabled(False)
        bar.addWidget(self.allow_button)
        bar.addSpacing(16)
        bar.addWidget(plain_label(t("ui.alerts.scope")))
        self.scope = QComboBox()
        for scope in SCOPES:
            self.scope.addItem(t(f"ui.alerts.scope_{scope}"), scope)
        bar.addWidget(self.scope)
        self.ack_scope_button = QPushButton(t("ui.alerts.acknowledge_scope"))
        bar.addWidget(self.ack_scope_button)
        self.defer_button = QPushButton(t("ui.alerts.defer"))
        self.defer_menu = QMenu(self.defer_button)
        for choice in Deferral:
            action = self.defer_menu.addAction(labels.deferral(choice.value))
            action.triggered.connect(lambda _=False, c=choice: self.defer(c))
        self.defer_button.setMenu(self.defer_menu)
        bar.addWidget(self.defer_button)
        bar.addStretch(1)
        self.pager = Pager()
        bar.addWidget(self.pager)
        layout.addLayout(bar)
        split = QSplitter()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.ExtendedSelection)
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
        self.hits = plain_label()  # every hit: rule, masked text, why
        self.hits.setWordWrap(True)
        self.context = QPlainTextEdit()
        self.context.setReadOnly(True)
        side_layout.addWidget(self.summary)
        side_layout.addWidget(self.reason)
        side_layout.addWidget(self.hits)
        side_layout.addWidget(self.context)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        layout.addWidget(split)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.ack_button.clicked.connect(self._ask)
        self.allow_button.clicked.connect(self._ask_allow)
        self.ack_scope_button.clicked.connect(self._ask_scope)
        self.scope.currentIndexChanged.connect(lambda _: self._selected())
        self.filters.changed.connect(self._filters_changed)
        self.pager.moved.connect(lambda offset: self.viewChanged.emit(self.selection, offset))
        self._dialog: NoteDialog | AllowPhraseDialog | None = None
        self._fit = FitWhenShown(self.table, lambda: fit_columns(self.table, widest=260))

    # -- what is listed ----------------------------------------------------------------------

    def _filters_changed(self) -> None:
        self.selection = self.filters.selection()
        self.viewChanged.emit(self.selection, 0)

    def set_accounts(self, accounts: Sequence[Account]) -> None:
        self.filters.set_accounts(accounts)

    def set_page(self, *, offset: int, total: int, page_size: int) -> None:
        self.pager.set_page(offset=offset, shown=self.model.rowCount(), total=total, page_size=page_size)

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
        return self.model.row_at(min(index.row() for index in rows)) if rows else None

    def selected_alerts(self) -> list[Alert]:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return [self.model.row_at(row) for row in sorted({index.row() for index in rows})]

    # -- the detail pane --------------------------------------------------------------------

    def _selected(self, *_: object) -> None:
        alert = self.current()
        self.ack_button.setEnabled(alert is not None and alert.state is AlertState.NEW)
        refusal = allow_refusal(alert) if alert is not None else ""
        self.allow_button.setEnabled(alert is not None and alert.state is AlertState.NEW and not refusal)
        self.allow_button.setToolTip(tooltip(refusal) if refusal else t("ui.alerts.allow_tooltip"))
        can_act = bool(self.scope_filters())
        self.ack_scope_button.setEnabled(can_act)
        self.defer_button.setEnabled(can_act)
        if alert is None:
            self.summary.setText("")
            self.reason.hide()
            self.hits.setText("")
            self.context.setPlainText("")
            return
        now = self.model.now()
        lines = [
            f"{labels.severity(alert.severity.value)} · {labels.category(alert.category)} · {self.model.account_name(alert.account_id)}",
            f"{t('ui.alerts.rule')}: {labels.rule(alert.rule)}    {t('ui.alerts.confidence')}: {alert.confidence:.1f}",
            f"{labels.published(alert.published_at, now=now)}    {t('ui.alerts.first_seen')}: {times.show(alert.seen_at or alert.raised_at)}",
        ]
        if alert.backlog:
            lines.append(t("ui.alerts.backlog_note"))
        if alert.state is AlertState.NEW and alert.deferred_until is not None and alert.deferred_until > now:
            lines.append(f"{t('ui.alerts.deferred_until')}: {times.show(alert.deferred_until)}")
        if alert.escalated_at is not None:
            lines.append(f"{t('ui.alerts.escalated_at')}: {times.show(alert.escalated_at)}")
        if alert.ack_by:
            lines.append(f"{t('ui.alerts.acked_by')}: {alert.ack_by}  {t('ui.alerts.note')}: {alert.ack_note or ''}")
        self.summary.setText("\n".join(lines))
        reason = alert.reason
        self.reason.setText(f"{t('ui.alerts.why')}: {reason}" if reason else "")
        self.reason.setVisible(bool(reason))
        hits = [hit_line(hit) for hit in alert.hits]
        self.hits.setText(f"{t('ui.alerts.every_hit')} ({len(hits)}):\n" + "\n".join(hits) if hits else "")
        highlight_alerts(self.context, [alert])

    # -- acting ---------------------------------------------------------------------------------

    def scope_filters(self) -> list[AlertFilter]:
        """What the scope chosen takes: one filter per selected alert, or one for the post, the
        account, the rule of the selected alert, or the whole view. Empty when there is nothing."""
        scope = self.scope.currentData()
        alert = self.current()
        if scope == "filter":
            return [] if self.selection.is_empty else [self.selection]
        if alert is None:
            return []
        if scope == "item":
            return [AlertFilter(item=alert.item_key)]
        if scope == "account":
            return [AlertFilter(account_ids=frozenset({alert.account_id}))]
        if scope == "rule":
            return [AlertFilter(rule=alert.rule)]
        # one alert per item and category: the pair names exactly one new alert
        return [
            AlertFilter(item=a.item_key, categories=frozenset({a.category}))
            for a in self.selected_alerts()
            if a.state is AlertState.NEW
        ]

    def _ask_scope(self) -> None:
        filters = self.scope_filters()
        if not filters:
            return
        scope = self.scope.currentText()
        alert = self.current()
        dialog = NoteDialog(
            title=t("ui.alerts.acknowledge_title"),
            prompt=t("ui.alerts.bulk_prompt", scope=scope),
            subject=alert.context if alert is not None and self.scope.currentData() != "filter" else "",
            parent=self,
        )
        dialog.submitted.connect(lambda note: self.acknowledgeSelectionRequested.emit(filters, note))
        self._dialog = dialog
        dialog.open()

    def defer(self, choice: Deferral) -> None:
        filters = self.scope_filters()
        if filters:
            self.deferRequested.emit(filters, choice.value)

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
