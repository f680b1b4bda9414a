"""Redaction by value: a secret the desk handled never reaches a log, the database, the command line or an export."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.services import logs, redaction

CANARY = "Zq7#kP2x"  # 8 characters, nothing like a token: the old 32-character pattern never saw it


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    redaction.forget_all()
    yield
    redaction.forget_all()
    logs.close()


def test_a_registered_value_is_masked_whatever_its_length() -> None:
    redaction.register(CANARY)
    redaction.register("abc")  # too short to mask without masking everything
    assert redaction.redact(f"invalid appsecret {CANARY}, rid abc") == "invalid appsecret [redacted], rid abc"
    assert redaction.redact(f"secret={CANARY.replace('#', '%23')}") == "secret=[redacted]"  # as a query string echoes it
    assert redaction.redact("nothing to hide") == "nothing to hide"


def test_a_longer_secret_that_contains_a_shorter_one_is_masked_whole() -> None:
    redaction.register("abcd1234")
    redaction.register("abcd1234-and-more")
    assert redaction.redact("x abcd1234-and-more y") == "x [redacted] y"


def test_a_channel_url_is_masked_with_its_key_alone_too() -> None:
    redaction.register_url("wecombot://Kq93jd8AbcXy")
    redaction.register_url("https://user:pa55word@hooks.example.org/bot/send?key=9f8e7d6c")
    text = "failed wecombot://Kq93jd8AbcXy; key Kq93jd8AbcXy; pa55word; 9f8e7d6c at hooks.example.org"
    assert redaction.redact(text) == "failed [redacted]; key [redacted]; [redacted]; [redacted] at hooks.example.org"


def test_the_log_filter_masks_messages_arguments_and_tracebacks(tmp_path: Path) -> None:
    path = logs.configure(logs_dir=tmp_path / "logs")
    assert path is not None
    redaction.register(CANARY)
    log = logging.getLogger("jb_watchdesk.test")
    log.warning("platform said %s", f"bad secret {CANARY}")
    try:
        raise RuntimeError(f"echoed {CANARY}")
    except RuntimeError:
        log.warning("poll failed", exc_info=True)
    logs.close()
    written = path.read_text(encoding="utf-8")
    assert "platform said bad secret [redacted]" in written
    assert "RuntimeError: echoed [redacted]" in written  # the traceback is in the file, masked
    assert CANARY not in written


class _EchoingPlatform(BaseHTTPRequestHandler):
    """A WeChat API that echoes the AppSecret it was sent in its error text, as some gateways do."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        sent = json.loads(self.rfile.read(length) or b"{}")
        body = json.dumps({"errcode": 49999, "errmsg": f"appsecret {sent.get('secret')} rejected"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echoing_platform() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingPlatform)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _run(*argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_a_short_secret_echoed_by_a_platform_reaches_no_log_output_database_or_export(
    tmp_path: Path, echoing_platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tmp_path / "ws"
    register = tmp_path / "register.csv"
    register.write_text(f"name,platform,unit,status,source,api_base\n江北发布,wechat_mp,区委宣传部,active,wx1234567890abcdef,{echoing_platform}\n",
                        encoding="utf-8")
    at = ("--lang", "en", "--data-dir", str(ws), "--now", "2026-11-25T10:00:00+08:00")
    assert _run(*at, "accounts", "import", str(register))[0] == 0
    code, out, err = _run(*at, "accounts", "set-secret", "1", "app_secret", stdin=CANARY + "\n", monkeypatch=monkeypatch)
    assert code == 0, err
    redaction.forget_all()  # the poll below is another run of the desk: it learns the secret from the keyring

    outputs = [_run(*at, "poll", "--once"), _run(*at, "poll", "--once", "--json"), _run(*at, "status", "--json")]
    export = tmp_path / "handover.csv"
    outputs.append(_run(*at, "handover", "export", "--from", "2026-11-25T00:00+08:00", "--to", "2026-11-26T00:00+08:00",
                        "--format", "csv", "-o", str(export)))
    status = json.loads(outputs[2][1])
    assert status[0]["health"] != "ok" and "[redacted]" in status[0]["health_reason"]  # the platform's text is kept, masked
    logs.close()
    seen = [text for _, out, err in outputs for text in (out, err)]
    seen += [p.read_bytes().decode("utf-8", "replace") for p in ws.rglob("*") if p.is_file()]
    seen.append(export.read_bytes().decode("utf-8-sig"))
    assert any("watchdesk.log" in str(p) for p in ws.rglob("*"))
    assert not [text for text in seen if CANARY in text]
