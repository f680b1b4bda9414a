"""Daily backups kept N days, and a restore that checks the copy before it replaces anything."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.domain.errors import CheckFailed, EnvironmentProblem, InputError
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import backups, operations
from jb_watchdesk.services.instance_lock import PollerLock
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    with Store(ws.database, backups_dir=ws.backups) as store:
        operations.start_shift(store, officer="张三", now=NOW)
    return ws


def _shifts(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT officer FROM shifts ORDER BY id")]
    finally:
        conn.close()


def test_the_daily_backup_is_taken_once_a_day_and_kept_for_the_days_set(workspace: Workspace) -> None:
    daily = backups.DailyBackup(live=workspace.database, folder=workspace.backups, keep_days=3)
    first = daily.take_if_due(now=NOW)
    assert first == workspace.backups / "watchdesk-daily-2026-11-25.sqlite3"
    assert _shifts(first) == ["张三"] and (first.stat().st_mode & 0o777) == 0o600
    assert daily.take_if_due(now=NOW + timedelta(hours=3)) is None  # the same day in Shanghai
    for day in range(1, 6):
        assert daily.take_if_due(now=NOW + timedelta(days=day)) is not None
    kept = sorted(d.isoformat() for d in backups.daily_backups(workspace.backups))
    assert kept == ["2026-11-28", "2026-11-29", "2026-11-30"]


@pytest.mark.allow_error_log
def test_a_failed_daily_backup_is_logged_and_tried_again_an_hour_later(workspace: Workspace, caplog: pytest.LogCaptureFixture) -> None:
    blocker = workspace.root / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    daily = backups.DailyBackup(live=workspace.database, folder=blocker, keep_days=3)
    assert daily.take_if_due(now=NOW) is None
    assert any("daily backup" in r.getMessage() for r in caplog.records)
    caplog.clear()
    assert daily.take_if_due(now=NOW + timedelta(minutes=30)) is None and not caplog.records  # not every cycle
    daily.folder = workspace.backups
    assert daily.take_if_due(now=NOW + timedelta(hours=1)) is not None


def test_restore_round_trip_keeps_the_replaced_database(workspace: Workspace, tmp_path: Path) -> None:
    backup = backups.DailyBackup(live=workspace.database, folder=workspace.backups).take_if_due(now=NOW)
    assert backup is not None
    with Store(workspace.database, backups_dir=workspace.backups) as store:
        operations.end_shift(store, now=NOW + timedelta(hours=1))
        operations.start_shift(store, officer="李四", now=NOW + timedelta(hours=2))
    restored = backups.restore(workspace, backup, now=NOW + timedelta(hours=3))
    assert _shifts(workspace.database) == ["张三"]
    assert restored.replaced == workspace.root / "watchdesk.sqlite3.replaced-20261125T050000"
    assert _shifts(restored.replaced) == ["张三", "李四"]  # nothing the desk wrote is lost
    assert restored.ledger_rows >= 1
    assert not list(workspace.root.glob(".*restoring*"))


def test_a_successful_restore_logs_no_warning(workspace: Workspace, caplog: pytest.LogCaptureFixture) -> None:
    backup = backups.DailyBackup(live=workspace.database, folder=workspace.backups).take_if_due(now=NOW)
    assert backup is not None
    backups.restore(workspace, backup, now=NOW + timedelta(hours=3))
    assert any("database restored" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= 30]  # nothing on the terminal but the command's own line


def _tampered(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    conn = sqlite3.connect(target)
    conn.execute("UPDATE shifts SET officer = '王五'")
    conn.commit()
    conn.close()
    return target


def test_a_backup_whose_duty_record_does_not_verify_replaces_nothing(workspace: Workspace, tmp_path: Path) -> None:
    good = backups.DailyBackup(live=workspace.database, folder=workspace.backups).take_if_due(now=NOW)
    assert good is not None
    bad = _tampered(good, tmp_path / "edited.sqlite3")
    before = workspace.database.read_bytes()
    with pytest.raises(CheckFailed) as caught:
        backups.restore(workspace, bad, now=NOW)
    assert caught.value.key == "backup.ledger_broken" and "nothing was replaced" in caught.value.message("en")
    assert workspace.database.read_bytes() == before
    assert not list(workspace.root.glob("*.replaced-*"))


def test_a_file_that_is_no_database_or_is_damaged_replaces_nothing(workspace: Workspace, tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite3"
    text.write_text("值班记录" * 1000, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        backups.restore(workspace, text, now=NOW)
    assert caught.value.key == "backup.not_database"
    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(workspace.database.read_bytes())
    assert len(data) > 8192
    data[4096:6000] = b"\xff" * 1904  # a page of the schema or the data overwritten
    damaged.write_bytes(bytes(data))
    with pytest.raises((CheckFailed, InputError)) as refused:
        backups.restore(workspace, damaged, now=NOW)
    assert refused.value.key in {"backup.damaged", "backup.not_database", "backup.ledger_broken"}
    assert _shifts(workspace.database) == ["张三"]


def test_restore_is_refused_while_a_desk_polls_the_workspace(workspace: Workspace) -> None:
    backup = backups.DailyBackup(live=workspace.database, folder=workspace.backups).take_if_due(now=NOW)
    assert backup is not None
    with PollerLock(workspace.root, command="run --headless"), pytest.raises(EnvironmentProblem):
        backups.restore(workspace, backup, now=NOW)
    assert not list(workspace.root.glob("*.replaced-*"))


def test_the_live_database_is_no_backup_to_restore(workspace: Workspace) -> None:
    link = workspace.root / "hard-link.sqlite3"
    os.link(workspace.database, link)
    for path in (workspace.database, link, workspace.root / "." / "watchdesk.sqlite3"):
        with pytest.raises(InputError) as caught:
            backups.restore(workspace, path, now=NOW)
        assert caught.value.key == "backup.restore_live"


def test_a_backup_is_a_rollback_journal_file_that_opens_read_only_without_leaving_files(workspace: Workspace, tmp_path: Path) -> None:
    from jb_watchdesk.storage import backup as backup_store

    copy = backup_store.copy_database(workspace.database, tmp_path / "stick" / "copy.sqlite3")
    header = copy.read_bytes()[:20]
    assert (header[18], header[19]) == (1, 1)  # file format versions: 1 = rollback journal, 2 = WAL
    conn = backup_store.open_read_only(copy)
    try:
        assert conn.execute("SELECT count(*) FROM shifts").fetchone() == (1,)
    finally:
        conn.close()
    assert sorted(p.name for p in copy.parent.iterdir()) == ["copy.sqlite3"]  # no -wal/-shm beside it


def test_the_daily_backup_runs_on_its_own_thread_in_steps_and_never_holds_up_the_watch(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import threading

    from jb_watchdesk.storage import backup as backup_store

    release = threading.Event()
    calls: list[tuple[str, int]] = []
    real_copy = backup_store.copy_database

    def slow_copy(source: Path, destination: Path, **kwargs: object) -> Path:
        calls.append((threading.current_thread().name, int(kwargs.get("pages", -1))))  # type: ignore[call-overload]
        assert release.wait(10)
        return real_copy(source, destination, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backup_store, "copy_database", slow_copy)
    daily = backups.DailyBackup(live=workspace.database, folder=workspace.backups, clock=lambda: NOW)

    async def watch_turns() -> Path | None:
        try:
            await asyncio.wait_for(daily(object()), timeout=5)  # the hook returns while the copy waits
            await asyncio.wait_for(daily(object()), timeout=5)  # a second cycle starts no second copy
        finally:
            release.set()
        written = await daily.wait()
        await daily.aclose()
        return written

    written = asyncio.run(watch_turns())
    assert written == workspace.backups / "watchdesk-daily-2026-11-25.sqlite3" and _shifts(written) == ["张三"]
    assert len(calls) == 1
    thread, pages = calls[0]
    assert thread.startswith("daily-backup") and pages == backups.STEP_PAGES


def test_a_stepped_copy_that_writes_keep_restarting_is_taken_in_one_go(workspace: Workspace) -> None:
    from jb_watchdesk.storage import backup as backup_store

    writer = sqlite3.connect(workspace.database)
    writer.execute("CREATE TABLE filler (x BLOB)")
    writer.executemany("INSERT INTO filler VALUES (zeroblob(4000))", [()] * 3000)  # ~3000 pages: several steps
    writer.commit()
    steps = 0

    def write_between_steps(_status: int, _remaining: int, _total: int) -> None:
        nonlocal steps
        steps += 1
        writer.execute("INSERT INTO filler VALUES (zeroblob(10))")  # another connection: the copy starts over
        writer.commit()

    daily = backups.DailyBackup(live=workspace.database, folder=workspace.backups)
    original = backup_store.copy_database

    def copy_with_writes(source: Path, destination: Path, **kwargs: object) -> Path:
        if kwargs.get("progress") is not None:
            inner = kwargs["progress"]

            def both(status: int, remaining: int, total: int) -> None:
                write_between_steps(status, remaining, total)
                inner(status, remaining, total)  # type: ignore[operator]

            kwargs["progress"] = both
        return original(source, destination, **kwargs)  # type: ignore[arg-type]

    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(backup_store, "copy_database", copy_with_writes)
            written = daily.take_if_due(now=NOW)
    finally:
        writer.close()
    assert written is not None and _shifts(written) == ["张三"]
    assert 0 < steps < 50  # it gave up stepping instead of starting over for ever


def test_a_connection_open_during_a_restore_sees_the_restored_database_and_its_write_is_kept(workspace: Workspace) -> None:
    backup = backups.DailyBackup(live=workspace.database, folder=workspace.backups).take_if_due(now=NOW)
    assert backup is not None
    with Store(workspace.database, backups_dir=workspace.backups) as store:
        operations.end_shift(store, now=NOW + timedelta(hours=1))
        operations.start_shift(store, officer="李四", now=NOW + timedelta(hours=2))
    status = sqlite3.connect(workspace.database)  # a command reading (then writing) while the restore runs
    try:
        assert status.execute("SELECT count(*) FROM shifts").fetchone() == (2,)
        backups.restore(workspace, backup, now=NOW + timedelta(hours=3))
        assert status.execute("SELECT officer FROM shifts ORDER BY id").fetchall() == [("张三",)]
        status.execute("UPDATE shifts SET officer = '王五'")
        status.commit()
    finally:
        status.close()
    assert _shifts(workspace.database) == ["王五"]  # the write landed in the live file, not a replaced one
