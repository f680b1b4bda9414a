"""The poll cycle: connectors → store, for every account that is due.

Requests run concurrently within a global limit and a per-host limit. One account's
failure — an expired token, an HTML page instead of a feed, a server that drips — is
recorded as that account's health and never stops the others. Each account's results
are written in one transaction. A cycle never overlaps itself. ``poll_once`` returns a
:class:`PollResult` value for the scanner, the alerts and the window.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol, TypeVar

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.fetching import AccountRef, FetchState
from jb_watchdesk.connectors.registry import Connectors
from jb_watchdesk.domain import messages, rules
from jb_watchdesk.domain.errors import CheckFailed, StorageError, WatchdeskError
from jb_watchdesk.domain.models import Account, Health
from jb_watchdesk.domain.workdays import DEFAULT_CALENDAR, WorkdayCalendar
from jb_watchdesk.services.redaction import redact
from jb_watchdesk.services.scheduler import Due, Scheduler
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage.db import Store, is_io_error

log = logging.getLogger(__name__)

T = TypeVar("T")

ACCOUNTS_PER_REQUEST_SLOT = 4


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class HealthChange:
    account_id: int
    name: str
    before: Health
    after: Health
    reason: str


@dataclass(frozen=True, slots=True)
class Failure:
    account_id: int
    name: str
    health: Health
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll cycle changed."""

    run_id: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    new_posts: tuple[int, ...] = ()
    edited_posts: tuple[int, ...] = ()
    deleted_posts: tuple[int, ...] = ()
    new_comments: tuple[int, ...] = ()
    edited_comments: tuple[int, ...] = ()
    health_changes: tuple[HealthChange, ...] = ()
    failures: tuple[Failure, ...] = ()
    polled: tuple[int, ...] = ()  # account ids read in this cycle, failed ones included
    accounts_ok: int = 0
    requests: int = 0
    skipped: bool = False  # another cycle was still running

    @property
    def accounts_polled(self) -> int:
        return len(self.polled)

    @property
    def accounts_failed(self) -> int:
        return len(self.failures)

    @property
    def empty(self) -> bool:
        return not (
            self.new_posts or self.edited_posts or self.deleted_posts or self.new_comments or self.edited_comments or self.health_changes
        )

    def to_json(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "skipped": self.skipped,
            "accounts_polled": self.accounts_polled,
            "accounts_ok": self.accounts_ok,
            "accounts_failed": self.accounts_failed,
            "requests": self.requests,
            "new_posts": len(self.new_posts),
            "edited_posts": len(self.edited_posts),
            "deleted_posts": len(self.deleted_posts),
            "new_comments": len(self.new_comments),
            "health_changes": [
                {"account_id": c.account_id, "name": c.name, "before": c.before.value, "after": c.after.value, "reason": c.reason}
                for c in self.health_changes
            ],
            "failures": [
                {"account_id": f.account_id, "name": f.name, "health": f.health.value, "code": f.code, "reason": f.reason}
                for f in self.failures
            ],
        }


@dataclass(slots=True)
class _Outcome:
    write: ingest.AccountWrite
    requests: int = 0
    failure: Failure | None = None
    reason: str = ""


class _Refused(Exception):
    """The database itself refused one account's save: the cycle ends with ``error``."""

    def __init__(self, error: StorageError) -> None:
        super().__init__(error.key)
        self.error = error


#: Store errors that are the workstation's, not the account's: the cycle ends with them (the
#: watch loop pauses and retries on a lock or a full disk, and ends on a read-only or corrupt
#: database) and the account is not backed off for them. ``db.error`` (a constraint, a value
#: SQLite cannot bind) is this account's failure, unless SQLite said "disk I/O error".
ENVIRONMENT_KEYS: Final = frozenset({"db.locked", "db.disk_full", "db.read_only", "db.corrupt", "db.newer_schema"})


def _environment(error: StorageError) -> bool:
    return error.key in ENVIRONMENT_KEYS or is_io_error(error)


