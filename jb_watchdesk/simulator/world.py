"""The simulated district: accounts, their posts and comments, credentials, tokens and quotas.

Content is a pure function of (seed, account, anchor, time). Each account posts once per
*slot*: its week is cut into ``posts_per_week`` equal slots, anchored at a fixed epoch with a
per-account phase, and the post falls at a hashed offset inside the slot. That makes any
7-day window hold at least ``posts_per_week - 1`` posts (so a ``regular`` account never
drifts into a warning by chance), lets new posts keep appearing as real time passes, and
lets any instant be evaluated without replaying history.

``anchor`` (default: 00:00 Asia/Shanghai of the day the world is built) fixes the things
that are "N days ago": where history starts and when silent accounts stopped posting.
Building the world again on the same day with the same seed gives the same content.

Behaviour assignment (by the account's global index ``i``, 0-based)::

    served platform = ("wechat_mp", "weibo", "douyin", "rss")[i % 4]
    behaviour       = BEHAVIOUR_PATTERN[i % 9]
    feed platform   = ("kuaishou", "toutiao", "weishi", "shangyou", "website", "rss")[(i // 4) % 6]

4 and 9 are coprime, so every platform gets every behaviour once in each run of 36
accounts; with ``N`` accounts each non-regular behaviour occurs at ``N // 9`` or more
accounts (12+ from 108 accounts) and ``regular`` at three times that. Feed accounts cannot
show comments, so a feed account with ``comments_unanswered`` simply posts regularly.

The mutable part (issued tokens, quota counters) lives in :class:`TokenBook` and
:class:`QuotaBook`, owned by the world and guarded by a lock because ``truth()`` may be
read from another thread while the server runs.

Content menu: :class:`ContentKind` switches change *what* the platforms say (hostile text,
odd dates, repeated guids, long Weibo posts, Douyin video statuses), per account, as the
real platforms and CMSs do. They are switched on with the fault spec (``undated@rss-0003``,
``video_status%30``; see :mod:`jb_watchdesk.simulator.faults`) or ``World(content=...)``, and
:meth:`World.truth` and :meth:`World.truth_items` always follow the active switches, so a
desk's result can be compared exactly whichever are on.

This module holds :class:`World` and is the public home of the names of its parts, which it
re-exports: the records and constants (:mod:`~jb_watchdesk.simulator.model`), the content
menu (:mod:`~jb_watchdesk.simulator.menu`), the generators
(:mod:`~jb_watchdesk.simulator.generators`), tokens and quotas
(:mod:`~jb_watchdesk.simulator.books`) and the truth (:mod:`~jb_watchdesk.simulator.truth`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, time
from typing import Final

from jb_watchdesk.simulator.books import QuotaBook, TokenBook, _Lru
from jb_watchdesk.simulator.content import SENSITIVE_KINDS
from jb_watchdesk.simulator.generators import WorldGenerator, _pinned, feed_link, stable_hash, stable_unit
from jb_watchdesk.simulator.menu import (
    CONTENT_PLATFORMS,
    LONE_SURROGATE,
    NONCHARACTER,
    PLACEHOLDER_GUID,
    PUBLIC_VIDEO_STATUSES,
    UNSEEN_VIDEO_STATUSES,
    ContentKind,
    ContentMenu,
    ContentShapes,
    ContentSwitch,
    FeedDate,
)
from jb_watchdesk.simulator.model import (
    _EPOCH,
    BEHAVIOUR_PATTERN,
    BEIJING_OFFSET_S,
    COMMENT_HORIZON_DAYS,
    COMMENT_PLATFORMS,
    DEFAULT_QUOTA_PER_DAY,
    DEFAULT_TOKEN_TTL_S,
    FEED_ITEMS,
    FEED_PLATFORMS,
    HISTORY_DAYS,
    MAX_ACCOUNTS,
    POST_HORIZON_DAYS,
    REFRESH_TOKEN_TTL_S,
    SERVED_PLATFORMS,
    SHANGHAI,
    TEXT_CACHE_ENTRIES,
    WEEK_S,
    Behaviour,
    PostText,
    SimAccount,
    SimComment,
    SimPost,
    _default_clock,
    _epoch,
    to_datetime,
)
from jb_watchdesk.simulator.truth import truth_item_rows, truth_rows

INJECTED_SLOTS: Final = 10_000_000
"""Slot numbers of injected posts start here, far beyond any scheduled slot."""

__all__ = [
    "BEHAVIOUR_PATTERN",
    "BEIJING_OFFSET_S",
    "COMMENT_HORIZON_DAYS",
    "COMMENT_PLATFORMS",
    "CONTENT_PLATFORMS",
    "DEFAULT_QUOTA_PER_DAY",
    "DEFAULT_TOKEN_TTL_S",
    "FEED_ITEMS",
    "FEED_PLATFORMS",
    "HISTORY_DAYS",
    "LONE_SURROGATE",
    "MAX_ACCOUNTS",
    "NONCHARACTER",
    "PLACEHOLDER_GUID",
    "POST_HORIZON_DAYS",
    "PUBLIC_VIDEO_STATUSES",
    "REFRESH_TOKEN_TTL_S",
    "SERVED_PLATFORMS",
    "SHANGHAI",
    "TEXT_CACHE_ENTRIES",
    "UNSEEN_VIDEO_STATUSES",
    "WEEK_S",
    "Behaviour",
    "ContentKind",
    "ContentMenu",
    "ContentSwitch",
    "FeedDate",
    "PostText",
    "QuotaBook",
    "SimAccount",
    "SimComment",
    "SimPost",
    "TokenBook",
    "World",
    "feed_link",
    "stable_hash",
    "stable_unit",
    "to_datetime",
]


class World(ContentShapes):
    """``accounts`` deterministic accounts across WeChat, Weibo, Douyin and feeds.

    ``clock`` returns the current aware datetime (real time by default) and is read for
    every request, so posts keep appearing as it advances. ``anchor`` fixes the history
    start and silent accounts' last posts (default: today 00:00 Asia/Shanghai by ``clock``).
    ``content`` switches content kinds on from the start, in fault-spec syntax
    (``"undated@rss-0002,video_status%50"``); a server's fault spec replaces them later.
    """

    def __init__(
        self,
        seed: int = 1,
        accounts: int = 240,
        *,
        clock: Callable[[], datetime] = _default_clock,
        anchor: datetime | None = None,
        token_ttl_s: int = DEFAULT_TOKEN_TTL_S,
        quota_per_day: int = DEFAULT_QUOTA_PER_DAY,
        content: str = "",
        secret_length: int | None = None,
    ) -> None:
        if not 1 <= accounts <= MAX_ACCOUNTS:
            raise ValueError(f"accounts must be between 1 and {MAX_ACCOUNTS}, not {accounts}")
        if token_ttl_s <= 0 or quota_per_day <= 0:
            raise ValueError("token_ttl_s and quota_per_day must be positive")
        self.seed = seed
        self.clock = clock
        if anchor is None:
            local = clock().astimezone(SHANGHAI)
            anchor = datetime.combine(local.date(), time(0), tzinfo=SHANGHAI)
        self.anchor = _epoch(anchor)
        self.history_start = self.anchor - HISTORY_DAYS * 86_400
        self._generate = WorldGenerator(seed=seed, anchor=self.anchor, history_start=self.history_start, secret_length=secret_length)
        self.tokens = TokenBook(seed=seed, ttl_s=token_ttl_s)
        self.quotas = QuotaBook(per_day=quota_per_day)
        self.accounts: tuple[SimAccount, ...] = self._generate.accounts(accounts)
        self.by_key: dict[str, SimAccount] = {a.key: a for a in self.accounts}
        self._by_source: dict[tuple[str, str], SimAccount] = {}
        for account in self.accounts:
            if account.source_id:
                self._by_source[(account.served, account.source_id)] = account
            if account.served == "douyin":
                self._by_source[("douyin_client_key", account.credentials["client_key"])] = account
                self._by_source[("douyin_refresh", account.credentials["refresh_token"])] = account
        self._schedule: dict[int, tuple[int, tuple[SimPost, ...]]] = {}
        self._schedule_lock = threading.Lock()
        self._injected: dict[int, tuple[SimPost, ...]] = {}
        self._texts = _Lru(TEXT_CACHE_ENTRIES)
        self.content = ContentMenu(seed=seed)
        if content:
            # faults imports this module; the spec grammar lives there.
            from jb_watchdesk.simulator.faults import FaultPlan

            plan = FaultPlan.parse(content, seed=seed)
            if len(plan.content()) != len(plan.faults):
                raise ValueError(f"content {content!r}: only content kinds may be given here, not transport faults")
            self.set_content(plan.content())

    # ------------------------------------------------------------ content menu

    def feed_items(self, account: SimAccount, *, now: int) -> list[SimPost]:
        """What the account's feed serves at ``now``: the newest :data:`FEED_ITEMS` posts, newest first."""
        return self.listed_posts(account, now=now)[:FEED_ITEMS]

    # ----------------------------------------------------------------- accounts

    def account(self, key: str) -> SimAccount:
        """The account with this key (``wechat_mp-0001``); KeyError if there is none."""
        return self.by_key[key]

    def find(self, kind: str, *, value: str) -> SimAccount | None:
        """The account whose ``kind`` id is ``value``.

        ``kind`` is ``wechat_mp`` (AppID), ``weibo`` (uid), ``douyin`` (open_id),
        ``douyin_client_key`` or ``douyin_refresh`` (the refresh token it was given).
        """
        return self._by_source.get((kind, value))

    def credentials(self, key: str) -> dict[str, str]:
        """The account's platform ids and secrets, as an officer would store them.

        WeChat: ``appid``, ``app_secret``; Weibo: ``uid``, ``access_token``; Douyin:
        ``open_id``, ``client_key``, ``client_secret``, ``refresh_token``; feeds: none.
        """
        return dict(self.by_key[key].credentials)

    def now(self) -> int:
        """The clock's current instant in epoch seconds."""
        return _epoch(self.clock())

    # -------------------------------------------------------------- register

    def register_rows(self, base_url: str) -> list[dict[str, str]]:
        """The account register, with API accounts and feeds pointing at ``base_url``."""
        base = base_url.rstrip("/")
        rows: list[dict[str, str]] = []
        for account in self.accounts:
            if account.served == "rss":
                source, api_base = f"{base}/rss/{account.key}", ""
            else:
                source, api_base = account.source_id, base
            rows.append(
                {
                    "name": account.name,
                    "platform": account.platform,
                    "unit": account.unit,
                    "status": account.status,
                    "source": source,
                    "api_base": api_base,
                    "owner": account.owner,
                    "note": f"sim:{account.key}",
                }
            )
        return rows

    # ----------------------------------------------------------------- posts

    def posts(self, account: SimAccount, *, now: int) -> tuple[SimPost, ...]:
        """Every post published up to ``now`` since history start, oldest first.

        Deleted posts are included (check :meth:`SimPost.deleted`); the platform views
        decide whether to list them.
        """
        slot_s = account.slot_s
        last_slot = (now - _EPOCH - account.phase_s) // slot_s
        with self._schedule_lock:
            cached = self._schedule.get(account.index)
        if cached is None or cached[0] < last_slot:
            first_slot = (self.history_start - _EPOCH - account.phase_s) // slot_s
            start = first_slot if cached is None else cached[0] + 1
            extra = tuple(
                post for slot in range(start, last_slot + 1) if (post := self._generate.post(account, slot)) is not None
            )
            built = (cached[1] if cached is not None else ()) + extra
            cached = (last_slot, built)
            with self._schedule_lock:
                self._schedule[account.index] = cached
        posts = cached[1]
        with self._schedule_lock:
            injected = self._injected.get(account.index, ())
        if injected:
            posts = tuple(sorted((*posts, *injected), key=lambda post: (post.published, post.slot)))
        if posts and posts[-1].published > now:
            return tuple(post for post in posts if post.published <= now)
        return posts

    def inject(
        self, key: str, *, sensitive: Sequence[str], now: int | None = None, words: tuple[str, str] | None = None
    ) -> SimPost:
        """Publish one more post on account ``key`` at ``now`` (default: the clock) carrying the given
        sensitive kinds (``content.SENSITIVE_KINDS``: ``id_number``, ``mobile``, ``secret_mark`` …),
        or with ``words`` (title, body) published exactly as given (hostile text for tests); the
        body is also the post's first comment.

        KeyError for an unknown account, ValueError for an unknown kind. Used by the demo and tests
        to make a live finding appear on an account the desk already reads.
        """
        account = self.by_key[key]
        unknown = [kind for kind in sensitive if kind not in SENSITIVE_KINDS]
        if unknown:
            raise ValueError(f"unknown sensitive kinds {unknown}; choose from {', '.join(SENSITIVE_KINDS)}")
        published = self.now() if now is None else now
        with self._schedule_lock:
            existing = self._injected.get(account.index, ())
            slot = INJECTED_SLOTS + len(existing)
            post = self._generate.injected_post(account, slot=slot, published=published, sensitive=tuple(sensitive), words=words)
            self._injected[account.index] = (*existing, post)
        return post

    def listed_posts(self, account: SimAccount, *, now: int) -> list[SimPost]:
        """What the platform lists, newest first.

        WeChat and Weibo keep deleted posts in the list with a deletion flag; Douyin
        and feeds drop them. A Douyin account that pins its oldest video lists it first.
        """
        posts = self.posts(account, now=now)
        keep_deleted = account.served in ("wechat_mp", "weibo")
        listed = [post for post in reversed(posts) if keep_deleted or not post.deleted(now)]
        if account.pinned_oldest and listed:
            oldest = listed.pop()
            listed.insert(0, _pinned(oldest))
        return listed

    def find_post(self, account: SimAccount, *, post_id: str, now: int) -> SimPost | None:
        """The visible post with this platform id, or ``None``."""
        for post in self.posts(account, now=now):
            if post.post_id == post_id:
                return post
        return None

    def post_text(self, post: SimPost, *, now: int) -> PostText:
        """The post's words as of ``now`` (an edit adds an editor's note)."""
        account = self.accounts[post.account]
        key = ("text", account.index, post.slot, post.edited(now))
        cached = self._texts.get(key)
        if cached is None:
            cached = self._generate.post_text(account, post, now)
            self._texts.put(key, cached)
        assert isinstance(cached, PostText)
        return cached

    # -------------------------------------------------------------- comments

    def comments(self, post: SimPost, *, now: int) -> list[SimComment]:
        """Public comments on ``post`` created up to ``now``, oldest first.

        Feeds carry no comments. Accounts answer every comment 8-55 minutes after it
        arrives, except ``comments_unanswered`` accounts, which answer about 40% of them
        hours late and leave the rest unanswered for good. Replies appear only once their
        time has come.
        """
        account = self.accounts[post.account]
        if account.served not in COMMENT_PLATFORMS or post.deleted(now):
            return []
        if account.served == "douyin" and self.video_status(account, post) in UNSEEN_VIDEO_STATUSES:
            return []
        key = ("comments", account.index, post.slot)
        cached = self._texts.get(key)
        if cached is None:
            cached = tuple(self._generate.comments(account, post))
            self._texts.put(key, cached)
        assert isinstance(cached, tuple)
        return [comment for comment in cached if comment.created <= now]

    # ----------------------------------------------------------------- truth

    def truth(self, now: datetime | None = None, *, comment_window_days: int = 30) -> list[dict[str, object]]:
        """Per account, what the desk should conclude as of ``now`` (default: the clock).

        Post counts follow the parsers: one post per WeChat article; deleted posts, Douyin
        videos the public cannot see and undated feed items excluded; feed items dated as a
        careful reader first polling at ``now`` dates them (:meth:`feed_date`: a date labelled
        in the future counts as ``now``; a Chinese date to the minute). The active content
        switches (:class:`ContentKind`) are always taken into account. Comment counts cover posts published within ``comment_window_days``.
        ``unanswered_comments``, ``overdue_ack`` and ``overdue_result`` count what the
        platform lets a reader see: Douyin's comment list does not say whether the
        account answered, so there every comment counts as unanswered
        (``reply_state_visible`` is false and ``unanswered_comments_actual`` has the truth).
        """
        at = self.now() if now is None else _epoch(now)
        return truth_rows(self, at, comment_window_days=comment_window_days)

    def truth_items(
        self,
        now: datetime | None = None,
        *,
        post_horizon_days: int = POST_HORIZON_DAYS,
        comment_window_days: int = COMMENT_HORIZON_DAYS,
    ) -> list[dict[str, object]]:
        """Per account, the external ids of every post and comment a desk polling at ``now``
        (aware; default: the clock) must store, as the desk's connectors derive them.

        One row per account::

            {"key": "weibo-0002", "served_as": "weibo",
             "posts": [ID, ...],           # every post to store, oldest first
             "posts_hashed": N,            # feeds: further items the desk ids by content hash
             "deleted_posts": [ID, ...],   # of "posts": listed with a deletion flag
             "hidden_posts": [ID, ...],    # of "posts": stored, not shown to the public (Douyin)
             "estimated_posts": [ID, ...], # of "posts": undated feed items (estimated, not counted)
             "comments": [ID, ...]}        # public comments, oldest first

        Ids: WeChat ``ARTICLE_ID:N`` per article (N from 1) and ``ARTICLE_ID:1:NUMBER`` for a
        comment (comments sit on a message's first article); Weibo ``idstr`` (the account's
        own replies are not comments); Douyin ``item_id`` and ``comment_id``; feeds the
        ``<guid>``. A feed item without a guid, or with the placeholder ``N/A``, gets an id
        the desk hashes from its link, title and date: such items are only counted, in
        ``posts_hashed`` (and, when undated, not listed in ``estimated_posts`` either).

        Horizons: API platforms list posts published within ``post_horizon_days`` (the
        connectors' ``POST_HORIZON``; a first poll reads further back, so a desk may hold
        older posts too); a feed lists every item it serves (the newest
        :data:`FEED_ITEMS`), whatever its age. Comments are those on posts of the last
        ``comment_window_days`` that are not deleted.
        """
        at = self.now() if now is None else _epoch(now)
        return truth_item_rows(
            self, at, post_horizon_days=post_horizon_days, comment_window_days=comment_window_days
        )
