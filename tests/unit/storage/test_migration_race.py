"""Two processes opening a database that needs a migration at the same moment (the desk at login,
a command right after an upgrade): the second finds it applied instead of applying it again."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlite_utils import Database

from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.migrations import MIGRATIONS


def test_two_openings_that_both_saw_a_migration_pending_apply_it_once_and_both_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "watchdesk.sqlite3"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
        MIGRATIONS.apply(Database(conn), stop_before="0009_inspection_cycles")
    real_pending = MIGRATIONS.pending
    both_looked = threading.Barrier(2, timeout=10)
    looked: set[int] = set()

    def pending_seen_by_both(db):  # type: ignore[no-untyped-def]
        found = real_pending(db)
        if threading.get_ident() not in looked:  # each opening's first look, then they race
            looked.add(threading.get_ident())
            both_looked.wait()
        return found

    monkeypatch.setattr(MIGRATIONS, "pending", pending_seen_by_both)

    def open_and_list() -> list[str]:  # each its own backups (two processes' partial files differ by pid)
        with Store(path, backups_dir=tmp_path / f"backups-{threading.get_ident()}") as store:
            return store.call(lambda db: [m.name for m in MIGRATIONS.applied(db)])

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.submit(open_and_list), pool.submit(open_and_list)
        names = [first.result(timeout=30), second.result(timeout=30)]
    assert all(found.count("0009_inspection_cycles") == 1 for found in names)
