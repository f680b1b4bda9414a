"""One poller per workspace, as a script sees it: while ``run --headless`` runs, ``poll`` and a second
``run --headless`` are refused (exit 3, naming the holder); read-only commands and officer actions work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jb_watchdesk.services.instance_lock import WINDOW, PollerLock, read_holder
from tests.cli.handlers import run, shipped_workspace


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return shipped_workspace(tmp_path / "ws")


def test_a_second_poller_is_refused_while_read_only_commands_work(ws: Path) -> None:
    headless = subprocess.Popen(
        [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(ws), "run", "--headless"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert headless.stdout is not None
        assert headless.stdout.readline().startswith("watch loop started")  # printed once the lock is held
        for argv in (("poll", "--once"), ("poll",), ("run", "--headless")):
            code, out, err = run(ws, *argv)
            assert code == 3, argv
            assert out == ""
            assert err.startswith(f"{ws} is already polled by run --headless (pid {headless.pid} on ")
            assert f"end process {headless.pid}" in err and "\n" not in err
        for argv in (("status",), ("alerts",), ("comments",), ("accounts", "list"), ("log", "verify")):
            code, _, err = run(ws, *argv)
            assert code == 0, (argv, err)
        code, _, err = run(ws, "shift", "start", "--officer", "张三")  # an officer's write needs no poller lock
        assert code == 0, err
    finally:
        headless.terminate()
        _, err = headless.communicate(timeout=30)
    assert headless.returncode == 0, err
    assert read_holder(ws) is None  # a clean stop forgets its record
    code, out, err = run(ws, "poll", "--once")
    assert code == 0, err
    assert out.startswith("[")


def test_poll_is_refused_while_the_window_polls(ws: Path) -> None:
    with PollerLock(ws, command=WINDOW):
        code, _, err = run(ws, "poll", "--once")
    assert code == 3
    assert err.startswith(f"the desk window already polls {ws} (pid {os.getpid()} on ")
    assert "tray menu" in err
