"""The database: one SQLite file, one owner thread, async access for the event loop.

sqlite3 connections belong to the thread that made them, and the window must never wait
on disk. So every ``Store`` owns a single worker thread that opens the connection, applies
migrations and runs every unit of work handed to it: synchronous callers (the command
line) use ``store.call(fn)``, coroutines ``await store.run(fn)``. Both serialise on the
same thread, so there is exactly one writer per process.

Reads (the window's, through operations) go through ``store.query(fn)``: a second, read-only
connection on a thread of its own. In WAL mode a reader never waits for the writer, so a
refresh does not queue behind the thousand small transactions of a poll cycle; each read
runs in one transaction and sees one consistent snapshot.

Every unit of work on the owner thread begins ``BEGIN IMMEDIATE``: it takes the write lock
before its first read, so a lock held by another process is waited for (``busy_timeout``, then
more tries up to ``lock_wait_s``, one log line per wait) instead of failing at the first write.
A deferred ``BEGIN`` that reads and then writes gets SQLITE_BUSY at once in WAL mode, without
consulting the busy timeout (https://sqlite.org/lang_transaction.html, "BEGIN IMMEDIATE").

A workspace whose database file or folder cannot be written (an archived copy, a read-only
mount) opens read-only: ``mode=ro``, or ``immutable=1`` when the WAL index cannot be created
there (https://sqlite.org/uri.html, https://sqlite.org/wal.html#readonly); nothing is migrated
and the journal mode is left alone (a migration that only adds a table, listed in
``READ_ONLY_STAND_INS``, is stood in for by an empty TEMP table). Reads work; a write is refused as ``db.read_only`` (exit 3).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, ParamSpec, TypeVar
from urllib.parse import quote

from sqlite_utils import Database

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import StorageError
from jb_watchdesk.storage.backup import BUSY_TIMEOUT_MS, backup_database
from jb_watchdesk.storage.migrations import MIGRATIONS, READ_ONLY_STAND_INS

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

LOCK_WAIT_S = 20.0
"""How long a unit of work waits in all for a write lock another process holds, in seconds:
an officer's command outlasts a 10 s lock; the watch loop, past it, pauses and retries."""
KEEP_BACKUPS = 10


def translate_sqlite_error(error: sqlite3.Error, *, path: Path | str, backups: Path | str = "") -> StorageError:
    """Turn an sqlite3 error into one the officer can act on."""
    text = str(error).lower()
    if "readonly" in text or "read-only" in text:
        return StorageError("db.read_only", path=str(path))
    if "locked" in text or "busy" in text:
        return StorageError("db.locked", path=str(path))
    if "disk is full" in text or "database or disk is full" in text:
        return StorageError("db.disk_full", path=str(path))
    if "disk i/o error" in text and _nearly_full(path):
        # A full disk met while growing the WAL index (-shm) is reported as an I/O error.
        return StorageError("db.disk_full", path=str(path))
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StorageError("db.corrupt", path=str(path), detail=str(error), backups=str(backups))
    return StorageError("db.error", path=str(path), detail=str(error))


#: What SQLite says (``db.error``) when the workstation, not the data, is in trouble: a failing or
#: vanishing disk or share, a -shm or temporary file it cannot open (an antivirus lock, a share's
#: hiccup), memory running out. It clears by itself or once the officer acts.
_WORKSTATION_TROUBLE: Final = ("disk i/o error", "unable to open database file", "out of memory")


def is_io_error(error: StorageError) -> bool:
    """Whether SQLite's error (``db.error``) is the workstation's trouble rather than the data's."""
    detail = str(error.params.get("detail", "")).lower()
    return error.key == "db.error" and any(words in detail for words in _WORKSTATION_TROUBLE)


def _nearly_full(path: Path | str) -> bool:
    """Whether the file system holding ``path`` has less than 1 MiB left for the desk."""
    try:
        usage = os.statvfs(Path(path).parent)
    except (OSError, AttributeError):  # gone, or no statvfs (Windows)
        return False
    return usage.f_bavail * usage.f_frsize < 1 << 20


def _is_busy(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def is_read_only(path: Path) -> bool:
    """Whether the database at ``path`` cannot be written here: the file, or the folder its WAL and
    index files go in, is not writable (a read-only mount, an archived copy, permissions).

    A read-only mount refuses even root (``EROFS``); for a file that does not exist yet, False."""
    if not path.exists():
        return False
    return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection: ``mode=ro``; where SQLite cannot open a WAL database that way (no
    ``-shm`` and none can be created beside it), ``immutable=1`` as long as no ``-wal`` holds
    transactions the file lacks."""
    uri = "file:" + quote(str(path.resolve()))
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # opening is lazy: this is where it fails
    except sqlite3.OperationalError:
        conn.close()
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise
        conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    _stand_in_for_additive_migrations(conn)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _stand_in_for_additive_migrations(conn: sqlite3.Connection) -> None:
    """Empty TEMP tables for the additive migrations a read-only database lacks
    (:data:`READ_ONLY_STAND_INS`); the temp schema is the connection's own, so nothing is written
    to the file."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'").fetchone() is None:
        return  # not a desk database (or an empty one): the open refuses it as it is
    applied = {row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATIONS.name])}
    for name, statements in READ_ONLY_STAND_INS.items():
        if name not in applied:
            for statement in statements:
                conn.execute(statement)


