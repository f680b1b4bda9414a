"""An asyncio event loop on a thread of its own.

The window's event loop paints and answers the officer; the duty loop makes thousands of HTTP
requests per cycle. Sharing one loop means every burst of responses delays the next repaint, so
the desk runs the duty loop here and the window awaits its results (``await thread.run(coro)``).

Objects bound to a loop (locks, semaphores, connection pools) must be created and used on the
loop that owns them: create them inside a coroutine passed to :meth:`LoopThread.run`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def standard_event_loop() -> asyncio.AbstractEventLoop:
    """A plain asyncio loop, whatever loop policy is installed: the window's ``qasync.run``
    installs one whose loops are Qt's, and those may only run on the GUI thread."""
    if sys.platform == "win32":
        return asyncio.ProactorEventLoop()
    return asyncio.SelectorEventLoop()


class LoopThread:
    """Runs an event loop on a daemon thread until :meth:`aclose` (or :meth:`close`)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._loop = standard_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _main(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        loop.call_soon(self._ready.set)
        try:
            loop.run_forever()
        finally:
            try:
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                loop.run_until_complete(
                    asyncio.gather(*pending, return_exceptions=True)
                )
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._loop.is_closed()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start ``coro`` on this thread's loop; the future is thread-safe."""
        if not self.running:
            coro.close()
            raise RuntimeError(f"{self.name} is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` here and await its result from another loop.

        Cancelling the awaiting task cancels ``coro`` too; its exceptions reach the awaiter.
        """
        return await asyncio.wrap_future(self.submit(coro))

    def call_soon(self, fn: Callable[..., object], *args: object) -> None:
        """Call ``fn(*args)`` on this thread's loop (for plain state changes)."""
        self._loop.call_soon_threadsafe(fn, *args)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the loop (pending tasks are cancelled) and wait for the thread."""
        if self._thread.is_alive():
            try:
                self._loop.call_soon_threadsafe(self._loop.stop)
            except RuntimeError:  # closed in between
                pass
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("%s did not stop within %.0f s", self.name, timeout)

    async def aclose(self, timeout: float = 5.0) -> None:
        """:meth:`close` without blocking the calling loop."""
        await asyncio.to_thread(self.close, timeout)
