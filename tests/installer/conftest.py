"""The frozen bundle, built once per test run and early.

When any test of ``test_bundle.py`` is selected, ``pyinstaller build_installer.spec`` starts in the
background as soon as collection ends, so the build (1-3 minutes) runs while the rest of the suite does;
those tests are moved to the end of the run and the ``bundle`` fixture waits for the build. A run that
does not select them builds nothing. PyInstaller missing is a failure, not a skip: CI must build.
The build goes to a temporary folder (PyInstaller's cache too, never the home folder) removed at the end.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.installer.frozen import Bundle

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "build_installer.spec"
BUNDLE_TESTS = "test_bundle.py"
BUILD_TIMEOUT_S = 1200  # a loaded 2-core CI machine took ~4 minutes; 20 allows for worse


@dataclass
class _Build:
    folder: Path
    log: Path
    process: subprocess.Popen[bytes] | None = None
    error: str | None = None


_build: _Build | None = None


def _start_build() -> _Build:
    folder = Path(tempfile.mkdtemp(prefix="jb-watchdesk-bundle-"))
    build = _Build(folder=folder, log=folder / "pyinstaller.log")
    if importlib.util.find_spec("PyInstaller") is None:
        build.error = "PyInstaller is not installed: pip install -e '.[test]'"
        return build
    env = dict(os.environ, PYINSTALLER_CONFIG_DIR=str(folder / "cache"))
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(folder / "dist"), "--workpath", str(folder / "work"), str(SPEC),
    ]
    with open(build.log, "wb") as log:
        build.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    return build


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    global _build
    bundle_items = [item for item in items if item.path.name == BUNDLE_TESTS and item.path.parent.name == "installer"]
    if not bundle_items or _build is not None:
        return
    others = [item for item in items if item not in bundle_items]
    items[:] = others + bundle_items
    _build = _start_build()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _build is None:
        return
    if _build.process is not None and _build.process.poll() is None:
        _build.process.kill()
        _build.process.wait()
    shutil.rmtree(_build.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def bundle() -> Bundle:
    """Waits for the background build; fails (with the build log's tail) if it did not succeed."""
    if _build is None:
        pytest.fail("the bundle build was not started at collection; select tests/installer/test_bundle.py")
    if _build.error:
        pytest.fail(_build.error)
    assert _build.process is not None
    try:
        code = _build.process.wait(timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        _build.process.kill()
        pytest.fail(f"pyinstaller did not finish within {BUILD_TIMEOUT_S} s")
    if code != 0:
        tail = _build.log.read_text(encoding="utf-8", errors="replace")[-4000:]
        pytest.fail(f"pyinstaller build_installer.spec failed ({code}):\n{tail}")
    folder = _build.folder / "dist" / "jb-watchdesk"
    executable = folder / ("jb-watchdesk.exe" if sys.platform == "win32" else "jb-watchdesk")
    return Bundle(folder=folder, executable=executable, internal=folder / "_internal")
