"""The dashboard's model and filter: sorted in Python on cached keys, filtered without copies."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt

from jb_watchdesk.domain.models import Account, Freshness, Health, Platform
from jb_watchdesk.services.status import AccountStatusRow
from jb_watchdesk.ui.models.dashboard import DashboardFilter, DashboardModel


def row(account_id: int, name: str, unit: str, freshness: Freshness, *, silent: int = 0) -> AccountStatusRow:
    account = Account(id=account_id, name=name, platform=Platform.RSS, unit=unit, health=Health.OK)
    return AccountStatusRow(account, 3, 3, None, silent, freshness, (), 0, 0, 0, 0)


def names(proxy: DashboardFilter) -> list[str]:
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def test_sorting_filtering_and_updates(qapp: object) -> None:
    model = DashboardModel()
    proxy = DashboardFilter()
    proxy.setSourceModel(model)
    rows = [
        row(1, "甲", "区教委", Freshness.OK),
        row(2, "乙", "区民政局", Freshness.VETO, silent=20),
        row(3, "丙", "区教委", Freshness.WARN, silent=8),
    ]
    model.set_rows(rows)
    assert names(proxy) == ["乙", "丙", "甲"]  # veto, warn, ok: the default order
    proxy.sort(DashboardModel.COLUMNS.index("silent"), Qt.SortOrder.DescendingOrder)
    assert names(proxy) == ["乙", "丙", "甲"]
    proxy.sort(DashboardModel.COLUMNS.index("silent"), Qt.SortOrder.AscendingOrder)
    assert names(proxy) == ["甲", "丙", "乙"]
    proxy.set_filters(unit="区教委")
    assert names(proxy) == ["甲", "丙"]
    proxy.set_filters(search="乙")
    assert names(proxy) == ["乙"]
    proxy.set_filters(state="warn")
    assert names(proxy) == ["丙"]
    proxy.set_filters()
    # an update that breaks the order re-sorts; one that does not only repaints
    changed: list[int] = []
    model.dataChanged.connect(lambda first, last: changed.append(first.row()))
    model.set_rows([replace(rows[0], days_silent=0), rows[1], replace(rows[2], days_silent=30)])
    assert names(proxy) == ["甲", "乙", "丙"]
    model.set_rows([replace(rows[0], posts_7d=5), rows[1], replace(rows[2], days_silent=30)])
    assert names(proxy) == ["甲", "乙", "丙"] and changed == [0]


def test_the_selected_account_stays_selected_when_the_order_changes(qapp: object) -> None:
    from PySide6.QtCore import QItemSelectionModel

    model = DashboardModel()
    proxy = DashboardFilter()
    proxy.setSourceModel(model)
    rows = [row(i, f"账号{i}", "区教委", Freshness.OK, silent=i) for i in range(1, 6)]
    model.set_rows(rows)
    selection = QItemSelectionModel(proxy)
    target = next(r for r in range(proxy.rowCount()) if proxy.index(r, 0).data() == "账号2")
    selection.setCurrentIndex(proxy.index(target, 3), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    proxy.sort(DashboardModel.COLUMNS.index("silent"), Qt.SortOrder.DescendingOrder)
    assert names(proxy) == ["账号5", "账号4", "账号3", "账号2", "账号1"]
    current = selection.currentIndex()
    assert (current.row(), current.column(), current.data()) == (3, 3, proxy.index(3, 3).data())
    assert proxy.index(current.row(), 0).data() == "账号2"
    # an update that breaks the order moves the selection with its account too
    model.set_rows([replace(r, days_silent=100) if r.account.id == 2 else r for r in rows])
    assert proxy.index(selection.currentIndex().row(), 0).data() == "账号2" and selection.currentIndex().row() == 0
