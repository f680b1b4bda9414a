"""Composition root: builds the store, secret store and calendar for one workspace."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.workdays import DEFAULT_CALENDAR, WorkdayCalendar, parse_overrides
from jb_watchdesk.paths import Workspace
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
    """The official calendar plus the duty room's overrides file, if there is one."""
    path = workspace.workday_overrides
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return DEFAULT_CALENDAR
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("file.unreadable", path=str(path), detail=str(error)) from error
    return parse_overrides(text, source=str(path))


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
        return self.secret_store or SecretStore()

    @cached_property
    def calendar(self) -> WorkdayCalendar:
        return load_calendar(self.workspace)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "secrets" in self.__dict__:
            self.secrets.close()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
