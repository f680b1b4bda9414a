"""The duty thread's event loop: results, errors and cancellation cross between loops."""

from __future__ import annotations

import asyncio
import threading

import pytest

from jb_watchdesk.services.loop_thread import LoopThread


def test_coroutines_run_on_the_thread_and_their_results_and_errors_come_back() -> None:
    worker = LoopThread("test-loop")

    async def where() -> str:
        await asyncio.sleep(0)
        return threading.current_thread().name

    async def fails() -> None:
        raise ValueError("bad")

    async def main() -> None:
        assert await worker.run(where()) == "test-loop"
        with pytest.raises(ValueError, match="bad"):
            await worker.run(fails())

    try:
        asyncio.run(main())
    finally:
        worker.close()
    assert not worker.running


def test_cancelling_the_caller_cancels_the_work_and_close_cancels_the_rest() -> None:
    worker = LoopThread("test-loop")
    cancelled = threading.Event()
    started = threading.Event()

    async def forever() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def main() -> None:
        task = asyncio.create_task(worker.run(forever()))
        await asyncio.to_thread(started.wait, 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(cancelled.wait, 5)

    asyncio.run(main())
    # a task still running when the thread closes is cancelled, not abandoned
    cancelled.clear()
    started.clear()
    future = worker.submit(forever())
    assert started.wait(5)
    worker.close()
    assert cancelled.is_set() and future.cancelled()
    with pytest.raises(RuntimeError, match="not running"):
        worker.submit(forever())


def test_the_thread_runs_a_plain_asyncio_loop_under_a_gui_loop_policy() -> None:
    """``qasync.run`` installs a policy whose new loops are Qt loops (GUI thread only)."""

    class ForeignLoop(asyncio.SelectorEventLoop):
        pass

    class ForeignPolicy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return ForeignLoop()

    previous = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(ForeignPolicy())
    try:
        worker = LoopThread("test-loop")

        async def loop_type() -> type:
            return type(asyncio.get_running_loop())

        try:
            assert worker.submit(loop_type()).result(5) is not ForeignLoop
        finally:
            worker.close()
    finally:
        asyncio.set_event_loop_policy(previous)
