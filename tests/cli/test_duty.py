"""The duty commands as a script uses them: exit codes, messages, files written, tampering caught."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jb_watchdesk import cli
from jb_watchdesk.app import App, Clock
from jb_watchdesk.cli.parser import EXAMPLES, build_parser
from jb_watchdesk.domain import messages
from jb_watchdesk.paths import Workspace, resources_dir
from tests.cli.handlers import run, shipped_workspace

DUTY_COMMANDS = ("shift", "inspect", "emergency", "log", "handover", "report")
DUTY_EXAMPLES = {name: example for name, example in EXAMPLES.items() if name.split()[0] in DUTY_COMMANDS}
SHIPPED = resources_dir() / "accounts" / "jiangbei-2021.csv"
MORNING = "2026-11-25T08:00:00+08:00"
EVENING = "2026-11-25T20:00:00+08:00"


def parser() -> argparse.ArgumentParser:
    """The command line's parser, built in the language the test chose."""
    return build_parser()


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return shipped_workspace(tmp_path / "ws")


def test_every_duty_command_has_help_with_an_example() -> None:
    messages.set_language("en")
    names = [name for name in cli.command_names(parser()) if name.split()[0] in DUTY_COMMANDS]
    assert set(names) == set(DUTY_EXAMPLES)
    for name in names:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
            parser().parse_args([*name.split(), "--help"])
        assert "example:" in out.getvalue() and DUTY_EXAMPLES[name] in out.getvalue()


def test_shift_start_end_and_the_handover(ws: Path) -> None:
    assert run(ws, "shift", "start", "--officer", "张三")[0] == 0
    code, _, err = run(ws, "shift", "start", "--officer", "李四")
    assert code == 2 and "still open" in err and "shift end --force" in err
    code, out, _ = run(ws, "shift", "end", "--note", "账号3凭据将到期", now=EVENING)
    assert code == 0 and "shift 1 ended" in out
    code, out, _ = run(ws, "shift", "handover", now=EVENING)
    assert code == 0 and "awaiting confirmation" in out and "账号3凭据将到期" in out
    assert run(ws, "shift", "start", "--officer", "李四", now=EVENING)[0] == 0
    code, _, err = run(ws, "shift", "handover", "--confirm", "--officer", "王五", now=EVENING)
    assert code == 2 and "incoming officer" in err
    code, out, _ = run(ws, "shift", "handover", "--confirm", "--officer", "李四", now=EVENING)
    assert code == 0 and "confirmed" in out
    code, out, _ = run(ws, "shift", "list", "--json", now=EVENING)
    listed = json.loads(out)
    assert [s["officer"] for s in listed] == ["李四", "张三"] and listed[1]["handover_confirmed_by"] == "李四"


def test_force_close(ws: Path) -> None:
    run(ws, "shift", "start", "--officer", "张三")
    code, out, _ = run(ws, "shift", "end", "--force", "值班员离岗未交班", now=EVENING)
    assert code == 0 and "force-closed (值班员离岗未交班)" in out
    code, _, err = run(ws, "shift", "end", now=EVENING)
    assert code == 2 and "no shift is open" in err


def test_inspect_with_the_four_checks(ws: Path) -> None:
    code, _, err = run(ws, "inspect", "1")
    assert code == 2 and "within a shift" in err
    run(ws, "shift", "start", "--officer", "张三")
    code, out, _ = run(ws, "inspect", "1", "--check", "operation=ok", "--check", "栏目更新=ok")
    assert code == 0 and "all four checks ok" in out
    code, _, err = run(ws, "inspect", "2", "--check", "安全防护=后台弱口令")
    assert code == 2 and "--action" in err
    code, out, _ = run(ws, "inspect", "2", "--check", "安全防护=后台弱口令", "--action", "已通知修改密码")
    assert code == 0 and "security" in out
    code, _, err = run(ws, "inspect", "2", "--check", "speed=ok")
    assert code == 2 and "bad check" in err
    assert run(ws, "inspect", "99")[0] == 2


def test_emergency_start_and_list(ws: Path) -> None:
    code, out, _ = run(ws, "emergency", "start", "--title", "观音桥暴雨内涝", "--keywords", "暴雨，内涝")
    assert code == 0 and "due by 2026-11-25 10:00" in out
    code, out, _ = run(ws, "emergency", "list", "--json", now="2026-11-25T10:30:00+08:00")
    (item,) = json.loads(out)
    assert item["keywords"] == ["暴雨", "内涝"] and item["state"] == "missed" and item["remaining_s"] == -1800