def _storage_detail(error: BaseException) -> str:
    """A short, secret-free name for what went wrong while storing (the log has the traceback)."""
    if isinstance(error, WatchdeskError):
        return error.key
    return type(error).__name__


def _ref(account: Account) -> AccountRef:
    return AccountRef(id=account.id, name=account.name, platform=account.platform, source=account.source, api_base=account.api_base)


@dataclass
class Poller:
    store: Store
    connectors: Connectors
    scheduler: Scheduler
    clock: Clock
    calendar: WorkdayCalendar = DEFAULT_CALENDAR
    _states: dict[int, FetchState] = field(default_factory=dict)
    _cycle: asyncio.Lock = field(default_factory=asyncio.Lock)
    _saving: asyncio.Lock = field(default_factory=asyncio.Lock)
    """One save handed to the store at a time (its single thread runs them one by one anyway):
    after a refusal, no other save is already queued to wait out the lock again."""
    paused: bool = False
    _refusal: StorageError | None = None
    """The database's first refusal in the current cycle (locked, full, read-only...)."""
    unrecorded: set[int] = field(default_factory=set)
    """Accounts a cycle broken by a storage error had finished reading (their schedule moved on, so
    they are not read again soon) and whose automatic inspection is not recorded yet: the watch loop
    takes them (:meth:`take_unrecorded`) and records them with its next cycle's."""

    @property
    def busy(self) -> bool:
        return self._cycle.locked()

    async def probe(self, account: Account) -> str:
        """Read an account once without storing anything ("test connection").

        Raises ``CheckFailed`` (``account.probe_failed``) saying what went wrong, in the officer's words.
        """
        ref = _ref(account)
        connector = self.connectors.for_account(ref)
        try:
            if connector is None:
                raise ConnectorError(ErrorKind.CONFIG, "the account has no source yet", code="account.no_source")
            result = await connector.fetch(ref, state=FetchState(), with_comments=False, now=self.clock.now())
        except ConnectorError as error:
            # code and platform let the window say what to do there; the command line shows the reason
            raise CheckFailed(
                "account.probe_failed", account=account.name, problem=redact(error.reason), code=error.code, platform=account.platform.value
            ) from error
        return messages.text("account.probe_ok", posts=len(result.posts), requests=result.requests)

    async def due_count(self) -> int:
        """How many accounts are due now (without polling them)."""
        accounts = await self.store.run(account_store.list_accounts)
        pollable = [a for a in accounts if self.connectors.for_account(_ref(a)) is not None]
        return len(self.scheduler.due(pollable, now=self.clock.now()))

    def take_unrecorded(self) -> set[int]:
        """The accounts waiting for their automatic inspection (see :attr:`unrecorded`), handed over
        once: whoever takes them records them or gives them back."""
        taken, self.unrecorded = self.unrecorded, set()
        return taken

    async def poll_once(self, *, force: bool = False) -> PollResult:
        """Poll every account that is due (``force``: every account with a source)."""
        if self._cycle.locked():
            return PollResult(skipped=True)
        async with self._cycle:
            return await self._cycle_body(force=force)

    async def _cycle_body(self, *, force: bool) -> PollResult:
        started = self.clock.now()
        accounts = await self.store.run(account_store.list_accounts)
        pollable = [a for a in accounts if self.connectors.for_account(_ref(a)) is not None]
        due = self.scheduler.due(pollable, now=started, force=force)
        if not due:
            return PollResult(started_at=started, finished_at=self.clock.now())
        run_id = await self.store.run(ingest.start_run, now=started)
        self._refusal = None
        # Requests are limited in the HTTP client; several accounts per request slot keep it busy
        # while others wait on their own earlier requests.
        limit = asyncio.Semaphore(self.scheduler.settings.max_concurrency * ACCOUNTS_PER_REQUEST_SLOT)
        # The first refusal of the database ends the cycle at once: the accounts still fetching or
        # waiting to save are cancelled (their fetch state restored, no backoff) instead of each
        # waiting the store's whole lock wait in turn, so the watch loop says it waits right away.
        read: set[int] = set()
        try:
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = [group.create_task(self._guarded(item, limit, read)) for item in due]
            except* _Refused as refusals:
                refused = refusals.exceptions[0]
                assert isinstance(refused, _Refused)
                raise refused.error from None  # what was stored stays stored; the rest is read again when the store is back
            outcomes = [task.result() for task in tasks]
            finished = self.clock.now()
            changes = self._summarise(run_id, started, finished, due, outcomes)
            await self.store.run(
                ingest.finish_run,
                run_id,
                now=finished,
                accounts_ok=changes.accounts_ok,
                accounts_failed=changes.accounts_failed,
                items_new=len(changes.new_posts) + len(changes.new_comments),
                items_updated=len(changes.edited_posts) + len(changes.deleted_posts) + len(changes.edited_comments),
            )
        except BaseException:
            self.unrecorded |= read  # the cycle broke: their inspection waits for the next one
            raise
        return changes

    async def _guarded(self, item: Due, limit: asyncio.Semaphore, read: set[int]) -> _Outcome:
        async with limit:
            outcome = await self._poll_account(item)
        read.add(item.account.id)
        return outcome

    async def _poll_account(self, item: Due) -> _Outcome:
        """Fetch, parse and store one account. Never raises: whatever fails is this account's health."""
        account = item.account
        try:
            return await self._fetch_and_store(item)
        except (asyncio.CancelledError, _Refused):
            raise
        except Exception as error:  # a bug must cost one account one cycle, never the cycle
            log.exception("polling account %s (%s) failed unexpectedly", account.id, account.name)
            return await self._failed(account, error=None, now=self.clock.now(), detail=type(error).__name__, stage="fetch")

    async def _fetch_and_store(self, item: Due) -> _Outcome:
        account = item.account
        ref = _ref(account)
        connector = self.connectors.for_account(ref)
        assert connector is not None
        # What the fetch moves on (since_id, validators, the comment round) stands only once what it
        # read is stored; otherwise the next poll asks for the same again.
        before = self._states.get(account.id) or FetchState()
        state = self._states[account.id] = before.snapshot()
        now = self.clock.now()
        try:
            result = await connector.fetch(ref, state=state, with_comments=item.with_comments, now=now)
        except ConnectorError as error:
            self._states[account.id] = before
            return await self._failed(account, error=error, now=now)
        except asyncio.CancelledError:
            self._states[account.id] = before
            raise
        except Exception as error:  # a bug must cost one account one cycle, never the poller
            self._states[account.id] = before
            log.exception("polling account %s failed unexpectedly", account.id)
            return await self._failed(account, error=None, now=now, detail=type(error).__name__, stage="fetch")
        health = Health.DEGRADED if result.problems else Health.OK
        # A platform may echo a credential in its error text: masked before it is stored or shown.
        reason = redact("; ".join([*(f"{problem.code}: {problem.reason}" for problem in result.problems), *result.notes]))
        try:
            write = await self._save(
                ingest.record_success,
                account_id=account.id,
                posts=result.posts,
                comments=result.comments,
                now=self.clock.now(),
                deadlines=functools.partial(rules.comment_sla, calendar=self.calendar),
                health=health,
                health_reason=reason,
            )
        except asyncio.CancelledError:
            self._states[account.id] = before
            raise
        except StorageError as error:
            self._states[account.id] = before
            if not _environment(error):
                log.exception("storing account %s (%s) failed", account.id, account.name)
                return await self._failed(account, error=None, now=self.clock.now(), detail=_storage_detail(error), stage="store")
            # The database refused, not the account's data: read it again once the store is back,
            # without a backoff (the watch loop pauses on this error; other accounts kept theirs).
            log.warning("storing account %s (%s) waits for the database: %s", account.id, account.name, error.key)
            raise _Refused(error) from error
        except Exception as error:  # a storage fault costs this account this cycle, never the cycle
            self._states[account.id] = before
            log.exception("storing account %s (%s) failed", account.id, account.name)
            return await self._failed(account, error=None, now=self.clock.now(), detail=_storage_detail(error), stage="store")
        self.scheduler.succeeded(account, now=self.clock.now(), with_comments=item.with_comments)
        return _Outcome(write=write, requests=result.requests, reason=reason)

    async def _save(self, fn: Callable[..., T], /, **kwargs: object) -> T:
        """One account's save on the store, one at a time; after the cycle's first refusal of the
        database (``_environment``) no other save is begun: each raises that refusal at once."""
        async with self._saving:
            if self._refusal is not None:
                raise self._refusal
            try:
                return await self.store.run(fn, **kwargs)
            except StorageError as error:
                if _environment(error):
                    self._refusal = error
                raise

    async def _failed(
        self, account: Account, *, error: ConnectorError | None, now: datetime, detail: str = "", stage: str = "fetch"
    ) -> _Outcome:
        retry_at = self.scheduler.failed(account, now=now, error=error)
        if error is None:
            health, code = Health.FAILING, f"internal.{stage}"
            if stage == "store":
                reason = (
                    f"what the platform sent could not be stored ({detail}); the other accounts were read, "
                    "this one is tried again at the next poll; if it persists, send the log to support"
                )
            else:
                reason = f"reading the account failed unexpectedly ({detail}); it is tried again at the next poll; see the log"
        else:
            health, code, reason = error.health, error.code, error.reason
            if health is Health.DEGRADED and self.scheduler.consecutive_failures(account.id) >= self.scheduler.settings.failing_after:
                health = Health.FAILING
        if error is not None and error.kind in (ErrorKind.TRANSIENT, ErrorKind.RATE_LIMITED, ErrorKind.QUOTA):
            reason = f"{reason} (next try {retry_at.astimezone().strftime('%H:%M')})"
        reason = redact(reason)  # never a secret in the stored health, the status, the log or the exports
        failure = Failure(account.id, account.name, health, code, reason)
        try:
            write = await self._save(
                ingest.record_failure, account_id=account.id, health=health, reason=f"{code}: {reason}", now=self.clock.now()
            )
        except asyncio.CancelledError:
            raise
        except StorageError as refused:
            if _environment(refused):  # the cycle ends with the store's refusal; the failure is still shown
                log.warning("recording the failure of account %s waits for the database: %s", account.id, refused.key)
            else:
                log.exception("recording the failure of account %s failed", account.id)
            write = ingest.AccountWrite(account_id=account.id, previous_health=account.health, health=health)
        except Exception:
            # Even the account's health could not be written (a locked or full database): the
            # failure still reaches the cycle's summary, the window and the log.
            log.exception("recording the failure of account %s failed", account.id)
            write = ingest.AccountWrite(account_id=account.id, previous_health=account.health, health=health)
        return _Outcome(write=write, failure=failure, reason=f"{code}: {reason}")

    def _summarise(
        self, run_id: int, started: datetime, finished: datetime, due: Sequence[Due], outcomes: Sequence[_Outcome]
    ) -> PollResult:
        new_posts: list[int] = []
        edited: list[int] = []
        deleted: list[int] = []
        new_comments: list[int] = []
        edited_comments: list[int] = []
        health_changes: list[HealthChange] = []
        failures: list[Failure] = []
        requests = 0
        for item, outcome in zip(due, outcomes, strict=True):
            write = outcome.write
            new_posts += write.new_posts
            edited += write.edited_posts
            deleted += write.deleted_posts
            new_comments += write.new_comments
            edited_comments += write.edited_comments
            requests += outcome.requests
            if outcome.failure is not None:
                failures.append(outcome.failure)
            if write.previous_health is not write.health:
                health_changes.append(HealthChange(item.account.id, item.account.name, write.previous_health, write.health, outcome.reason))
        return PollResult(
            run_id=run_id,
            started_at=started,
            finished_at=finished,
            new_posts=tuple(new_posts),
            edited_posts=tuple(edited),
            deleted_posts=tuple(deleted),
            new_comments=tuple(new_comments),
            edited_comments=tuple(edited_comments),
            health_changes=tuple(health_changes),
            failures=tuple(failures),
            polled=tuple(item.account.id for item in due),
            accounts_ok=len(due) - len(failures),
            requests=requests,
        )
