"""Backups of the workspace database: the watch loop's daily copy, and ``db restore PATH``.

Daily backups: the first completed poll cycle of each day (Asia/Shanghai) copies the database to
``<data dir>/backups/watchdesk-daily-YYYY-MM-DD.sqlite3`` (SQLite backup API, 0600, safe while the
desk writes) and deletes daily copies older than the ``backup_days`` setting (default 14). The
copies made before a schema upgrade (``…-before-<migration>.sqlite3``) are not touched here.
The copy runs on a thread of its own, a few pages at a time, while the watch goes on.

Restore: the file named is copied beside the live database, and that copy must pass SQLite's
``integrity_check`` and ``log verify`` (the duty record's hash chain) before anything is replaced.
The live database is then kept as ``watchdesk.sqlite3.replaced-YYYYmmddTHHMMSS`` (UTC), and the
copy is written into the live file through SQLite's backup API (the file stays, so a command with
it open sees the restored content). Refused while a window, ``poll`` or ``run --headless`` works on the workspace
(:mod:`.instance_lock`): a running desk would go on writing to the replaced file.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from jb_watchdesk.domain.errors import CheckFailed, InputError
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.files import not_the_live_database
from jb_watchdesk.services.instance_lock import PollerLock
from jb_watchdesk.storage import backup as backup_store
from jb_watchdesk.storage.db import translate_sqlite_error

log = logging.getLogger(__name__)

DAILY_PREFIX = "watchdesk-daily-"
_DAILY = re.compile(rf"^{DAILY_PREFIX}(\d{{4}}-\d{{2}}-\d{{2}})\.sqlite3$")
RETRY_AFTER_FAILURE = timedelta(hours=1)


def is_live(path: Path, live: Path) -> bool:
    """Whether ``path`` is the live database ``live`` or its ``-wal``/``-shm`` file, by resolved
    path (symbolic links, ``..``) or by identity (a hard link, another spelling of a mount)."""
    path = path.expanduser()
    try:
        not_the_live_database(path, live)
    except InputError:
        return True
    for part in (live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        with contextlib.suppress(OSError):
            if path.exists() and part.exists() and os.path.samefile(path, part):
                return True
    return False


def daily_path(folder: Path, day: date) -> Path:
    return folder / f"{DAILY_PREFIX}{day.isoformat()}.sqlite3"


def daily_backups(folder: Path) -> dict[date, Path]:
    """The daily backups in ``folder`` by day."""
    found: dict[date, Path] = {}
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            match = _DAILY.match(path.name)
            if match:
                with contextlib.suppress(ValueError):
                    found[date.fromisoformat(match.group(1))] = path
    return found


def prune_daily(folder: Path, *, today: date, keep_days: int) -> list[Path]:
    """Delete the daily backups from before the last ``keep_days`` days (today counts as one);
    returns what was deleted."""
    oldest_kept = today - timedelta(days=max(keep_days, 1) - 1)
    removed = []
    for day, path in sorted(daily_backups(folder).items()):
        if day < oldest_kept:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed


STEP_PAGES = 1024
STEP_SLEEP_S = 0.01
MAX_RESTARTS = 3


class _Stopped(Exception):
    """The desk is closing: the copy in progress is abandoned (its partial file removed)."""


class _Restarting(Exception):
    """Writes keep starting the stepped copy over: it is taken again in one read transaction."""


@dataclass
class DailyBackup:
    """The watch loop's daily copy of ``live`` into ``folder``, kept ``keep_days`` days.

    Used as a :class:`~jb_watchdesk.services.watch.WatchLoop` ``after_cycle`` hook: calling it
    starts the copy, when due, on a thread of its own (never the event loop's default pool, which
    name lookups use) and returns at once, so polls, repeats and escalations go on meanwhile; never
    two copies at once. The copy goes ``STEP_PAGES`` pages at a time, so no read transaction holds
    the WAL for the whole copy. ``clock`` gives the time (aware) when the hook is called.
    """

    live: Path
    folder: Path
    keep_days: int = 14
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)
    _done_for: date | None = field(default=None, init=False, repr=False)
    _retry_at: datetime | None = field(default=None, init=False, repr=False)
    _running: asyncio.Future[Path | None] | None = field(default=None, init=False, repr=False)
    _executor: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False, repr=False)

    def _due(self, now: datetime) -> bool:
        today = now.astimezone(SHANGHAI).date()
        return self._done_for != today and (self._retry_at is None or now >= self._retry_at)

    def take_if_due(self, *, now: datetime) -> Path | None:
        """Copy the database if today's (Asia/Shanghai) copy is not there yet, then prune; the
        path written, or None when nothing was due. A failure (disk full, the folder unwritable)
        is logged and tried again an hour later: it never ends the watch. Blocking."""
        today = now.astimezone(SHANGHAI).date()
        if not self._due(now):
            return None
        target = daily_path(self.folder, today)
        try:
            if not target.exists():
                self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._copy(target)
                log.info("daily backup written to %s", target)
            else:
                target = None  # type: ignore[assignment]  # another process (or an earlier run) took it today
            for path in prune_daily(self.folder, today=today, keep_days=self.keep_days):
                log.info("daily backup %s removed (older than %d days)", path.name, self.keep_days)
        except _Stopped:
            return None
        except (OSError, sqlite3.Error) as error:
            self._retry_at = now + RETRY_AFTER_FAILURE
            log.error("the daily backup to %s failed (%s); it is tried again in an hour", self.folder, error)
            return None
        self._done_for, self._retry_at = today, None
        return target

    def _copy(self, target: Path) -> None:
        """Step by step; after ``MAX_RESTARTS`` restarts (a busy desk writing between steps) in
        one read transaction instead."""
        seen = {"remaining": -1, "restarts": 0}

        def progress(_status: int, remaining: int, _total: int) -> None:
            if self._stop.is_set():
                raise _Stopped
            if remaining >= seen["remaining"] >= 0:  # no headway: a write started the copy over
                seen["restarts"] += 1
                if seen["restarts"] >= MAX_RESTARTS:
                    raise _Restarting
            seen["remaining"] = remaining

        try:
            backup_store.copy_database(self.live, target, pages=STEP_PAGES, sleep_s=STEP_SLEEP_S, progress=progress)
        except _Restarting:
            log.info("writes kept restarting the daily backup; it is copied in one go")
            backup_store.copy_database(self.live, target)

    def start_if_due(self, *, now: datetime) -> bool:
        """Start :meth:`take_if_due` on the backup thread when due and no copy is under way; True
        when started. Call it on the event loop."""
        if (self._running is not None and not self._running.done()) or self._stop.is_set() or not self._due(now):
            return False
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="daily-backup")
        self._running = asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(self.take_if_due, now=now))
        return True

    async def __call__(self, _cycle: object) -> None:
        """The ``after_cycle`` hook: :meth:`start_if_due` at the clock's time."""
        self.start_if_due(now=self.clock())

    async def wait(self) -> Path | None:
        """The copy under way, awaited (None when none runs, nothing was due, or it failed)."""
        return await self._running if self._running is not None else None

    async def aclose(self) -> None:
        """Stop a copy under way (its partial file removed) and end the backup thread."""
        self._stop.set()
        with contextlib.suppress(Exception):
            await self.wait()
        if self._executor is not None:
            self._executor.shutdown(wait=False)


