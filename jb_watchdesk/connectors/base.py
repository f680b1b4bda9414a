"""What every connector hands to the poller, and how a connector says it failed.

Connectors fetch with the shared HTTP client and pass the payload to pure ``parse_*``
functions. Those functions return the frozen values below or raise
:class:`ConnectorError`; they never do I/O, never read the clock and never put a
secret (token, AppSecret) into a message, because messages end up in logs, health
reasons and handover reports.

The helpers after the values (:func:`expect_mapping`, :func:`as_str`, :func:`clip`,
:func:`platform_detail` …) read JSON payloads and are shared by several platform parsers;
so are the date readers in :mod:`jb_watchdesk.connectors.dates` and the HTML stripping in
:mod:`jb_watchdesk.connectors.html_text`. All are bounded so that a hostile payload
cannot make them run or allocate without limit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final, Generic, TypeVar
from zoneinfo import ZoneInfo

from jb_watchdesk.domain.models import Health, Visibility
from jb_watchdesk.domain.text import clean_optional, clean_text

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")

MAX_TITLE_CHARS: Final = 1_000
MAX_BODY_CHARS: Final = 200_000
MAX_DIGEST_CHARS: Final = 2_000
MAX_AUTHOR_CHARS: Final = 200
MAX_URL_CHARS: Final = 2_048
MAX_ID_CHARS: Final = 256
MAX_COMMENT_CHARS: Final = 20_000
MAX_ITEMS_PER_PAGE: Final = 500
MAX_REASON_CHARS: Final = 300


class ErrorKind(StrEnum):
    """What the poller should do about a failed fetch."""

    TRANSIENT = "transient"  # retry with backoff; the account is degraded meanwhile
    RATE_LIMITED = "rate_limited"  # wait (Retry-After when given), then retry
    QUOTA = "quota"  # stop calling until the platform's daily quota resets
    AUTH_EXPIRED = "auth_expired"  # refresh the token once, or ask for re-authorisation
    CONFIG = "config"  # the officer must fix a setting; retrying will not help
    BAD_PAYLOAD = "bad_payload"  # malformed or hostile response
    NOT_A_FEED = "not_a_feed"  # an HTML page (WAF block, login wall) instead of a feed


_HEALTH_BY_KIND: Final[dict[ErrorKind, Health]] = {
    ErrorKind.TRANSIENT: Health.DEGRADED,
    ErrorKind.RATE_LIMITED: Health.DEGRADED,
    ErrorKind.QUOTA: Health.FAILING,
    ErrorKind.AUTH_EXPIRED: Health.AUTH_EXPIRED,
    ErrorKind.CONFIG: Health.FAILING,
    ErrorKind.BAD_PAYLOAD: Health.FAILING,
    ErrorKind.NOT_A_FEED: Health.FAILING,
}


class ConnectorError(Exception):
    """A fetch that failed in a way the officer should see.

    ``code`` is stable across releases (``wechat.40164``, ``rss.doctype``) so that
    logs, tests and the handover report can refer to it; ``reason`` says in one line
    what went wrong and what to do. ``retry_after`` is in seconds when the platform
    said how long to wait. ``refresh_token_once`` asks the caller to refresh the
    access token and retry a single time before reporting ``auth_expired``.
    """

    def __init__(
        self,
        kind: ErrorKind,
        reason: str,
        *,
        code: str,
        retry_after: float | None = None,
        refresh_token_once: bool = False,
        log_id: str | None = None,
    ) -> None:
        self.kind = ErrorKind(kind)
        self.reason = clip(reason, MAX_REASON_CHARS)
        self.code = code
        self.retry_after = retry_after
        self.refresh_token_once = refresh_token_once
        self.log_id = log_id
        super().__init__(f"{code}: {self.reason}")

    @property
    def health(self) -> Health:
        """The account health this failure leads to."""
        return _HEALTH_BY_KIND[self.kind]

    def __repr__(self) -> str:
        return f"ConnectorError(kind={self.kind.value!r}, code={self.code!r}, reason={self.reason!r})"


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FetchedPost:
    """One post (article, status, video, feed entry) as the platform returned it.

    ``external_id`` is the platform's id, unique within the account; bodies are plain
    text (HTML already stripped). ``deleted`` is set when the platform still lists the
    post but marks it removed. ``date_estimated`` is set when the source gave no usable
    date and ``published_at`` is the fetch time instead. ``visibility`` says whether the
    platform shows it to the public. Text fields pass :func:`~jb_watchdesk.domain.text.clean_text`
    on construction, whichever connector built the value.
    """

    external_id: str
    title: str
    body: str
    digest: str
    url: str
    published_at: datetime
    author: str | None = None
    deleted: bool = False
    raw_updated_at: datetime | None = None
    date_estimated: bool = False
    visibility: Visibility = Visibility.PUBLIC

    def __post_init__(self) -> None:
        _clean_fields(self, ("external_id", "title", "body", "digest", "url"), ("author",))
        _require_aware(self.published_at, "published_at")
        if self.raw_updated_at is not None:
            _require_aware(self.raw_updated_at, "raw_updated_at")


@dataclass(frozen=True, slots=True)
class FetchedComment:
    """One public comment on a post, with the account's reply state (text cleaned on construction)."""

    external_id: str
    post_external_id: str
    author: str
    text: str
    created_at: datetime
    replied: bool = False
    reply_text: str | None = None
    replied_at: datetime | None = None
    deleted: bool = False
    date_estimated: bool = False
    """The platform gave no usable time: ``created_at`` is the fetch time, and the §3.7 clocks
    start when the desk first saw the comment rather than lose it."""

    def __post_init__(self) -> None:
        _clean_fields(self, ("external_id", "post_external_id", "author", "text"), ("reply_text",))
        _require_aware(self.created_at, "created_at")
        if self.replied_at is not None:
            _require_aware(self.replied_at, "replied_at")


