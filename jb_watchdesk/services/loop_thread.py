"""An asyncio event loop on a thread of its own.

The window's event loop paints and answers the officer; the watch loop makes thousands of HTTP
requests per cycle. Sharing one loop means every burst of responses delays the next repaint, so
the desk runs the watch loop here and the window awaits its results (``await thread.run(coro)``).

Objects bound to a loop (locks, semaphores, connection pools) must be created and used on the
loop that owns them: create them inside a coroutine passed to :meth:`LoopThread.run`.

No task here is cancelled twice: a task unwinding from one cancellation may be closing network
connections (httpcore's cancellation shield does not hold off a second ``Task.cancel()`` on
asyncio), and a second cancellation would stop that halfway.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
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
        self._work: set[asyncio.Task[Any]] = set()  # touched on the loop's thread only
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
                # The work submitted here first: it may be closing what it opened (connections, a
                # client's pools) in tasks of its own, which must not be cancelled under it.
                self._finish(loop, list(self._work))
                self._finish(loop, list(asyncio.all_tasks(loop)))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    @staticmethod
    def _finish(loop: asyncio.AbstractEventLoop, tasks: list[asyncio.Task[Any]]) -> None:
        """Cancel ``tasks`` (those not unwinding from a cancellation already) and run them out."""
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            if not task.cancelling():
                task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))

    def work(self) -> list[asyncio.Task[Any]]:
        """The tasks running what was submitted here (call it on this thread's loop)."""
        return [task for task in self._work if not task.done()]

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and not self._loop.is_closed()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Start ``coro`` on this thread's loop; the future is thread-safe.

        Cancelling the future cancels the task running ``coro`` (once); the task is one of
        :meth:`work` until it ends.
        """
        if not self.running:
            coro.close()
            raise RuntimeError(f"{self.name} is not running")
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        loop = self._loop

        def start() -> None:  # on the loop's thread
            if future.cancelled():  # given up before it started
                coro.close()
                return
            task = loop.create_task(coro)
            self._work.add(task)
            task.add_done_callback(self._work.discard)
            task.add_done_callback(lambda done: _copy_outcome(done, future))
            future.add_done_callback(lambda given_up: _cancel_from_afar(loop, task) if given_up.cancelled() else None)

        try:
            loop.call_soon_threadsafe(start)
        except RuntimeError:  # the loop closed in between
            coro.close()
            raise RuntimeError(f"{self.name} is not running") from None
        return future

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

    async def aclose(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - close()'s own join timeout, not a cancel scope
        """:meth:`close` without blocking the calling loop."""
        await asyncio.to_thread(self.close, timeout)


def _copy_outcome(task: asyncio.Task[T], future: concurrent.futures.Future[T]) -> None:
    """Hand ``task``'s outcome to ``future`` (which its caller may have cancelled meanwhile)."""
    if future.done():
        if not task.cancelled():
            task.exception()  # retrieved: nobody waits for it any more
        return
    with contextlib.suppress(concurrent.futures.InvalidStateError):  # cancelled from another thread just now
        if task.cancelled():
            future.cancel()
        elif (error := task.exception()) is not None:
            future.set_exception(error)
        else:
            future.set_result(task.result())


def _cancel_from_afar(loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any]) -> None:
    """Cancel ``task`` on its loop (from any thread), unless it is ending or cancelled already."""

    def cancel() -> None:
        if not task.done() and not task.cancelling():
            task.cancel()

    with contextlib.suppress(RuntimeError):  # the loop has closed: the task ended with it
        loop.call_soon_threadsafe(cancel)
