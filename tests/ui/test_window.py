"""The window, offscreen, against the real simulator: what the officer sees and does."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from jb_watchdesk.app import App, Clock
from jb_watchdesk.domain.alerts import Alert
from jb_watchdesk.domain.models import AlertState, ItemKind, ItemText, Visibility
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.storage.secrets import SecretStore
from jb_watchdesk.ui import desktop
from jb_watchdesk.ui.bridge import Bridge
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui.dialogs.alert_popup import AlertPopup
from jb_watchdesk.ui.dialogs.post import PostDialog, safe_link
from jb_watchdesk.ui.main_window import MainWindow
from jb_watchdesk.ui.text import tooltip

SIM_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # the simulated_desk fixture's instant


HOSTILE = '<img src="file:///etc/passwd"><b>粗体</b><a href="javascript:alert(1)">点</a>'






def test_data_appears_after_a_poll(run_desk, until) -> None:  # type: ignore[no-untyped-def]
    async def scenario(window: MainWindow) -> None:
        model = window.dashboard.model
        await until(
            lambda: model.rowCount() == 12
            and all(model.row_at(i).account.health.value == "ok" for i in range(12))
            and window.alerts.model.rowCount() > 0
        )
        assert window.stat_veto.count > 0  # the simulated district has accounts silent for 15+ days
        assert window.comments.model.rowCount() > 0
        assert window.alerts.model.new_count() > 0
        assert "12" in window.statusBar().currentMessage()

    run_desk(scenario)


def test_a_high_alert_pops_up_and_is_acknowledged(run_desk, simulated_desk, until, first_cycle, publish_live_post) -> None:  # type: ignore[no-untyped-def]
    """A live item (published an hour ago, read after its account's first poll): the first poll's
    backlog never pops up, this does."""

    async def scenario(window: MainWindow) -> None:
        popup = window.popup
        await first_cycle(window, until)
        assert not popup.isVisible()
        await publish_live_post(window, account_id=simulated_desk.ids[sorted(simulated_desk.ids)[0]], external_id="live-window")
        assert await window.controller.poll_now()
        await until(lambda: popup.isVisible() and popup.current is not None)
        first = popup.current
        assert first is not None and first.severity is Severity.HIGH
        assert bool(popup.windowFlags() & Qt.WindowType.WindowStaysOnTopHint)
        assert not popup.ack_button.isEnabled()  # a note is required
        popup.note.setText("已通知发布单位撤稿")
        popup.ack_button.click()
        assert popup.current is None or popup.current.id != first.id

        async def acknowledged() -> bool:
            rows = await column(window, "SELECT state FROM alerts WHERE id = ?", first.id)
            return rows[0]["state"] == AlertState.ACKNOWLEDGED.value

        await until(acknowledged, timeout=10)
        ledger = await column(window, "SELECT kind, ref_id FROM ledger WHERE kind = 'alert_ack'")
        assert {"kind": "alert_ack", "ref_id": first.id} in ledger

    run_desk(scenario)


def test_a_comment_is_acknowledged_with_a_note(run_desk, until) -> None:  # type: ignore[no-untyped-def]
    async def scenario(window: MainWindow) -> None:
        view = window.comments
        await until(lambda: any(view.model.row_at(i).acked_at is None for i in range(view.model.rowCount())))
        row = next(i for i in range(view.model.rowCount()) if view.model.row_at(i).acked_at is None)
        comment_id = view.model.row_at(row).id
        view.table.selectRow(row)
        assert view.ack_button.isEnabled()
        view.ack_button.click()
        dialog = view._dialog  # noqa: SLF001 - the dialog the button opened
        assert dialog is not None and dialog.isVisible() and not dialog.ok.isEnabled()
        dialog.note.setPlainText("已回复：正在核实，三个工作日内答复")
        dialog.ok.click()

        async def acked() -> bool:
            rows = await column(window, "SELECT acked_by FROM comments WHERE id = ?", comment_id)
            return rows[0]["acked_by"] == "值班员甲"

        await until(acked, timeout=10)
        actions = await column(window, "SELECT ref_id FROM ledger WHERE kind = 'comment_action'")
        assert {"ref_id": comment_id} in actions

    run_desk(scenario)


def _hostile_alert() -> Alert:
    return Alert(
        id=1, account_id=1, item_kind=ItemKind.POST, item_id=1, category="secret", severity=Severity.HIGH,
        rule="secret.marking", text="绝密★", context=f"{HOSTILE} 绝密★ {HOSTILE}", item_field="body",
        span_start=0, span_end=3, span_start_utf16=0, span_end_utf16=3, confidence=1.0, masked=False, occurrences=1,
        raised_at=SIM_NOW, state=AlertState.NEW, ack_by=None, ack_note=None, ack_at=None, resolved_at=None,
        resolved_by=None, resolve_reason=None, last_notified_at=None, notify_count=0,
    )  # fmt: skip


def test_untrusted_text_stays_literal(qtbot) -> None:  # type: ignore[no-untyped-def]
    popup = AlertPopup()
    qtbot.addWidget(popup)
    popup.add(_hostile_alert(), account_name=HOSTILE)
    assert popup.title.textFormat() == Qt.TextFormat.PlainText and HOSTILE in popup.title.text()
    assert popup.context.toPlainText().startswith(HOSTILE)
    dialog = PostDialog(ItemText(kind=ItemKind.POST, id=1, title=HOSTILE, body=HOSTILE, url="javascript:alert(1)"), account_name=HOSTILE)
    qtbot.addWidget(dialog)
    labels = [w for w in dialog.findChildren(type(popup.title)) if HOSTILE in w.text()]
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    assert not dialog.open_button.isEnabled()  # only http(s) links ever reach the browser
    assert safe_link("file:///etc/passwd") is None and safe_link("https://www.cq.gov.cn/x") is not None
    tip = tooltip(HOSTILE)
    assert "<img" not in tip and "&lt;img" in tip


def test_the_post_dialog_says_when_a_date_is_estimated_and_how_the_platform_shows_the_post(qtbot) -> None:  # type: ignore[no-untyped-def]
    post = ItemText(kind=ItemKind.POST, id=1, title="视频", body="", published_at=datetime(2024, 5, 3, 2, 0, tzinfo=UTC))
    plain = PostDialog(post, account_name="平安江北")
    marked = PostDialog(dataclasses.replace(post, date_estimated=True, visibility=Visibility.REJECTED), account_name="平安江北")
    for dialog in (plain, marked):
        qtbot.addWidget(dialog)

    def header(dialog: PostDialog) -> str:
        return next(w.text() for w in dialog.findChildren(QLabel) if w.text().startswith("平安江北 · "))

    assert header(plain).strip() == "平安江北 · 2024-05-03 10:00"
    assert "（估计，首次读取时间）" in header(marked) and "（平台判定不宜公开）" in header(marked)


# Offscreen has no tray; pretending it has one makes Qt say so once.
@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_quitting_from_the_tray_exits_cleanly(simulated_desk, qloop, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    trays: list[desktop.Tray] = []

    class RecordingTray(desktop.Tray):
        def __init__(self) -> None:
            super().__init__()
            trays.append(self)

    monkeypatch.setattr(desktop.QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    monkeypatch.setattr(desktop, "Tray", RecordingTray)
    app = App(workspace=Workspace(simulated_desk.root), clock=Clock(SIM_NOW), secret_store=SecretStore(simulated_desk.keyring))

    async def scenario() -> tuple[int, float]:
        served = asyncio.ensure_future(desktop.serve(app, poll_settings=PollSettings(max_concurrency=8)))
        while not trays:
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # the first poll is under way
        started = time.monotonic()
        trays[0].quit_action.trigger()
        code = await asyncio.wait_for(served, timeout=10)
        return code, time.monotonic() - started

    code, took = qloop.run_until_complete(scenario())
    app.close()
    assert code == 0
    assert took < desktop.SHUTDOWN_WITHIN_S + 1
    assert not any(t for t in asyncio.all_tasks(qloop) if not t.done())


def test_the_duty_panel_loads_when_the_officer_turns_to_it(run_desk, until) -> None:  # type: ignore[no-untyped-def]
    async def scenario(window: MainWindow) -> None:
        await until(lambda: window.dashboard.model.rowCount() == 12 and window.stat_veto.count > 0)
        assert window.tabs.currentWidget() is window.dashboard
        window.tabs.setCurrentWidget(window.duty)
        # the simulated district has accounts silent for 15+ days: the handover lists them
        await until(lambda: window.duty.carry_table.rowCount() > 0)
        assert "无人值班" in window.duty.shift_label.text()

    run_desk(scenario)


def test_saved_settings_take_effect_without_a_restart(run_desk, until) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace
    from datetime import timedelta

    from jb_watchdesk.services import settings as desk_settings
    from jb_watchdesk.ui.dialogs.settings import SettingsDialog

    async def scenario(window: MainWindow) -> None:
        model = window.dashboard.model
        await until(lambda: model.rowCount() == 12 and all(model.row_at(i).account.health.value == "ok" for i in range(12)))
        duty = window.controller.watch
        assert duty is not None
        window.open_settings()
        dialog = window.findChild(SettingsDialog)
        assert dialog is not None
        wanted = replace(
            window.controller.app.settings, post_interval_s=120, max_concurrency=3, per_host_concurrency=2, repeat_minutes=2
        )
        dialog.saved.emit(wanted)
        await until(lambda: "生效" in window.statusBar().currentMessage())
        assert duty.poller.scheduler.settings.post_interval_s == 120
        http = duty.poller.connectors.http
        assert (http.settings.max_in_flight, http.settings.per_host) == (3, 2)
        assert duty.alerts.policy.repeat_after == timedelta(minutes=2)
        assert desk_settings.load(window.controller.app.workspace.root).post_interval_s == 120
        # polling goes on through the new connection pools
        await window.controller.poll_now()
        health = [(model.row_at(i).account.health.value, model.row_at(i).account.health_reason) for i in range(12)]
        assert all(h == "ok" for h, _ in health), health

    run_desk(scenario)


def test_settings_the_desk_cannot_use_are_refused_and_not_saved(run_desk, tmp_path, until) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from jb_watchdesk.services import settings as desk_settings
    from jb_watchdesk.ui.dialogs.settings import SettingsDialog

    missing = tmp_path / "no-such-ca.pem"

    async def scenario(window: MainWindow) -> None:
        duty = window.controller.watch
        assert duty is not None
        before = duty.poller.scheduler.settings
        window.open_settings()
        dialog = window.findChild(SettingsDialog)
        assert dialog is not None
        dialog.saved.emit(replace(window.controller.app.settings, ca_bundle=str(missing), post_interval_s=120))
        await until(lambda: str(missing) in window.banner.text.text())
        assert duty.poller.scheduler.settings == before
        assert desk_settings.load(window.controller.app.workspace.root).ca_bundle == ""
        # a proxy address httpx cannot use (a malformed IPv6 host): refused, nothing half-applied
        http_before = duty.poller.connectors.http.settings
        window.open_settings()
        dialogs = window.findChildren(SettingsDialog)
        dialogs[-1].saved.emit(replace(window.controller.app.settings, proxy="http://[::1:3128", post_interval_s=120))
        await until(lambda: "http://[::1:3128" in window.banner.text.text())
        assert duty.poller.scheduler.settings == before and duty.poller.connectors.http.settings == http_before
        assert desk_settings.load(window.controller.app.workspace.root).proxy == ""

    run_desk(scenario)


def test_poll_now_during_a_running_cycle_says_so(run_desk, simulated_desk, until) -> None:  # type: ignore[no-untyped-def]
    async def scenario(window: MainWindow) -> None:
        model = window.dashboard.model
        await until(lambda: model.rowCount() == 12 and all(model.row_at(i).account.health.value == "ok" for i in range(12)))
        simulated_desk.server.latency_ms = 300  # a cycle long enough to be seen running
        duty = window.controller.watch
        assert duty is not None
        running = asyncio.ensure_future(window.controller.run_cycle(force=True))
        await until(lambda: duty.poller.busy)
        await window._poll_now()  # noqa: SLF001 - what the toolbar's action runs
        assert "正在进行" in window.statusBar().currentMessage()
        simulated_desk.server.latency_ms = 0
        await running
        assert await window.controller.poll_now()  # once the cycle is over, a poll runs

    run_desk(scenario)


def test_an_unreadable_ca_bundle_in_the_settings_does_not_stop_the_desk(simulated_desk, qloop, qtbot, tmp_path, until) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from jb_watchdesk.services import settings as desk_settings

    missing = tmp_path / "office-ca.pem"
    root = simulated_desk.root
    desk_settings.save(root, replace(desk_settings.load(root), ca_bundle=str(missing)))
    app = App(workspace=Workspace(root), clock=Clock(SIM_NOW), secret_store=SecretStore(simulated_desk.keyring))
    controller = DeskController(app, Bridge(), poll_settings=PollSettings(max_concurrency=8))
    window = MainWindow(controller, tray=None)
    qtbot.addWidget(window)
    said: list[tuple[str, str]] = []
    controller.bridge.message.connect(lambda level, text: said.append((level, text)))

    async def whole() -> None:
        window.show()
        await controller.start()
        try:
            model = window.dashboard.model
            await until(lambda: model.rowCount() == 12 and all(model.row_at(i).account.health.value == "ok" for i in range(12)))
            assert [text for level, text in said if level == "error" and str(missing) in text and "设置" in text]
            assert controller.watch is not None and controller.watch.poller.connectors.http.settings.ca_bundle is None
            # other settings can still be saved while the bundle is unreadable; the fallback stands
            await controller.apply_settings(replace(app.settings, post_interval_s=120))
            assert controller.watch.poller.scheduler.settings.post_interval_s == 120
            assert controller.watch.poller.connectors.http.settings.ca_bundle is None
            # a bundle that can be read is used at once
            import certifi

            await controller.apply_settings(replace(app.settings, ca_bundle=certifi.where()))
            assert controller.watch.poller.connectors.http.settings.ca_bundle == certifi.where()
        finally:
            await controller.stop()
            window.popup.close()

    try:
        qloop.run_until_complete(whole())
    finally:
        app.close()


def test_a_failure_that_stops_polling_is_reported_and_polling_resumes(run_desk, monkeypatch: pytest.MonkeyPatch, until) -> None:  # type: ignore[no-untyped-def]
    from jb_watchdesk.domain.errors import StorageError
    from jb_watchdesk.ui import controller as controller_module

    monkeypatch.setattr(controller_module, "RETRY_WATCH_AFTER_S", 0.2)

    async def scenario(window: MainWindow) -> None:
        model = window.dashboard.model
        await until(lambda: model.rowCount() == 12 and all(model.row_at(i).account.health.value == "ok" for i in range(12)))
        duty = window.controller.watch
        assert duty is not None
        said: list[str] = []
        window.controller.bridge.message.connect(lambda level, text: said.append(text))
        real_due_count = duty.poller.due_count
        calls = {"n": 0}

        async def failing_once() -> int:
            calls["n"] += 1
            if calls["n"] == 1:
                raise StorageError("db.disk_full", path="watchdesk.sqlite3")
            return await real_due_count()

        duty.poller.due_count = failing_once  # type: ignore[method-assign]
        await until(lambda: calls["n"] >= 2)  # it failed, was reported, and the loop came back
        # a full disk pauses the watch (it retries), said with the problem and the wait
        assert any("等待中" in text and "磁盘" in text for text in said), said

    run_desk(scenario)


async def column(window: MainWindow, sql: str, *params: object) -> list[dict]:
    return await window.controller.app.store.run(lambda db: list(db.query(sql, list(params))))
