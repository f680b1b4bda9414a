"""The watch loop keeps the heartbeat: a desk killed mid-watch is found at the next start as a crash
gap, closed by that run's first completed cycle; Ctrl+C is a clean quit (an open quit gap, no
heartbeat left). Real processes on the loopback simulator."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from jb_watchdesk.cli import main
from jb_watchdesk.services.gaps import HEARTBEAT_FILENAME


def watch_one_cycle(root: Path, *, stop: signal.Signals) -> dict[str, object]:
    """``poll`` until its first cycle is reported, then ``stop`` it; the cycle's JSON line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(root), "poll", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first: dict[str, object] = json.loads(process.stdout.readline())
        process.send_signal(stop)
        _, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in err
    return first


def cli(root: Path, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--lang", "en", "--data-dir", str(root), *argv], out=out, err=io.StringIO())
    return code, out.getvalue()


def test_a_killed_desk_is_a_crash_gap_and_ctrl_c_a_quit(simulated_desk) -> None:  # type: ignore[no-untyped-def]
    root = Path(simulated_desk.root)
    heartbeat = root / HEARTBEAT_FILENAME
    crashed = watch_one_cycle(root, stop=signal.SIGKILL)
    assert heartbeat.exists()  # nothing removed it: the next start knows
    last_cycle = datetime.fromisoformat(json.loads(heartbeat.read_text(encoding="utf-8"))["last_cycle"])
    assert last_cycle == datetime.fromisoformat(str(crashed["finished_at"]))

    resumed = watch_one_cycle(root, stop=signal.SIGINT)
    assert not heartbeat.exists()  # a clean stop leaves none

    code, out = cli(root, "gaps", "--json")
    assert code == 0
    crash, quit_gap = json.loads(out)
    assert crash["cause"] == "crash" and datetime.fromisoformat(crash["started_at"]) == last_cycle
    assert datetime.fromisoformat(crash["ended_at"]) == datetime.fromisoformat(str(resumed["finished_at"]))
    assert quit_gap["cause"] == "quit" and quit_gap["ended_at"] is None
    assert datetime.fromisoformat(quit_gap["started_at"]) == datetime.fromisoformat(str(resumed["finished_at"]))
    assert cli(root, "log", "verify")[0] == 0
