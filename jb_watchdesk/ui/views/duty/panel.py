"""What the duty panels share: the desk they act through, their table cells, and their result lines.

A panel never touches the store: it reads through :meth:`Desk.read` (an operation run off the
GUI thread) and changes things through :meth:`Desk.run` (an operation whose
:class:`~jb_watchdesk.services.changes.Changes` is announced to every pane), then shows what
changed with :meth:`Desk.show`, so an officer's action ends with its outcome on screen.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QPushButton, QTableWidget, QTableWidgetItem

from jb_watchdesk.domain.errors import WatchdeskError
from jb_watchdesk.services.changes import Changes
from jb_watchdesk.services.problems import error_text
from jb_watchdesk.ui import icons
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import tooltip
from jb_watchdesk.ui.widgets import ResultLine

T = TypeVar("T")


class Desk:
    """The duty panels' one way to the data, the clock and background work: the controller's."""

    def __init__(self, controller: DeskController, *, show: Callable[[Changes], Awaitable[None]]) -> None:
        self.controller = controller
        self._show = show

    def now(self) -> datetime:
        return self.controller.app.clock.now()

    async def read(self, query: Callable[..., T], /, **kwargs: Any) -> T:
        """``query(store, **kwargs)``, a read operation, off the GUI thread."""
        return await self.controller.runner.read(query, self.controller.app.store, **kwargs)

    async def run(self, operation: Callable[..., Changes], /, **kwargs: Any) -> Changes:
        """``operation(store, **kwargs)`` off the GUI thread; its changes are announced to every
        pane, with this desk as the initiator (the duty view leaves its own changes to :meth:`show`)."""
        return await self.controller.run(operation, self.controller.app.store, initiator=self, **kwargs)

    async def show(self, changes: Changes) -> None:
        """Reload at once the duty panels that ``changes`` names."""
        await self._show(changes)

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """Run ``coro`` as a task the controller owns (kept, cancelled on quit, failures reported)."""
        self.controller.spawn(coro, name=f"duty: {name}")


@contextlib.contextmanager
def reporting(line: ResultLine) -> Iterator[None]:
    """Show a refused action or a storage problem as its one-line message where the officer acted."""
    try:
        yield
    except WatchdeskError as error:
        line.error(error_text(error))


@contextlib.contextmanager
def disabled(*buttons: QPushButton) -> Iterator[None]:
    """Keep the buttons disabled while a slow action runs, so it cannot be started twice."""
    before = [button.isEnabled() for button in buttons]
    for button in buttons:
        button.setEnabled(False)
    try:
        yield
    finally:
        for button, enabled in zip(buttons, before, strict=True):
            button.setEnabled(enabled)


def emergency_state(state: str) -> tuple[str, str]:
    """(icon, words) for an activation's state: waiting, met, missed or closed."""
    return {
        "waiting": ("warn", t("ui.duty.waiting")),
        "met": ("ok", t("ui.duty.posted_time")),
        "missed": ("veto", t("ui.duty.missed")),
        "closed": ("unknown", t("ui.duty.closed")),
    }.get(state, ("unknown", state))


def item(text: str, *, state: str | None = None, tip: str | None = None) -> QTableWidgetItem:
    """A read-only table cell: item views draw text literally; the tooltip is escaped."""
    cell = QTableWidgetItem(text)
    cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if state is not None:
        cell.setIcon(icons.icon(state))
        cell.setData(Qt.ItemDataRole.UserRole, state)
    cell.setToolTip(tooltip(text if tip is None else tip))
    return cell


def set_cell(table: QTableWidget, *, row: int, column: int, text: str, state: str) -> None:
    """Update a cell in place when it exists: the once-a-second countdown touches only what changed."""
    cell = table.item(row, column)
    if cell is None:
        table.setItem(row, column, item(text, state=state))
        return
    if cell.text() != text:
        cell.setText(text)
        cell.setToolTip(tooltip(text))
    if cell.data(Qt.ItemDataRole.UserRole) != state:
        cell.setIcon(icons.icon(state))
        cell.setData(Qt.ItemDataRole.UserRole, state)


def table(headers: Sequence[str]) -> QTableWidget:
    """A read-only table of whole rows, columns sized by the officer."""
    widget = QTableWidget(0, len(headers))
    widget.setHorizontalHeaderLabels(list(headers))
    widget.verticalHeader().setVisible(False)
    widget.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    widget.setWordWrap(False)
    widget.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    widget.horizontalHeader().setStretchLastSection(True)
    return widget
