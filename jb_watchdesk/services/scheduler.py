"""What is due to be polled, and how long to stay away after a failure.

Each account has its own interval for posts and for comments (or the defaults), with
jitter so a thousand accounts do not all fall due in the same second. A failed account
backs off exponentially; a platform's Retry-After is honoured, a daily quota waits for
the next day, and an error only the officer can fix is retried rarely. Nothing here
sleeps or does I/O: the poller asks and reports.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

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


@dataclass(slots=True)
class _Slot:
    next_posts: datetime | None = None
    next_comments: datetime | None = None
    blocked_until: datetime | None = None
    failures: int = 0
    #: planned with the default intervals (not the account's own), so a change of default applies
    default_posts: bool = True
    default_comments: bool = True


@dataclass(frozen=True, slots=True)
class Due:
    account: Account
    with_comments: bool


class Scheduler:
    def __init__(self, settings: PollSettings | None = None, *, rng: random.Random | None = None) -> None:
        self.settings = settings or PollSettings()
        self._rng = rng or random.Random()
        self._slots: dict[int, _Slot] = {}

    def _slot(self, account_id: int) -> _Slot:
        return self._slots.setdefault(account_id, _Slot())

    def _jittered(self, seconds: float) -> timedelta:
        spread = self.settings.jitter
        return timedelta(seconds=seconds * self._rng.uniform(1 - spread, 1 + spread))

    def due(self, accounts: Iterable[Account], *, now: datetime, force: bool = False) -> list[Due]:
        """Accounts to poll now. ``force`` ignores the intervals but never a backoff or Retry-After."""
        result = []
        for account in accounts:
            slot = self._slot(account.id)
            if slot.blocked_until is not None and slot.blocked_until > now:
                continue
            if force or slot.next_posts is None or slot.next_posts <= now:
                comments_due = force or slot.next_comments is None or slot.next_comments <= now
                result.append(Due(account=account, with_comments=comments_due))
        return result

    def succeeded(self, account: Account, *, now: datetime, with_comments: bool) -> None:
        slot = self._slot(account.id)
        slot.failures = 0
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
        if error is not None:
            if error.kind is ErrorKind.QUOTA:
                wait = max(_until_next_day(now), timedelta(seconds=error.retry_after or 0))
            elif error.kind in (ErrorKind.AUTH_EXPIRED, ErrorKind.CONFIG):
                wait = timedelta(seconds=s.backoff_max_s)
            elif error.retry_after is not None:
                wait = max(wait, timedelta(seconds=error.retry_after))
        slot.blocked_until = now + wait
        slot.next_posts = slot.blocked_until
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
        """Forget an account's backoff, e.g. after the officer fixed its credentials."""
        self._slots.pop(account_id, None)

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
