"""``doctor``: what works on this workstation, and what to do about what does not."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from jb_watchdesk.domain.errors import WatchdeskError
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.domain.workdays import WorkdayCalendar
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import lexicon_files
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.secrets import SecretStore

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


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


def check_data_dir(workspace: Workspace) -> Check:
    root = workspace.root
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = root / ".doctor-probe"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        return Check("data_dir", Level.FAIL, f"{root}: {error.strerror or error}", "choose a writable --data-dir")
    return Check("data_dir", Level.OK, str(root))


def check_database(workspace: Workspace) -> Check:
    try:
        store = Store(workspace.database, backups_dir=workspace.backups)
    except WatchdeskError as error:
        return Check("database", Level.FAIL, str(error))
    try:
        mode, integrity, accounts = store.call(
            lambda db: (
                db.execute("PRAGMA journal_mode").fetchone()[0],
                db.execute("PRAGMA quick_check").fetchone()[0],
                db.execute("SELECT COUNT(*) FROM accounts").fetchone()[0],
            )
        )
    except WatchdeskError as error:
        return Check("database", Level.FAIL, str(error))
    finally:
        store.close()
    detail = f"{workspace.database} (journal={mode}, integrity={integrity}, accounts={accounts})"
    if integrity != "ok":
        return Check("database", Level.FAIL, detail, f"restore a backup from {workspace.backups}")
    if str(mode).lower() != "wal":
        return Check("database", Level.WARN, detail, "keep the data dir on a local disk, not a network share")
    return Check("database", Level.OK, detail)


def check_keyring(secrets: SecretStore) -> Check:
    try:
        secrets.check()
    except WatchdeskError as error:
        return Check("keyring", Level.FAIL, secrets.describe(), str(error))
    level = Level.WARN if secrets.is_memory else Level.OK
    return Check("keyring", level, secrets.describe())


def check_calendar(calendar: WorkdayCalendar, *, now: datetime, overrides: Path) -> Check:
    today = now.astimezone(SHANGHAI).date()
    unknown = [year for year in (today.year, today.year + 1) if not calendar.is_known(today.replace(year=year, month=1, day=1))]
    if not unknown:
        return Check("holiday_calendar", Level.OK, f"official calendar known for {today.year} and {today.year + 1}")
    years = ", ".join(str(y) for y in unknown)
    return Check(
        "holiday_calendar",
        Level.WARN,
        f"no official holiday schedule for {years}: comment deadlines there are estimated (Monday–Friday)",
        f"upgrade chinese-calendar when it carries {years}, or add the schedule to {overrides}",
    )


def check_proxy() -> Check:
    proxies = [f"{name}={os.environ[name]}" for name in PROXY_VARIABLES if os.environ.get(name)]
    ca = os.environ.get("SSL_CERT_FILE") or os.environ.get("REQUESTS_CA_BUNDLE")
    if ca and not Path(ca).is_file():
        return Check("proxy", Level.FAIL, f"CA bundle {ca} does not exist", "fix SSL_CERT_FILE / REQUESTS_CA_BUNDLE")
    detail = "; ".join(proxies) if proxies else "direct connection (no proxy variables set)"
    if ca:
        detail += f"; CA bundle {ca}"
    return Check("proxy", Level.OK, detail)


def check_notifications() -> Check:
    if importlib.util.find_spec("plyer") is None:
        return Check("notifications", Level.WARN, "plyer is not installed", "reinstall the application")
    if sys.platform.startswith("linux"):
        if importlib.util.find_spec("dbus") is None and shutil.which("notify-send") is None:
            return Check(
                "notifications",
                Level.WARN,
                "no desktop notification service (neither dbus-python nor notify-send)",
                "install libnotify-bin; alerts still show in the window and the tray",
            )
    return Check("notifications", Level.OK, "OS notifications available (best effort)")


def check_display() -> Check:
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return Check("display", Level.WARN, "no display (DISPLAY/WAYLAND_DISPLAY unset)", "use `run --headless` on this machine")
    return Check("display", Level.OK, "a display is available")


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


def run_checks(*, workspace: Workspace, secrets: SecretStore, calendar: WorkdayCalendar, now: datetime) -> list[Check]:
    return [
        check_data_dir(workspace),
        check_database(workspace),
        check_keyring(secrets),
        check_calendar(calendar, now=now, overrides=workspace.workday_overrides),
        check_lexicon(workspace.root),
        check_proxy(),
        check_notifications(),
        check_display(),
    ]
