"""What the poller hands a connector and what it gets back.

A connector fetches one account's recent posts (and, when asked, their public comments)
with the shared HTTP client and the pure ``parse_*`` functions of its platform module.
It reads credentials through :class:`SecretSource`, which the composition root backs with
the OS keyring; connectors never see the keyring or the database themselves.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar

from jb_watchdesk.connectors.base import AccessToken, ConnectorError, ErrorKind, FetchedComment, FetchedPost
from jb_watchdesk.domain.models import Platform

#: How far back a poll reads posts: beyond the 14-day veto window, with margin.
POST_HORIZON = timedelta(days=21)
#: Comments are read on every post this recent: a citizen's question under a two-week-old
#: post is as much the desk's business as one under today's.
COMMENT_HORIZON = timedelta(days=30)
#: How often a post's comments are read, by the post's age: (age up to, every Nth comment
#: cycle). With the default 15-minute comment interval that is every 15 minutes for two
#: days (when nearly all comments arrive), every 45 minutes to a week and every 3 hours to
#: 30 days, so a month of posts costs about a third more calls than a week did.
COMMENT_TIERS: tuple[tuple[timedelta, int], ...] = (
    (timedelta(days=2), 1),
    (timedelta(days=7), 3),
    (COMMENT_HORIZON, 12),
)
MAX_PAGES = 10
#: A long post whose full text fails this many polls in a row (deleted since, hidden) is kept with
#: the text the list gave, and no longer costs a request and a degraded account every poll.
MAX_FULL_TEXT_TRIES = 5
#: Conditional GET (RFC 9110 §13, https://www.rfc-editor.org/rfc/rfc9110#section-13). A server that
#: answers 304 when it should not (a CDN caching the 304, a validator it compares wrongly) would hide
#: new posts for ever; so after this many 304s in a row the next poll asks without validators…
MAX_NOT_MODIFIED_IN_A_ROW = 3
#: …and so does any poll once the last full read is this old. A stuck server thus hides new posts
#: for at most three polls or 30 minutes, whichever ends first (at the default 10-minute interval:
#: the fourth poll, 30 minutes after the last full read, reads in full).
MAX_VALIDATED_AGE = timedelta(minutes=30)
#: How far past the desk's clock a Last-Modified may lie and still be sent back: clock skew between
#: the desk and the server. A later date would make an honest server answer 304 until it passes.
LAST_MODIFIED_SKEW = timedelta(minutes=5)


class SecretSource(Protocol):
    """Credentials of an account by name (``app_secret``, ``access_token`` …)."""

    async def get(self, account_id: int, name: str) -> str | None: ...

    async def put(self, account_id: int, name: str, value: str) -> None: ...


@dataclass(frozen=True, slots=True)
class AccountRef:
    """The part of an account a connector needs."""

    id: int
    name: str
    platform: Platform
    source: str
    api_base: str = ""


@dataclass(slots=True)
class FetchState:
    """What a connector remembers about an account between polls (in memory)."""

    #: the validators of the last full read, as received (see :meth:`validators`)
    etag: str | None = None
    last_modified: str | None = None
    #: 304 answers since the last full read, and when that read was (aware)
    not_modified_in_a_row: int = 0
    full_read_at: datetime | None = None
    since_id: str | None = None
    #: recent posts (external id → publication time), whose comments are read
    recent_posts: dict[str, datetime] = field(default_factory=dict)
    #: what a comment read needs beyond the post id, per recent post (WeChat: ``MSG_DATA_ID:INDEX``)
    comment_refs: dict[str, str] = field(default_factory=dict)
    #: no comment reads before this instant (a daily quota ran out); ``comment_pause`` says why
    comments_paused_until: datetime | None = None
    comment_pause: ConnectorError | None = None
    #: an account-wide comment feed (Weibo): the newest comment id read, and comments read
    #: before (id → comment), so a later reply can mark a comment an earlier poll stored
    comments_since_id: str | None = None
    known_comments: dict[str, FetchedComment] = field(default_factory=dict)
    #: the account-wide feed was refused (not offered to this app): read comments per post
    comment_feed_refused: bool = False
    #: posts whose full text (Weibo long posts) could not be read yet, retried next poll
    pending_full_text: dict[str, FetchedPost] = field(default_factory=dict)
    #: failed full-text reads per pending post, to give up after :data:`MAX_FULL_TEXT_TRIES`
    full_text_tries: dict[str, int] = field(default_factory=dict)
    #: comment rounds done (see :meth:`comment_round`); the first reads every recent post
    comment_rounds: int = 0
    #: posts whose comments are read at the next round whatever their tier: a read that failed
    #: or was paused by a quota
    comments_owed: set[str] = field(default_factory=set)

    def post_horizon(self, *, now: datetime) -> datetime:
        """How far back this poll reads posts: the whole comment window until it is known."""
        if self.recent_posts:
            return now - POST_HORIZON
        return now - max(POST_HORIZON, COMMENT_HORIZON)

    def comment_round(self, *, now: datetime) -> list[str]:
        """The recent posts whose comments are read in this comment cycle, newest first.

        The first round takes every post of the window; later ones follow
        :data:`COMMENT_TIERS`, each post offset by a hash of its id so the older posts'
        reads spread over the cycles instead of landing on the same one.
        """
        recent = self.remember((), now=now)
        number = self.comment_rounds
        self.comment_rounds += 1
        owed, self.comments_owed = self.comments_owed, set()
        if number == 0:
            chosen = recent
        else:
            chosen = [
                post_id for post_id in recent
                if post_id in owed or _due(post_id, age=now - self.recent_posts[post_id], round_number=number)
            ]  # fmt: skip
        if self.comments_paused(now=now) is not None:
            self.owe_comments(chosen)  # nothing of this round will be read until the pause ends
        return chosen

    def owe_comments(self, post_ids: Iterable[str]) -> None:
        """These posts' comments could not be read: read them at the next round, whatever their tier."""
        self.comments_owed.update(post_ids)

    def snapshot(self) -> FetchState:
        """A copy to go back to when the fetch, or the storing of what it read, fails.

        A fetch moves the state on (Weibo's ``since_id``, a feed's validators, the comment round);
        if what it read is then lost, the next poll must ask for the same things again, or those
        posts would never be read. Containers are copied, the frozen values in them shared.
        """
        clone = copy.copy(self)
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, dict | set | list):
                setattr(clone, name, copy.copy(value))
        return clone

    def validators(self, *, now: datetime) -> dict[str, str]:
        """The conditional headers for the next request: ``If-None-Match`` and ``If-Modified-Since``,
        each exactly as the server sent it (some servers compare the date as a string).

        Empty when the next request must be unconditional: nothing stored yet, or
        :data:`MAX_NOT_MODIFIED_IN_A_ROW` 304s in a row, or the last full read is
        :data:`MAX_VALIDATED_AGE` old at ``now`` (aware). A stored Last-Modified that lies beyond
        ``now`` plus :data:`LAST_MODIFIED_SKEW` (the clock moved back) is left out.
        RFC 9110 §13.1.1–13.1.3: https://www.rfc-editor.org/rfc/rfc9110#section-13.1
        """
        if self.not_modified_in_a_row >= MAX_NOT_MODIFIED_IN_A_ROW:
            return {}
        if self.full_read_at is not None and now - self.full_read_at >= MAX_VALIDATED_AGE:
            return {}
        headers: dict[str, str] = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified and self.usable_last_modified(self.last_modified, date=None, now=now):
            headers["If-Modified-Since"] = self.last_modified
        return headers

    def record_not_modified(self) -> None:
        """A 304 answered a request that carried :meth:`validators`."""
        self.not_modified_in_a_row += 1

    def record_full_read(self, *, etag: str | None, last_modified: str | None, date: str | None, now: datetime) -> None:
        """A full answer was read: keep its ``ETag`` and, if usable, its ``Last-Modified`` (header
        values as received; ``date`` is its ``Date`` header) for the next request; ``now`` is aware."""
        self.etag = etag or None
        self.last_modified = self.usable_last_modified(last_modified, date=date, now=now)
        self.not_modified_in_a_row = 0
        self.full_read_at = now

    @staticmethod
    def usable_last_modified(value: str | None, *, date: str | None, now: datetime) -> str | None:
        """``value`` (a Last-Modified header) if it may be sent back as ``If-Modified-Since``, else None.

        Not usable: not an HTTP-date (RFC 9110 §5.6.7; a server ignores such an If-Modified-Since,
        §13.1.3); later than the response's ``Date`` (an origin server MUST NOT send that,
        §8.8.2.1, https://www.rfc-editor.org/rfc/rfc9110#section-8.8.2.1); or later than ``now``
        (aware) plus :data:`LAST_MODIFIED_SKEW`, which also catches a server whose own clock is
        wrong. Sent back, a future date makes many servers answer 304 until that date passes: a
        feed that once said 2041 would show no new post until 2041.
        """
        moment = _http_date(value)
        if value is None or moment is None:
            return None
        sent = _http_date(date)
        if sent is not None and moment > sent:
            return None
        if moment > now + LAST_MODIFIED_SKEW:
            return None
        return value

    def remember(self, posts: tuple[FetchedPost, ...] | list[FetchedPost], *, now: datetime) -> list[str]:
        """Track the posts still young enough for comment reads; return their ids, newest first."""
        for post in posts:
            if not post.deleted:
                self.recent_posts[post.external_id] = post.published_at
            else:
                self.recent_posts.pop(post.external_id, None)
        horizon = now - COMMENT_HORIZON
        self.recent_posts = {k: v for k, v in self.recent_posts.items() if v >= horizon}
        self.comment_refs = {k: v for k, v in self.comment_refs.items() if k in self.recent_posts}
        return sorted(self.recent_posts, key=self.recent_posts.__getitem__, reverse=True)

    def pause_comments(self, error: ConnectorError, *, until: datetime) -> None:
        """Stop comment reads until ``until`` (a quota reset), keeping ``error`` to report meanwhile."""
        self.comments_paused_until = until
        self.comment_pause = error

    def comments_paused(self, *, now: datetime) -> ConnectorError | None:
        """The error that paused comment reads, while the pause lasts; ``None`` once it is over."""
        if self.comments_paused_until is not None and now < self.comments_paused_until:
            return self.comment_pause
        self.comments_paused_until = self.comment_pause = None
        return None


