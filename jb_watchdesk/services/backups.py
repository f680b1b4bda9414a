"""Backups of the workspace database: the watch loop's daily copy, and ``db restore PATH``.

Daily backups: the first completed poll cycle of each day (Asia/Shanghai) copies the database to
``<data dir>/backups/watchdesk-daily-YYYY-MM-DD.sqlite3`` (SQLite backup API, 0600, safe while the
desk writes) and deletes daily copies older than the ``backup_days`` setting (default 14). The
copies made before a schema upgrade (``…-before-<migration>.sqlite3``) are not touched here.

Restore: the file named is copied beside the live database, and that copy must pass SQLite's
``integrity_check`` and ``log verify`` (the duty record's hash chain) before anything is replaced.
The live database is then kept as ``watchdesk.sqlite3.replaced-YYYYmmddTHHMMSS`` (UTC), and the
copy takes its place. Refused while a window, ``poll`` or ``run --headless`` works on the workspace
(:mod:`.instance_lock`): a running desk would go on writing to the replaced file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from jb_watchdesk.domain.errors import CheckFailed, InputError
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.files import not_the_live_database
from jb_watchdesk.services.instance_lock import PollerLock
from jb_watchdesk.storage import backup as backup_store

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


@dataclass
class DailyBackup:
    """The watch loop's daily copy of ``live`` into ``folder``, kept ``keep_days`` days."""

    live: Path
    folder: Path
    keep_days: int = 14
    _done_for: date | None = field(default=None, init=False, repr=False)
    _retry_at: datetime | None = field(default=None, init=False, repr=False)

    def take_if_due(self, *, now: datetime) -> Path | None:
        """Copy the database if today's (Asia/Shanghai) copy is not there yet, then prune; the
        path written, or None when nothing was due. A failure (disk full, the folder unwritable)
        is logged and tried again an hour later: it never ends the watch. Blocking."""
        today = now.astimezone(SHANGHAI).date()
        if self._done_for == today or (self._retry_at is not None and now < self._retry_at):
            return None
        target = daily_path(self.folder, today)
        try:
            if not target.exists():
                self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                backup_store.copy_database(self.live, target)
                log.info("daily backup written to %s", target)
            else:
                target = None  # type: ignore[assignment]  # another process (or an earlier run) took it today
            for path in prune_daily(self.folder, today=today, keep_days=self.keep_days):
                log.info("daily backup %s removed (older than %d days)", path.name, self.keep_days)
        except (OSError, sqlite3.Error) as error:
            self._retry_at = now + RETRY_AFTER_FAILURE
            log.error("the daily backup to %s failed (%s); it is tried again in an hour", self.folder, error)
            return None
        self._done_for, self._retry_at = today, None
        return target

    async def run_if_due(self, *, now: datetime) -> Path | None:
        """:meth:`take_if_due` off the event loop."""
        return await asyncio.to_thread(self.take_if_due, now=now)


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
            for suffix in ("-wal", "-shm"):
                live.with_name(live.name + suffix).unlink(missing_ok=True)
            os.replace(scratch, live)
        finally:
            for leftover in (scratch, *(scratch.with_name(scratch.name + s) for s in ("-wal", "-shm", "-journal"))):
                leftover.unlink(missing_ok=True)
    log.warning("database restored from %s; the previous one is kept as %s", source, replaced)
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
    live.unlink()
    return kept
