"""Runs officer operations off the GUI thread and announces what they changed.

Every mutation the window makes is one call of a function in
:mod:`jb_watchdesk.services.operations`: :meth:`Runner.mutate` runs it on a worker thread,
returns its :class:`~jb_watchdesk.services.changes.Changes` and emits :attr:`Runner.didExecute`
with it, so each pane refreshes only when a flag it cares about is set. Reads go through
:meth:`Runner.read` (a worker thread too: SQLite never runs on the GUI thread). A failed
operation raises to its caller; nothing is announced for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from jb_watchdesk.services.changes import Changes

T = TypeVar("T")


class Runner(QObject):
    didExecute = Signal(object, object)
    """(Changes, initiator): after each successful mutation; ``initiator`` is whoever asked, or None."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reads = 0
        """How many reads this runner made (the window's own count of database round trips)."""

    async def mutate(self, operation: Callable[..., Changes], /, *args: Any, initiator: object = None, **kwargs: Any) -> Changes:
        """Run ``operation(*args, **kwargs)`` off the GUI thread and announce its changes."""
        changes = await asyncio.to_thread(operation, *args, **kwargs)
        self.didExecute.emit(changes, initiator)
        return changes

    async def read(self, query: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a read operation off the GUI thread."""
        self.reads += 1
        return await asyncio.to_thread(query, *args, **kwargs)

    def announce(self, changes: Changes, initiator: object = None) -> None:
        """Changes made elsewhere (a poll cycle on the watch thread) reach the panes the same way."""
        if not changes.empty:
            self.didExecute.emit(changes, initiator)
