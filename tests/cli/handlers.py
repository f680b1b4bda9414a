"""Running one command's handler as ``cli.main`` does, on a workspace holding the notice's register."""

from __future__ import annotations

import contextlib
import io
from datetime import datetime
from pathlib import Path

from jb_watchdesk import cli
from jb_watchdesk.app import App, Clock
from jb_watchdesk.cli.parser import build_parser
from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import WatchdeskError
from jb_watchdesk.paths import Workspace, resources_dir

SHIPPED = resources_dir() / "accounts" / "jiangbei-2021.csv"
"""The notice's nine accounts, none with a source."""
MORNING = "2026-11-25T08:00:00+08:00"


def run(ws: Path, *argv: str, now: str = MORNING) -> tuple[int, str, str]:
    """One command as ``cli.main`` runs it: parse, build the app at ``now``, call the handler, map
    errors to exit codes; ``(exit code, stdout, stderr)``."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = build_parser().parse_args(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    try:
        with App(workspace=Workspace(ws), clock=Clock(datetime.fromisoformat(now))) as app:
            return int(args.handler(app, args, out)), out.getvalue(), err.getvalue()
    except WatchdeskError as error:
        return error.exit_code, out.getvalue(), str(error)


def shipped_workspace(root: Path) -> Path:
    """A workspace at ``root`` with the notice's register imported; the tests then read English."""
    assert cli.main(["--data-dir", str(root), "accounts", "import", str(SHIPPED)], out=io.StringIO(), err=io.StringIO()) == 0
    messages.set_language("en")  # cli.main chose the default language
    return root
