"""Composition root: builds the store, secret store and calendar for one workspace."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import TypeVar

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.http import HttpClient, HttpSettings, safe_proxy, safe_proxy_detail
from jb_watchdesk.connectors.registry import Connectors
from jb_watchdesk.domain.errors import InputError, WatchdeskError
from jb_watchdesk.domain.workdays import DEFAULT_CALENDAR, WorkdayCalendar, parse_overrides, unreadable_overrides
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import redaction
from jb_watchdesk.services import settings as desk_settings
from jb_watchdesk.services.alerts import AlertService, NotificationPolicy
from jb_watchdesk.services.backups import DailyBackup
from jb_watchdesk.services.escalation import EscalationService, load_channels
from jb_watchdesk.services.gaps import Heartbeat, Monitor
from jb_watchdesk.services.lexicon_files import lexicon_stamp
from jb_watchdesk.services.poller import Poller
from jb_watchdesk.services.reachability import http_settings_for, register_proxy_secrets
from jb_watchdesk.services.scanner import ScanService, lexicon_locations
from jb_watchdesk.services.scheduler import PollSettings, Scheduler
from jb_watchdesk.services.settings import DeskSettings
from jb_watchdesk.services.watch import WatchLoop
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.secrets import SecretStore

log = logging.getLogger(__name__)


class Clock:
    """Where "now" comes from: the system clock, or a fixed instant (``--now``)."""

    def __init__(self, fixed: datetime | None = None) -> None:
        if fixed is not None and fixed.tzinfo is None:
            raise ValueError("a fixed clock needs an aware datetime")
        self._fixed = fixed

    def now(self) -> datetime:
        return self._fixed if self._fixed is not None else datetime.now().astimezone()


def load_calendar(workspace: Workspace) -> WorkdayCalendar:
    """The official calendar plus the duty room's overrides file, if there is one.

    Never refuses to start the desk: lines that are not understood (or a file that cannot be
    read) are kept in ``calendar.problems`` for doctor and the window, and logged; the rest is used."""
    path = workspace.workday_overrides
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return DEFAULT_CALENDAR
    except OSError as error:
        calendar = unreadable_overrides(source=str(path), detail=error.strerror or str(error))
    else:
        from jb_watchdesk.services.files import decode_office_text

        try:  # overrides_decoding: UTF-8 (BOM or not), or GB18030 as Notepad saves "ANSI" on a Chinese Windows
            text = decode_office_text(data)
        except InputError as error:
            calendar = unreadable_overrides(source=str(path), detail=str(error), data=data)
        else:
            calendar = parse_overrides(text, source=str(path))
    for problem in calendar.problems:
        log.warning("holiday override skipped: %s", problem.describe("en"))
    return calendar


@dataclass
class App:
    """Everything one run of the program works with. Close it when done."""

    workspace: Workspace
    clock: Clock = field(default_factory=Clock)
    secret_store: SecretStore | None = None

    @cached_property
    def store(self) -> Store:
        return Store(self.workspace.database, backups_dir=self.workspace.backups)

    @cached_property
    def secrets(self) -> SecretStore:
        return self.secret_store or SecretStore.from_environment()

    @cached_property
    def settings(self) -> DeskSettings:
        return desk_settings.load(self.workspace.root)

    @cached_property
    def calendar(self) -> WorkdayCalendar:
        return load_calendar(self.workspace)

    def open_all(self) -> None:
        """Open the store, the keyring, the settings and the calendar now (they open on first use
        otherwise): for a caller that is about to use them from several threads."""
        _ = (self.store, self.secrets, self.settings, self.calendar)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "secrets" in self.__dict__:
            self.secrets.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class KeyringSecrets:
    """The connectors' view of the keyring: async, and a keyring that cannot be used is an account-level
    problem. Calls are awaited on the store's own worker (never asyncio's shared pool, which DNS also
    uses): a keyring resting after a timeout, or locked, leaves the account ``degraded`` and retried
    when the keyring is asked again; none configured leaves it ``failing`` until that is fixed."""

    def __init__(self, store: SecretStore) -> None:
        self._store = store

    async def get(self, account_id: int, name: str) -> str | None:
        try:
            value = await self._store.get_async(account_id, name)
        except WatchdeskError as error:
            raise self._unavailable(error) from None
        redaction.register(value)  # a platform that echoes it back is masked in logs, the database and output
        return value

    async def put(self, account_id: int, name: str, value: str) -> None:
        redaction.register(value)
        try:
            await self._store.set_async(account_id, name, value)
        except WatchdeskError as error:
            raise self._unavailable(error) from None

    def _unavailable(self, error: WatchdeskError) -> ConnectorError:
        if error.key in ("secret.timeout", "secret.locked"):
            # resting after a timeout (asked again in retry_in() s), or waiting to be unlocked
            return ConnectorError(
                ErrorKind.TRANSIENT, str(error), code="keyring.unavailable", retry_after=self._store.retry_in() or None
            )
        return ConnectorError(ErrorKind.CONFIG, str(error), code="keyring.unavailable")


@contextlib.asynccontextmanager
async def running_watch(
    app: App, *, settings: PollSettings | None = None, http_settings: HttpSettings | None = None
) -> AsyncIterator[WatchLoop]:
    """The watch loop wired to the app's store, keyring, lexicon and clock; closed on exit."""
    poll = settings or app.settings.poll()
    limited = _limited(http_settings or http_settings_from(app.settings), poll)
    check_ca_bundle(limited)
    http = _client_or_reason(lambda: HttpClient(limited), limited)
    locations = lexicon_locations(app.workspace.root)
    scanner = ScanService(store=app.store, clock=app.clock, locations=locations)
    daily: DailyBackup | None = None
    try:
        poller = Poller(
            store=app.store,
            connectors=Connectors(http=http, secrets=KeyringSecrets(app.secrets)),
            scheduler=Scheduler(poll),
            clock=app.clock,
            calendar=app.calendar,
        )
        policy = NotificationPolicy(repeat_after=timedelta(minutes=app.settings.repeat_minutes))
        watch = WatchLoop(
            poller=poller,
            scanner=scanner,
            alerts=AlertService(store=app.store, clock=app.clock, policy=policy),
            lexicon_stamp=lambda: lexicon_stamp(locations),
            escalation=escalation_service(app),
            monitor=Monitor(store=app.store, heartbeat=Heartbeat.in_dir(app.workspace.root), interval_s=poll.post_interval_s),
        )
        if app.store.path is not None:
            # The first completed cycle of each day starts the daily backup on a thread of its own.
            daily = DailyBackup(
                live=app.store.path, folder=app.workspace.backups, keep_days=app.settings.backup_days, clock=app.clock.now
            )
            watch.after_cycle.append(daily)
        yield watch
    finally:
        # The connections first: closing them is quick, while the scanner waits for a scan in progress.
        try:
            await http.aclose()
        finally:
            try:
                scanner.close()
            finally:
                if daily is not None:
                    await daily.aclose()  # a copy under way is abandoned, its partial file removed


