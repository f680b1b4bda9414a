"""The desk reads every kind of the simulator's content menu end to end, and matches truth.

Each test switches content kinds on through the fault spec (as ``/_sim/faults`` does), runs
``poll --once`` against the real loopback simulator with the real connectors, storage and
CLI, and compares what the desk concludes (``status --json``) and what it stored (the
workspace database, read-only) with ``World.truth`` and ``World.truth_items``. Both sides
run on one fixed instant, so the comparison is exact.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.cli import main
from jb_watchdesk.connectors.fetching import COMMENT_HORIZON, POST_HORIZON
from jb_watchdesk.connectors.http import HttpSettings
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import scanner as scanner_module
from jb_watchdesk.services import watch
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.simulator.server import SimulatorServer
from jb_watchdesk.simulator.world import (
    COMMENT_HORIZON_DAYS,
    POST_HORIZON_DAYS,
    ContentKind,
    World,
    to_datetime,
)
from jb_watchdesk.storage.secrets import SERVICE, MemoryKeyring, SecretStore

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
FAST = HttpSettings(trust_env=False, total_timeout=5.0, read_timeout=5.0, connect_timeout=2.0, max_bytes=2 * 1024 * 1024)
SECRET_NAMES = frozenset({"app_secret", "access_token", "client_key", "client_secret", "refresh_token"})


@dataclass
class StoredPost:
    external_id: str
    published_at: datetime
    date_estimated: bool
    visibility: str
    deleted: bool
    title: str
    body: str


class Desk:
    """A workspace whose register points at the simulator, with the credentials in a memory keyring."""

    def __init__(self, root: Path, world: World, server: SimulatorServer, keyring_backend: MemoryKeyring) -> None:
        self.root = root
        self.world = world
        self.server = server
        self.keyring = keyring_backend
        self.ids: dict[str, int] = {}

    def cli(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--lang", "en", "--data-dir", str(self.root), "--now", NOW.isoformat(), *argv], out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    def poll(self) -> dict:
        code, out, err = self.cli("poll", "--once", "--json")
        assert code == 0, err
        return json.loads(out)

    def cycle(self) -> watch.Cycle:
        async def run() -> watch.Cycle:
            with App(workspace=Workspace(self.root), clock=Clock(NOW), secret_store=SecretStore(self.keyring)) as app:
                async with running_watch(app, settings=PollSettings(max_concurrency=16), http_settings=FAST) as loop:
                    return await loop.cycle(force=True)

        return asyncio.run(run())

    def status(self) -> dict[int, dict]:
        code, out, err = self.cli("status", "--json")
        assert code == 0, err
        return {row["account_id"]: row for row in json.loads(out)}

    def alerts(self) -> list[dict]:
        code, out, err = self.cli("alerts", "--json")
        assert code == 0, err
        return json.loads(out)

    def query(self, sql: str, *args: object) -> list[sqlite3.Row]:
        connection = sqlite3.connect(f"file:{Workspace(self.root).database}?mode=ro", uri=True)
        try:
            connection.row_factory = sqlite3.Row
            return connection.execute(sql, args).fetchall()
        finally:
            connection.close()

    def posts(self, key: str) -> dict[str, StoredPost]:
        rows = self.query(
            "SELECT external_id, published_at, date_estimated, visibility, deleted_at, title, body FROM posts WHERE account_id = ?",
            self.ids[key],
        )
        return {
            row["external_id"]: StoredPost(
                row["external_id"],
                datetime.fromisoformat(row["published_at"]),
                bool(row["date_estimated"]),
                row["visibility"],
                row["deleted_at"] is not None,
                row["title"],
                row["body"],
            )
            for row in rows
        }

    def post_ids(self, key: str) -> dict[str, int]:
        """External id → the desk's post id (what alerts call ``item_id``)."""
        rows = self.query("SELECT external_id, id FROM posts WHERE account_id = ?", self.ids[key])
        return {row["external_id"]: row["id"] for row in rows}

    def comments(self, key: str) -> dict[str, str]:
        rows = self.query("SELECT external_id, text FROM comments WHERE account_id = ?", self.ids[key])
        return {row["external_id"]: row["text"] for row in rows}

    def keys(self, served: str) -> list[str]:
        return [account.key for account in self.world.accounts if account.served == served]


