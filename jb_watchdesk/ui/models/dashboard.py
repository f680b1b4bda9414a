"""One row per account: freshness, health and the comment backlog."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QIcon

from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services.problems import freshness_text, health_text
from jb_watchdesk.services.status import AccountStatusRow, needs_reading
from jb_watchdesk.ui import icons, labels
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import tooltip

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
FILTER_ROLE = Qt.ItemDataRole.UserRole + 2
# Roles as plain ints: data() runs for every painted cell and role, so it compares ints only.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
_SORT = int(SORT_ROLE)
_FILTER = int(FILTER_ROLE)

Index = QModelIndex | QPersistentModelIndex
_FRESHNESS_RANK = {"veto": 0, "warn": 1, "unknown": 2, "ok": 3}
_HEALTH_RANK = {"failing": 0, "auth_expired": 1, "degraded": 2, "never_polled": 3, "ok": 4}


class DashboardModel(QAbstractTableModel):
    # The order of _sort_keys' tuple.
    COLUMNS = ("name", "platform", "unit", "lifecycle", "last_post", "week", "silent", "freshness", "health", "pending", "overdue")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[AccountStatusRow] = []
        self._index: dict[int, int] = {}
        # Sort keys per row, computed once per update: the proxy sorts 1,000 rows in C++ on them.
        self._keys: list[tuple[Any, ...]] = []
        self._filters: list[dict[str, str]] = []
        # What a row paints (texts, icons, brushes), made on its first paint and dropped when it changes.
        self._painted: list[_Painted | None] = []
        self._sort_column = self.COLUMNS.index("freshness")
        self._sort_order = Qt.SortOrder.AscendingOrder

    def headers(self) -> list[str]:
        return [
            t("ui.dashboard.account"),
            t("ui.dashboard.platform"),
            t("ui.dashboard.unit"),
            t("ui.dashboard.status"),
            t("ui.dashboard.last_post"),
            t("ui.dashboard.week_3"),
            t("ui.dashboard.days_silent"),
            t("ui.dashboard.updates"),
            t("ui.dashboard.health"),
            t("ui.dashboard.pending"),
            t("ui.dashboard.overdue"),
        ]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def row_at(self, row: int) -> AccountStatusRow:
        return self._rows[row]

    def set_rows(self, rows: Sequence[AccountStatusRow]) -> None:
        """Replace the data; when the same accounts come back in the same order only cells change."""
        incoming = {r.account.id: r for r in rows}
        if set(incoming) == set(self._index):
            # The same accounts: update cells in place, in the current sort order.
            changed = []
            for i, old in enumerate(self._rows):
                new = incoming[old.account.id]
                if new != old:
                    changed.append(i)
                    self._set(i, new)
            if changed and self._order_broken():
                self.sort(self._sort_column, self._sort_order)
                return
            # One signal per run of changed rows: only those repaint.
            for first, last in _runs(changed):
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(self.COLUMNS) - 1))
            return
        self.beginResetModel()
        self._rows = list(rows)
        self._painted = [None] * len(self._rows)
        self._keys = [self._sort_keys(r) for r in self._rows]
        self._filters = [self._filter_info(r) for r in self._rows]
        self._reorder()
        self.endResetModel()

    def _set(self, i: int, row: AccountStatusRow) -> None:
        self._rows[i] = row
        self._painted[i] = None
        self._keys[i] = self._sort_keys(row)
        self._filters[i] = self._filter_info(row)

    def _order_broken(self) -> bool:
        column = self._sort_column
        values = [key[column] for key in self._keys]
        pairs = zip(values, values[1:], strict=False)
        if self._sort_order == Qt.SortOrder.DescendingOrder:
            return any(a < b for a, b in pairs)
        return any(a > b for a, b in pairs)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python on the cached keys (a proxy would call back into Python per comparison)."""
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        # Only the persistent indexes that exist (selection, current cell) move with their rows.
        persistent = self.persistentIndexList()
        followed = [(self._rows[i.row()].account.id, i.column()) for i in persistent]
        self._reorder()
        self.changePersistentIndexList(persistent, [self.index(self._index[aid], c) for aid, c in followed])
        self.layoutChanged.emit()

    def _reorder(self) -> None:
        """Put rows, keys and filter data in the current sort order (a stable sort on the cached keys)."""
        column = self._sort_column
        keys = self._keys
        order = sorted(range(len(keys)), key=lambda i: keys[i][column], reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        self._rows = [self._rows[i] for i in order]
        self._painted = [self._painted[i] for i in order]
        self._keys = [keys[i] for i in order]
        self._filters = [self._filters[i] for i in order]
        self._index = {r.account.id: i for i, r in enumerate(self._rows)}

    def filter_info(self, row: int) -> dict[str, str]:
        return self._filters[row]

    @staticmethod
    def _filter_info(row: AccountStatusRow) -> dict[str, str]:
        return {
            "unit": row.account.unit,
            "platform": row.account.platform.value,
            "freshness": row.freshness.value,
            "health": row.account.health.value,
            "text": f"{row.account.name} {row.account.unit} {row.account.owner}".lower(),
        }

    def summary(self) -> dict[str, int]:
        return {
            "veto": sum(r.freshness.value == "veto" for r in self._rows),
            "warn": sum(r.freshness.value == "warn" for r in self._rows),
            "overdue_ack": sum(r.overdue_ack for r in self._rows),
            "overdue_result": sum(r.overdue_result for r in self._rows),
            "failing": sum(r.account.health.value in ("failing", "auth_expired") for r in self._rows),
            "closing_posts": sum(r.closing_posts > 0 for r in self._rows),
        }

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        r, c = index.row(), index.column()
        if r < 0 or c < 0:
            return None
        if role in (_DISPLAY, _DECORATION, _FOREGROUND, _BACKGROUND):
            painted = self._painted[r]
            if painted is None:
                painted = self._painted[r] = self._paint(self._rows[r])
            if role == _DISPLAY:
                return painted.texts[c]
            if role == _DECORATION:
                return painted.icons[c]
            if role == _FOREGROUND:
                return painted.foreground[c]
            return painted.background
        if role == _TOOLTIP:
            return self._tooltip(self._rows[r], self.COLUMNS[c])
        if role == _SORT:
            return self._keys[r][c]
        if role == _FILTER:
            return self._filters[r]
        return None

    def _paint(self, row: AccountStatusRow) -> _Painted:
        freshness, health = row.freshness.value, row.account.health.value
        failing = health in ("failing", "auth_expired")
        icons_ = [None] * len(self.COLUMNS)
        icons_[self.COLUMNS.index("freshness")] = icons.icon(freshness)
        icons_[self.COLUMNS.index("health")] = icons.icon(health)
        if row.overdue_ack or row.overdue_result:
            icons_[self.COLUMNS.index("overdue")] = icons.icon("overdue")
        foreground = [None] * len(self.COLUMNS)
        if freshness == "veto":
            foreground[self.COLUMNS.index("freshness")] = QBrush(icons.RED)
        if failing:
            foreground[self.COLUMNS.index("health")] = QBrush(icons.RED)
        attention = freshness == "veto" or row.overdue_ack or failing
        return _Painted(
            texts=tuple(self._display(row, column) for column in self.COLUMNS),
            icons=tuple(icons_),
            foreground=tuple(foreground),
            background=QBrush(QColor(255, 235, 235)) if attention else None,
        )

    def _display(self, row: AccountStatusRow, column: str) -> str:
        a = row.account
        if column == "name":
            return a.name
        if column == "platform":
            return labels.platform(a.platform.value)
        if column == "unit":
            return a.unit
        if column == "lifecycle":
            return labels.lifecycle(a.status.value)
        if column == "last_post":
            return row.last_post_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if row.last_post_at else "—"
        if column == "week":
            return week_label(row.posts_this_week, row.posts_7d)
        if column == "silent":
            return "—" if row.days_silent is None else str(row.days_silent)
        if column == "freshness":
            return labels.freshness(row.freshness.value)
        if column == "health":
            return reading_label(row) or labels.health(a.health.value)
        if column == "pending":
            return str(row.pending_comments)
        if column == "overdue":
            return f"{row.overdue_ack} / {row.overdue_result}"
        return ""

    def _tooltip(self, row: AccountStatusRow, column: str) -> str | None:
        a = row.account
        if column == "health" and row.awaiting_reading:
            return tooltip(t("ui.dashboard.awaiting_reading_tooltip"))
        if column == "health":
            reason = health_text(a)
            since = a.health_since.astimezone(SHANGHAI).strftime("%m-%d %H:%M") if a.health_since else ""
            return tooltip(f"{reason}\n{since}".strip())
        if column == "overdue":
            return tooltip(t("ui.dashboard.overdue_tooltip"))
        if column in ("name", "unit"):
            return tooltip(f"{a.name}\n{a.unit}\n{a.source}")
        if column in ("freshness", "last_post") and row.source == "manual" and row.read_at is not None:
            read = reading_label(row, always=True)
            return tooltip(f"{read}\n{freshness_text(row)}".strip())
        if column == "freshness" and row.freshness_reasons:
            return tooltip(freshness_text(row))
        return None

    def _sort_keys(self, row: AccountStatusRow) -> tuple[Any, ...]:
        """Plain ints, floats and strings in column order (``COLUMNS``), which compare natively."""
        a = row.account
        return (
            a.name,
            a.platform.value,
            a.unit,
            a.status.value,
            row.last_post_at.timestamp() if row.last_post_at else 0.0,
            row.posts_this_week,
            row.days_silent if row.days_silent is not None else -1,
            _FRESHNESS_RANK.get(row.freshness.value, 9),
            _HEALTH_RANK.get(a.health.value, 9),
            row.pending_comments,
            row.overdue_ack * 1000 + row.overdue_result,
        )


def reading_label(row: AccountStatusRow, *, always: bool = False) -> str:
    """"人工读取 · 张三 · 11-25 02:10" for an account the officer reads (``always``: any account with a
    reading), "待人工读取" for one not read yet; empty for an account a machine source reads."""
    if not always and not needs_reading(row.account):
        return ""
    if row.read_at is None:
        return t("ui.dashboard.awaiting_reading") if row.awaiting_reading else ""
    at = row.read_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M")
    return t("ui.dashboard.read_by", officer=row.read_by or "—", at=at)


def week_label(posts_this_week: int, posts_7d: int) -> str:
    return t("ui.dashboard.week_count", week=posts_this_week, days7=posts_7d)


@dataclass(frozen=True, slots=True)
class _Painted:
    texts: tuple[str, ...]
    icons: tuple[QIcon | None, ...]
    foreground: tuple[QBrush | None, ...]
    background: QBrush | None


def _runs(indexes: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs in a sorted list of row numbers: [1, 2, 3, 7] → [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


class DashboardFilter(QSortFilterProxyModel):
    """Filter by unit, platform and state, and search names, units and owners."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._unit = ""
        self._platform = ""
        self._state = ""
        self._search = ""

    def set_filters(self, *, unit: str = "", platform: str = "", state: str = "", search: str = "") -> None:
        self.beginFilterChange()
        self._unit, self._platform, self._state, self._search = unit, platform, state, search.strip().lower()
        self.endFilterChange()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The source model sorts itself; this proxy only filters, keeping the source's order."""
        model = self.sourceModel()
        if isinstance(model, DashboardModel) and column >= 0:
            model.sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        info = model.filter_info(source_row) if isinstance(model, DashboardModel) else None
        if not info:
            return True
        if self._unit and info["unit"] != self._unit:
            return False
        if self._platform and info["platform"] != self._platform:
            return False
        if self._state and self._state not in (info["freshness"], info["health"]):
            return False
        return not self._search or self._search in info["text"]