def tamper(ws: Path, statement: str) -> None:
    conn = sqlite3.connect(ws / "watchdesk.sqlite3")
    try:
        conn.execute("DROP TRIGGER IF EXISTS ledger_no_update")
        conn.execute("DROP TRIGGER IF EXISTS ledger_no_delete")
        conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def recorded(ws: Path) -> Path:
    run(ws, "shift", "start", "--officer", "张三")
    for n in range(1, 4):
        run(ws, "inspect", str(n), "--check", f"运行情况=第{n}处问题", "--action", "已处理")
    run(ws, "shift", "end", "--note", "交班", now=EVENING)
    return ws


def test_log_verify_passes_an_intact_record(recorded: Path) -> None:
    code, out, _ = run(recorded, "log", "verify")
    assert code == 0 and "intact: 5 rows checked" in out


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        ("UPDATE ledger SET payload = replace(payload, '第2处问题', '正常') WHERE seq = 3", "ledger#3"),
        ("DELETE FROM ledger WHERE seq = 2", "ledger#2"),
        ("INSERT INTO ledger (seq, kind, payload, recorded_at, prev_hash, hash) VALUES (6, 'inspection', '{}', 'x', 'y', 'z')", "ledger#6"),
        (
            "INSERT INTO inspections (account_id, kind, recorded_at, checks)"
            " VALUES (1, 'manual', '2026-11-25T01:00:00.000000+00:00', '{}')",
            "inspections#4",
        ),
        ("UPDATE inspections SET action = '' WHERE id = 1", "inspections#1"),
    ],
)
def test_log_verify_names_the_first_broken_row(recorded: Path, statement: str, named: str) -> None:
    tamper(recorded, statement)
    code, out, _ = run(recorded, "log", "verify")
    assert code == 1 and f"first broken row {named}" in out


def test_log_verify_checks_an_anchor(recorded: Path) -> None:
    code, out, _ = run(recorded, "log", "verify")
    anchor = out.rsplit("anchor ", 1)[1].strip()
    assert run(recorded, "log", "verify", "--anchor", anchor)[0] == 0
    assert run(recorded, "log", "verify", "--anchor", "5:" + "0" * 64)[0] == 1
    code, _, err = run(recorded, "log", "verify", "--anchor", "nonsense")
    assert code == 2 and "bad anchor" in err


def test_handover_export_and_weekly_report(recorded: Path, tmp_path: Path) -> None:
    messages.set_language("zh")  # exports follow the officer's language; these checks read the Chinese sheets
    target = tmp_path / "out" / "交接.xlsx"
    target.parent.mkdir()  # an export never creates its folder (tests/cli/test_doors.py)
    code, out, _ = run(recorded, "handover", "export", "--shift", "1", "--format", "xlsx", "-o", str(target), now=EVENING)
    assert code == 0 and target.exists()
    workbook = load_workbook(target)
    assert "巡查记录" in workbook.sheetnames and workbook["巡查记录"].max_row == 4
    workbook.close()
    csv_target = tmp_path / "range.csv"
    code, _, _ = run(
        recorded, "handover", "export", "--from", "2026-11-25T00:00", "--to", "2026-11-26T00:00", "--format", "csv", "-o", str(csv_target),
        now=EVENING,
    )
    assert code == 0 and csv_target.read_bytes().startswith(b"\xef\xbb\xbf")
    code, _, err = run(recorded, "handover", "export", "--from", "2026-11-25T00:00", "--format", "csv", "-o", str(csv_target))
    assert code == 2 and "--to" in err
    code, _, err = run(recorded, "handover", "export", "--shift", "9", "--format", "csv", "-o", str(csv_target))
    assert code == 2 and "没有编号为 9 的班次" in err
    weekly = tmp_path / "weekly.xlsx"
    code, _, _ = run(
        recorded, "report", "weekly", "--week", "2026-W48", "--format", "xlsx", "-o", str(weekly), now="2026-11-30T09:00:00+08:00"
    )
    assert code == 0 and weekly.exists()
    code, _, err = run(recorded, "report", "weekly", "--week", "2026-48", "--format", "xlsx", "-o", str(weekly))
    assert code == 2 and "YYYY-Www" in err
    assert run(recorded, "report", "weekly", "--format", "csv", "-o", str(weekly))[0] == 2  # argparse: not a report format


def _pdf_with_a_chinese_font():  # type: ignore[no-untyped-def]
    """The PDF module, or the test skipped where Qt or a Chinese font is missing."""
    pdf = pytest.importorskip("jb_watchdesk.ui.pdf")
    try:
        pdf.font_families()
    except pdf.NoCjkFont:
        pytest.skip("no Chinese font installed (fonts-noto-cjk)")
    return pdf


