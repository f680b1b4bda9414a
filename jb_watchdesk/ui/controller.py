"""The window's owner of background work: the watch loop, refreshes and officer actions.

Every coroutine started here is kept in ``self._tasks`` until it ends, and cancelled on
``stop()``; nothing blocks the event loop: the store, the keyring, the scanner and the
exports all run on their own threads and are awaited.

The watch loop (polling, scanning, notifications) runs on its own event loop on the
``watch`` thread, so a cycle's thousands of responses never queue in front of a repaint.
Everything that touches the :class:`WatchLoop` goes through ``self.worker``; the window's
loop only reads the store and shows what a finished cycle changed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

from jb_watchdesk.ui.alarm import Alarm
from jb_watchdesk.app import App, HttpSettings, check_ca_bundle, http_settings_from, reconfigure_watch, running_watch
from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import InputError, WatchdeskError
from jb_watchdesk.domain.models import Account
from jb_watchdesk.services import allow_phrases
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.changes import Changes
from jb_watchdesk.services.watch import Cycle, WatchLoop
from jb_watchdesk.services.lexicon_files import LexiconReport
from jb_watchdesk.services.loop_thread import LoopThread
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.services.settings import DeskSettings
from jb_watchdesk.domain.alerts import Alert, AlertFilter
from jb_watchdesk.ui.alert_pages import PAGE_SIZE, read_page
from jb_watchdesk.ui.bridge import Bridge
from jb_watchdesk.services.problems import error_text
from jb_watchdesk.ui.runner import Runner

log = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(seconds=30)
ALERT_PAGE = PAGE_SIZE
COMMENT_PAGE = 2_000
CLOSE_WATCH_WITHIN_S = 3.0
RETRY_WATCH_AFTER_S = 60.0
STORAGE_WAIT_IN_BANNER_S = 30.0


class DeskController:
    def __init__(
        self, app: App, bridge: Bridge, *, poll_settings: PollSettings | None = None, http_settings: HttpSettings | None = None
    ) -> None:
        self.app = app
        self.bridge = bridge
        self.poll_settings = poll_settings or PollSettings()
        self.http_settings = http_settings
        self.watch: WatchLoop | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stop = asyncio.Event()
        self._stack = contextlib.AsyncExitStack()  # entered and closed on the watch thread
        self._stopped = False
        self.worker: LoopThread | None = None
        self._ca_fallback: str | None = None  # the unreadable CA bundle the desk runs without
        self._gui_loop: asyncio.AbstractEventLoop | None = None
        self.officer = ""
        self._names: dict[int, str] = {}
        self.comment_limit = COMMENT_PAGE
        self.lexicon: LexiconReport | None = None  # what the scanner's last lexicon load gave
        # The sound at the workstation while an escalation waits (silenced by acknowledging).
        self.alarm = Alarm(enabled=app.settings.escalation_sound)
        self.runner = Runner()
        self.alert_selection = AlertFilter()
        """Which alerts the inbox lists (the officer's filters), and from which row."""
        self.alert_offset = 0
        self.show_alerts_in_place: Callable[[Sequence[Alert]], bool] | None = None
        """Set by the window: shows alerts where they are listed; False if any is not listed."""

    # -- task ownership ---------------------------------------------------------------

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Run ``coro`` as a task this controller owns; its failure is reported, never lost."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, WatchdeskError):
            self.bridge.say("error", error_text(error))
        elif error is not None:
            log.error("background task %s failed", task.get_name(), exc_info=error)
            self.bridge.say("error", messages.text("ui.error.internal"))

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        await self.start_services()
        self.spawn(self.refresh(), name="first refresh")
        self.spawn(self._on_worker(self._watch_loop()), name="watch loop")
        self.spawn(self._refresh_loop(), name="refresh loop")

    async def start_services(self) -> None:
        """The watch thread and the services on it (HTTP client, scanner), without the loops."""
        self._gui_loop = asyncio.get_running_loop()
        # Opened here, off the GUI thread, before two threads can race to open them first.
        await asyncio.to_thread(self.app.open_all)
        self.worker = LoopThread("watch")
        try:
            self.watch = await self.worker.run(self._open_watch())
        except InputError as error:
            # The settings name a CA bundle that cannot be read (moved, unreadable): the desk still
            # starts, on the system's certificates, and says what to fix.
            base = self.http_settings or http_settings_from(self.app.settings)
            if not base.ca_bundle or error.params.get("path") != base.ca_bundle:
                raise
            self.http_settings = dataclasses.replace(base, ca_bundle=None)
            self._ca_fallback = base.ca_bundle
            self.bridge.say("error", messages.text("settings.ca_fallback", problem=error_text(error)))
            self.watch = await self.worker.run(self._open_watch())
        if self.lexicon is not None:
            self._show_lexicon(self.lexicon)

    async def _open_watch(self) -> WatchLoop:  # on the watch thread
        running = running_watch(self.app, settings=self.poll_settings, http_settings=self.http_settings)
        watch = await self._stack.enter_async_context(running)
        self.lexicon = await watch.load_lexicon()
        return watch

    async def _watch_loop(self) -> None:  # on the watch thread
        """The watch loop, for as long as the desk runs: a failure that stops it (a full disk, a
        locked database, a bug) is reported and the loop starts again after a pause."""
        assert self.watch is not None
        while True:
            try:
                await self.watch.run(asyncio.Event(), on_cycle=self._deliver)
                return
            except Exception as error:  # noqa: BLE001 - reported to the officer, then retried
                assert self._gui_loop is not None
                self._gui_loop.call_soon_threadsafe(self._watch_failed, error)
                await asyncio.sleep(RETRY_WATCH_AFTER_S)

    def _watch_failed(self, error: Exception) -> None:
        if not isinstance(error, WatchdeskError):
            log.error("the watch loop failed", exc_info=error)
        problem = error_text(error) if isinstance(error, WatchdeskError) else messages.text("ui.error.internal")
        self.bridge.say("error", messages.text("watch.loop_failed", problem=problem, seconds=int(RETRY_WATCH_AFTER_S)))

    async def _deliver(self, cycle: Cycle) -> None:  # on the watch thread
        """Hand a finished cycle to the window and wait until it is shown (cycles never pile up)."""
        assert self._gui_loop is not None
        shown: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._gui_loop.call_soon_threadsafe(self._show_cycle, cycle, shown)
        await asyncio.wrap_future(shown)

    def _show_cycle(self, cycle: Cycle, shown: concurrent.futures.Future[None]) -> None:
        if self._stopped:
            shown.cancel()
            return
        task = self.spawn(self._on_cycle(cycle), name="show cycle")

        def done(_: asyncio.Task[Any]) -> None:
            with contextlib.suppress(concurrent.futures.InvalidStateError):
                shown.set_result(None)

        task.add_done_callback(done)

    async def _on_worker(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run ``coro`` on the watch thread; cancelling the caller cancels it there too."""
        if self.worker is None:
            coro.close()
            raise RuntimeError("the desk has not started")
        return await self.worker.run(coro)

    async def stop(self) -> None:
        """Cancel every task, close the services and the watch thread. A second call is a no-op."""
        if self._stopped:
            return
        self._stopped = True
        self._stop.set()
        self.alarm.stop()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.worker is not None:
            try:
                # Bounded, so the window's own shutdown limit is never spent waiting here alone.
                await asyncio.wait_for(self.worker.run(self._close_watch()), timeout=CLOSE_WATCH_WITHIN_S)
            except TimeoutError:
                log.warning("the watch thread did not close within %.0f s", CLOSE_WATCH_WITHIN_S)
            finally:
                await self.worker.aclose(timeout=1.0)

    async def _close_watch(self) -> None:  # on the watch thread
        """Let the cancelled cycle finish unwinding before its HTTP client and scanner close.

        Only the work the desk submitted to the watch thread is cancelled, and only if ``stop``
        has not cancelled it already: a task cancelled a second time while httpcore closes its
        connection (or a task closing a retired pool) would stop halfway and leave sockets open.
        The services close even when this is cancelled (``stop`` no longer waiting).
        """
        assert self.worker is not None
        current = asyncio.current_task()
        work = [task for task in self.worker.work() if task is not current]
        for task in work:
            if not task.cancelling():
                task.cancel()
        try:
            if work:
                # asyncio.wait, not gather: cancelling this must not cancel the work a second time.
                await asyncio.wait(work)
        finally:
            await self._stack.aclose()

    @property
    def paused(self) -> bool:
        return self.watch is not None and self.watch.poller.paused

    def set_paused(self, paused: bool) -> None:
        if self.watch is not None:
            self.watch.poller.paused = paused
            self.bridge.pollingChanged.emit(not paused)

    # -- data --------------------------------------------------------------------------

    def _show_lexicon(self, report: LexiconReport) -> None:
        self.lexicon = report
        self.bridge.lexiconChanged.emit(report)

    async def _on_cycle(self, cycle: Cycle) -> None:
        if cycle.storage_wait is not None:
            # "数据库忙，等待中…": in the status line; from the 30 s pauses on in the banner too
            long_wait = cycle.storage_wait.seconds >= STORAGE_WAIT_IN_BANNER_S
            self.bridge.say("error" if long_wait else "warning", cycle.storage_wait.line())
            return
        if cycle.lexicon is not None:
            self._show_lexicon(cycle.lexicon)
        if cycle.poll.run_id is not None:
            self.bridge.cycleFinished.emit(cycle)
        # Refreshed first, so a pop-up can name the account and the inbox already lists the alert.
        await self.apply_changes(cycle.changes)
        self.runner.announce(cycle.changes, cycle)
        if cycle.notifications:
            self.bridge.notifications.emit(list(cycle.notifications))
        if cycle.escalations is not None:
            self.alarm.update(cycle.escalations)
            if cycle.escalations.news:
                # what escalated (sound, the leader told) and any channel that failed, in the banner
                self.bridge.say("error", "\n".join(cycle.escalations.lines()))

    async def _refresh_loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=REFRESH_EVERY.total_seconds())
            if not self._stop.is_set():
                try:
                    await self.refresh()
                except WatchdeskError as error:  # a locked database, say: told, and tried again next time
                    self.bridge.say("error", error_text(error))

    async def refresh(self) -> None:
        """Reload the overview, the comment queue and the alerts inbox from the store.

        Time alone changes freshness and deadlines, so this runs every ``REFRESH_EVERY``; what
        the officer and the poll cycle change is shown through :meth:`apply_changes` instead.
        """
        changes = Changes(status=True, comments=True, alerts=True)
        await self.apply_changes(changes)
        self.runner.announce(changes)  # the duty panels' open items age with the clock too

    async def apply_changes(self, changes: Changes) -> None:
        """Refresh what ``changes`` names, from the rows it carries where it can.

        Status rows a poll cycle computed are shown as they are; alerts an officer handled are
        replaced in the inbox in place (and the counters re-read); anything else is re-read.
        """
        if changes.status:
            rows = changes.status_rows
            if rows is None:
                rows = tuple(await self.runner.read(ops.account_status, self.app.store, now=self.app.clock.now()))
            self._names = {row.account.id: row.account.name for row in rows}
            self.bridge.statusChanged.emit(list(rows))
        if changes.comments:
            await self.refresh_comments()
        if changes.alerts:
            if changes.alert_rows and not changes.status_rows and self._shown_in_place(changes.alert_rows):
                await self.refresh_alert_counts()
            else:
                await self.refresh_alerts()

    def _shown_in_place(self, alerts: Sequence[Alert]) -> bool:
        """Whether the window updated these alerts where they are listed (none of them new to it)."""
        return self.show_alerts_in_place is not None and self.show_alerts_in_place(alerts)

    async def refresh_comments(self, *, now: datetime | None = None) -> None:
        """The open comments, most urgent first, as many as the officer has scrolled to."""
        limit = self.comment_limit
        rows = await self.runner.read(ops.list_comments, self.app.store, now=now or self.app.clock.now(), pending_only=True, limit=limit)
        self.bridge.commentsChanged.emit(rows, limit)

    async def more_comments(self) -> None:
        """The officer scrolled to the end of the queue: read the next page too."""
        self.comment_limit += COMMENT_PAGE
        await self.refresh_comments()

    async def refresh_alerts(self) -> None:
        """The page of the inbox the officer is on (new alerts first), its "of N", and the counts."""
        store = self.app.store
        page = await self.runner.read(read_page, store, self.alert_selection, offset=self.alert_offset, page_size=ALERT_PAGE)
        self.alert_offset = page.offset
        if not self._names:
            self._names = {a.id: a.name for a in await self.runner.read(ops.list_accounts, store)}
        self.bridge.alertsChanged.emit(page.alerts, dict(self._names))
        self.bridge.alertPageChanged.emit(page)
        await self.refresh_alert_counts()

    async def show_alert_page(self, selection: AlertFilter, offset: int) -> None:
        """The officer filtered the inbox or turned a page."""
        self.alert_selection, self.alert_offset = selection, max(0, offset)
        await self.refresh_alerts()

    async def refresh_alert_counts(self) -> None:
        self.bridge.alertCountsChanged.emit(await self.runner.read(ops.alert_counts, self.app.store, now=self.app.clock.now()))

    async def poll_now(self) -> bool:
        """The officer asked for a poll: every account, now (backoffs still apply).

        False when a cycle was already running: its results are shown when it ends.
        """
        cycle = await self.run_cycle(force=True)
        if cycle.poll.skipped:
            return False
        await self._on_cycle(cycle)
        return True

    async def run_cycle(self, *, force: bool = False) -> Cycle:
        """One watch cycle on the watch thread, not shown."""
        assert self.watch is not None
        return await self._on_worker(self.watch.cycle(force=force))

    async def probe(self, account: Account) -> str:
        """Test an account's connection (nothing is stored); raises CheckFailed saying what went wrong."""
        assert self.watch is not None
        return await self._on_worker(self.watch.poller.probe(account))

    def reset_schedule(self, account_id: int) -> None:
        """An account was edited: poll it at the next cycle, without its backoff."""
        if self.watch is not None and self.worker is not None:
            self.worker.call_soon(self.watch.poller.scheduler.reset, account_id)

    async def apply_settings(self, settings: DeskSettings) -> None:
        """Saved settings take effect now: poll intervals, concurrency, proxy, CA bundle, repeats.

        Settings the desk cannot use raise and change nothing.
        """
        wanted = http_settings_from(settings)
        # Still the bundle that could not be read at start (perhaps from JB_WATCHDESK_CA_BUNDLE)?
        # Then other settings may change meanwhile; the system's certificates stay until it is fixed.
        still_unreadable = False
        if self._ca_fallback is not None and wanted.ca_bundle == self._ca_fallback:
            try:
                await asyncio.to_thread(check_ca_bundle, wanted)  # reads the file: off the GUI thread
            except InputError:
                still_unreadable = True
        http = dataclasses.replace(wanted, ca_bundle=None) if still_unreadable else wanted
        if self.watch is not None and self.worker is not None:
            watch, now = self.watch, self.app.clock.now()

            async def apply() -> None:  # on the watch thread, which owns the HTTP pools
                reconfigure_watch(watch, settings, now=now, http=http)

            await self._on_worker(apply())
        if not still_unreadable:
            self._ca_fallback = None
        self.poll_settings = settings.poll()
        self.http_settings = http if still_unreadable else None
        self.officer = settings.officer
        self.alarm.set_enabled(settings.escalation_sound)

    # -- officer actions ------------------------------------------------------------------

    async def run(self, operation: Callable[..., Changes], /, *args: Any, **kwargs: Any) -> Changes:
        """One officer operation off the GUI thread; the panes its changes name are refreshed."""
        changes = await self.runner.mutate(operation, *args, **kwargs)
        await self.apply_changes(changes)
        return changes

    async def acknowledge_alert(self, alert_id: int, note: str) -> None:
        await self.run(ops.acknowledge_alert, self.app.store, alert_id, officer=self.officer_name(), note=note, now=self.app.clock.now())

    async def acknowledge_alerts(self, selections: Sequence[AlertFilter], note: str) -> list[Alert]:
        """Acknowledge every new alert each selection takes, with one note (one ledger row per alert)."""
        done: list[Alert] = []
        for selection in selections:
            changes = await self.run(
                ops.acknowledge_alerts, self.app.store, selection, officer=self.officer_name(), note=note, now=self.app.clock.now()
            )
            done.extend(changes.result)
        return done

    async def defer_alerts(self, selections: Sequence[AlertFilter], choice: str) -> list[Alert]:
        """Put off every new alert each selection takes (15 minutes, an hour, the rest of the shift)."""
        done: list[Alert] = []
        for selection in selections:
            changes = await self.run(
                ops.defer_alerts, self.app.store, selection, choice=choice, officer=self.officer_name(), now=self.app.clock.now()
            )
            done.extend(changes.result)
        return done

    async def allow_phrase(self, alert_id: int, phrase: str, note: str) -> allow_phrases.AllowOutcome:
        """The officer disagrees with an alert: allow the phrase, acknowledge the alert, reload the lexicon.

        The file and the store are written on a worker thread, the lexicon is rebuilt on the scan
        service's thread; the next scans honour the phrase.
        """
        app = self.app
        changes = await self.run(
            ops.allow_phrase, app.store, app.workspace.root, phrase, note=note, officer=self.officer_name(), now=app.clock.now(), alert_id=alert_id
        )
        if changes.lexicon and self.watch is not None:
            self._show_lexicon(await self._on_worker(self.watch.load_lexicon()))
        outcome = changes.result
        assert isinstance(outcome, allow_phrases.AllowOutcome)
        return outcome

    async def comment_action(self, comment_id: int, *, done: bool, note: str) -> None:
        operation = ops.finish_comment if done else ops.acknowledge_comment
        await self.run(operation, self.app.store, comment_id, officer=self.officer_name(), note=note, now=self.app.clock.now())

    def officer_name(self) -> str:
        if self.officer:
            return self.officer
        import getpass

        try:
            return getpass.getuser()
        except OSError:
            return "officer"
