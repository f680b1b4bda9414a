"""Columns sized from a sample of rows: wide enough for header and text, never wider than the cap."""

from __future__ import annotations

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from jb_watchdesk.ui.views.columns import fit_columns


def test_columns_fit_their_text_and_stop_at_the_cap(qapp: object) -> None:
    model = QStandardItemModel(0, 3)
    model.setHorizontalHeaderLabels(["账号名称", "说明", "很长很长很长的表头文字"])
    for n in range(1_000):
        model.appendRow([QStandardItem(f"江北区某某单位账号{n}"), QStandardItem("长" * 200), QStandardItem("x")])
    table = QTableView()
    table.setModel(model)
    fit_columns(table, widest=300)
    metrics = table.fontMetrics()
    assert table.columnWidth(0) >= metrics.horizontalAdvance("江北区某某单位账号999")
    assert table.columnWidth(1) == 300
    assert table.columnWidth(2) >= table.horizontalHeader().fontMetrics().horizontalAdvance("很长很长很长的表头文字")
    assert table.columnWidth(2) < 300


def test_a_hidden_table_is_sized_when_it_is_shown(qapp: object) -> None:
    from jb_watchdesk.ui.views.columns import FitWhenShown

    table = QTableView()
    fits: list[int] = []
    deferred = FitWhenShown(table, lambda: fits.append(1))
    deferred.request()
    assert fits == []  # hidden: nothing yet
    table.show()
    assert fits == [1]
    table.hide()
    table.show()
    assert fits == [1]  # once per request
    deferred.request()
    assert fits == [1, 1]  # in view: at once
    table.close()
