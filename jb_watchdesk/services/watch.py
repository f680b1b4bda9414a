"""The watch loop: poll, scan what changed, raise alerts, and say what the officer must see.

It has no Qt: ``run --headless`` prints each cycle, and the window's controller shows it.
The lexicon is loaded before the first scan and again whenever its files change on disk (an
allow phrase added from the command line, an office list edited in Excel); each load's report
rides on the cycle, so a lexicon with problems is shown, never silently half in use.

A storage error that clears by itself (a database locked past the store's wait, a full disk, an
I/O error: :func:`pauses_on`) never ends the loop: the turn it broke is retried after a pause (2, 5, 10, 30, then every 60 s), each pause
logged in one line and shown in the window (:class:`StorageWait` on a :class:`Cycle`). What a
broken cycle stored stays stored and marked "to scan"; what it had fetched but not stored is
fetched again (the poller keeps an account's fetch state only once its items are stored).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import logging
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import StorageError, WatchdeskError
from jb_watchdesk.services import emergencies, inspections, status
from jb_watchdesk.services.alerts import AlertService, Notification
from jb_watchdesk.services.changes import Changes
from jb_watchdesk.services.escalation import EscalationReport, EscalationService
from jb_watchdesk.services.gaps import Gap, Monitor
from jb_watchdesk.services.lexicon_files import LexiconReport
from jb_watchdesk.services.poller import Poller, PollResult
from jb_watchdesk.services.scanner import ScanOutcome, ScanService
from jb_watchdesk.storage.db import is_io_error

log = logging.getLogger(__name__)

STORAGE_PAUSES_S: Final = (2.0, 5.0, 10.0, 30.0, 60.0)
"""The pauses before each retry of a turn a storage error broke, in seconds; the last repeats."""
PAUSING_KEYS: Final = frozenset({"db.locked", "db.disk_full"})
"""The store's errors that pause the loop (with ``db.error`` saying "disk I/O error")."""
PAUSING_ERRNOS: Final = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EIO) if code is not None
)
"""A disk that refuses a file (the heartbeat): full, over quota, failing."""


def pauses_on(error: BaseException) -> bool:
    """Whether ``error`` pauses the loop instead of ending it: a lock held past the store's wait, a
    full disk, an I/O error — what clears by itself or once the officer frees space. Anything else
    ends the loop: a corrupt, newer-schema or read-only database (the one-line message, exit 3)
    never clears by waiting, and a closed output pipe (``run --headless | head -1``) ends the
    command quietly."""
    if isinstance(error, StorageError):
        return error.key in PAUSING_KEYS or is_io_error(error)
    if isinstance(error, sqlite3.Error):
        text = str(error).lower()
        return any(word in text for word in ("locked", "busy", "disk is full", "disk i/o error", "unable to open", "out of memory"))
    if isinstance(error, OSError):
        return error.errno in PAUSING_ERRNOS
    return False


@dataclass(frozen=True, slots=True)
class StorageWait:
    """The loop is paused on a storage error and retries in ``seconds`` (this is pause ``attempt``
    in a row); ``problem`` is one line in the officer's language."""

    problem: str
    seconds: float
    attempt: int

    def line(self) -> str:
        """"数据库忙，等待中…（N 秒后重试）：problem", for the window's status line."""
        return messages.text("watch.storage_wait", seconds=int(self.seconds), problem=self.problem)


@dataclass(frozen=True, slots=True)
class Cycle:
    """One turn of the loop: what the poll read, what the scan raised, what to notify, and the
    :class:`Changes` the window refreshes by (with the status rows the cycle computed anyway)."""

    poll: PollResult
    changes: Changes = Changes()
    scan: ScanOutcome = ScanOutcome()
    notifications: tuple[Notification, ...] = ()
    lexicon: LexiconReport | None = None
    """Set when the lexicon was (re)loaded before this cycle's scan."""
    escalations: EscalationReport | None = None
    """What the escalation check did this turn (steps taken, channels that failed) and what the
    workstation sounds for now; None when no check ran (no escalation service)."""
    gaps: tuple[Gap, ...] = ()
    """Monitoring gaps this cycle ended (or a sleep found just before it): the window says so."""
    storage_wait: StorageWait | None = None
    """Set on the (otherwise empty) cycle the loop reports when a storage error pauses it."""


