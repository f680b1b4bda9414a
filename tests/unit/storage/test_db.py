from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from jb_watchdesk.domain.errors import StorageError
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.storage import db as db_module
from jb_watchdesk.storage.accounts import apply_register, list_accounts
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.migrations import MIGRATIONS, _Migrations

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def test_pragmas_and_tables(tmp_path: Path) -> None:
    with Store(tmp_path / "w.sqlite3") as store:
        mode, fk, busy = store.call(
            lambda db: (
                db.execute("PRAGMA journal_mode").fetchone()[0],
                db.execute("PRAGMA foreign_keys").fetchone()[0],
                db.execute("PRAGMA busy_timeout").fetchone()[0],
            )
        )
        tables = set(store.call(lambda db: db.table_names()))
    assert (mode, fk, busy) == ("wal", 1, 5000)
    assert {"accounts", "posts", "comments", "poll_runs", "alerts", "inspections", "shifts", "emergencies"} <= tables


def test_foreign_keys_are_enforced() -> None:
    with Store(None) as store, pytest.raises(StorageError):
        store.call(
            lambda db: db.execute(
                "INSERT INTO posts (account_id, external_id, published_at, first_seen_at, updated_at) VALUES (99, 'x', '', '', '')"
            )
        )


def test_only_one_open_shift() -> None:
    with Store(None) as store:
        store.call(lambda db: db.execute("INSERT INTO shifts (officer, started_at) VALUES ('a', '2026')"))
        with pytest.raises(StorageError):
            store.call(lambda db: db.execute("INSERT INTO shifts (officer, started_at) VALUES ('b', '2026')"))


def test_work_runs_on_one_owner_thread_sync_and_async(tmp_path: Path) -> None:
    with Store(tmp_path / "w.sqlite3") as store:
        sync_thread = store.call(lambda db: threading.current_thread().name)

        async def main() -> list[str]:
            return await asyncio.gather(*(store.run(lambda db: threading.current_thread().name) for _ in range(5)))

        async_threads = asyncio.run(main())
    assert sync_thread.startswith("jb-store")
    assert set(async_threads) == {sync_thread}


def test_reads_run_on_their_own_connection_and_never_wait_for_the_writer(tmp_path: Path) -> None:
    spec = AccountSpec(name="a", platform=Platform.RSS, source="https://example.gov.cn/feed")
    writing, release = threading.Event(), threading.Event()

    def slow_write(db: Database) -> None:  # the unit of work is the transaction (BEGIN IMMEDIATE)
        db.execute("UPDATE accounts SET unit = 'changed'")
        writing.set()
        assert release.wait(10)

    def read(db: Database) -> tuple[str, list[str]]:
        return threading.current_thread().name, [a.unit for a in list_accounts(db)]

    with Store(tmp_path / "w.sqlite3") as store:
        store.call(apply_register, [spec], now=NOW)

        async def main() -> None:
            write = asyncio.ensure_future(store.run(slow_write))
            await asyncio.to_thread(writing.wait, 10)
            # the writer holds an open transaction on its thread; the reader is not held up by it
            try:
                thread, units = await asyncio.wait_for(asyncio.to_thread(store.query, read), timeout=5)
            finally:
                release.set()
            assert thread.startswith("jb-store-read") and units == [""]
            await write
            assert store.query(read)[1] == ["changed"]  # a committed write is seen at once
            with pytest.raises(StorageError):
                store.query(lambda db: db.execute("DELETE FROM accounts"))

        asyncio.run(main())
        assert [a.unit for a in store.call(list_accounts)] == ["changed"]


def test_each_unit_of_work_is_committed_when_it_returns_and_rolled_back_when_it_fails(tmp_path: Path) -> None:
    spec = AccountSpec(name="a", platform=Platform.RSS, source="https://example.gov.cn/feed")

    def half_then_fail(db: Database) -> None:
        db.conn.execute("UPDATE accounts SET unit = 'half'")  # sqlite3 opens a transaction implicitly
        raise ValueError("a bug after the first statement")

    with Store(tmp_path / "w.sqlite3") as store:
        store.call(apply_register, [spec], now=NOW)
        store.call(lambda db: db.conn.execute("UPDATE accounts SET owner = 'done'"))  # left open by the call
        with pytest.raises(ValueError):
            store.call(half_then_fail)
        other = sqlite3.connect(tmp_path / "w.sqlite3", timeout=0)  # no unit of work left the write lock held
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
        accounts = store.query(list_accounts)
    assert [(a.owner, a.unit) for a in accounts] == [("done", "")]


