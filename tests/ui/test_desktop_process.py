"""The desk as the officer starts it: ``jb-watchdesk --demo`` in its own process, on ``qasync.run``.

The in-process window tests drive a loop they create themselves; this one goes through the real
entry point, so what only ``qasync.run`` does (its loop policy, its signal handling) is covered.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request


def test_the_demo_polls_through_the_duty_thread_and_stops_cleanly_on_ctrl_c(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen(
        [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert process.stderr is not None
        lines: list[str] = []
        while not any("simulated platforms at" in line for line in lines):  # the demo names its simulator first
            line = process.stderr.readline()
            assert line, "".join(lines)
            lines.append(line)
        base = lines[-1].strip().split()[-1]
        assert base.startswith("http://127.0.0.1:"), lines
        deadline = time.monotonic() + 60
        served = 0
        while time.monotonic() < deadline and served < 100:  # the desk's first cycle reads every account
            time.sleep(0.5)
            assert process.poll() is None, process.communicate()[1]
            with urllib.request.urlopen(f"{base}/_sim/stats", timeout=5) as response:  # noqa: S310 - loopback
                served = json.load(response)["total"]
        assert served >= 100
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=20)
        err = "".join(lines) + rest
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    for problem in ("Traceback", "Exception in thread", "from another thread", "Must be called from the main thread"):
        assert problem not in err, err
