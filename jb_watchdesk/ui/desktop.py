"""Starting and stopping the window on a qasync event loop."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import qasync
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from jb_watchdesk.app import App
from jb_watchdesk.domain.errors import EnvironmentProblem, WatchdeskError
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.ui.bridge import Bridge
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui import icons
from jb_watchdesk.ui.i18n import install_language
from jb_watchdesk.ui.main_window import MainWindow
from jb_watchdesk.ui.tray import Tray
from jb_watchdesk.ui.single_instance import DeskInstance, one_desk

log = logging.getLogger(__name__)

SHUTDOWN_WITHIN_S = 5.0
# The duty, store and scan threads run Python too. A thread that wants the GIL waits up to one
# switch interval before the holder is asked to let go; the default 5 ms, paid a few times in
# a row while a cycle's responses are parsed, shows as a visible hitch. 1 ms keeps the window's
# thread within reach of the GIL (measured in benchmarks/ui_bench.py).
GUI_SWITCH_INTERVAL_S = 0.001


def settle_heap() -> None:
    """Exempt what start-up created (modules, classes, Qt wrappers: most of the heap) from the
    cyclic garbage collector. A full collection walks every tracked object with the GIL held;
    during a poll cycle those walks took up to 73 ms, a visible freeze. Call once, after start-up."""
    gc.freeze()


def display_available() -> bool:
    """False on a Linux machine with no X11/Wayland display (and no offscreen platform chosen)."""
    if not sys.platform.startswith("linux"):
        return True
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal", "vnc"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


# What Qt's xcb platform plugin (platforms/libqxcb.so → libQt6XcbQpa.so.6) loads, by soname, and the
# Debian package of each. Without one of them QApplication aborts the process inside Qt ("could not
# load the Qt platform plugin xcb"), so they are looked for first.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}
# The packages a minimal Debian/Ubuntu desktop usually lacks (Qt's own list for the xcb plugin).
XCB_PACKAGES = (
    "libxcb-cursor0", "libxkbcommon-x11-0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-image0",
    "libxcb-render-util0", "libxcb-shape0", "libxcb-randr0", "libxcb-xinerama0",
)


def library_loadable(soname: str) -> bool:
    """Whether the dynamic loader finds and loads ``soname`` (as Qt's plugin would: by soname, on the
    loader's path, which in a PyInstaller bundle includes the bundle's own folder)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb() -> bool:
    """Whether Qt will start on X11 (xcb): Linux, and ``QT_QPA_PLATFORM`` is ``xcb`` or unset without
    a Wayland session (Qt 6 then tries Wayland first)."""
    if not sys.platform.startswith("linux"):
        return False
    chosen = os.environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen == "xcb"
    return not os.environ.get("WAYLAND_DISPLAY")


def missing_xcb_libraries(loadable: Callable[[str], bool] | None = None) -> list[str]:
    """The sonames of :data:`XCB_LIBRARIES` that cannot be loaded (by ``loadable``, default: the loader)."""
    probe = loadable or library_loadable
    return [soname for soname in XCB_LIBRARIES if not probe(soname)]


def check_platform_libraries() -> None:
    """Before any QApplication: on X11, the libraries of Qt's xcb plugin are there, or
    :class:`EnvironmentProblem` (exit 3) in one line naming what is missing and the packages to install."""
    if not uses_xcb():
        return
    missing = missing_xcb_libraries()
    if missing:
        packages = [*XCB_PACKAGES, *(XCB_LIBRARIES[m] for m in missing if XCB_LIBRARIES[m] not in XCB_PACKAGES)]
        raise EnvironmentProblem("cli.no_xcb", missing=", ".join(missing), packages=" ".join(packages))


def application(language: str) -> QApplication:
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("JB WatchDesk")
    qapp.setQuitOnLastWindowClosed(False)  # closing the window keeps the desk in the tray
    install_language(qapp, language)
    return qapp


ENV_QUIT_AFTER_PAINT = "JB_WATCHDESK_QUIT_AFTER_PAINT"
"""Set to a file path: the window saves a PNG of itself there after its first paint, then quits as the
officer's Quit would. For checking a build (tests/installer runs the frozen bundle with it)."""


