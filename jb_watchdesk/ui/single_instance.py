"""One desk per workspace: a second launch brings the running window to the front.

The first desk on a workspace takes ``desk.lock`` in the data dir (a :class:`QLockFile`) and
listens on a :class:`QLocalServer` named after the workspace and the user (:func:`server_name`).
A later launch on the same workspace finds the lock taken, connects, sends ``activate\\n``, waits
for ``ok\\n`` and exits 0 with one line; the first desk emits :attr:`DeskInstance.activated` and
the window comes forward (shown again if it was hidden in the tray, un-minimised, raised).

A desk that crashed or lost power leaves ``desk.lock`` behind. With ``setStaleLockTime(0)`` Qt
never ages a lock out, but takes it over when the process id written in it is not running on
this host, or the machine has rebooted since (Qt compares the boot id); failing that, a lock that
nobody answers for is offered to :meth:`QLockFile.removeStaleLockFile`, which removes it only when
no live process still holds it (``flock`` on Unix, the open handle on Windows). See
https://doc.qt.io/qt-6/qlockfile.html and https://doc.qt.io/qt-6/qlocalserver.html.

The window also holds the workspace's poller lock (:mod:`jb_watchdesk.services.instance_lock`),
so it never polls beside ``run --headless`` or ``poll``.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final, TextIO

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from jb_watchdesk.domain.errors import EnvironmentProblem
from jb_watchdesk.services.instance_lock import WINDOW, PollerLock
from jb_watchdesk.ui.i18n import t

log = logging.getLogger(__name__)

LOCK_FILENAME: Final = "desk.lock"
ACTIVATE: Final = b"activate\n"
ACKNOWLEDGED: Final = b"ok\n"
ANSWER_WITHIN_MS: Final = 1000
"""How long a later launch waits for the running desk to connect and answer."""
CLAIM_WITHIN_S: Final = 3.0
"""How long a later launch keeps trying (a first desk may still be starting its server)."""
_MAX_LINE: Final = 64


def server_name(root: Path) -> str:
    """``jb-watchdesk-<user>-<16 hex digits of SHA-256 of the workspace's absolute path>``: one name
    per user and workspace. On Unix :class:`QLocalServer` makes a socket of that name in the temp
    folder (far below the 107-byte limit of a socket path); on Windows a named pipe."""
    path = os.path.normcase(str(Path(root).expanduser().resolve()))
    digest = hashlib.sha256(path.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"jb-watchdesk-{_user()}-{digest}"


def _user() -> str:
    try:
        user = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name in the environment or the password database
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return re.sub(r"[^A-Za-z0-9_.-]", "_", user)[:32] or "user"


class DeskInstance(QObject):
    """The running desk's claim on its workspace: the lock file and the server later launches ask.
    :meth:`close` (idempotent) stops listening and unlocks."""

    activated = Signal()
    """A later launch on this workspace asked the window to come forward."""

    def __init__(self, lock: QLockFile, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = lock
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)  # this user's launches only
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """Listen for later launches; False (logged) when the name cannot be taken: the desk then
        runs, but a later launch says the desk does not answer instead of bringing it forward."""
        # Holding the lock, this is the only desk here: a socket file left by a crash is stale.
        QLocalServer.removeServer(self.name)
        if self._server.listen(self.name):
            return True
        log.warning("later launches cannot reach this desk (%s): %s", self.name, self._server.errorString())
        return False

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def stop_answering(self) -> None:
        """No longer answer launches (the desk is shutting down); the lock stays held until ``close``."""
        if self._server.isListening():
            self._server.close()

    def close(self) -> None:
        if self._server.isListening():
            self._server.close()
        if self._lock.isLocked():
            self._lock.unlock()

    def _accept(self) -> None:
        while (connection := self._server.nextPendingConnection()) is not None:
            connection.readyRead.connect(lambda c=connection: self._read(c))
            connection.disconnected.connect(connection.deleteLater)

    def _read(self, connection: QLocalSocket) -> None:
        if not connection.canReadLine():
            if connection.bytesAvailable() > _MAX_LINE:
                connection.abort()
            return
        line = bytes(connection.readLine(_MAX_LINE + 1).data())
        if line == ACTIVATE:
            connection.write(ACKNOWLEDGED)
            connection.flush()
            self.activated.emit()
        connection.disconnectFromServer()


def claim(root: Path, *, within_s: float = CLAIM_WITHIN_S) -> DeskInstance | None:
    """Become the desk of the workspace ``root``, or hand over to the one already running there.

    Returns the listening :class:`DeskInstance`, or None when a running desk was asked to come
    forward and said it did. Raises :class:`EnvironmentProblem` (exit 3) when the lock file cannot
    be made (``instance.lock_failed``) or a desk holds it but does not answer within ``within_s``
    (``instance.desk_not_answering``). Needs a ``QCoreApplication``; blocks for at most ``within_s``.
    """
    root = Path(root)
    path = root / LOCK_FILENAME
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EnvironmentProblem("instance.lock_failed", path=str(path), detail=error.strerror or str(error)) from error
    name = server_name(root)
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # a desk runs for months: never aged out, only taken over from a dead process
    deadline = time.monotonic() + within_s
    while True:
        if lock.tryLock(0):
            desk = DeskInstance(lock, name)
            desk.listen()
            return desk
        if lock.error() is not QLockFile.LockError.LockFailedError:
            raise EnvironmentProblem("instance.lock_failed", path=str(path), detail=lock.error().name)
        if ask_to_come_forward(name, timeout_ms=ANSWER_WITHIN_MS, holder_pid=_holder_pid(lock)):
            return None
        # Nobody answered: a desk still starting, or a lock left by a process Qt did not see die
        # (its pid reused). Qt removes the file only if no live process holds it.
        if lock.removeStaleLockFile():
            log.warning("a desk lock nobody held was removed: %s", path)
            continue
        if time.monotonic() >= deadline:
            raise EnvironmentProblem("instance.desk_not_answering", path=str(root), pid=_holder_pid(lock) or "?")
        time.sleep(0.1)


def _holder_pid(lock: QLockFile) -> int | None:
    info = lock.getLockInfo()
    return info[0] if isinstance(info, tuple) and info and isinstance(info[0], int) and info[0] > 0 else None


def ask_to_come_forward(name: str, *, timeout_ms: int = ANSWER_WITHIN_MS, holder_pid: int | None = None) -> bool:
    """Ask the desk listening as ``name`` to bring its window forward; True once it answered."""
    if sys.platform == "win32" and holder_pid:
        # Windows lets only the foreground process hand focus on: this launch (just started by
        # the officer) allows the running desk to come to the front instead of flashing in the taskbar.
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(holder_pid)  # type: ignore[attr-defined]
    socket = QLocalSocket()
    socket.connectToServer(name)
    try:
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(ACTIVATE)
        # waitForBytesWritten() is False when nothing is left to write, as after a write that went straight out.
        while socket.bytesToWrite() and socket.waitForBytesWritten(timeout_ms):
            pass
        if socket.bytesToWrite():
            return False
        answer = b""
        while len(answer) <= _MAX_LINE and not answer.endswith(b"\n"):
            if not socket.bytesAvailable() and not socket.waitForReadyRead(timeout_ms):
                break
            answer += bytes(socket.readAll().data())
        return answer == ACKNOWLEDGED
    finally:
        socket.abort()


@contextlib.contextmanager
def one_desk(root: Path, *, out: TextIO | None) -> Iterator[DeskInstance | None]:
    """The window's hold on the workspace ``root`` for as long as it runs: the desk lock, then the
    poller lock. Yields None (after one line on ``out``; a windowed build started from the Start
    menu has no ``sys.stdout``, hence None) when a desk already runs there and came forward: the
    caller exits 0. Raises :class:`EnvironmentProblem` (exit 3) as :func:`claim` does,
    or :class:`~jb_watchdesk.services.instance_lock.PollerBusy` while ``run --headless`` or ``poll``
    polls the workspace."""
    desk = claim(root)
    if desk is None:
        if out is not None:
            out.write(t("instance.desk_brought_forward", path=str(root)) + "\n")
            out.flush()
        yield None
        return
    try:
        with PollerLock(root, command=WINDOW):
            yield desk
    finally:
        desk.close()