def make_desk(root: Path, keyring_backend: MemoryKeyring, *, accounts: int, content: str = "") -> Iterator[Desk]:
    world = World(seed=3, accounts=accounts, clock=lambda: NOW, content=content)
    server = SimulatorServer(world)
    with server.running_in_thread() as base_url:
        desk = Desk(root / "ws", world, server, keyring_backend)
        register = root / "register.csv"
        rows = world.register_rows(base_url)
        with open(register, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        code, _, err = desk.cli("accounts", "import", str(register))
        assert code == 0, err
        _, out, _ = desk.cli("accounts", "list", "--json")
        for account in json.loads(out):
            key = account["note"].removeprefix("sim:")
            desk.ids[key] = account["id"]
            for name, value in world.credentials(key).items():
                if name in SECRET_NAMES:
                    keyring_backend.set_password(SERVICE, f"{account['id']}:{name}", value)
        yield desk


@pytest.fixture
def desk(request: pytest.FixtureRequest, tmp_path: Path, memory_keyring: MemoryKeyring) -> Iterator[Desk]:
    """36 accounts (every platform with every behaviour), or as many as the test asks for with
    ``@pytest.mark.parametrize("desk", [n], indirect=True)``."""
    yield from make_desk(tmp_path, memory_keyring, accounts=getattr(request, "param", 36))


#: A kind on every account of its platform needs each platform, not each platform with each
#: behaviour: 12 accounts (3 a platform, every behaviour somewhere) do it in a third of the work.
SMALL = pytest.mark.parametrize("desk", [12], indirect=True, ids=["12"])


def assert_matches_truth(desk: Desk, *, keys: list[str] | None = None) -> None:
    """``status --json`` agrees with ``World.truth`` on every account (or on ``keys``)."""
    status = desk.status()
    for expected in desk.world.truth(NOW, comment_window_days=30):
        if keys is not None and expected["key"] not in keys:
            continue
        got = status[desk.ids[str(expected["key"])]]
        name = (expected["key"], got["name"])
        assert got["health"] == "ok", (name, got["health_reason"])
        assert (got["posts_7d"], got["posts_this_week"], got["freshness"]) == (
            expected["posts_7d"], expected["posts_this_week"], expected["freshness"]
        ), name
        last = got["last_post_at"] and datetime.fromisoformat(got["last_post_at"])
        truth_last = expected["last_post_at"] and datetime.fromisoformat(str(expected["last_post_at"]))
        assert last == truth_last, name
        assert got["pending_comments"] == expected["unanswered_comments"], name


def assert_items_match(desk: Desk, *, keys: list[str] | None = None) -> None:
    """What the desk stored agrees, id by id, with ``World.truth_items``."""
    post_start = NOW - POST_HORIZON
    for expected in desk.world.truth_items(NOW):
        key = str(expected["key"])
        if keys is not None and key not in keys:
            continue
        stored = desk.posts(key)
        wanted = list(expected["posts"])  # type: ignore[call-overload]
        assert len(wanted) == len(set(wanted)), key
        missing = set(wanted) - set(stored)
        assert not missing, (key, sorted(missing)[:3])
        if expected["served_as"] == "rss":
            hashed = [i for i in stored if i.startswith("sha256:")]
            assert len(stored) == len(wanted) + int(expected["posts_hashed"]), key  # type: ignore[call-overload]
            assert len(hashed) == expected["posts_hashed"], key
        else:
            extra = [p for i, p in stored.items() if i not in set(wanted)]
            assert all(p.published_at < post_start for p in extra), (key, [p.external_id for p in extra][:3])
        ids = set(wanted)
        assert {i for i in ids if stored[i].deleted} == set(expected["deleted_posts"]), key  # type: ignore[call-overload]
        assert {i for i in ids if stored[i].visibility != "public"} == set(expected["hidden_posts"]), key  # type: ignore[call-overload]
        assert {i for i in ids if stored[i].date_estimated} == set(expected["estimated_posts"]), key  # type: ignore[call-overload]
        comments = desk.comments(key)
        assert set(comments) == set(expected["comments"]), (key, len(comments), len(expected["comments"]))  # type: ignore[call-overload]


def test_truth_horizons_are_the_connectors() -> None:
    assert timedelta(days=POST_HORIZON_DAYS) == POST_HORIZON
    assert timedelta(days=COMMENT_HORIZON_DAYS) == COMMENT_HORIZON


def test_plain_world_matches_truth_item_by_item(desk: Desk) -> None:
    result = desk.poll()
    assert result["accounts_failed"] == 0, result["failures"]
    assert_matches_truth(desk)
    assert_items_match(desk)


# Each kind on every account of its platform: the desk reads them all without a failure and
# stores exactly what truth lists. (Text kinds change no count: they are there to survive.)
KINDS = [kind.value for kind in ContentKind]


@SMALL
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_read_end_to_end(desk: Desk, kind: str) -> None:
    desk.server.set_faults(kind)
    result = desk.poll()
    assert result["accounts_failed"] == 0, result["failures"]
    assert_matches_truth(desk)
    assert_items_match(desk)
    # a second cycle stores nothing new
    again = desk.cycle()
    assert again.poll.new_posts == () and again.poll.new_comments == ()


@SMALL
def test_hostile_characters_are_stored_clean(desk: Desk) -> None:
    desk.server.set_faults("surrogate,nonchar")
    result = desk.poll()
    assert result["accounts_failed"] == 0, result["failures"]
    seen_replacement = {"rss": False, "weibo": False, "wechat_mp": False, "douyin": False}
    for account in desk.world.accounts:
        texts = [p.title + p.body for p in desk.posts(account.key).values()] + list(desk.comments(account.key).values())
        for text in texts:
            assert not any("\ud800" <= ch <= "\udfff" for ch in text), account.key
            assert "\ufffe" not in text, account.key
        seen_replacement[account.served] |= any("\ufffd" in text for text in texts)
    # half an emoji is shown as a replacement character, on every platform
    assert all(seen_replacement.values()), seen_replacement


def test_long_weibo_posts_are_stored_and_scanned_in_full(desk: Desk) -> None:
    desk.server.set_faults("long_text@weibo")
    result = desk.poll()
    assert result["accounts_failed"] == 0, result["failures"]
    now = int(NOW.timestamp())
    long_posts = sensitive_long = 0
    alerted = {(alert["account_id"], alert["item_id"]) for alert in desk.alerts()}
    for key in desk.keys("weibo"):
        account = desk.world.account(key)
        stored = desk.posts(key)
        db_ids = desk.post_ids(key)
        for post in desk.world.listed_posts(account, now=now):
            if post.post_id not in stored or post.deleted(now):
                continue
            body = stored[post.post_id].body
            assert desk.world.post_text(post, now=now).sentences[-1] in body, (key, post.post_id)
            if not desk.world.weibo_long(account, post):
                continue
            long_posts += 1
            assert "全文" not in body and len(body) > 140
            if post.sensitive:
                # every sentence of a long post lies past the cut: only the full text shows it
                sensitive_long += 1
                assert (desk.ids[key], db_ids[post.post_id]) in alerted, (key, post.post_id, post.sensitive)
    assert long_posts >= 10 and sensitive_long >= 1


def test_douyin_video_statuses_count_public_videos_only(desk: Desk) -> None:
    desk.server.set_faults("video_status@douyin")
    result = desk.poll()
    assert result["accounts_failed"] == 0, result["failures"]
    assert_matches_truth(desk, keys=desk.keys("douyin"))
    now = int(NOW.timestamp())
    statuses = set()
    for key in desk.keys("douyin"):
        account = desk.world.account(key)
        stored = desk.posts(key)
        for post in desk.world.feed_items(account, now=now):
            if post.post_id in stored:
                statuses.add((desk.world.video_status(account, post), stored[post.post_id].visibility))
    assert {status for status, _ in statuses} == {1, 2, 4, 5, 6, 7}
    assert {(s, v) for s, v in statuses if s in (1, 5)} <= {(1, "public"), (5, "public")}
    # a video the platform found not fit for the public is a finding for the officer
    douyin_ids = {desk.ids[k] for k in desk.keys("douyin")}
    assert any(alert["account_id"] in douyin_ids for alert in desk.alerts())


@SMALL
def test_feed_dates_are_read_as_published(desk: Desk) -> None:
    desk.server.set_faults("cn_dates@rss-0001,future_dates@rss-0002,undated@rss-0003")
    result = desk.poll()
    assert result["accounts_failed"] == 0, result["failures"]
    now = int(NOW.timestamp())
    for key in ("rss-0001", "rss-0002", "rss-0003"):
        account = desk.world.account(key)
        stored = desk.posts(key)
        for post in desk.world.feed_items(account, now=now):
            guid = desk.world.feed_guid(account, post)
            if guid is None or guid not in stored:
                continue
            seen = desk.world.feed_date(account, post, now=now).seen
            got = stored[guid]
            if seen is None:
                assert got.date_estimated, (key, guid)
            else:
                assert not got.date_estimated and got.published_at == to_datetime(seen), (key, guid, got.published_at)
    assert_matches_truth(desk, keys=["rss-0001", "rss-0002", "rss-0003"])


# The transport kinds of the real world, each on a share of the requests: compressed bodies
# with and without their header, a Last-Modified in 2041, pages that shift under a new arrival,
# WeChat's comment quota and argument errors, and plain failures (a 5xx, a cut body, a reset).
TRANSPORT = "br%30,gzip_noheader%30,future_lastmod%30,shift%30,comment_quota%20,comment_args%20,5xx%5,malformed%5,reset%3"


def _scan_counter(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, int]]:
    """How many times each stored item went through the sensitive-content scan."""
    counted: Counter[tuple[str, int]] = Counter()
    original = scanner_module.scan_each

    def counting(scanner, items, *, lifecycle_posts, now):  # type: ignore[no-untyped-def]
        drafts, done, hits = original(scanner, items, lifecycle_posts=lifecycle_posts, now=now)
        counted.update((item.kind.value, item.id) for item in done)
        return drafts, done, hits

    monkeypatch.setattr(scanner_module, "scan_each", counting)
    return counted


