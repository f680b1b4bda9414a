"""What the poller hands a connector and what it gets back.

A connector fetches one account's recent posts (and, when asked, their public comments)
with the shared HTTP client and the pure ``parse_*`` functions of its platform module.
It reads credentials through :class:`SecretSource`, which the composition root backs with
the OS keyring; connectors never see the keyring or the database themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from jb_watchdesk.connectors.base import AccessToken, ConnectorError, ErrorKind, FetchedComment, FetchedPost
from jb_watchdesk.domain.models import Platform

#: How far back a poll reads posts: beyond the 14-day veto window, with margin.
POST_HORIZON = timedelta(days=21)
#: Comments are read for posts this recent; older posts rarely get new public comments.
COMMENT_HORIZON = timedelta(days=7)
MAX_PAGES = 10


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

    etag: str | None = None
    last_modified: str | None = None
    since_id: str | None = None
    #: recent posts (external id → publication time), whose comments are read
    recent_posts: dict[str, datetime] = field(default_factory=dict)

    def remember(self, posts: tuple[FetchedPost, ...] | list[FetchedPost], *, now: datetime) -> list[str]:
        """Track the posts still young enough for comment reads; return their ids, newest first."""
        for post in posts:
            if not post.deleted:
                self.recent_posts[post.external_id] = post.published_at
            else:
                self.recent_posts.pop(post.external_id, None)
        horizon = now - COMMENT_HORIZON
        self.recent_posts = {k: v for k, v in self.recent_posts.items() if v >= horizon}
        return sorted(self.recent_posts, key=self.recent_posts.__getitem__, reverse=True)


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
