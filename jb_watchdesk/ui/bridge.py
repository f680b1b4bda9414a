"""Signals from the duty services to the widgets; services never touch widgets themselves.

Messages sent before a window exists are held and delivered when one connects, so an alert
raised while the window is still being built is not lost.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Bridge(QObject):
    statusChanged = Signal(list)  # list[AccountStatusRow]
    commentsChanged = Signal(list, int)  # list[CommentRow] most urgent first, the page limit asked for
    alertsChanged = Signal(list, object)  # list[Alert], {account_id: name}
    alertPageChanged = Signal(object)  # ui.alert_pages.AlertPage: which page of how many (after alertsChanged)
    alertCountsChanged = Signal(object)  # AlertCounts: every alert, uncapped
    notifications = Signal(list)  # list[services.alerts.Notification], one batch per cycle
    cycleFinished = Signal(object)  # services.watch.Cycle
    lexiconChanged = Signal(object)  # services.lexicon_files.LexiconReport, after each lexicon load
    pollingChanged = Signal(bool)  # True while polling runs (not paused)
    message = Signal(str, str)  # level ("info" | "warning" | "error"), one line of text

    def __init__(self) -> None:
        super().__init__()
        self._held: list[tuple[str, str]] = []
        self._listening = False

    def say(self, level: str, text: str) -> None:
        if self._listening:
            self.message.emit(level, text)
        else:
            self._held.append((level, text))

    def start_listening(self) -> None:
        """Called once the window is connected: deliver what was said before."""
        self._listening = True
        held, self._held = self._held, []
        for level, text in held:
            self.message.emit(level, text)
