"""A report reads on the read connection: another process holding the write lock (the desk in a
long write) does not make an export wait for it or fail with "database locked"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.services import exports
from jb_watchdesk.storage import db as db_module
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store
from tests.unit.storage.test_db_pressure import write_lock_held

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_the_weekly_report_is_built_while_another_process_holds_the_write_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 100)  # a writer would give up long before the lock clears
    path = tmp_path / "watchdesk.sqlite3"
    with Store(path) as store:
        store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.RSS, source="https://f/1")], now=NOW - timedelta(days=3))
    with Store(path, lock_wait_s=0.2) as store, write_lock_held(path, 1.5):
        document = exports.build_weekly(store, now=NOW, week="2026-W48")
    assert document.title


def test_the_handover_and_its_open_items_are_read_while_another_process_holds_the_write_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jb_watchdesk.services import shifts

    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 100)
    path = tmp_path / "watchdesk.sqlite3"
    with Store(path) as store:
        store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.RSS, source="https://f/1")], now=NOW - timedelta(days=3))
    with Store(path, lock_wait_s=0.2) as store, write_lock_held(path, 1.5):
        carry = shifts.carry_over(store, now=NOW)
        document = exports.build_handover(store, now=NOW, start=NOW - timedelta(hours=8), end=NOW)
    assert carry.open_alerts == [] and document.title
