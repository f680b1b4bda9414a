"""The windowed desk (``jb-watchdesk-desk.exe`` on Windows): the command line's ``main`` without a console.

A windowed Windows executable has no standard streams (PyInstaller leaves ``sys.stdout`` and
``sys.stderr`` as ``None``), so the one line the command line would print on a failure (no keyring,
database locked) goes to ``logs/desk-start.log`` in the data dir instead of being lost.
"""

import sys

from jb_watchdesk.cli import main
from jb_watchdesk.paths import Workspace


def _streams_to_log() -> None:
    if sys.stdout is not None and sys.stderr is not None:
        return
    logs = Workspace.resolve(None).logs
    try:
        logs.mkdir(parents=True, exist_ok=True)
        stream = open(logs / "desk-start.log", "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - for the process's life
    except OSError:
        return
    sys.stdout = sys.stdout or stream
    sys.stderr = sys.stderr or stream


_streams_to_log()
raise SystemExit(main())
