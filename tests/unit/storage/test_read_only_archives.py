"""A read-only copy made by an earlier release (before 0009_inspection_cycles) opens and reads:
that migration only adds a table, so a read-only connection stands in an empty one for it."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from jb_watchdesk.domain.errors import StorageError
from jb_watchdesk.storage import audit, inspections
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.migrations import MIGRATIONS

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _made_before(tmp_path: Path, stop_before: str) -> Path:
    path = tmp_path / "archive" / "watchdesk.sqlite3"
    path.parent.mkdir()
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        MIGRATIONS.apply(Database(conn), stop_before=stop_before)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    return path


def test_an_archive_from_before_the_inspection_cycles_opens_read_only_and_is_read_and_verified(tmp_path: Path) -> None:
    path = _made_before(tmp_path, "0009_inspection_cycles")
    before = path.read_bytes()
    with Store(path, read_only=True) as store:
        for read in (store.call, store.query):
            assert read(inspections.count_inspections, start=NOW - timedelta(days=1), end=NOW) == {}
            assert list(read(lambda db: list(inspections.iter_inspections(db, start=NOW - timedelta(days=1), end=NOW)))) == []
            assert read(audit.verify).ok
    assert path.read_bytes() == before
    assert not (tmp_path / "archive" / "backups").exists()


def test_an_archive_lacking_a_migration_that_changes_tables_is_still_refused(tmp_path: Path) -> None:
    path = _made_before(tmp_path, "0008_duty_record")
    with pytest.raises(StorageError) as caught:
        Store(path, read_only=True)
    assert caught.value.key == "db.read_only_upgrade" and "0008_duty_record" in str(caught.value)
