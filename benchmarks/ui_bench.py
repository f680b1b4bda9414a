"""Responsiveness of the desktop window: event-loop stalls, refresh time and time to first paint.

Offscreen (``QT_QPA_PLATFORM=offscreen``), two measurements:

1. **Live cycle.** ``jb-watchdesk simulator`` runs in a separate process with per-request
   latency; its register and credentials are imported into a temporary workspace (in-memory
   keyring). The main window is built on a qasync loop and a heartbeat ``QTimer`` (every
   ``--heartbeat-ms``) records how late each beat fires (gap − interval = stall) during one
   full poll + scan + store cycle (``WatchLoop.cycle(force=True)`` on the duty thread, as the
   desk runs it) and the refresh that follows it. The *dashboard refresh* is the status read,
   the model update and the repaint of the table; the *whole refresh* also reloads the comment
   queue and the alerts inbox. ``--sim-nice`` lowers the simulator's CPU priority: in use the
   platforms' servers are not on the duty officer's machine. Garbage-collector pauses are
   counted, since a full collection holds the GIL.
2. **Large database.** A workspace created by ``Store`` is filled with ``--big-posts`` posts and
   ``--big-comments`` comments over ``--big-accounts`` accounts (cached under ``--cache-dir``,
   keyed by the parameters and the schema version). A fresh process runs ``serve()`` on it and
   reports the time to the first completed paint of the dashboard with rows in it, measured
   from the process start and from ``serve()``, then the stalls up to that paint and the time
   of a few further dashboard and whole refreshes.

Targets (issue 5): max stall ≤ 50 ms, p99 stall ≤ 16 ms, first paint ≤ 1.5 s, refresh ≤ 100 ms.
Figures only, no assertions. Usage::

    python benchmarks/ui_bench.py [--accounts 1000] [--latency-ms 200] [--concurrency 50]
        [--big-posts 1000000] [--big-comments 1000000] [--skip-live] [--skip-big]
        [--sim-nice N] [--profile-stalls MS]

``--profile-stalls MS`` samples the GUI thread's Python stack and prints where the time went in
every stall longer than MS (a diagnostic; the sampling itself costs a little).
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import argparse
import asyncio
import csv
import gc
import hashlib
import io
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import qasync
from PySide6.QtCore import QEvent, QMessageLogContext, QObject, Qt, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QTableView

from jb_watchdesk.app import App, Clock
from jb_watchdesk.cli import main as cli
from jb_watchdesk.connectors.http import HttpSettings
from jb_watchdesk.domain.models import AccountStatus, AlertState, Platform
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.migrations import MIGRATIONS
from jb_watchdesk.storage.secrets import SERVICE, MemoryKeyring, SecretStore
from jb_watchdesk.ui.bridge import Bridge
from jb_watchdesk.ui.controller import ALERT_PAGE, COMMENT_PAGE, DeskController
from jb_watchdesk.ui.desktop import application, serve, settle_heap
from jb_watchdesk.ui.main_window import MainWindow
from jb_watchdesk.ui.views.dashboard import DashboardView

GENERATOR_VERSION = 1
TARGETS = {"max": 50.0, "p99": 16.0, "first_paint": 1500.0, "refresh": 100.0}


# -- the heartbeat -------------------------------------------------------------------------


@dataclass
class Stalls:
    """How late the heartbeat fired during one measured stretch, in milliseconds."""

    beats: list[float] = field(default_factory=list)
    wall_ms: float = 0.0

    @property
    def max(self) -> float:
        return max(self.beats, default=0.0)

    @property
    def p99(self) -> float:
        if not self.beats:
            return 0.0
        ordered = sorted(self.beats)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]

    def over(self, ms: float) -> int:
        return sum(b > ms for b in self.beats)

    def line(self) -> str:
        return (
            f"max {self.max:6.1f} ms   p99 {self.p99:5.1f} ms   beats {len(self.beats):5d}   "
            f">16 ms {self.over(16):3d}   >50 ms {self.over(50):3d}   over {self.wall_ms / 1000:.2f} s"
        )


class Heartbeat(QObject):
    """A precise timer on the GUI thread; each beat's lateness is an event-loop stall."""

    def __init__(self, interval_ms: int, sampler: StackSampler | None = None) -> None:
        super().__init__()
        self.interval_ms = interval_ms
        self.sampler = sampler
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._beat)
        self._last = 0.0
        self._started = 0.0
        self._stalls = Stalls()

    def start(self) -> None:
        self._stalls = Stalls()
        self._started = self._last = time.perf_counter()
        self.timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        stall = max(0.0, (now - self._last) * 1000 - self.interval_ms)
        self._stalls.beats.append(stall)
        if self.sampler is not None:
            self.sampler.stall(self._last, now, stall)
        self._last = now

    def stop(self) -> Stalls:
        self.timer.stop()
        now = time.perf_counter()
        # A stall still going on when measurement ends counts too.
        self._stalls.beats.append(max(0.0, (now - self._last) * 1000 - self.interval_ms))
        self._stalls.wall_ms = (now - self._started) * 1000
        return self._stalls


