"""The simulated world's records and fixed numbers: accounts, posts, comments and behaviours.

:class:`SimAccount`, :class:`SimPost`, :class:`PostText` and :class:`SimComment` are the
immutable records :class:`jb_watchdesk.simulator.world.World` hands out; :class:`Behaviour`
and :data:`BEHAVIOUR_PATTERN` say what each account does. Also here: the horizons, limits and
platform lists the world is built with, and epoch-seconds helpers in Asia/Shanghai time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

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
DEFAULT_TOKEN_TTL_S: Final = 7_200
DEFAULT_QUOTA_PER_DAY: Final = 100_000
# Douyin refresh tokens live 30 days on the real platform.
REFRESH_TOKEN_TTL_S: Final = 30 * 86_400
MAX_ACCOUNTS: Final = 9_999
TEXT_CACHE_ENTRIES: Final = 100_000

SERVED_PLATFORMS: Final = ("wechat_mp", "weibo", "douyin", "rss")
FEED_PLATFORMS: Final = ("kuaishou", "toutiao", "weishi", "shangyou", "website", "rss")
COMMENT_PLATFORMS: Final = frozenset({"wechat_mp", "weibo", "douyin"})


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
    words: tuple[str, str] | None = None
    """(title, body) given when the post was injected, published as given; None: generated."""

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
