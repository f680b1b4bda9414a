"""The tray icon: status colour and counts, and a menu (show, pause polling, quit)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from jb_watchdesk.domain.alerts import AlertCounts
from jb_watchdesk.ui import icons
from jb_watchdesk.ui.i18n import t


class Tray(QSystemTrayIcon):
    showRequested = Signal()
    pauseToggled = Signal(bool)
    quitRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        menu = QMenu(parent)
        self.show_action = QAction(t("ui.tray.show"), menu)
        self.pause_action = QAction(t("ui.tray.pause_polling"), menu)
        self.pause_action.setCheckable(True)
        self.quit_action = QAction(t("ui.tray.quit"), menu)
        menu.addAction(self.show_action)
        menu.addAction(self.pause_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        self.setContextMenu(menu)
        self._menu = menu
        self.show_action.triggered.connect(self.showRequested)
        self.pause_action.toggled.connect(self.pauseToggled)
        self.quit_action.triggered.connect(self.quitRequested)
        self.activated.connect(self._activated)
        self.set_state(level="unknown", new_alerts=0, overdue=0, failing=0)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.showRequested.emit()

    def set_state(self, *, level: str, new_alerts: int, overdue: int, failing: int, counts: AlertCounts | None = None) -> None:
        """The icon and the tooltip; with ``counts``, the alert line says the live/backlog split
        in the same numbers as the window's tile and banner."""
        badge = new_alerts or None
        self.level = level
        self.counts = counts
        self.setIcon(QIcon(icons.draw(level, 64, badge=badge)))
        if counts is not None:
            alerts = t("ui.tray.alerts_line", open=counts.open, live=counts.open_live, high=counts.open_high_live, backlog=counts.open_backlog)
        else:
            alerts = f"{t('ui.tray.new_alerts')} {new_alerts}"
        self.setToolTip(t("ui.tray.title") + f"\n{alerts} · {t('ui.tray.overdue_comments')} {overdue} · {t('ui.tray.failing')} {failing}")
