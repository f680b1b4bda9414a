"""What is due to be polled, and how long to stay away after a failure.

Each account has its own interval for posts and for comments (or the defaults), with
jitter so a thousand accounts do not all fall due in the same second. A failed account
backs off exponentially; a platform's Retry-After is honoured, a daily quota waits for
the next day, and an error only the officer can fix is retried rarely. Nothing here
sleeps or does I/O: the poller asks and reports.

Resuming without a burst. After the PC slept (or the process was frozen, or the wall clock
jumped ahead) every account is overdue at once; after a network outage every account's backoff
ends within a few seconds of the others'. Polling them all at once would trip the platforms' rate
limits (hundreds of WeChat accounts share one API host). So:

- a gap between two asks longer than the post interval (or ``resume_after_s`` if shorter), or
  more than ``burst_per_host`` accounts of one host overdue by more than their interval, re-plans
  every overdue account over the next post interval (an account's own shorter interval caps its
  share), at random, and at most ``starts_per_s_per_host`` accounts of one host per second (the
  monitoring gap itself is recorded by :class:`jb_watchdesk.services.gaps.Monitor` from the same
  long pause);
- the first ask (a start) reads every account at once, bounded by the client's connection limits:
  a start must give the officer the whole picture, and the platforms limit calls per app and
  account, not per host;
- a clock set back keeps every backoff's remaining wait (counted from the last ask), not its
  instant on the old clock; a daily quota still ends at the next Beijing midnight;
- once every account has failed in a row with a network-type error (an outage), only one account
  per host is let through at a time, as a probe; the host's other accounts are held (and are not
  due) until the probe's retry time; the first success re-plans the others the same way (those
  already re-planned by a sleep, and held back since, go at once, spaced by the per-host rate).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.domain.models import Account
from jb_watchdesk.domain.rules import SHANGHAI


@dataclass(frozen=True, slots=True)
class PollSettings:
    post_interval_s: float = 600.0
    comment_interval_s: float = 900.0
    jitter: float = 0.1
    max_concurrency: int = 20
    per_host_concurrency: int = 8
    backoff_base_s: float = 30.0
    backoff_max_s: float = 3600.0
    #: consecutive transient failures after which an account is failing, not degraded
    failing_after: int = 3
    #: a pause between two asks longer than this (seconds), or than the post interval if that is
    #: shorter, is a sleep or a stall: the overdue accounts are spread out instead of all polled at once
    resume_after_s: float = 900.0
    #: more accounts of one host than this due together at a start, or overdue by more than their
    #: interval, are spread out too
    burst_per_host: int = 20
    #: after a sleep or an outage, accounts of one host started per second, at most
    starts_per_s_per_host: float = 2.0


@dataclass(slots=True)
class _Slot:
    next_posts: datetime | None = None
    next_comments: datetime | None = None
    blocked_until: datetime | None = None
    failures: int = 0
    #: planned with the default intervals (not the account's own), so a change of default applies
    default_posts: bool = True
    default_comments: bool = True
    #: the wait is the platform's or the officer's (Retry-After, quota, credentials): never shortened
    long_wait: bool = False
    #: the wait is a daily quota's: it ends at the next Beijing midnight, whatever the clock did
    quota: bool = False
    #: re-planned by :meth:`Scheduler._spread` (a sleep, a crowd, the end of an outage) and not polled since
    spread: bool = False


@dataclass(frozen=True, slots=True)
class Due:
    account: Account
    with_comments: bool


#: errors that say the network (or the platform's host) is away, not the account
_NETWORK_ERRORS = (ErrorKind.TRANSIENT,)


def host_of(account: Account) -> str:
    """The host an account's requests go to, as far as spreading them goes: its feed's or its
    ``api_base``'s host, else its platform (every account of a platform shares its API host)."""
    for address in (account.api_base, account.source):
        if address.startswith(("http://", "https://")):
            return (urlsplit(address).hostname or address).lower()
    return account.platform.value