def test_handover_export_pdf(recorded: Path, tmp_path: Path) -> None:
    _pdf_with_a_chinese_font()
    target = tmp_path / "交接.pdf"
    code, _, err = run(recorded, "handover", "export", "--shift", "1", "--format", "pdf", "-o", str(target), now=EVENING)
    assert code == 0, err
    assert target.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-raw", str(target), "-"], capture_output=True, text=True, check=True).stdout
        assert "第2处问题" in "".join(text.split())


def test_a_pdf_whose_text_will_not_search_as_printed_is_said_so(recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Chinese font the desk cannot fix (its text layer names 言 as ⾔): the PDF is written and the
    officer is told, in a second line, to keep the XLSX as the searchable record."""
    pdf = _pdf_with_a_chinese_font()
    target = tmp_path / "交接.pdf"
    monkeypatch.setattr(pdf, "shares_radical_glyphs", lambda family: False)  # a font the desk could fix
    code, out, _ = run(recorded, "handover", "export", "--shift", "1", "--format", "pdf", "-o", str(target), now=EVENING)
    assert code == 0 and out.count("\n") == 1  # nothing more to say
    monkeypatch.setattr(pdf, "shares_radical_glyphs", lambda family: True)  # one it could not
    code, out, _ = run(recorded, "report", "weekly", "--format", "pdf", "-o", str(tmp_path / "周报.pdf"), now=EVENING)
    assert code == 0 and (tmp_path / "周报.pdf").read_bytes().startswith(b"%PDF")
    assert out.splitlines()[1] == messages.text("export.pdf_not_searchable")


def test_the_handover_counts_open_alerts_as_the_alerts_command_does(ws: Path) -> None:
    from dataclasses import replace as changed

    from jb_watchdesk.domain.alerts import AlertDraft
    from jb_watchdesk.domain.models import ItemKind
    from jb_watchdesk.domain.sensitive import Severity
    from jb_watchdesk.storage import alerts as alert_store

    base = AlertDraft(account_id=1, item_kind=ItemKind.POST, item_id=1, category="secret", severity=Severity.HIGH,
                      rule="secret.marking", text="绝密")
    drafts = [changed(base, item_id=item, backlog=item % 3 == 0, severity=Severity.HIGH if item % 2 else Severity.LOW)
              for item in range(1, 13)]
    with App(workspace=Workspace(ws), clock=Clock(datetime.fromisoformat(MORNING))) as app:
        app.store.call(alert_store.record_alerts, drafts, now=datetime.fromisoformat(MORNING))
    run(ws, "shift", "start", "--officer", "张三")
    code, out, _ = run(ws, "shift", "handover", "--json", now=EVENING)
    assert code == 0
    counts = json.loads(out)["carry_over"]["alert_counts"]
    assert (counts["open"], counts["open_high"], counts["open_backlog"], counts["open_live"]) == (12, 6, 4, 8)
    code, out, _ = run(ws, "shift", "handover", now=EVENING)
    assert code == 0 and "12 open alerts (6 high; 8 live, 4 backlog to review)" in out


def test_the_handover_names_the_accounts_the_officer_has_not_read(ws: Path) -> None:
    run(ws, "shift", "start", "--officer", "张三")
    code, out, _ = run(ws, "shift", "handover", "--json", now=EVENING)
    unread = {(a["name"], a["platform"]) for a in json.loads(out)["carry_over"]["unread_accounts"]}
    assert ("江北警视线", "kuaishou") in unread and ("平安江北", "toutiao") in unread
    code, out, _ = run(ws, "shift", "handover", now=EVENING)
    assert code == 0 and "not read by the officer this shift" in out and "江北警视线" in out


def test_the_outgoing_officer_cannot_confirm_their_own_handover(ws: Path) -> None:
    run(ws, "shift", "start", "--officer", "张三")
    run(ws, "shift", "end", now=EVENING)
    code, _, err = run(ws, "shift", "handover", "--confirm", "--officer", "张三", now=EVENING)
    assert code == 2 and "cannot confirm" in err
    code, out, _ = run(ws, "shift", "handover", "--confirm", "--officer", "李四", now=EVENING)
    assert code == 0 and "confirmed" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["inspect", "8", "--latest-post", "0001-01-01T00:00"],
        ["gaps", "--from", "0001-01-01T00:00"],
        ["gaps", "--to", "9999-12-31T23:59-05:00"],
    ],
)
def test_times_no_store_can_hold_are_input_errors_not_crashes(ws: Path, argv: list[str]) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(["--lang", "en", "--data-dir", str(ws), *argv], out=out, err=err)
    assert code == 2 and err.getvalue().count("\n") == 1 and "internal" not in err.getvalue()
