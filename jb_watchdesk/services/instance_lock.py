"""One poller per workspace: the lock held by the window, ``run --headless`` and ``poll``.

Two pollers on one workspace race for the same accounts, the same notifications and the same
heartbeat file (each takes the other's heartbeat for a crash). The lock is an OS file lock on
``poller.lock`` in the data dir, taken with `filelock <https://py-filelock.readthedocs.io/>`_:
``flock`` on Unix, ``LockFileEx``/``msvcrt.locking`` on Windows. The OS drops it when its process
ends, however it ends (crash, kill, power loss), so there is no stale lock to clean up.

Who holds it is written beside it, in ``poller.lock.json`` (readable, replaced atomically):
``{"pid": 1234, "host": "DUTY-PC", "command": "run --headless", "since": "2026-11-25T02:10:00+00:00"}``
(``since`` is UTC ISO-8601). A refused poller names that holder. Read-only commands and officer
actions never take the lock: SQLite in WAL mode handles their concurrency.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Final

import filelock

from jb_watchdesk.domain.errors import EnvironmentProblem
from jb_watchdesk.domain.messages.times import Shape, show

log = logging.getLogger(__name__)

LOCK_FILENAME: Final = "poller.lock"
HOLDER_FILENAME: Final = "poller.lock.json"

WINDOW: Final = "window"
"""The holder ``command`` of the desktop window (any other command is shown as typed)."""


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a workspace's poller lock: process id, host name, the command it runs, and since
    when (aware, UTC)."""

    pid: int
    host: str
    command: str
    since: datetime

    def to_json(self) -> dict[str, object]:
        return {"pid": self.pid, "host": self.host, "command": self.command, "since": self.since.isoformat()}

    @classmethod
    def from_json(cls, data: object) -> Holder:
        """``ValueError`` for anything but the shape :meth:`to_json` writes."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        pid, host, command, since = data.get("pid"), data.get("host"), data.get("command"), data.get("since")
        if not isinstance(pid, int) or not isinstance(host, str) or not isinstance(command, str) or not isinstance(since, str):
            raise ValueError("missing or mistyped field")
        when = datetime.fromisoformat(since)
        if when.tzinfo is None:
            raise ValueError("naive time")
        return cls(pid=pid, host=host, command=command, since=when)


def lock_path(root: Path) -> Path:
    return Path(root) / LOCK_FILENAME


def holder_path(root: Path) -> Path:
    return Path(root) / HOLDER_FILENAME


def read_holder(root: Path) -> Holder | None:
    """The holder recorded in the workspace ``root``; None when there is no record or it cannot be
    read (a holder that has not written it yet, a file damaged by a power loss). Says nothing about
    whether the lock is held: only the lock itself knows that."""
    try:
        return Holder.from_json(json.loads(holder_path(root).read_text(encoding="utf-8")))
    except (OSError, ValueError):  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None


class PollerBusy(EnvironmentProblem):
    """Another process polls this workspace (exit 3); ``holder`` is who, as it recorded itself."""

    def __init__(self, *, root: Path, holder: Holder | None) -> None:
        if holder is None:
            super().__init__("instance.poller_busy_unknown", path=str(root))
        else:
            key = "instance.poller_busy_window" if holder.command == WINDOW else "instance.poller_busy"
            super().__init__(key, path=str(root), command=holder.command, pid=holder.pid, host=holder.host,
                             since=show(holder.since, Shape.SHORT))
        self.holder = holder


class PollerLock:
    """The poller lock of the workspace ``root``, for ``command`` (``poll``, ``run --headless``,
    :data:`WINDOW`). Not re-entrant across instances: a second :class:`PollerLock` on the same
    workspace is refused even in the same process.

    Use as a context manager, or :meth:`acquire` / :meth:`release`. :meth:`acquire` never waits:
    a held lock raises :class:`PollerBusy` at once; a data dir where the lock cannot be made
    raises :class:`EnvironmentProblem` (``instance.lock_failed``).
    """

    def __init__(self, root: Path, *, command: str) -> None:
        self.root = Path(root)
        self.command = command
        self._lock = filelock.FileLock(str(lock_path(self.root)), timeout=0, thread_local=False)
        self.holder: Holder | None = None

    @property
    def held(self) -> bool:
        return self.holder is not None

    def acquire(self, *, now: datetime | None = None) -> Holder:
        """Take the lock and record this process as its holder (``now``: since when; default the
        system clock). Returns that record."""
        if self.holder is not None:
            return self.holder
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except filelock.Timeout:
            raise PollerBusy(root=self.root, holder=read_holder(self.root)) from None
        except OSError as error:
            raise EnvironmentProblem("instance.lock_failed", path=str(lock_path(self.root)), detail=error.strerror or str(error)) from error
        holder = Holder(pid=os.getpid(), host=socket.gethostname(), command=self.command, since=(now or datetime.now(UTC)).astimezone(UTC))
        _write_holder(self.root, holder)
        self.holder = holder
        return holder

    def release(self) -> None:
        """Forget the holder record, then let go of the lock. Idempotent."""
        if self.holder is None:
            return
        self.holder = None
        with contextlib.suppress(OSError):
            holder_path(self.root).unlink()
        self._lock.release()

    def __enter__(self) -> PollerLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def _write_holder(root: Path, holder: Holder) -> None:
    """Replace the holder record in one rename, so a reader sees the old record or the new one.
    The record only explains a refusal: failing to write it (a full disk) never stops the poller."""
    temp = ""
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{HOLDER_FILENAME}.", dir=root)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(holder.to_json(), handle)
        os.replace(temp, holder_path(root))
    except OSError as error:
        if temp:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        log.warning("who holds the poller lock could not be recorded in %s: %s", holder_path(root), error.strerror or error)
