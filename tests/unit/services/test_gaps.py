"""Monitoring gaps: a crash found from the heartbeat, a quit with who and why, a pause, a sleep;
each start and end in the ledger, and ``log verify`` green after all of them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.services import gaps, shifts
from jb_watchdesk.services.gaps import Cause, Heartbeat, Monitor
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.db import Store

T0 = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # 01:00 Shanghai, 25 Nov


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(None) as s:
        yield s


@pytest.fixture
def heartbeat(tmp_path: Path) -> Heartbeat:
    return Heartbeat.in_dir(tmp_path)


def gap_rows(store: Store) -> list[audit.LedgerRow]:
    return store.call(lambda db: [r for r in audit.rows_between(db, start=T0 - timedelta(days=1), end=T0 + timedelta(days=9))
                                  if r.kind == audit.MONITORING_GAP])


def verified(store: Store) -> bool:
    return store.call(audit.verify).ok


def test_a_crash_is_found_from_the_heartbeat_and_closed_by_the_next_cycle(store: Store, heartbeat: Heartbeat) -> None:
    first = Monitor(store=store, heartbeat=heartbeat)
    assert first.start(now=T0) == []
    first.cycle(now=T0 + timedelta(minutes=12))
    assert heartbeat.read() is not None and heartbeat.read().last_cycle == T0 + timedelta(minutes=12)  # type: ignore[union-attr]
    # the process dies here: nothing removes the heartbeat

    second = Monitor(store=store, heartbeat=heartbeat)
    (crash,) = second.start(now=T0 + timedelta(hours=2, minutes=40))
    assert crash.cause is Cause.CRASH and crash.is_open
    assert crash.started_at == T0 + timedelta(minutes=12)
    (closed,) = second.cycle(now=T0 + timedelta(hours=2, minutes=41))
    assert closed.id == crash.id and closed.ended_at == T0 + timedelta(hours=2, minutes=41)
    assert closed.duration(now=T0 + timedelta(days=1)) == timedelta(hours=2, minutes=29)
    assert [json.loads(r.payload)["event"] for r in gap_rows(store)] == ["start", "end"]
    assert gaps.list_gaps(store) == [closed]
    # a later cycle closes nothing more
    assert second.cycle(now=T0 + timedelta(hours=3)) == []
    assert verified(store)


def test_an_unreadable_heartbeat_is_still_an_unclean_stop(store: Store, heartbeat: Heartbeat) -> None:
    heartbeat.path.write_text("{not json", encoding="utf-8")
    (crash,) = Monitor(store=store, heartbeat=heartbeat).start(now=datetime.now(UTC) + timedelta(hours=1))
    assert crash.cause is Cause.CRASH and crash.started_at <= datetime.now(UTC)


def test_a_clean_quit_records_who_and_why_and_leaves_no_heartbeat(store: Store, heartbeat: Heartbeat) -> None:
    shifts.start_shift(store, officer="张三", now=T0 - timedelta(hours=1))
    run = Monitor(store=store, heartbeat=heartbeat)
    run.start(now=T0)
    run.cycle(now=T0 + timedelta(minutes=10))
    quit_gap = gaps.monitoring_stopped(store, heartbeat, now=T0 + timedelta(minutes=12), reason="系统更新重启")
    assert heartbeat.read() is None
    assert (quit_gap.cause, quit_gap.officer, quit_gap.reason) == (Cause.QUIT, "张三", "系统更新重启")
    assert quit_gap.started_at == T0 + timedelta(minutes=10) and quit_gap.is_open

    again = Monitor(store=store, heartbeat=heartbeat)
    assert again.start(now=T0 + timedelta(hours=2)) == []  # a clean stop is no crash
    (closed,) = again.cycle(now=T0 + timedelta(hours=2, minutes=1))
    assert closed.id == quit_gap.id and closed.ended_at == T0 + timedelta(hours=2, minutes=1)
    messages.set_language("zh")
    assert closed.describe() == "巡查中断 01:10–03:01（退出），原因：系统更新重启"
    assert verified(store)


def test_a_quit_without_a_cycle_starts_at_the_quit(store: Store, heartbeat: Heartbeat) -> None:
    Monitor(store=store, heartbeat=heartbeat).start(now=T0)
    gap = gaps.monitoring_stopped(store, heartbeat, now=T0 + timedelta(minutes=1))
    assert gap.started_at == T0 + timedelta(minutes=1) and gap.reason == "" and gap.officer == ""


def test_pause_to_resume_is_a_gap_and_a_quit_while_paused_ends_it(store: Store, heartbeat: Heartbeat) -> None:
    pause = gaps.pause_monitoring(store, officer="李四", now=T0)
    assert pause is not None and pause.cause is Cause.PAUSE and pause.officer == "李四"
    assert gaps.pause_monitoring(store, now=T0 + timedelta(minutes=1)) is None  # one pause at a time
    (resumed,) = gaps.resume_monitoring(store, now=T0 + timedelta(minutes=30))
    assert resumed.ended_at == T0 + timedelta(minutes=30)
    assert gaps.resume_monitoring(store, now=T0 + timedelta(minutes=31)) == []

    gaps.pause_monitoring(store, now=T0 + timedelta(hours=1))
    quit_gap = gaps.monitoring_stopped(store, heartbeat, now=T0 + timedelta(hours=2), reason="下班")
    listed = gaps.list_gaps(store)
    assert [(g.cause, g.ended_at) for g in listed] == [
        (Cause.PAUSE, T0 + timedelta(minutes=30)),
        (Cause.PAUSE, T0 + timedelta(hours=2)),
        (Cause.QUIT, None),
    ]
    assert quit_gap.started_at == T0 + timedelta(hours=2)
    assert verified(store)


def test_a_sleep_is_a_long_interval_between_turns_of_the_loop(store: Store, heartbeat: Heartbeat) -> None:
    run = Monitor(store=store, heartbeat=heartbeat, interval_s=600)
    run.start(now=T0)
    assert run.awake(now=T0 + timedelta(minutes=29), paused=False) is None  # under 3 × 10 min
    assert not run.is_late(T0 + timedelta(minutes=58))
    assert run.is_late(T0 + timedelta(minutes=29, seconds=1) + timedelta(minutes=30))
    slept = run.awake(now=T0 + timedelta(hours=4), paused=False)
    assert slept is not None and slept.cause is Cause.UNKNOWN
    assert (slept.started_at, slept.ended_at) == (T0 + timedelta(minutes=29), T0 + timedelta(hours=4))
    # while paused the pause gap covers it
    assert run.awake(now=T0 + timedelta(hours=9), paused=True) is None
    assert [json.loads(r.payload)["event"] for r in gap_rows(store)] == ["recorded"]
    assert verified(store)


def test_the_sleep_threshold_is_three_intervals_and_at_least_a_quarter_hour() -> None:
    assert gaps.sleep_threshold(60) == timedelta(minutes=15)
    assert gaps.sleep_threshold(1800) == timedelta(minutes=90)


def test_gaps_are_listed_by_overlap_with_a_period(store: Store, heartbeat: Heartbeat) -> None:
    gaps.pause_monitoring(store, now=T0)
    gaps.resume_monitoring(store, now=T0 + timedelta(hours=1))
    gaps.pause_monitoring(store, now=T0 + timedelta(hours=5))
    assert len(gaps.list_gaps(store, start=T0 + timedelta(minutes=30), end=T0 + timedelta(hours=6))) == 2
    assert len(gaps.list_gaps(store, start=T0 + timedelta(hours=2), end=T0 + timedelta(hours=3))) == 0
    (still_open,) = gaps.list_gaps(store, start=T0 + timedelta(days=3))
    assert still_open.is_open


def test_a_quit_reason_with_control_characters_is_refused(store: Store, heartbeat: Heartbeat) -> None:
    with pytest.raises(InputError):
        gaps.monitoring_stopped(store, heartbeat, now=T0, reason="bad\x1b[31m")
    assert gaps.list_gaps(store) == []


def test_the_heartbeat_is_replaced_whole(heartbeat: Heartbeat) -> None:
    heartbeat.write(gaps.Beat(started_at=T0, last_cycle=None, pid=7))
    heartbeat.write(gaps.Beat(started_at=T0, last_cycle=T0 + timedelta(minutes=5), pid=7))
    assert heartbeat.read() == gaps.Beat(started_at=T0, last_cycle=T0 + timedelta(minutes=5), pid=7)
    assert [p.name for p in heartbeat.path.parent.iterdir()] == [gaps.HEARTBEAT_FILENAME]
    heartbeat.clear()
    heartbeat.clear()
    assert heartbeat.read() is None


def test_a_heartbeat_that_cannot_be_written_never_ends_the_watch(store: Store, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data dir's folder should be", encoding="utf-8")
    monitor = Monitor(store=store, heartbeat=Heartbeat.in_dir(blocked))
    assert monitor.start(now=T0) == []
    assert monitor.cycle(now=T0 + timedelta(minutes=10)) == []
    assert not Heartbeat.in_dir(blocked).write(gaps.Beat(started_at=T0, last_cycle=None, pid=1))


def test_unwatched_time_is_cut_to_the_window_and_counts_overlaps_once() -> None:
    monday = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)

    class Span:
        def __init__(self, start: datetime, end: datetime | None) -> None:
            self.started_at, self.ended_at = start, end

    sunday_night = Span(monday - timedelta(hours=1), monday + timedelta(hours=8))
    assert gaps.unwatched([sunday_night], start=monday, end=monday + timedelta(days=7)) == timedelta(hours=8)
    assert gaps.unwatched([sunday_night], start=monday - timedelta(days=7), end=monday) == timedelta(hours=1)
    overlapping = [Span(monday, monday + timedelta(hours=2)), Span(monday + timedelta(hours=1), monday + timedelta(hours=3))]
    assert gaps.unwatched(overlapping, start=monday, end=monday + timedelta(days=1)) == timedelta(hours=3)
    still_open = Span(monday + timedelta(hours=5), None)
    assert gaps.unwatched([still_open], start=monday, end=monday + timedelta(hours=6)) == timedelta(hours=1)
