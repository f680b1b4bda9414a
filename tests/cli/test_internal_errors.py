"""An unexpected error: one masked line on the terminal, the masked traceback in the log file;
``--debug`` shows the traceback, masked too."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import NoReturn

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.services import logs, redaction

SECRET = "Pa55wordSecret"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    register = tmp_path / "register.csv"
    with register.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "platform", "unit", "status", "source"])
        writer.writerow(["江北发布", "rss", "区委宣传部", "active", "https://example.org/feed.xml"])
    root = tmp_path / "ws"
    assert main(["--data-dir", str(root), "accounts", "import", str(register)], out=io.StringIO(), err=io.StringIO()) == 0
    return root


def _broken(*_args: object) -> NoReturn:
    redaction.register(SECRET)
    raise RuntimeError(f"proxy ftp://officeuser:{SECRET}@proxy.example refused")


@pytest.mark.allow_error_log
def test_an_internal_error_is_one_line_on_the_terminal_and_a_masked_traceback_in_the_log(workspace: Path) -> None:
    err = io.StringIO()
    code = main(["--lang", "en", "--data-dir", str(workspace), "accounts", "list"], out=io.StringIO(), err=err, app_factory=_broken)
    assert code == 1
    assert err.getvalue().count("\n") == 1 and "internal error: RuntimeError" in err.getvalue()
    logs.close()
    written = (workspace / "logs" / "watchdesk.log").read_text(encoding="utf-8")
    assert "Traceback" in written and "RuntimeError: proxy ftp://officeuser:[redacted]@proxy.example" in written
    assert SECRET not in written


@pytest.mark.allow_error_log
def test_debug_prints_the_traceback_with_secrets_masked(workspace: Path) -> None:
    err = io.StringIO()
    code = main(["--debug", "--data-dir", str(workspace), "accounts", "list"], out=io.StringIO(), err=err, app_factory=_broken)
    assert code == 1
    assert "Traceback" in err.getvalue() and "officeuser:[redacted]@" in err.getvalue()
    assert SECRET not in err.getvalue()
