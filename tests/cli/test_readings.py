"""``inspect ACCOUNT_ID --latest-post ISO …``: an officer's reading, and ``status --json`` showing it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jb_watchdesk.domain import messages
from jb_watchdesk.paths import resources_dir
from tests.cli.handlers import run, shipped_workspace

SHIPPED = resources_dir() / "accounts" / "jiangbei-2021.csv"  # the notice's nine accounts, none with a source
MORNING = "2026-11-25T08:00:00+08:00"
KUAISHOU = 5  # 江北警视线 on Kuaishou
TOUTIAO = 9




@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return shipped_workspace(tmp_path / "ws")


def _status(ws: Path, now: str = MORNING) -> dict[int, dict[str, object]]:
    code, out, _ = run(ws, "status", "--json", now=now)
    assert code == 0
    return {row["account_id"]: row for row in json.loads(out)}


def test_a_reading_shows_in_status_as_manual_with_who_and_when(ws: Path) -> None:
    assert run(ws, "shift", "start", "--officer", "张三", now="2026-11-25T00:00:00+08:00")[0] == 0
    before = _status(ws)
    assert before[KUAISHOU]["source"] == "manual" and before[KUAISHOU]["freshness_reasons"] == ["awaiting_reading"]
    assert before[KUAISHOU]["health_reason"] == "awaiting a reading by the officer"

    code, out, err = run(
        ws, "inspect", str(KUAISHOU), "--latest-post", "2026-11-25T02:10", "--posts", "4", "--comments-waiting", "2",
        "--link", "https://www.kuaishou.com/profile/3xjbq",
    )
    assert (code, err) == (0, "")
    assert out.startswith("recorded reading 1 (account 5, 张三): latest post 2026-11-25 02:10")
    assert "4 new posts, 2 comments waiting" in out

    row = _status(ws)[KUAISHOU]
    assert row["source"] == "manual" and row["read_by"] == "张三"
    assert row["read_at"] == "2026-11-25T00:00:00+00:00"
    assert row["last_post_at"] == "2026-11-24T18:10:00+00:00"
    assert row["freshness"] == "ok" and row["posts_7d"] == 4 and row["days_silent"] == 0
    assert row["pending_comments"] == 2 and row["comments_waiting"] == 2
    others = _status(ws)[TOUTIAO]
    assert others["source"] == "manual" and others["read_by"] is None and others["last_post_at"] is None

    code, out, _ = run(ws, "log", "verify")
    assert code == 0, out


def test_a_reading_without_counts_and_without_a_shift_names_the_officer(ws: Path) -> None:
    code, out, err = run(ws, "inspect", str(TOUTIAO), "--latest-post", "2026-11-20T09:00:00+08:00")
    assert code == 2 and "\n" not in err.strip() and "--officer" in err
    code, out, err = run(ws, "inspect", str(TOUTIAO), "--latest-post", "2026-11-20T09:00:00+08:00", "--officer", "李四")
    assert code == 0, err
    assert "latest post 2026-11-20 09:00, uncounted new posts, uncounted comments waiting" in out
    row = _status(ws)[TOUTIAO]
    assert row["read_by"] == "李四" and row["days_silent"] == 4 and row["freshness"] == "warn"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (("--latest-post", "yesterday"), "latest post time"),
        (("--latest-post", "2026-11-25T09:00:00+08:00"), "after now"),
        (("--latest-post", "2026-11-25T07:00", "--posts", "-1"), "--posts"),
        (("--latest-post", "2026-11-25T07:00", "--posts", "many"), "--posts"),
        (("--latest-post", "2026-11-25T07:00", "--comments-waiting", "100001"), "--comments-waiting"),
        (("--latest-post", "2026-11-25T07:00", "--link", "javascript:alert(1)"), "http"),
        (("--latest-post", "2026-11-25T07:00", "--officer", "李四"), "not the officer on duty"),
        (("--latest-post", "2026-11-25T07:00", "--check", "security=弱口令"), "takes no checks"),
        (("--posts", "3"), "--latest-post"),
    ],
)
def test_bad_readings_exit_2_with_one_line(ws: Path, extra: tuple[str, ...], needle: str) -> None:
    assert run(ws, "shift", "start", "--officer", "张三", now="2026-11-25T00:00:00+08:00")[0] == 0
    code, out, err = run(ws, "inspect", str(KUAISHOU), *extra)
    assert code == 2 and out == ""
    assert needle in err and len(err.strip().splitlines()) == 1
    assert _status(ws)[KUAISHOU]["read_at"] is None


def test_the_manual_inspection_keeps_working_and_a_reading_can_be_corrected(ws: Path) -> None:
    assert run(ws, "shift", "start", "--officer", "张三", now="2026-11-25T00:00:00+08:00")[0] == 0
    code, out, err = run(ws, "inspect", str(KUAISHOU), "--check", "security=后台弱口令", "--action", "已通知修改")
    assert code == 0 and out.startswith("recorded inspection 1"), err
    assert _status(ws)[KUAISHOU]["read_at"] is None  # an inspection is not a reading
    assert run(ws, "inspect", str(KUAISHOU), "--latest-post", "2026-11-25T07:00", "--posts", "40")[0] == 0
    code, _, err = run(ws, "inspect", str(KUAISHOU), "--latest-post", "2026-11-10T07:00", "--posts", "0", "--corrects", "1")
    assert code == 2 and "not a reading" in err
    code, out, err = run(ws, "inspect", str(KUAISHOU), "--latest-post", "2026-11-10T07:00", "--posts", "0", "--corrects", "2")
    assert code == 0, err
    row = _status(ws)[KUAISHOU]
    assert row["last_post_at"] == "2026-11-09T23:00:00+00:00" and row["freshness"] == "veto"
    assert run(ws, "log", "verify")[0] == 0


def test_the_chinese_reading_line(ws: Path) -> None:
    messages.set_language("zh")
    run(ws, "shift", "start", "--officer", "张三", now="2026-11-25T00:00:00+08:00")
    code, out, _ = run(ws, "inspect", str(KUAISHOU), "--latest-post", "2026-11-25T02:10", "--posts", "3")
    assert code == 0
    assert out.strip() == "已记录人工读取 1（账号 5，张三）：最新发布 2026-11-25 02:10，新发布 3，待回复留言 未计"
