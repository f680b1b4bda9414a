"""``escalation channels`` and ``escalation test``: URLs from stdin into the keyring, shown masked, tested each."""

from __future__ import annotations

import io
import json
import socket
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.paths import resources_dir
from jb_watchdesk.storage.secrets import SERVICE, MemoryKeyring

KEY = "Zq9secretTOKEN42"


def run(ws: Path, *argv: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out, err = io.StringIO(), io.StringIO()
    code = main(["--data-dir", str(ws), *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _workspace(tmp_path: Path) -> None:
    """Escalation channels belong to a workspace: each test works in one (``tmp_path``)."""
    register = str(resources_dir() / "accounts" / "jiangbei-2021.csv")
    assert main(["--data-dir", str(tmp_path), "accounts", "import", register], out=io.StringIO(), err=io.StringIO()) == 0


@pytest.fixture
def hook() -> Iterator[tuple[int, list[dict[str, object]]]]:
    received: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            received.append(json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}"))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_channels_are_read_from_stdin_kept_in_the_keyring_and_listed_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    text = f"# the district leader's group\n\nwecombot://{KEY}\n  json://ops:{KEY}@127.0.0.1:8080/hook/{KEY}  \n"
    code, out, err = run(tmp_path, "escalation", "channels", stdin=text, monkeypatch=monkeypatch)
    assert (code, err) == (0, "")
    assert memory_keyring.get_password(SERVICE, "desk:escalation_channels") == (
        f"wecombot://{KEY}\njson://ops:{KEY}@127.0.0.1:8080/hook/{KEY}"
    )
    assert KEY not in out and "wecombot://Zq***" in out and "json://***@127.0.0.1:8080/***" in out
    code, out, err = run(tmp_path, "escalation", "channels", "--list", monkeypatch=monkeypatch)
    assert code == 0 and KEY not in out + err
    assert out.splitlines() == ["  wecombot://Zq***", "  json://***@127.0.0.1:8080/***"]
    assert not (tmp_path / "settings.json").exists() or KEY not in (tmp_path / "settings.json").read_text(encoding="utf-8")


def test_a_bad_line_is_named_and_nothing_is_stored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(SERVICE, "desk:escalation_channels", "wecombot://before")
    text = f"wecombot://{KEY}\n# comment\nnot a url {KEY}\n"
    code, out, err = run(tmp_path, "--lang", "en", "escalation", "channels", stdin=text, monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert "line 3" in err and KEY not in err and err.count("\n") == 1
    assert memory_keyring.get_password(SERVICE, "desk:escalation_channels") == "wecombot://before"


def test_empty_input_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(tmp_path, "escalation", "channels", stdin="# nothing\n\n", monkeypatch=monkeypatch)
    assert code == 2 and err


def test_list_without_channels_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(tmp_path, "--lang", "en", "escalation", "channels", "--list", monkeypatch=monkeypatch)
    assert code == 0 and "no escalation channel" in out


def test_test_reports_each_channel_and_fails_when_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: tuple[int, list[dict[str, object]]]
) -> None:
    port, received = hook
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    good, bad = f"json://127.0.0.1:{port}/hook/{KEY}", f"json://127.0.0.1:{dead}/hook/{KEY}"
    assert run(tmp_path, "escalation", "channels", stdin=f"{good}\n{bad}\n", monkeypatch=monkeypatch)[0] == 0
    code, out, err = run(tmp_path, "--lang", "en", "escalation", "test", monkeypatch=monkeypatch)
    assert code == 1, err
    lines = out.splitlines()
    assert lines[0] == f"[ok] json://127.0.0.1:{port}/***"
    assert lines[1].startswith(f"[failed] json://127.0.0.1:{dead}/***: ")
    assert KEY not in out + err
    assert len(received) == 1 and "test" in str(received[0]["title"]).lower()
    assert run(tmp_path, "escalation", "channels", stdin=f"{good}\n", monkeypatch=monkeypatch)[0] == 0
    assert run(tmp_path, "escalation", "test", monkeypatch=monkeypatch)[0] == 0
    assert len(received) == 2


def test_test_without_channels_is_an_environment_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run(tmp_path, "escalation", "test", monkeypatch=monkeypatch)
    assert code == 3 and out == "" and err.count("\n") == 1


def test_no_secure_keyring_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    assert run(tmp_path, "escalation", "channels", stdin=f"wecombot://{KEY}\n", monkeypatch=monkeypatch)[0] == 3
    assert run(tmp_path, "escalation", "channels", "--list", monkeypatch=monkeypatch)[0] == 3
    assert run(tmp_path, "escalation", "test", monkeypatch=monkeypatch)[0] == 3


def test_doctor_names_the_channels_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(tmp_path, "--lang", "en", "doctor", "--json", monkeypatch=monkeypatch)
    (check,) = [c for c in json.loads(out) if c["check"] == "escalation"]
    assert check["level"] == "warn"
    assert run(tmp_path, "escalation", "channels", stdin=f"wecombot://{KEY}\n", monkeypatch=monkeypatch)[0] == 0
    code, out, _ = run(tmp_path, "--lang", "en", "doctor", "--json", monkeypatch=monkeypatch)
    (check,) = [c for c in json.loads(out) if c["check"] == "escalation"]
    assert check["level"] == "ok" and "wecombot://Zq***" in check["detail"] and KEY not in out
