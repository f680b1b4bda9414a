"""What ``doctor`` asks of Qt: is there a tray, can it show messages."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from jb_watchdesk.ui.notifier import os_notifications_available


def notification_links() -> dict[str, bool]:
    """Which links of the notification chain work on this desktop (the banner always does)."""
    QApplication.instance() or QApplication(["jb-watchdesk"])
    tray = QSystemTrayIcon.isSystemTrayAvailable()
    return {
        "tray": tray,
        "tray_messages": tray and QSystemTrayIcon.supportsMessages(),
        "os": os_notifications_available(),
        "banner": True,
    }
