"""The desk's log: rotating UTF-8 files in the workspace's ``logs/`` folder, and short lines on stderr.

What is written (INFO and above): one line per poll cycle (accounts polled and failed, new items,
alerts raised, duration), one line per officer action (acknowledge, defer, inspect, shift …),
daily backups, and every error with its traceback. Tracebacks go to the file only; the terminal
gets the one-line message (``--debug``: everything, tracebacks included).

Files: ``<data dir>/logs/watchdesk.log``, rotated at :data:`MAX_BYTES` (5 MB) with
:data:`BACKUP_COUNT` (5) older files kept (``watchdesk.log.1`` … ``.5``), so the folder never
holds more than about 30 MB (``logging.handlers.RotatingFileHandler``:
https://docs.python.org/3/library/logging.handlers.html#rotatingfilehandler). Times are local
with their UTC offset. Every line passes :class:`~jb_watchdesk.services.redaction.RedactingFilter`:
no secret the process knows reaches a file or the terminal.
"""

from __future__ import annotations

import contextlib
import errno
import io
import logging
import logging.handlers
import os
import sys
import threading
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TextIO

from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.redaction import RedactingFilter

LOG_FILENAME = "watchdesk.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUP_COUNT = 5
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"
# Libraries that log every request at INFO: a cycle of 200 accounts would fill the 30 MB in a day.
QUIET = ("httpx", "httpcore", "hpack", "asyncio", "apprise", "urllib3", "PIL", "fontTools", "matplotlib")

_MARK = "_jb_watchdesk_handler"
_FILE_ONLY_ATTR = "jb_watchdesk_file_only"
FILE_ONLY = {_FILE_ONLY_ATTR: True}
"""``extra=`` for a record meant for the file alone (the terminal has already said it its own way)."""
_saved_hooks: tuple[object, object] | None = None
_saved_levels: dict[str, int] | None = None
"""The levels :func:`configure` changed (the root's and the quiet libraries'), put back by :func:`close`."""


class _NotFileOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, _FILE_ONLY_ATTR, False)


class _OneLineFormatter(logging.Formatter):
    """The terminal's form: the message without the traceback (the file has it)."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


class _FileFormatter(logging.Formatter):
    """The file's form: local time with its UTC offset (``2026-11-25T10:00:00.123+08:00``)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds")


class _Stderr(logging.StreamHandler):
    """stderr as it is when a line is written (a test, a redirect may have replaced it since)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file created readable by its owner only (0600): a log names accounts and officers.

    A file that cannot be written (a read-only archive of a workspace, a full disk) stops this
    handler, not the command: no "--- Logging error ---" traceback on the terminal. A read-only
    workspace is said nothing about (reading it is what it is for); any other failure once.
    """

    broken = False

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return open(fd, "a", encoding=self.encoding or "utf-8", errors=self.errors)  # noqa: SIM115 - the handler owns it

    def emit(self, record: logging.LogRecord) -> None:
        if not self.broken:
            super().emit(record)

    def doRollover(self) -> None:  # noqa: N802 - logging's name
        """Rotate; when the rename is refused (on Windows another process, the desk or a command,
        has the file open: WinError 32), keep appending to the current file and try again later,
        instead of losing every later line."""
        try:
            super().doRollover()
        except PermissionError:
            if self.stream is None or self.stream.closed:
                self.stream = self._open()

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)
            return
        self.broken = True
        with contextlib.suppress(OSError):
            self.close()
        if error.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            # this handler is off now, so the line goes to the terminal only
            logging.getLogger(__name__).warning(
                "cannot write the log %s (%s): logging to the terminal only", self.baseFilename, error.strerror or error
            )


def log_file(logs_dir: Path) -> Path:
    """Where the current log file is (the rotated ones sit beside it with ``.1`` … ``.5``)."""
    return logs_dir / LOG_FILENAME


