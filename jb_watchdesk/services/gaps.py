"""Monitoring gaps: every span in which the desk watched nothing is part of the duty record.

A gap runs from the last completed poll cycle (or the moment monitoring stopped) to the next
completed cycle. Causes:

- ``quit``: the desk was stopped on purpose (the window's quit, Ctrl+C in ``run --headless``),
  with who and why. Recorded at the stop, open until the next start's first completed cycle.
- ``pause``: the officer paused polling; from the pause to the resume.
- ``crash``: the process ended without saying so (a crash, a kill, power loss). The running desk
  keeps a *heartbeat* file in the data dir (the time of its last completed cycle, written once
  a cycle by atomic replace); a clean stop removes it, so a heartbeat found at the next start
  means an unclean stop: a gap from its last cycle, closed by this run's first completed cycle.
- ``unknown``: the process ran but did not: the machine slept, or the process was frozen. Seen
  as a long interval between two turns of the loop (three poll intervals and at least 15
  minutes); recorded whole when the loop wakes.

A gap whose end is not known yet is *open*; the next completed cycle closes every open gap. A
crash found while a gap is already open (the desk crashed while paused, or before its first cycle)
adds nothing: the open gap already covers it. Each start and end is a ledger row.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, Protocol

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.messages import times
from jb_watchdesk.services.fields import MAX_NAME
from jb_watchdesk.services.fields import clean_field as _clean
from jb_watchdesk.storage import gaps as gap_store
from jb_watchdesk.storage import shifts as shift_store
from jb_watchdesk.storage.codec import from_db
from jb_watchdesk.storage.db import Store

HEARTBEAT_FILENAME: Final = "heartbeat.json"
MIN_SLEEP: Final = timedelta(minutes=15)
SLEEP_INTERVALS: Final = 3
MAX_REASON: Final = 500

log = logging.getLogger(__name__)


class Cause(StrEnum):
    QUIT = "quit"
    PAUSE = "pause"
    CRASH = "crash"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Gap:
    """A span in which nothing was watched; ``ended_at`` None while it is still open."""

    id: int
    started_at: datetime
    ended_at: datetime | None
    cause: Cause
    reason: str
    officer: str
    recorded_at: datetime

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def duration(self, *, now: datetime) -> timedelta:
        """How long nothing was watched (up to ``now`` for an open gap)."""
        return max(timedelta(0), (self.ended_at or now) - self.started_at)

    def to_json(self, *, now: datetime) -> dict[str, object]:
        return {
            "id": self.id,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "duration_s": int(self.duration(now=now).total_seconds()),
            "cause": self.cause.value,
            "reason": self.reason,
            "officer": self.officer,
            "recorded_at": self.recorded_at.isoformat(),
        }

    def describe(self, language: str | None = None) -> str:
        """``巡查中断 01:12–03:40（退出），原因：…`` — dates shown when the gap spans days."""
        start, end = self.started_at, self.ended_at
        same_day = end is not None and times.local(start).date() == times.local(end).date()
        shape = "%H:%M" if same_day else times.Shape.SHORT.value
        shown_end = times.local(end).strftime(shape) if end is not None else messages.text("gap.ongoing", language)
        reason = self.reason or messages.text(f"gap.default_reason.{self.cause.value}", language)
        return messages.text(
            "gap.banner",
            language,
            start=times.local(start).strftime(shape),
            end=shown_end,
            cause=messages.label("gap_cause", self.cause.value, language),
            reason=reason,
        )


class Span(Protocol):
    @property
    def started_at(self) -> datetime: ...
    @property
    def ended_at(self) -> datetime | None: ...


def unwatched(gaps: Iterable[Span], *, start: datetime, end: datetime) -> timedelta:
    """How long nothing was watched within ``[start, end)``: each gap cut to the window (an open
    one runs to ``end``), overlapping gaps counted once."""
    spans = sorted((max(gap.started_at, start), min(gap.ended_at or end, end)) for gap in gaps)
    total = timedelta(0)
    reach = start
    for begin, finish in spans:
        begin = max(begin, reach)
        if finish > begin:
            total += finish - begin
            reach = finish
    return total


def gap_of(row: Mapping[str, Any]) -> Gap:
    started, recorded = from_db(row["started_at"]), from_db(row["recorded_at"])
    assert started is not None and recorded is not None
    return Gap(
        id=int(row["id"]),
        started_at=started,
        ended_at=from_db(row["ended_at"]),
        cause=Cause(row["cause"]),
        reason=row["reason"] or "",
        officer=row["officer"] or "",
        recorded_at=recorded,
    )


# -- the heartbeat ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Beat:
    """What the heartbeat file says: when this run started and its last completed cycle."""

    started_at: datetime
    last_cycle: datetime | None
    pid: int = 0

    @property
    def last_alive(self) -> datetime:
        return self.last_cycle or self.started_at


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The file in the data dir that outlives a crash: present while the desk runs, removed by a
    clean stop. Written by atomic replace, once per completed cycle (no fsync storm)."""

    path: Path

    @classmethod
    def in_dir(cls, data_dir: Path) -> Heartbeat:
        return cls(Path(data_dir) / HEARTBEAT_FILENAME)

    def read(self) -> Beat | None:
        """The beat left in the file; None when there is none (a clean stop, or a first start).
        A file that cannot be read whole still means an unclean stop: dated by its mtime."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError:
            text = ""
        try:
            data = json.loads(text)
            started = datetime.fromisoformat(data["started_at"])
            last = datetime.fromisoformat(data["last_cycle"]) if data.get("last_cycle") else None
            if started.tzinfo is None or (last is not None and last.tzinfo is None):
                raise ValueError("naive time in heartbeat")
            return Beat(started_at=started, last_cycle=last, pid=int(data.get("pid") or 0))
        except (ValueError, KeyError, TypeError):
            try:
                mtime = self.path.stat().st_mtime
            except OSError:
                return None
            return Beat(started_at=datetime.fromtimestamp(mtime).astimezone(), last_cycle=None)

    def write(self, beat: Beat) -> bool:
        """Replace the file with ``beat``; False (logged) when it cannot be written. The heartbeat
        only helps the next start find an unclean stop: a full disk, a locked file or a folder made
        read-only never ends the watch."""
        data = {
            "started_at": beat.started_at.isoformat(),
            "last_cycle": beat.last_cycle.isoformat() if beat.last_cycle else None,
            "pid": beat.pid,
        }
        tmp = ""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".heartbeat-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(tmp, self.path)
        except OSError as error:
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
            log.warning("heartbeat %s not written: %s", self.path, error.strerror or error)
            return False
        return True

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def sleep_threshold(interval_s: float) -> timedelta:
    """A pause between two turns of the loop longer than this was not the desk's doing."""
    return max(MIN_SLEEP, timedelta(seconds=SLEEP_INTERVALS * interval_s))


