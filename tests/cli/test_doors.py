"""Doors that say what they do: the anchor an export prints is the one ``log verify`` reads, an
export or a backup never creates its folder, and a mistyped data dir is refused, not made."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.cli import command_names, main
from jb_watchdesk.paths import DB_FILENAME, resources_dir
from jb_watchdesk.storage.codec import to_db

SHIPPED = str(resources_dir() / "accounts" / "jiangbei-2021.csv")
MORNING = "2026-11-25T08:00:00+08:00"
EVENING = "2026-11-25T20:00:00+08:00"
TAMPERED = ("记录链已被改动", "tampered")


def run(*argv: str, now: str = MORNING) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--now", now, *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def ws(tmp_path: Path) -> str:
    root = str(tmp_path / "ws")
    assert run("--data-dir", root, "accounts", "import", SHIPPED)[0] == 0
    return root


@pytest.fixture
def recorded(ws: str) -> str:
    """A shift with three inspections: five ledger rows."""
    run("--data-dir", ws, "shift", "start", "--officer", "张三")
    for n in range(1, 4):
        assert run("--data-dir", ws, "inspect", str(n), "--check", f"运行情况=第{n}处问题", "--action", "已处理")[0] == 0
    run("--data-dir", ws, "shift", "end", "--note", "交班", now=EVENING)
    return ws


def exported_anchor(ws: str, tmp_path: Path, language: str) -> str:
    """The anchor cell of a handover export's cover, exactly as written."""
    target = tmp_path / f"handover-{language}.csv"
    code, _, err = run("--lang", language, "--data-dir", ws, "handover", "export", "--shift", "1", "--format", "csv", "-o", str(target),
                       now=EVENING)
    assert code == 0, err
    label = {"zh": "记录链锚点", "en": "Record anchor"}[language]
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    (anchor,) = [row[1] for row in rows if row and row[0] == label]
    return anchor


# -- log verify --anchor ------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh", "en"])
def test_log_verify_reads_the_anchor_exactly_as_an_export_prints_it(recorded: str, tmp_path: Path, language: str) -> None:
    printed = exported_anchor(recorded, tmp_path, language)
    assert ":" not in printed  # the long form, not the short one
    code, out, err = run("--lang", "en", "--data-dir", recorded, "log", "verify", "--anchor", printed, now=EVENING)
    assert (code, err) == (0, "")
    assert "intact" in out and "row 5 matches the anchor" in out


def test_log_verify_reads_the_short_form_it_prints_itself(recorded: str) -> None:
    code, out, _ = run("--lang", "en", "--data-dir", recorded, "log", "verify")
    short = out.rsplit("anchor ", 1)[1].strip()
    assert short.startswith("5:")
    assert run("--data-dir", recorded, "log", "verify", "--anchor", short)[0] == 0
    digest = short.partition(":")[2]
    assert run("--data-dir", recorded, "log", "verify", "--anchor", f"seq=5 条数=5 SHA-256={digest}")[0] == 0


def test_an_anchor_beyond_the_record_says_so_and_is_no_tamper_alarm(recorded: str) -> None:
    digest = "ab" * 32
    code, out, err = run("--data-dir", recorded, "log", "verify", "--anchor", f"序号 490 条数 490 SHA-256 {digest}")
    assert code == 1 and err == ""
    assert "没有锚点中的第 490 条" in out and "记录链只到第 5 条" in out
    assert not any(word in out for word in TAMPERED)
    code, out, _ = run("--lang", "en", "--data-dir", recorded, "log", "verify", "--anchor", f"490:{digest}")
    assert code == 1 and "has no row 490" in out and "rows 6–490 were removed" in out
    assert out.count("\n") == 1


def test_a_mistyped_sequence_number_is_bad_input_naming_the_right_row(recorded: str) -> None:
    _, out, _ = run("--data-dir", recorded, "log", "verify")
    digest = out.rsplit(":", 1)[1].strip()
    for wrong in ("4", "49"):
        code, out, _ = run("--lang", "en", "--data-dir", recorded, "log", "verify", "--anchor", f"{wrong}:{digest}")
        assert code == 2 and f"belongs to row 5, not row {wrong}" in out
        assert not any(word in out for word in TAMPERED)


def test_only_a_hash_mismatch_is_tampering(recorded: str) -> None:
    code, out, _ = run("--data-dir", recorded, "log", "verify", "--anchor", f"序号 3 条数 3 SHA-256 {'cd' * 32}")
    assert code == 1 and "记录链已被改动" in out and "ledger#3" in out