@dataclass(frozen=True, slots=True)
class Restored:
    """What ``db restore`` did: the copy now in use, the previous database kept (None when there
    was none), and how many duty-record rows the copy's verification checked."""

    source: Path
    replaced: Path | None
    ledger_rows: int


def restore(workspace: Workspace, source: Path, *, now: datetime) -> Restored:
    """Replace the workspace database by the backup ``source``, after checking a copy of it.

    Errors (nothing is replaced by any of them): ``InputError`` (exit 2) when ``source`` is missing,
    is the live database, or is not a database; ``CheckFailed`` (exit 1) when the copy fails
    ``integrity_check`` or ``log verify`` or was written by a newer version; ``PollerBusy``
    (exit 3) while a window or poller runs on the workspace.
    """
    source = source.expanduser()
    live = workspace.database
    if not source.is_file():
        raise InputError("file.not_found", path=str(source))
    if is_live(source, live):
        raise InputError("backup.restore_live", path=str(source))
    workspace.root.mkdir(parents=True, exist_ok=True, mode=0o700)  # a new workstation restores into a new workspace
    with PollerLock(workspace.root, command="db restore"):
        scratch = live.with_name(f".{live.name}.restoring-{os.getpid()}")
        try:
            try:
                backup_store.copy_database(source, scratch)
                check = backup_store.check_copy(scratch)
            except sqlite3.Error as error:
                raise InputError("backup.not_database", path=str(source), detail=str(error)) from error
            _refuse_unless_sound(source, check)
            assert check.ledger is not None
            replaced = _keep_live(live, now=now) if live.exists() else None
            if live.exists():
                try:
                    _copy_into_live(scratch, live)
                except sqlite3.Error as error:  # busy past the wait, a full disk: said as such, the live file intact
                    raise translate_sqlite_error(error, path=live) from error
            else:
                os.replace(scratch, live)
        finally:
            for leftover in (scratch, *(scratch.with_name(scratch.name + s) for s in ("-wal", "-shm", "-journal"))):
                leftover.unlink(missing_ok=True)
    log.info("database restored from %s; the previous one is kept as %s", source, replaced)
    return Restored(source=source, replaced=replaced, ledger_rows=check.ledger.rows_checked)


def _refuse_unless_sound(source: Path, check: backup_store.CopyCheck) -> None:
    if not check.intact:
        raise CheckFailed("backup.damaged", path=str(source), detail=check.integrity[:300])
    if check.unknown_migrations:
        raise CheckFailed("backup.newer_schema", path=str(source), names=", ".join(check.unknown_migrations))
    if check.ledger is None or not check.ledger.ok:
        where = check.ledger.where if check.ledger else ""
        reason = check.ledger.describe() if check.ledger else ""
        raise CheckFailed("backup.ledger_broken", path=str(source), where=where, reason=reason)


def _keep_live(live: Path, *, now: datetime) -> Path:
    """Keep the database about to be replaced as ``<name>.replaced-<UTC stamp>``: a consistent copy
    when it can be read, else its files renamed as they are (a damaged database is kept too)."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    kept = live.with_name(f"{live.name}.replaced-{stamp}")
    try:
        backup_store.copy_database(live, kept)
    except sqlite3.Error:
        for suffix in ("", "-wal", "-shm"):
            part = live.with_name(live.name + suffix)
            if part.exists():
                os.replace(part, kept.with_name(kept.name + suffix))
    return kept


def _copy_into_live(checked: Path, live: Path) -> None:
    """Copy the checked database into the live file through SQLite's backup API: a status, doctor
    or command-line write with the database open goes on in the restored content (a file replaced
    under it would take that write into the unlinked file, and its -wal/-shm with it).
    https://sqlite.org/backup.html (a destination written by the backup is seen by its other
    connections)."""
    source = sqlite3.connect(str(checked), timeout=backup_store.BUSY_TIMEOUT_MS / 1000)
    try:
        target = sqlite3.connect(str(live), timeout=backup_store.BUSY_TIMEOUT_MS / 1000)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
