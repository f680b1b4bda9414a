"""Triage in the window: one count everywhere, a calm first poll, one pop-up entry per item with all
its hits, bulk acknowledgement with a ledger row per alert, Esc to defer.

Against the real loopback simulator (``run_desk``); a live post is one published an hour before
the desk's instant and first read after the account's first poll.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from jb_watchdesk.cli import main
from jb_watchdesk.domain.alerts import AlertDraft
from jb_watchdesk.domain.models import AlertState, ItemKind
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage import audit
from jb_watchdesk.ui.main_window import MainWindow
from jb_watchdesk.ui.tray import Tray
from jb_watchdesk.ui.widgets.highlight import marked_texts

SIM_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # the simulated_desk fixture's instant
SEEDED = 1_150


async def column(window: MainWindow, sql: str, *params: object) -> list[dict]:
    return await window.controller.app.store.run(lambda db: list(db.query(sql, list(params))))


def _cli_json(root: object, *args: str) -> list[dict]:
    out = io.StringIO()
    assert main(["--data-dir", str(root), "alerts", *args, "--json"], out=out) == 0
    return json.loads(out.getvalue())


def _drafts(account_ids: list[int]) -> list[AlertDraft]:
    """More than a page of alerts on made-up items: a third live, every fifth high."""
    drafts = []
    for i in range(SEEDED):
        live = i % 3 == 0
        seen = SIM_NOW - timedelta(minutes=5)
        drafts.append(
            AlertDraft(
                account_id=account_ids[i % len(account_ids)], item_kind=ItemKind.POST, item_id=900_000 + i,
                category="advertising", severity=Severity.HIGH if i % 5 == 0 else Severity.MEDIUM, rule="ad.superlative",
                text="全国第一", context=f"本店全国第一 #{i}", published_at=seen - (timedelta(hours=1) if live else timedelta(days=40)),
                seen_at=seen, backlog=not live,
            )  # fmt: skip
        )
    return drafts


def test_the_tile_banner_tray_tab_and_command_line_agree_beyond_a_page(run_desk, simulated_desk, until, first_cycle) -> None:  # type: ignore[no-untyped-def]
    tray = Tray()

    async def scenario(window: MainWindow) -> None:
        await first_cycle(window, until)
        store = window.controller.app.store
        await store.run(alert_store.record_alerts, _drafts(sorted(simulated_desk.ids.values())), now=SIM_NOW)
        await window.controller.refresh()
        # the seeded live high alerts are notified on the loop's next tick: the banner shows the count
        await until(lambda: window.banner.isVisible() and window.popup.isVisible(), timeout=20)
        await window.controller.refresh()

        new = _cli_json(simulated_desk.root)
        every = _cli_json(simulated_desk.root, "--state", "all")
        assert len(every) > 1_000
        opened = sum(a["state"] == "new" for a in new)
        live = sum(not a["backlog"] for a in new)
        backlog = sum(a["backlog"] for a in new)
        high_live = sum(not a["backlog"] and a["severity"] == "high" for a in new)
        assert opened == len(new) > 500 and live and backlog and high_live

        assert window.stat_alerts.count == opened
        assert window.stat_alerts.detail.text() == f"实时 {live} · 存量 {backlog}"
        banner = window.banner.text.text()
        assert f"待查看的告警：{live}（高风险 {high_live}）" in banner and f"另有存量待核查 {backlog} 条" in banner
        assert f"新告警 {opened}（实时 {live}，其中高风险 {high_live}；存量 {backlog}）" in tray.toolTip()
        assert tray.counts is not None and tray.counts.open == opened
        assert window.tabs.tabText(window.tabs.indexOf(window.alerts)) == f"告警（{opened}）"
        pager = window.alerts.pager
        assert pager.label.text() == f"显示第 1–500 条，共 {len(every)} 条"
        assert window.alerts.model.rowCount() == 500
        assert all(window.alerts.model.row_at(r).state is AlertState.NEW for r in range(500))  # new first

        pager.next.click()
        await until(lambda: pager.offset == 500)
        assert pager.label.text() == f"显示第 501–1000 条，共 {len(every)} 条"

        window.alerts.filters.show_backlog()  # the "待核查存量" view
        await until(lambda: pager.offset == 0 and pager.total == backlog)
        assert all(window.alerts.model.row_at(r).backlog for r in range(window.alerts.model.rowCount()))

    try:
        run_desk(scenario, tray=tray)
    finally:
        tray.deleteLater()


def test_the_first_poll_raises_backlog_alerts_and_no_pop_up(run_desk, until, first_cycle) -> None:  # type: ignore[no-untyped-def]
    async def scenario(window: MainWindow) -> None:
        await first_cycle(window, until)
        await until(lambda: window.stat_alerts.count > 0)
        rows = await column(window, "SELECT backlog, COUNT(*) AS n FROM alerts GROUP BY backlog")
        assert rows == [{"backlog": 1, "n": window.stat_alerts.count}]
        assert window.stat_alerts.detail.text() == f"实时 0 · 存量 {window.stat_alerts.count}"
        assert window.stat_alerts.state == "low"  # calm: counted, not an emergency
        assert not window.popup.isVisible() and not window.popup.entries
        assert not window.banner.isVisible()
        # the list's refreshes never put backlog in the pop-up either
        await window.controller.refresh()
        window.pop_up(window.alerts.model.rows())
        assert not window.popup.isVisible() and not window.popup.entries

    run_desk(scenario)


async def _live_pop_up(window: MainWindow, until, simulated_desk, first_cycle, publish_live_post, external_id: str = "live-1") -> int:  # type: ignore[no-untyped-def]
    await first_cycle(window, until)
    account_id = sorted(simulated_desk.ids.values())[0]
    post_id = await publish_live_post(window, account_id=account_id, external_id=external_id)
    assert await window.controller.poll_now()
    await until(lambda: window.popup.isVisible() and window.popup.current_entry is not None)
    return post_id


def test_a_live_post_pops_up_once_with_all_its_hits(run_desk, simulated_desk, until, first_cycle, publish_live_post) -> None:  # type: ignore[no-untyped-def]
    async def scenario(window: MainWindow) -> None:
        post_id = await _live_pop_up(window, until, simulated_desk, first_cycle, publish_live_post)
        popup = window.popup
        (entry,) = popup.entries
        assert entry.key == (ItemKind.POST, post_id)
        assert {alert.category for alert in entry.alerts} == {"secret", "privacy"}
        privacy = next(alert for alert in entry.alerts if alert.category == "privacy")
        assert len(privacy.hits) >= 2 and not privacy.backlog
        assert popup.position.text() == "第 1 / 1 项"
        assert "发布于" in popup.meta.text() and "1 小时前" in popup.meta.text() and "首次发现" in popup.meta.text()
        assert popup.alert_list.count() == 2
        popup.alert_list.setCurrentRow([a.id for a in entry.alerts].index(privacy.id))
        assert "110105********002X" in popup.matched.text()
        assert "110105********002X" in marked_texts(popup.context)
        assert "11010519491231002X" not in popup.context.toPlainText() + popup.matched.text()
        # another poll: the same item is not queued twice
        assert await window.controller.poll_now()
        assert len(popup.entries) == 1 and len(popup.entries[0].alerts) == 2

    run_desk(scenario)


def test_acknowledging_all_of_a_post_writes_a_ledger_row_per_alert(run_desk, simulated_desk, until, first_cycle, publish_live_post) -> None:  # type: ignore[no-untyped-def]
    async def scenario(window: MainWindow) -> None:
        post_id = await _live_pop_up(window, until, simulated_desk, first_cycle, publish_live_post)
        popup = window.popup
        ids = sorted(alert.id for alert in popup.entries[0].alerts)
        store = window.controller.app.store
        before = await store.run(audit.anchor)
        assert not popup.ack_item_button.isEnabled()  # a note is required
        popup.note.setText("已通知发布单位撤稿并核实")
        popup.ack_item_button.click()
        assert not popup.isVisible()

        async def acknowledged() -> bool:
            rows = await column(window, "SELECT state FROM alerts WHERE item_kind = 'post' AND item_id = ?", post_id)
            return all(row["state"] == "acknowledged" for row in rows)

        await until(acknowledged, timeout=10)
        after = await store.run(audit.anchor)
        assert after.seq - before.seq == len(ids) == 2
        ledger = await column(window, "SELECT kind, ref_id, payload FROM ledger WHERE seq > ? ORDER BY seq", before.seq)
        assert sorted(row["ref_id"] for row in ledger) == ids
        assert all(row["kind"] == "alert_ack" and "已通知发布单位撤稿并核实" in row["payload"] for row in ledger)
        await until(lambda: window.stat_alerts.detail.text().startswith("实时 0 "))

    run_desk(scenario)


def test_esc_defers_the_item(run_desk, simulated_desk, until, first_cycle, publish_live_post) -> None:  # type: ignore[no-untyped-def]
    async def scenario(window: MainWindow) -> None:
        post_id = await _live_pop_up(window, until, simulated_desk, first_cycle, publish_live_post)
        popup = window.popup
        ids = sorted(alert.id for alert in popup.entries[0].alerts)
        before = await window.controller.app.store.run(audit.anchor)
        QTest.keyClick(popup, Qt.Key.Key_Escape)
        assert not popup.isVisible() and not popup.entries

        async def deferred() -> bool:
            rows = await column(window, "SELECT deferred_until, state FROM alerts WHERE item_kind = 'post' AND item_id = ?", post_id)
            return all(row["deferred_until"] and row["state"] == "new" for row in rows)

        await until(deferred, timeout=10)
        alerts = await store_alerts(window, ids)
        assert all(alert.deferred_until == SIM_NOW + timedelta(minutes=15) for alert in alerts)
        ledger = await column(window, "SELECT kind, ref_id FROM ledger WHERE seq > ? ORDER BY seq", before.seq)
        assert sorted(row["ref_id"] for row in ledger) == ids and {row["kind"] for row in ledger} == {"alert_defer"}
        # a list refresh does not bring a deferred item back into the pop-up
        await window.controller.refresh()
        window.pop_up(alerts)
        assert not popup.isVisible()

    run_desk(scenario)


async def store_alerts(window: MainWindow, ids: list[int]) -> list:  # type: ignore[type-arg]
    return await window.controller.app.store.run(alert_store.get_alerts, ids)