class StackSampler:
    """Samples the GUI thread's Python stack from another thread, to say what a stall was doing."""

    def __init__(self, threshold_ms: float, period_s: float = 0.002) -> None:
        self.threshold_ms = threshold_ms
        self.period_s = period_s
        self.target = threading.get_ident()
        self.samples: list[tuple[float, tuple[str, ...]]] = []
        self.others: list[tuple[float, tuple[str, ...]]] = []
        self.report: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        names = {}
        while not self._stop.wait(self.period_s):
            frames = sys._current_frames()  # noqa: SLF001 - a diagnostic
            at = time.perf_counter()
            frame = frames.get(self.target)
            if frame is None:
                continue
            self.samples.append((at, self._stack(frame)))
            # The other threads' innermost frames: who held the GIL when the window's thread waited.
            if len(names) != len(frames):
                names = {t.ident: t.name for t in threading.enumerate()}
            others = tuple(
                f"{names.get(ident, ident)}: " + " ← ".join(reversed(self._stack(f)[-3:]))
                for ident, f in frames.items()
                if ident not in (self.target, threading.get_ident())
            )
            self.others.append((at, others))
            if len(self.samples) > 20_000:
                del self.samples[:10_000]
                del self.others[:10_000]

    @staticmethod
    def _stack(frame: Any) -> tuple[str, ...]:
        return tuple(
            f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in traceback.extract_stack(frame)[-14:] if "ui_bench" not in f.filename
        )

    def stall(self, began: float, ended: float, stall_ms: float) -> None:
        if stall_ms < self.threshold_ms:
            return
        inside = [stack for at, stack in self.samples if began <= at <= ended]
        common = Counter(inside).most_common(3)
        self.report.append(f"stall {stall_ms:.1f} ms, {len(inside)} samples")
        for stack, count in common:
            self.report.append(f"  {count:3d}× " + " ← ".join(reversed(stack[-6:])))
        # The longest stretch the sampler itself could not run (it needs the GIL too), and what
        # the other threads were doing just before and after it.
        times = [at for at, _ in self.others if began - 0.01 <= at <= ended + 0.01]
        if len(times) >= 2:
            gap, at = max((b - a, a) for a, b in zip(times, times[1:], strict=False))
            if gap * 1000 > self.threshold_ms / 2:
                self.report.append(f"  sampler starved {gap * 1000:.0f} ms; other threads before and after:")
                for when, others in self.others:
                    if at <= when <= at + gap + 1e-6:
                        self.report.extend(f"      {line}" for line in others)


# -- part 1: one live cycle against the simulator --------------------------------------------


