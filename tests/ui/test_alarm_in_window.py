"""The window sounds the alarm while a cycle's escalation report says something waits, shows what
escalated in the banner, and falls silent when the report names nothing (acknowledged)."""

from __future__ import annotations

from datetime import UTC, datetime

from jb_watchdesk.services.escalation import EscalationReport, Step, Subject, Taken
from jb_watchdesk.services.poller import PollResult
from jb_watchdesk.services.watch import Cycle
from jb_watchdesk.ui.alarm import Alarm
from jb_watchdesk.ui.main_window import MainWindow

AT = datetime(2026, 11, 30, 2, 10, tzinfo=UTC)


def test_an_escalation_cycle_sounds_and_says_so_until_nothing_waits(run_desk, until, first_cycle) -> None:  # type: ignore[no-untyped-def]
    plays: list[int] = []

    async def scenario(window: MainWindow) -> None:
        await first_cycle(window, until)
        controller = window.controller
        controller.alarm = Alarm(player=lambda: plays.append(1))
        taken = Taken(subject=Subject.ALERT, ref_id=7, step=Step.SOUND, at=AT, line="高风险告警 7 · 江北发布")
        waiting = EscalationReport(taken=(taken,), sounding=((Subject.ALERT, 7),))
        await controller._on_cycle(Cycle(poll=PollResult(), escalations=waiting))  # noqa: SLF001 - the cycle handler itself
        assert controller.alarm.sounding and plays == [1]
        assert "高风险告警 7 · 江北发布" in window.banner.text.text()
        await controller._on_cycle(Cycle(poll=PollResult(), escalations=EscalationReport()))  # noqa: SLF001
        assert not controller.alarm.sounding
        await controller._on_cycle(Cycle(poll=PollResult(), escalations=waiting))  # noqa: SLF001
        assert controller.alarm.sounding

    run_desk(scenario)