class _FirstPaint(QObject):
    """Calls ``then`` once, on the event loop, after the first paint of any widget of ``window``."""

    def __init__(self, window: MainWindow, then: Callable[[], None]) -> None:
        super().__init__()
        self._window = window
        self._then = then
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if not self._done and event.type() == QEvent.Type.Paint and getattr(watched, "window", None) and watched.window() is self._window:
            self._done = True
            QTimer.singleShot(0, self._then)
        return False


def _quit_after_first_paint(window: MainWindow, quit_event: asyncio.Event) -> _FirstPaint | None:
    target = os.environ.get(ENV_QUIT_AFTER_PAINT)
    if not target:
        return None

    def snapshot_and_quit() -> None:
        if not window.grab().save(str(Path(target)), "PNG"):
            log.warning("the window could not be saved to %s", target)
        quit_event.set()

    watcher = _FirstPaint(window, snapshot_and_quit)
    QApplication.instance().installEventFilter(watcher)
    return watcher


async def serve(
    app: App, *, poll_settings: PollSettings | None = None, title_suffix: str = "", desk: DeskInstance | None = None
) -> int:
    """Show the window, run the watch loop until quit, then shut down within a few seconds."""
    bridge = Bridge()
    controller = DeskController(app, bridge, poll_settings=poll_settings)
    controller.officer = app.settings.officer
    tray = Tray() if QSystemTrayIcon.isSystemTrayAvailable() else None
    window = MainWindow(controller, tray=tray, title_suffix=title_suffix)
    if desk is not None:  # a second launch on this workspace brings this window forward
        desk.activated.connect(window.bring_to_front)
    quit_event = asyncio.Event()
    window.quitRequested.connect(quit_event.set)
    previous = {sig: signal.signal(sig, lambda *_: quit_event.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    # Python handles signals only when it runs: a light timer gives it the chance under Qt's loop.
    wake = QTimer()
    wake.start(250)
    wake.timeout.connect(lambda: None)
    if tray is not None:
        tray.show()
    first_paint = _quit_after_first_paint(window, quit_event)
    window.show()
    try:
        await controller.start()
        settle_heap()
        await quit_event.wait()
    finally:
        if first_paint is not None:
            QApplication.instance().removeEventFilter(first_paint)
        wake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if desk is not None:
            # A launch from now on must not be told "the desk came forward" by a desk that is going.
            desk.stop_answering()
        window.hide()
        window.popup.hide()
        try:
            await asyncio.wait_for(controller.stop(), timeout=SHUTDOWN_WITHIN_S)
        except TimeoutError:
            log.warning("background work did not stop within %.0f s", SHUTDOWN_WITHIN_S)
        await record_quit(app, officer=controller.officer, reason=window.quit_reason)
        await window.notifier.aclose()
        if tray is not None:
            tray.hide()
            tray.deleteLater()
        window.popup.deleteLater()
        window.deleteLater()
        # Qt objects must not outlive the application: drop cached icons while Qt still runs.
        icons.clear_cache()
        await asyncio.sleep(0)
    return 0


async def record_quit(app: App, *, officer: str, reason: str) -> None:
    """Monitoring stopped on purpose: a ``quit`` gap with who and why, and no heartbeat left to be
    taken for a crash. After the watch loop stopped, so no cycle can close the gap at once."""
    try:
        await asyncio.to_thread(ops.stop_monitoring, app.store, app.workspace.root, now=app.clock.now(), officer=officer, reason=reason)
    except WatchdeskError as error:  # a locked or full database: the heartbeat stays, the next start records a crash gap
        log.warning("the quit could not be recorded: %s", error)


def run_desktop(
    app: App, *, poll_settings: PollSettings | None = None, title_suffix: str = "", language: str | None = None
) -> int:
    check_platform_libraries()
    application(language or app.settings.language)
    with one_desk(app.workspace.root, out=sys.stdout) as desk:  # one desk and one poller per workspace
        if desk is None:
            return 0  # the desk already running here came forward
        return qasync.run(serve(app, poll_settings=poll_settings, title_suffix=title_suffix, desk=desk))