def start_simulator(*, accounts: int, latency_ms: int, nice: int = 0) -> tuple[subprocess.Popen[str], str]:
    """The simulator in its own process; ``nice`` lowers its CPU priority (servers are elsewhere in use)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "jb_watchdesk", "simulator", "--port", "0", "--accounts", str(accounts), "--latency-ms", str(latency_ms)],
        preexec_fn=(lambda: os.nice(nice)) if nice else None,  # noqa: PLW1509 - no threads yet
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    return process, line.split(" on ", 1)[1].split(" ", 1)[0]


def import_simulated(base: str, root: Path) -> MemoryKeyring:
    """The simulator's register imported into ``root``; its credentials in a memory keyring."""
    register = root.parent / "register.csv"
    register.write_bytes(httpx.get(f"{base}/_sim/register.csv").content)
    assert cli(["--data-dir", str(root), "accounts", "import", str(register)], out=io.StringIO()) == 0
    listing = io.StringIO()
    cli(["--data-dir", str(root), "accounts", "list", "--json"], out=listing)
    accounts = json.loads(listing.getvalue())
    keys = {row["name"] + "|" + row["platform"]: row for row in csv.DictReader(io.StringIO(register.read_text("utf-8-sig")))}
    credentials = {row["key"]: row["secrets"] for row in httpx.get(f"{base}/_sim/credentials").json()}
    backend = MemoryKeyring()
    for account in accounts:
        key = keys[account["name"] + "|" + account["platform"]]["note"].removeprefix("sim:")
        for name, value in credentials[key].items():
            backend.set_password(SERVICE, f"{account['id']}:{name}", value)
    return backend


async def settle(seconds: float) -> None:
    """Let Qt process what is queued (paints, deferred layout) for a while."""
    await asyncio.sleep(seconds)


async def refresh_breakdown(controller: DeskController, window: MainWindow | None = None) -> dict[str, float]:
    """``DeskController.refresh`` step by step: each store read and each model update, in ms.

    The reads run on the store's thread (the loop waits); the updates run on the GUI thread
    (the loop is blocked while they do).
    """
    assert controller.watch is not None
    parts: dict[str, float] = {}
    now, store, bridge = controller.app.clock.now(), controller.app.store, controller.bridge

    async def timed(name: str, work: Any) -> Any:
        started = time.perf_counter()
        result = await work
        parts[name] = (time.perf_counter() - started) * 1000
        return result

    def shown(name: str, emit: Callable[[], None]) -> None:
        started = time.perf_counter()
        emit()
        parts[name] = (time.perf_counter() - started) * 1000

    read = controller.runner.read
    rows = await timed("read status", read(ops.account_status, store, now=now))
    shown("show status", lambda: bridge.statusChanged.emit(rows))
    if window is not None:
        # In the desk the repaint is an event of its own, after the update: the loop turns between.
        await asyncio.sleep(0)
        shown("paint", window.dashboard.table.viewport().repaint)
    queue = await timed("read comments", read(ops.list_comments, store, now=now, pending_only=True, limit=COMMENT_PAGE))
    shown("show comments", lambda: bridge.commentsChanged.emit(queue, len(queue)))
    new = await timed("read alerts (new)", read(ops.list_alerts, store, states=(AlertState.NEW,), limit=ALERT_PAGE))
    old = await timed(
        "read alerts (old)", read(ops.list_alerts, store, states=(AlertState.ACKNOWLEDGED, AlertState.RESOLVED), limit=ALERT_PAGE)
    )
    shown("show alerts", lambda: bridge.alertsChanged.emit(new + old, {r.account.id: r.account.name for r in rows}))
    return parts


def dashboard_ms(parts: dict[str, float]) -> float:
    """The dashboard's refresh: its read, the model update and the repaint of the table."""
    return parts["read status"] + parts["show status"] + parts.get("paint", 0.0)


async def dashboard_refresh(controller: DeskController, window: MainWindow) -> float:
    """Read the status, update the dashboard model, repaint the table now; in ms."""
    started = time.perf_counter()
    rows = await controller.runner.read(ops.account_status, controller.app.store, now=controller.app.clock.now())
    controller.bridge.statusChanged.emit(rows)
    await asyncio.sleep(0)  # as in the desk, the repaint is an event of its own
    window.dashboard.table.viewport().repaint()
    return (time.perf_counter() - started) * 1000


def breakdown_line(parts: dict[str, float]) -> str:
    return "   ".join(f"{name} {ms:.1f}" for name, ms in parts.items())