def escalation_service(app: App) -> EscalationService:
    """The escalation check over the app's store and clock; its channels are read from the app's
    keyring each time a message is due (so ``escalation channels`` takes effect without a restart)."""
    secrets = app.secrets
    return EscalationService(
        store=app.store,
        clock=app.clock,
        channels=lambda: load_channels(secrets),
        policy=app.settings.escalation(),
        language=app.settings.language,
    )


def reconfigure_watch(watch: WatchLoop, settings: DeskSettings, *, now: datetime, http: HttpSettings | None = None) -> None:
    """Apply changed settings to a running watch loop: intervals, concurrency, proxy, CA bundle, the
    repeat interval and the escalation minutes and sound take effect without a restart. Call it on the watch loop's event loop.

    ``http`` overrides what the settings give (the desk running on the system's certificates).
    The HTTP pools are swapped first: settings they cannot use change nothing at all.
    """
    poll = settings.poll()
    limited = _limited(http or http_settings_from(settings), poll)
    check_ca_bundle(limited)
    client = watch.poller.connectors.http
    _client_or_reason(lambda: client.reconfigure(limited), limited)
    watch.poller.scheduler.reconfigure(poll, now=now)
    watch.alerts.policy = dataclasses.replace(watch.alerts.policy, repeat_after=timedelta(minutes=settings.repeat_minutes))
    if watch.monitor is not None:
        watch.monitor.interval_s = poll.post_interval_s
    if watch.escalation is not None:
        watch.escalation.policy = settings.escalation()
        watch.escalation.language = settings.language
    for hook in watch.after_cycle:
        if isinstance(hook, DailyBackup):  # backup_days_reconfigure: the days kept apply at the next prune
            hook.keep_days = settings.backup_days


T = TypeVar("T")


def _client_or_reason(build: Callable[[], T], http: HttpSettings) -> T:
    """httpx refuses some proxies when it builds a pool (a SOCKS proxy without ``socksio``, a
    malformed address): say which setting, and why (the proxy's password masked)."""
    register_proxy_secrets(http)
    try:
        return build()
    except (ImportError, ValueError) as error:
        detail = safe_proxy_detail(http.proxy, str(error))
        raise InputError("settings.bad_proxy", proxy=safe_proxy(http.proxy or ""), detail=detail) from error


def check_ca_bundle(http: HttpSettings) -> None:
    """An office CA bundle that cannot be loaded is named, with the reason, instead of failing later."""
    if http.ca_bundle:
        try:
            ssl.create_default_context(cafile=http.ca_bundle)
        except (OSError, ssl.SSLError) as error:
            raise InputError("file.unreadable", path=http.ca_bundle, detail=str(error)) from error


def _limited(http: HttpSettings, poll: PollSettings) -> HttpSettings:
    return dataclasses.replace(http, max_in_flight=poll.max_concurrency, per_host=poll.per_host_concurrency)


def http_settings_from(settings: DeskSettings) -> HttpSettings:
    """HTTP settings: an explicit proxy, else the system's (with its bypass list either way); an
    office CA bundle from the settings or ``JB_WATCHDESK_CA_BUNDLE``, else the OS trust store."""
    return http_settings_for(settings)
