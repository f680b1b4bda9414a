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
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from jb_watchdesk.domain import rules
from jb_watchdesk.simulator import content

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
WEEK_S: Final = 7 * 86_400
# Monday 2020-01-06 00:00 Asia/Shanghai: slots are counted from here so they never move.
_EPOCH: Final = 1_578_240_000
HISTORY_DAYS: Final = 60
#: How far back the desk's connectors must read posts (``connectors/fetching.POST_HORIZON``;
#: a test checks the two agree). The first poll reads further (30 days, for comments).
POST_HORIZON_DAYS: Final = 21
#: Comments are read on posts this recent (``connectors/fetching.COMMENT_HORIZON``).
COMMENT_HORIZON_DAYS: Final = 30
#: Items a feed serves: the newest N, as RSSHub's default ``limit`` does.
FEED_ITEMS: Final = 30
#: Beijing time is UTC+8 all year (no daylight saving since 1991).
BEIJING_OFFSET_S: Final = 8 * 3_600
#: Douyin ``video_status`` values that show a video to the public (1 before the 2024-11 split, 5 after).
PUBLIC_VIDEO_STATUSES: Final = frozenset({1, 5})
#: Statuses under which nobody but the author sees a video, so nobody can comment on it:
#: 2 not fit for the public, 4 under review, 7 private (6, friends only, keeps its comments).
UNSEEN_VIDEO_STATUSES: Final = frozenset({2, 4, 7})
# The ``video_status`` cycle of an account under the video_status switch, by slot: every
# status appears in any 8 consecutive videos, public ones in 3 of them.
_VIDEO_STATUS_CYCLE: Final = (5, 2, 1, 4, 6, 5, 7, 6)
DEFAULT_TOKEN_TTL_S: Final = 7_200
DEFAULT_QUOTA_PER_DAY: Final = 100_000
# Douyin refresh tokens live 30 days on the real platform.
REFRESH_TOKEN_TTL_S: Final = 30 * 86_400
MAX_ACCOUNTS: Final = 9_999
TEXT_CACHE_ENTRIES: Final = 100_000

SERVED_PLATFORMS: Final = ("wechat_mp", "weibo", "douyin", "rss")
FEED_PLATFORMS: Final = ("kuaishou", "toutiao", "weishi", "shangyou", "website", "rss")
COMMENT_PLATFORMS: Final = frozenset({"wechat_mp", "weibo", "douyin"})

_FEED_LINKS: Final[dict[str, str]] = {
    "kuaishou": "https://www.kuaishou.com/short-video/3x{h}",
    "toutiao": "https://www.toutiao.com/article/7{n}/",
    "weishi": "https://h5.weishi.qq.com/weishi/feed/{h}",
    "shangyou": "https://www.cqcb.com/shangyou/{n}.html",
    "website": "https://www.jbq.example.gov.cn/zwdt/{n}.html",
    "rss": "https://news.jbq.example.gov.cn/{n}.html",
}


class Behaviour(StrEnum):
    """What an account does, which the desk should notice."""

    REGULAR = "regular"  # 4-10 posts a week
    SPARSE = "sparse"  # 1-2 posts a week: freshness warning
    SILENT_8D = "silent_8d"  # last post 8-13 days ago: warning
    SILENT_20D = "silent_20d"  # last post 15-30 days ago: veto
    CLOSED_POSTING = "closed_posting"  # register says closed / to_close, but it still posts
    SENSITIVE = "sensitive"  # some posts carry personal data or forbidden phrases
    COMMENTS_UNANSWERED = "comments_unanswered"  # many public comments never answered


BEHAVIOUR_PATTERN: Final[tuple[Behaviour, ...]] = (
    Behaviour.REGULAR,
    Behaviour.SPARSE,
    Behaviour.REGULAR,
    Behaviour.SILENT_8D,
    Behaviour.SILENT_20D,
    Behaviour.REGULAR,
    Behaviour.CLOSED_POSTING,
    Behaviour.SENSITIVE,
    Behaviour.COMMENTS_UNANSWERED,
)


