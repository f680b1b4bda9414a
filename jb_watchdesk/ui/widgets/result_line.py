"""The outcome of an officer's last action, shown where they acted."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from jb_watchdesk.ui import icons
from jb_watchdesk.ui.text import plain_label


class ResultLine(QWidget):
    """The outcome of the last action: an icon shape and plain text, never colour alone.

    ``state`` is ``"ok"``, ``"veto"`` (an error), ``"low"`` (information) or empty when cleared.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.icon = QLabel()
        self.label = plain_label()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        self.state = ""
        self.clear()

    def _show(self, state: str, text: str) -> None:
        self.state = state
        self.icon.setPixmap(icons.draw(state, 16))
        self.icon.setVisible(True)
        self.label.setText(text)

    def ok(self, text: str) -> None:
        self._show("ok", text)

    def error(self, text: str) -> None:
        self._show("veto", text)

    def info(self, text: str) -> None:
        self._show("low", text)

    def clear(self) -> None:
        self.state = ""
        self.icon.setVisible(False)
        self.label.setText("")

    def text(self) -> str:
        return self.label.text()
