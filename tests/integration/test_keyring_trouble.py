"""A Secret Service that never answers: a stub owns ``org.freedesktop.secrets`` on a private D-Bus
session and reads every call without replying (as a hung GNOME Keyring does). The desk waits one
timeout, says so, keeps polling feeds, and the process still exits."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import keyring.backend
import pytest

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.connectors.http import HttpSettings
from jb_watchdesk.domain.models import Health
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.storage.secrets import TIMEOUT_ENV, SecretStore, backend_name

TIMEOUT_S = 1.0
FAST = HttpSettings(trust_env=False, total_timeout=5.0, read_timeout=5.0, connect_timeout=5.0)

needs_dbus = pytest.mark.skipif(not shutil.which("dbus-run-session"), reason="needs dbus-run-session (package dbus)")

STUB = textwrap.dedent(
    """
    import sys
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    conn = open_dbus_connection(bus="SESSION")
    conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.secrets"))
    with open(sys.argv[1], "w") as ready:
        ready.write("owned")
    try:
        while True:
            conn.receive()  # every call is read and never answered
    except OSError:
        pass  # the session bus went away: the test is over
    """
)

PROBE = textwrap.dedent(
    """
    import json, time
    import keyring
    from jb_watchdesk.storage.secrets import SecretStore, backend_name

    store = SecretStore.from_environment()
    t0 = time.time()
    try:
        store.get(1, "app_secret")
        result = "answered"
    except Exception as error:
        result = getattr(error, "key", type(error).__name__)
    print(json.dumps({"t0": t0, "result": result, "backend": backend_name(keyring.get_keyring())}), flush=True)
    """
)


def in_hung_session(tmp_path: Path, command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``command`` (bash) in a private D-Bus session whose Secret Service never answers; the
    shell prints ``EXITED <epoch>`` the moment ``command`` ends."""
    (tmp_path / "stub.py").write_text(STUB, encoding="utf-8")
    ready = tmp_path / "ready"
    shell = (
        "unset PYTHON_KEYRING_BACKEND; "
        f'"{sys.executable}" "{tmp_path / "stub.py"}" "{ready}" & '
        f'for i in $(seq 200); do [ -s "{ready}" ] && break; sleep 0.05; done; '
        f"{command}; code=$?; python3 -c 'import time; print(\"EXITED\", time.time())'; exit $code"
    )
    environment = {**os.environ, TIMEOUT_ENV: str(TIMEOUT_S), **(env or {})}
    return subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", shell], capture_output=True, text=True, timeout=120, check=False, env=environment
    )


def exited_at(stdout: str) -> float:
    return float(next(line for line in stdout.splitlines() if line.startswith("EXITED")).split()[1])


@needs_dbus
def test_a_hung_secret_service_costs_one_timeout_and_the_process_exits(tmp_path: Path) -> None:
    (tmp_path / "probe.py").write_text(PROBE, encoding="utf-8")
    result = in_hung_session(tmp_path, f'"{sys.executable}" "{tmp_path / "probe.py"}"')
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[0])
    assert report["backend"] == "keyring.backends.SecretService.Keyring"  # chosen: the bus says it is there
    assert report["result"] == "secret.timeout"
    # The call never returns; the worker is a daemon thread, so the process ends anyway.
    assert exited_at(result.stdout) - report["t0"] <= TIMEOUT_S + 2


@needs_dbus
def test_poll_with_a_hung_secret_service_reads_the_feeds_and_exits(tmp_path: Path, simulated_desk) -> None:
    """The whole ``poll --once`` in its own process (4-9 s: start-up, one keyring timeout, one
    cycle): the only way to see the process end while the Secret Service still holds its call."""
    command = f'"{sys.executable}" -m jb_watchdesk --lang en --data-dir "{simulated_desk.root}" poll --once --json'
    result = in_hung_session(tmp_path, command)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    cycle = json.loads("\n".join(line for line in result.stdout.splitlines() if not line.startswith("EXITED")))
    api = {simulated_desk.ids[key] for key in simulated_desk.ids if simulated_desk.world.credentials(key)}
    feeds = set(simulated_desk.ids.values()) - api
    assert api and feeds
    assert cycle["accounts_polled"] == len(api) + len(feeds)
    failed = {failure["account_id"]: failure for failure in cycle["failures"]}
    assert set(failed) == api  # every account needing the keyring, and only those
    for failure in failed.values():
        assert failure["code"] == "keyring.unavailable" and failure["health"] == Health.DEGRADED.value
        assert "did not answer within 1 s" in failure["reason"]


class HungKeyring(keyring.backend.KeyringBackend):
    """A Secret Service that stopped answering, in process: every call waits for ``release``."""

    priority = -5
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        self.release.wait(30)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.get_password(service, username)


def test_feeds_keep_polling_while_the_keyring_rests(simulated_desk) -> None:
    backend = HungKeyring()
    store = SecretStore(backend, timeout=0.5, trusted=frozenset({backend_name(backend)}))
    api = {simulated_desk.ids[key] for key in simulated_desk.ids if simulated_desk.world.credentials(key)}
    feeds = set(simulated_desk.ids.values()) - api

    async def two_cycles() -> list[object]:
        with App(workspace=Workspace(simulated_desk.root), clock=Clock(simulated_desk.now), secret_store=store) as app:
            async with running_watch(app, settings=PollSettings(max_concurrency=8), http_settings=FAST) as loop:
                return [await loop.cycle(force=True), await loop.cycle(force=True)]

    try:
        cycles = asyncio.run(two_cycles())
    finally:
        backend.release.set()
    for cycle in cycles:
        poll = cycle.poll  # type: ignore[attr-defined]
        assert feeds <= set(poll.polled)
        assert {failure.account_id for failure in poll.failures} <= api
        assert all(failure.code == "keyring.unavailable" for failure in poll.failures)
        assert all(failure.health is Health.DEGRADED for failure in poll.failures)
    assert {failure.account_id for failure in cycles[0].poll.failures} == api  # type: ignore[attr-defined]
    # One call hung; everything after it was answered at once, without asking the keyring again.
    assert backend.calls == 1
