"""The alerts inbox: new alerts first, then the acknowledged and resolved history; one page of it.

Each row says when the item was published and how long ago, when the desk first saw it, how many
hits it holds, and whether it is backlog (counted and listed, never popped up)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.domain.alerts import Alert
from jb_watchdesk.domain.models import AlertState
from jb_watchdesk.ui import icons, labels
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import one_line, tooltip

Index = QModelIndex | QPersistentModelIndex
_STATE_ORDER = {AlertState.NEW: 0, AlertState.ACKNOWLEDGED: 1, AlertState.RESOLVED: 2}
_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def inbox_order(alerts: Sequence[Alert]) -> list[Alert]:
    """New first, then by severity, newest first within each."""
    return sorted(alerts, key=lambda a: (_STATE_ORDER[a.state], _SEVERITY_ORDER.get(a.severity.value, 9), -a.raised_at.timestamp()))


class AlertsModel(QAbstractTableModel):
    COLUMNS = ("severity", "state", "published", "raised", "account", "category", "hits", "text", "context")

    def __init__(self, parent: Any = None, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent)
        self.now = now or (lambda: datetime.now(UTC))
        self._now_cache = self.now()
        self._rows: list[Alert] = []
        self._account_names: Mapping[int, str] = {}
        self._bold = QFont()  # new alerts are bold: one font, not one per painted cell
        self._bold.setBold(True)

    def headers(self) -> list[str]:
        return [
            t("ui.alerts.severity"),
            t("ui.alerts.status"),
            t("ui.alerts.published"),
            t("ui.alerts.first_seen"),
            t("ui.alerts.account"),
            t("ui.alerts.category"),
            t("ui.alerts.hits"),
            t("ui.alerts.match"),
            t("ui.alerts.context"),
        ]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def set_rows(self, alerts: Sequence[Alert], *, account_names: Mapping[int, str]) -> None:
        self.beginResetModel()
        self._now_cache = self.now()  # one "now" per refresh: every age in the list is as of it
        self._rows = inbox_order(alerts)
        self._account_names = dict(account_names)
        self.endResetModel()

    def update_rows(self, alerts: Sequence[Alert]) -> bool:
        """Replace listed alerts by their current rows, in place; False if any is not listed."""
        where = {alert.id: row for row, alert in enumerate(self._rows)}
        if any(alert.id not in where for alert in alerts):
            return False
        rows = list(self._rows)
        for alert in alerts:
            rows[where[alert.id]] = alert
        # A handled alert moves to the handled section, as a full reload would put it.
        self.layoutAboutToBeChanged.emit()
        self._rows = inbox_order(rows)
        self.layoutChanged.emit()
        return True

    def row_at(self, row: int) -> Alert:
        return self._rows[row]

    def rows(self) -> list[Alert]:
        return list(self._rows)

    def new_count(self) -> int:
        return sum(a.state is AlertState.NEW for a in self._rows)

    def account_name(self, account_id: int) -> str:
        return self._account_names.get(account_id, str(account_id))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in _ROLES:
            return None
        alert = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == _DISPLAY:
            return self._display(alert, column)
        if role == _DECORATION:
            return icons.icon(alert.severity.value) if column == "severity" else None
        if role == _TOOLTIP:
            if column in ("text", "context"):
                return tooltip(alert.text if column == "text" else alert.context)
            return None
        if role == _FONT:
            return self._bold if alert.state is AlertState.NEW else None
        if alert.state is AlertState.NEW and alert.severity.value == "high" and not alert.backlog:  # the background
            return QBrush(_HIGH_BACKGROUND)
        return None

    def _display(self, alert: Alert, column: str) -> str:
        """Only the cell asked for is formatted: data() runs for every painted cell."""
        if column == "severity":
            return labels.severity(alert.severity.value)
        if column == "state":
            return state_text(alert, now=self._now_cache)
        if column == "published":
            return labels.published_short(alert.published_at, now=self._now_cache)
        if column == "raised":
            return (alert.seen_at or alert.raised_at).astimezone(SHANGHAI).strftime("%m-%d %H:%M")
        if column == "hits":
            return str(len(alert.hits) or 1)
        if column == "account":
            return self.account_name(alert.account_id)
        if column == "category":
            return labels.category(alert.category)
        if column == "text":
            return one_line(alert.text, 40)
        return one_line(alert.context)


def state_text(alert: Alert, *, now: datetime) -> str:
    """新告警, 新告警（存量）, 新告警（暂缓）, 已确认 …"""
    state = labels.alert_state(alert.state.value)
    if alert.state is AlertState.NEW and alert.deferred_until is not None and alert.deferred_until > now:
        return t("ui.alerts.state_deferred", state=state)
    if alert.backlog:
        return t("ui.alerts.state_backlog", state=state)
    return state


_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
_ROLES = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, _FONT, _BACKGROUND})
_HIGH_BACKGROUND = QColor(255, 235, 235)
