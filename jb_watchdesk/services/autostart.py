"""Start at login on Windows: what the installer writes under the user's ``Run`` key.

The entry is a value under ``HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run``
whose data is a command line: Windows starts it when that user logs in
(https://learn.microsoft.com/en-us/windows/win32/setupapi/run-and-runonce-registry-keys).
It starts the windowed desk (``jb-watchdesk-desk.exe``, no console window) from the install folder.

``installer/jb-watchdesk.iss`` writes the same value for its optional "start at login" task, with
``{app}`` standing for the install folder; ``tests/installer/test_autostart.py`` holds the two equal.
Pure: nothing here reads or writes the registry.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PureWindowsPath
from typing import Final

RUN_KEY: Final = r"Software\Microsoft\Windows\CurrentVersion\Run"
"""Under ``HKEY_CURRENT_USER``: this user only, no administrator rights needed."""
VALUE_NAME: Final = "JB WatchDesk"
DESK_EXE: Final = "jb-watchdesk-desk.exe"
"""The windowed executable of the bundle (see build_installer.spec)."""


@dataclass(frozen=True, slots=True)
class AutostartEntry:
    """One ``Run`` value: ``name`` = ``command`` under ``HKCU\\`` :data:`RUN_KEY`."""

    key: str
    name: str
    command: str
    executable: str
    """The program alone (a shortcut's target)."""
    arguments: str
    """What follows the program on the command line (a shortcut's arguments); may be empty."""


def run_entry(*, install_dir: str, arguments: Sequence[str] = ()) -> AutostartEntry:
    """The ``Run`` value that starts the desk from ``install_dir`` (a Windows path, e.g.
    ``C:\\Users\\duty\\AppData\\Local\\Programs\\JB WatchDesk``, or Inno Setup's ``{app}``).

    The program path is always in double quotes: unquoted, a path with spaces makes Windows try
    ``C:\\Program`` first. ``arguments`` (e.g. ``["--data-dir", r"D:\\值班\\ws"]``) are quoted by the
    Microsoft C runtime rules (``subprocess.list2cmdline``). A double quote cannot occur in a Windows
    path, so ``install_dir`` containing one is a ``ValueError``.
    """
    if not install_dir or '"' in install_dir:
        raise ValueError(f"not a Windows folder: {install_dir!r}")
    executable = str(PureWindowsPath(install_dir) / DESK_EXE)
    rest = subprocess.list2cmdline(list(arguments))
    command = f'"{executable}"' + (f" {rest}" if rest else "")
    return AutostartEntry(key=RUN_KEY, name=VALUE_NAME, command=command, executable=executable, arguments=rest)
