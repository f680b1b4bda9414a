"""``doctor``: what works on this workstation, and what to do about what does not."""

from __future__ import annotations

import importlib.util
import os
import shutil
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from jb_watchdesk.connectors.http import (
    HttpSettings,
    Unreached,
    proxy_route,
    proxy_script,
    safe_proxy,
    safe_proxy_detail,
    verify_context,
)
from jb_watchdesk.connectors.http_errors import url_host
from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import WatchdeskError
from jb_watchdesk.domain.messages.times import show
from jb_watchdesk.domain.models import Account
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.domain.workdays import WorkdayCalendar
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import lexicon_files, reachability
from jb_watchdesk.services import settings as desk_settings
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.health import database_health
from jb_watchdesk.storage.secrets import SecretStore


class Level(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    level: Level
    detail: str
    advice: str = ""

    def to_json(self) -> dict[str, str]:
        return {"check": self.name, "level": self.level.value, "detail": self.detail, "advice": self.advice}


def _say(key: str, /, **params: object) -> str:
    return messages.text(f"cli.doctor.{key}", None, **params)


def check_data_dir(workspace: Workspace) -> Check:
    root = workspace.root
    if not root.exists():
        # Nothing is created before the first import: the nearest folder that exists must take it.
        parent = next((folder for folder in root.parents if folder.exists()), None)
        if parent is not None and os.access(parent, os.W_OK | os.X_OK):
            return Check("data_dir", Level.OK, _say("data_dir_later", path=root))
        return Check("data_dir", Level.FAIL, str(root), _say("choose_data_dir"))
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = root / ".doctor-probe"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        return Check("data_dir", Level.FAIL, f"{root}: {error.strerror or error}", _say("choose_data_dir"))
    return Check("data_dir", Level.OK, str(root))


def check_database(workspace: Workspace) -> Check:
    if not workspace.exists():
        return Check("database", Level.WARN, _say("no_workspace", path=workspace.root), _say("create_workspace"))
    try:
        store = Store(workspace.database, backups_dir=workspace.backups)
    except WatchdeskError as error:
        return Check("database", Level.FAIL, str(error))
    try:
        found = store.call(database_health)
    except WatchdeskError as error:
        return Check("database", Level.FAIL, str(error))
    finally:
        store.close()
    integrity = messages.label("doctor_level", Level.OK) if found.intact else found.integrity
    detail = _say("database", path=workspace.database, mode=found.journal_mode.upper(), integrity=integrity, accounts=found.accounts)
    if not found.intact:
        return Check("database", Level.FAIL, detail, _say("restore_backup", path=workspace.backups))
    if not found.wal:
        return Check("database", Level.WARN, detail, _say("local_disk"))
    return Check("database", Level.OK, detail)


def check_keyring(secrets: SecretStore) -> Check:
    """``fail`` with what to do when no secure keyring can be chosen or reached (it waits at most the
    keyring timeout, once: the later checks get the same answer at once); ``warn`` for the demo store."""
    try:
        secrets.check()
    except WatchdeskError as error:
        return Check("keyring", Level.FAIL, _say("keyring_unusable"), str(error))
    if secrets.is_memory:
        return Check("keyring", Level.WARN, _say("keyring_memory"))
    return Check("keyring", Level.OK, secrets.describe())


def check_calendar(calendar: WorkdayCalendar, *, now: datetime, overrides: Path) -> Check:
    today = now.astimezone(SHANGHAI).date()
    if calendar.problems:  # the rest of the file is in use; these lines are not
        lines = "; ".join(problem.describe() for problem in calendar.problems[:5]) + ("; …" if len(calendar.problems) > 5 else "")
        return Check("holiday_calendar", Level.WARN, _say("overrides_bad", count=len(calendar.problems), lines=lines),
                     _say("overrides_advice", path=overrides))
    unknown = [year for year in (today.year, today.year + 1) if not calendar.is_known(today.replace(year=year, month=1, day=1))]
    if not unknown:
        return Check("holiday_calendar", Level.OK, _say("calendar_known", year=today.year, next=today.year + 1))
    years = messages.text("cli.list_separator").join(str(y) for y in unknown)
    return Check(
        "holiday_calendar",
        Level.WARN,
        _say("calendar_unknown", years=years),
        _say("calendar_advice", years=years, path=overrides),
    )


def desk_http_settings(workspace: Workspace) -> HttpSettings | Check:
    """The HTTP settings the poll would use (the settings file's proxy and CA bundle), or the
    ``proxy`` check that says why the settings cannot be read."""
    try:
        settings = desk_settings.load(workspace.root)
    except WatchdeskError as error:
        from jb_watchdesk.services.redaction import redact

        return Check("proxy", Level.FAIL, redact(str(error)))  # the settings line: a proxy password masked
    return reachability.http_settings_for(settings)


def check_proxy(http: HttpSettings, *, script: str | None = None) -> Check:
    """The route the poll takes (the settings' proxy, the system's, or direct, and the hosts that
    bypass it) and what certificates are checked against; fail for a proxy httpx cannot use or a
    CA bundle that cannot be loaded; warn when the system routes through an automatic proxy
    script (``script``, read from Internet Options when None) the desk does not run and no proxy
    is set."""
    if http.ca_bundle:
        try:
            verify_context(http)
        except (OSError, ssl.SSLError) as error:
            return Check("proxy", Level.FAIL, _say("net_ca_bad", path=http.ca_bundle, detail=error), _say("net_ca_advice"))
    reachability.register_proxy_secrets(http)
    route = proxy_route(http.proxy, trust_env=http.trust_env)
    separator = messages.text("cli.list_separator")
    if http.proxy:
        detail = _say("net_route_explicit", proxy=safe_proxy(http.proxy))
    elif route.proxies:
        shown = separator.join(f"{scheme}={safe_proxy(proxy)}" if scheme != "all" else safe_proxy(proxy) for scheme, proxy in route.proxies)
        detail = _say("net_route_system", proxies=shown)
    else:
        detail = _say("net_route_direct")
    if route.proxies and route.bypass:
        detail += _say("net_bypass", hosts=separator.join(route.bypass))
    detail += _say("net_trust_system")  # a CA bundle adds to the system's roots
    if http.ca_bundle:
        detail += _say("ca_bundle", path=http.ca_bundle)
    script = proxy_script() if script is None else script
    if script and not http.proxy and http.trust_env:
        return Check("proxy", Level.WARN, detail + _say("net_pac", url=script), _say("net_pac_advice"))
    return Check("proxy", Level.OK, detail)


def check_network(workspace: Workspace, http: HttpSettings, *, per_host_s: float = reachability.PER_HOST_S) -> Check:
    """Each host the desk polls, asked once through the proxy and trust of the poll (see
    :mod:`jb_watchdesk.services.reachability`): fail when a platform's API host cannot be reached,
    warn when only feed hosts cannot; the detail names each host and what failed, the advice what
    to do for each kind of failure. Takes at most ~10 s whatever the network does."""
    accounts: list[Account] = []
    if workspace.database.exists():
        try:
            with Store(workspace.database, backups_dir=workspace.backups) as store:
                accounts = store.query(account_store.list_accounts)
        except WatchdeskError:
            accounts = []  # the database check says what is wrong with it
    wanted = reachability.targets(accounts)
    if not wanted.all:
        return Check("network", Level.OK, _say("net_none"))
    try:
        answers = reachability.check(wanted.all, http=http, per_host_s=per_host_s)
    except (ValueError, ImportError) as error:
        proxy = safe_proxy(http.proxy or "")
        detail = safe_proxy_detail(http.proxy, str(error))
        return Check("network", Level.FAIL, _say("net_bad_proxy", proxy=proxy, detail=detail), _say("net_bad_proxy_advice"))
    except (OSError, ssl.SSLError) as error:
        return Check("network", Level.FAIL, _say("net_ca_bad", path=http.ca_bundle, detail=error), _say("net_ca_advice"))
    parts: list[str] = []
    kinds: list[Unreached] = []
    api_failed = False
    for answer in answers:
        host = url_host(answer.url)
        via = _say("net_via", proxy=answer.via) if answer.via else ""
        if answer.ok:
            parts.append(_say("net_reached", host=host) + via)
            continue
        problem = answer.problem or Unreached.OTHER
        kinds.append(problem)
        api_failed = api_failed or answer.url in wanted.api
        parts.append(_say("net_failed", host=host, problem=_say(f"net_problem.{problem.value}", seconds=f"{per_host_s:g}")) + via)
    detail = messages.text("cli.list_separator").join(parts)
    if wanted.unasked:
        detail += _say("net_unasked", count=wanted.unasked)
    if not kinds:
        return Check("network", Level.OK, detail)
    advice = " ".join(_say(f"net_advice.{kind.value}") for kind in dict.fromkeys(kinds))
    return Check("network", Level.FAIL if api_failed else Level.WARN, detail, advice)


def check_notifications() -> Check:
    if importlib.util.find_spec("plyer") is None:
        return Check("notifications", Level.WARN, _say("no_plyer"), _say("reinstall"))
    if sys.platform.startswith("linux"):
        if importlib.util.find_spec("dbus") is None and shutil.which("notify-send") is None:
            return Check("notifications", Level.WARN, _say("no_notify"), _say("notify_advice"))
    return Check("notifications", Level.OK, _say("notify_ok"))


def check_display() -> Check:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return Check("display", Level.WARN, _say("no_display"), _say("display_advice"))
    return Check("display", Level.OK, _say("display_ok"))


def notification_chain(links: Mapping[str, bool] | None) -> Check:
    """The window's notification chain from the links the window found (None: no display to ask)."""
    if links is None:
        return Check("notification_chain", Level.WARN, _say("chain_no_display"), _say("chain_run_desktop"))
    yes, no = messages.text("cli.yes"), messages.text("cli.no")
    detail = messages.text("cli.list_separator").join(
        _say("link", name=messages.label("notification_link", name), value=yes if ok else no) for name, ok in links.items()
    )
    if links.get("tray_messages") and links.get("os"):
        return Check("notification_chain", Level.OK, detail)
    return Check("notification_chain", Level.WARN, detail, _say("chain_advice"))


def check_lexicon(data_dir: Path) -> Check:
    """The shipped lexicon and ``<data dir>/lexicon/``: fail when a file cannot be read (none of its
    terms is in use), warn when lines were skipped. Detail and advice are in the officer's language."""
    report = lexicon_files.check_lexicon(lexicon_files.lexicon_locations(data_dir))
    if report.unreadable:
        level = Level.FAIL
    elif report.skipped:
        level = Level.WARN
    else:
        level = Level.OK
    return Check("lexicon", level, report.summary(), report.advice())


def check_escalation(workspace: Workspace, secrets: SecretStore) -> Check:
    """The channels that reach the leader on duty: none = warn, keyring unreadable = fail; the last
    message's failed channels (masked) = warn."""
    from jb_watchdesk.services import escalation  # noqa: PLC0415 - Apprise loads only when asked

    try:
        secrets.check()
        channels = escalation.masked_channels(secrets)
    except WatchdeskError as error:
        return Check("escalation", Level.FAIL, str(error))
    if not channels:
        return Check("escalation", Level.WARN, _say("escalation_none"), _say("escalation_none_advice"))
    detail = _say("escalation_channels", count=len(channels), channels=messages.text("cli.list_separator").join(channels))
    last = None
    if workspace.database.exists():
        try:
            with Store(workspace.database, backups_dir=workspace.backups) as store:
                last = escalation.last_message(store)
        except WatchdeskError:
            last = None  # the database check says what is wrong with it
    if last is not None and last.failed:
        failed = messages.text("cli.list_separator").join(
            f"{item.get('channel') or '—'}: {item.get('error') or '—'}" for item in last.failed
        )
        detail += _say("escalation_failed", at=show(last.at), detail=failed)
        return Check("escalation", Level.WARN, detail, _say("escalation_failed_advice"))
    return Check("escalation", Level.OK, detail)


def _network_checks(workspace: Workspace) -> list[Check]:
    http = desk_http_settings(workspace)
    if isinstance(http, Check):
        return [http]
    route = check_proxy(http)
    if route.level is Level.FAIL:
        return [route]
    return [route, check_network(workspace, http)]


def run_checks(*, workspace: Workspace, secrets: SecretStore, calendar: WorkdayCalendar, now: datetime) -> list[Check]:
    return [
        check_data_dir(workspace),
        check_database(workspace),
        check_keyring(secrets),
        check_escalation(workspace, secrets),
        check_calendar(calendar, now=now, overrides=workspace.workday_overrides),
        check_lexicon(workspace.root),
        *_network_checks(workspace),
        check_notifications(),
        check_display(),
    ]


def check_logs(workspace: Workspace) -> Check:
    """Where the log files are (``<data dir>/logs/watchdesk.log``), or will be once the workspace exists."""
    from jb_watchdesk.services import logs  # noqa: PLC0415 - logging set-up only where asked

    path = logs.log_file(workspace.logs)
    if not workspace.exists():
        return Check("logs", Level.OK, _say("logs_later", path=path))
    folder = workspace.logs
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        return Check("logs", Level.FAIL, _say("logs_unwritable", path=folder, detail=os.strerror(13)), _say("choose_data_dir"))
    return Check("logs", Level.OK, _say("logs", path=path))


def check_settings(workspace: Workspace) -> Check:
    """The settings file: fail naming the key whose value is of the wrong type or shape (``poll``,
    ``run`` and the window refuse to start on it, exit 2, rather than silently use a default)."""
    path = workspace.root / desk_settings.FILENAME
    try:
        settings = desk_settings.load(workspace.root)
    except WatchdeskError as error:
        return Check("settings", Level.FAIL, str(error), _say("settings_advice"))
    del settings
    if not path.exists():
        return Check("settings", Level.OK, _say("settings_default", path=path))
    return Check("settings", Level.OK, _say("settings_ok", path=path))


def check_backups(workspace: Workspace) -> Check:
    """The daily backups: the latest one and how many days they are kept (the ``backup_days`` setting)."""
    from jb_watchdesk.services import backups  # noqa: PLC0415

    try:
        keep = desk_settings.load(workspace.root).backup_days
    except WatchdeskError:
        keep = desk_settings.DeskSettings().backup_days  # the settings check says what is wrong
    found = backups.daily_backups(workspace.backups)
    if not found:
        level = Level.WARN if workspace.exists() else Level.OK
        return Check("backups", level, _say("backups_none", path=workspace.backups))
    return Check("backups", Level.OK, _say("backups", path=workspace.backups, latest=max(found).isoformat(), days=keep))


def maintenance_checks(workspace: Workspace) -> list[Check]:
    """Logs, settings and backups: where they are and whether they can be used."""
    return [check_settings(workspace), check_logs(workspace), check_backups(workspace)]
