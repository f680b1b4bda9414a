from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.domain.models import Account, Platform
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services.scheduler import PollSettings, Scheduler

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
A = Account(id=1, name="a", platform=Platform.RSS, source="https://x/feed")
B = Account(id=2, name="b", platform=Platform.RSS, source="https://y/feed", poll_interval_s=60, comment_interval_s=3600)


def scheduler() -> Scheduler:
    return Scheduler(PollSettings(post_interval_s=600, comment_interval_s=900, jitter=0.1, backoff_base_s=30), rng=random.Random(1))


def test_everything_is_due_at_first_then_by_interval() -> None:
    s = scheduler()
    assert [d.account.id for d in s.due([A, B], now=NOW)] == [1, 2]
    s.succeeded(A, now=NOW, with_comments=True)
    s.succeeded(B, now=NOW, with_comments=True)
    assert s.due([A, B], now=NOW + timedelta(seconds=30)) == []
    due = s.due([A, B], now=NOW + timedelta(seconds=70))
    assert [(d.account.id, d.with_comments) for d in due] == [(2, False)]  # B's own interval; comments not yet
    assert [d.account.id for d in s.due([A, B], now=NOW + timedelta(seconds=700))] == [1, 2]


def test_jitter_spreads_the_next_poll() -> None:
    s = scheduler()
    times = set()
    for n in range(20):
        account = Account(id=100 + n, name=str(n), platform=Platform.RSS, source="https://x/f")
        s.succeeded(account, now=NOW, with_comments=True)
        slot_time = s.next_due([account])
        assert slot_time is not None and timedelta(seconds=540) <= slot_time - NOW <= timedelta(seconds=660)
        times.add(slot_time)
    assert len(times) > 10


def test_backoff_grows_and_force_does_not_override_it() -> None:
    s = scheduler()
    transient = ConnectorError(ErrorKind.TRANSIENT, "x", code="rss.http503")
    waits = [s.failed(A, now=NOW, error=transient) - NOW for _ in range(4)]
    assert waits[0] < waits[1] < waits[2] < waits[3]
    assert s.due([A], now=NOW, force=True) == []
    assert s.consecutive_failures(1) == 4
    s.reset(1)
    assert len(s.due([A], now=NOW)) == 1


def test_retry_after_is_honoured() -> None:
    s = scheduler()
    limited = ConnectorError(ErrorKind.RATE_LIMITED, "slow down", code="rss.http429", retry_after=900)
    assert s.failed(A, now=NOW, error=limited) - NOW >= timedelta(seconds=900)


def test_quota_waits_for_the_next_beijing_day() -> None:
    s = scheduler()
    quota = ConnectorError(ErrorKind.QUOTA, "quota", code="wechat.45009")
    retry = s.failed(A, now=datetime(2026, 11, 25, 22, 0, tzinfo=SHANGHAI), error=quota)
    assert retry.astimezone(SHANGHAI) == datetime(2026, 11, 26, 0, 1, tzinfo=SHANGHAI)


def test_officer_errors_are_retried_rarely() -> None:
    s = scheduler()
    config = ConnectorError(ErrorKind.CONFIG, "whitelist", code="wechat.40164")
    assert s.failed(A, now=NOW, error=config) - NOW == timedelta(seconds=3600)


def test_a_shorter_interval_applies_at_once_but_a_backoff_and_an_accounts_own_interval_stand() -> None:
    s = scheduler()
    failing = Account(id=3, name="c", platform=Platform.RSS, source="https://z/feed")
    daily = Account(id=4, name="d", platform=Platform.RSS, source="https://w/feed", poll_interval_s=86_400)
    s.succeeded(A, now=NOW, with_comments=True)
    s.succeeded(daily, now=NOW, with_comments=True)
    s.failed(failing, now=NOW, error=ConnectorError(ErrorKind.TRANSIENT, "down", code="rss.http", retry_after=1800))
    later = NOW + timedelta(seconds=10)
    accounts = [A, failing, daily]
    assert s.due(accounts, now=later + timedelta(seconds=67)) == []
    s.reconfigure(PollSettings(post_interval_s=60, comment_interval_s=120), now=later)
    assert s.settings.post_interval_s == 60
    due = s.due(accounts, now=later + timedelta(seconds=67))  # 60 s + at most 10% jitter
    assert [(d.account.id, d.with_comments) for d in due] == [(1, False)]  # the Retry-After and the daily account stand
    assert [d.with_comments for d in s.due([A], now=later + timedelta(seconds=133))] == [True]


def test_settings_that_do_not_shorten_an_interval_move_nothing() -> None:
    s = scheduler()
    s.succeeded(A, now=NOW, with_comments=True)
    planned = s.next_due([A])
    s.reconfigure(PollSettings(post_interval_s=600, comment_interval_s=900, max_concurrency=5), now=NOW + timedelta(seconds=10))
    assert s.next_due([A]) == planned
    s.reconfigure(PollSettings(post_interval_s=86_400, comment_interval_s=86_400), now=NOW + timedelta(seconds=10))
    assert s.next_due([A]) == planned  # a longer interval does not postpone what is planned
