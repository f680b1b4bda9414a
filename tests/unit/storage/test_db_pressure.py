"""The store under pressure: another process's write lock, a read-only workspace, a full disk."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from jb_watchdesk.domain.errors import StorageError
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.storage import db as db_module
from jb_watchdesk.storage.accounts import apply_register, list_accounts
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
SPEC = AccountSpec(name="区政府网", platform=Platform.RSS, source="https://example.gov.cn/feed.xml")

_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


@contextlib.contextmanager
def write_lock_held(path: Path, seconds: float) -> Iterator[None]:
    """Another process holds the database's write lock (``BEGIN IMMEDIATE``) for ``seconds``."""
    with subprocess.Popen([sys.executable, "-c", _HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            yield
        finally:
            assert holder.wait(timeout=30) == 0


def _rename_read_then_write(db: Database) -> str:
    """A unit of work that reads, then writes: the shape that failed at once under a deferred BEGIN."""
    (account,) = list_accounts(db)
    db.execute("UPDATE accounts SET unit = ? WHERE id = ?", [account.unit + "（已核）", account.id])
    return account.unit + "（已核）"


def test_a_unit_that_reads_then_writes_waits_for_another_process_and_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite3"
    with Store(path) as store:
        store.call(apply_register, [SPEC], now=NOW)
        with write_lock_held(path, 1.5):
            renamed = store.call(_rename_read_then_write)
        assert [a.unit for a in store.query(list_accounts)] == [renamed]


def test_a_lock_longer_than_the_busy_timeout_is_waited_for_with_one_line_per_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 200)
    path = tmp_path / "w.sqlite3"
    with Store(path, lock_wait_s=15) as store:
        store.call(apply_register, [SPEC], now=NOW)
        with caplog.at_level(logging.WARNING, logger="jb_watchdesk.storage.db"), write_lock_held(path, 1.2):
            store.call(_rename_read_then_write)
    waits = [r.getMessage() for r in caplog.records if r.name == "jb_watchdesk.storage.db"]
    assert waits and all("\n" not in line and str(path) in line for line in waits)


def _archived_copy(tmp_path: Path) -> Path:
    path = tmp_path / "w.sqlite3"
    with Store(path) as store:
        store.call(apply_register, [SPEC], now=NOW)
    assert not path.with_name("w.sqlite3-wal").exists()  # closed cleanly: no WAL beside it
    return path


def test_a_read_only_open_reads_without_migrating_or_journalling_and_refuses_writes(tmp_path: Path) -> None:
    path = _archived_copy(tmp_path)
    before = path.read_bytes()
    with Store(path, read_only=True) as store:
        assert [a.name for a in store.call(list_accounts)] == [SPEC.name]  # call and query both read
        assert [a.name for a in store.query(list_accounts)] == [SPEC.name]
        with pytest.raises(StorageError) as caught:
            store.call(apply_register, [SPEC.__class__(name="新账号", platform=Platform.RSS)], now=NOW)
    assert caught.value.key == "db.read_only" and caught.value.exit_code == 3
    assert path.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_a_read_only_database_that_needs_a_migration_is_refused_untouched(tmp_path: Path) -> None:
    path = _archived_copy(tmp_path)
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        last = "0008_duty_record"  # one that changes tables (an additive one is stood in for)
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", [last])
    before = path.read_bytes()
    with pytest.raises(StorageError) as caught:
        Store(path, read_only=True)
    assert caught.value.key == "db.read_only_upgrade" and last in str(caught.value)
    assert path.read_bytes() == before and not (tmp_path / "backups").exists()


@contextlib.contextmanager
def _mounted(args: list[str], target: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a read-only or a small file system needs root (CI runs as root)")
    target.mkdir(exist_ok=True)
    done = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"mount refused here: {done.stderr.strip()}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


@contextlib.contextmanager
def read_only_view(folder: Path, target: Path) -> Iterator[Path]:
    """``folder`` seen through a read-only bind mount at ``target`` (refused even to root)."""
    with _mounted(["--bind", str(folder)], target):
        subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], check=True)
        yield target


def test_a_database_on_a_read_only_mount_opens_read_only_by_itself(tmp_path: Path) -> None:
    source = tmp_path / "archive"
    source.mkdir()
    _archived_copy(source)
    with read_only_view(source, tmp_path / "ro") as view:
        with Store(view / "w.sqlite3") as store:  # WAL, and no -shm can be made there: immutable
            assert store.read_only
            assert [a.name for a in store.query(list_accounts)] == [SPEC.name]
            with pytest.raises(StorageError) as caught:
                store.call(_rename_read_then_write)
        assert caught.value.key == "db.read_only"
        assert sorted(p.name for p in view.iterdir()) == ["w.sqlite3"]


def _fill(folder: Path) -> Path:
    """Fill the file system ``folder`` is on; returns the filler file."""
    filler = folder / "filler"
    with open(filler, "wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()
    return filler


def test_a_full_disk_is_disk_full_rolled_back_and_the_store_works_once_space_returns(tmp_path: Path) -> None:
    with _mounted(["-t", "tmpfs", "-o", "size=4m", "tmpfs"], tmp_path / "small") as small:
        path = small / "w.sqlite3"
        with Store(path, backups_dir=tmp_path / "backups") as store:
            store.call(apply_register, [SPEC], now=NOW)
            filler = _fill(small)
            many = [AccountSpec(name=f"账号{i}" * 20, platform=Platform.KUAISHOU, note="备注" * 200) for i in range(3000)]
            with pytest.raises(StorageError) as caught:
                store.call(apply_register, many, now=NOW)
            assert caught.value.key == "db.disk_full" and caught.value.exit_code == 3
            assert [a.name for a in store.query(list_accounts)] == [SPEC.name]  # nothing half-written
            filler.unlink()
            store.call(apply_register, many[:10], now=NOW)
            assert len(store.query(list_accounts)) == 11
        with contextlib.closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_opening_on_a_full_disk_says_disk_full_not_an_io_error(tmp_path: Path) -> None:
    with _mounted(["-t", "tmpfs", "-o", "size=4m", "tmpfs"], tmp_path / "small") as small:
        path = small / "w.sqlite3"
        with Store(path) as store:
            store.call(apply_register, [SPEC], now=NOW)
        _fill(small)  # SQLite then fails to create the WAL index: "disk I/O error"
        with pytest.raises(StorageError) as caught:
            Store(path)
        assert caught.value.key == "db.disk_full"