@dataclass
class LiveFigures:
    cycle_s: float = 0.0
    accounts_ok: int = 0
    accounts_failed: int = 0
    new_posts: int = 0
    new_comments: int = 0
    alerts: int = 0
    notifications: int = 0
    cycle_stalls: Stalls = field(default_factory=Stalls)
    shown_stalls: Stalls = field(default_factory=Stalls)
    refresh_ms: float = 0.0
    refresh_stalls: Stalls = field(default_factory=Stalls)
    notify_stalls: Stalls = field(default_factory=Stalls)
    steady_refresh_ms: list[float] = field(default_factory=list)
    steady_dashboard_ms: list[float] = field(default_factory=list)
    steady_stalls: Stalls = field(default_factory=Stalls)
    first_breakdown: dict[str, float] = field(default_factory=dict)
    breakdown: dict[str, float] = field(default_factory=dict)
    whole: Stalls = field(default_factory=Stalls)


async def live_cycle(app: App, args: argparse.Namespace, sampler: StackSampler | None) -> LiveFigures:
    """One cycle and what the window does after it, phase by phase, as ``DeskController._on_cycle``
    runs them: the cycle summary, the refresh (dashboard, comment queue, alerts), the notifications."""
    figures = LiveFigures()
    settings = PollSettings(max_concurrency=args.concurrency, per_host_concurrency=args.concurrency)
    controller = DeskController(app, Bridge(), poll_settings=settings, http_settings=HttpSettings(trust_env=False, total_timeout=60))
    window = MainWindow(controller, tray=None)
    window.show()
    whole = Heartbeat(args.heartbeat_ms)
    beat = Heartbeat(args.heartbeat_ms, sampler)
    try:
        # What DeskController.start() does, minus the background loops: the cycle is driven here,
        # on the duty thread as in the desk.
        await controller.start_services()
        settle_heap()  # as serve() does after start-up
        await controller.refresh()
        await settle(0.3)
        whole.start()

        beat.start()
        started = time.perf_counter()
        cycle = await controller.run_cycle(force=True)
        figures.cycle_s = time.perf_counter() - started
        figures.cycle_stalls = beat.stop()
        changes = cycle.poll
        figures.accounts_ok, figures.accounts_failed = changes.accounts_ok, changes.accounts_failed
        figures.new_posts, figures.new_comments, figures.alerts = len(changes.new_posts), len(changes.new_comments), len(cycle.scan.raised)
        figures.notifications = len(cycle.notifications)

        beat.start()
        controller.bridge.cycleFinished.emit(cycle)
        await settle(0.2)
        figures.shown_stalls = beat.stop()

        # The refresh that follows a cycle: status + comments + alerts, models updated (first data),
        # DeskController.refresh's steps timed one by one.
        beat.start()
        started = time.perf_counter()
        figures.first_breakdown = await refresh_breakdown(controller, window)
        figures.refresh_ms = (time.perf_counter() - started) * 1000
        await settle(0.5)  # the repaint of the new rows happens after the refresh returns
        figures.refresh_stalls = beat.stop()

        beat.start()
        if cycle.notifications:
            controller.bridge.notifications.emit(list(cycle.notifications))
        await settle(0.3)
        figures.notify_stalls = beat.stop()

        # Steady state: the same accounts again (the 30-second refresh loop's case).
        beat.start()
        for _ in range(args.refreshes):
            started = time.perf_counter()
            await controller.refresh()
            figures.steady_refresh_ms.append((time.perf_counter() - started) * 1000)
            await settle(0.1)
            figures.steady_dashboard_ms.append(await dashboard_refresh(controller, window))
            await settle(0.1)
        figures.steady_stalls = beat.stop()
        figures.breakdown = await refresh_breakdown(controller, window)
        figures.whole = whole.stop()
    finally:
        await controller.stop()
        window.popup.close()
        window.close()
        window.deleteLater()
    return figures


def quiet_offscreen() -> None:
    """The offscreen platform cannot raise windows and says so each time the pop-up is raised."""
    previous = None

    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if "does not support raise()" in message:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)


