"""Per-account status for the dashboard and ``status``: freshness, health, comment backlog."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Final, Literal

from jb_watchdesk.connectors.base import ErrorKind
from jb_watchdesk.connectors.fetching import is_feed_source
from jb_watchdesk.connectors.registry import SPECS
from jb_watchdesk.domain import rules
from jb_watchdesk.domain.models import Account, AccountStatus, Freshness, Health
from jb_watchdesk.domain.record import StoredReading
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage import dashboard
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage.db import Store


@dataclass(frozen=True, slots=True)
class AccountStatusRow:
    account: Account
    posts_7d: int
    posts_this_week: int
    last_post_at: datetime | None
    days_silent: int | None
    freshness: Freshness
    freshness_reasons: tuple[str, ...]
    pending_comments: int
    overdue_ack: int
    overdue_result: int
    closing_posts: int
    source: Literal["machine", "manual"] = "machine"
    """``manual`` for an account the officer reads (:func:`needs_reading`), or whose last post
    shown comes from an officer's reading; else ``machine``."""
    read_by: str | None = None
    """Who made the account's latest reading, if any."""
    read_at: datetime | None = None
    """When the latest reading was recorded."""
    comments_waiting: int | None = None
    """Comments waiting on the platform at the latest reading of an account the officer reads
    (counted in ``pending_comments``)."""

    @property
    def awaiting_reading(self) -> bool:
        """An account the officer reads that no reading covers yet."""
        return self.source == "manual" and self.read_at is None

    def to_json(self) -> dict[str, object]:
        a = self.account
        health_reason = a.health_reason
        if self.awaiting_reading:
            health_reason = health_reason or "awaiting a reading by the officer"
        elif a.health is Health.NEVER_POLLED and not health_reason:
            health_reason = "not polled yet" if a.source else "no source configured"
        return {
            "account_id": a.id,
            "name": a.name,
            "platform": a.platform.value,
            "unit": a.unit,
            "status": a.status.value,
            "posts_7d": self.posts_7d,
            "posts_this_week": self.posts_this_week,
            "last_post_at": self.last_post_at.isoformat() if self.last_post_at else None,
            "days_silent": self.days_silent,
            "freshness": self.freshness.value,
            "freshness_reasons": list(self.freshness_reasons),
            "health": a.health.value,
            "health_reason": health_reason,
            "pending_comments": self.pending_comments,
            "overdue_ack": self.overdue_ack,
            "overdue_result": self.overdue_result,
            "closing_posts": self.closing_posts,
            "source": self.source,
            "read_by": self.read_by,
            "read_at": self.read_at.isoformat() if self.read_at else None,
            "comments_waiting": self.comments_waiting,
        }


@dataclass(frozen=True, slots=True)
class HealthProblem:
    """One problem named in an account's stored health reason (``code: reason; code: reason``).

    ``code`` is the connector's stable code (``weibo.21327``, ``rss.not_a_feed``,
    ``wechat.45009.comments``, ``internal.store``); ``kind`` what sort of failure it is (an
    :class:`~jb_watchdesk.connectors.base.ErrorKind` value, ``internal`` for a fault of the desk
    itself, ``""`` when the code is not known); ``reason`` the stored line, for the log.
    """

    code: str
    kind: str
    reason: str


_CODE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+")
_NAMED_KINDS: dict[str, ErrorKind] = {
    "timeout": ErrorKind.TRANSIENT,
    "connect": ErrorKind.TRANSIENT,
    "connection": ErrorKind.TRANSIENT,
    "closed": ErrorKind.TRANSIENT,
    "http": ErrorKind.TRANSIENT,
    "unexpected_304": ErrorKind.TRANSIENT,
    "tls": ErrorKind.CONFIG,
    "redirects": ErrorKind.CONFIG,
    "no_source": ErrorKind.CONFIG,
    "not_a_feed": ErrorKind.NOT_A_FEED,
}
_HTTP_KINDS = {401: ErrorKind.CONFIG, 403: ErrorKind.CONFIG, 404: ErrorKind.CONFIG, 410: ErrorKind.CONFIG, 429: ErrorKind.RATE_LIMITED}


@cache
def _table_kinds() -> dict[str, ErrorKind]:
    """``platform.code`` → kind, from every platform's error table."""
    return {f"{spec.errors.platform}.{code}": rule.kind for spec in SPECS for code, rule in spec.errors.rules.items()}


def error_kind(code: str) -> str:
    """The kind of failure a stored code names (see :class:`HealthProblem`)."""
    platform, _, rest = code.partition(".")
    if platform == "internal":
        return "internal"
    name = rest.split(".")[0]
    if name.lstrip("-").isdigit():
        return _table_kinds().get(f"{platform}.{name}", ErrorKind.TRANSIENT).value
    if name in _NAMED_KINDS:
        return _NAMED_KINDS[name].value
    if name.startswith("no_"):
        return ErrorKind.CONFIG.value
    if name.startswith("http") and name[4:].isdigit():
        status = int(name[4:])
        return _HTTP_KINDS.get(status, ErrorKind.TRANSIENT).value
    if name in ("too_large", "encoding", "decoding", "compressed", "bad_payload", "doctype") or platform == "rss":
        return ErrorKind.BAD_PAYLOAD.value
    return ""


