"""The duty loop and the officer's commands under database pressure, against the real simulator:
another process's write lock, a full disk, a 20,000-row import during a cycle, a read-only copy."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import shutil
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.cli import main
from jb_watchdesk.connectors.http import HttpSettings
from jb_watchdesk.domain.errors import StorageError
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import watch
from jb_watchdesk.storage import db as db_module
from jb_watchdesk.storage.secrets import SecretStore
from tests.unit.storage.test_db_pressure import _fill, _mounted, read_only_view, write_lock_held


def _watch(desk, *, until: Callable[[list[watch.Cycle]], bool], on_cycle: Callable[[watch.Cycle], None] | None = None,
           started: Callable[[], None] | None = None, root: Path | None = None) -> list[watch.Cycle]:
    """Run the duty loop on ``desk`` until ``until(cycles)``; returns every cycle it reported."""
    seen: list[watch.Cycle] = []

    async def body() -> None:
        stop = asyncio.Event()

        async def report(cycle: watch.Cycle) -> None:
            seen.append(cycle)
            if on_cycle is not None:
                on_cycle(cycle)
            if until(seen):
                stop.set()

        app = App(workspace=Workspace(root or desk.root), clock=Clock(desk.now), secret_store=SecretStore(desk.keyring))
        with app:
            async with running_watch(app, http_settings=HttpSettings(trust_env=False)) as loop:
                if started is not None:
                    await asyncio.to_thread(started)
                await asyncio.wait_for(loop.run(stop, on_cycle=report, tick_s=0.05), timeout=90)

    asyncio.run(body())
    return seen


def _polled(cycles: list[watch.Cycle]) -> bool:
    return any(c.poll.run_id is not None and c.poll.accounts_polled for c in cycles)


def _stored_once_and_scanned(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        posts, distinct = conn.execute("SELECT COUNT(*), COUNT(DISTINCT account_id || ':' || external_id) FROM posts").fetchone()
        unscanned = conn.execute("SELECT (SELECT COUNT(*) FROM posts WHERE scanned_at IS NULL)"
                                 " + (SELECT COUNT(*) FROM comments WHERE scanned_at IS NULL)").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert posts == distinct and unscanned == 0
    return int(posts)


def test_past_the_stores_wait_the_loop_pauses_says_so_and_goes_on(
    simulated_desk, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    desk = simulated_desk
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(db_module, "LOCK_WAIT_S", 0.2)
    monkeypatch.setattr(watch, "STORAGE_PAUSES_S", (0.3,))
    database = desk.root / "watchdesk.sqlite3"
    with caplog.at_level(logging.WARNING), write_lock_held(database, 2.0):
        # The loop starts while the lock is held: its first turns fail with db.locked.
        cycles = _watch(desk, until=_polled)
    waits = [c.storage_wait for c in cycles if c.storage_wait is not None]
    assert waits and waits[0].attempt == 1 and waits[0].problem == str(StorageError("db.locked", path=str(database)))
    assert "数据库忙" in waits[0].line() and "0 秒后重试" in waits[0].line()  # the window's status line
    assert cycles[-1].storage_wait is None and cycles[-1].scan.items_scanned
    pauses = [r.getMessage() for r in caplog.records if r.name == "jb_watchdesk.services.watch" and "pauses" in r.getMessage()]
    assert len(pauses) == len(waits) and all("\n" not in line for line in pauses)
    assert _stored_once_and_scanned(database) > 0


@pytest.mark.allow_error_log  # the poller logs each account it could not store while the disk is full
def test_a_full_disk_pauses_the_loop_which_resumes_when_space_returns(
    simulated_desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = simulated_desk
    monkeypatch.setattr(watch, "STORAGE_PAUSES_S", (0.3,))
    with _mounted(["-t", "tmpfs", "-o", "size=4m", "tmpfs"], tmp_path / "small") as small:
        root = small / "ws"
        shutil.copytree(desk.root, root)
        filler = small / "filler"

        def free_space(cycle: watch.Cycle) -> None:
            if cycle.storage_wait is not None:
                filler.unlink(missing_ok=True)

        # The disk fills once the desk is open, before its first cycle.
        cycles = _watch(desk, root=root, until=_polled, on_cycle=free_space, started=lambda: None if _fill(small) else None)
        waits = [c.storage_wait for c in cycles if c.storage_wait is not None]
        assert any("磁盘已满" in w.problem or "No space" in w.problem for w in waits), waits
        assert not filler.exists()
        assert _stored_once_and_scanned(root / "watchdesk.sqlite3") > 0


def test_an_officer_command_waits_for_another_processs_lock_and_succeeds(simulated_desk) -> None:
    desk = simulated_desk
    out, err = io.StringIO(), io.StringIO()
    with write_lock_held(desk.root / "watchdesk.sqlite3", 1.5):
        code = main(["--lang", "en", "--data-dir", str(desk.root), "shift", "start", "--officer", "张三"], out=out, err=err)
    assert code == 0, err.getvalue()


def test_a_lock_held_by_another_process_and_a_large_import_during_a_cycle_are_waited_for(
    simulated_desk, tmp_path: Path
) -> None:
    """As the first cycle begins, another process holds the write lock 2 s and the officer imports a
    large register. The import is one short transaction (batched: 20,000 rows held the lock about
    a second here; 5,000 keep this test short): the cycle waits for both and never fails."""
    desk = simulated_desk
    database = desk.root / "watchdesk.sqlite3"
    rows = 5_000
    register = tmp_path / "big.csv"
    register.write_text("name,platform,unit\n" + "".join(f"快手号{i},kuaishou,区网信办\n" for i in range(rows)), encoding="utf-8")
    results: list[tuple[int, str]] = []

    def other_process_and_officer() -> None:
        with write_lock_held(database, 2.0):
            err = io.StringIO()
            code = main(["--lang", "en", "--data-dir", str(desk.root), "accounts", "import", str(register)], out=io.StringIO(), err=err)
            results.append((code, err.getvalue()))

    pressure = threading.Thread(target=other_process_and_officer)
    cycles = _watch(desk, until=lambda seen: _polled(seen) and not pressure.is_alive(), started=pressure.start)
    pressure.join()
    assert results and results[0][0] == 0, results
    assert not [c for c in cycles if c.storage_wait is not None]  # within the store's own wait
    assert not [c for c in cycles if c.poll.failures], [c.poll.failures for c in cycles]
    with contextlib.closing(sqlite3.connect(database)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM accounts WHERE name LIKE '快手号%'").fetchone() == (rows,)
    assert _stored_once_and_scanned(database) > 0


def test_a_read_only_copy_is_verified_and_read_and_refuses_writes_in_one_line(simulated_desk, tmp_path: Path) -> None:
    desk = simulated_desk
    with read_only_view(desk.root, tmp_path / "ro") as view:
        before = sorted(p.name for p in view.iterdir())

        def run(*argv: str) -> tuple[int, str, str]:
            out, err = io.StringIO(), io.StringIO()
            code = main(["--lang", "en", "--data-dir", str(view), *argv], out=out, err=err)
            return code, out.getvalue(), err.getvalue()

        assert run("log", "verify")[0] == 0
        code, out, _ = run("status", "--json")
        assert code == 0 and out.startswith("[")
        assert run("handover", "export", "--from", "2026-11-24T00:00", "--to", "2026-11-25T00:00", "--format", "csv",
                   "-o", str(tmp_path / "handover.csv"))[0] == 0
        code, _, err = run("shift", "start", "--officer", "张三")
        refusal = [line for line in err.splitlines() if line.startswith("jb-watchdesk:")]
        assert code == 3 and len(refusal) == 1 and "read-only" in refusal[0] and "Traceback" not in err
        assert sorted(p.name for p in view.iterdir()) == before  # no -wal, -shm or backup left there
