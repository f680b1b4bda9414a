"""The data path end to end on saved real-world shapes: bytes served on loopback → stored → scanned.

A small loopback server plays back the saved payloads (``tests/data/``); the desk reads them
through ``poll --once`` and ``run --headless`` exactly as it reads the platforms. What is
checked is what a duty officer needs: every item stored once and scanned once, one account's
bad data that account's health, and the cycle and the loop going on.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.cli import main
from jb_watchdesk.connectors.http import HttpSettings
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.paths import Workspace as AppWorkspace
from jb_watchdesk.services import watch
from jb_watchdesk.storage.secrets import SERVICE, MemoryKeyring, SecretStore

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = datetime(2024, 5, 3, 10, 0, tzinfo=SHANGHAI)
EMPTY_WEIBO = {"comments": [], "statuses": [], "previous_cursor": 0, "next_cursor": 0, "total_number": 0}


class Playback(ThreadingHTTPServer):
    """Serves ``routes``: a path → a list of responses, the n-th request getting the n-th (then the last)."""

    daemon_threads = True

    def __init__(self, routes: Mapping[str, list[dict[str, object]]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = dict(routes)
        self.counts: dict[str, int] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, path: str) -> dict[str, object]:
        if path not in self.routes:
            if path.startswith("/2/"):  # any other Weibo endpoint: an empty, well-formed answer
                return {"json": EMPTY_WEIBO}
            return {"status": 404, "body": b"not found"}
        n = self.counts.get(path, 0)
        self.counts[path] = n + 1
        responses = self.routes[path]
        return responses[min(n, len(responses) - 1)]


class _Handler(BaseHTTPRequestHandler):
    server: Playback

    def do_GET(self) -> None:  # noqa: N802 - the http.server protocol
        answer = self.server.answer(self.path.split("?", 1)[0])
        if "json" in answer:
            body = json.dumps(answer["json"], ensure_ascii=True).encode("ascii")
            headers = {"Content-Type": "application/json; charset=utf-8"}
        elif "file" in answer:
            body = (DATA / str(answer["file"])).read_bytes()
            headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        else:
            body = bytes(answer.get("body", b""))  # type: ignore[arg-type]
            headers = {}
        headers.update(answer.get("headers", {}))  # type: ignore[arg-type]
        self.send_response(int(answer.get("status", 200)))  # type: ignore[arg-type]
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the http.server signature
        pass


@contextlib.contextmanager
def playback(routes: Mapping[str, list[dict[str, object]]]) -> Iterator[Playback]:
    server = Playback(routes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


ROUTES: dict[str, list[dict[str, object]]] = {
    "/repeated.xml": [{"file": "rss/rss_repeated_guid.xml"}],
    "/plain.xml": [{"file": "rss/rss_plain.xml"}],
    "/gmt.xml": [{"file": "rss/rss_beijing_time_labelled_gmt.xml"}],
    "/undated.xml": [{"file": "rss/rss_items_without_dates.xml"}],
    "/2/statuses/user_timeline.json": [{"json": json.loads((DATA / "weibo" / "weibo_timeline_lone_surrogate.json").read_text())}],
}


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.db = root / "watchdesk.sqlite3"

    def cli(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--lang", "en", "--data-dir", str(self.root), "--now", NOW.isoformat(), *argv], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    def query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with contextlib.closing(sqlite3.connect(self.db)) as conn:
            return conn.execute(sql, params).fetchall()

    def register(self, rows: list[tuple[str, str, str, str]], tmp: Path) -> dict[str, int]:
        lines = ["name,platform,unit,source,api_base"] + [",".join(row) for row in rows]
        (tmp / "register.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        code, _, err = self.cli("accounts", "import", str(tmp / "register.csv"))
        assert code == 0, err
        code, out, _ = self.cli("accounts", "list", "--json")
        return {row["name"]: row["id"] for row in json.loads(out)}


@pytest.fixture
def server() -> Iterator[Playback]:
    with playback(ROUTES) as running:
        yield running


def test_repeated_guids_and_a_lone_surrogate_are_stored_once_and_scanned(
    tmp_path: Path, server: Playback, memory_keyring: MemoryKeyring
) -> None:
    ws = Workspace(tmp_path / "ws")
    ids = ws.register(
        [
            ("重复编号", "rss", "区网信办", f"{server.base_url}/repeated.xml,"),
            ("普通订阅", "rss", "区网信办", f"{server.base_url}/plain.xml,"),
            ("江北发布", "weibo", "区委宣传部", f"1000000009,{server.base_url}"),
        ],
        tmp_path,
    )
    memory_keyring.set_password(SERVICE, f"{ids['江北发布']}:access_token", "2.00test-token")
    code, out, err = ws.cli("poll", "--once", "--json")
    assert code == 0, err
    cycle = json.loads(out)
    assert cycle["accounts_failed"] == 0, cycle["failures"]
    counts = dict(ws.query("SELECT account_id, COUNT(*) FROM posts GROUP BY account_id"))
    assert counts[ids["重复编号"]] == 3  # three different items sharing <guid>N/A</guid>
    (text,) = ws.query("SELECT body FROM posts WHERE account_id = ?", (ids["江北发布"],))[0]
    assert text.endswith("出行安全\ufffd")
    assert ws.query("SELECT COUNT(*) FROM posts WHERE scanned_at IS NULL") == [(0,)]
    # read again: nothing new, nothing twice
    code, out, err = ws.cli("poll", "--once", "--json")
    assert code == 0 and json.loads(out)["new_posts"] == 0, err
    assert dict(ws.query("SELECT account_id, COUNT(*) FROM posts GROUP BY account_id")) == counts


@pytest.mark.allow_error_log
def test_a_storage_failure_is_that_accounts_health_and_its_items_come_later_once(
    tmp_path: Path, server: Playback
) -> None:
    ws = Workspace(tmp_path / "ws")
    ids = ws.register(
        [
            ("重复编号", "rss", "区网信办", f"{server.base_url}/repeated.xml,"),
            ("普通订阅", "rss", "区网信办", f"{server.base_url}/plain.xml,"),
        ],
        tmp_path,
    )
    broken = ids["普通订阅"]
    with contextlib.closing(sqlite3.connect(ws.db)) as conn:
        conn.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON posts WHEN NEW.account_id = {broken} "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O fault on this row'); END"
        )
        conn.commit()
    code, out, err = ws.cli("poll", "--once", "--json")
    assert code == 0, err
    cycle = json.loads(out)
    (failure,) = cycle["failures"]
    assert failure["account_id"] == broken and failure["health"] == "failing"
    assert "could not be stored" in failure["reason"] and "next poll" in failure["reason"]
    assert ws.query("SELECT COUNT(*) FROM posts WHERE account_id = ?", (ids["重复编号"],)) == [(3,)]
    assert ws.query("SELECT COUNT(*) FROM posts WHERE account_id = ?", (broken,)) == [(0,)]
    code, out, _ = ws.cli("status", "--json")
    row = next(r for r in json.loads(out) if r["account_id"] == broken)
    assert row["health"] == "failing" and "could not be stored" in row["health_reason"]
    # the fault clears: everything the feed served is stored once and scanned once
    with contextlib.closing(sqlite3.connect(ws.db)) as conn:
        conn.execute("DROP TRIGGER refuse")
        conn.commit()
    code, out, err = ws.cli("poll", "--once", "--json")
    assert code == 0 and json.loads(out)["accounts_failed"] == 0, err
    stored = ws.query("SELECT COUNT(*), COUNT(DISTINCT external_id), SUM(scanned_at IS NULL) FROM posts WHERE account_id = ?", (broken,))
    (total, distinct, unscanned), = stored
    assert total == distinct > 0 and unscanned == 0


def test_run_headless_goes_on_when_one_account_cannot_be_stored(tmp_path: Path, server: Playback) -> None:
    ws = Workspace(tmp_path / "ws")
    ids = ws.register(
        [
            ("重复编号", "rss", "区网信办", f"{server.base_url}/repeated.xml,"),
            ("普通订阅", "rss", "区网信办", f"{server.base_url}/plain.xml,"),
        ],
        tmp_path,
    )
    with contextlib.closing(sqlite3.connect(ws.db)) as conn:
        conn.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON posts WHEN NEW.account_id = {ids['普通订阅']} "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O fault on this row'); END"
        )
        conn.commit()
    env = {**os.environ, "JB_WATCHDESK_LANG": "en", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    process = subprocess.Popen(
        [sys.executable, "-m", "jb_watchdesk", "--data-dir", str(ws.root), "run", "--headless"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if ws.query("SELECT COUNT(*) FROM poll_runs WHERE finished_at IS NOT NULL") == [(1,)]:
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.2)
        time.sleep(1.0)  # the loop has gone back to waiting for the next account to fall due
        assert process.poll() is None, "run --headless ended after one account failed to store"
        assert ws.query("SELECT COUNT(*) FROM posts WHERE account_id = ?", (ids["重复编号"],)) == [(3,)]
        (health,) = ws.query("SELECT health FROM accounts WHERE id = ?", (ids["普通订阅"],))
        assert health == ("failing",)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "普通订阅" in out


def test_dates_from_the_future_count_and_estimated_dates_never_look_fresh(tmp_path: Path, server: Playback) -> None:
    ws = Workspace(tmp_path / "ws")
    ids = ws.register(
        [
            ("北京时间标成GMT", "rss", "区公安分局", f"{server.base_url}/gmt.xml,"),
            ("无日期订阅", "rss", "区网信办", f"{server.base_url}/undated.xml,"),
        ],
        tmp_path,
    )
    code, _, err = ws.cli("poll", "--once")
    assert code == 0, err
    code, out, err = ws.cli("status", "--json")
    assert code == 0, err
    status = {row["account_id"]: row for row in json.loads(out)}
    # the newest post says 09:30 GMT (17:30 in Beijing) at 10:00 Beijing time: it counts, as published when first seen
    labelled = status[ids["北京时间标成GMT"]]
    assert (labelled["posts_7d"], labelled["freshness"]) == (3, "ok")
    assert datetime.fromisoformat(labelled["last_post_at"]) == NOW
    # six items without dates: stored, marked estimated, and not "6 posts this week, ok"
    undated = status[ids["无日期订阅"]]
    assert ws.query("SELECT COUNT(*), SUM(date_estimated) FROM posts WHERE account_id = ?", (ids["无日期订阅"],)) == [(6, 6)]
    assert (undated["posts_7d"], undated["posts_this_week"], undated["last_post_at"]) == (0, 0, None)
    assert undated["freshness"] != "ok"


def test_items_stored_by_a_run_killed_before_its_scan_are_scanned_when_the_loop_starts(tmp_path: Path) -> None:
    leak = "经办人身份证号11010519491231002X，请核对。"
    feed = (DATA / "rss" / "rss_plain.xml").read_text(encoding="utf-8")
    feed = feed.replace("工作会议。</p>]]></description>", f"工作会议。{leak}</p>]]></description>", 1)
    assert leak in feed
    with playback({"/leak.xml": [{"body": feed.encode("utf-8"), "headers": {"Content-Type": "application/rss+xml"}}]}) as served:
        ws = Workspace(tmp_path / "ws")
        ws.register([("泄露订阅", "rss", "区网信办", f"{served.base_url}/leak.xml,")], tmp_path)

        async def poll_without_scanning() -> None:
            # the first run stores the feed and dies before it scans: only the poll runs
            with App(workspace=AppWorkspace(ws.root), clock=Clock(NOW)) as app:
                async with running_watch(app) as loop:
                    await loop.poller.poll_once(force=True)

        asyncio.run(poll_without_scanning())
    assert ws.query("SELECT COUNT(*) FROM posts WHERE scanned_at IS NULL") != [(0,)]
    assert ws.query("SELECT COUNT(*) FROM alerts") == [(0,)]

    async def restart() -> list[watch.Cycle]:
        seen: list[watch.Cycle] = []
        stop = asyncio.Event()

        async def on_cycle(cycle: watch.Cycle) -> None:
            seen.append(cycle)
            stop.set()

        with App(workspace=AppWorkspace(ws.root), clock=Clock(NOW)) as app:
            async with running_watch(app) as loop:
                loop.poller.paused = True  # nothing falls due: only the leftovers are there to scan
                await asyncio.wait_for(loop.run(stop, on_cycle=on_cycle, tick_s=0.05), timeout=30)
        return seen

    (cycle,) = asyncio.run(restart())
    assert "pii.id_card" in {alert.rule for alert in cycle.scan.raised}
    assert ws.query("SELECT COUNT(*) FROM posts WHERE scanned_at IS NULL") == [(0,)]
    assert ws.query("SELECT COUNT(*) FROM alerts") == [(len(cycle.scan.raised),)]


class _MovableClock(Clock):
    """A fixed clock the test can move on."""

    def __init__(self, at: datetime) -> None:
        super().__init__(at)
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.mark.allow_error_log
def test_what_a_failed_store_lost_is_asked_for_again_on_every_platform(simulated_desk) -> None:  # type: ignore[no-untyped-def]
    """A fetch moves its state on (Weibo's since_id, a feed's ETag, the comment round); when what
    it read cannot be stored, the next poll must ask for the same again, or those posts are lost."""
    desk = simulated_desk
    db = desk.root / "watchdesk.sqlite3"

    clock = _MovableClock(desk.now)

    async def two_cycles() -> tuple[watch.Cycle, watch.Cycle]:
        with App(workspace=AppWorkspace(desk.root), clock=clock, secret_store=SecretStore(desk.keyring)) as app:
            async with running_watch(app, http_settings=HttpSettings(trust_env=False)) as loop:
                with contextlib.closing(sqlite3.connect(db)) as conn:
                    for table in ("posts", "comments"):
                        conn.execute(
                            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'disk I/O fault'); END"
                        )
                    conn.commit()
                first = await loop.cycle(force=True)
                with contextlib.closing(sqlite3.connect(db)) as conn:
                    conn.execute("DROP TRIGGER refuse_posts")
                    conn.execute("DROP TRIGGER refuse_comments")
                    conn.commit()
                clock.at = desk.now + timedelta(minutes=15)  # past the failed accounts' backoff
                return first, await loop.cycle(force=True)

    first, second = asyncio.run(two_cycles())
    assert first.poll.accounts_failed == len(desk.ids) and not first.poll.new_posts
    assert second.poll.accounts_polled == len(desk.ids) and second.poll.accounts_failed == 0, second.poll.failures
    out = io.StringIO()
    assert main(["--data-dir", str(desk.root), "--now", desk.now.isoformat(), "status", "--json"], out=out) == 0
    status = {row["account_id"]: row for row in json.loads(out.getvalue())}
    for row in desk.world.truth(desk.now, comment_window_days=30):
        got = status[desk.ids[row["key"]]]
        assert (got["posts_7d"], got["pending_comments"]) == (row["posts_7d"], row["unanswered_comments"]), (row["key"], got)
