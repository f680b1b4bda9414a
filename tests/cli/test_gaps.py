"""``gaps`` and ``emergency cancel`` / ``emergency correct`` as a script uses them: exit codes, the
table and the JSON, and ``log verify`` green afterwards."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.app import App
from jb_watchdesk.paths import Workspace, resources_dir
from jb_watchdesk.services import gaps
from tests.cli.handlers import run, shipped_workspace

SHIPPED = resources_dir() / "accounts" / "jiangbei-2021.csv"
NIGHT = datetime.fromisoformat("2026-11-25T01:12:00+08:00")




@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return shipped_workspace(tmp_path / "ws")


def night_with_gaps(ws: Path) -> None:
    """A quit at 01:12 with a reason, the next start's first cycle at 03:40, then a pause left open."""
    with App(workspace=Workspace(ws)) as app:
        heartbeat = gaps.Heartbeat.in_dir(ws)
        run_1 = gaps.Monitor(store=app.store, heartbeat=heartbeat)
        run_1.start(now=NIGHT - timedelta(hours=1))
        run_1.cycle(now=NIGHT)
        gaps.monitoring_stopped(app.store, heartbeat, now=NIGHT + timedelta(minutes=3), officer="张三", reason="电脑更新重启")
        run_2 = gaps.Monitor(store=app.store, heartbeat=heartbeat)
        run_2.start(now=NIGHT + timedelta(hours=2, minutes=27))
        run_2.cycle(now=NIGHT + timedelta(hours=2, minutes=28))
        gaps.pause_monitoring(app.store, now=NIGHT + timedelta(hours=5), officer="李四")


def test_gaps_lists_start_end_cause_and_who(ws: Path) -> None:
    code, out, _ = run(ws, "gaps")
    assert code == 0 and out.strip() == "no monitoring gap in this period"
    night_with_gaps(ws)
    code, out, _ = run(ws, "gaps")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    assert "2026-11-25 01:12" in lines[1] and "2026-11-25 03:40" in lines[1] and "quit" in lines[1]
    assert "电脑更新重启" in lines[1] and "张三" in lines[1] and "2:28:00" in lines[1]
    assert "paused" in lines[2] and "(ongoing)" in lines[2] and "李四" in lines[2]

    code, out, _ = run(ws, "gaps", "--json", "--from", "2026-11-25T02:00:00+08:00", "--to", "2026-11-25T05:00:00+08:00")
    assert code == 0
    (quit_gap,) = json.loads(out)
    assert set(quit_gap) == {"id", "started_at", "ended_at", "duration_s", "cause", "reason", "officer", "recorded_at"}
    assert quit_gap["cause"] == "quit" and quit_gap["duration_s"] == (2 * 60 + 28) * 60
    assert datetime.fromisoformat(quit_gap["started_at"]) == NIGHT
    code, out, _ = run(ws, "gaps", "--json", "--from", "2026-11-25T07:00:00+08:00")
    (paused,) = json.loads(out)
    assert paused["ended_at"] is None and paused["duration_s"] == (60 + 48) * 60  # from 06:12 to 08:00

    assert run(ws, "log", "verify")[0] == 0


def test_gaps_refuses_a_backwards_period(ws: Path) -> None:
    code, _, err = run(ws, "gaps", "--from", "2026-11-25T05:00:00+08:00", "--to", "2026-11-25T02:00:00+08:00")
    assert code == 2 and "--from" in err
    code, _, err = run(ws, "gaps", "--from", "yesterday")
    assert code == 2


def test_emergency_cancel_and_correct(ws: Path) -> None:
    assert run(ws, "emergency", "start", "--title", "观音挢暴雨")[0] == 0
    code, _, err = run(ws, "emergency", "cancel", "1")
    assert code == 2 and "--reason" in err
    code, out, _ = run(ws, "emergency", "correct", "1", "--title", "观音桥暴雨", "--reason", "标题错字",
                       now="2026-11-25T08:20:00+08:00")
    assert code == 0 and "emergency 1 corrected by 2" in out and "2026-11-25 10:00" in out
    code, out, _ = run(ws, "emergency", "list", "--json", now="2026-11-25T11:00:00+08:00")
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows[1]["state"] == "cancelled" and rows[1]["cancel_reason"] == "标题错字"
    assert rows[2]["corrects_id"] == 1 and rows[2]["state"] == "missed"

    code, out, _ = run(ws, "emergency", "cancel", "2", "--reason", "误报：演练", now="2026-11-25T11:00:00+08:00")
    assert code == 0 and "emergency 2 cancelled" in out and "误报：演练" in out
    code, _, err = run(ws, "emergency", "cancel", "2", "--reason", "again")
    assert code == 2 and "already cancelled" in err
    code, _, err = run(ws, "emergency", "cancel", "9", "--reason", "none")
    assert code == 2 and "no emergency with id 9" in err
    code, out, _ = run(ws, "emergency", "list", now="2026-11-25T12:00:00+08:00")
    assert out.count("cancelled") == 2
    assert run(ws, "log", "verify")[0] == 0
