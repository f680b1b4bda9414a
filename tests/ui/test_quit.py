"""Quitting the window while on duty asks for a reason that goes into the record; pausing is a gap;
the next start says when monitoring stopped; a handover is confirmed only by a signed-in officer;
a mistyped emergency is cancelled or corrected from the duty panel."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import qasync
from PySide6.QtGui import QCloseEvent

from jb_watchdesk.app import App
from jb_watchdesk.domain import messages
from jb_watchdesk.domain.record import EmergencyState
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services import emergencies, gaps, shifts
from jb_watchdesk.services.gaps import Cause
from jb_watchdesk.services.poller import PollResult
from jb_watchdesk.services.watch import Cycle
from jb_watchdesk.storage import audit
from jb_watchdesk.ui.bridge import Bridge
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui.desktop import record_quit
from jb_watchdesk.ui.main_window import MainWindow
from jb_watchdesk.ui.views.duty import DutyView
from tests.ui.duty_desk import FakeClock, desk_app

NIGHT = datetime(2026, 11, 25, 1, 12, tzinfo=SHANGHAI)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    app = desk_app(tmp_path, FakeClock(NIGHT))
    yield app
    app.close()


@pytest.fixture
def window(qtbot: Any, app: App, loop: qasync.QEventLoop) -> Iterator[MainWindow]:
    controller = DeskController(app, Bridge())
    widget = MainWindow(controller, tray=None)
    qtbot.addWidget(widget)
    yield widget
    widget.popup.close()


async def until(condition: Any, within: float = 10.0) -> None:
    for _ in range(int(within / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def quits(window: MainWindow) -> list[str]:
    heard: list[str] = []
    window.quitRequested.connect(lambda: heard.append(window.quit_reason))
    return heard


def test_quitting_on_shift_needs_a_reason_and_cancel_keeps_running(window: MainWindow, app: App, loop: qasync.QEventLoop) -> None:
    shifts.start_shift(app.store, officer="张三", now=NIGHT - timedelta(hours=3))
    heard = quits(window)

    async def scenario() -> None:
        window.quit_action.trigger()
        await until(lambda: window.quit_flow.dialog is not None and window.quit_flow.dialog.isVisible())
        dialog = window.quit_flow.dialog
        assert dialog is not None and "张三" in dialog.findChildren(type(dialog.problem))[0].text()
        window.quit_action.trigger()  # a second request while asking: still one question
        assert window.quit_flow.dialog is dialog
        dialog.quit_button.click()  # no reason: refused where the officer typed
        assert dialog.isVisible() and dialog.problem.text() == messages.text("ui.quit.reason_required")
        dialog.keep_button.click()  # keep running
        await until(lambda: window.quit_flow.dialog is None)
        assert heard == []

        window.close()  # closing the window without a tray asks too
        await until(lambda: window.quit_flow.dialog is not None and window.quit_flow.dialog.isVisible())
        dialog = window.quit_flow.dialog
        assert dialog is not None
        dialog.reason_edit.setText("机房断电检修")
        dialog.quit_button.click()
        await until(lambda: heard != [])
        await until(lambda: window.quit_flow.dialog is None)

    loop.run_until_complete(scenario())
    assert heard == ["机房断电检修"]
    loop.run_until_complete(record_quit(app, officer="张三", reason=window.quit_reason))
    (gap,) = gaps.list_gaps(app.store)
    assert (gap.cause, gap.reason, gap.officer, gap.started_at) == (Cause.QUIT, "机房断电检修", "张三", NIGHT)
    assert app.store.call(audit.verify).ok


def test_a_running_emergency_clock_asks_too(window: MainWindow, app: App, loop: qasync.QEventLoop) -> None:
    emergencies.start_emergency(app.store, title="观音桥暴雨", keywords=[], now=NIGHT - timedelta(minutes=30))
    heard = quits(window)

    async def scenario() -> None:
        window.quit_action.trigger()
        await until(lambda: window.quit_flow.dialog is not None)
        dialog = window.quit_flow.dialog
        assert dialog is not None
        assert messages.text("ui.quit.emergencies", count=1) in dialog.findChildren(type(dialog.problem))[0].text()
        dialog.reason_edit.setText("交由区应急局值守")
        dialog.quit_button.click()
        await until(lambda: heard != [])

    loop.run_until_complete(scenario())
    assert heard == ["交由区应急局值守"]


def test_with_nothing_open_quit_proceeds_as_before(window: MainWindow, app: App, loop: qasync.QEventLoop) -> None:
    heard = quits(window)

    async def scenario() -> None:
        event = QCloseEvent()
        window.closeEvent(event)
        assert not event.isAccepted()
        await until(lambda: heard != [])

    loop.run_until_complete(scenario())
    assert heard == [""] and window.quit_flow.dialog is None
    loop.run_until_complete(record_quit(app, officer="", reason=""))
    (gap,) = gaps.list_gaps(app.store)
    assert gap.cause is Cause.QUIT and gap.reason == "" and gap.is_open


def test_pause_and_resume_are_a_gap_and_the_next_cycle_shows_the_gap(window: MainWindow, app: App, loop: qasync.QEventLoop) -> None:
    clock = app.clock
    assert isinstance(clock, FakeClock)

    async def scenario() -> None:
        window.pause_action.setChecked(True)
        await until(lambda: gaps.list_gaps(app.store) != [])
        clock.current = NIGHT + timedelta(hours=2, minutes=28)
        window.pause_action.setChecked(False)
        await until(lambda: not gaps.list_gaps(app.store)[0].is_open)

    loop.run_until_complete(scenario())
    (gap,) = gaps.list_gaps(app.store)
    assert gap.cause is Cause.PAUSE and (gap.started_at, gap.ended_at) == (NIGHT, NIGHT + timedelta(hours=2, minutes=28))

    window.show_cycle(Cycle(poll=PollResult(), gaps=(gap,)))
    assert window.banner.text.text() == "巡查中断 01:12–03:40（暂停），原因：未说明"
    assert app.store.call(audit.verify).ok


def test_the_handover_is_confirmed_only_by_a_signed_in_officer(view: DutyView, app: App, loop: qasync.QEventLoop) -> None:
    shifts.start_shift(app.store, officer="张三", now=NIGHT - timedelta(hours=8))
    shifts.end_shift(app.store, now=NIGHT - timedelta(minutes=1))
    loop.run_until_complete(view.refresh())
    assert view.officer_edit.text() == ""  # never the login name
    assert view.desk.controller.officer == ""

    loop.run_until_complete(view.confirm_handover())
    assert view.shift_result.state == "veto" and view.shift_result.text() == messages.text("ui.duty.handover_needs_sign_in")
    assert shifts.list_shifts(app.store)[0].handover_confirmed_by is None

    view.officer_edit.setText("李四")
    loop.run_until_complete(view.sign_in())
    loop.run_until_complete(view.confirm_handover())
    assert view.shift_result.state == "ok"
    assert [s.handover_confirmed_by for s in shifts.list_shifts(app.store) if s.ended_at] == ["李四"]


def test_an_emergency_is_cancelled_and_corrected_from_the_panel(view: DutyView, app: App, loop: qasync.QEventLoop) -> None:
    panel = view.emergency_panel
    emergencies.start_emergency(app.store, title="观音挢暴雨", keywords=[], now=NIGHT - timedelta(minutes=10))
    emergencies.start_emergency(app.store, title="演练", keywords=[], now=NIGHT - timedelta(minutes=5))
    loop.run_until_complete(panel.load())

    loop.run_until_complete(panel.cancel_selected())  # nothing selected
    assert panel.emergency_result.text() == messages.text("ui.duty.pick_emergency")

    panel.emergency_table.selectRow(0)  # newest first: 演练
    loop.run_until_complete(panel.cancel_selected())  # no reason
    assert panel.emergency_result.state == "veto"
    panel.reason_edit.setText("演练通知误录")
    loop.run_until_complete(panel.cancel_selected())
    assert panel.emergency_result.state == "ok"

    loop.run_until_complete(panel.load())
    panel.emergency_table.selectRow(1)  # 观音挢暴雨
    panel.emergency_title.setText("观音桥暴雨")
    panel.reason_edit.setText("标题错字")
    loop.run_until_complete(panel.correct_selected())
    assert panel.emergency_result.state == "ok"
    loop.run_until_complete(panel.load())
    states = {s.emergency.title: s.state for s in emergencies.emergency_status(app.store, now=NIGHT)}
    assert states == {"观音桥暴雨": EmergencyState.WAITING, "演练": EmergencyState.CANCELLED, "观音挢暴雨": EmergencyState.CANCELLED}
    shown = [panel.emergency_table.item(r, 0).text() for r in range(panel.emergency_table.rowCount())]
    assert shown.count(messages.text("ui.duty.cancelled")) == 2
    assert app.store.call(audit.verify).ok


def test_the_selection_follows_the_plan_when_a_new_one_is_listed_above(view: DutyView, app: App, loop: qasync.QEventLoop) -> None:
    panel = view.emergency_panel
    emergencies.start_emergency(app.store, title="观音桥商圈火情", keywords=[], now=NIGHT - timedelta(minutes=10))
    loop.run_until_complete(panel.load())
    panel.emergency_table.selectRow(0)
    emergencies.start_emergency(app.store, title="寸滩暴雨内涝", keywords=[], now=NIGHT - timedelta(minutes=5))
    loop.run_until_complete(panel.load())  # the new plan is listed first
    panel.reason_edit.setText("误报")
    loop.run_until_complete(panel.cancel_selected())
    states = {s.emergency.title: s.state for s in emergencies.emergency_status(app.store, now=NIGHT)}
    assert states == {"观音桥商圈火情": EmergencyState.CANCELLED, "寸滩暴雨内涝": EmergencyState.WAITING}