class GcPauses:
    """How long each collection of the cyclic garbage collector held the GIL, by generation."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._started) * 1000)

    def line(self) -> str:
        return "   ".join(
            f"gen{g} {len(p)}× max {max(p, default=0):.1f} ms" for g, p in self.pauses.items()
        )


def run_live(args: argparse.Namespace) -> None:
    qapp = application(args.language)
    gc_pauses = GcPauses()
    gc.callbacks.append(gc_pauses)
    quiet_offscreen()
    process, base = start_simulator(accounts=args.accounts, latency_ms=args.latency_ms, nice=args.sim_nice)
    sampler = StackSampler(args.profile_stalls) if args.profile_stalls else None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "ws"
            backend = import_simulated(base, root)
            loop = qasync.QEventLoop(qapp)
            asyncio.set_event_loop(loop)
            if sampler is not None:
                sampler.start()
            with App(workspace=Workspace(root), clock=Clock(), secret_store=SecretStore(backend)) as app:
                figures = loop.run_until_complete(live_cycle(app, args, sampler))
            loop.run_until_complete(asyncio.sleep(0))
            asyncio.set_event_loop(None)
            loop.close()
    finally:
        if sampler is not None:
            sampler.close()
        process.terminate()
        process.wait(timeout=10)

    print("== live cycle against the simulator ==")
    print(f"accounts                     {args.accounts}, latency {args.latency_ms} ms, concurrency {args.concurrency}")
    print(f"simulator                    own process, nice {args.sim_nice}, on the same {os.cpu_count()} cores")
    print(f"accounts ok / failed         {figures.accounts_ok} / {figures.accounts_failed}")
    print(f"new posts / comments / alerts {figures.new_posts} / {figures.new_comments} / {figures.alerts}")
    print(f"cycle wall time              {figures.cycle_s:.2f} s")
    print(f"garbage collections          {gc_pauses.line()}")
    print(f"stalls during the cycle      {figures.cycle_stalls.line()}")
    print(f"stalls, cycle summary shown  {figures.shown_stalls.line()}")
    first_dashboard = dashboard_ms(figures.first_breakdown)
    print(f"dashboard refresh after it   {first_dashboard:.1f} ms   (status read, model update, repaint; first data)")
    print(f"whole refresh after it       {figures.refresh_ms:.1f} ms   (also the comment queue and the alerts inbox)")
    print(f"  step by step                {breakdown_line(figures.first_breakdown)} (ms)")
    print(f"stalls, refresh + repaint    {figures.refresh_stalls.line()}")
    print(f"stalls, {figures.notifications:3d} notifications   {figures.notify_stalls.line()}")
    steady = figures.steady_refresh_ms
    board = figures.steady_dashboard_ms
    print(f"steady dashboard refresh     median {statistics.median(board):.1f} ms   max {max(board):.1f} ms   ({len(board)} runs)")
    print(f"steady whole refresh         median {statistics.median(steady):.1f} ms   max {max(steady):.1f} ms   ({len(steady)} runs)")
    print(f"stalls, steady refreshes     {figures.steady_stalls.line()}")
    print(f"  step by step                {breakdown_line(figures.breakdown)} (ms)")
    print(f"stalls, whole run            {figures.whole.line()}")
    print(verdict("max stall", figures.whole.max, TARGETS["max"]))
    print(verdict("p99 stall", figures.whole.p99, TARGETS["p99"]))
    print(verdict("dashboard refresh after the cycle", first_dashboard, TARGETS["refresh"]))
    print(verdict("dashboard refresh, steady (median)", statistics.median(board), TARGETS["refresh"]))
    print(verdict("whole refresh after the cycle", figures.refresh_ms, TARGETS["refresh"]))
    if sampler is not None and sampler.report:
        print(f"-- stalls over {args.profile_stalls} ms (GUI thread, innermost call first) --")
        print("\n".join(sampler.report))


def verdict(what: str, value: float, target: float) -> str:
    return f"  {what:<28} {value:8.1f} ms  (target ≤ {target:.0f} ms: {'met' if value <= target else 'MISSED'})"


# -- part 2: the large database ----------------------------------------------------------------

PLATFORMS = [p.value for p in Platform]
HEALTH = [
    ("ok", 0.90, ""),
    ("degraded", 0.05, "http.5xx: upstream error"),
    ("failing", 0.03, "http.timeout: no answer"),
    ("auth_expired", 0.02, "auth.expired: token expired"),
]


def big_key(args: argparse.Namespace) -> str:
    schema = hashlib.sha256("|".join(MIGRATIONS.names()).encode()).hexdigest()[:10]
    return f"a{args.big_accounts}-p{args.big_posts}-c{args.big_comments}-o{args.open_share}-g{GENERATOR_VERSION}-s{schema}"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="microseconds")


def generate_big(root: Path, args: argparse.Namespace) -> datetime:
    """A workspace with the schema ``Store`` makes, bulk-filled in one transaction per table.

    Each account has the same number of posts, spread over three years with the newest in the
    last days (a few accounts fall silent weeks ago), and as many comments; ``--open-share`` of
    the comments are still open (the rest acknowledged and answered). Returns the instant the
    data describes, which the measurement then uses as "now".
    """
    rng = random.Random(20261125)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    now_ts = now.timestamp()
    now_s = _iso(now_ts)
    Store(Workspace(root).database, backups_dir=Workspace(root).backups).close()
    conn = sqlite3.connect(Workspace(root).database, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    indexes = [
        (name, sql)
        for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('posts', 'comments') AND sql IS NOT NULL"
        )
    ]
    conn.execute("BEGIN")
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')

    accounts = args.big_accounts
    posts_each = args.big_posts // accounts
    comments_each = args.big_comments // accounts
    span = 3 * 365 * 86400.0
    account_rows = []
    for i in range(1, accounts + 1):
        roll, health, reason = rng.random(), "ok", ""
        for name, share, why in HEALTH:
            if roll < share:
                health, reason = name, why
                break
            roll -= share
        status = AccountStatus.ACTIVE.value
        if i % 50 == 0:
            status = AccountStatus.TO_CLOSE.value
        elif i % 97 == 0:
            status = AccountStatus.CLOSED.value
        account_rows.append(
            (
                i, f"政务账号{i:04d}", PLATFORMS[i % len(PLATFORMS)], f"江北区单位{i % 60:02d}", status,
                _iso(now_ts - 30 * 86400) if status != "active" else None, f"值班员{i % 12}", health, reason,
                _iso(now_ts - 86400) if health != "ok" else None, _iso(now_ts - 400 * 86400), _iso(now_ts - 300),
                _iso(now_ts - 500 * 86400), now_s,
            )
        )  # fmt: skip
    conn.executemany(
        "INSERT INTO accounts (id, name, platform, unit, status, status_changed_at, owner, health, health_reason,"
        " health_since, first_polled_at, last_polled_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        account_rows,
    )

    body = "区政府发布：本周政务服务事项调整说明，请市民朋友关注办理时间与地点的变化。" * 2

    def posts() -> Iterator[tuple[Any, ...]]:
        for account in range(1, accounts + 1):
            # Most accounts post until today; every 17th fell silent 10–40 days ago.
            newest = now_ts - (rng.uniform(10, 40) * 86400 if account % 17 == 0 else rng.uniform(0, 2) * 86400)
            step = span / posts_each
            for k in range(posts_each):
                published = newest - (posts_each - 1 - k) * step - rng.uniform(0, step / 2)
                stamp = _iso(published)
                deleted = stamp if k % 100 == 37 else None
                url = f"https://example.invalid/{account}/{k}"
                yield (account, f"p{k:07d}", f"第{k}期 政务动态", body, body[:40], url, stamp, stamp, stamp, f"{k:x}", deleted)

    conn.executemany(
        "INSERT INTO posts (account_id, external_id, title, body, digest, url, published_at, first_seen_at, updated_at,"
        " content_hash, deleted_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        posts(),
    )

    def comments() -> Iterator[tuple[Any, ...]]:
        for account in range(1, accounts + 1):
            first_post = (account - 1) * posts_each + 1
            for k in range(comments_each):
                created = now_ts - rng.uniform(0, span) if rng.random() > 0.01 else now_ts - rng.uniform(0, 3 * 86400)
                ack_due, result_due = created + 3600, created + 7 * 86400
                open_ = rng.random() < args.open_share
                acked = done = None
                if not open_:
                    acked = min(now_ts, created + rng.uniform(300, 7200))
                    done = min(now_ts, acked + rng.uniform(3600, 4 * 86400))
                elif rng.random() < 0.4:
                    acked = min(now_ts, created + rng.uniform(300, 7200))
                yield (
                    account, first_post + rng.randrange(posts_each), f"c{k:07d}", f"市民{k % 997}", "请问办事大厅周末是否开放？谢谢。",
                    _iso(created), _iso(ack_due), _iso(result_due), 1 if k % 5 == 0 else 0, _iso(created), _iso(created),
                    None if acked is None else _iso(acked), None if acked is None else "值班员", None if done is None else _iso(done),
                    None if done is None else "值班员", now_s if k % 200 == 11 else None,
                )  # fmt: skip

    conn.executemany(
        "INSERT INTO comments (account_id, post_id, external_id, author, text, created_at, ack_due, result_due,"
        " result_due_estimated, first_seen_at, updated_at, acked_at, acked_by, done_at, done_by, deleted_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        comments(),
    )
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return now


def big_workspace(args: argparse.Namespace) -> tuple[Path, datetime, float | None]:
    """The cached large workspace (generated on first use); seconds spent generating, if any."""
    cache = Path(args.cache_dir) / big_key(args)
    meta = cache / "bench.json"
    if meta.exists():
        return cache / "ws", datetime.fromisoformat(json.loads(meta.read_text())["now"]), None
    partial = cache.with_name(cache.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    started = time.perf_counter()
    now = generate_big(partial / "ws", args)
    (partial / "bench.json").write_text(json.dumps({"now": now.isoformat()}))
    shutil.rmtree(cache, ignore_errors=True)
    partial.rename(cache)
    return cache / "ws", now, time.perf_counter() - started


class PaintProbe(QObject):
    """Notes the first paint of the dashboard table once it has rows, and when that paint is done."""

    def __init__(self, on_painted: Callable[[float, float], None]) -> None:
        super().__init__()
        self.on_painted = on_painted
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self.seen or event.type() != QEvent.Type.Paint:
            return False
        table = watched.parent()
        if isinstance(table, QTableView) and isinstance(table.parent(), DashboardView) and table.model().rowCount() > 0:
            self.seen = True
            began = time.time()
            # The paint runs right after this filter returns; the next turn of the loop is after it.
            QTimer.singleShot(0, lambda: self.on_painted(began, time.time()))
        return False


def first_paint_child(args: argparse.Namespace) -> int:
    """In a fresh process: ``serve()`` the large workspace, report first paint and refresh times."""
    root, as_of = Path(args.child_workspace), datetime.fromisoformat(args.child_now)
    qapp = application(args.language)
    quiet_offscreen()
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    figures: dict[str, Any] = {"qt_ready": time.time()}
    painted: asyncio.Future[tuple[float, float]] = loop.create_future()
    probe = PaintProbe(lambda began, done: painted.done() or painted.set_result((began, done)))
    qapp.installEventFilter(probe)
    sampler = StackSampler(args.profile_stalls) if args.profile_stalls else None
    if sampler is not None:
        sampler.start()
    beat = Heartbeat(args.heartbeat_ms, sampler)

    async def main(app: App) -> None:
        beat.start()
        figures["serve"] = time.time()
        served = asyncio.ensure_future(serve(app, poll_settings=PollSettings()))
        figures["paint_began"], figures["painted"] = await asyncio.wait_for(painted, timeout=120)
        qapp.removeEventFilter(probe)
        figures["startup_stalls"] = beat.stop().__dict__
        window = next(w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow))
        figures["rows"] = window.dashboard.model.rowCount()
        await settle(0.5)
        times, boards = [], []
        beat.start()
        for _ in range(args.refreshes):
            started = time.perf_counter()
            await window.controller.refresh()
            times.append((time.perf_counter() - started) * 1000)
            await settle(0.1)
            boards.append(await dashboard_refresh(window.controller, window))
            await settle(0.1)
        figures["refresh_stalls"] = beat.stop().__dict__
        figures["breakdown"] = await refresh_breakdown(window.controller, window)
        figures["refresh_ms"] = times
        figures["dashboard_ms"] = boards
        figures["comment_rows"] = window.comments.model.rowCount()
        window.quitRequested.emit()
        await served

    with App(workspace=Workspace(root), clock=Clock(as_of), secret_store=SecretStore(MemoryKeyring())) as app:
        loop.run_until_complete(main(app))
    # Closing the loop joins its worker threads (feed parsing, keyring) before Qt goes away.
    loop.close()
    if sampler is not None:
        sampler.close()
        figures["profile"] = sampler.report
    print(json.dumps(figures))
    return 0


def run_big(args: argparse.Namespace) -> None:
    root, as_of, generated = big_workspace(args)
    size = sum(p.stat().st_size for p in root.glob("*.sqlite3*")) / 1e6
    command = [sys.executable, __file__, "--child-workspace", str(root), "--child-now", as_of.isoformat()]
    command += ["--refreshes", str(args.refreshes), "--heartbeat-ms", str(args.heartbeat_ms), "--language", args.language]
    if args.profile_stalls:
        command += ["--profile-stalls", str(args.profile_stalls)]
    spawned = time.time()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        print(result.stdout, result.stderr, file=sys.stderr)
        raise SystemExit("the first-paint process failed")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    from_start = (figures["painted"] - spawned) * 1000
    from_serve = (figures["painted"] - figures["serve"]) * 1000
    startup = Stalls(**figures["startup_stalls"])
    refresh = Stalls(**figures["refresh_stalls"])
    times = figures["refresh_ms"]

    print(f"== large database: {args.big_accounts} accounts, {args.big_posts:,} posts, {args.big_comments:,} comments ==")
    made = f", generated in {generated:.1f} s" if generated is not None else ", cached"
    print(f"database                     {root} ({size:.0f} MB){made}")
    print(f"rows shown                   dashboard {figures['rows']}, comment queue {figures['comment_rows']}")
    print(f"process start → Qt ready     {(figures['qt_ready'] - spawned) * 1000:.0f} ms (interpreter and imports)")
    print(f"first paint from start       {from_start:.0f} ms")
    paint_at = (figures["paint_began"] - figures["serve"]) * 1000
    print(f"first paint from serve()     {from_serve:.0f} ms   (paint event at {paint_at:.0f} ms)")
    print(f"stalls, serve() → paint      {startup.line()}")
    boards = figures["dashboard_ms"]
    for label, runs in (("dashboard refresh", boards), ("whole refresh", times)):
        print(f"{label:<28} first {runs[0]:.1f} ms   median {statistics.median(runs):.1f} ms   max {max(runs):.1f} ms   ({len(runs)} runs)")
    print(f"stalls, refreshes            {refresh.line()}")
    print(f"  one, step by step           {breakdown_line(figures['breakdown'])} (ms)")
    print(verdict("first paint (from start)", from_start, TARGETS["first_paint"]))
    print(verdict("first paint (from serve)", from_serve, TARGETS["first_paint"]))
    print(verdict("dashboard refresh (median)", statistics.median(boards), TARGETS["refresh"]))
    print(verdict("whole refresh (median)", statistics.median(times), TARGETS["refresh"]))
    print(verdict("max stall, refreshes", refresh.max, TARGETS["max"]))
    if figures.get("profile"):
        print(f"-- stalls over {args.profile_stalls} ms (GUI thread, innermost call first) --")
        print("\n".join(figures["profile"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--heartbeat-ms", type=int, default=5)
    parser.add_argument(
        "--sim-nice", type=int, default=0, help="run the simulator at this lower CPU priority (it shares this machine's cores)"
    )
    parser.add_argument("--refreshes", type=int, default=5, help="steady-state refreshes to time")
    parser.add_argument("--language", default="zh")
    parser.add_argument("--big-accounts", type=int, default=1000)
    parser.add_argument("--big-posts", type=int, default=1_000_000)
    parser.add_argument("--big-comments", type=int, default=1_000_000)
    parser.add_argument("--open-share", type=float, default=0.02, help="share of the large database's comments still open")
    parser.add_argument("--cache-dir", default=str(Path(tempfile.gettempdir()) / "jb-watchdesk-ui-bench"))
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--profile-stalls", type=float, default=0.0, metavar="MS")
    parser.add_argument("--child-workspace", help=argparse.SUPPRESS)
    parser.add_argument("--child-now", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_workspace:
        return first_paint_child(args)
    if not args.skip_live:
        run_live(args)
    if not args.skip_big:
        run_big(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
