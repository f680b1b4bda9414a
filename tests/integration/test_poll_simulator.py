"""The poller against the real loopback simulator: every connector, every fault.

Both the simulated platforms and the desk run on one fixed instant, so what the desk
concludes can be compared exactly with what the simulator served.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.cli import main
from jb_watchdesk.connectors.http import HttpSettings
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import watch
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.simulator.server import SimulatorServer
from jb_watchdesk.simulator.world import World
from jb_watchdesk.storage.secrets import SERVICE, MemoryKeyring, SecretStore

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
ACCOUNTS = 36
FAST = HttpSettings(trust_env=False, total_timeout=2.0, read_timeout=2.0, connect_timeout=2.0, max_bytes=2 * 1024 * 1024)


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

    def truth(self) -> dict[int, dict]:
        """The simulator's view, keyed by the desk's account ids."""
        return {self.ids[row["key"]]: row for row in self.world.truth(NOW, comment_window_days=30)}

    def key_of(self, served: str, **wanted: object) -> str:
        for account in self.world.accounts:
            if account.served == served and all(getattr(account, k) == v for k, v in wanted.items()):
                return account.key
        raise LookupError(served)



@pytest.fixture
def desk(request: pytest.FixtureRequest, tmp_path: Path, memory_keyring: MemoryKeyring) -> Iterator[Desk]:
    """``ACCOUNTS`` accounts (every platform with every behaviour), or as many as the test asks
    for with ``@pytest.mark.parametrize("desk", [n], indirect=True)``."""
    world = World(seed=3, accounts=getattr(request, "param", ACCOUNTS), clock=lambda: NOW)
    server = SimulatorServer(world)
    with server.running_in_thread() as base_url:
        desk = Desk(tmp_path / "ws", world, server, memory_keyring)
        register = tmp_path / "register.csv"
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
                if name in ("app_secret", "access_token", "client_key", "client_secret", "refresh_token"):
                    memory_keyring.set_password(SERVICE, f"{account['id']}:{name}", value)
        yield desk


def assert_matches_truth(desk: Desk, *, skip: frozenset[int] = frozenset()) -> None:
    status, truth = desk.status(), desk.truth()
    assert set(status) == set(truth)
    for account_id, expected in truth.items():
        if account_id in skip:
            continue
        got = status[account_id]
        name = (account_id, got["name"])
        assert got["health"] == "ok", (name, got["health_reason"])
        assert (got["posts_7d"], got["posts_this_week"], got["freshness"]) == (
            expected["posts_7d"], expected["posts_this_week"], expected["freshness"]
        ), name
        assert got["pending_comments"] == expected["unanswered_comments"], name


def test_every_connector_reads_what_the_simulator_serves(desk: Desk) -> None:
    code, out, err = desk.cli("poll", "--once", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["accounts_failed"] == 0, result["failures"]
    assert result["accounts_polled"] == ACCOUNTS
    assert {a.served for a in desk.world.accounts} == {"wechat_mp", "weibo", "douyin", "rss"}
    assert_matches_truth(desk)
    # a second cycle changes nothing and duplicates nothing
    again = desk.cycle()
    assert again.poll.new_posts == () and again.poll.new_comments == ()
    assert_matches_truth(desk)


def test_sensitive_posts_become_alerts_end_to_end(desk: Desk) -> None:
    cycle = desk.cycle()
    assert cycle.scan.raised, "the simulator publishes ID numbers, phone numbers and secrecy marks"
    code, out, _ = desk.cli("alerts", "--json")
    alerts = json.loads(out)
    rules = {a["rule"] for a in alerts}
    assert {"pii.id_card", "pii.mobile", "secret.marking"} <= rules, rules
    for alert in alerts:
        if alert["rule"] == "pii.id_card":
            assert alert["text"][6:14] == "********", alert["text"]  # shown masked, never whole
        assert "金源时代购物中心" not in alert["context"] or alert["rule"] != "ad.call"


FAULTS = [
    # kind, served, expected health, expected code fragment
    ("5xx", "rss", "degraded", "http5"),
    ("429=120", "weibo", "degraded", "http429"),
    ("html", "rss", "failing", "not_a_feed"),
    ("html", "wechat_mp", "failing", ""),
    ("malformed", "douyin", "failing", ""),
    ("malformed", "rss", "failing", ""),
    ("reset", "weibo", "degraded", ""),
    ("timeout", "rss", "degraded", "timeout"),
    ("drip", "wechat_mp", "degraded", "timeout"),
    ("oversize", "rss", "failing", "too_large"),
    ("entity_bomb", "rss", "failing", ""),
    ("expire", "weibo", "auth_expired", "213"),
    ("expire", "wechat_mp", "auth_expired", ""),
    ("quota", "wechat_mp", "failing", "45009"),
]


#: One fault on one account leaves the others to be read as truth says: a world where every
#: behaviour appears (not every one on every platform) is enough, and a third of the work.
SMALL = pytest.mark.parametrize("desk", [12], indirect=True, ids=["12"])


@SMALL
@pytest.mark.parametrize(("fault", "served", "health", "code"), FAULTS, ids=[f"{f}@{s}" for f, s, _, _ in FAULTS])
def test_a_fault_hits_one_account_and_heals_without_loss(desk: Desk, fault: str, served: str, health: str, code: str) -> None:
    key = desk.key_of(served)
    desk.server.set_faults(f"{fault}@{key}")
    cycle = desk.cycle()
    failures = {f.account_id: f for f in cycle.poll.failures}
    assert set(failures) == {desk.ids[key]}, [(f.name, f.code, f.reason) for f in failures.values()]
    failure = failures[desk.ids[key]]
    assert failure.health.value == health, (failure.code, failure.reason)
    assert code in f"{failure.code} {failure.reason}", (failure.code, failure.reason)
    row = desk.status()[desk.ids[key]]
    assert row["health"] == health and row["health_reason"]
    assert_matches_truth(desk, skip=frozenset({desk.ids[key]}))

    desk.server.set_faults("")
    healed = desk.cycle()
    assert healed.poll.failures == ()
    assert_matches_truth(desk)


@SMALL
def test_charset_mislabelled_feed_still_reads_correctly(desk: Desk) -> None:
    key = desk.key_of("rss")
    desk.server.set_faults(f"charset@{key}")
    cycle = desk.cycle()
    assert cycle.poll.failures == ()
    assert_matches_truth(desk)


def test_faults_at_a_rate_never_crash_the_cycle(desk: Desk) -> None:
    desk.server.set_faults("5xx%30,reset%10,malformed%10")
    first = desk.cycle()
    assert first.poll.accounts_polled == ACCOUNTS
    assert 0 < first.poll.accounts_failed < ACCOUNTS
    desk.server.set_faults("")
    desk.cycle()
    assert_matches_truth(desk)


def test_poll_until_stopped_exits_cleanly_on_ctrl_c(simulated_desk) -> None:  # type: ignore[no-untyped-def]
    import signal
    import subprocess
    import sys
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(simulated_desk.root), "poll", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())  # one JSON line per cycle
        assert first["accounts_polled"] == 12
        # without a keyring in this process, API accounts fail with a clear reason; feeds are read
        assert {f["code"] for f in first["failures"]} <= {"keyring.unavailable"}
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert time.monotonic() - started < 10
    assert "Traceback" not in err
