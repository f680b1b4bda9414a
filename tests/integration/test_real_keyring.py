"""The real Secret Service (GNOME Keyring) in a private D-Bus session with a throwaway home.

This proves the allow-list names the backend keyring really selects on Linux, and that
``accounts set-secret`` stores the value there and nowhere else. Skipped where the
daemon is not installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-run-session and gnome-keyring-daemon",
)

SCRIPT = textwrap.dedent(
    """
    import io, json, sys
    import keyring
    from jb_watchdesk.cli import main
    from jb_watchdesk.storage.secrets import SERVICE, backend_name

    data_dir, register = sys.argv[1], sys.argv[2]
    out, err = io.StringIO(), io.StringIO()
    assert main(["--data-dir", data_dir, "accounts", "import", register], out=out, err=err) == 0, err.getvalue()
    sys.stdin = io.StringIO("real-keyring-secret\\n")
    code = main(["--lang", "en", "--data-dir", data_dir, "accounts", "set-secret", "2", "app_secret"], out=out, err=err)
    print(json.dumps({
        "backend": backend_name(keyring.get_keyring()),
        "code": code,
        "stored": keyring.get_password(SERVICE, "2:app_secret"),
        "out": out.getvalue(),
        "err": err.getvalue(),
    }))
    """
)


def test_set_secret_uses_the_secret_service(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT, encoding="utf-8")
    register = Path(__file__).resolve().parents[2] / "resources" / "accounts" / "jiangbei-2021.csv"
    data_dir = tmp_path / "ws"
    shell = (
        f'export HOME="{home}"; unset PYTHON_KEYRING_BACKEND; '
        'eval "$(printf pass | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null; '
        f'"{sys.executable}" "{script}" "{data_dir}" "{register}"'
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", shell], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == "keyring.backends.SecretService.Keyring"
    assert report["code"] == 0, report["err"]
    assert report["stored"] == "real-keyring-secret"
    assert "real-keyring-secret" not in report["out"] + report["err"]
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert b"real-keyring-secret" not in path.read_bytes(), path