@dataclass(frozen=True, slots=True)
class ParsedPage(Generic[T]):
    """The items of one response and where the next request should continue.

    Only the paging fields that the platform uses are set: ``next_offset`` (WeChat),
    ``next_cursor`` (Douyin, Weibo's ``max_id`` paging) and ``next_since_id`` (Weibo's
    newest id, to ask only for newer posts next time). ``skipped`` counts items that
    were dropped because they were unusable (no id, cap reached). ``complete`` is
    False when the response was cut short (a feed without its closing root tag): its
    last item was dropped as possibly unfinished, and the response must not be
    remembered as read (no validators stored), so the next poll fetches it whole.
    """

    items: tuple[T, ...]
    has_more: bool = False
    next_offset: int | None = None
    next_cursor: str | None = None
    next_since_id: str | None = None
    total: int | None = None
    skipped: int = 0
    title: str | None = None
    complete: bool = True


@dataclass(frozen=True, slots=True)
class AccessToken:
    """A platform credential and when it stops working.

    The secret fields are excluded from ``repr`` so a logged token object never
    reveals them.
    """

    access_token: str = field(repr=False)
    expires_at: datetime
    refresh_token: str | None = field(default=None, repr=False)
    refresh_expires_at: datetime | None = None
    open_id: str | None = None
    scope: str | None = None

    def __post_init__(self) -> None:
        _require_aware(self.expires_at, "expires_at")
        if self.refresh_expires_at is not None:
            _require_aware(self.refresh_expires_at, "refresh_expires_at")


def _clean_fields(value: object, required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    """Pass a frozen value's text fields through the one sanitiser (text at the door)."""
    for name in required:
        text = getattr(value, name)
        cleaned = clean_text(text)
        if cleaned is not text:
            object.__setattr__(value, name, cleaned)
    for name in optional:
        text = getattr(value, name)
        cleaned_optional = clean_optional(text)
        if cleaned_optional is not text:
            object.__setattr__(value, name, cleaned_optional)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def bad_payload(platform: str, detail: str) -> ConnectorError:
    """A response that is not what the API documents (truncated, not JSON, wrong shape)."""
    return ConnectorError(
        ErrorKind.BAD_PAYLOAD,
        f"the {platform} response was not in the expected format ({detail}); "
        "it will be retried at the next poll",
        code=f"{platform}.bad_payload",
    )


def expect_mapping(payload: object, *, platform: str) -> Mapping[str, object]:
    """``payload`` as a JSON object, or bad_payload; bytes are decoded as UTF-8 JSON."""
    if isinstance(payload, bytes | bytearray):
        payload = decode_json(payload, platform=platform)
    if not isinstance(payload, Mapping):
        raise bad_payload(platform, "top level is not a JSON object")
    return payload


def decode_json(body: bytes | bytearray, *, platform: str) -> object:
    """Decode a JSON response body; malformed JSON is a bad_payload error."""
    try:
        return json.loads(bytes(body).decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise bad_payload(platform, f"malformed JSON: {type(error).__name__}") from None


def as_list(value: object) -> list[object]:
    """A JSON array, or an empty list when the field is missing or null."""
    return list(value) if isinstance(value, list) else []


def as_str(value: object, limit: int = MAX_TITLE_CHARS) -> str:
    """A JSON scalar as clipped text; ``None`` and containers become ``""``."""
    if isinstance(value, str):
        return clip(value, limit)
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return clip(str(value), limit)
    return ""


def as_int(value: object) -> int | None:
    """A JSON integer that may arrive as a number or a numeric string."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        # Bounded so a hostile numeric string cannot trigger a slow int() conversion.
        if 0 < len(text) <= 30 and re.fullmatch(r"[+-]?\d+", text):
            return int(text)
    return None


def as_bool(value: object) -> bool:
    """Platforms send flags as true/false, 0/1 or "0"/"1"."""
    if isinstance(value, bool):
        return value
    number = as_int(value)
    if number is not None:
        return number != 0
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes"}
    return False


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters."""
    return text if len(text) <= limit else text[:limit]


_SECRET_LIKE: Final = re.compile(r"[A-Za-z0-9_\-+/=.]{32,}")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]+")


def platform_detail(message: object, limit: int = 160) -> str:
    """A platform's own error text, safe to show and log.

    Runs of 32 or more token-like characters are replaced: an access token or an
    AppSecret echoed back by a platform must never reach a log line or a report.
    """
    text = _CONTROL.sub(" ", as_str(message, 2_000))
    return clip(_SECRET_LIKE.sub("[redacted]", text).strip(), limit)
