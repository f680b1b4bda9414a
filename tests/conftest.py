"""Test isolation: offscreen Qt, a temporary home and data dir, an in-memory keyring, no stray errors."""

from __future__ import annotations

import logging
import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import keyring
import pytest
from hypothesis import HealthCheck, settings

from jb_watchdesk.domain import messages
from jb_watchdesk.storage.secrets import MemoryKeyring

settings.register_profile("default", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("default")


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
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    language = messages.current_language()
    yield memory
    keyring.set_keyring(previous)
    messages.set_language(language)


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
