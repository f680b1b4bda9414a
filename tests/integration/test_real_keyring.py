"""The real Secret Service (GNOME Keyring) in a private D-Bus session with a throwaway home.

This proves the allow-list names the backend keyring really selects on Linux, and that
``accounts set-secret`` and ``accounts import-secrets`` store the values there and nowhere else.
Skipped where the daemon is not installed (``.ci/run`` installs it).
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
    sys.stdin = io.StringIO("account,name,value\\n1,app_secret,bulk-secret-one\\n3,client_key,bulk-key-three\\n")
    bulk_out = io.StringIO()
    bulk = main(["--lang", "en", "--data-dir", data_dir, "accounts", "import-secrets"], out=bulk_out, err=err)
    print(json.dumps({
        "backend": backend_name(keyring.get_keyring()),
        "code": code,
        "stored": keyring.get_password(SERVICE, "2:app_secret"),
        "bulk": bulk,
        "bulk_stored": [keyring.get_password(SERVICE, "1:app_secret"), keyring.get_password(SERVICE, "3:client_key")],
        "out": out.getvalue() + bulk_out.getvalue(),
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
    assert report["bulk"] == 0, report["err"]
    assert report["bulk_stored"] == ["bulk-secret-one", "bulk-key-three"]
    assert "stored 2 secrets in keyring.backends.SecretService.Keyring" in report["out"]
    for value in ("real-keyring-secret", "bulk-secret-one", "bulk-key-three"):
        assert value not in report["out"] + report["err"]
        for path in data_dir.rglob("*"):
            if path.is_file():
                assert value.encode() not in path.read_bytes(), path
