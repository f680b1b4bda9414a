"""Where the workspace lives and where the shipped resources are.

The data dir is chosen, in order, by ``--data-dir``, the ``JB_WATCHDESK_HOME``
environment variable, then the platform's user data dir (platformdirs).
Resources are found in the source tree and in a PyInstaller bundle alike.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_dir

from jb_watchdesk import APP_ID

ENV_HOME = "JB_WATCHDESK_HOME"
DB_FILENAME = "watchdesk.sqlite3"
WORKDAY_OVERRIDES_FILENAME = "workday-overrides.txt"


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, or inside a frozen bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def default_data_dir() -> Path:
    override = os.environ.get(ENV_HOME)
    if override:
        return Path(override).expanduser()
    return Path(user_data_dir(APP_ID, appauthor=False, roaming=False))


@dataclass(frozen=True, slots=True)
class Workspace:
    """The files of one workspace (one data dir)."""

    root: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None) -> Workspace:
        return cls(Path(data_dir).expanduser() if data_dir else default_data_dir())

    @property
    def database(self) -> Path:
        return self.root / DB_FILENAME

    def exists(self) -> bool:
        """Whether a workspace is here: its database file, not merely the folder (which a mistyped
        path, a stray heartbeat or an unmounted share may leave behind)."""
        return self.database.is_file()

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def workday_overrides(self) -> Path:
        return self.root / WORKDAY_OVERRIDES_FILENAME

    @property
    def logs(self) -> Path:
        return self.root / "logs"
