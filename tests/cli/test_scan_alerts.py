"""`scan` and `alerts` as a script would use them: offsets, exit codes, JSON shapes."""

from __future__ import annotations

import asyncio
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.connectors.base import FetchedPost
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.scanner import ScanService, lexicon_locations
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SCAN_KEYS = {"start", "end", "text", "category", "severity", "rule", "confidence", "term", "reason", "why"}
ALERT_KEYS = {"id", "account_id", "item_id", "category", "severity", "rule", "text", "context", "raised_at", "state", "ack_by", "ack_note"}


def run(*argv: str, stdin: bytes | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def ws(tmp_path: Path) -> str:
    return str(tmp_path / "ws")


def test_scan_stdin_json_offsets_are_code_points_into_the_input_as_given(ws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "😀👍🏽 第一行\r\n联系电话 138-0013-8000，文件标注绝密★"
    code, out, err = run("--data-dir", ws, "scan", "-", "--json", stdin=text.encode("utf-8"), monkeypatch=monkeypatch)
    hits = json.loads(out)
    assert (code, err) == (1, "")
    assert all(set(hit) == SCAN_KEYS for hit in hits)
    by_rule = {hit["rule"]: hit for hit in hits}
    phone, marking = by_rule["pii.mobile"], by_rule["secret.marking"]
    assert text[marking["start"] : marking["end"]] == "绝密★" and marking["text"] == "绝密★"
    assert text[phone["start"] : phone["end"]] == "138-0013-8000"
    assert phone["text"] != "138-0013-8000" and "****" in phone["text"]  # personal data stays masked


def test_scan_exit_codes_and_plain_output(ws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = tmp_path / "clean.txt"
    clean.write_text("今天天气晴朗，欢迎来江北。", encoding="utf-8")
    assert run("--lang", "en", "--data-dir", ws, "scan", str(clean))[:2] == (0, "nothing found\n")
    assert run("--data-dir", ws, "scan", str(clean), "--json")[:2] == (0, "[]\n")
    code, out, _ = run("--lang", "en", "--data-dir", ws, "scan", stdin="绝密★".encode(), monkeypatch=monkeypatch)
    assert code == 1 and "secret.marking" in out
    chinese_excel = tmp_path / "gbk.txt"  # saved by a Chinese Windows program
    chinese_excel.write_bytes("文件标注绝密★".encode("gb18030"))
    code, out, _ = run("--lang", "en", "--data-dir", ws, "scan", str(chinese_excel))
    assert code == 1 and "secret.marking" in out
    binary = tmp_path / "broken.txt"
    binary.write_bytes(b"\xff\xfe\xfe")  # a UTF-16 BOM and half a character
    code, _, err = run("--lang", "en", "--data-dir", ws, "scan", str(binary))
    assert code == 2 and "neither UTF-8 nor UTF-16 nor GB18030" in err
    empty = tmp_path / "empty-lexicon"
    empty.mkdir()
    code, _, err = run("--lang", "en", "--data-dir", ws, "scan", str(clean), "--lexicon", str(empty))
    assert code == 2 and "has no terms" in err
    assert run("--data-dir", ws, "scan", str(tmp_path / "missing.txt"))[0] == 2
    assert run("--data-dir", ws, "scan", str(clean), "--lexicon", str(tmp_path / "missing.csv"))[0] == 2


def test_scan_with_a_given_lexicon_and_the_workspace_lexicon(
    ws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_text("term,category,severity,rule,note\n江北特供,advertising,high,ad.local,\n单,advertising,low,ad.x,\n", encoding="utf-8")
    text = "江北特供，国家级".encode()
    code, out, _ = run("--lang", "en", "--data-dir", ws, "scan", "--json", "--lexicon", str(mine), stdin=text, monkeypatch=monkeypatch)
    assert code == 1 and [hit["rule"] for hit in json.loads(out)] == ["ad.local"]  # only the given lexicon
    assert f"{mine}:3:" in capsys.readouterr().err  # a bad line is reported, the rest still loads
    (Path(ws) / "lexicon").mkdir(parents=True)
    (Path(ws) / "lexicon" / "office.csv").write_text("江北特供,advertising,high,ad.local,\n", encoding="utf-8")
    code, out, _ = run("--data-dir", ws, "scan", "--json", stdin=text, monkeypatch=monkeypatch)
    assert {hit["rule"] for hit in json.loads(out)} >= {"ad.local", "ad.absolute"}  # workspace and shipped


def _alerts_in_workspace(ws: str) -> None:
    with Store(Workspace(Path(ws)).database) as store:
        store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1")], now=NOW)
        posted = FetchedPost(external_id="p1", title="绝密★", body="经办人11010519491231002X", digest="", url="", published_at=NOW)
        store.call(ingest.record_success, account_id=1, posts=[posted], comments=[], now=NOW)
        with ScanService(store=store, clock=type("C", (), {"now": lambda self: NOW})(), locations=lexicon_locations(Path(ws))) as service:
            asyncio.run(service.scan_pending())


def test_alerts_json_shape_and_acknowledgement(ws: str) -> None:
    _alerts_in_workspace(ws)
    code, out, _ = run("--data-dir", ws, "alerts", "--json")
    alerts = json.loads(out)
    assert code == 0 and len(alerts) == 2
    assert all(ALERT_KEYS <= set(alert) for alert in alerts)
    by_rule = {alert["rule"]: alert for alert in alerts}
    identity = by_rule["pii.id_card"]
    assert identity["text"] == "110105********002X" and "11010519491231002X" not in identity["context"]
    assert (identity["account_id"], identity["item_id"], identity["state"], identity["ack_by"]) == (1, 1, "new", None)
    assert datetime.fromisoformat(identity["raised_at"]) == NOW

    code, out, _ = run("--lang", "en", "--data-dir", ws, "alerts", "ack", str(identity["id"]), "--note", "已通知删除", "--officer", "张三")
    assert (code, out) == (0, f"acknowledged alert {identity['id']} (张三)\n")
    code, _, err = run("--lang", "en", "--data-dir", ws, "alerts", "ack", str(identity["id"]), "--note", "again")
    assert code == 2 and "only a new alert" in err
    assert run("--data-dir", ws, "alerts", "ack", "999", "--note", "x")[0] == 2
    assert run("--data-dir", ws, "alerts", "ack", str(by_rule["secret.marking"]["id"]), "--note", " ")[0] == 2

    acked = json.loads(run("--data-dir", ws, "alerts", "--json", "--state", "acknowledged")[1])
    assert [(a["id"], a["state"], a["ack_by"], a["ack_note"]) for a in acked] == [(identity["id"], "acknowledged", "张三", "已通知删除")]
    assert [a["rule"] for a in json.loads(run("--data-dir", ws, "alerts", "--json")[1])] == ["secret.marking"]
    assert len(json.loads(run("--data-dir", ws, "alerts", "--json", "--state", "all")[1])) == 2
    code, out, _ = run("--lang", "en", "--data-dir", ws, "alerts", "--state", "all")
    assert code == 0 and "110105********002X" in out and "11010519491231002X" not in out
