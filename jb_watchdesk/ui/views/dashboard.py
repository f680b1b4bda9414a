"""The freshness board: one row per account, filters, search and a summary bar."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLineEdit, QTableView, QVBoxLayout, QWidget

from jb_watchdesk.domain.models import Platform
from jb_watchdesk.services.status import AccountStatusRow
from jb_watchdesk.ui import labels
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.models.dashboard import DashboardFilter, DashboardModel, week_label
from jb_watchdesk.ui.views.columns import fit_columns


class DashboardView(QWidget):
    accountActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = DashboardModel(self)
        self.proxy = DashboardFilter(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(t("ui.dashboard.search_placeholder"))
        self.search.setClearButtonEnabled(True)
        self.unit = QComboBox()
        self.platform = QComboBox()
        self.platform.addItem(t("ui.dashboard.all_platforms"), "")
        for platform in Platform:
            self.platform.addItem(labels.platform(platform.value), platform.value)
        self.state = QComboBox()
        self.state.addItem(t("ui.dashboard.all_statuses"), "")
        for kind, value in (
            (labels.freshness, "veto"),
            (labels.freshness, "warn"),
            (labels.health, "failing"),
            (labels.health, "auth_expired"),
            (labels.health, "degraded"),
            (labels.health, "never_polled"),
        ):
            self.state.addItem(kind(value), value)
        for widget in (self.search, self.unit, self.platform, self.state):
            bar.addWidget(widget)
        bar.setStretch(0, 3)
        layout.addLayout(bar)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DashboardModel.COLUMNS.index("freshness"), Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(self._activated)
        layout.addWidget(self.table)
        self.search.textChanged.connect(self._filter)
        for combo in (self.unit, self.platform, self.state):
            combo.currentIndexChanged.connect(self._filter)
        self._units: list[str] = []
        self._refill_units([])

    def _refill_units(self, units: Sequence[str]) -> None:
        current = self.unit.currentData() or ""
        self.unit.blockSignals(True)
        self.unit.clear()
        self.unit.addItem(t("ui.dashboard.all_units"), "")
        for unit in units:
            self.unit.addItem(unit, unit)
        index = self.unit.findData(current)
        self.unit.setCurrentIndex(max(0, index))
        self.unit.blockSignals(False)

    def set_rows(self, rows: Sequence[AccountStatusRow]) -> None:
        first = self.model.rowCount() == 0
        self.model.set_rows(rows)
        units = sorted({r.account.unit for r in rows if r.account.unit})
        if units != self._units:
            self._units = units
            self._refill_units(units)
        if first and rows:
            self.fit_columns()

    def fit_columns(self) -> None:
        """Sized once, on the first rows: the templates cover what polling later puts in the cells."""
        column = DashboardModel.COLUMNS.index
        codes = {
            "platform": [labels.platform(p.value) for p in Platform],
            "lifecycle": [labels.lifecycle(c) for c in ("active", "to_close", "closed")],
            "last_post": ["12-31 23:59"],
            "week": [week_label(99, 99)],
            "silent": ["9999"],
            "freshness": [labels.freshness(c) for c in ("ok", "warn", "veto", "unknown")],
            "health": [labels.health(c) for c in ("ok", "degraded", "auth_expired", "failing", "never_polled")],
            "pending": ["99999"],
            "overdue": ["999 / 999"],
        }
        fit_columns(
            self.table,
            widest=360,
            templates={column(name): texts for name, texts in codes.items()},
            icon_columns=[column("freshness"), column("health"), column("overdue")],
        )

    def _filter(self) -> None:
        self.proxy.set_filters(
            unit=self.unit.currentData() or "",
            platform=self.platform.currentData() or "",
            state=self.state.currentData() or "",
            search=self.search.text(),
        )

    def _activated(self, index) -> None:  # type: ignore[no-untyped-def]
        source = self.proxy.mapToSource(index)
        self.accountActivated.emit(self.model.row_at(source.row()).account.id)
