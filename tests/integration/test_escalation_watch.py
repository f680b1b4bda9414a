"""The watch loop runs the escalation check every tick: the app builds it with the channels from its
keyring, each step reaches ``on_cycle`` (``Cycle.escalations``), the webhook hears once, and the
sound stops being asked for once the alert is acknowledged."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from jb_watchdesk.app import App, running_watch
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import escalation
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.escalation import Step
from jb_watchdesk.services.watch import Cycle
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.secrets import MemoryKeyring, SecretStore
from tests.integration.test_escalation import KEY, RAISED, N, Webhook, raise_alert


@dataclass
class MovingClock:
    at: object

    def now(self):  # type: ignore[no-untyped-def]
        return self.at


def test_the_loop_escalates_each_tick_and_stops_after_acknowledgement(
    tmp_path: Path, memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    clock = MovingClock(RAISED)
    with Webhook() as hook, App(workspace=Workspace(tmp_path / "ws"), clock=clock, secret_store=SecretStore(memory_keyring)) as app:  # type: ignore[arg-type]
        escalation.store_channels(app.secrets, hook.url() + "\n")
        app.store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1")], now=RAISED)
        alert_id = raise_alert(app.store, 1)
        cycles: list[Cycle] = []

        async def main() -> None:
            async def seen(cycle: Cycle) -> None:
                cycles.append(cycle)

            async def until(condition) -> None:  # type: ignore[no-untyped-def]
                deadline = time.monotonic() + 30
                while not condition():
                    assert time.monotonic() < deadline, "the loop did not get there"
                    await asyncio.sleep(0.01)

            def steps() -> list[Step]:
                return [t.step for c in cycles if c.escalations for t in c.escalations.taken]

            stop = asyncio.Event()
            async with running_watch(app) as watch:
                task = asyncio.create_task(watch.run(stop, on_cycle=seen, tick_s=0.01))
                clock.at = RAISED + N
                await until(lambda: steps() == [Step.SOUND])
                assert cycles[-1].escalations is not None and cycles[-1].escalations.sounding
                assert cycles[-1].changes.alerts and cycles[-1].changes.ledger
                clock.at = RAISED + 2 * N
                await until(lambda: steps() == [Step.SOUND, Step.MESSAGE])
                clock.at = RAISED + 3 * N
                await asyncio.to_thread(ops.acknowledge_alert, app.store, alert_id, officer="张三", note="已处理", now=RAISED + 3 * N)
                await until(lambda: cycles[-1].escalations is not None and cycles[-1].escalations.sounding == ())
                stop.set()
                await task
            assert steps() == [Step.SOUND, Step.MESSAGE]

        asyncio.run(main())
        assert len(hook.received) == 1 and KEY not in str(hook.received[0][1])
        warnings = [r.getMessage() for r in caplog.records if r.name == "jb_watchdesk.services.escalation"]
        assert len(warnings) == 2 and all(KEY not in w for w in warnings)  # headless mode logs each step
