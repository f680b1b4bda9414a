"""The Alerts tab's filters and pager: which alerts are listed, and which page of them.

The filters build one :class:`~jb_watchdesk.domain.alerts.AlertFilter` (severity, category,
account, unit, state, publish date, live or backlog); the pager says "显示第 1–500 条，共 807 条"
and moves a page at a time, so a long list is never silently cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QPushButton, QWidget

from jb_watchdesk.domain.alerts import AlertFilter
from jb_watchdesk.domain.models import Account, AlertState
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.ui import labels
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import plain_label

_NO_DATE = QDate(2000, 1, 1)
"""The date edits' minimum, shown as "不限" (any)."""

LIVE = "live"
BACKLOG = "backlog"


def _combo(first: str) -> QComboBox:
    combo = QComboBox()
    combo.addItem(first, None)
    return combo


def _date_edit() -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setMinimumDate(_NO_DATE)
    edit.setSpecialValueText(t("ui.alerts.any_date"))
    edit.setDate(_NO_DATE)
    return edit


def _start_of(day: QDate) -> datetime | None:
    if day == _NO_DATE or not day.isValid():
        return None
    return datetime.combine(day.toPython(), time(0, 0), tzinfo=SHANGHAI)  # type: ignore[arg-type]


class AlertFilterBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.view = QComboBox()
        self.view.addItem(t("ui.alerts.view_all"), None)
        self.view.addItem(t("ui.alerts.view_live"), LIVE)
        self.view.addItem(t("ui.alerts.view_backlog"), BACKLOG)
        self.view.setToolTip(t("ui.alerts.backlog_note"))
        self.state = _combo(t("ui.alerts.any_state"))
        for state in AlertState:
            self.state.addItem(labels.alert_state(state.value), state.value)
        self.severity = _combo(t("ui.alerts.any_severity"))
        for severity in (Severity.HIGH, Severity.MEDIUM, Severity.LOW):
            self.severity.addItem(labels.severity(severity.value), severity.value)
        self.category = _combo(t("ui.alerts.any_category"))
        for category in (*Category, "lifecycle", "platform"):
            code = str(category)
            self.category.addItem(labels.category(code), code)
        self.account = _combo(t("ui.alerts.any_account"))
        self.unit = _combo(t("ui.alerts.any_unit"))
        self.published_from = _date_edit()
        self.published_to = _date_edit()
        for widget in (self.view, self.state, self.severity, self.category, self.account, self.unit):
            layout.addWidget(widget)
            widget.currentIndexChanged.connect(lambda _: self.changed.emit())
        layout.addWidget(plain_label(t("ui.alerts.published_from")))
        layout.addWidget(self.published_from)
        layout.addWidget(plain_label(t("ui.alerts.published_to")))
        layout.addWidget(self.published_to)
        for edit in (self.published_from, self.published_to):
            edit.dateChanged.connect(lambda _: self.changed.emit())
        layout.addStretch(1)

    def set_accounts(self, accounts: Sequence[Account]) -> None:
        """The accounts and units to choose from; the choice made stays."""
        self._refill(self.account, [(account.name, account.id) for account in sorted(accounts, key=lambda a: a.name)])
        units = sorted({account.unit for account in accounts if account.unit})
        self._refill(self.unit, [(unit, unit) for unit in units])

    @staticmethod
    def _refill(combo: QComboBox, entries: list[tuple[str, object]]) -> None:
        wanted = combo.currentData()
        current = [(combo.itemText(i), combo.itemData(i)) for i in range(1, combo.count())]
        if current == entries:
            return
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for text, data in entries:
            combo.addItem(text, data)
        index = combo.findData(wanted) if wanted is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def show_backlog(self) -> None:
        """The "待核查存量" view: new backlog alerts, to review in bulk."""
        self.blockSignals(True)
        self.view.setCurrentIndex(self.view.findData(BACKLOG))
        self.state.setCurrentIndex(self.state.findData(AlertState.NEW.value))
        self.blockSignals(False)
        self.changed.emit()

    def selection(self) -> AlertFilter:
        view = self.view.currentData()
        state, severity, category = self.state.currentData(), self.severity.currentData(), self.category.currentData()
        account, unit = self.account.currentData(), self.unit.currentData()
        return AlertFilter(
            states=frozenset({AlertState(state)}) if state else frozenset(),
            severities=frozenset({Severity(severity)}) if severity else frozenset(),
            categories=frozenset({category}) if category else frozenset(),
            account_ids=frozenset({int(account)}) if account is not None else frozenset(),
            unit=unit or None,
            backlog=None if view is None else view == BACKLOG,
            published_from=_start_of(self.published_from.date()),
            published_to=_start_of(self.published_to.date().addDays(1)) if self.published_to.date() != _NO_DATE else None,
        )


class Pager(QWidget):
    """"显示第 1–500 条，共 807 条" with the previous and next pages."""

    moved = Signal(int)  # the offset of the page asked for

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = plain_label()
        self.previous = QPushButton(t("ui.alerts.previous"))
        self.next = QPushButton(t("ui.alerts.next"))
        layout.addWidget(self.label)
        layout.addWidget(self.previous)
        layout.addWidget(self.next)
        self.offset, self.shown, self.total, self.page_size = 0, 0, 0, 500
        self.previous.clicked.connect(lambda: self.moved.emit(max(0, self.offset - self.page_size)))
        self.next.clicked.connect(lambda: self.moved.emit(self.offset + self.page_size))
        self.set_page(offset=0, shown=0, total=0, page_size=500)

    def set_page(self, *, offset: int, shown: int, total: int, page_size: int) -> None:
        self.offset, self.shown, self.total, self.page_size = offset, shown, total, page_size
        if total and shown:
            self.label.setText(t("ui.alerts.page", first=offset + 1, last=offset + shown, total=total))
        else:
            self.label.setText(t("ui.alerts.page_empty"))
        self.previous.setEnabled(offset > 0)
        self.next.setEnabled(offset + shown < total)
