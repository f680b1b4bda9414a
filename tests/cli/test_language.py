"""What an officer reads speaks one language: Chinese by default, English with ``--lang en``.

A small workspace holds data in every state (health, freshness, comment and alert states, a missed
emergency); the tables, the doctor and the errors are rendered in each language and read word by
word: no English word in Chinese output and no Chinese in English output, except the workspace's
own data values, proper names, format names and what an officer types (commands, options, paths).
"""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.connectors.base import FetchedPost
from jb_watchdesk.paths import Workspace, resources_dir
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.scanner import ScanService, lexicon_locations
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage.db import Store

SHIPPED = str(resources_dir() / "accounts" / "jiangbei-2021.csv")
NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
AT = ("--now", NOW.isoformat())

INTERNAL_CODES = {
    "veto", "warn", "never_polled", "overdue_ack", "overdue_result", "acked", "pending", "done", "paid_service",
    "acknowledged", "resolved", "auth_expired", "failing", "degraded", "wechat_mp", "weibo", "douyin", "to_close",
    "active", "closed", "missed", "waiting", "met", "advertising", "privacy", "secret", "misstatement", "high",
    "medium", "low", "data_dir", "holiday_calendar", "notification_chain", "keyring", "ok", "fail", "unknown",
    "new", "website", "rss",
}
# Names an officer reads as they are: formats, protocols, the program, and the software the doctor names.
PROPER = {
    "RSS", "ISO", "JSON", "CSV", "XLSX", "PDF", "URL", "ID", "SQLite", "HTTP", "HTTPS", "API", "CA", "WAL", "Qt", "UTF",
    "GB", "Ctrl", "Linux", "Windows", "macOS", "GNOME", "Keyring", "KWallet", "Secret", "Service", "plyer", "dbus",
    "python", "notify", "send", "libnotify", "bin", "chinese", "calendar", "DISPLAY", "WAYLAND", "SSL", "CERT", "FILE",
    "REQUESTS", "BUNDLE", "PROXY", "ALL", "https", "http", "proxy", "jb", "watchdesk", "headless", "demo", "Excel",
}
COMMANDS = {
    "accounts", "import", "export", "list", "set", "secret", "status", "doctor", "poll", "run", "comments", "scan",
    "alerts", "ack", "lexicon", "allow", "check", "simulator", "shift", "start", "end", "handover", "inspect",
    "emergency", "log", "verify", "report", "weekly", "db", "backup", "help", "lang", "en", "zh",
}
WORD = re.compile(r"[A-Za-z][A-Za-z]*")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def run(*argv: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="microseconds")