def test_a_truncated_record_is_tampering_even_with_an_anchor(recorded: str) -> None:
    _, out, _ = run("--data-dir", recorded, "log", "verify")
    anchor = out.rsplit(" ", 1)[1].strip()
    conn = sqlite3.connect(Path(recorded, DB_FILENAME))
    conn.execute("DROP TRIGGER IF EXISTS ledger_no_delete")
    conn.execute("DELETE FROM ledger WHERE seq = 5")
    conn.commit()
    conn.close()
    code, out, _ = run("--data-dir", recorded, "log", "verify", "--anchor", anchor)
    assert code == 1 and "记录链已被改动" in out and "ledger#5" in out


@pytest.mark.parametrize("anchor", ["nonsense", "5", "序号 5", f"5:{'ab' * 31}", f"序号 5 SHA-256 {'ab' * 32} {'cd' * 32}"])
def test_a_malformed_anchor_is_one_line_exit_2(recorded: str, anchor: str) -> None:
    code, out, err = run("--lang", "en", "--data-dir", recorded, "log", "verify", "--anchor", anchor)
    assert code == 2 and out == "" and err.count("\n") == 1 and "bad anchor" in err


# -- exports and backups never create their folder ------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["handover", "export", "--shift", "1", "--format", "csv", "-o"], "交接.csv"),
        (["handover", "export", "--shift", "1", "--format", "xlsx", "-o"], "交接.xlsx"),
        (["report", "weekly", "--week", "2026-W48", "--format", "xlsx", "-o"], "周报.xlsx"),
        (["accounts", "export"], "register.xlsx"),
        (["db", "backup"], "watchdesk.sqlite3"),
    ],
)
def test_a_target_folder_that_does_not_exist_is_refused(recorded: str, tmp_path: Path, argv: list[str], name: str) -> None:
    share = tmp_path / "share"  # an unmounted share: its folder is not there
    target = share / "2026" / name
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = run("--lang", "en", "--data-dir", recorded, *argv, str(target), now="2026-11-30T09:00:00+08:00")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"the folder {target.parent} does not exist" in err and "nothing was written" in err
    assert not share.exists() and sorted(p.name for p in tmp_path.iterdir()) == before
    code, _, err = run("--data-dir", recorded, *argv, str(target))
    assert code == 2 and f"目标文件夹不存在：{target.parent}" in err


def test_an_export_into_an_existing_folder_still_works_and_a_folder_is_no_file(recorded: str, tmp_path: Path) -> None:
    target = tmp_path / "register.json"
    assert run("--data-dir", recorded, "accounts", "export", str(target))[0] == 0
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 9
    code, _, err = run("--lang", "en", "--data-dir", recorded, "db", "backup", str(tmp_path))
    assert code == 2 and "is a folder" in err


# -- a data dir without a workspace ----------------------------------------------------------------

# the import; the others need no workspace (doctor checks a fresh machine, creating nothing)
CREATES = {"accounts import", "db restore", "simulator", "scan", "lexicon check", "doctor"}
EXAMPLE_ARGS = {
    "accounts export": ["x.csv"],
    "accounts set-secret": ["1", "app_secret"],
    "comments ack": ["1", "--note", "n"],
    "comments done": ["1", "--note", "n"],
    "alerts ack": ["1", "--note", "n"],
    "alerts defer": ["1", "--for", "1h"],
    "run": ["--headless"],
    "emergency cancel": ["1", "--reason", "误录"],
    "emergency correct": ["1", "--title", "暴雨", "--reason", "误录"],
    "lexicon allow": ["江北特供茶叶", "--officer", "张三"],
    "shift start": ["--officer", "张三"],
    "inspect": ["1"],
    "emergency start": ["--title", "暴雨"],
    "handover export": ["--shift", "1", "--format", "csv", "-o", "h.csv"],
    "report weekly": ["--format", "xlsx", "-o", "w.xlsx"],
    "db backup": ["b.sqlite3"],
}


def commands_needing_a_workspace() -> list[str]:
    return [name for name in command_names() if name not in CREATES]


@pytest.mark.parametrize("name", commands_needing_a_workspace())
def test_a_command_on_a_folder_without_a_workspace_is_refused_and_creates_nothing(tmp_path: Path, name: str) -> None:
    mistyped = tmp_path / "wokspace"
    code, out, err = run("--lang", "en", "--data-dir", str(mistyped), *name.split(), *EXAMPLE_ARGS.get(name, []))
    if code == 2 and f"(see jb-watchdesk {name} --help)" in err:  # arguments this table lacks: add them above
        pytest.fail(f"{name}: {err}")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"no workspace at {mistyped}; create it with `jb-watchdesk accounts import FILE`" in err
    assert not mistyped.exists()