# -- recording ----------------------------------------------------------------------------------


def _officer(store: Store, officer: str) -> str:
    if officer.strip():
        return _clean(officer, field_name="officer", limit=MAX_NAME, required=True)
    shift = store.call(shift_store.open_shift)
    return shift.officer if shift else ""


def monitoring_started(store: Store, heartbeat: Heartbeat, *, now: datetime) -> list[Gap]:
    """At the start of a run: a heartbeat left behind is an unclean stop (a ``crash`` gap from its
    last cycle, unless a gap is already open); then this run's heartbeat. Returns gaps recorded."""
    beat = heartbeat.read()
    found: list[Gap] = []
    if beat is not None and not store.call(gap_store.open_gaps):
        start = min(beat.last_alive, now)
        found.append(
            gap_of(store.call(gap_store.add_gap, started_at=start, ended_at=None, cause=Cause.CRASH, reason="", officer="", now=now))
        )
    heartbeat.write(Beat(started_at=now, last_cycle=None, pid=os.getpid()))
    return found


def cycle_completed(store: Store, heartbeat: Heartbeat, *, started_at: datetime, now: datetime) -> list[Gap]:
    """A cycle completed at ``now``: every open gap ends here, and the heartbeat says so.
    Returns the gaps this closed (for the banner)."""
    closed: list[Gap] = []
    if store.query(gap_store.open_gaps):
        closed = [gap_of(row) for row in store.call(gap_store.close_open_gaps, at=now, now=now)]
    heartbeat.write(Beat(started_at=started_at, last_cycle=now, pid=os.getpid()))
    return closed