@dataclass
class WatchLoop:
    poller: Poller
    scanner: ScanService
    alerts: AlertService
    after_cycle: list[Callable[[Cycle], Awaitable[None]]] = field(default_factory=list)
    lexicon_stamp: Callable[[], Any] | None = None
    """What the lexicon files look like on disk; a different answer means they changed."""
    escalation: EscalationService | None = None
    """Checked every cycle and every tick: what waits past its deadline sounds, then reaches the leader."""
    monitor: Monitor | None = None
    """The heartbeat and the monitoring gaps (``run`` only: a single ``poll --once`` is no watch)."""
    _loaded_stamp: Any = field(default=None, init=False, repr=False)
    _loaded: bool = field(default=False, init=False, repr=False)
    _matched_through: int | None = field(default=None, init=False, repr=False)
    """The highest post id the waiting emergencies were matched against (None: none yet)."""
    _unfinished: bool = field(default=False, init=False, repr=False)
    """A storage error broke a turn: the next one runs a cycle (scan, record, notify) even when no
    account is due, so what was stored and not yet scanned raises its alerts without waiting."""

    async def load_lexicon(self) -> LexiconReport:
        """(Re)load the lexicon now, off the event loop; returns what it holds and what was left out."""
        stamp = await asyncio.to_thread(self.lexicon_stamp) if self.lexicon_stamp is not None else None
        problems = await asyncio.to_thread(self.scanner.reload)
        self._loaded_stamp, self._loaded = stamp, True
        return LexiconReport.of(self.scanner.scanner.lexicon, problems)

    async def lexicon_if_changed(self) -> LexiconReport | None:
        """Load the lexicon if it never was or its files changed since; None when nothing changed."""
        if self._loaded:
            if self.lexicon_stamp is None:
                return None
            if await asyncio.to_thread(self.lexicon_stamp) == self._loaded_stamp:
                return None
        return await self.load_lexicon()

    async def cycle(self, *, force: bool = False) -> Cycle:
        """Poll once, scan every item waiting for its scan, record the inspection, collect notifications.

        The automatic inspections recorded are this poll's accounts and those a broken cycle had
        read (:meth:`Poller.take_unrecorded`); when this cycle breaks before recording them, they
        are given back for the next."""
        carried = self.poller.take_unrecorded()  # no await before the try: nothing else takes them meanwhile
        poll: PollResult | None = None
        recorded = False
        try:
            poll = await self.poller.poll_once(force=force)
            if poll.skipped:
                self.poller.unrecorded |= carried
                return Cycle(poll=poll)
            lexicon = await self.lexicon_if_changed()
            scan = await self.scanner.scan_pending()
            changes = _scan_changes(scan, lexicon=lexicon)
            if poll.run_id is not None or carried:
                changes = changes | await self._record(poll, scan, read=carried | set(poll.polled))
            recorded = True
        except BaseException:
            if not recorded:
                self.poller.unrecorded |= carried | set(poll.polled if poll is not None else ())
            raise
        changes = changes | await self._match_emergencies(poll)
        notifications = await self.alerts.take_due_notifications()
        escalations = await self.escalate()
        if escalations is not None and escalations.taken:
            changes = changes | _escalation_changes(escalations)
        if poll.run_id is not None:
            log_cycle(poll, alerts_raised=len(scan.raised))
        return Cycle(
            poll=poll, changes=changes, scan=scan, notifications=tuple(notifications), lexicon=lexicon, escalations=escalations
        )

    async def escalate(self) -> EscalationReport | None:
        """Take the escalation steps due now (None without an escalation service). A failure of the
        check itself is logged and retried next tick: it never ends the loop."""
        if self.escalation is None:
            return None
        try:
            return await self.escalation.check()
        except WatchdeskError as error:
            log.warning("escalation check failed: %s", error)
            return None

    async def _record(self, poll: PollResult, scan: ScanOutcome, *, read: set[int]) -> Changes:
        """§4.3's record: one automatic inspection per polled account.

        The status rows computed for the inspections are the ones the window shows. ``read`` is this
        cycle's accounts and those a cycle broken by a storage error had read before it broke: their
        inspection is recorded with this one, as of now, so no account read is missing from the record."""
        store = self.poller.store
        now = poll.finished_at or self.poller.clock.now()
        status_rows = await asyncio.to_thread(status.account_status, store, now=now)
        rows = {row.account.id: row for row in status_rows}
        raised = Counter(alert.account_id for alert in scan.raised)
        checks = [
            inspections.AutoCheck(
                account_id=account_id,
                freshness=rows[account_id].freshness,
                health=rows[account_id].account.health,
                health_reason=rows[account_id].account.health_reason,
                new_alerts=raised[account_id],
            )
            for account_id in sorted(read)
            if account_id in rows  # an account removed since has no inspection to record
        ]
        await asyncio.to_thread(inspections.record_auto_inspections, store, now=now, changes_summary=checks)
        return Changes(
            # A reply or a deletion on the platform changes a stored comment without editing it.
            comments=bool(poll.polled),
            status=True,
            accounts=bool(poll.health_changes),
            ledger=True,
            status_rows=tuple(status_rows),
        )

    async def _match_emergencies(self, poll: PollResult) -> Changes:
        """§3.6: the activations still waiting, against every post stored since the last match that
        got through, whichever cycle stored it: a cycle a storage error broke after storing posts
        leaves them for the next one (the mark moves only once a match is done)."""
        now = poll.finished_at or self.poller.clock.now()
        met, through = await asyncio.to_thread(emergencies.match_waiting, self.poller.store, after_id=self._matched_through, now=now)
        self._matched_through = through
        return Changes(shift=True, ledger=True) if met else Changes()

    async def notifications_only(self) -> tuple[Notification, ...]:
        """Repeats of unacknowledged alerts fall due between polls too."""
        return tuple(await self.alerts.take_due_notifications())

    async def run(
        self,
        stop: asyncio.Event,
        *,
        on_cycle: Callable[[Cycle], Awaitable[None]],
        tick_s: float = 5.0,
    ) -> None:
        """Run until ``stop`` is set: a cycle whenever accounts fall due, notifications every tick.

        Items a previous run stored but did not scan (it was killed in between) are scanned first,
        before any account falls due.
        """
        slept: list[Gap] = []
        started = False
        pauses = 0
        # The start (heartbeat, lexicon, leftover scans) runs even when a stop is already asked for:
        # what it found is handed over before the loop ends.
        while not (started and stop.is_set()):
            try:
                if not started:
                    await self._start(on_cycle)
                    started = True
                    continue  # a stop asked for meanwhile ends the loop before the first turn
                ran = await self._turn(on_cycle, slept)
            except (StorageError, sqlite3.Error, OSError) as error:
                if not pauses_on(error):
                    raise
                seconds = STORAGE_PAUSES_S[min(pauses, len(STORAGE_PAUSES_S) - 1)]
                pauses += 1
                wait = StorageWait(problem=_problem(error), seconds=seconds, attempt=pauses)
                self._unfinished = True
                log.warning("storage failed; the watch pauses %.0f s and retries (pause %d in a row): %s", seconds, pauses, wait.problem)
                try:
                    await on_cycle(Cycle(poll=PollResult(), storage_wait=wait))
                except (StorageError, sqlite3.Error, OSError) as shown:
                    if not pauses_on(shown):
                        raise
                await _sleep(stop, wait.seconds)
                if stop.is_set():
                    break
                continue
            if pauses:
                log.warning("storage works again after %d pause(s); the watch goes on", pauses)
                pauses = 0
            if not ran:
                await _sleep(stop, tick_s)
        if self.monitor is not None:
            # A stop asked for (SIGINT, SIGTERM): a quit gap, and no heartbeat left to look like a crash.
            try:
                await asyncio.to_thread(self.monitor.stop, now=self.poller.clock.now())
            except (StorageError, sqlite3.Error, OSError) as error:  # the stop still stops; the next start finds the heartbeat
                log.warning("the quit could not be recorded: %s", _problem(error))

    async def _start(self, on_cycle: Callable[[Cycle], Awaitable[None]]) -> None:
        """The heartbeat, the lexicon, and the items a previous run stored but did not scan."""
        if self.monitor is not None:
            await asyncio.to_thread(self.monitor.start, now=self.poller.clock.now())
        lexicon = await self.lexicon_if_changed()
        leftover = await self.scanner.scan_pending()
        if leftover.items_scanned:
            log.info("scanned %d items left unscanned by the previous run", leftover.items_scanned)
        if leftover.items_scanned or lexicon is not None:
            await on_cycle(Cycle(poll=PollResult(), changes=_scan_changes(leftover, lexicon=lexicon), scan=leftover, lexicon=lexicon))

    async def _turn(self, on_cycle: Callable[[Cycle], Awaitable[None]], slept: list[Gap]) -> bool:
        """One turn: a cycle when accounts fall due (or a broken one is to be finished), else the
        notifications and escalations due. True when a cycle ran (the next turn follows at once)."""
        if self.monitor is not None and self.monitor.is_late(self.poller.clock.now()):
            gap = await asyncio.to_thread(self.monitor.awake, now=self.poller.clock.now(), paused=self.poller.paused)
            slept.extend([gap] if gap is not None else [])
        elif self.monitor is not None:
            self.monitor.last_seen = self.poller.clock.now()
        if not self.poller.paused:
            accounts_due = await self.poller.due_count()
            if accounts_due or self._unfinished:
                result = await self.cycle()
                if not result.poll.skipped:
                    self._unfinished = False
                    result = await self._completed(result, slept)
                    slept.clear()
                    await on_cycle(result)
                    for hook in self.after_cycle:
                        await hook(result)
                    return True
        notifications = await self.notifications_only()
        sounding = self.escalation.sounding if self.escalation is not None else ()
        escalations = await self.escalate()
        # The window hears of a step, a failure, or the sound starting or stopping.
        escalated = escalations is not None and (escalations.news or escalations.sounding != sounding)
        if notifications or escalated:
            # What is shown again may have been handled elsewhere meanwhile (the command line).
            changes = Changes(alerts=True) if notifications else Changes()
            if escalations is not None and escalations.taken:
                changes = changes | _escalation_changes(escalations)
            await on_cycle(Cycle(poll=PollResult(), changes=changes, notifications=notifications, escalations=escalations))
        return False

    async def _completed(self, result: Cycle, slept: list[Gap]) -> Cycle:
        """A completed cycle ends every open gap and beats the heartbeat; the gaps it ended (and a
        sleep found just before it) ride on the cycle."""
        if self.monitor is None:
            return result
        now = result.poll.finished_at or self.poller.clock.now()
        gaps = (*slept, *await asyncio.to_thread(self.monitor.cycle, now=now))
        if not gaps:
            return result
        return dataclasses.replace(result, gaps=gaps, changes=result.changes | Changes(ledger=True))


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or less when ``stop`` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _problem(error: BaseException) -> str:
    """One line naming a storage fault, in the officer's language where the store already said it."""
    if isinstance(error, WatchdeskError):
        return str(error)
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror} ({error.filename})" if error.filename else error.strerror
    return f"{type(error).__name__}: {error}"


def log_cycle(poll: PollResult, *, alerts_raised: int) -> None:
    """The cycle's one line in the desk's log (services/logs.py)."""
    took = (poll.finished_at - poll.started_at).total_seconds() if poll.finished_at and poll.started_at else 0.0
    log.info(
        "poll cycle %s: %d accounts polled, %d failed, %d new items, %d alerts raised, %.1f s",
        poll.run_id, poll.accounts_polled, poll.accounts_failed, len(poll.new_posts) + len(poll.new_comments), alerts_raised, took,
    )


def _escalation_changes(report: EscalationReport) -> Changes:
    """A step taken writes the ledger, and an alert's escalation columns."""
    return Changes(alerts=any(taken.subject == "alert" for taken in report.taken), ledger=True)


def _scan_changes(scan: ScanOutcome, *, lexicon: LexiconReport | None) -> Changes:
    """What a scan changed: alerts raised (or resolved after a lexicon change), the lexicon reloaded."""
    # Resolved alerts are known by id only: then no rows, so the window re-reads the inbox.
    rows = () if scan.resolved else tuple(scan.raised)
    return Changes(alerts=bool(scan.raised or scan.resolved), ledger=bool(scan.raised), lexicon=lexicon is not None, alert_rows=rows)