def test_status_on_a_mistyped_data_dir_is_refused_in_chinese_too(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()  # a folder that exists but holds no workspace (an unmounted share, a typo of a sibling)
    code, out, err = run("--data-dir", str(empty), "status")
    assert code == 2 and out == ""
    assert f"{empty} 没有工作区" in err and "jb-watchdesk accounts import 文件" in err
    assert list(empty.iterdir()) == []


def test_the_environment_and_the_default_workspace_are_refused_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home-ws"
    monkeypatch.setenv("JB_WATCHDESK_HOME", str(home))
    code, _, err = run("--lang", "en", "status", "--json")
    assert code == 2 and f"no workspace at {home}" in err and not home.exists()
    monkeypatch.delenv("JB_WATCHDESK_HOME")  # platformdirs, under the test's own home
    code, _, err = run("--lang", "en", "status")
    assert code == 2 and "no workspace at " in err and "accounts import" in err
    assert run("--lang", "en", "accounts", "import", SHIPPED)[0] == 0  # the first import makes the default workspace
    code, out, _ = run("status", "--json")
    assert code == 0 and len(json.loads(out)) == 9


def test_the_import_creates_a_workspace_where_there_is_none(tmp_path: Path) -> None:
    root = tmp_path / "new" / "ws"
    assert run("--data-dir", str(root), "accounts", "import", SHIPPED)[0] == 0
    code, out, _ = run("--data-dir", str(root), "status", "--json")
    assert code == 0 and len(json.loads(out)) == 9


# -- the comment queue on the command line --------------------------------------------------------


def test_comments_are_listed_by_the_next_deadline_after_an_acknowledgement(ws: str) -> None:
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    conn = sqlite3.connect(Path(ws, DB_FILENAME))
    for name, ack_due, result_due in (
        ("result in 5 hours", now + timedelta(hours=1), now + timedelta(hours=5)),
        ("ack in 2 days", now + timedelta(days=2), now + timedelta(days=6)),
        ("ack in 3 hours", now + timedelta(hours=3), now + timedelta(days=6)),
    ):
        created = to_db(now - timedelta(hours=1))
        conn.execute(
            "INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due, first_seen_at, updated_at)"
            " VALUES (1, ?, '王小明', ?, ?, ?, ?, ?, ?)",
            [name, name, created, to_db(ack_due), to_db(result_due), created, created],
        )
    conn.commit()
    conn.close()
    at = "2026-11-25T10:00:00+08:00"
    code, out, _ = run("--data-dir", ws, "comments", "--pending", "--json", now=at)
    assert code == 0 and [c["text"] for c in json.loads(out)] == ["result in 5 hours", "ack in 3 hours", "ack in 2 days"]
    assert run("--data-dir", ws, "comments", "ack", "1", "--note", "正在办理", "--officer", "张三", now=at)[0] == 0
    code, out, _ = run("--data-dir", ws, "comments", "--pending", "--json", now=at)
    listed = json.loads(out)
    assert [c["text"] for c in listed] == ["ack in 3 hours", "result in 5 hours", "ack in 2 days"]
    assert [c["state"] for c in listed] == ["pending", "acked", "pending"]
    assert listed[1]["next_due"] == listed[1]["result_due"]


def test_a_backup_onto_the_live_database_is_refused(ws: str) -> None:
    live = Path(ws, DB_FILENAME)
    inode = live.stat().st_ino
    for target in (live, Path(ws, DB_FILENAME + "-wal"), Path(ws) / ".." / Path(ws).name / DB_FILENAME):
        code, out, err = run("--lang", "en", "--data-dir", ws, "db", "backup", str(target))
        assert code == 2 and out == "" and "live database itself" in err
    assert live.stat().st_ino == inode  # the file the desk writes to was never replaced


def test_a_refused_first_import_leaves_no_workspace_behind(tmp_path: Path) -> None:
    import io as _io

    from jb_watchdesk import cli as _cli

    root = tmp_path / "新工作区"
    bad = tmp_path / "bad.csv"
    bad.write_text("账号名称,平台\n,weibo\n", encoding="utf-8")
    for source in (tmp_path / "missing.csv", bad):
        err = _io.StringIO()
        assert _cli.main(["--lang", "en", "--data-dir", str(root), "accounts", "import", str(source)], out=_io.StringIO(), err=err) == 2
        assert not root.exists(), err.getvalue()
    err = _io.StringIO()
    assert _cli.main(["--lang", "en", "--data-dir", str(root), "status"], out=_io.StringIO(), err=err) == 2
    assert "no workspace" in err.getvalue()


def test_doctor_checks_a_fresh_machine_and_creates_nothing(tmp_path: Path) -> None:
    root = tmp_path / "还没有" / "ws"
    out, err = io.StringIO(), io.StringIO()
    from jb_watchdesk import cli as _cli

    code = _cli.main(["--lang", "en", "--data-dir", str(root), "doctor", "--json"], out=out, err=err)
    checks = {c["check"]: c for c in json.loads(out.getvalue())}
    assert code in (0, 1), err.getvalue()
    assert checks["database"]["level"] == "warn" and "no workspace" in checks["database"]["detail"]
    assert checks["data_dir"]["level"] == "ok"
    assert not (tmp_path / "还没有").exists()
