"""Quitting while on duty: quitting stops all monitoring, so with a shift open or an emergency
clock running the officer confirms and gives a reason, which goes into the duty record as the
monitoring gap's reason. Cancel keeps the desk running. With nothing open the desk quits at once
(still recorded as a gap, without a reason).

The dialog opens with ``open()`` and answers by signal: never ``exec()`` inside a coroutine.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QVBoxLayout, QWidget

from jb_watchdesk.domain.errors import WatchdeskError
from jb_watchdesk.domain.record import EmergencyState
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.gaps import MAX_REASON
from jb_watchdesk.services.problems import error_text
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import plain_label


class QuitDialog(QDialog):
    """"Quit and stop monitoring?" with a required reason; ``confirmed(reason)`` on OK."""

    confirmed = Signal(str)

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("ui.quit.title"))
        layout = QVBoxLayout(self)
        question = plain_label(t("ui.quit.question", what=what))
        question.setWordWrap(True)
        layout.addWidget(question)
        layout.addWidget(plain_label(t("ui.quit.reason")))
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(MAX_REASON)
        layout.addWidget(self.reason_edit)
        self.problem = plain_label()
        self.problem.setStyleSheet("color: #b00020")
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox()
        self.quit_button = self.buttons.addButton(t("ui.quit.confirm"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep_button = self.buttons.addButton(t("ui.quit.keep_running"), QDialogButtonBox.ButtonRole.RejectRole)
        self.keep_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(lambda _text: self.problem.clear())

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def accept(self) -> None:
        """Only with a reason: an empty one is refused where the officer typed."""
        if not self.reason():
            self.problem.setText(t("ui.quit.reason_required"))
            self.reason_edit.setFocus()
            return
        super().accept()
        self.confirmed.emit(self.reason())


class QuitFlow(QObject):
    """Asks before quitting when something is open; ``confirmed(reason)`` when the desk should quit.

    A second request while the first is being asked is ignored (one question at a time)."""

    confirmed = Signal(str)

    def __init__(self, controller: DeskController, parent: QWidget) -> None:
        super().__init__(parent)
        self.controller = controller
        self.window = parent
        self.dialog: QuitDialog | None = None
        self._asking = False

    def request(self) -> None:
        if self._asking:
            if self.dialog is not None:
                self.dialog.raise_()
                self.dialog.activateWindow()
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # no event loop (the desk is already shutting down): nothing to ask with
            self.confirmed.emit("")
            return
        self._asking = True
        self.controller.spawn(self._ask(), name="quit")

    async def _ask(self) -> None:
        try:
            what = await self.open_items()
        except WatchdeskError as error:
            # The record cannot be read (a locked database): ask anyway, and say why.
            what = error_text(error)
        except asyncio.CancelledError:
            self._asking = False
            raise
        if not what:
            self._asking = False
            self.confirmed.emit("")
            return
        self.dialog = QuitDialog(what, parent=self.window)
        self.dialog.confirmed.connect(self.confirmed)
        self.dialog.finished.connect(self._closed)
        self.dialog.open()

    def _closed(self, *_: Any) -> None:
        self._asking = False
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    async def open_items(self) -> str:
        """What quitting would leave unwatched: the open shift, the emergency clocks running; empty
        when nothing is open."""
        store, read = self.controller.app.store, self.controller.runner.read
        shift = await read(ops.current_shift, store)
        statuses = await read(ops.emergency_status, store, now=self.controller.app.clock.now())
        # A clock past its two hours still waits for its first post: quitting leaves it unwatched too.
        running = [s for s in statuses if s.state in (EmergencyState.WAITING, EmergencyState.MISSED) and s.emergency.first_post_id is None]
        parts = []
        if shift is not None:
            parts.append(t("ui.quit.on_shift", officer=shift.officer))
        if running:
            parts.append(t("ui.quit.emergencies", count=len(running)))
        return " ".join(parts)
