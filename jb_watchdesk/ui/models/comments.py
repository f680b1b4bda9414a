"""The public-comment queue with live countdowns to both §3.7 deadlines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from jb_watchdesk.domain.models import CommentState
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services.comments import CommentRow
from jb_watchdesk.ui import icons, labels
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import one_line, tooltip

Index = QModelIndex | QPersistentModelIndex
_OVERDUE = (CommentState.OVERDUE_ACK, CommentState.OVERDUE_RESULT)
# Roles as plain ints: data() runs for every painted cell and role (and the countdowns repaint every second).
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
_OVERDUE_BACKGROUND = QColor(255, 235, 235)


def widest_countdowns() -> dict[str, list[str]]:
    """The longest texts the countdown columns show, for sizing them before they tick."""
    longest = labels.duration(-99 * 86_400 - 86_399)
    return {"ack_countdown": [longest, t("ui.comments.acknowledged")], "result_countdown": [f"{longest} {t('ui.comments.estimated')}", t("ui.comments.answered")]}


class CommentsModel(QAbstractTableModel):
    """Pages from the store: the first page most urgent first, more when the view scrolls to the end."""

    moreRequested = Signal()
    COLUMNS = ("state", "account", "created", "ack_countdown", "result_countdown", "author", "text")
    COUNTDOWN_COLUMNS = (3, 4)

    def __init__(self, clock: Callable[[], datetime], parent: Any = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._rows: list[CommentRow] = []
        self._may_have_more = False
        self._fetching = False

    def headers(self) -> list[str]:
        return [t("ui.comments.status"), t("ui.comments.account"), t("ui.comments.posted"), t("ui.comments.ack_countdown"), t("ui.comments.result_countdown"), t("ui.comments.from"), t("ui.comments.text")]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def set_rows(self, rows: Sequence[CommentRow], *, limit: int | None = None) -> None:
        """Show ``rows``; a page as long as ``limit`` means the store may hold more."""
        rows = list(rows)
        self._fetching = False
        self._may_have_more = limit is not None and len(rows) >= limit
        old = len(self._rows)
        if old and len(rows) > old and [r.id for r in rows[:old]] == [r.id for r in self._rows]:
            # The next page arrived behind the same first part: append, keep the scroll position.
            prefix_changed = rows[:old] != self._rows
            self.beginInsertRows(QModelIndex(), old, len(rows) - 1)
            self._rows = rows
            self.endInsertRows()
            if prefix_changed:
                self.dataChanged.emit(self.index(0, 0), self.index(old - 1, len(self.COLUMNS) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self._may_have_more and not self._fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetching = True
            self.moreRequested.emit()

    def row_at(self, row: int) -> CommentRow:
        return self._rows[row]

    def tick(self) -> None:
        """Repaint the countdown columns (called every second by the view)."""
        if self._rows:
            for column in self.COUNTDOWN_COLUMNS:
                self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column), [Qt.ItemDataRole.DisplayRole])

    def overdue_count(self) -> int:
        return sum(r.state in _OVERDUE for r in self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (_DISPLAY, _TOOLTIP, _DECORATION, _BACKGROUND, _FOREGROUND):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == _DISPLAY:
            if column == "state":
                return labels.comment_state(row.state.value)
            if column == "account":
                return row.account_name
            if column == "created":
                return row.created_at.astimezone(SHANGHAI).strftime("%m-%d %H:%M")
            if column == "ack_countdown":
                if row.acked_at is not None or row.state is CommentState.DONE:
                    return t("ui.comments.acknowledged")
                return labels.duration((row.ack_due - self._clock()).total_seconds())
            if column == "result_countdown":
                if row.state is CommentState.DONE:
                    return t("ui.comments.answered")
                text = labels.duration((row.result_due - self._clock()).total_seconds())
                return text + (" " + t("ui.comments.estimated") if row.result_due_estimated else "")
            if column == "author":
                return one_line(row.author, 30)
            return one_line(row.text)
        if role == _TOOLTIP and column in ("text", "author"):
            return tooltip(row.text if column == "text" else row.author)
        if role == _TOOLTIP and column == "result_countdown":
            due = row.result_due.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
            note = t("ui.comments.estimated_tooltip") if row.result_due_estimated else ""
            return tooltip(f"{due}\n{note}".strip())
        if role == _DECORATION and column == "state" and row.state in _OVERDUE:
            return icons.icon("overdue")
        if role == _BACKGROUND and row.state in _OVERDUE:
            return QBrush(_OVERDUE_BACKGROUND)
        if role == _FOREGROUND and column in ("ack_countdown", "result_countdown"):
            due = row.ack_due if column == "ack_countdown" else row.result_due
            if due < self._clock() and row.state is not CommentState.DONE:
                return QBrush(icons.RED)
        return None
