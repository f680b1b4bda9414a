"""After a sleep, a stall, a clock jump or a network outage, polling resumes without a burst.

The scheduler runs on the instants given to it (no sleeps): a 3-hour jump, a clock set back, an
outage that every account fails in, and then, against the real simulator, an outage that ends
with every item stored once.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.domain.models import Account, Platform
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services.poller import PollResult
from jb_watchdesk.services.scheduler import PollSettings, Scheduler, host_of

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SETTINGS = PollSettings(post_interval_s=600, comment_interval_s=900, jitter=0.1, starts_per_s_per_host=2.0)
DOWN = ConnectorError(ErrorKind.TRANSIENT, "cannot connect", code="wechat_mp.connect")


def register() -> list[Account]:
    """300 WeChat accounts on one API host, 100 Weibo ones on another, 50 feeds on five hosts."""
    accounts = [Account(id=n, name=f"w{n}", platform=Platform.WECHAT_MP, source=f"wx{n}") for n in range(300)]
    accounts += [Account(id=300 + n, name=f"b{n}", platform=Platform.WEIBO, source=f"{n}") for n in range(100)]
    accounts += [
        Account(id=400 + n, name=f"f{n}", platform=Platform.RSS, source=f"https://feed{n % 5}.example.org/{n}") for n in range(50)
    ]
    return accounts


def settled(accounts: list[Account]) -> Scheduler:
    """A scheduler whose accounts were all just polled at NOW."""
    scheduler = Scheduler(SETTINGS, rng=random.Random(7))
    for item in scheduler.due(accounts, now=NOW, force=True):
        scheduler.succeeded(item.account, now=NOW, with_comments=item.with_comments)
    return scheduler


def poll_through(scheduler: Scheduler, accounts: list[Account], *, start: datetime, seconds: int) -> dict[int, list[int]]:
    """Ask every second for ``seconds``, polling (successfully) whatever is due: the ids of the
    accounts polled for the first time since ``start``, by second (later polls are the ordinary
    schedule, jittered by ±10%, not the resume)."""
    started: dict[int, list[int]] = {}
    seen: set[int] = set()
    for second in range(seconds):
        now = start + timedelta(seconds=second)
        due = scheduler.due(accounts, now=now)
        started[second] = [item.account.id for item in due if item.account.id not in seen]
        seen.update(started[second])
        for item in due:
            scheduler.succeeded(item.account, now=now, with_comments=item.with_comments)
    return started


def test_after_a_three_hour_sleep_the_overdue_accounts_are_spread_over_the_interval() -> None:
    accounts = register()
    scheduler = settled(accounts)
    woke = NOW + timedelta(hours=3)
    started = poll_through(scheduler, accounts, start=woke, seconds=660)
    hosts = {account.id: host_of(account) for account in accounts}
    first_second = Counter(hosts[i] for i in started[0])
    # Before: all 450 in the first second. Now at most 2 per host (7 hosts) start in any second.
    assert sum(first_second.values()) <= 2 * len(set(hosts.values()))
    for ids in started.values():
        assert max(Counter(hosts[i] for i in ids).values(), default=0) <= 2
    first = {i: second for second, ids in started.items() for i in ids}
    # Every account is polled within the interval and a little (the busiest host needs 300 / 2 = 150 s).
    assert set(first) == {a.id for a in accounts}
    assert max(first.values()) < 630
    assert len({second for second in first.values()}) > 200  # spread, not bunched at the start


def test_normal_turns_do_not_reshuffle_the_plan() -> None:
    accounts = register()[:20]
    scheduler = settled(accounts)
    planned = scheduler.next_due(accounts)
    assert scheduler.due(accounts, now=NOW + timedelta(seconds=5)) == []
    assert scheduler.next_due(accounts) == planned


def test_a_clock_set_back_does_not_stop_polling_for_hours() -> None:
    accounts = register()[:10]
    scheduler = settled(accounts)
    back = NOW - timedelta(hours=5)
    scheduler.due(accounts, now=back)
    nxt = scheduler.next_due(accounts)
    assert nxt is not None and nxt - back <= timedelta(seconds=600)


def test_a_clock_set_back_keeps_the_backoff_left_and_the_quota_rule() -> None:
    accounts = register()[:10]
    scheduler = settled(accounts)
    asked = NOW + timedelta(seconds=5)
    retry_at = scheduler.failed(accounts[0], now=asked, error=DOWN)  # 30 s ± 10%
    quota = ConnectorError(ErrorKind.QUOTA, "daily quota", code="weibo.quota")
    scheduler.failed(accounts[1], now=asked, error=quota)
    scheduler.due(accounts, now=asked)
    back = asked - timedelta(hours=5)
    scheduler.due(accounts, now=back)
    # The transient backoff keeps the wait it had left (not 5 h 30 s by the new clock).
    assert scheduler.next_due(accounts[:1]) == back + (retry_at - asked)
    # The quota still ends at the next Beijing midnight (00:01), by the new clock.
    quota_ends = scheduler.next_due(accounts[1:2])
    assert quota_ends is not None and quota_ends > back
    local = quota_ends.astimezone(SHANGHAI)
    assert (local.hour, local.minute) == (0, 1) and local - back.astimezone(SHANGHAI) <= timedelta(days=1)


def test_a_backoff_the_platform_asked_for_survives_the_recovery_spread() -> None:
    """After an outage the accounts backing off are re-planned, but not one whose wait the platform
    named (Retry-After) or a quota: those keep their own time."""
    accounts = register()[:30]
    scheduler = settled(accounts)
    failed_at = NOW + timedelta(seconds=700)
    busy = ConnectorError(ErrorKind.TRANSIENT, "busy", code="wechat_mp.http503", retry_after=6 * 3600)
    scheduler.due(accounts, now=failed_at)
    scheduler.failed(accounts[0], now=failed_at, error=busy)
    for account in accounts[1:]:
        scheduler.failed(account, now=failed_at, error=DOWN)
    assert scheduler.in_outage
    retry = failed_at + timedelta(seconds=40)
    probes = scheduler.due(accounts, now=retry)
    assert probes and all(item.account.id != accounts[0].id for item in probes)
    scheduler.succeeded(probes[0].account, now=retry, with_comments=True)
    started = poll_through(scheduler, accounts, start=retry + timedelta(seconds=1), seconds=700)
    polled = {i for ids in started.values() for i in ids}
    assert accounts[0].id not in polled  # still waiting the 6 hours it was told to
    assert {a.id for a in accounts[1:]} - {probes[0].account.id} <= polled


def test_the_spread_keeps_within_an_accounts_own_shorter_interval() -> None:
    accounts = register()
    quick = Account(id=999, name="quick", platform=Platform.RSS, source="https://feed0.example.org/quick", poll_interval_s=60)
    accounts.append(quick)
    scheduler = settled(accounts)
    started = poll_through(scheduler, accounts, start=NOW + timedelta(hours=3), seconds=120)
    first = next(second for second, ids in started.items() if quick.id in ids)
    assert first <= 60


def watch_like(scheduler: Scheduler, accounts: list[Account], *, start: datetime, seconds: float) -> tuple[int, int]:
    """Turns as the watch loop takes them, every request failing with a network error in 50 ms: a
    cycle when anything is due (the next turn at once), else a 5-second tick. (cycles, requests)."""
    now, end, cycles, requests = start, start + timedelta(seconds=seconds), 0, 0
    while now < end:
        due = scheduler.due(accounts, now=now)
        if not due:
            now += timedelta(seconds=5)
            continue
        cycles += 1
        requests += len(due)
        now += timedelta(milliseconds=50)
        for item in due:
            scheduler.failed(item.account, now=now, error=DOWN)
    return cycles, requests


def test_an_outage_holds_each_hosts_other_accounts_until_its_probe_retries() -> None:
    accounts = register()
    scheduler = settled(accounts)
    # The accounts fall due 540-660 s after NOW (jittered) and every request fails: 12 minutes.
    cycles, requests = watch_like(scheduler, accounts, start=NOW + timedelta(seconds=500), seconds=720)
    assert scheduler.in_outage
    # Before: a new probe account every turn, hundreds of cycles (1201 in ten minutes with 300
    # WeChat accounts). Now: each account's first failures until every one has failed (the outage),
    # then one probe per host (7 hosts) at the host's own backoff.
    assert cycles < 60
    assert requests < 600
    # The held accounts are not due: nothing for the loop to start a cycle for between probes.
    hosts = len({host_of(a) for a in accounts})
    assert len(scheduler.due(accounts, now=NOW + timedelta(seconds=1221))) <= hosts


@pytest.mark.parametrize("minutes", [12, 20, 29])
def test_a_sleep_of_minutes_is_spread_too(minutes: int) -> None:
    accounts = register()
    scheduler = settled(accounts)
    scheduler.due(accounts, now=NOW + timedelta(seconds=30))
    woke = NOW + timedelta(minutes=minutes)
    started = poll_through(scheduler, accounts, start=woke, seconds=3)
    hosts = {account.id: host_of(account) for account in accounts}
    for ids in started.values():
        assert max(Counter(hosts[i] for i in ids).values(), default=0) <= 2


def test_a_start_reads_every_account_at_once() -> None:
    # The officer needs the whole picture at a start; the client's connection limits bound the burst.
    accounts = register()
    assert len(Scheduler(SETTINGS, rng=random.Random(3)).due(accounts, now=NOW)) == len(accounts)


def test_during_an_outage_only_one_account_per_host_probes_and_recovery_is_spread() -> None:
    accounts = register()
    scheduler = settled(accounts)
    assert scheduler.due(accounts, now=NOW + timedelta(seconds=300)) == []
    later = NOW + timedelta(seconds=700)
    due = scheduler.due(accounts, now=later)
    assert len(due) == len(accounts)
    for item in due:
        scheduler.failed(item.account, now=later, error=DOWN)
    assert scheduler.in_outage
    # Every backoff (30 s ± 10%) has run out: without the outage rule all 450 would go at once.
    retry = later + timedelta(seconds=60)
    probes = scheduler.due(accounts, now=retry)
    assert Counter(host_of(item.account) for item in probes) == Counter({host: 1 for host in {host_of(a) for a in accounts}})
    for item in probes[1:]:
        scheduler.failed(item.account, now=retry, error=DOWN)
    scheduler.succeeded(probes[0].account, now=retry, with_comments=True)  # the network is back
    assert not scheduler.in_outage
    started = poll_through(scheduler, accounts, start=retry + timedelta(seconds=1), seconds=630)
    hosts = {account.id: host_of(account) for account in accounts}
    for ids in started.values():
        assert max(Counter(hosts[i] for i in ids).values(), default=0) <= 2
    assert {a.id for a in accounts} - {probes[0].account.id} <= {i for ids in started.values() for i in ids}


@pytest.mark.parametrize("size", [12, 40])
def test_an_outage_found_after_a_sleep_ends_with_every_account_read_within_one_interval(size: int) -> None:
    """The network dropped (every account failed), the PC slept two hours, and the network is back.
    The sleep's re-plan spreads the accounts of one host over the interval; the outage lets one
    of them through as a probe, and an account that fell due meanwhile waits behind it. That account
    goes as soon as the probe succeeds, not a second whole interval later: every account is read
    within the 10.5 minutes an officer expects. 200 random plans, asked every 15 s."""
    accounts = [Account(id=n, name=f"w{n}", platform=Platform.WECHAT_MP, source=f"wx{n}") for n in range(size)]
    late: dict[int, int] = {}
    for seed in range(200):
        scheduler = Scheduler(SETTINGS, rng=random.Random(seed))
        for item in scheduler.due(accounts, now=NOW, force=True):
            scheduler.failed(item.account, now=NOW, error=DOWN)
        assert scheduler.in_outage
        back = NOW + timedelta(hours=2)
        first: dict[int, int] = {}
        for tick in range(43):  # every 15 s for 10.5 minutes
            now = back + timedelta(seconds=15 * tick)
            due = scheduler.due(accounts, now=now)
            assert len({host_of(item.account) for item in due}) == len(due) or not scheduler.in_outage
            for item in due:
                first.setdefault(item.account.id, 15 * tick)
                scheduler.succeeded(item.account, now=now, with_comments=item.with_comments)
        unread = {a.id for a in accounts} - set(first)
        if unread or max(first.values()) > 615:  # the interval, the per-host spacing and one ask's lag
            late[seed] = max(first.values())
    assert late == {}


class _MovingClock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at


def test_resume_after_a_simulated_outage_stores_each_item_once(simulated_desk) -> None:  # type: ignore[no-untyped-def]
    """Against the simulator: every request fails (connections reset), then the fault clears and
    the desk's clock moves on; the accounts come back a few at a time, everything is read once,
    and a further round stores nothing new. ~3 s: 44 poll rounds against the real simulator."""
    from jb_watchdesk.app import App, running_watch
    from jb_watchdesk.connectors.http import HttpSettings
    from jb_watchdesk.paths import Workspace
    from jb_watchdesk.storage.secrets import SecretStore

    fast = HttpSettings(trust_env=False, total_timeout=3.0, read_timeout=3.0, connect_timeout=2.0)
    clock = _MovingClock(simulated_desk.now)

    async def run() -> tuple[PollResult, list[PollResult], PollResult]:
        secrets = SecretStore(simulated_desk.keyring)
        with App(workspace=Workspace(simulated_desk.root), clock=clock, secret_store=secrets) as app:  # type: ignore[arg-type]
            async with running_watch(app, http_settings=fast) as loop:
                poller = loop.poller
                simulated_desk.server.set_faults("reset")
                down = await poller.poll_once()
                assert poller.scheduler.in_outage
                simulated_desk.server.set_faults("")
                clock.at += timedelta(hours=2)  # the network came back while nobody watched
                rounds = []
                for _ in range(42):  # every 15 s for 10.5 minutes (the post interval and its jitter)
                    rounds.append(await poller.poll_once())
                    clock.at += timedelta(seconds=15)
                return down, rounds, await poller.poll_once(force=True)

    down, rounds, again = asyncio.run(run())
    assert down.accounts_failed == down.accounts_polled == 12
    assert set(i for result in rounds for i in result.polled) == set(simulated_desk.ids.values())
    assert max(result.accounts_polled for result in rounds) < 12  # a few at a time, not all at once
    assert all(result.failures == () for result in rounds)
    posts = Counter(i for result in rounds for i in result.new_posts)
    comments = Counter(i for result in rounds for i in result.new_comments)
    assert posts and set(posts.values()) == {1} and set(comments.values()) <= {1}  # each item stored once
    assert again.new_posts == () and again.new_comments == ()  # nothing read twice
    truth = simulated_desk.world.truth(simulated_desk.now, comment_window_days=30)
    import io
    import json

    from jb_watchdesk.cli import main

    out = io.StringIO()
    argv = ["--data-dir", str(simulated_desk.root), "--now", simulated_desk.now.isoformat(), "status", "--json"]
    assert main(argv, out=out) == 0
    status = {row["account_id"]: row for row in json.loads(out.getvalue())}
    for row in truth:
        got = status[simulated_desk.ids[row["key"]]]
        assert (got["posts_7d"], got["pending_comments"]) == (row["posts_7d"], row["unanswered_comments"]), row["key"]