def configure_command(*, data_dir: str | None, debug: bool, demo: bool) -> Path | None:
    """Logging for one command: the file in the workspace's ``logs/`` once the workspace exists
    (a command never creates a workspace to log into it; the demo's is thrown away)."""
    workspace = Workspace.resolve(data_dir)
    return configure(debug=debug, logs_dir=workspace.logs if not demo and workspace.exists() else None)


def configure(*, debug: bool = False, logs_dir: Path | None = None) -> Path | None:
    """Set up logging for this process: one stderr handler (WARNING, or DEBUG with ``debug``) and,
    with ``logs_dir``, the rotating file (INFO). Returns the log file's path, or None when there is
    none (no workspace yet, or the folder cannot be made: the desk runs on, stderr says why).

    Calling it again replaces what an earlier call installed (one process may run several
    commands: tests, the demo); handlers installed by others (pytest's) are left alone.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        handler.close()
    global _saved_levels
    if _saved_levels is None:
        _saved_levels = {name: logging.getLogger(name or None).level for name in ("", *QUIET)}
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)
    _mask_last_resort()
    redacting = RedactingFilter()
    console = _Stderr()
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    console.setFormatter(logging.Formatter(CONSOLE_FORMAT) if debug else _OneLineFormatter(CONSOLE_FORMAT))
    console.addFilter(_NotFileOnly())
    _install(root, console, redacting)
    _install_excepthooks()
    if logs_dir is None:
        return None
    path = log_file(logs_dir)
    try:
        logs_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = _PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True)
    except OSError as error:
        logging.getLogger(__name__).warning("cannot write the log in %s (%s): logging to the terminal only", logs_dir, error)
        return None
    handler.setLevel(logging.DEBUG if debug else logging.INFO)
    handler.setFormatter(_FileFormatter(FILE_FORMAT))
    _install(root, handler, redacting)
    return path


def _mask_last_resort() -> None:
    """Python's handler of last resort (what prints a WARNING when no handler is installed: a
    daemon thread's line after :func:`close`, the keyring's worker left behind) masks secrets too."""
    last = logging.lastResort
    if last is not None and not any(isinstance(f, RedactingFilter) for f in last.filters):
        last.addFilter(RedactingFilter())


def _install(root: logging.Logger, handler: logging.Handler, redacting: logging.Filter) -> None:
    handler.addFilter(redacting)
    setattr(handler, _MARK, True)
    root.addHandler(handler)


def _install_excepthooks() -> None:
    """Uncaught exceptions (the main thread, other threads, Qt slots, which PySide6 hands to
    ``sys.excepthook``) are logged through the redacting handlers instead of Python's default hooks,
    which print to stderr unmasked (and to nowhere in the windowed build). Hooks installed by
    others (pytest, pytest-qt) are called after logging."""
    global _saved_hooks
    if _saved_hooks is None:
        _saved_hooks = (sys.excepthook, threading.excepthook)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _log_uncaught(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logging.getLogger("jb_watchdesk").critical("uncaught %s", kind.__name__, exc_info=(kind, value, tb))
    previous = _saved_hooks[0] if _saved_hooks is not None else None
    if callable(previous) and previous is not sys.__excepthook__:
        previous(kind, value, tb)


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if issubclass(args.exc_type, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "?"
    exc_info = (args.exc_type, args.exc_value, args.exc_traceback) if args.exc_value is not None else None
    logging.getLogger("jb_watchdesk").error("uncaught %s in thread %s", args.exc_type.__name__, name, exc_info=exc_info)
    previous = _saved_hooks[1] if _saved_hooks is not None else None
    if callable(previous) and previous is not threading.__excepthook__:
        previous(args)


def close() -> None:
    """Flush and close the handlers :func:`configure` installed (idempotent); the exception hooks
    it replaced are put back."""
    global _saved_hooks, _saved_levels
    if _saved_hooks is not None:
        sys.excepthook, threading.excepthook = _saved_hooks  # type: ignore[assignment]
        _saved_hooks = None
    if _saved_levels is not None:
        for name, level in _saved_levels.items():
            logging.getLogger(name or None).setLevel(level)
        _saved_levels = None
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        with contextlib.suppress(OSError):
            handler.close()