def stable_hash(*parts: object) -> int:
    """A 64-bit hash of ``parts`` that is the same in every process (unlike ``hash()``)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def stable_unit(*parts: object) -> float:
    """A deterministic number in [0, 1) derived from ``parts``."""
    return stable_hash(*parts) / 2.0**64


def _token_chars(*parts: object, length: int, alphabet: str) -> str:
    digest = hashlib.shake_256("\x1f".join(map(str, parts)).encode("utf-8")).digest(length)
    return "".join(alphabet[byte % len(alphabet)] for byte in digest)


_HEX: Final = "0123456789abcdef"
_ALNUM: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _b64(*parts: object, nbytes: int) -> str:
    return base64.b64encode(hashlib.shake_256("\x1f".join(map(str, parts)).encode()).digest(nbytes)).decode()


def _urlsafe(*parts: object, nbytes: int) -> str:
    return base64.urlsafe_b64encode(hashlib.shake_256("\x1f".join(map(str, parts)).encode()).digest(nbytes)).decode()


class ContentKind(StrEnum):
    """Content switches: what real platforms and CMSs send that a careful reader must survive.

    Feeds (RSS 2.0 items, https://www.rssboard.org/rss-specification):

    - ``guid_repeat``: every even-slot item carries ``<guid>N/A</guid>`` and the channel's
      home page as its link (a CMS with no ids): several items share one guid and one link.
    - ``future_dates``: ``pubDate`` is Beijing wall-clock time labelled ``GMT``, so every
      item looks 8 hours later than it was published (the newest ones in the future).
    - ``undated``: odd-slot items have no ``pubDate`` at all.
    - ``cn_dates``: ``pubDate`` rotates by slot between ``2026年11月25日 星期三 08:00``
      (Beijing time, no zone, minute precision), epoch seconds and epoch milliseconds.
    - ``bad_byte``: the newest item's description loses the last byte of one multi-byte
      character, the last of its first paragraph (a CMS that cut text at a byte count):
      one undecodable byte sequence in an otherwise UTF-8 or GB18030 document.

    Every platform (feeds: item title or description; Weibo: status and comment text;
    WeChat and Douyin: comment text), on even-slot posts and odd-numbered comments:

    - ``surrogate``: half an emoji, a lone high surrogate U+D83D: ``&#xD83D;`` in XML,
      ``\\ud83d`` in JSON (both are what the wire carries; neither is valid text).
    - ``nonchar``: U+FFFE, a noncharacter (forbidden in XML 1.0; a byte-swapped BOM).

    Weibo (https://open.weibo.com/wiki/2/statuses/show):

    - ``long_text``: even-slot statuses are longer than 140 characters; the timeline sends
      ``isLongText: true`` and the first 137 characters followed by ``... 全文：URL``; the full
      text comes from ``2/statuses/show.json?id=ID&isGetLongText=1`` as
      ``longText.longTextContent``.

    Douyin (video/list ``video_status``, notice of 2024-11-15,
    https://developer.open-douyin.com/forum/bulletin/post/6736c38048f043667b75f70a):

    - ``video_status``: statuses cycle by slot through 5, 2, 1, 4, 6, 5, 7, 6 (1/5 public,
      2 not fit for the public, 4 under review, 6 friends only, 7 private); only 1 and 5
      count as posts, and videos under 2, 4 and 7 get no comments (nobody else sees them).
    """

    GUID_REPEAT = "guid_repeat"
    FUTURE_DATES = "future_dates"
    UNDATED = "undated"
    CN_DATES = "cn_dates"
    BAD_BYTE = "bad_byte"
    SURROGATE = "surrogate"
    NONCHAR = "nonchar"
    LONG_TEXT = "long_text"
    VIDEO_STATUS = "video_status"


#: the served platforms each switch can change; elsewhere a switch does nothing
CONTENT_PLATFORMS: Final[dict[ContentKind, frozenset[str]]] = {
    ContentKind.GUID_REPEAT: frozenset({"rss"}),
    ContentKind.FUTURE_DATES: frozenset({"rss"}),
    ContentKind.UNDATED: frozenset({"rss"}),
    ContentKind.CN_DATES: frozenset({"rss"}),
    ContentKind.BAD_BYTE: frozenset({"rss"}),
    ContentKind.SURROGATE: frozenset({"rss", "weibo", "wechat_mp", "douyin"}),
    ContentKind.NONCHAR: frozenset({"rss", "weibo", "wechat_mp", "douyin"}),
    ContentKind.LONG_TEXT: frozenset({"weibo"}),
    ContentKind.VIDEO_STATUS: frozenset({"douyin"}),
}
#: the placeholder guid of ``guid_repeat`` items
PLACEHOLDER_GUID: Final = "N/A"
LONE_SURROGATE: Final = "\ud83d"
NONCHARACTER: Final = "\ufffe"


@dataclass(frozen=True, slots=True)
class ContentSwitch:
    """One content switch: ``kind`` for the account or platform ``target`` (``None``: all),
    on a ``rate`` percent share of those accounts."""

    kind: ContentKind
    target: str | None = None
    rate: float = 100.0


@dataclass(frozen=True, slots=True)
class ContentMenu:
    """The active content switches. Which accounts a ``%rate`` switch picks is fixed per
    (seed, kind, account), so a share stays the same accounts across requests and a larger
    share of the same kind contains a smaller one."""

    switches: tuple[ContentSwitch, ...] = ()
    seed: int = 0

    def on(self, kind: ContentKind, account: SimAccount) -> bool:
        """Whether ``kind`` changes what ``account`` serves."""
        if account.served not in CONTENT_PLATFORMS[kind]:
            return False
        names = (account.key, account.served, account.platform)
        for switch in self.switches:
            if switch.kind is not kind or (switch.target is not None and switch.target not in names):
                continue
            if switch.rate >= 100.0 or stable_unit(self.seed, "content", kind.value, account.key) * 100.0 < switch.rate:
                return True
        return False


@dataclass(frozen=True, slots=True)
class FeedDate:
    """A feed item's date: ``text`` as written in ``<pubDate>`` (``None``: no date element) and
    ``seen``, epoch seconds, when a careful reader that first reads the feed at ``now`` dates it
    (``None``: it cannot; the item is stored with an estimated date and not counted)."""

    text: str | None
    seen: int | None


@dataclass(frozen=True, slots=True, eq=False)
class SimAccount:
    """One simulated account, as the register lists it and as the platform serves it."""

    index: int
    key: str
    name: str
    platform: str  # the register's platform code
    served: str  # how it is served: wechat_mp, weibo, douyin or rss
    unit: str
    brand: str
    status: str
    owner: str
    behaviour: Behaviour
    posts_per_week: int
    phase_s: int
    silent_since: int | None  # epoch seconds; no post at or after this instant
    gb18030: bool
    omit_guid: bool
    pinned_oldest: bool
    string_error_codes: bool
    credentials: Mapping[str, str] = field(repr=False)

    @property
    def slot_s(self) -> int:
        """The length of one posting slot in seconds."""
        return WEEK_S // self.posts_per_week

    @property
    def source_id(self) -> str:
        """The platform id the register's ``source`` column carries for API platforms."""
        if self.served == "wechat_mp":
            return self.credentials["appid"]
        if self.served == "weibo":
            return self.credentials["uid"]
        if self.served == "douyin":
            return self.credentials["open_id"]
        return ""


@dataclass(frozen=True, slots=True)
class SimPost:
    """One published message. Times are epoch seconds; text is generated on demand."""

    account: int
    slot: int
    published: int
    post_id: str
    articles: int
    sensitive: tuple[str, ...]
    edited_at: int | None
    deleted_at: int | None
    pinned: bool = False

    def deleted(self, now: int) -> bool:
        """Whether the post has been removed as of ``now``."""
        return self.deleted_at is not None and self.deleted_at <= now

    def edited(self, now: int) -> bool:
        """Whether the post has been edited as of ``now``."""
        return self.edited_at is not None and self.edited_at <= now

    def updated(self, now: int) -> int:
        """The last change visible at ``now``: publication, edit or deletion."""
        latest = self.published
        for moment in (self.edited_at, self.deleted_at):
            if moment is not None and moment <= now:
                latest = max(latest, moment)
        return latest


@dataclass(frozen=True, slots=True)
class PostText:
    """The generated words of a post: headline, body sentences and further article titles."""

    title: str
    sentences: tuple[str, ...]
    extra_titles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SimComment:
    """A public comment on a post and, perhaps, the account's answer."""

    comment_id: str
    number: int  # 1-based position under the post, WeChat's user_comment_id
    post_id: str
    author_id: str
    author_name: str
    text: str
    created: int
    elected: bool
    reply_id: str | None
    reply_text: str | None
    replied: int | None

    def replied_by(self, now: int) -> bool:
        """Whether the answer exists as of ``now``."""
        return self.replied is not None and self.replied <= now


def _default_clock() -> datetime:
    return datetime.now(UTC)


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the simulator's clock must return timezone-aware datetimes")
    return int(moment.timestamp())


def to_datetime(epoch: int) -> datetime:
    """Epoch seconds as an aware Asia/Shanghai datetime."""
    return datetime.fromtimestamp(epoch, SHANGHAI)


class _Lru:
    """A small thread-safe least-recently-used cache for generated text.

    Generating a post's words costs tens of microseconds; a poll cycle over a thousand
    accounts asks for tens of thousands of them, mostly the same ones as last cycle.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> object | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[object, ...], value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass(slots=True)
class _Token:
    account: int
    kind: str
    expires: int


class TokenBook:
    """Access and refresh tokens issued by the simulated platforms.

    Tokens are deterministic (seed, account, issue counter) so a run can be replayed.
    """

    def __init__(self, *, seed: int, ttl_s: int) -> None:
        self._seed = seed
        self.ttl_s = ttl_s
        self._tokens: dict[str, _Token] = {}
        self._current: dict[tuple[int, str], str] = {}
        self._counter = 0
        self._lock = threading.Lock()

    def issue(self, account: SimAccount, *, kind: str, now: int, reuse: bool = False) -> tuple[str, int]:
        """A token of ``kind`` for ``account`` and its remaining lifetime in seconds.

        With ``reuse`` a still-valid token is handed out again, as WeChat's stable_token
        does without ``force_refresh``.
        """
        with self._lock:
            current = self._current.get((account.index, kind))
            if reuse and current is not None:
                record = self._tokens[current]
                if record.expires > now:
                    return current, record.expires - now
            self._counter += 1
            token = self._make(account, kind)
            self._tokens[token] = _Token(account.index, kind, now + self.ttl_s)
            self._current[(account.index, kind)] = token
            return token, self.ttl_s

    def _make(self, account: SimAccount, kind: str) -> str:
        body = _token_chars(self._seed, account.key, kind, self._counter, length=64, alphabet=_ALNUM)
        if kind == "wechat":
            return f"81_{body}"
        if kind == "douyin":
            return f"act.{body}"
        if kind == "douyin_client":
            return f"clt.{body}"
        return body

    def check(self, token: str, *, kind: str, now: int) -> tuple[int | None, str]:
        """The account index a token belongs to and ``ok``, ``expired`` or ``unknown``."""
        with self._lock:
            record = self._tokens.get(token)
        if record is None or record.kind != kind:
            return None, "unknown"
        if record.expires <= now:
            return record.account, "expired"
        return record.account, "ok"


class QuotaBook:
    """API calls per account per Asia/Shanghai day, against a daily limit."""

    def __init__(self, *, per_day: int) -> None:
        self.per_day = per_day
        self._used: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()

    def spend(self, account: SimAccount, *, now: int) -> bool:
        """Count one call; ``False`` once the day's quota is used up."""
        day = to_datetime(now).date().isoformat()
        with self._lock:
            used = self._used.get((account.index, day), 0)
            if used >= self.per_day:
                return False
            self._used[(account.index, day)] = used + 1
            return True


class World:
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
        self.tokens = TokenBook(seed=seed, ttl_s=token_ttl_s)
        self.quotas = QuotaBook(per_day=quota_per_day)
        self.accounts: tuple[SimAccount, ...] = self._build_accounts(accounts)
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

    def set_content(self, switches: Iterable[ContentSwitch]) -> None:
        """Replace the active content switches (none: every platform says plain things).

        One assignment of an immutable menu, so a request or ``truth()`` running in another
        thread sees either the old menu or the new one, never a mix.
        """
        self.content = ContentMenu(switches=tuple(switches), seed=self.seed)

    def content_on(self, kind: ContentKind, account: SimAccount) -> bool:
        """Whether content switch ``kind`` is on for ``account``."""
        return self.content.on(kind, account)

    def feed_items(self, account: SimAccount, *, now: int) -> list[SimPost]:
        """What the account's feed serves at ``now``: the newest :data:`FEED_ITEMS` posts, newest first."""
        return self.listed_posts(account, now=now)[:FEED_ITEMS]

    def feed_guid(self, account: SimAccount, post: SimPost) -> str | None:
        """The ``<guid>`` of a feed item: the post id, :data:`PLACEHOLDER_GUID`, or ``None`` (no element)."""
        if self.content_on(ContentKind.GUID_REPEAT, account) and post.slot % 2 == 0:
            return PLACEHOLDER_GUID
        if account.omit_guid and post.slot % 3 == 0:
            return None
        return post.post_id

    def feed_date(self, account: SimAccount, post: SimPost, *, now: int) -> FeedDate:
        """The ``<pubDate>`` of a feed item and when a careful reader dates it (see :class:`FeedDate`).

        Precedence when several date switches are on: ``undated``, then ``cn_dates``, then
        ``future_dates``. A date labelled later than ``now`` is dated ``now`` by the reader
        (a post cannot be published after it is first seen), which is what ``seen`` gives for
        a reader whose first poll is at ``now``; one that read the feed earlier dated those
        items at that earlier poll.
        """
        published = post.published
        if self.content_on(ContentKind.UNDATED, account) and post.slot % 2 == 1:
            return FeedDate(None, None)
        local = to_datetime(published)
        if self.content_on(ContentKind.CN_DATES, account):
            form = post.slot % 3
            if form == 0:
                weekday = "一二三四五六日"[local.weekday()]
                text = f"{local.year}年{local.month}月{local.day}日 星期{weekday} {local:%H:%M}"
                return FeedDate(text, published - published % 60)  # the form has no seconds
            if form == 1:
                return FeedDate(str(published), published)
            return FeedDate(str(published * 1000), published)
        if self.content_on(ContentKind.FUTURE_DATES, account):
            # Beijing wall-clock time with a GMT label: the instant named is 8 hours later.
            return FeedDate(f"{local:%a, %d %b %Y %H:%M:%S} GMT", min(published + BEIJING_OFFSET_S, now))
        return FeedDate(email.utils.format_datetime(local), published)

    def video_status(self, account: SimAccount, post: SimPost) -> int:
        """The Douyin ``video_status`` of a video: 1 (published) unless ``video_status`` is on."""
        if self.content_on(ContentKind.VIDEO_STATUS, account):
            return _VIDEO_STATUS_CYCLE[post.slot % len(_VIDEO_STATUS_CYCLE)]
        return 1

    def weibo_long(self, account: SimAccount, post: SimPost) -> bool:
        """Whether a Weibo status is a long post (``long_text`` on, even slot)."""
        return self.content_on(ContentKind.LONG_TEXT, account) and post.slot % 2 == 0

    def hostile_post(self, account: SimAccount, post: SimPost) -> str:
        """What the ``surrogate`` and ``nonchar`` switches add to a post's text ("" when none)."""
        return self._hostile(account) if post.slot % 2 == 0 else ""

    def hostile_comment(self, account: SimAccount, comment: SimComment) -> str:
        """What the ``surrogate`` and ``nonchar`` switches add to a comment's text ("" when none)."""
        return self._hostile(account) if comment.number % 2 == 1 else ""

    def _hostile(self, account: SimAccount) -> str:
        added = ""
        if self.content_on(ContentKind.SURROGATE, account):
            added += LONE_SURROGATE
        if self.content_on(ContentKind.NONCHAR, account):
            added += NONCHARACTER
        return added

    def desk_time(self, account: SimAccount, post: SimPost, *, now: int) -> int | None:
        """When a careful reader first polling at ``now`` dates ``post`` as a counted post, or
        ``None`` when it does not count: deleted, not shown to the public (Douyin), or undated."""
        if post.deleted(now):
            return None
        if account.served == "douyin" and self.video_status(account, post) not in PUBLIC_VIDEO_STATUSES:
            return None
        if account.served == "rss":
            return self.feed_date(account, post, now=now).seen
        return post.published

    # ----------------------------------------------------------------- accounts

    def _build_accounts(self, count: int) -> tuple[SimAccount, ...]:
        rng = random.Random(stable_hash(self.seed, "names"))
        names: dict[str, list[tuple[int, int]]] = {}
        for served, suffixes in content.NAME_SUFFIXES.items():
            combos = [(u, s) for u in range(len(content.UNITS)) for s in range(len(suffixes))]
            rng.shuffle(combos)
            names[served] = combos
        numbers = dict.fromkeys(SERVED_PLATFORMS, 0)
        used_names: dict[str, set[str]] = {p: set() for p in SERVED_PLATFORMS}
        built: list[SimAccount] = []
        for index in range(count):
            served = SERVED_PLATFORMS[index % 4]
            numbers[served] += 1
            number = numbers[served]
            key = f"{served}-{number:04d}"
            combos = names[served]
            unit_index, suffix_index = combos[(number - 1) % len(combos)]
            unit, brand = content.UNITS[unit_index]
            name = brand + content.NAME_SUFFIXES[served][suffix_index]
            if name in used_names[served]:
                name = f"{name}{(number - 1) // len(combos) + 1}"
            used_names[served].add(name)
            behaviour = BEHAVIOUR_PATTERN[index % len(BEHAVIOUR_PATTERN)]
            built.append(self._account(index, key, number, served, name, unit, brand, behaviour))
        return tuple(built)

    def _account(
        self,
        index: int,
        key: str,
        number: int,
        served: str,
        name: str,
        unit: str,
        brand: str,
        behaviour: Behaviour,
    ) -> SimAccount:
        seed = self.seed
        h = stable_hash(seed, key, "account")
        if behaviour is Behaviour.SPARSE:
            per_week = 1 + h % 2
        elif behaviour in (Behaviour.SILENT_8D, Behaviour.SILENT_20D):
            per_week = 4 + h % 5
        else:
            per_week = 4 + h % 7
        # The last post falls within one slot (at most 1.75 days) before the cut-off, so
        # the cut-off ranges are narrower than the silences they produce: 8-13 days and
        # 15-30 days of silence throughout the anchor day.
        silent_since: int | None = None
        fraction = stable_unit(seed, key, "silence")
        if behaviour is Behaviour.SILENT_8D:
            silent_since = self.anchor - int((8.0 + 3.2 * fraction) * 86_400)
        elif behaviour is Behaviour.SILENT_20D:
            silent_since = self.anchor - int((15.0 + 12.0 * fraction) * 86_400)
        status = "active"
        if behaviour is Behaviour.CLOSED_POSTING:
            status = "closed" if number % 2 else "to_close"
        platform = FEED_PLATFORMS[(index // 4) % len(FEED_PLATFORMS)] if served == "rss" else served
        owner = content.person_name(random.Random(stable_hash(seed, key, "owner")))
        return SimAccount(
            index=index,
            key=key,
            name=name,
            platform=platform,
            served=served,
            unit=unit,
            brand=brand,
            status=status,
            owner=owner,
            behaviour=behaviour,
            posts_per_week=per_week,
            phase_s=(h >> 24) % (WEEK_S // per_week),
            silent_since=silent_since,
            gb18030=served == "rss" and number % 7 == 3,
            omit_guid=served == "rss" and number % 5 == 2,
            pinned_oldest=served == "douyin" and number % 6 == 1,
            string_error_codes=number % 2 == 1,
            credentials=self._credentials(index, key, served),
        )

    def _credentials(self, index: int, key: str, served: str) -> dict[str, str]:
        seed = self.seed
        if served == "wechat_mp":
            return {
                "appid": "wx" + _token_chars(seed, key, "appid", length=16, alphabet=_HEX),
                "app_secret": _token_chars(seed, key, "secret", length=32, alphabet=_HEX),
            }
        if served == "weibo":
            # Disjoint ranges per index keep uids unique without a collision check.
            uid = 5_000_000_000 + index * 1_000_003 + stable_hash(seed, key, "uid") % 1_000_000
            return {
                "uid": str(uid),
                "access_token": "2.00" + _token_chars(seed, key, "weibo-token", length=28, alphabet=_ALNUM),
            }
        if served == "douyin":
            raw = _token_chars(seed, key, "open_id", length=32, alphabet=_HEX)
            open_id = f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:32]}"
            return {
                "open_id": open_id,
                "client_key": "aw" + _token_chars(seed, key, "client_key", length=14, alphabet=_HEX[:10] + "abcdefghijklmnopqrstuvwxyz"),
                "client_secret": _token_chars(seed, key, "client_secret", length=32, alphabet=_HEX),
                "refresh_token": "rft." + _token_chars(seed, key, "refresh", length=40, alphabet=_ALNUM),
            }
        return {}

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
                post for slot in range(start, last_slot + 1) if (post := self._post(account, slot)) is not None
            )
            built = (cached[1] if cached is not None else ()) + extra
            cached = (last_slot, built)
            with self._schedule_lock:
                self._schedule[account.index] = cached
        posts = cached[1]
        if posts and posts[-1].published > now:
            return tuple(post for post in posts if post.published <= now)
        return posts

    def _post(self, account: SimAccount, slot: int) -> SimPost | None:
        slot_s = account.slot_s
        start = _EPOCH + account.phase_s + slot * slot_s
        if account.behaviour is Behaviour.SPARSE:
            # The same offset in every slot keeps exactly 1-2 posts in any 7-day window.
            fraction = 0.15 + 0.7 * stable_unit(self.seed, account.key, "offset")
        else:
            fraction = 0.15 + 0.7 * stable_unit(self.seed, account.key, slot, "offset")
        published = start + int(slot_s * fraction)
        if published < self.history_start:
            return None
        if account.silent_since is not None and published >= account.silent_since:
            return None
        h = stable_hash(self.seed, account.key, slot, "post")
        articles = 1
        if account.served == "wechat_mp" and account.behaviour is Behaviour.REGULAR and h % 5 == 0:
            articles = 2 + (h >> 4) % 2
        sensitive: tuple[str, ...] = ()
        if account.behaviour is Behaviour.SENSITIVE and (h >> 8) % 5 < 2:
            kinds = content.SENSITIVE_KINDS
            first = kinds[(h >> 12) % len(kinds)]
            second = kinds[(h >> 20) % len(kinds)]
            sensitive = (first,) if (h >> 28) % 2 or first == second else (first, second)
        edited_at = published + 2 * 3_600 if (slot + h) % 25 == 0 else None
        # At most one deletion per 20 slots, and only where 6+ posts a week leave room,
        # so a deletion never pushes a regular account under three posts in a week.
        deletable = account.posts_per_week >= 6 and account.behaviour is not Behaviour.SPARSE
        deleted_at = published + 3 * 3_600 if deletable and slot % 20 == h % 20 and (h >> 32) % 2 else None
        return SimPost(
            account=account.index,
            slot=slot,
            published=published,
            post_id=self._post_id(account, slot, published),
            articles=articles,
            sensitive=sensitive,
            edited_at=edited_at,
            deleted_at=deleted_at,
        )

    def _post_id(self, account: SimAccount, slot: int, published: int) -> str:
        if account.served == "wechat_mp":
            return _urlsafe(self.seed, account.key, slot, "article", nbytes=24)
        if account.served == "weibo":
            # Above 2**53 and increasing with time, as Weibo's ids are.
            return str(4_900_000_000_000_000_000 + published * 1_000_000 + account.index * 100 + slot % 100)
        if account.served == "douyin":
            return "@9VxS1/qCUc80K2etd8wkU" + _b64(self.seed, account.key, slot, "item", nbytes=49)
        return f"jb-sim-{account.key}-{slot}"

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
            cached = self._post_text(account, post, now)
            self._texts.put(key, cached)
        assert isinstance(cached, PostText)
        return cached

    def _post_text(self, account: SimAccount, post: SimPost, now: int) -> PostText:
        rng = random.Random(stable_hash(self.seed, account.key, post.slot, "text"))
        title = content.post_title(rng, brand=account.brand)
        sentences = content.post_sentences(rng, unit=account.unit, count=rng.randint(2, 4))
        for kind in post.sensitive:
            sentences.insert(rng.randint(0, len(sentences)), content.sensitive_sentence(kind, rng=rng))
        if post.edited(now) and post.edited_at is not None:
            stamp = to_datetime(post.edited_at).strftime("%m月%d日%H:%M")
            sentences.append(f"（编者注：本文已于{stamp}更新相关信息。）")
        extra = tuple(content.post_title(rng, brand=account.brand) for _ in range(post.articles - 1))
        return PostText(title=title, sentences=tuple(sentences), extra_titles=extra)

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
            cached = tuple(self._all_comments(account, post))
            self._texts.put(key, cached)
        assert isinstance(cached, tuple)
        return [comment for comment in cached if comment.created <= now]

    def _all_comments(self, account: SimAccount, post: SimPost) -> list[SimComment]:
        rng = random.Random(stable_hash(self.seed, account.key, post.slot, "comments"))
        roll = rng.random()
        count = 0 if roll < 0.3 else 1 if roll < 0.6 else 2 if roll < 0.8 else 3 if roll < 0.93 else 4
        found: list[SimComment] = []
        created = post.published
        for number in range(1, count + 1):
            created += rng.randint(300, 6 * 3_600)
            text = content.comment_text(rng)
            replied: int | None
            if account.behaviour is Behaviour.COMMENTS_UNANSWERED:
                replied = created + rng.randint(2 * 3_600, 30 * 3_600) if rng.random() < 0.4 else None
            else:
                replied = created + rng.randint(8 * 60, 55 * 60)
            answer = content.reply_text(rng, unit=account.unit) if replied is not None else None
            author = content.netizen_name(rng)
            elected = rng.random() < 0.5
            found.append(
                SimComment(
                    comment_id=self._comment_id(account, post, number, created, reply=False),
                    number=number,
                    post_id=post.post_id,
                    author_id=self._author_id(account, author),
                    author_name=author,
                    text=text,
                    created=created,
                    elected=elected,
                    reply_id=self._comment_id(account, post, number, replied, reply=True) if replied else None,
                    reply_text=answer,
                    replied=replied,
                )
            )
        return found

    def _comment_id(self, account: SimAccount, post: SimPost, number: int, created: int, *, reply: bool) -> str:
        if account.served == "weibo":
            # Comment times under one post are strictly increasing, so (time, account,
            # post slot, reply bit) is unique; the id also grows with time, as Weibo's do.
            return str(
                4_600_000_000_000_000_000
                + created * 1_000_000
                + account.index * 100
                + (post.slot % 50) * 2
                + int(reply)
            )
        if account.served == "douyin":
            return "@9VxS1/qCUc80K2etd8wkU8" + _b64(self.seed, account.key, post.slot, number, reply, nbytes=46)
        return str(number)

    def _author_id(self, account: SimAccount, author: str) -> str:
        if account.served == "weibo":
            return str(7_000_000_000 + stable_hash(self.seed, author) % 1_000_000_000)
        if account.served == "douyin":
            return "@9VxS1/qCUc80K2etd8wkU8z9" + _b64(self.seed, author, "user", nbytes=40)
        return "o" + _urlsafe(self.seed, account.key, author, "openid", nbytes=20)[:27]

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
        moment = to_datetime(at)
        rows: list[dict[str, object]] = []
        window_start = at - comment_window_days * 86_400
        for account in self.accounts:
            posts = [post for post in self.posts(account, now=at) if not post.deleted(at)]
            counted = (self.desk_time(account, post, now=at) for post in posts)
            times = [to_datetime(seen) for post, seen in zip(posts, counted, strict=True) if seen is not None for _ in range(post.articles)]
            report = rules.freshness(times, now=moment, observed_since=None)
            visible_reply = account.served in ("wechat_mp", "weibo")
            total = unanswered = actual = overdue_ack = overdue_result = sensitive = 0
            for post in posts:
                if post.published < window_start:
                    continue
                if post.sensitive:
                    sensitive += 1
                for comment in self.comments(post, now=at):
                    total += 1
                    answered = comment.replied_by(at)
                    actual += not answered
                    if answered and visible_reply:
                        continue
                    unanswered += 1
                    if _result_overdue(comment.created, at):
                        overdue_result += 1
                    elif at - comment.created > rules.ACK_WITHIN.total_seconds():
                        overdue_ack += 1
            rows.append(
                {
                    "key": account.key,
                    "name": account.name,
                    "platform": account.platform,
                    "served_as": account.served,
                    "unit": account.unit,
                    "status": account.status,
                    "behaviour": account.behaviour.value,
                    "posts_per_week": account.posts_per_week,
                    "posts_7d": report.posts_7d,
                    "posts_this_week": report.posts_this_week,
                    "last_post_at": report.last_post_at.isoformat() if report.last_post_at else None,
                    "days_silent": report.days_silent,
                    "freshness": report.state.value,
                    "freshness_reasons": list(report.reasons),
                    "sensitive_posts": sensitive,
                    "comments": total,
                    "unanswered_comments": unanswered,
                    "unanswered_comments_actual": actual,
                    "overdue_ack": overdue_ack,
                    "overdue_result": overdue_result,
                    "reply_state_visible": visible_reply,
                }
            )
        return rows


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
        post_start = at - post_horizon_days * 86_400
        comment_start = at - comment_window_days * 86_400
        rows: list[dict[str, object]] = []
        for account in self.accounts:
            posts: list[str] = []
            deleted: list[str] = []
            hidden: list[str] = []
            estimated: list[str] = []
            comments: list[str] = []
            hashed = 0
            if account.served == "rss":
                for post in reversed(self.feed_items(account, now=at)):
                    guid = self.feed_guid(account, post)
                    if guid is None or guid == PLACEHOLDER_GUID:
                        hashed += 1
                        continue
                    posts.append(guid)
                    if self.feed_date(account, post, now=at).seen is None:
                        estimated.append(guid)
            else:
                for post in reversed(self.listed_posts(account, now=at)):
                    if post.published < post_start:
                        continue
                    ids = [post.post_id]
                    if account.served == "wechat_mp":
                        ids = [f"{post.post_id}:{n}" for n in range(1, post.articles + 1)]
                    posts.extend(ids)
                    if post.deleted(at):
                        deleted.extend(ids)
                    if account.served == "douyin" and self.video_status(account, post) not in PUBLIC_VIDEO_STATUSES:
                        hidden.extend(ids)
                for post in self.posts(account, now=at):
                    if post.published < comment_start or post.deleted(at):
                        continue
                    for comment in self.comments(post, now=at):
                        if account.served == "wechat_mp":
                            comments.append(f"{post.post_id}:1:{comment.number}")
                        else:
                            comments.append(comment.comment_id)
            rows.append(
                {
                    "key": account.key,
                    "served_as": account.served,
                    "posts": posts,
                    "posts_hashed": hashed,
                    "deleted_posts": deleted,
                    "hidden_posts": hidden,
                    "estimated_posts": estimated,
                    "comments": comments,
                }
            )
        return rows


def _result_overdue(created: int, now: int) -> bool:
    """Whether the 5-working-day result deadline of a comment has passed.

    Five working days are never less than 5 calendar days nor, even across the longest
    holiday, more than 20; the calendar is consulted only in between, which keeps
    ``truth()`` fast for a thousand accounts.
    """
    age = now - created
    if age <= 5 * 86_400:
        return False
    if age > 20 * 86_400:
        return True
    return to_datetime(now) > rules.result_deadline(to_datetime(created)).at


def _pinned(post: SimPost) -> SimPost:
    return SimPost(
        account=post.account,
        slot=post.slot,
        published=post.published,
        post_id=post.post_id,
        articles=post.articles,
        sensitive=post.sensitive,
        edited_at=post.edited_at,
        deleted_at=post.deleted_at,
        pinned=True,
    )


def feed_link(post: SimPost, *, account: SimAccount) -> str:
    """The public address of a feed item on its platform (never fetched)."""
    template = _FEED_LINKS.get(account.platform, _FEED_LINKS["rss"])
    return template.format(h=_token_chars(account.key, post.slot, length=12, alphabet=_HEX), n=post.published)