def record_sleep(store: Store, *, last_seen: datetime, now: datetime) -> Gap | None:
    """The loop woke at ``now`` after nothing since ``last_seen``: an ``unknown`` gap, whole,
    unless a gap already open covers it."""
    if now <= last_seen or store.query(gap_store.open_gaps):
        return None
    row = store.call(gap_store.add_gap, started_at=last_seen, ended_at=now, cause=Cause.UNKNOWN, reason="", officer="", now=now)
    return gap_of(row)


def monitoring_stopped(store: Store, heartbeat: Heartbeat, *, now: datetime, officer: str = "", reason: str = "") -> Gap:
    """A clean stop (quit): a ``quit`` gap from the last completed cycle (or now, when a gap was
    open — it ends here — or no cycle completed), open until the next start's first cycle; the
    heartbeat is removed. Call it after the watch loop stopped, so no cycle closes the gap."""
    why = _clean(reason, field_name="reason", limit=MAX_REASON, required=False)
    who = _officer(store, officer)
    beat = heartbeat.read()
    start = now
    if store.query(gap_store.open_gaps):
        store.call(gap_store.close_open_gaps, at=now, now=now)
    elif beat is not None and beat.last_cycle is not None:
        start = min(beat.last_cycle, now)
    gap = gap_of(store.call(gap_store.add_gap, started_at=start, ended_at=None, cause=Cause.QUIT, reason=why, officer=who, now=now))
    heartbeat.clear()
    return gap


def pause_monitoring(store: Store, *, now: datetime, officer: str = "", reason: str = "") -> Gap | None:
    """The officer paused polling: a ``pause`` gap from now (None when one is already open)."""
    if any(row["cause"] == Cause.PAUSE for row in store.query(gap_store.open_gaps)):
        return None
    why = _clean(reason, field_name="reason", limit=MAX_REASON, required=False)
    who = _officer(store, officer)
    row = store.call(gap_store.add_gap, started_at=now, ended_at=None, cause=Cause.PAUSE, reason=why, officer=who, now=now)
    return gap_of(row)


def resume_monitoring(store: Store, *, now: datetime) -> list[Gap]:
    """Polling resumed: open ``pause`` gaps end now."""
    return [gap_of(row) for row in store.call(gap_store.close_open_gaps, at=now, now=now, causes=(Cause.PAUSE.value,))]


def list_gaps(store: Store, *, start: datetime | None = None, end: datetime | None = None) -> list[Gap]:
    """Gaps overlapping ``[start, end)``, oldest first."""
    return [gap_of(row) for row in store.query(gap_store.gaps_between, start=start, end=end)]


@dataclass
class Monitor:
    """The watch loop's side of the record, for one run: the heartbeat, closing gaps when a cycle
    completes, and noticing a sleep. Its methods block (SQLite, a file): run them off the loop."""

    store: Store
    heartbeat: Heartbeat
    interval_s: float = 600.0
    started_at: datetime | None = field(default=None, init=False)
    last_seen: datetime | None = field(default=None, init=False)

    def start(self, *, now: datetime) -> list[Gap]:
        self.started_at = self.last_seen = now
        return monitoring_started(self.store, self.heartbeat, now=now)

    def cycle(self, *, now: datetime) -> list[Gap]:
        self.last_seen = now
        return cycle_completed(self.store, self.heartbeat, started_at=self.started_at or now, now=now)

    def is_late(self, now: datetime) -> bool:
        """Cheap, no I/O: whether the loop was away long enough to call it a gap."""
        return self.last_seen is not None and now - self.last_seen > sleep_threshold(self.interval_s)

    def awake(self, *, now: datetime, paused: bool) -> Gap | None:
        """A turn of the loop at ``now``: after a long absence, an ``unknown`` gap (none while paused:
        the pause gap covers it)."""
        last, self.last_seen = self.last_seen, now
        if last is None or paused or now - last <= sleep_threshold(self.interval_s):
            return None
        return record_sleep(self.store, last_seen=last, now=now)

    def stop(self, *, now: datetime, officer: str = "", reason: str = "") -> Gap:
        return monitoring_stopped(self.store, self.heartbeat, now=now, officer=officer, reason=reason)
