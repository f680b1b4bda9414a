"""The whole desk in a test: a qasync loop over the session's QApplication, a started window on the
simulated district (``simulated_desk`` from tests/conftest.py), and a wait that keeps the loop running."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
import qasync
from PySide6.QtWidgets import QApplication

from jb_watchdesk.app import App, Clock
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.storage.secrets import SecretStore
from jb_watchdesk.ui.bridge import Bridge
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui.main_window import MainWindow
from jb_watchdesk.ui.tray import Tray
from jb_watchdesk.ui.views.duty import DutyView

SIM_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # the simulated_desk fixture's instant

Until = Callable[..., Awaitable[None]]


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    loop.run_until_complete(asyncio.sleep(0))
    asyncio.set_event_loop(None)
    loop.close()


async def _until(condition: Callable[[], Awaitable[bool] | bool], *, timeout: float = 30.0) -> None:
    """Wait on the running loop (never outside it: qasync runs task steps only while it runs)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


@pytest.fixture
def until() -> Until:
    return _until


@pytest.fixture
def run_desk(simulated_desk, qloop, qtbot):  # type: ignore[no-untyped-def]
    """Run ``scenario(window)`` with a started desk, all within one pass of the event loop."""
    assert simulated_desk.now == SIM_NOW

    def run(scenario: Callable[[MainWindow], Awaitable[None]], *, tray: Tray | None = None) -> None:
        app = App(workspace=Workspace(simulated_desk.root), clock=Clock(SIM_NOW), secret_store=SecretStore(simulated_desk.keyring))
        controller = DeskController(app, Bridge(), poll_settings=PollSettings(max_concurrency=8))
        controller.officer = "值班员甲"
        window = MainWindow(controller, tray=tray)
        qtbot.addWidget(window)

        async def whole() -> None:
            window.show()
            await controller.start()
            try:
                await scenario(window)
            finally:
                await controller.stop()
                window.popup.close()

        try:
            qloop.run_until_complete(whole())
        finally:
            app.close()

    return run


async def column(window: MainWindow, sql: str, *params: object) -> list[dict]:
    return await window.controller.app.store.run(lambda db: list(db.query(sql, list(params))))


LIVE_BODY = "内部通知（机密★10年）：联系人身份证号11010519491231002X，手机13812345678。"
"""A post that raises two high alerts (a secrecy marking; an ID number with a phone number and a cue)."""


async def _first_cycle(window: MainWindow, until: Until) -> None:
    """Wait until the first poll of every account is shown, then pause polling."""
    cycles: list[object] = []
    window.controller.bridge.cycleFinished.connect(cycles.append)
    await until(lambda: bool(cycles) and window.dashboard.model.rowCount() == 12)
    window.controller.set_paused(True)


async def _publish_live_post(window: MainWindow, *, account_id: int, external_id: str, body: str = LIVE_BODY) -> int:
    """A post published an hour ago on an account already polled, first read a minute after the
    desk's instant (so it is news, not backlog); returns its id. The next cycle scans it."""
    from datetime import timedelta

    from jb_watchdesk.connectors.base import FetchedPost
    from jb_watchdesk.storage import ingest

    post = FetchedPost(
        external_id=external_id, title="通知", body=body, digest="", url=f"https://example.cn/{external_id}",
        published_at=SIM_NOW - timedelta(hours=1),
    )  # fmt: skip
    store = window.controller.app.store
    read_at = SIM_NOW + timedelta(minutes=1)
    await store.run(lambda db: ingest.record_success(db, account_id=account_id, posts=[post], comments=[], now=read_at))
    rows = await column(window, "SELECT id FROM posts WHERE account_id = ? AND external_id = ?", account_id, external_id)
    return int(rows[0]["id"])


@pytest.fixture
def first_cycle() -> Callable[[MainWindow, Until], Awaitable[None]]:
    return _first_cycle


@pytest.fixture
def publish_live_post() -> Callable[..., Awaitable[int]]:
    return _publish_live_post


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop for driving one view; a task left pending fails the test (it would otherwise be
    destroyed while pending and reported in some later test)."""
    loop = qasync.QEventLoop(QApplication.instance())
    asyncio.set_event_loop(loop)
    yield loop
    assert not [task for task in asyncio.all_tasks(loop) if not task.done()]
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def view(qtbot: Any, app: App, loop: qasync.QEventLoop) -> Iterator[DutyView]:
    """The duty panel over the test module's ``app``, refreshed once."""
    widget = DutyView(DeskController(app, Bridge()))
    qtbot.addWidget(widget)
    loop.run_until_complete(widget.refresh())
    yield widget
    widget.close()