def _http_date(value: str | None) -> datetime | None:
    """An HTTP-date header value as an aware datetime (zone-less means UTC), or None."""
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def comment_every(age: timedelta) -> int | None:
    """Every how many comment cycles a post of this age is read; ``None`` beyond the window."""
    for limit, every in COMMENT_TIERS:
        if age <= limit:
            return every
    return None


def _due(post_id: str, *, age: timedelta, round_number: int) -> bool:
    every = comment_every(age)
    if every is None:
        return False
    return (round_number + zlib.crc32(post_id.encode("utf-8"))) % every == 0


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One account's fetch.

    ``problems`` are failures that did not stop the fetch (comments of one post could not be
    read; posts were): the posts are stored and the account is ``degraded`` with each problem
    named. ``notes`` are remarks that change nothing about health.
    """

    posts: tuple[FetchedPost, ...] = ()
    comments: tuple[FetchedComment, ...] = ()
    not_modified: bool = False
    requests: int = 0
    notes: tuple[str, ...] = field(default=())
    problems: tuple[ConnectorError, ...] = field(default=())


class Connector(Protocol):
    platform: str

    async def fetch(
        self, account: AccountRef, *, state: FetchState, with_comments: bool, now: datetime
    ) -> FetchResult: ...


def missing_secret(account: AccountRef, name: str, *, platform: str) -> ConnectorError:
    return ConnectorError(
        ErrorKind.CONFIG,
        f"no {name} stored for this account: run `jb-watchdesk accounts set-secret {account.id} {name}` "
        "or enter it in the account editor",
        code=f"{platform}.no_{name}",
    )


def is_feed_source(source: str) -> bool:
    return source.startswith(("http://", "https://"))


T = TypeVar("T")


class TokenCache:
    """Access tokens per account, refreshed when they lapse and once when the platform rejects one.

    One lock per account keeps concurrent requests from refreshing the same token twice
    (WeChat counts forced refreshes against a small daily allowance).
    """

    def __init__(self) -> None:
        self._tokens: dict[int, AccessToken] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def forget(self, account_id: int) -> None:
        self._tokens.pop(account_id, None)

    async def _current(
        self, account_id: int, *, now: datetime, force: bool, obtain: Callable[[bool], Awaitable[AccessToken]]
    ) -> str:
        lock = self._locks.setdefault(account_id, asyncio.Lock())
        async with lock:
            token = self._tokens.get(account_id)
            if token is None or force or token.expires_at <= now:
                token = await obtain(force)
                self._tokens[account_id] = token
            return token.access_token

    async def call(
        self,
        account_id: int,
        *,
        now: datetime,
        obtain: Callable[[bool], Awaitable[AccessToken]],
        send: Callable[[str], Awaitable[T]],
    ) -> T:
        """``send(token)``; when the platform says the token is stale, refresh it and retry once."""
        for attempt in range(2):
            token = await self._current(account_id, now=now, force=attempt > 0, obtain=obtain)
            try:
                return await send(token)
            except ConnectorError as error:
                if error.refresh_token_once and attempt == 0:
                    self.forget(account_id)
                    continue
                raise
        raise AssertionError("unreachable")
