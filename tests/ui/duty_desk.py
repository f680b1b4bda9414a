"""What the duty-panel and window tests share: a clock moved by hand, a desk on a temporary
workspace with the in-memory keyring, and ways to run the view's coroutines to their end."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import qasync

from jb_watchdesk.app import App
from jb_watchdesk.domain import messages
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import register
from jb_watchdesk.storage.secrets import MemoryKeyring, SecretStore


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


def desk_app(root: Path, clock: FakeClock, *, register_csv: str | None = None) -> App:
    """A desk on ``root/ws`` (Chinese messages); ``register_csv`` imported as of 30 days before the clock."""
    app = App(workspace=Workspace(root / "ws"), clock=clock, secret_store=SecretStore(MemoryKeyring()))  # type: ignore[arg-type]
    if register_csv is not None:
        source = root / "accounts.csv"
        source.write_text(register_csv, encoding="utf-8")
        register.import_register(app.store, source, now=clock.now() - timedelta(days=30))
    messages.set_language("zh")
    return app


def run(loop: qasync.QEventLoop, coro: Coroutine[Any, Any, Any]) -> Any:
    return loop.run_until_complete(coro)


async def settle() -> None:
    """Wait for every task the view's keys and buttons started through the controller."""
    await asyncio.gather(*(task for task in asyncio.all_tasks() if task is not asyncio.current_task()))
