"""The whole desk in a test: a qasync loop over the session's QApplication, a started window on the
simulated district (``simulated_desk`` from tests/conftest.py), and a wait that keeps the loop running."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime

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

    def run(scenario: Callable[[MainWindow], Awaitable[None]]) -> None:
        app = App(workspace=Workspace(simulated_desk.root), clock=Clock(SIM_NOW), secret_store=SecretStore(simulated_desk.keyring))
        controller = DeskController(app, Bridge(), poll_settings=PollSettings(max_concurrency=8))
        controller.officer = "值班员甲"
        window = MainWindow(controller, tray=None)
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
