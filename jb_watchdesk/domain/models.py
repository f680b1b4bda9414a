"""The duty room's vocabulary as frozen dataclasses and enums.

Every datetime here is timezone-aware. Storage keeps them as UTC ISO-8601 text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final


class Platform(StrEnum):
    WECHAT_MP = "wechat_mp"
    WEIBO = "weibo"
    DOUYIN = "douyin"
    KUAISHOU = "kuaishou"
    TOUTIAO = "toutiao"
    WEISHI = "weishi"
    SHANGYOU = "shangyou"
    RSS = "rss"
    WEBSITE = "website"

    @property
    def has_official_connector(self) -> bool:
        """Platforms with an official API; the others are polled through a feed URL."""
        return self in OFFICIAL_API_PLATFORMS


OFFICIAL_API_PLATFORMS = frozenset({Platform.WECHAT_MP, Platform.WEIBO, Platform.DOUYIN})


class AccountStatus(StrEnum):
    """Lifecycle of an account under the notice's §2.2–2.3."""

    ACTIVE = "active"
    TO_CLOSE = "to_close"
    CLOSED = "closed"


CONTENT_ID_PREFIX: Final = "sha256:"
"""Marks an item id the desk derived from the item's content (a feed item without a usable guid).

Such an id changes when the source later adds a guid or writes its date differently; storage
then recognises the item by its link and title instead (``storage.ingest``)."""


class Visibility(StrEnum):
    """Whether the platform shows a post to the public.

    Only public posts count toward the three a week (§3.3); a post the platform judged
    unfit for the public (Douyin ``video_status`` 2) is itself a finding. Douyin's
    ``video_status`` values, from the open platform notice of 2024-11-15
    (https://developer.open-douyin.com/forum/bulletin/post/6736c38048f043667b75f70a):
    1 and 5 public, 2 not fit for the public, 4 under review, 6 friends only, 7 private.
    """

    PUBLIC = "public"  # shown to everyone (Douyin 1, 5)
    PRIVATE = "private"  # not shown to the public: friends only or the author only (Douyin 6, 7)
    REVIEWING = "reviewing"  # under the platform's review (Douyin 4)
    REJECTED = "rejected"  # judged unfit for the public (Douyin 2)


class Freshness(StrEnum):
    """Update frequency against §3.2 (≥ 3 a week) and the 14-day inspection veto."""

    OK = "ok"
    WARN = "warn"
    VETO = "veto"
    UNKNOWN = "unknown"


class Health(StrEnum):
    """Whether the desk can read an account at all; separate from freshness."""

    OK = "ok"
    DEGRADED = "degraded"
    AUTH_EXPIRED = "auth_expired"
    FAILING = "failing"
    NEVER_POLLED = "never_polled"


class CommentState(StrEnum):
    PENDING = "pending"
    OVERDUE_ACK = "overdue_ack"
    ACKED = "acked"
    OVERDUE_RESULT = "overdue_result"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """One row of the account register, validated, before it has an id."""

    name: str
    platform: Platform
    unit: str = ""
    status: AccountStatus = AccountStatus.ACTIVE
    source: str = ""
    api_base: str = ""
    owner: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    platform: Platform
    unit: str = ""
    status: AccountStatus = AccountStatus.ACTIVE
    source: str = ""
    api_base: str = ""
    owner: str = ""
    note: str = ""
    secret_names: tuple[str, ...] = ()
    health: Health = Health.NEVER_POLLED
    health_reason: str = ""
    health_since: datetime | None = None
    first_polled_at: datetime | None = None
    last_polled_at: datetime | None = None
    poll_interval_s: int | None = None
    comment_interval_s: int | None = None

    def spec(self) -> AccountSpec:
        return AccountSpec(
            name=self.name,
            platform=self.platform,
            unit=self.unit,
            status=self.status,
            source=self.source,
            api_base=self.api_base,
            owner=self.owner,
            note=self.note,
        )


@dataclass(frozen=True, slots=True)
class Deadline:
    """A due instant; ``estimated`` when the holiday calendar did not know every day it crossed."""

    at: datetime
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class CommentSla:
    ack_due: datetime
    result_due: Deadline


@dataclass(frozen=True, slots=True)
class FreshnessReport:
    posts_7d: int
    posts_this_week: int
    last_post_at: datetime | None
    days_silent: int | None
    state: Freshness
    reasons: tuple[str, ...] = field(default=())


class AlertState(StrEnum):
    """``new → acknowledged → resolved``; an unacknowledged alert may also be resolved directly."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class ItemKind(StrEnum):
    POST = "post"
    COMMENT = "comment"
    ACCOUNT = "account"


@dataclass(frozen=True, slots=True)
class ItemText:
    """A stored post or comment as the officer reads it in the viewer. Times are timezone-aware."""

    kind: ItemKind
    id: int
    title: str
    body: str
    url: str = ""
    published_at: datetime | None = None
    date_estimated: bool = False
    """The source gave no usable date: ``published_at`` is when the desk first saw it."""
    visibility: Visibility = Visibility.PUBLIC
    deleted: bool = False