def test_a_call_nested_in_a_unit_of_work_is_part_of_it(tmp_path: Path) -> None:
    spec = AccountSpec(name="a", platform=Platform.RSS, source="https://example.gov.cn/feed")
    with Store(tmp_path / "w.sqlite3") as store:
        store.call(apply_register, [spec], now=NOW)

        def outer(db: Database) -> None:
            db.conn.execute("UPDATE accounts SET unit = 'outer'")
            store.call(lambda inner: inner.conn.execute("UPDATE accounts SET owner = 'inner'"))  # nested: not committed alone
            raise ValueError("the outer unit fails after the nested call")

        with pytest.raises(ValueError):
            store.call(outer)
        assert [(a.unit, a.owner) for a in store.call(list_accounts)] == [("", "")]


def test_migrations_are_recorded_and_not_reapplied(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite3"
    Store(path).close()
    Store(path).close()
    db = Database(path)
    names = [r["name"] for r in db.query("SELECT name FROM _sqlite_migrations")]
    db.close()
    assert names == MIGRATIONS.names()
    assert not (tmp_path / "backups").exists()  # a fresh file is not backed up


def test_file_is_backed_up_before_a_new_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.sqlite3"
    with Store(path) as store:
        store.call(apply_register, [AccountSpec(name="江北政务", platform=Platform.WECHAT_MP)], now=NOW)

    extended = _Migrations("jb_watchdesk")
    for migration in MIGRATIONS._migrations:  # noqa: SLF001 - a copy of the real list
        extended(name=migration.name)(migration.fn)

    @extended(name="9999_add_column")
    def _add(db: Database) -> None:
        db.execute("ALTER TABLE accounts ADD COLUMN extra TEXT")

    monkeypatch.setattr(db_module, "MIGRATIONS", extended)
    with Store(path) as store:
        columns = store.call(lambda db: db["accounts"].columns_dict)
    assert "extra" in columns
    backups = list((tmp_path / "backups").glob("w-*-before-9999_add_column.sqlite3"))
    assert len(backups) == 1
    old = Database(backups[0])
    assert "extra" not in old["accounts"].columns_dict
    assert [r["name"] for r in old.query("SELECT name FROM accounts")] == ["江北政务"]
    old.close()


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('jb_watchdesk', '9999_future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(StorageError) as caught:
        Store(path)
    assert caught.value.key == "db.newer_schema" and caught.value.exit_code == 3


def test_a_file_that_is_not_a_database_gets_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "w.sqlite3"
    path.write_bytes(b"this is a spreadsheet, not a database" * 100)
    with pytest.raises(StorageError) as caught:
        Store(path)
    assert caught.value.key == "db.corrupt"
    assert path.read_bytes().startswith(b"this is a spreadsheet")  # nothing overwritten


def test_a_locked_database_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(db_module, "LOCK_WAIT_S", 0.3)
    path = tmp_path / "w.sqlite3"
    with Store(path) as store:
        blocker = sqlite3.connect(path)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StorageError) as caught:
                store.call(apply_register, [AccountSpec(name="a", platform=Platform.RSS)], now=NOW)
        finally:
            blocker.rollback()
            blocker.close()
        assert caught.value.key == "db.locked"
        assert store.call(list_accounts) == []


def test_register_is_applied_all_or_nothing() -> None:
    with Store(None) as store:
        specs = [AccountSpec(name="a", platform=Platform.RSS), AccountSpec(name="", platform=Platform.RSS)]
        with pytest.raises(StorageError):
            store.call(apply_register, specs, now=NOW)  # the second row violates a CHECK constraint
        assert store.call(list_accounts) == []


def test_reimport_updates_in_place() -> None:
    with Store(None) as store:
        first = store.call(apply_register, [AccountSpec(name="a", platform=Platform.RSS, unit="u1")], now=NOW)
        again = store.call(apply_register, [AccountSpec(name="a", platform=Platform.RSS, unit="u1")], now=NOW)
        moved = store.call(apply_register, [AccountSpec(name="a", platform=Platform.RSS, unit="u2")], now=NOW)
        accounts = store.call(list_accounts)
    assert (first.created, again.unchanged, moved.updated) == (1, 1, 1)
    assert [(a.id, a.unit) for a in accounts] == [(1, "u2")]


def test_backup_is_a_consistent_copy(tmp_path: Path) -> None:
    with Store(tmp_path / "w.sqlite3") as store:
        store.call(apply_register, [AccountSpec(name="a", platform=Platform.RSS)], now=NOW)
        target = store.backup(tmp_path / "out" / "copy.sqlite3")
    copy = Database(target)
    assert [r["name"] for r in copy.query("SELECT name FROM accounts")] == ["a"]
    copy.close()
    assert not list((tmp_path / "out").glob(".*partial*"))


def test_close_is_idempotent_and_refuses_more_work() -> None:
    store = Store(None)
    store.close()
    store.close()
    with pytest.raises(RuntimeError):
        store.call(list_accounts)