def health_problems(reason: str) -> tuple[HealthProblem, ...]:
    """The coded problems in a stored health reason, in order; lines without a code (notes) are left out."""
    problems = []
    for part in reason.split("; "):
        code, colon, _ = part.partition(": ")
        if colon and _CODE.fullmatch(code):
            problems.append(HealthProblem(code=code, kind=error_kind(code), reason=part))
    return tuple(problems)


def read_by_machine(account: Account) -> bool:
    """Whether a machine source reads ``account``; if not, the officer reads it (the checklist).

    The poller reads an account through its platform's official API (WeChat, Weibo, Douyin: any
    ``source``), or through a feed when ``source`` is an http(s) URL. So the officer reads:

    - an account with no ``source`` at all;
    - a Kuaishou, Toutiao, Weishi, 上游号, website or RSS account whose ``source`` is no feed URL (a
      platform id, a profile name): no connector can read it;
    - an account whose URL was found to serve no feed (a website's home page; its stored health
      names a ``not_a_feed`` problem) until a poll reads a feed there again.

    The status, the checklist, the carry-over and the reports all ask this one function.
    """
    if not account.source:
        return False
    if account.platform.has_official_connector:
        return True
    if not is_feed_source(account.source):
        return False
    return not any(p.kind == ErrorKind.NOT_A_FEED.value for p in health_problems(account.health_reason))


def needs_reading(account: Account) -> bool:
    """An account the officer reads each shift: no machine source reads it, and it is not closed."""
    return account.status is not AccountStatus.CLOSED and not read_by_machine(account)


READINGS_LOOKBACK: Final = timedelta(days=30)
"""How far back readings are read for the counts (older ones cannot reach a 7-day window)."""


def officer_counts(readings: Sequence[StoredReading], *, now: datetime) -> rules.ReadingCounts:
    """Post counts an account's standing readings (oldest first, recorded by ``now``, going back
    :data:`READINGS_LOOKBACK`) prove, as of ``now`` (see :func:`rules.reading_counts`)."""
    return rules.reading_counts(_manual(readings), now=now)


def _manual(readings: Sequence[StoredReading]) -> list[rules.ManualReading]:
    return [rules.ManualReading(r.recorded_at, r.reading.latest_post_at, r.reading.posts_seen) for r in readings]


def officer_posts_in(readings: Sequence[StoredReading], *, start: datetime, end: datetime, now: datetime) -> int:
    """Posts an account's standing readings (oldest first) prove were published in ``[start, end)``,
    as of ``now`` (see :func:`rules.posts_published_in`)."""
    return rules.posts_published_in(_manual(readings), start=start, end=end, now=now)


def _status_rows(db, *, now: datetime) -> list[AccountStatusRow]:  # type: ignore[no-untyped-def]
    accounts = account_store.list_accounts(db)
    activity = dashboard.activity(db, now=now, week_start=rules.week_start(now))
    recent = inspection_store.readings(db, now=now, since=now - READINGS_LOOKBACK)
    spans = inspection_store.reading_span(db, now=now)
    latest = inspection_store.last_readings(db, now=now) if spans else {}
    rows = []
    for account in accounts:
        act = activity.get(account.id) or dashboard.AccountActivity()
        observed = account.first_polled_at if account.first_polled_at and account.first_polled_at <= now else None
        posts_7d, posts_week, last_post_at = act.posts_7d, act.posts_this_week, act.last_post_at
        manual = needs_reading(account)
        pending = act.open_comments
        last = latest.get(account.id)
        waiting = None
        if account.id in spans:
            first_read, seen_latest = spans[account.id]
            counts = officer_counts(recent.get(account.id, []), now=now)
            # Both are lower bounds of the same posts: the larger one is still true.
            posts_7d, posts_week = max(posts_7d, counts.posts_7d), max(posts_week, counts.posts_this_week)
            if last_post_at is None or seen_latest > last_post_at:
                last_post_at, manual = seen_latest, True
            observed = first_read if observed is None else min(observed, first_read)
            if last is not None and needs_reading(account):
                waiting = last.reading.comments_waiting
                pending += waiting or 0
        report = rules.judge_freshness(
            posts_7d=posts_7d,
            posts_this_week=posts_week,
            last_post_at=last_post_at,
            now=now,
            observed_since=observed,
        )
        reasons = report.reasons
        if manual and last is None and report.state is Freshness.UNKNOWN:
            reasons = ("awaiting_reading",)
        rows.append(
            AccountStatusRow(
                account=account,
                posts_7d=report.posts_7d,
                posts_this_week=report.posts_this_week,
                last_post_at=report.last_post_at,
                days_silent=report.days_silent,
                freshness=report.state,
                freshness_reasons=reasons,
                pending_comments=pending,
                overdue_ack=act.overdue_ack,
                overdue_result=act.overdue_result,
                closing_posts=act.closing_posts,
                source="manual" if manual else "machine",
                read_by=last.officer if last else None,
                read_at=last.recorded_at if last else None,
                comments_waiting=waiting,
            )
        )
    return rows


def account_status(store: Store, *, now: datetime) -> list[AccountStatusRow]:
    """Status of every account as of ``now`` (posts and comments after ``now`` are ignored)."""
    return store.query(_status_rows, now=now)
