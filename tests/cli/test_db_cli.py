"""db restore from the command line, and what doctor says about logs, settings, overrides and backups."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.paths import resources_dir
from jb_watchdesk.services import logs
from jb_watchdesk.services.instance_lock import PollerLock

SHIPPED = str(resources_dir() / "accounts" / "jiangbei-2021.csv")
AT = ("--lang", "en", "--now", "2026-11-25T10:00:00+08:00")


def run(ws: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([*AT, "--data-dir", str(ws), *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert run(root, "accounts", "import", SHIPPED)[0] == 0
    yield root
    logs.close()


def _officers(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[0] for row in conn.execute("SELECT officer FROM shifts ORDER BY id")]
    finally:
        conn.close()


def test_restore_onto_a_new_workstation_and_back_over_a_live_workspace(ws: Path, tmp_path: Path) -> None:
    assert run(ws, "shift", "start", "--officer", "张三")[0] == 0
    backup = tmp_path / "copy.sqlite3"
    assert run(ws, "db", "backup", str(backup))[0] == 0
    fresh = tmp_path / "new-pc"
    code, out, err = run(fresh, "db", "restore", str(backup))
    assert (code, err) == (0, "") and out.startswith(f"restored the database from {backup}")
    assert _officers(fresh / "watchdesk.sqlite3") == ["张三"]

    assert run(ws, "shift", "end")[0] == 0
    code, out, _ = run(ws, "db", "restore", str(backup))
    assert code == 0 and "the previous one is kept as" in out
    (kept,) = ws.glob("watchdesk.sqlite3.replaced-*")
    assert _officers(ws / "watchdesk.sqlite3") == ["张三"] and len(_officers(kept)) == 1
    assert "officer action: restore database" in (ws / "logs" / "watchdesk.log").read_text(encoding="utf-8")


def test_restore_is_refused_while_the_desk_runs_and_names_who(ws: Path, tmp_path: Path) -> None:
    backup = tmp_path / "copy.sqlite3"
    assert run(ws, "db", "backup", str(backup))[0] == 0
    with PollerLock(ws, command="run --headless"):
        code, out, err = run(ws, "db", "restore", str(backup))
    assert code == 3 and out == "" and "run --headless" in err and len(err.splitlines()) == 1
    assert not list(ws.glob("*.replaced-*"))


def test_doctor_names_the_log_the_settings_and_a_bad_override_line(ws: Path) -> None:
    (ws / "settings.json").write_text(json.dumps({"post_interval_s": "abc"}), encoding="utf-8")
    (ws / "workday-overrides.txt").write_text("2027-01-01 off\n2027-02-30 work\nknown 2027\n", encoding="utf-8")
    code, out, _ = run(ws, "doctor", "--json")
    checks = {c["check"]: c for c in json.loads(out)}
    assert code == 1
    assert checks["settings"]["level"] == "fail" and "key post_interval_s: expected an integer 30–86400" in checks["settings"]["detail"]
    assert checks["logs"]["detail"].startswith(f"logs are written to {ws / 'logs' / 'watchdesk.log'}")
    assert checks["holiday_calendar"]["level"] == "warn" and "workday-overrides.txt:2:" in checks["holiday_calendar"]["detail"]
    # The poll refuses the bad setting with the same line (exit 2); a status read does not need settings.
    code, _, err = run(ws, "poll", "--once")
    assert code == 2 and "key post_interval_s" in err
    assert run(ws, "status")[0] == 0
