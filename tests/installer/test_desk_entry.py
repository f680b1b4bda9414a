"""The windowed desk's entry (jb-watchdesk-desk.exe): without standard streams, its output reaches a log file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from jb_watchdesk import __version__

ENTRY = Path(__file__).resolve().parents[2] / "installer" / "desk_entry.py"
# What a windowed Windows program sees: no stdout, no stderr (PyInstaller leaves them None).
WINDOWED = (
    "import runpy, sys; sys.stdout = sys.stderr = None; sys.argv = ['jb-watchdesk-desk', *sys.argv[1:]]; "
    f"runpy.run_path({str(ENTRY)!r}, run_name='__main__')"
)


def test_output_goes_to_the_data_dirs_log_when_there_is_no_console(tmp_path: Path) -> None:
    env = dict(os.environ, JB_WATCHDESK_HOME=str(tmp_path / "ws"))
    result = subprocess.run([sys.executable, "-c", WINDOWED, "--version"], env=env, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    log = tmp_path / "ws" / "logs" / "desk-start.log"
    assert log.read_text(encoding="utf-8") == f"jb-watchdesk {__version__}\n"


def test_with_a_console_it_is_the_command_line(tmp_path: Path) -> None:
    env = dict(os.environ, JB_WATCHDESK_HOME=str(tmp_path / "ws"))
    result = subprocess.run([sys.executable, str(ENTRY), "--version"], env=env, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout.strip()) == (0, f"jb-watchdesk {__version__}")
    assert not (tmp_path / "ws").exists()
