"""The duty panel driven as an officer uses it: shifts, inspections, emergencies, exports and charts."""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import qasync
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from jb_watchdesk.app import App
from jb_watchdesk.domain import messages
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services import emergencies, exports, shifts
from jb_watchdesk.services.changes import Changes
from jb_watchdesk.services.inspections import Check
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.ui.views.duty import DutyView, Part, parts_for, week_code
from tests.ui.duty_desk import FakeClock, desk_app, run, settle

PACKAGE = Path(__file__).resolve().parents[2] / "jb_watchdesk"

MORNING = datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI)  # a Wednesday
REGISTER = (
    "账号名称,平台,主办单位,状态,来源\n"
    "江北公安,rss,区公安分局,active,https://example.org/police.xml\n"
    "江北应急,rss,区应急管理局,active,https://example.org/emergency.xml\n"
    "江北文旅,rss,区文化旅游委,to_close,https://example.org/culture.xml\n"
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[App]:
    app = desk_app(tmp_path, clock, register_csv=REGISTER)
    yield app
    app.close()


def sign_in(view: DutyView, loop: qasync.QEventLoop, officer: str) -> None:
    view.officer_edit.setText(officer)
    run(loop, view.sign_in())


def record_reads(view: DutyView, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the operations the view reads from now on, in order."""
    runner = view.controller.runner
    names: list[str] = []
    real_read = runner.read

    async def read(query: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        names.append(query.__name__)
        return await real_read(query, *args, **kwargs)

    monkeypatch.setattr(runner, "read", read)
    return names


def manual_rows(app: App) -> list[dict[str, Any]]:
    return app.store.call(lambda db: list(db.query("SELECT * FROM inspections WHERE kind = 'manual' ORDER BY id")))


def add_post(app: App, *, account_id: int, title: str, at: datetime) -> None:
    def insert(db) -> None:  # type: ignore[no-untyped-def]
        with db.atomic():
            db.execute(
                "INSERT INTO posts (account_id, external_id, title, body, published_at, first_seen_at, updated_at)"
                " VALUES (?, ?, ?, '', ?, ?, ?)",
                [account_id, f"p-{title}", title, to_db(at), to_db(at), to_db(at)],
            )

    app.store.call(insert)


# -- shifts ------------------------------------------------------------------------------------


def test_no_shift_then_sign_in_shows_the_officer_on_duty(view: DutyView, loop: qasync.QEventLoop, app: App) -> None:
    assert "无人值班" in view.shift_label.text()
    assert not view.sign_out_button.isEnabled()
    sign_in(view, loop, "张三")
    assert view.shift_result.state == "ok"
    assert "张三" in view.shift_label.text() and "值班中" in view.shift_label.text()
    assert shifts.current_shift(app.store).officer == "张三"  # type: ignore[union-attr]
    assert view.controller.officer == "张三"
    assert view.sign_out_button.isEnabled() and view.sign_out_button.text() == "交班签退"


def test_a_second_sign_in_is_refused_with_the_reason_shown(view: DutyView, loop: qasync.QEventLoop, app: App) -> None:
    sign_in(view, loop, "张三")
    sign_in(view, loop, "李四")
    assert view.shift_result.state == "veto"
    # the window's own words for the refusal: no command-line options in it
    assert view.shift_result.text() == messages.text("ui.error.shift.already_open", shift_id=1, officer="张三")
    assert shifts.current_shift(app.store).officer == "张三"  # type: ignore[union-attr]


def test_the_sign_in_button_runs_through_the_controller(view: DutyView, loop: qasync.QEventLoop, app: App) -> None:
    async def click() -> None:
        view.officer_edit.setText("王五")
        view.sign_in_button.click()
        await settle()

    run(loop, click())
    assert view.shift_result.state == "ok"
    assert shifts.current_shift(app.store).officer == "王五"  # type: ignore[union-attr]


def test_force_close_needs_a_reason_and_the_incoming_officer_confirms(
    view: DutyView, loop: qasync.QEventLoop, app: App, clock: FakeClock
) -> None:
    sign_in(view, loop, "张三")
    clock.advance(timedelta(hours=12))
    view.officer_edit.setText("李四")
    assert view.force_edit.isEnabled() and view.sign_out_button.text() == "强制结班"
    view.note_edit.setPlainText("<img src=file:///etc/passwd> 账号3凭据将到期")
    run(loop, view.sign_out())
    assert view.shift_result.state == "veto" and "强制结班原因" in view.shift_result.text()
    assert shifts.current_shift(app.store) is not None

    view.force_edit.setText("值班员临时离岗，经带班领导同意")
    run(loop, view.sign_out())
    assert view.shift_result.state == "ok"
    assert shifts.current_shift(app.store) is None
    assert view.handover_label.textFormat() == Qt.TextFormat.PlainText
    assert "<img src=file:///etc/passwd>" in view.handover_label.text()
    assert "值班员临时离岗" in view.handover_label.text()
    assert view.confirm_button.isEnabled()

    sign_in(view, loop, "李四")
    run(loop, view.confirm_handover())
    assert view.shift_result.state == "ok"
    assert "李四" in view.handover_label.text() and not view.confirm_button.isEnabled()


def test_the_handover_lists_open_items_as_plain_text(view: DutyView, loop: qasync.QEventLoop, app: App, clock: FakeClock) -> None:
    def open_items(db) -> None:  # type: ignore[no-untyped-def]
        with db.atomic():
            db.execute("UPDATE accounts SET health = 'failing', health_reason = 'http.503: HTTP 503 Service Unavailable' WHERE id = 1")
            db.execute(
                "INSERT INTO alerts (account_id, item_kind, item_id, category, severity, rule, text, context, raised_at)"
                " VALUES (2, 'post', 7, 'privacy', 'high', 'pii.id_card', ?, '', ?)",
                ["<b>身份证号</b> 11010519491231002X", to_db(clock.now() - timedelta(hours=1))],
            )

    app.store.call(open_items)
    run(loop, view.refresh())
    rows = [[view.carry_table.item(r, c).text() for c in range(4)] for r in range(view.carry_table.rowCount())]
    by_kind = {row[0]: row for row in rows}
    assert set(by_kind) == {"未确认告警", "账号风险"}
    risk = by_kind["账号风险"]
    assert risk[1] == "江北公安" and "读取失败" in risk[2] and "http." not in risk[2]  # a sentence, not the code
    alert = by_kind["未确认告警"]
    assert alert[1] == "江北应急" and "<b>身份证号</b>" in alert[2]
    assert "11010519491231002X" not in alert[2]  # personal data masked as in the export


# -- inspections ---------------------------------------------------------------------------------


def test_a_finding_without_an_action_is_refused_and_with_one_is_recorded(view: DutyView, loop: qasync.QEventLoop, app: App) -> None:
    sign_in(view, loop, "张三")
    assert view.account_combo.count() == 3
    view.account_combo.setCurrentIndex(view.account_combo.findData(2))
    view.check_edits[Check.SECURITY].setText("后台弱口令未修改")
    view.check_edits[Check.OPERATION].setText("正常")
    run(loop, view.submit_inspection())
    assert view.inspection_result.state == "veto"
    assert view.inspection_result.text() == messages.text("ui.error.inspect.needs_action")
    assert manual_rows(app) == []

    view.action_edit.setPlainText("已通知区应急管理局修改口令并复核")
    run(loop, view.submit_inspection())
    assert view.inspection_result.state == "ok"
    (row,) = manual_rows(app)
    assert row["account_id"] == 2 and row["officer"] == "张三"
    assert "弱口令" in row["checks"] and "修改口令" in row["action"]
    assert view.inspection_table.rowCount() == 1
    assert view.inspection_table.item(0, 1).text() == "江北应急"
    assert view.inspection_table.item(0, 3 + list(Check).index(Check.OPERATION)).text() == "正常"
    assert view.inspection_table.item(0, 3 + list(Check).index(Check.SECURITY)).text() == "后台弱口令未修改"
    assert view.check_edits[Check.SECURITY].text() == "" and view.action_edit.toPlainText() == ""


def test_an_earlier_inspection_is_corrected_from_the_panel(view: DutyView, loop: qasync.QEventLoop, app: App) -> None:
    sign_in(view, loop, "张三")
    view.account_combo.setCurrentIndex(view.account_combo.findData(2))
    view.check_edits[Check.SECURITY].setText("后台弱口令未修改")
    view.action_edit.setPlainText("已通知修改口令")
    run(loop, view.submit_inspection())
    (first,) = manual_rows(app)
    assert not view.correct_button.isEnabled()
    view.inspection_table.selectRow(0)
    assert view.correct_button.isEnabled()
    view.account_combo.setCurrentIndex(view.account_combo.findData(1))
    view.begin_correction()
    # the form holds the record being corrected
    assert view.account_combo.currentData() == 2
    assert view.check_edits[Check.SECURITY].text() == "后台弱口令未修改"
    assert view.check_edits[Check.OPERATION].text() == ""
    assert f"#{first['id']}" in view.correcting_label.text() and view.cancel_correction_button.isVisibleTo(view)
    view.action_edit.setPlainText("已修改口令并经区网信办复核")
    run(loop, view.submit_inspection())
    assert view.inspection_result.state == "ok"
    corrections = app.store.call(lambda db: list(db.query("SELECT * FROM inspections WHERE kind = 'correction'")))
    assert [(c["corrects_id"], c["account_id"], c["action"]) for c in corrections] == [(first["id"], 2, "已修改口令并经区网信办复核")]
    assert view.correcting_label.text() == "" and not view.cancel_correction_button.isVisibleTo(view)
    assert f"→ #{first['id']}" in view.inspection_table.item(0, 2).text()  # the newest record comes first
    # the next submission is an ordinary inspection again
    view.check_edits[Check.SECURITY].clear()
    run(loop, view.submit_inspection())
    assert len(manual_rows(app)) == 2


def test_an_inspection_without_a_shift_is_refused(view: DutyView, loop: qasync.QEventLoop, app: App) -> None:
    run(loop, view.submit_inspection())
    assert view.inspection_result.text() == messages.text("ui.error.inspect.no_shift")
    assert manual_rows(app) == []


# -- emergencies ---------------------------------------------------------------------------------


def test_an_emergency_counts_down_and_turns_to_missed(view: DutyView, loop: qasync.QEventLoop, clock: FakeClock) -> None:
    view.emergency_title.setText("观音桥商圈火情")
    view.emergency_keywords.setText("火情，观音桥")
    run(loop, view.start_emergency())
    assert view.emergency_result.state == "ok"
    table = view.emergency_table
    assert table.rowCount() == 1
    assert table.item(0, 2).text() == "观音桥商圈火情" and table.item(0, 3).text() == "火情、观音桥"
    assert table.item(0, 0).text() == "计时中" and not table.item(0, 0).icon().isNull()
    assert table.item(0, 1).text() == "剩余 2:00:00"

    clock.advance(timedelta(minutes=30, seconds=5))
    view.tick()
    assert table.item(0, 1).text() == "剩余 1:29:55"

    clock.advance(timedelta(hours=1, minutes=30))
    view.tick()
    assert table.item(0, 0).text() == "超时"
    assert table.item(0, 1).text() == "已超时 0:00:05，仍未发布"


def test_an_emergency_met_by_a_post_shows_met(view: DutyView, loop: qasync.QEventLoop, app: App, clock: FakeClock) -> None:
    view.emergency_title.setText("暴雨预警")
    run(loop, view.start_emergency())
    add_post(app, account_id=2, title="关于暴雨预警的通知", at=clock.now() + timedelta(minutes=40))
    clock.advance(timedelta(minutes=45))
    emergencies.match_posts(app.store, post_ids=[1], now=clock.now())
    run(loop, view.refresh())
    assert view.emergency_table.item(0, 0).text() == "已按时发布"
    assert view.emergency_table.item(0, 1).text().startswith("首条发布 2026-11-25 08:40")


# -- exports and charts -------------------------------------------------------------------------


def test_the_handover_and_weekly_report_export_to_xlsx(view: DutyView, loop: qasync.QEventLoop, tmp_path: Path, clock: FakeClock) -> None:
    sign_in(view, loop, "张三")
    view.check_edits[Check.CONTENT_QUALITY].setText("=HYPERLINK(\"http://x\")")
    view.action_edit.setPlainText("已删除")
    run(loop, view.submit_inspection())
    assert view.inspection_result.state == "ok"
    clock.advance(timedelta(hours=12))
    run(loop, view.sign_out())
    assert view.export_shift.count() == 1 and view.export_shift.currentData() == 1

    target = tmp_path / "out" / "handover.xlsx"
    target.parent.mkdir()  # an export never creates its folder (tests/cli/test_doors.py)
    run(loop, view.export_handover(target, fmt="xlsx"))
    assert view.export_result.state == "ok", view.export_result.text()
    workbook = load_workbook(target)
    assert "巡查记录" in workbook.sheetnames
    cells = [c for row in workbook["巡查记录"].iter_rows(values_only=True) for c in row if c]
    assert "=HYPERLINK(\"http://x\")" in cells
    workbook.close()

    weekly = tmp_path / "weekly.xlsx"
    run(loop, view.export_weekly(weekly, fmt="xlsx", week=week_code(clock.now())))
    assert view.export_result.state == "ok", view.export_result.text()
    weekly_book = load_workbook(weekly)
    assert "账号更新" in weekly_book.sheetnames
    weekly_book.close()
    assert view.handover_button.isEnabled() and view.weekly_button.isEnabled()


def test_an_export_failure_is_reported_in_one_line(view: DutyView, loop: qasync.QEventLoop, tmp_path: Path) -> None:
    sign_in(view, loop, "张三")
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    run(loop, view.export_handover(blocker / "handover.csv", fmt="csv"))
    assert view.export_result.state == "veto"
    assert str(blocker) in view.export_result.text() and "Traceback" not in view.export_result.text()


def test_a_pdf_renders_on_a_worker_thread(view: DutyView, loop: qasync.QEventLoop, tmp_path: Path) -> None:
    from jb_watchdesk.ui.pdf import NoCjkFont, font_families

    try:
        font_families()
    except NoCjkFont:
        pytest.skip("no Chinese font installed")
    sign_in(view, loop, "张三")
    target = tmp_path / "handover.pdf"
    run(loop, view.export_handover(target, fmt="pdf"))
    assert view.export_result.state == "ok", view.export_result.text()
    assert target.read_bytes().startswith(b"%PDF")


def test_a_pdf_whose_text_will_not_search_as_printed_says_so_where_it_was_exported(
    view: DutyView, loop: qasync.QEventLoop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jb_watchdesk.ui import pdf

    try:
        pdf.font_families()
    except pdf.NoCjkFont:
        pytest.skip("no Chinese font installed")
    monkeypatch.setattr(pdf, "shares_radical_glyphs", lambda family: True)  # a font the desk cannot fix
    sign_in(view, loop, "张三")
    target = tmp_path / "handover.pdf"
    run(loop, view.export_handover(target, fmt="pdf"))
    assert target.read_bytes().startswith(b"%PDF")
    assert view.export_result.state == "low"
    assert view.export_result.text().endswith(messages.text("export.pdf_not_searchable"))


def test_the_charts_are_the_weekly_reports_charts(view: DutyView, loop: qasync.QEventLoop, app: App, clock: FakeClock) -> None:
    add_post(app, account_id=1, title="警情通报", at=clock.now() - timedelta(days=1))
    add_post(app, account_id=2, title="防汛提示", at=clock.now() - timedelta(hours=2))
    run(loop, view.load_charts())
    document = exports.build_weekly(app.store, now=clock.now(), week=week_code(clock.now()))
    charts = {s.key: s.chart for s in document.sections}
    assert view.posts_chart.chart == charts["posts_per_day"]
    assert view.sla_chart.chart == charts["comment_sla"]
    series = dict(view.posts_chart.chart.series)  # type: ignore[union-attr]
    assert sum(series["区公安分局"]) == 1 and sum(series["区应急管理局"]) == 1
    assert "区公安分局" in view.posts_chart.describe()
    for chart in (view.posts_chart, view.sla_chart):
        chart.resize(480, 260)
        assert not chart.grab().isNull()


def test_the_export_button_asks_for_a_path_without_blocking(view: DutyView, loop: qasync.QEventLoop, tmp_path: Path) -> None:
    sign_in(view, loop, "张三")
    view.weekly_format.setCurrentIndex(view.weekly_format.findData("xlsx"))
    target = tmp_path / "weekly.xlsx"

    async def choose() -> None:
        view.weekly_button.click()
        dialog = view.file_dialog
        assert dialog is not None and dialog.isVisible() and dialog.defaultSuffix() == "xlsx"
        dialog.fileSelected.emit(str(target))
        dialog.reject()
        await settle()

    run(loop, choose())
    assert view.export_result.state == "ok", view.export_result.text()
    assert target.exists()


def test_overlapping_refreshes_fold_into_one_more(view: DutyView, loop: qasync.QEventLoop, app: App) -> None:
    async def three_at_once() -> None:
        first = asyncio.ensure_future(view.refresh())
        await asyncio.sleep(0)
        shifts.start_shift(app.store, officer="赵六", now=app.clock.now())
        await asyncio.gather(view.refresh(), view.refresh())
        await first

    run(loop, three_at_once())
    assert "赵六" in view.shift_label.text()


# -- refresh by flags ------------------------------------------------------------------------------


def test_each_flag_names_the_parts_it_makes_stale() -> None:
    assert parts_for(Changes()) == Part(0)
    assert parts_for(Changes(ledger=True, lexicon=True)) == Part(0)
    assert parts_for(Changes(shift=True)) == Part.HANDOVER | Part.SHIFTS | Part.EMERGENCIES | Part.INSPECTIONS
    assert parts_for(Changes(status=True)) == Part.HANDOVER | Part.ACCOUNTS
    assert parts_for(Changes(accounts=True)) == Part.ACCOUNTS
    # the handover lists unacknowledged alerts and overdue comments
    assert parts_for(Changes(alerts=True)) == parts_for(Changes(comments=True)) == Part.HANDOVER


def test_an_action_is_announced_once_and_shown_without_a_second_reload(
    view: DutyView, loop: qasync.QEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    announced: list[tuple[Changes, object]] = []
    view.controller.runner.didExecute.connect(lambda changes, initiator: announced.append((changes, initiator)))
    reads = record_reads(view, monkeypatch)
    sign_in(view, loop, "张三")
    ((changes, initiator),) = announced
    assert changes.shift and changes.result.officer == "张三"  # type: ignore[attr-defined]
    assert initiator is view.desk
    # the action reloads what its flags name, once: no reload of the register or the charts
    assert sorted(reads) == [
        "count_inspections", "emergency_status", "handover", "list_shifts", "reading_checklist", "shift_inspections"
    ]


def test_changes_made_elsewhere_reload_only_the_parts_they_name(
    view: DutyView, loop: qasync.QEventLoop, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = view.controller.runner

    async def scenario() -> list[str]:
        view.show()
        await settle()  # shown: whatever was left stale is read
        reads = record_reads(view, monkeypatch)
        runner.announce(Changes(status=True))  # a poll cycle: freshness and health
        await settle()
        assert sorted(reads) == ["handover", "list_accounts", "reading_checklist"]  # an account's source may change
        reads.clear()
        runner.announce(Changes(ledger=True))
        await settle()
        assert reads == []
        shifts.start_shift(app.store, officer="赵六", now=app.clock.now())
        runner.announce(Changes(shift=True))
        await settle()
        return reads

    reads = run(loop, scenario())
    assert "赵六" in view.shift_label.text()
    assert "list_accounts" not in reads and "build_weekly" not in reads
    assert {"handover", "list_shifts", "emergency_status", "shift_inspections"} <= set(reads)
    assert view.export_shift.count() == 1


def test_a_hidden_view_reads_what_changed_when_it_is_shown(
    view: DutyView, loop: qasync.QEventLoop, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = record_reads(view, monkeypatch)
    assert not view.isVisible()
    shifts.start_shift(app.store, officer="赵六", now=app.clock.now())
    view.controller.runner.announce(Changes(shift=True))
    view.controller.runner.announce(Changes(alerts=True))
    assert reads == [] and "无人值班" in view.shift_label.text()

    async def show() -> None:
        view.show()
        await settle()

    run(loop, show())
    assert "赵六" in view.shift_label.text()
    assert reads.count("handover") == 1 and "list_accounts" not in reads and "build_weekly" not in reads


def test_the_duty_view_reaches_the_store_only_through_operations() -> None:
    """No storage module, no database driver and no worker thread of its own: operations do that."""
    problems = []
    for path in sorted([*(PACKAGE / "ui" / "views" / "duty").glob("*.py"), *(PACKAGE / "ui" / "widgets").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Attribute) and node.attr == "to_thread":
                names = ["asyncio.to_thread"]
            problems += [
                f"{path.name}:{node.lineno}: {name}"  # type: ignore[attr-defined]
                for name in names
                if name.startswith(("jb_watchdesk.storage", "sqlite_utils", "sqlite3", "asyncio.to_thread"))
            ]
    assert problems == []
