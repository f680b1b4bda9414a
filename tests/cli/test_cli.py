"""The command line as a script would use it: exit codes, JSON shapes, messages."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from jb_watchdesk.cli import main
from jb_watchdesk.paths import resources_dir
from jb_watchdesk.storage.secrets import SERVICE, MemoryKeyring

SHIPPED = str(resources_dir() / "accounts" / "jiangbei-2021.csv")


def run(*argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def ws(tmp_path: Path) -> str:
    return str(tmp_path / "ws")


def test_import_then_list_json_gives_the_nine_accounts(ws: str) -> None:
    code, out, err = run("--data-dir", ws, "accounts", "import", SHIPPED)
    assert (code, err) == (0, "")
    code, out, _ = run("--data-dir", ws, "accounts", "list", "--json")
    accounts = json.loads(out)
    assert code == 0 and len(accounts) == 9
    assert {"id", "name", "platform", "unit", "status", "source"} <= set(accounts[0])
    assert accounts[0]["name"] == "江北政务" and accounts[0]["platform"] == "wechat_mp"


def test_bad_row_imports_nothing_and_names_the_line(ws: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(Path(SHIPPED).read_text(encoding="utf-8") + "多余账号,friendster,某单位,active,\n", encoding="utf-8")
    code, out, err = run("--lang", "en", "--data-dir", ws, "accounts", "import", str(bad))
    assert code == 2
    assert f"{bad}:11: unknown platform 'friendster'" in err
    assert "nothing was imported" in err
    # nothing imported, and no empty workspace left behind for later commands to accept
    code, out, err = run("--lang", "en", "--data-dir", ws, "accounts", "list", "--json")
    assert code == 2 and out == "" and "no workspace" in err


def test_errors_are_chinese_by_default(ws: str, tmp_path: Path) -> None:
    code, _, err = run("--data-dir", ws, "accounts", "import", str(tmp_path / "none.csv"))
    assert code == 2 and "找不到文件" in err and "Traceback" not in err


def test_set_secret_reads_stdin_into_the_keyring(ws: str, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    run("--data-dir", ws, "accounts", "import", SHIPPED)
    code, out, err = run("--data-dir", ws, "accounts", "set-secret", "1", "app_secret", stdin="top-secret-value\n", monkeypatch=monkeypatch)
    assert code == 0, err
    assert memory_keyring.get_password(SERVICE, "1:app_secret") == "top-secret-value"
    assert "top-secret-value" not in out
    _, listing, _ = run("--data-dir", ws, "accounts", "list", "--json")
    assert json.loads(listing)[0]["secrets"] == ["app_secret"]
    database = Path(ws, "watchdesk.sqlite3")
    for path in Path(ws).rglob("*"):
        if path.is_file():
            assert b"top-secret-value" not in path.read_bytes(), path
    assert database.exists()


def test_set_secret_without_a_secure_keyring_exits_3_and_writes_nothing(ws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    run("--data-dir", ws, "accounts", "import", SHIPPED)
    before = {p: p.read_bytes() for p in Path(ws).rglob("*") if p.is_file() and not p.name.endswith(("-wal", "-shm"))}
    keyring.set_keyring(fail.Keyring())
    code, out, err = run(
        "--lang", "en", "--data-dir", ws, "accounts", "set-secret", "1", "app_secret", stdin="top-secret-value", monkeypatch=monkeypatch
    )
    assert code == 3
    assert "GNOME Keyring" in err and "not stored anywhere" in err
    assert "top-secret-value" not in err + out
    assert sys.stdin.read() == "top-secret-value"  # refused before the secret was even read
    after = {p: p.read_bytes() for p in Path(ws).rglob("*") if p.is_file() and not p.name.endswith(("-wal", "-shm"))}
    assert set(after) == set(before)
    conn = sqlite3.connect(Path(ws, "watchdesk.sqlite3"))
    assert conn.execute("SELECT secret_names FROM accounts WHERE id = 1").fetchone()[0] == "[]"
    conn.close()


def test_set_secret_for_an_unknown_account(ws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    run("--data-dir", ws, "accounts", "import", SHIPPED)
    code, _, err = run("--lang", "en", "--data-dir", ws, "accounts", "set-secret", "42", "app_secret", stdin="x", monkeypatch=monkeypatch)
    assert code == 2 and "no account with id 42" in err


def test_status_json_shape_before_polling(ws: str) -> None:
    run("--data-dir", ws, "accounts", "import", SHIPPED)
    code, out, _ = run("--data-dir", ws, "--now", "2026-11-25T08:00:00+08:00", "status", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 9
    expected = {
        "account_id", "name", "platform", "status", "posts_7d", "posts_this_week", "last_post_at", "days_silent",
        "freshness", "health", "health_reason", "pending_comments", "overdue_ack", "overdue_result",
    }
    assert expected <= set(rows[0])
    assert {r["health"] for r in rows} == {"never_polled"}
    assert {r["freshness"] for r in rows} == {"unknown"}


def _seed_activity(ws: str) -> None:
    """Posts and comments written straight into the file, as the poller will."""
    conn = sqlite3.connect(Path(ws, "watchdesk.sqlite3"))
    base = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    iso = lambda d: d.isoformat(timespec="microseconds")  # noqa: E731
    conn.execute("UPDATE accounts SET health = 'ok', first_polled_at = ? WHERE id IN (1, 2)", [iso(base - timedelta(days=30))])
    for n, days in enumerate((1, 2, 3)):
        conn.execute(
            "INSERT INTO posts (account_id, external_id, published_at, first_seen_at, updated_at) VALUES (1, ?, ?, ?, ?)",
            [f"p{n}", iso(base - timedelta(days=days)), iso(base), iso(base)],
        )
    conn.execute(
        "INSERT INTO posts (account_id, external_id, published_at, first_seen_at, updated_at) VALUES (2, 'old', ?, ?, ?)",
        [iso(base - timedelta(days=20)), iso(base), iso(base)],
    )
    created = base - timedelta(hours=3)
    conn.execute(
        """INSERT INTO comments (account_id, external_id, created_at, ack_due, result_due, first_seen_at, updated_at)
           VALUES (1, 'c1', ?, ?, ?, ?, ?)""",
        [iso(created), iso(created + timedelta(hours=1)), iso(created + timedelta(days=7)), iso(base), iso(base)],
    )
    conn.commit()
    conn.close()


def test_status_reflects_stored_posts_and_comments_as_of_now(ws: str) -> None:
    run("--data-dir", ws, "accounts", "import", SHIPPED)
    _seed_activity(ws)
    _, out, _ = run("--data-dir", ws, "--now", "2026-11-25T08:00:00+08:00", "status", "--json")
    rows = {r["account_id"]: r for r in json.loads(out)}
    assert rows[1]["freshness"] == "ok" and rows[1]["posts_7d"] == 3 and rows[1]["overdue_ack"] == 1
    assert rows[2]["freshness"] == "veto" and rows[2]["days_silent"] == 20
    # as of before the comment arrived and before the newest post
    _, out, _ = run("--data-dir", ws, "--now", "2026-11-23T12:00:00+08:00", "status", "--json")
    rows = {r["account_id"]: r for r in json.loads(out)}
    assert rows[1]["posts_7d"] == 2 and rows[1]["pending_comments"] == 0


def test_bad_now_is_a_usage_error(ws: str) -> None:
    code, _, err = run("--lang", "en", "--data-dir", ws, "--now", "yesterday", "status")
    assert code == 2 and "--now" in err


def test_db_backup(ws: str, tmp_path: Path) -> None:
    run("--data-dir", ws, "accounts", "import", SHIPPED)
    target = tmp_path / "b" / "copy.sqlite3"
    target.parent.mkdir()  # a backup never creates its folder (tests/cli/test_doors.py)
    code, _, _ = run("--data-dir", ws, "db", "backup", str(target))
    assert code == 0
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 9
    conn.close()


def test_doctor_reports_each_check(ws: str) -> None:
    run("--data-dir", ws, "accounts", "import", SHIPPED)
    code, out, _ = run("--data-dir", ws, "doctor", "--json")
    checks = {c["check"]: c for c in json.loads(out)}
    assert {"data_dir", "database", "keyring", "holiday_calendar", "proxy", "notifications", "display"} <= set(checks)
    assert checks["keyring"]["level"] == "warn"  # the in-memory store is labelled, not hidden
    keyring.set_keyring(fail.Keyring())
    code, out, _ = run("--data-dir", ws, "doctor", "--json")
    assert code == 1
    assert {c["check"]: c["level"] for c in json.loads(out)}["keyring"] == "fail"


def test_demo_workspace_holds_the_notice_and_the_simulated_accounts() -> None:
    code, out, err = run("--lang", "en", "--demo", "accounts", "list", "--json")
    assert code == 0, err
    listing = json.loads(out)
    names = {a["name"] for a in listing}
    assert "江北政务" in names and len(listing) > 40
    assert all(a["secrets"] for a in listing if a["note"].startswith("sim:") and a["platform"] in ("wechat_mp", "weibo", "douyin"))
    # the notice's nine: WeChat, Weibo and Douyin read by machine (with credentials), the rest by the officer
    notice = {(a["name"], a["platform"]): a for a in listing if not a["note"].startswith("sim:")}
    assert len(notice) == 9
    by_machine = {key for key, a in notice.items() if a["source"]}
    assert by_machine == {("江北政务", "wechat_mp"), ("重庆江北嘴", "wechat_mp"), ("江北公安在线", "wechat_mp"),
                          ("平安江北", "weibo"), ("平安江北", "douyin")}
    assert all(notice[key]["secrets"] for key in by_machine)


def test_no_display_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch, ws: str) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    for argv in (["--demo"], ["--data-dir", ws]):
        code, out, err = run("--lang", "en", *argv)
        assert code == 3
        assert err.count("\n") == 1 and "run --headless" in err


def test_control_characters_in_stored_text_never_reach_the_terminal(ws: str, tmp_path: Path) -> None:
    source = tmp_path / "r.json"
    source.write_text(json.dumps([{"name": "ok", "platform": "rss", "note": "line\nbreak"}]), encoding="utf-8")
    run("--data-dir", ws, "accounts", "import", str(source))
    conn = sqlite3.connect(Path(ws, "watchdesk.sqlite3"))
    conn.execute("UPDATE accounts SET name = 'evil\x1b]0;pwned\x07'")
    conn.commit()
    conn.close()
    _, out, _ = run("--data-dir", ws, "accounts", "list")
    assert "\x1b" not in out and "\x07" not in out


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    assert run("--data-dir", str(tmp_path / "w"), "accounts", "import", SHIPPED)[0] == 0
    result = subprocess.run(
        [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(tmp_path / "w"), "accounts", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 9


def test_set_secret_refuses_a_name_the_platform_does_not_use(
    ws: str, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    assert run("--data-dir", ws, "accounts", "import", SHIPPED)[0] == 0
    code, out, err = run(
        "--lang", "en", "--data-dir", ws, "accounts", "set-secret", "1", "app_secert", stdin="value", monkeypatch=monkeypatch
    )
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0
    assert "app_secert" in err and "valid names: app_secret" in err
    code, _, err = run("--data-dir", ws, "accounts", "set-secret", "1", "access_token", stdin="value", monkeypatch=monkeypatch)
    assert code == 2 and "可用的凭据名：app_secret" in err