def _connect(path: Path | None) -> sqlite3.Connection:
    target = ":memory:" if path is None else str(path)
    # isolation_level=None: sqlite3 never opens a transaction by itself; every unit of work
    # begins its own (IMMEDIATE) and ends it (Store._invoke).
    conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if path is not None:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("SQLite refused WAL mode for %s (journal_mode=%s)", path, mode)
        # WAL with NORMAL is durable across application crashes; only an OS crash
        # can lose the last transactions, never corrupt the file.
        conn.execute("PRAGMA synchronous = NORMAL")
    return conn


class Store:
    """The workspace database, owned by one worker thread."""

    def __init__(
        self,
        path: Path | None,
        *,
        backups_dir: Path | None = None,
        read_only: bool | None = None,
        lock_wait_s: float | None = None,
    ) -> None:
        """Open (creating if needed) the database at ``path``; ``None`` is an in-memory database.

        Pending migrations are applied; an existing file is backed up into ``backups_dir``
        first. ``read_only`` None means: read-only when :func:`is_read_only` says the file cannot
        be written here (then a pending migration is ``db.read_only_upgrade``, exit 3).
        ``lock_wait_s`` (default :data:`LOCK_WAIT_S`) bounds how long a unit of work waits for
        another process's write lock before ``db.locked``.
        """
        self.path = path
        self.backups_dir = backups_dir or (path.parent / "backups" if path else None)
        self.read_only = bool(path is not None and (is_read_only(path) if read_only is None else read_only))
        self.lock_wait_s = LOCK_WAIT_S if lock_wait_s is None else lock_wait_s
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jb-store")
        self._owner: threading.Thread | None = None
        self._closed = False
        self._db: Database | None = None
        self._reader: ThreadPoolExecutor | None = None
        self._reader_db: Database | None = None
        self._reader_lock = threading.Lock()
        self._depth = 0  # units of work under way on the owner thread (a call may nest a call)
        try:
            self._db = self._executor.submit(self._open).result()
        except BaseException:
            self._executor.shutdown(wait=True)
            raise

    # -- lifecycle -------------------------------------------------------------

    def _open(self) -> Database:
        self._owner = threading.current_thread()
        if self.read_only:
            return self._open_read_only()
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            except OSError as error:
                raise StorageError("db.cannot_create", path=str(self.path.parent), detail=error.strerror or str(error)) from error
        try:
            conn = _connect(self.path)
            db = Database(conn)
            try:
                self._migrate(db)
            except BaseException:
                conn.close()
                raise
        except sqlite3.Error as error:
            raise translate_sqlite_error(error, path=self._where, backups=self.backups_dir or "") from error
        return db

    def _open_read_only(self) -> Database:
        assert self.path is not None
        try:
            conn = _connect_read_only(self.path)
            db = Database(conn)
            try:
                pending = MIGRATIONS.pending(db)
                applied = {m.name for m in MIGRATIONS.applied(db)}
            except BaseException:
                conn.close()
                raise
        except sqlite3.Error as error:
            raise translate_sqlite_error(error, path=self._where, backups=self.backups_dir or "") from error
        if unknown := applied - set(MIGRATIONS.names()):
            conn.close()
            raise StorageError("db.newer_schema", names=", ".join(sorted(unknown)))
        if pending := [m for m in pending if m.name not in READ_ONLY_STAND_INS]:
            conn.close()
            raise StorageError("db.read_only_upgrade", path=self._where, names=", ".join(m.name for m in pending))
        log.info("opened %s read-only", self.path)
        return db

    @property
    def _where(self) -> str:
        return str(self.path) if self.path else ":memory:"

    def _migrate(self, db: Database) -> None:
        applied = {m.name for m in MIGRATIONS.applied(db)}
        unknown = applied - {name for name in MIGRATIONS.names()}
        if unknown:
            raise StorageError("db.newer_schema", names=", ".join(sorted(unknown)))
        pending = MIGRATIONS.pending(db)
        if not pending:
            return
        if self.path is not None and applied and self.backups_dir is not None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = self.backups_dir / f"{self.path.stem}-{stamp}-before-{pending[0].name}.sqlite3"
            backup_database(db.conn, target)
            log.info("backed up %s to %s before migrating", self.path, target)
            self._prune_backups()
        # Another process (the desk starting at login, a command right after an upgrade) may be
        # migrating the same file: under the write lock, whatever it applied meanwhile is no
        # longer pending (apply reads the list again) and the rest is applied in one transaction.
        self._begin(db.conn)
        try:
            MIGRATIONS.apply(db)  # each migration in a savepoint of this transaction
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise

    def _prune_backups(self) -> None:
        assert self.backups_dir is not None and self.path is not None
        old = sorted(self.backups_dir.glob(f"{self.path.stem}-*-before-*.sqlite3"))
        for stale in old[:-KEEP_BACKUPS]:
            stale.unlink(missing_ok=True)

    def close(self) -> None:
        """Checkpoint and close the connection, then stop the worker. Idempotent."""
        if self._closed:
            return
        self._closed = True

        def _close() -> None:
            if self._db is not None:
                self._db.conn.close()

        def _close_reader() -> None:
            if self._reader_db is not None:
                self._reader_db.conn.close()

        with self._reader_lock:  # after this, no read can start a new reader
            reader, self._reader = self._reader, None
        if reader is not None:
            reader.submit(_close_reader).result()
            reader.shutdown(wait=True)
        self._executor.submit(_close).result()
        self._executor.shutdown(wait=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- work ------------------------------------------------------------------

    def _invoke(self, fn: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object]) -> T:
        """One unit of work; whatever it leaves uncommitted is committed when it returns and rolled
        back when it raises, so the reader connection sees every finished call and no half of one.
        A ``call`` made from inside another unit of work is part of that one."""
        assert self._db is not None
        conn = self._db.conn
        outermost = self._depth == 0
        self._depth += 1
        try:
            if outermost:
                self._begin(conn)
            try:
                result = fn(self._db, *args, **kwargs)
                if outermost and conn.in_transaction:
                    conn.execute("COMMIT")
                return result
            except BaseException:
                if outermost and conn.in_transaction:  # SQLite may have ended it already (full disk)
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise translate_sqlite_error(error, path=self._where, backups=self.backups_dir or "") from error
        finally:
            self._depth -= 1

    def _begin(self, conn: sqlite3.Connection) -> None:
        """Open the unit of work's transaction: IMMEDIATE (the write lock, waited for), or a plain
        read transaction on a read-only database."""
        if self.read_only:
            conn.execute("BEGIN")
            return
        started = time.monotonic()
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")  # waits busy_timeout for the write lock
                return
            except sqlite3.OperationalError as error:
                waited = time.monotonic() - started
                if not _is_busy(error) or waited >= self.lock_wait_s:
                    raise
                log.warning("%s", messages.text("db.waiting", path=self._where, seconds=int(waited)))

    def call(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        """Run ``fn(db, *args, **kwargs)`` on the owner thread and wait for the result."""
        if self._closed:
            raise RuntimeError("store is closed")
        if threading.current_thread() is self._owner:
            return self._invoke(fn, args, kwargs)
        return self._executor.submit(self._invoke, fn, args, kwargs).result()

    async def run(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        """Coroutine form of :meth:`call`: the event loop keeps running while SQLite works."""
        if self._closed:
            raise RuntimeError("store is closed")
        future = self._executor.submit(self._invoke, fn, args, kwargs)
        return await asyncio.wrap_future(future)

    def query(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        """Run a read-only ``fn(db, *args, **kwargs)`` on the reader connection, in one transaction,
        and wait for the result.

        The reader never waits for the writer's transactions. An in-memory database has a single
        connection, so there reads go through :meth:`call`.
        """
        if self._closed:
            raise RuntimeError("store is closed")
        if self.path is None:
            return self.call(fn, *args, **kwargs)
        return self._reader_executor().submit(self._invoke_read, fn, args, kwargs).result()

    def _reader_executor(self) -> ThreadPoolExecutor:
        with self._reader_lock:
            if self._closed:
                raise RuntimeError("store is closed")
            if self._reader is None:
                self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jb-store-read")
            return self._reader

    def _invoke_read(self, fn: Callable[..., T], args: tuple[object, ...], kwargs: dict[str, object]) -> T:
        assert self.path is not None
        try:
            if self._reader_db is None:
                if self.read_only:
                    conn = _connect_read_only(self.path)
                else:
                    conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
                    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                    conn.execute("PRAGMA query_only = ON")
                self._reader_db = Database(conn)
            conn = self._reader_db.conn
            conn.execute("BEGIN")
            try:
                result = fn(self._reader_db, *args, **kwargs)
            except BaseException:
                if conn.in_transaction:  # SQLite may have ended it already (I/O error, full disk)
                    conn.rollback()
                raise
            conn.execute("COMMIT")
            return result
        except sqlite3.Error as error:
            raise translate_sqlite_error(error, path=self._where, backups=self.backups_dir or "") from error

    def backup(self, destination: Path) -> Path:
        """``db backup PATH``: a consistent copy of the live database."""
        return self.call_bare(lambda db: backup_database(db.conn, destination))

    def call_bare(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        """Run ``fn(db, *args, **kwargs)`` on the owner thread outside any transaction: for what
        SQLite refuses inside one (the backup API returns SQLITE_LOCKED while its source connection
        writes; VACUUM). ``fn`` ends whatever transaction it opens."""
        if self._closed:
            raise RuntimeError("store is closed")

        def bare() -> T:
            assert self._db is not None
            try:
                return fn(self._db, *args, **kwargs)
            except sqlite3.Error as error:
                raise translate_sqlite_error(error, path=self._where, backups=self.backups_dir or "") from error

        if threading.current_thread() is self._owner:
            if self._depth:
                raise RuntimeError("call_bare inside a unit of work")
            return bare()
        return self._executor.submit(bare).result()
