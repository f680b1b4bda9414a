"""Notifications through a chain: tray balloon → OS notification (plyer) → in-app banner.

The banner always shows, so a missing notifier never loses an alert; the tray and the OS
notification centre are best effort. plyer runs on a worker thread: on some platforms it
blocks or raises inside its own thread, and the window must never wait for it.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Callable

from PySide6.QtWidgets import QSystemTrayIcon

log = logging.getLogger(__name__)

TITLE_LIMIT = 60
MESSAGE_LIMIT = 240  # Windows toasts raise inside plyer's thread beyond 256 characters


def safe_text(text: str, limit: int) -> str:
    """One line of plain text for an OS notification: no control characters, no leading '-'."""
    flat = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)
    flat = " ".join(flat.split()).lstrip("-").strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class Notifier:
    def __init__(
        self,
        *,
        tray: QSystemTrayIcon | None,
        banner: Callable[[str], None],
        use_os: bool = True,
        app_name: str = "JB WatchDesk",
    ) -> None:
        self._tray = tray
        self._banner = banner
        self._use_os = use_os and os_notifications_available()
        self._app_name = app_name
        self._pending: set[asyncio.Task[None]] = set()
        self.os_failures = 0

    @property
    def use_os(self) -> bool:
        return self._use_os

    @use_os.setter
    def use_os(self, wanted: bool) -> None:
        """The settings' switch for OS notifications (only where they are available)."""
        self._use_os = wanted and os_notifications_available()

    def links(self) -> dict[str, bool]:
        """Which links of the chain are available now (for the settings pane and ``doctor``)."""
        tray = self._tray is not None and QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()
        return {"tray": tray, "os": self._use_os, "banner": True}

    def notify(self, title: str, message: str, *, critical: bool, banner: bool = True) -> None:
        """Through the chain; ``banner=False`` when the caller shows the in-app banner itself."""
        title = safe_text(title, TITLE_LIMIT)
        message = safe_text(message, MESSAGE_LIMIT)
        if banner:
            self._banner(f"{title}: {message}")
        if self._tray is not None and QSystemTrayIcon.isSystemTrayAvailable() and self._tray.isVisible():
            icon = QSystemTrayIcon.MessageIcon.Critical if critical else QSystemTrayIcon.MessageIcon.Information
            self._tray.showMessage(title, message, icon, 15_000)
        if self._use_os:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return
            task = loop.create_task(self._os_notification(title, message))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _os_notification(self, title: str, message: str) -> None:
        try:
            await asyncio.wait_for(asyncio.to_thread(_plyer_notify, title, message, self._app_name), timeout=10)
        except Exception as error:  # plyer fails in many platform-specific ways; the banner already showed it
            self.os_failures += 1
            log.info("OS notification unavailable: %s", type(error).__name__)

    async def aclose(self) -> None:
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)


def os_notifications_available() -> bool:
    """Whether plyer has something to talk to; on Linux it needs dbus-python or notify-send."""
    import importlib.util
    import shutil
    import sys

    if importlib.util.find_spec("plyer") is None:
        return False
    if sys.platform.startswith("linux"):
        return importlib.util.find_spec("dbus") is not None or shutil.which("notify-send") is not None
    return True


def _plyer_notify(title: str, message: str, app_name: str) -> None:
    from plyer import notification

    notification.notify(title=title, message=message, app_name=app_name, timeout=15)
