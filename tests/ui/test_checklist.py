"""The reading checklist in the duty view, driven as an officer uses it: the accounts no machine
source reads, a reading typed in seconds (Enter moves on), the tick with who and when, a refusal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtCore import Qt

from jb_watchdesk.app import App
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services import shifts, status
from jb_watchdesk.ui.models.dashboard import DashboardModel
from jb_watchdesk.ui.views.duty import DutyView
from tests.ui.duty_desk import FakeClock, desk_app, run, settle

MORNING = datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI)
REGISTER = (
    "账号名称,平台,主办单位,状态,来源\n"
    "江北警视线,kuaishou,区公安分局,active,\n"
    "平安江北,toutiao,区公安分局,active,\n"
    "江北发布,rss,区政府办公室,active,https://example.org/feed.xml\n"
    "江北旧号,weishi,区文化旅游委,closed,\n"
)
KUAISHOU, TOUTIAO = 1, 2


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    app = desk_app(tmp_path, FakeClock(MORNING), register_csv=REGISTER)
    yield app
    app.close()


def readings(app: App) -> list[dict[str, Any]]:
    return app.store.call(
        lambda db: list(db.query("SELECT * FROM inspections WHERE latest_post_at IS NOT NULL ORDER BY id"))
    )


def test_the_checklist_lists_the_accounts_no_machine_reads(view: DutyView) -> None:
    panel = view.checklist_panel
    assert panel.order == [TOUTIAO, KUAISHOU]  # never read: by name; the feed and the closed account are not listed
    assert "待读 2 个，已读 0 个" in panel.summary.text()
    assert panel.row(KUAISHOU).state.text() == "从未读取"
    assert "江北警视线（快手" in panel.row(KUAISHOU).name.text()
    assert panel.row(KUAISHOU).name.textFormat() == Qt.TextFormat.PlainText


def test_a_reading_typed_with_enter_is_recorded_ticked_and_moves_on(
    view: DutyView, loop: qasync.QEventLoop, app: App, qtbot: Any
) -> None:
    shifts.start_shift(app.store, officer="张三", now=MORNING - timedelta(hours=1))
    run(loop, view.refresh())
    view.show()
    qtbot.waitExposed(view)
    panel = view.checklist_panel
    row = panel.row(TOUTIAO)
    row.latest.setFocus()
    qtbot.keyClicks(row.latest, "02:10")
    qtbot.keyClick(row.latest, Qt.Key.Key_Return)
    assert view.focusWidget() is row.posts
    qtbot.keyClicks(row.posts, "4")
    qtbot.keyClick(row.posts, Qt.Key.Key_Return)
    qtbot.keyClicks(row.comments, "2")
    qtbot.keyClick(row.comments, Qt.Key.Key_Return)
    assert view.focusWidget() is row.link
    qtbot.keyClicks(row.link, "https://www.toutiao.com/c/user/1")

    async def enter() -> None:  # keys that start work are pressed while the loop runs, as in the window
        qtbot.keyClick(row.link, Qt.Key.Key_Return)  # the last field records the reading
        await settle()

    run(loop, enter())

    (recorded,) = readings(app)
    assert recorded["account_id"] == TOUTIAO and recorded["officer"] == "张三" and recorded["kind"] == "manual"
    assert recorded["latest_post_at"] == "2026-11-24T18:10:00.000000+00:00"
    assert (recorded["posts_seen"], recorded["comments_waiting"], recorded["link"]) == (4, 2, "https://www.toutiao.com/c/user/1")
    assert panel.result.state == "ok"
    assert all(field.text() == "" for field in row.fields)
    # ticked with who and when, moved below the account still to read, which has the focus now
    assert row.done and row.state.text() == "✓ 张三 · 11-25 08:00"
    assert panel.order == [KUAISHOU, TOUTIAO]
    assert view.focusWidget() is panel.row(KUAISHOU).latest
    assert "待读 1 个，已读 1 个" in panel.summary.text()


def test_a_refused_reading_keeps_what_was_typed(view: DutyView, loop: qasync.QEventLoop, app: App) -> None:
    shifts.start_shift(app.store, officer="张三", now=MORNING - timedelta(hours=1))
    run(loop, view.refresh())
    panel = view.checklist_panel
    row = panel.row(KUAISHOU)
    row.latest.setText("02:10")
    row.posts.setText("很多")
    run(loop, panel.record(row))
    assert panel.result.state == "veto" and "新发布" in panel.result.text()
    assert row.latest.text() == "02:10" and row.posts.text() == "很多"
    assert readings(app) == [] and not row.done


def test_without_a_shift_or_an_officer_the_reading_is_refused(view: DutyView, loop: qasync.QEventLoop, app: App) -> None:
    panel = view.checklist_panel
    row = panel.row(KUAISHOU)
    row.latest.setText("2026-11-25 02:10")
    run(loop, panel.record(row))
    assert panel.result.state == "veto" and readings(app) == []
    view.controller.officer = "李四"  # the window's signed-in officer reads when nobody is on shift
    run(loop, panel.record(row))
    assert [r["officer"] for r in readings(app)] == ["李四"]


def test_the_overview_says_who_read_and_who_waits(view: DutyView, loop: qasync.QEventLoop, app: App) -> None:
    shifts.start_shift(app.store, officer="张三", now=MORNING - timedelta(hours=1))
    run(loop, view.refresh())
    row = view.checklist_panel.row(KUAISHOU)
    row.latest.setText("07:30")
    run(loop, view.checklist_panel.record(row))
    model = DashboardModel()
    model.set_rows(status.account_status(app.store, now=MORNING))
    shown = {model.row_at(r).account.id: r for r in range(model.rowCount())}
    health = DashboardModel.COLUMNS.index("health")
    assert model.index(shown[KUAISHOU], health).data() == "人工读取 · 张三 · 11-25 08:00"
    assert model.index(shown[TOUTIAO], health).data() == "待人工读取"
    assert model.index(shown[3], health).data() == "未读取"  # the feed: the machine has not polled it yet
    tip = model.index(shown[KUAISHOU], DashboardModel.COLUMNS.index("freshness")).data(Qt.ItemDataRole.ToolTipRole)
    assert "人工读取 · 张三" in tip
