"""An officer's action is one operation, and the window refreshes only what its Changes names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jb_watchdesk.domain.models import AlertState
from jb_watchdesk.services.changes import Changes
from jb_watchdesk.storage.db import Store
from jb_watchdesk.ui.main_window import MainWindow


class Counted:
    """Every unit of work the store runs for the window's thread pool, by function name."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.writes: list[str] = []
        self.reads: list[str] = []
        for method, into in (("call", self.writes), ("query", self.reads)):
            original = getattr(store, method)

            def counted(fn: Callable[..., Any], /, *args: Any, _original: Any = original, _into: list[str] = into, **kwargs: Any) -> Any:
                _into.append(getattr(fn, "__name__", repr(fn)))
                return _original(fn, *args, **kwargs)

            monkeypatch.setattr(store, method, counted)


def test_acknowledging_an_alert_reads_only_the_counts(run_desk, until, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    async def scenario(window: MainWindow) -> None:
        controller = window.controller
        await until(lambda: window.alerts.model.new_count() > 0 and window.stat_alerts.count > 0)
        controller.set_paused(True)  # no poll cycle in between
        new = next(window.alerts.model.row_at(row) for row in range(window.alerts.model.rowCount()) if window.alerts.model.row_at(row).state is AlertState.NEW)
        before = window.stat_alerts.count
        shown: list[str] = []
        bridge = controller.bridge
        bridge.statusChanged.connect(lambda *_: shown.append("status"))
        bridge.commentsChanged.connect(lambda *_: shown.append("comments"))
        bridge.alertsChanged.connect(lambda *_: shown.append("alerts list"))
        bridge.alertCountsChanged.connect(lambda *_: shown.append("alert counts"))
        announced: list[Changes] = []
        controller.runner.didExecute.connect(lambda changes, _: announced.append(changes))
        counted = Counted(controller.app.store, monkeypatch)

        window.acknowledge_alert(new.id, "已通知发布单位撤稿")
        await until(lambda: window.stat_alerts.count == before - 1, timeout=10)

        assert counted.writes == ["acknowledge"]
        assert counted.reads == ["count_alerts"]
        assert shown == ["alert counts"]
        (changes,) = announced
        assert changes.alerts and not (changes.status or changes.comments or changes.shift)
        model = window.alerts.model
        position = next(r for r in range(model.rowCount()) if model.row_at(r).id == new.id)
        row = model.row_at(position)
        assert row.state is AlertState.ACKNOWLEDGED and row.ack_note == "已通知发布单位撤稿"
        # it moved below every new alert, as a full reload orders the inbox
        assert all(model.row_at(r).state is AlertState.NEW for r in range(position))
        assert all(model.row_at(r).state is not AlertState.NEW for r in range(position, model.rowCount()))

    run_desk(scenario)


def test_a_poll_cycle_shows_the_status_rows_it_computed(run_desk, until, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """The cycle computes every account's status once, for its inspections; the overview shows those rows."""

    async def scenario(window: MainWindow) -> None:
        controller = window.controller
        cycles: list[object] = []
        controller.bridge.cycleFinished.connect(cycles.append)
        await until(lambda: bool(cycles))  # the first cycle is over; no other starts while paused
        controller.set_paused(True)
        counted = Counted(controller.app.store, monkeypatch)
        statuses: list[object] = []
        controller.bridge.statusChanged.connect(statuses.append)
        assert await controller.poll_now()
        await until(lambda: bool(statuses))
        assert counted.reads.count("_status_rows") == 1

    run_desk(scenario)