class Scheduler:
    def __init__(self, settings: PollSettings | None = None, *, rng: random.Random | None = None) -> None:
        self.settings = settings or PollSettings()
        self._rng = rng or random.Random()
        self._slots: dict[int, _Slot] = {}
        self._last_asked: datetime | None = None
        #: every account failed in a row with a network-type error: only probes go out
        self._outage = False
        #: the outage ended (a probe succeeded): spread the others at the next ask
        self._recovered = False
        #: consecutive network-type failures, over all accounts, since the last success
        self._failing_streak = 0
        #: during an outage: host -> until when its accounts other than the probe are held
        self._held: dict[str, datetime] = {}
        #: during an outage: host -> probes failed in a row
        self._probes_failed: dict[str, int] = defaultdict(int)

    @property
    def in_outage(self) -> bool:
        return self._outage

    def _stalled(self, now: datetime) -> bool:
        """Whether the time since the last ask is a sleep, a stall or a clock jump."""
        last = self._last_asked
        if last is None:
            return False
        pause = (now - last).total_seconds()
        return pause > min(self.settings.resume_after_s, self.settings.post_interval_s) or pause < -60

    def _crowded(self, accounts: list[Account], *, now: datetime) -> bool:
        """Whether more than ``burst_per_host`` accounts of one host are overdue by more than their
        interval (they would start together)."""
        s = self.settings
        counts: dict[str, int] = defaultdict(int)
        for account in accounts:
            slot = self._slots.get(account.id)
            if slot is not None and slot.blocked_until is not None and slot.blocked_until > now:
                continue
            own = timedelta(seconds=account.poll_interval_s or s.post_interval_s)
            overdue = slot is not None and slot.next_posts is not None and slot.next_posts < now - own
            if overdue:
                host = host_of(account)
                counts[host] += 1
                if counts[host] > s.burst_per_host:
                    return True
        return False

    def _set_back(self, now: datetime) -> None:
        """The clock went back: every backoff keeps the wait it had left at the last ask (a daily
        quota ends at the next Beijing midnight by the new clock), not its instant on the old clock."""
        last = self._last_asked
        if last is None:
            return
        for slot in self._slots.values():
            if slot.blocked_until is None or slot.blocked_until <= last:
                continue
            if slot.quota:  # the quota's own rule, by the new clock
                slot.blocked_until = slot.next_posts = now + _until_next_day(now)
                continue
            until = now + (slot.blocked_until - last)
            if until < slot.blocked_until:
                slot.blocked_until = until
                if slot.next_posts is not None and slot.next_posts > until:
                    slot.next_posts = until
        for host, until in list(self._held.items()):
            if until > last:
                self._held[host] = min(until, now + (until - last))

    def _spread(self, accounts: Iterable[Account], *, now: datetime, everyone_failing: bool = False) -> None:
        """Re-plan the accounts that are overdue (or, after an outage, backing off) over the next
        post interval, each within its own interval if shorter: a random moment each, then pushed
        apart so no host starts more than ``starts_per_s_per_host`` per second (a host with no more
        overdue than that keeps them due now). An account re-planned before and held back since
        (an outage's one probe per host) is not pushed a whole interval on: it goes now, spaced by
        the same per-host rate. A Retry-After, a quota wait or an officer's error keep their own time."""
        s = self.settings
        window = s.post_interval_s
        gap = 1.0 / s.starts_per_s_per_host
        by_host: dict[str, list[tuple[_Slot, float]]] = defaultdict(list)
        for account in accounts:
            slot = self._slot(account.id)
            if slot.blocked_until is not None and slot.blocked_until > now:
                if not (everyone_failing and slot.failures and not slot.long_wait):
                    continue
            elif slot.next_posts is not None and slot.next_posts > now and slot.next_posts - now <= timedelta(seconds=window * 2):
                continue  # planned within reach already (a clock set back leaves later plans to re-plan)
            own = min(window, account.poll_interval_s or window)
            if slot.spread:
                # Already re-planned and only held back since (by the outage's one probe per host):
                # it goes now, spaced by the per-host rate, not a whole interval on.
                own = 0.0
            by_host[host_of(account)].append((slot, own))
        for planned in by_host.values():
            if not everyone_failing and len(planned) <= s.starts_per_s_per_host:
                continue  # as many as the host takes in a second: no burst to spread
            timed = sorted(((self._rng.uniform(0, own), slot) for slot, own in planned), key=lambda pair: pair[0])
            earliest = 0.0
            for offset, slot in timed:
                at = max(offset, earliest)
                earliest = at + gap
                slot.blocked_until = None
                slot.spread = True
                slot.next_posts = now + timedelta(seconds=at)
                if slot.next_comments is None or slot.next_comments < slot.next_posts:
                    slot.next_comments = slot.next_posts

    def _slot(self, account_id: int) -> _Slot:
        return self._slots.setdefault(account_id, _Slot())

    def _jittered(self, seconds: float) -> timedelta:
        spread = self.settings.jitter
        return timedelta(seconds=seconds * self._rng.uniform(1 - spread, 1 + spread))

    def due(self, accounts: Iterable[Account], *, now: datetime, force: bool = False) -> list[Due]:
        """Accounts to poll now. ``force`` ignores the intervals but never a backoff or Retry-After.

        After a sleep or a stall (see the module's notes) the overdue accounts are first spread
        over the next interval; during an outage one account per host is due at a time."""
        accounts = list(accounts)
        last = self._last_asked
        if last is not None and (now - last).total_seconds() < -60:
            self._set_back(now)
        if force or last is None:
            # A start reads every account at once (the client's connection limits bound it): the
            # officer needs the whole picture, and one poll per account is far inside any
            # platform's limits, which count calls per app and account, not per host.
            pass
        elif self._stalled(now) or (not self._outage and self._crowded(accounts, now=now)):
            self._spread(accounts, now=now)
        elif self._recovered:
            self._spread(accounts, now=now, everyone_failing=True)
        if not force:
            self._recovered = False
        self._last_asked = now
        result = []
        probing: set[str] = set()
        for account in accounts:
            slot = self._slot(account.id)
            if slot.blocked_until is not None and slot.blocked_until > now:
                continue
            if force or slot.next_posts is None or slot.next_posts <= now:
                if self._outage and not force:
                    host = host_of(account)
                    held = self._held.get(host)
                    if host in probing or (held is not None and held > now):
                        continue
                    probing.add(host)
                comments_due = force or slot.next_comments is None or slot.next_comments <= now
                result.append(Due(account=account, with_comments=comments_due))
        return result

    def succeeded(self, account: Account, *, now: datetime, with_comments: bool) -> None:
        slot = self._slot(account.id)
        if self._outage:
            self._outage, self._recovered = False, True
        self._held.clear()
        self._probes_failed.clear()
        self._failing_streak = 0
        slot.failures = 0
        slot.long_wait = slot.quota = slot.spread = False
        slot.blocked_until = None
        slot.next_posts = now + self._jittered(account.poll_interval_s or self.settings.post_interval_s)
        slot.default_posts = not account.poll_interval_s
        if with_comments:
            slot.next_comments = now + self._jittered(account.comment_interval_s or self.settings.comment_interval_s)
            slot.default_comments = not account.comment_interval_s

    def failed(self, account: Account, *, now: datetime, error: ConnectorError | None) -> datetime:
        """Record a failure; returns when the account may be tried again."""
        slot = self._slot(account.id)
        slot.failures += 1
        s = self.settings
        backoff = min(s.backoff_max_s, s.backoff_base_s * 2 ** (slot.failures - 1))
        wait = self._jittered(backoff)
        slot.long_wait = slot.quota = slot.spread = False
        if error is not None:
            if error.kind is ErrorKind.QUOTA:
                wait = max(_until_next_day(now), timedelta(seconds=error.retry_after or 0))
                slot.long_wait = slot.quota = True
            elif error.kind in (ErrorKind.AUTH_EXPIRED, ErrorKind.CONFIG):
                wait = timedelta(seconds=s.backoff_max_s)
                slot.long_wait = True
            elif error.retry_after is not None:
                wait = max(wait, timedelta(seconds=error.retry_after))
                slot.long_wait = True
        if error is not None and error.kind in _NETWORK_ERRORS:
            self._failing_streak += 1
            # Every account known has failed in a row: the network (or the proxy) is away.
            if self._failing_streak >= max(2, len(self._slots)):
                self._outage = True
        slot.blocked_until = now + wait
        slot.next_posts = slot.blocked_until
        if self._outage and error is not None and error.kind in _NETWORK_ERRORS:
            # The host's other accounts wait for this probe's retry, not one after another; the
            # host backs off as one account would (each probe may be another account).
            host = host_of(account)
            held = self._held.get(host)
            if held is not None and held > now:  # another of the round that found the outage
                self._held[host] = max(held, slot.blocked_until)
            else:
                self._probes_failed[host] += 1
                host_wait = self._jittered(min(s.backoff_max_s, s.backoff_base_s * 2 ** (self._probes_failed[host] - 1)))
                self._held[host] = max(slot.blocked_until, now + host_wait)
        return slot.blocked_until

    def reconfigure(self, settings: PollSettings, *, now: datetime) -> None:
        """Use ``settings`` from now on. A shorter default interval applies at once: an account
        polled on the default and not due within the new interval falls due by then, with jitter.
        Backoffs, Retry-After and accounts' own intervals stand; nothing moves when the intervals
        did not get shorter."""
        before, self.settings = self.settings, settings
        posts = settings.post_interval_s < before.post_interval_s
        comments = settings.comment_interval_s < before.comment_interval_s
        if not (posts or comments):
            return
        for slot in self._slots.values():
            if slot.blocked_until is not None and slot.blocked_until > now:
                continue
            if posts and slot.default_posts and slot.next_posts is not None:
                slot.next_posts = min(slot.next_posts, now + self._jittered(settings.post_interval_s))
            if comments and slot.default_comments and slot.next_comments is not None:
                slot.next_comments = min(slot.next_comments, now + self._jittered(settings.comment_interval_s))

    def consecutive_failures(self, account_id: int) -> int:
        return self._slot(account_id).failures

    def reset(self, account_id: int) -> None:
        """Forget an account's backoff, e.g. after the officer fixed its credentials; during an
        outage the hosts' probes may go again now."""
        self._slots.pop(account_id, None)
        self._held.clear()

    def next_due(self, accounts: Iterable[Account]) -> datetime | None:
        """The earliest moment any of ``accounts`` falls due (None: due now)."""
        times: list[datetime] = []
        for account in accounts:
            slot = self._slot(account.id)
            candidates = [t for t in (slot.next_posts, slot.blocked_until) if t is not None]
            if not candidates:
                return None
            times.append(max(candidates))
        return min(times, default=None)


def _until_next_day(now: datetime) -> timedelta:
    """Platform quotas reset at midnight Beijing time."""
    local = now.astimezone(SHANGHAI)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0, 1), tzinfo=SHANGHAI)
    return midnight - local
