"""The public-comment queue: most urgent first, live countdowns, acknowledge / done with a note."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QPlainTextEdit, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget

from jb_watchdesk.domain.models import CommentState
from jb_watchdesk.services.comments import CommentRow
from jb_watchdesk.ui.dialogs.note import NoteDialog
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.models.comments import CommentsModel, widest_countdowns
from jb_watchdesk.ui.text import one_line
from jb_watchdesk.ui.views.columns import FitWhenShown, fit_columns


class CommentsView(QWidget):
    actionRequested = Signal(int, bool, str)  # comment id, done?, note

    def __init__(self, clock: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = CommentsModel(clock, self)
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.ack_button = QPushButton(t("ui.comments.acknowledge"))
        self.done_button = QPushButton(t("ui.comments.answer"))
        for button in (self.ack_button, self.done_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        split = QSplitter()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setWordWrap(False)  # one line per comment; the full text is beside the table
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        layout.addWidget(split)
        self.table.selectionModel().selectionChanged.connect(self._selected)
        self.ack_button.clicked.connect(lambda: self._ask(done=False))
        self.done_button.clicked.connect(lambda: self._ask(done=True))
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.model.tick)
        self._ticker.start()
        self._dialog: NoteDialog | None = None
        self._fit = FitWhenShown(self.table, self._fit_columns)

    def set_rows(self, rows: Sequence[CommentRow], limit: int | None = None) -> None:
        selected = self.current()
        first = self.model.rowCount() == 0
        self.model.set_rows(rows, limit=limit)
        if first and rows:
            self._fit.request()
        if selected is not None:
            for row in range(self.model.rowCount()):
                if self.model.row_at(row).id == selected.id:
                    self.table.selectRow(row)
                    break
        self._selected()

    def _fit_columns(self) -> None:
        """Sized on the first rows, once in view; the countdown columns fit their widest texts."""
        columns = CommentsModel.COLUMNS
        templates = {columns.index(name): texts for name, texts in widest_countdowns().items()}
        fit_columns(self.table, widest=220, templates=templates, icon_columns=[columns.index("state")])

    def current(self) -> CommentRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.row_at(rows[0].row()) if rows else None

    def _selected(self, *_: object) -> None:
        row = self.current()
        self.ack_button.setEnabled(row is not None and row.acked_at is None)
        self.done_button.setEnabled(row is not None and row.state is not CommentState.DONE)
        self.detail.setPlainText("" if row is None else f"{row.account_name} · {row.author}\n\n{row.text}")

    def _ask(self, *, done: bool) -> None:
        row = self.current()
        if row is None:
            return
        title = t("ui.comments.answer_title") if done else t("ui.comments.acknowledge_title")
        prompt = t("ui.comments.answer_prompt") if done else t("ui.comments.acknowledge_prompt")
        dialog = NoteDialog(title=title, prompt=prompt, subject=one_line(row.text, 200), parent=self)
        dialog.submitted.connect(lambda note: self.actionRequested.emit(row.id, done, note))
        self._dialog = dialog
        dialog.open()