def _run_headless_through_one_cycle(desk: Desk) -> tuple[int, str]:
    """``run --headless`` in this process until its first cycle is stored, then Ctrl-C.

    The loop must still be running after that cycle, whatever the platforms sent.
    """
    out, err = io.StringIO(), io.StringIO()
    still_running = threading.Event()

    def interrupt_after_first_cycle() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            rows = desk.query("SELECT COUNT(*) AS n FROM poll_runs WHERE finished_at IS NOT NULL")
            if rows and rows[0]["n"] >= 1:
                break
            time.sleep(0.1)
        time.sleep(1.0)  # the loop is back to waiting for the next account to fall due
        if returned.is_set():
            return
        still_running.set()
        os.kill(os.getpid(), signal.SIGINT)  # the loop's own handler sets its stop event

    returned = threading.Event()
    watcher = threading.Thread(target=interrupt_after_first_cycle, daemon=True)
    watcher.start()
    try:
        code = main(["--lang", "en", "--data-dir", str(desk.root), "--now", NOW.isoformat(), "run", "--headless"], out=out, err=err)
    finally:
        returned.set()
        watcher.join(timeout=10)
    assert still_running.is_set(), ("run --headless ended by itself", err.getvalue()[-500:])
    return code, out.getvalue()


@pytest.mark.allow_error_log  # a cut body or a reset is logged where it happens
def test_100_accounts_every_kind_on_a_share_then_the_faults_clear(
    tmp_path: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every real-world kind at once on a share of 100 accounts, through ``run --headless``; then
    the faults clear and polls follow until nothing fails. Every post and comment truth lists is
    stored exactly once, every stored item scanned exactly once, and no cycle ended early."""
    scanned = _scan_counter(monkeypatch)
    content = ",".join(f"{kind}%30" for kind in KINDS)
    for desk in make_desk(tmp_path, memory_keyring, accounts=100):
        desk.server.set_faults(f"{content},{TRANSPORT}")
        affected = {
            kind: [a.key for a in desk.world.accounts if desk.world.content_on(ContentKind(kind), a)] for kind in KINDS
        }
        assert all(3 <= len(keys) for keys in affected.values()), {k: len(v) for k, v in affected.items()}
        code, printed = _run_headless_through_one_cycle(desk)
        assert code == 0
        (first,) = desk.query("SELECT accounts_ok + accounts_failed AS n FROM poll_runs")
        assert first["n"] == 100  # the cycle read every account: none ended it early

        # the faults clear; the desk polls until nothing fails
        desk.server.set_faults("")
        for _ in range(3):
            result = desk.poll()
            assert result["accounts_polled"] == 100
            if result["accounts_failed"] == 0:
                break
        assert result["accounts_failed"] == 0, result["failures"]
        assert_matches_truth(desk)
        assert_items_match(desk)

        # every stored item was scanned, and exactly once per version of its text (a video whose
        # platform status changed is scanned again: being unfit for the public is itself a finding)
        restated = {desk.ids[key] for key in affected["video_status"]}
        # comments keep no count of their edits: those whose hostile characters went away changed once
        recommented = {desk.ids[key] for key in (*affected["surrogate"], *affected["nonchar"])}
        rows = desk.query(
            "SELECT 'post' AS kind, id, account_id, scanned_at, edit_count FROM posts "
            "UNION ALL SELECT 'comment', id, account_id, scanned_at, 0 FROM comments"
        )
        assert rows and all(row["scanned_at"] is not None for row in rows)
        versions = {
            (row["kind"], row["id"]): 1 + row["edit_count"]
            + (row["kind"] == "post" and row["account_id"] in restated)
            + (row["kind"] == "comment" and row["account_id"] in recommented)
            for row in rows
        }
        assert set(scanned) == set(versions)
        too_often = {item: n for item, n in scanned.items() if n > versions[item]}
        assert not too_often, list(too_often.items())[:5]


def test_a_feed_that_fixes_its_guids_and_dates_is_not_counted_twice(desk: Desk) -> None:
    desk.server.set_faults("guid_repeat@rss-0002,cn_dates@rss-0007")
    desk.poll()
    desk.server.set_faults("")
    result = desk.poll()
    assert result["accounts_failed"] == 0, result["failures"]
    assert_matches_truth(desk, keys=["rss-0002", "rss-0007"])