def _build(ws: Path) -> list[str]:
    """Every state the tables can show; returns the data values (names, texts, sources) it wrote."""
    assert run("--data-dir", str(ws), "accounts", "import", SHIPPED)[0] == 0
    conn = sqlite3.connect(ws / "watchdesk.sqlite3")
    polled = _iso(NOW - timedelta(days=30))
    for account_id, health, reason in (
        (1, "ok", ""), (2, "ok", ""), (3, "degraded", "timeout"), (4, "auth_expired", "token"), (5, "failing", "HTTP 500"),
    ):
        conn.execute(
            "UPDATE accounts SET health = ?, health_reason = ?, first_polled_at = ? WHERE id = ?",
            [health, reason, polled, account_id],
        )
    conn.execute("UPDATE accounts SET status = 'to_close' WHERE id = 6")
    conn.execute("UPDATE accounts SET status = 'closed' WHERE id = 7")
    posts = [(1, 1), (1, 2), (1, 3), (2, 20), (3, 2)]  # account 1 fresh, 2 silent (veto), 3 one post (warning)
    for n, (account_id, days) in enumerate(posts):
        conn.execute(
            "INSERT INTO posts (account_id, external_id, published_at, first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [account_id, f"p{n}", _iso(NOW - timedelta(days=days)), _iso(NOW), _iso(NOW)],
        )
    # pending, overdue_ack, acked, overdue_result, done
    comments = [
        ("c1", NOW - timedelta(minutes=10), None, None, "请问几点开门"),
        ("c2", NOW - timedelta(hours=3), None, None, "路灯坏了"),
        ("c3", NOW - timedelta(hours=3), NOW - timedelta(hours=2, minutes=30), None, "办证要带什么"),
        ("c4", NOW - timedelta(days=12), NOW - timedelta(days=12), None, "噪音扰民"),
        ("c5", NOW - timedelta(days=2), NOW - timedelta(days=2), NOW - timedelta(days=1), "谢谢回复"),
    ]
    for external_id, created, acked, done, text in comments:
        conn.execute(
            """INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due,
                                     first_seen_at, updated_at, acked_at, acked_by, done_at, done_by)
               VALUES (1, ?, '市民', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                external_id, text, _iso(created), _iso(created + timedelta(hours=1)), _iso(created + timedelta(days=7)),
                _iso(NOW), _iso(NOW), acked and _iso(acked), acked and "张三", done and _iso(done), done and "张三",
            ],
        )
    conn.commit()
    conn.close()
    with Store(Workspace(ws).database) as store:
        posted = FetchedPost(
            external_id="s1", title="绝密★", body="提供有偿服务，经办人11010519491231002X，国家级最佳", digest="", url="",
            published_at=NOW,
        )
        store.call(ingest.record_success, account_id=8, posts=[posted], comments=[], now=NOW)
        clock = type("C", (), {"now": lambda self: NOW})()
        with ScanService(store=store, clock=clock, locations=lexicon_locations(ws)) as service:
            asyncio.run(service.scan_pending())
        alerts = ops.list_alerts(store)
        assert len(alerts) >= 3
        ops.acknowledge_alert(store, alerts[0].id, officer="张三", note="已通知删除", now=NOW)
        ops.resolve_alert(store, alerts[1].id, officer="张三", now=NOW)
        texts = [a.text for a in alerts] + [a.context for a in alerts]
        accounts = ops.list_accounts(store)
    early = (NOW - timedelta(hours=3)).isoformat()
    assert run("--data-dir", str(ws), "--now", early, "shift", "start", "--officer", "张三")[0] == 0
    assert run("--data-dir", str(ws), "--now", early, "emergency", "start", "--title", "观音桥暴雨内涝")[0] == 0
    values = [str(ws), "yesterday", "已通知删除", "市民", "张三", "观音桥暴雨内涝", "timeout", "token", "HTTP 500", *texts]
    values += [c[4] for c in comments]
    for account in accounts:
        values += [account.name, account.unit, account.source, account.owner, account.note]
    return sorted((v for v in values if v), key=len, reverse=True)


def _renders(ws: Path, lang: list[str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    at = ["--data-dir", str(ws), *AT]
    shown: dict[str, str] = {}
    for name, argv in {
        "status": ["status"],
        "alerts": ["alerts", "--state", "all"],
        "comments": ["comments"],
        "doctor": ["doctor"],
        "accounts list": ["accounts", "list"],
        "emergency list": ["emergency", "list"],
        "shift list": ["shift", "list"],
        "shift handover": ["shift", "handover"],
        "bad choice": ["alerts", "--state", "bogus"],
        "bad number": ["alerts", "ack", "twelve", "--note", "x"],
        "unrecognised": ["status", "--bogus"],
        "missing argument": ["accounts", "import"],
        "missing option": ["alerts", "ack", "1"],
        "unknown command": ["frobnicate"],
        "unknown account": ["inspect", "42"],
        "unknown alert": ["alerts", "ack", "999", "--note", "x"],
        "bad now": ["--now", "yesterday", "status"],
    }.items():
        code, out, err = run(*lang, *at[:2], *(at[2:] if argv[0] != "--now" else []), *argv)
        shown[name] = out + err
        if name in {"bad choice", "bad number", "unrecognised", "missing argument", "missing option", "unknown command", "bad now"}:
            assert code == 2, (name, err)
            assert err.count("\n") == 1, (name, err)
        if name.startswith("unknown ") and name != "unknown command":
            assert code == 2, (name, err)
    code, _, err = run(*lang, *at, "accounts", "set-secret", "42", "app_secret", stdin="x", monkeypatch=monkeypatch)
    shown["unknown account secret"] = err
    return shown


def _strip(text: str, values: list[str]) -> str:
    for value in values:
        text = text.replace(value, " ")
    text = re.sub(r"(?<![\w/.-])/[^\s，；（）()]+", " ", text)  # file paths
    text = re.sub(r"[\w.-]+\.(csv|txt)(:\d+)?", " ", text)  # lexicon files named in a reason
    text = re.sub(r"(?<![\w-])--?[a-z][a-z-]*", " ", text)  # options an officer types
    text = re.sub(r"\b\d{4}-\d{2}-\d{2}T[\d:+.-]+", " ", text)  # an ISO time an officer typed
    text = re.sub(r"(可选|choose from)[^)）]*", " ", text)  # the values an option takes, as typed
    text = re.sub(r"'(bogus|twelve|frobnicate|yesterday)'|“(bogus|twelve|frobnicate|yesterday)”", " ", text)  # what was typed
    return text


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    return root


def test_chinese_output_has_no_english_words_and_no_codes(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    values = _build(ws)
    problems = []
    for name, shown in _renders(ws, [], monkeypatch).items():
        assert shown.strip(), name
        words = set(WORD.findall(_strip(shown, values)))
        codes = {w for w in re.findall(r"[a-z_]+", _strip(shown, values)) if w in INTERNAL_CODES}
        english = {w for w in words if w not in PROPER and w not in COMMANDS}
        if english or codes:
            problems.append(f"{name}: {sorted(english | codes)}\n{shown}")
    assert not problems, "\n\n".join(problems)


def test_english_output_has_no_chinese(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    values = _build(ws)
    problems = []
    for name, shown in _renders(ws, ["--lang", "en"], monkeypatch).items():
        assert shown.strip(), name
        chinese = HAN.findall(_strip(shown, values))
        codes = {w for w in re.findall(r"\b[a-z]+_[a-z_]+\b", _strip(shown, values)) if w in INTERNAL_CODES}
        if chinese or codes:
            problems.append(f"{name}: {''.join(chinese)} {sorted(codes)}\n{shown}")
    assert not problems, "\n\n".join(problems)
