"""Test isolation: offscreen Qt, a temporary home and data dir, an in-memory keyring, no stray errors."""

from __future__ import annotations

import logging
import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import keyring
import pytest
from hypothesis import HealthCheck, settings

from jb_watchdesk.domain import messages
from jb_watchdesk.services import logs, redaction
from jb_watchdesk.storage.secrets import MemoryKeyring

# The suite's property tests draw the same examples on every run (a result does not depend on the
# day): a new counterexample is looked for on purpose, with HYPOTHESIS_PROFILE=explore (many more
# examples, drawn at random), and kept as an @example once found.
settings.register_profile(
    "default", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile(
    "explore", max_examples=5_000, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=False
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Never touch the developer's home, data dir or real keyring."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.setenv("JB_WATCHDESK_HOME", str(home / "workspace"))
    monkeypatch.delenv("JB_WATCHDESK_LANG", raising=False)
    # Child processes (CLI subprocess tests) get the "fail" backend: never a real keyring.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    language = messages.current_language()
    # Each test starts in the default language, whatever a module-scoped fixture's command chose.
    messages.set_language(messages.DEFAULT_LANGUAGE)
    yield memory
    keyring.set_keyring(previous)
    messages.set_language(language)
    logs.close()  # a command's logging ends with it; a test that configured it directly ends it here
    redaction.forget_all()  # the secrets one test taught the redactor are not another test's


@pytest.fixture
def memory_keyring(_isolated_environment: MemoryKeyring) -> MemoryKeyring:
    return _isolated_environment


@pytest.fixture(autouse=True)
def _fail_on_error_logs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture):
    """A test that makes the code log an unexpected error fails, even if its assertions pass."""
    caplog.set_level(logging.INFO)
    yield
    if request.node.get_closest_marker("allow_error_log"):
        return
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail("unexpected error log: " + "; ".join(r.getMessage() for r in errors))


class SimulatedDesk:
    """A workspace whose register points at a running simulator, credentials in a memory keyring."""

    def __init__(self, *, root, world, server, base_url: str, keyring_backend: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
        self.root = root
        self.world = world
        self.server = server
        self.base_url = base_url
        self.keyring = keyring_backend
        self.ids: dict[str, int] = {}
        self.now = SIM_NOW


@pytest.fixture
def simulated_desk(tmp_path, memory_keyring: MemoryKeyring):  # type: ignore[no-untyped-def]
    """A small simulated district on one fixed instant (see ``SIM_NOW``), ready to poll."""
    import csv
    import io

    from jb_watchdesk.cli import main
    from jb_watchdesk.simulator.server import SimulatorServer
    from jb_watchdesk.simulator.world import World
    from jb_watchdesk.storage.secrets import SERVICE

    world = World(seed=3, accounts=12, clock=lambda: SIM_NOW)
    server = SimulatorServer(world)
    with server.running_in_thread() as base_url:
        desk = SimulatedDesk(root=tmp_path / "ws", world=world, server=server, base_url=base_url, keyring_backend=memory_keyring)
        register = tmp_path / "register.csv"
        rows = world.register_rows(base_url)
        with open(register, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        assert main(["--data-dir", str(desk.root), "accounts", "import", str(register)], out=io.StringIO()) == 0
        listing = io.StringIO()
        main(["--data-dir", str(desk.root), "accounts", "list", "--json"], out=listing)
        import json

        for account in json.loads(listing.getvalue()):
            key = account["note"].removeprefix("sim:")
            desk.ids[key] = account["id"]
            for name, value in world.credentials(key).items():
                memory_keyring.set_password(SERVICE, f"{account['id']}:{name}", value)
        yield desk


from datetime import datetime  # noqa: E402

from jb_watchdesk.domain.rules import SHANGHAI  # noqa: E402

SIM_NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
