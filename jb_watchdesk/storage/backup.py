"""Copies of the database: online backups through SQLite's backup API, and the checks a copy must
pass before it may replace the live file.

The backup API (https://sqlite.org/backup.html, Python's ``sqlite3.Connection.backup``) copies
a consistent snapshot page by page, the WAL's committed transactions included, while the desk
keeps writing; a plain file copy of a WAL database can miss or tear transactions. Copies are
written to a hidden file beside the destination, created 0600 (a copy of the whole duty record,
which SQLite would create 0644 under the usual umask), and renamed into place only when complete.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlite_utils import Database

from jb_watchdesk.storage import audit
from jb_watchdesk.storage.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 5_000

Progress = Callable[[int, int, int], object]
"""Called after each step of a copy with SQLite's status, the pages remaining and the pages in
all (``sqlite3.Connection.backup``'s ``progress``); an exception it raises stops the copy."""


def _private_file(path: Path) -> None:
    """Create (or truncate) ``path`` readable and writable by its owner only."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600))
    os.chmod(path, 0o600)  # an existing file keeps its mode through O_CREAT


def backup_database(
    source: sqlite3.Connection,
    destination: Path,
    *,
    pages: int = -1,
    sleep_s: float = 0.25,
    progress: Progress | None = None,
) -> Path:
    """Consistent online copy of the open connection ``source`` to ``destination`` (0600), written to
    a temporary file beside it and renamed. The copy is in rollback-journal mode (``journal_mode=DELETE``,
    https://sqlite.org/pragma.html#pragma_journal_mode) whatever the source's mode. ``pages`` per step
    (-1: all in one read transaction), ``sleep_s`` seconds between steps; a step after another
    connection wrote the source starts the copy over (https://sqlite.org/c3ref/backup_finish.html).
    Raises ``sqlite3.Error``, ``OSError`` or what ``progress`` raises; nothing is left at
    ``destination`` on failure (an earlier file there stays)."""
    destination = destination.expanduser()
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(f".{destination.name}.partial-{os.getpid()}")
    try:
        _private_file(partial)
        target = sqlite3.connect(str(partial))
        try:
            source.backup(target, pages=pages, progress=progress, sleep=sleep_s)
            # The copy of a WAL database is a WAL database (page 1 is copied as it is): opening it
            # read-only then needs a -shm file, which read-only media (a USB stick, a share) cannot
            # hold. A rollback-journal copy opens anywhere and leaves nothing beside itself.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return destination


def open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to the database file at ``path`` (``mode=ro``: it never creates the
    file, never writes it). ``sqlite3.Error`` when it cannot be opened."""
    uri = "file:" + quote(str(Path(path).resolve())) + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def copy_database(
    source: Path, destination: Path, *, pages: int = -1, sleep_s: float = 0.25, progress: Progress | None = None
) -> Path:
    """Consistent online copy of the database file ``source`` to ``destination`` (0600), through a
    connection of its own: the desk's writer is never held up, and a backup never waits behind a
    poll cycle's transactions (WAL readers do not block the writer). ``sqlite3.Error`` when
    ``source`` is not a database or cannot be read; ``OSError`` when ``destination`` cannot be written;
    whatever ``progress`` raises. ``pages``, ``sleep_s`` as for :func:`backup_database`."""
    conn = open_read_only(source)
    try:
        return backup_database(conn, destination, pages=pages, sleep_s=sleep_s, progress=progress)
    finally:
        conn.close()


@dataclass(frozen=True, slots=True)
class CopyCheck:
    """What a database copy holds: ``integrity`` is SQLite's ``PRAGMA integrity_check`` answer
    (``"ok"`` when intact, else its first problems), ``unknown_migrations`` those applied by a newer
    version of the desk, ``ledger`` the duty record's hash-chain verification (None when the copy
    failed an earlier check)."""

    integrity: str
    unknown_migrations: tuple[str, ...] = ()
    ledger: audit.VerifyResult | None = None

    @property
    def intact(self) -> bool:
        return self.integrity == "ok"

    @property
    def ok(self) -> bool:
        return self.intact and not self.unknown_migrations and self.ledger is not None and self.ledger.ok


def check_copy(path: Path) -> CopyCheck:
    """Check the database copy at ``path`` (a scratch copy: a copy from an older version is brought
    up to this version's schema first, as opening it would). Stops at the first failed check.
    ``sqlite3.Error`` when the file is not a database."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        rows = conn.execute("PRAGMA integrity_check(20)").fetchall()
        integrity = "; ".join(str(row[0]) for row in rows) or "ok"
        if integrity != "ok":
            return CopyCheck(integrity=integrity)
        db = Database(conn)
        applied = {m.name for m in MIGRATIONS.applied(db)}
        unknown = tuple(sorted(applied - set(MIGRATIONS.names())))
        if unknown:
            return CopyCheck(integrity=integrity, unknown_migrations=unknown)
        if MIGRATIONS.pending(db):
            MIGRATIONS.apply(db)
        return CopyCheck(integrity=integrity, ledger=audit.verify(db))
    finally:
        conn.close()
