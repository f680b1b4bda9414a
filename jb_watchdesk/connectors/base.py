"""What every connector hands to the poller, and how a connector says it failed.

Connectors fetch with the shared HTTP client and pass the payload to pure ``parse_*``
functions. Those functions return the frozen values below or raise
:class:`ConnectorError`; they never do I/O, never read the clock and never put a
secret (token, AppSecret) into a message, because messages end up in logs, health
reasons and handover reports.

The helpers at the end (:func:`html_to_text`, :func:`clip`, :func:`epoch_to_datetime`)
are shared by several platform parsers and are bounded so that a hostile payload
cannot make them run or allocate without limit.
"""

from __future__ import annotations

import email.utils
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from html.parser import HTMLParser
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
# HTML is stripped from at most this many input characters: the platforms' own limits
# are far lower (WeChat articles stay under 20,000 characters), so anything longer is
# either broken or hostile, and the text kept is capped at MAX_BODY_CHARS anyway.
MAX_HTML_INPUT_CHARS: Final = 2_000_000
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
        cleaned = clean_optional(text)
        if cleaned is not text:
            object.__setattr__(value, name, cleaned)


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


def epoch_to_datetime(value: object, *, fetched_at: datetime | None = None) -> datetime | None:
    """An epoch JSON value (seconds, or milliseconds as some API versions send; an integer, a
    whole or fractional number, or a numeric string) as an aware UTC datetime, or ``None``.

    The result passes :func:`plausible_date`: the platforms started in 2009-2016, so a
    number before 2000 (or more than a day after ``fetched_at``) is not a real time.
    """
    seconds: float | None
    if isinstance(value, float) and value == value and abs(value) < 1e15:
        seconds = value
    else:
        whole = as_int(value)
        seconds = None if whole is None else float(whole)
    if seconds is not None and seconds >= _MAX_EPOCH:
        seconds /= 1000  # milliseconds: 2000-2100 in ms lies far beyond 2100 in seconds
    if seconds is None or not _MIN_EPOCH <= seconds < _MAX_EPOCH:
        return None
    return plausible_date(datetime.fromtimestamp(seconds, UTC), fetched_at=fetched_at)


# Bounds checked before datetime.fromtimestamp, which raises on values out of its range.
_MIN_EPOCH: Final = 946_684_800  # 2000-01-01
_MAX_EPOCH: Final = 4_102_444_800  # 2100-01-01


# Raw-text elements: their content is code, never text. An HTML parser reads it up to
# the matching end tag, so an unclosed <script> hides the rest, which is the safe
# reading for code.
_CODE_TAGS: Final = frozenset({"script", "style"})
# Elements whose content is not shown but is ordinary markup. One left open (an
# <object> or <iframe> whose end a CMS cut off, a stray <noscript>) must not hide what
# follows: its text is held back and dropped at its own end tag, but given back when an
# element that was open before it closes first, or when the fragment ends. Showing a
# little fallback text is the lesser harm: text hidden from the desk is text the
# sensitive-word scan never sees.
_HIDDEN_TAGS: Final = frozenset(
    {"noscript", "template", "iframe", "object", "svg", "math", "head", "noembed", "noframes"}
)
_VOID_TAGS: Final = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
_BLOCK_TAGS: Final = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
# Bounds on the open-element stack, so tag soup cannot make end-tag matching quadratic.
_MAX_OPEN_ELEMENTS: Final = 4_096
_END_TAG_SEARCH: Final = 64
_SPACES: Final = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_BLANK_LINES: Final = re.compile(r"\n\s*\n+")


@dataclass(slots=True)
class _HiddenElement:
    """An open element from :data:`_HIDDEN_TAGS`: where it sits and where its text starts.

    Its text is collected like any other; closed by its own end tag, the text from ``start``
    on is cut again (one slice, whatever the nesting), never closed, it simply stays.
    """

    tag: str
    depth: int  # its index in the open-element stack
    start: int  # its first part in the collected text
    size: int  # the collected size when it opened


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, stopping at a character budget."""

    # Newer Python releases also read iframe, noembed, noframes and xmp as raw text;
    # pinned so that an unclosed <iframe> is handled the same on every interpreter.
    CDATA_CONTENT_ELEMENTS = ("script", "style")

    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=True)
        self._parts: list[str] = []
        self._size = 0
        self._limit = limit
        self._code_depth = 0
        # the raw text inside an open <script>/<style>, kept in case it is never closed
        self._code: list[str] = []
        self._code_size = 0
        self._open: list[str] = []
        self._hidden: list[_HiddenElement] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CODE_TAGS:
            self._code_depth += 1
            return
        if tag in _BLOCK_TAGS:
            self._add("\n")
        if tag in _VOID_TAGS or len(self._open) >= _MAX_OPEN_ELEMENTS:
            return
        if tag in _HIDDEN_TAGS:
            self._hidden.append(_HiddenElement(tag, len(self._open), len(self._parts), self._size))
        self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # A self-closing <script/> or <iframe/> opens nothing, so it must not start hiding text.
        if tag in _BLOCK_TAGS:
            self._add("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _CODE_TAGS:
            self._code_depth = max(0, self._code_depth - 1)
            self._code.clear()
            self._code_size = 0
            return
        index = self._find_open(tag)
        if index is not None:
            del self._open[index:]
            while self._hidden and self._hidden[-1].depth >= index:
                element = self._hidden.pop()
                if element.depth == index:
                    # closed by its own end tag: its content stays hidden
                    del self._parts[element.start :]
                    self._size = element.size
                # else an enclosing element closed first: it was never closed, and its text stays
        if tag in _BLOCK_TAGS:
            self._add("\n")

    def handle_data(self, data: str) -> None:
        if not self._code_depth:
            self._add(data)
        elif self._code_size < MAX_HTML_INPUT_CHARS:
            self._code.append(data)
            self._code_size += len(data)

    def close(self) -> None:
        super().close()
        self._hidden.clear()  # never closed: their text stays
        if self._code_depth and self.rawdata and not self.full:
            # A <script> or <style> that is never closed swallowed the rest of the fragment as raw
            # text (a CMS that cut the closing tag): read that rest once more as HTML, so the text
            # after it is not hidden from the scanner.
            rest = ("".join(self._code) + self.rawdata)[:MAX_HTML_INPUT_CHARS]
            self.rawdata = ""
            again = _RereadExtractor(self._limit - self._size)
            again.feed(rest)
            again.close()
            self._add(again.text())

    def _find_open(self, tag: str) -> int | None:
        lowest = max(0, len(self._open) - _END_TAG_SEARCH)
        for index in range(len(self._open) - 1, lowest - 1, -1):
            if self._open[index] == tag:
                return index
        return None

    def _add(self, text: str) -> None:
        if self._size < self._limit:
            self._parts.append(text)
            self._size += len(text)

    @property
    def full(self) -> bool:
        return self._size >= self._limit

    def text(self) -> str:
        return "".join(self._parts)


class _RereadExtractor(_TextExtractor):
    """The rest of a fragment after a never-closed ``<script>``/``<style>``, read once more.

    Here script and style are ordinary elements: their markup is parsed, the text of a closed
    one stays hidden and that of a never-closed one is given back, so nothing is read a third
    time and the work stays linear however many are left open.
    """

    CDATA_CONTENT_ELEMENTS = ()

    def close(self) -> None:
        HTMLParser.close(self)
        self._hidden.clear()
        if self._code_depth:
            self._add("".join(self._code))


def html_to_text(html: str, limit: int = MAX_BODY_CHARS) -> str:
    """The readable text of an HTML fragment: tags, scripts and styles dropped.

    Nothing from a post is ever rendered as rich text, so bodies are stored as plain
    text. The input is cut to :data:`MAX_HTML_INPUT_CHARS` and fed in chunks that stop
    once ``limit`` characters of text are collected, so the work is bounded.
    """
    extractor = _TextExtractor(limit)
    source = html[:MAX_HTML_INPUT_CHARS]
    chunk = 65_536
    for start in range(0, len(source), chunk):
        extractor.feed(source[start : start + chunk])
        if extractor.full:
            break
    extractor.close()
    return normalise_text(extractor.text(), limit)


def normalise_text(text: str, limit: int) -> str:
    """Collapse runs of spaces and blank lines, trim, and clip to ``limit``."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    joined = "\n".join(lines)
    return clip(_BLANK_LINES.sub("\n\n", joined).strip(), limit)


def text_or_html(value: str, limit: int) -> str:
    """Plain text from a field that may or may not contain markup."""
    if "<" in value or "&" in value:
        return html_to_text(value, limit)
    return normalise_text(value, limit)


_MONTHS: Final = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
# Zone names seen in Chinese feeds. "CST" is China Standard Time there (Java's
# Date.toString() on a Beijing server prints it), not US Central as the email module
# assumes; reading it as -06:00 would shift every post by 14 hours.
_ZONE_NAMES: Final = {
    "CST": "+08:00", "BJT": "+08:00", "北京时间": "+08:00", "GMT": "+00:00", "UTC": "+00:00", "UT": "+00:00",
    "Z": "+00:00",
}  # fmt: skip
_CHINESE_DATE: Final = re.compile(
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?"
    r"(?:\s*(\d{1,2})\s*(?::|[时時点點])\s*(?:(\d{1,2})\s*分?)?(?:\s*:?\s*(\d{1,2})\s*秒?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,4})?"
)
# ISO 8601 allows an offset of hours alone (``+08``, ISO 8601-1:2019 §4.3.13); it is
# taken only right after a time, so ``2024-05-01-08`` is not read as a zone.
_NUMERIC_DATE: Final = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?([+-]\d{2}(?![\d:]))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,4})?"
)
# ISO 8601 basic format, as some CMSs print it: 20240501, 202405010800, 20240501T080000Z.
_COMPACT_DATE: Final = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?\s*(Z|[+-]\d{2}:?\d{2})?")
# Weibo's created_at and Java's Date.toString(): "Tue May 31 17:46:55 +0800 2011",
# "Wed May 01 08:00:00 CST 2024".
_CTIME_DATE: Final = re.compile(
    r"[A-Za-z]{3},?\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+([+-]\d{4}|[A-Za-z]{1,4})\s+(\d{4})"
)
# RFC 850 §2.1.4 (https://www.rfc-editor.org/rfc/rfc850), still accepted by HTTP
# (RFC 9110 §5.6.7): "Wednesday, 01-May-24 08:00:00 GMT".
_RFC850_DATE: Final = re.compile(
    r"(?:[A-Za-z]{3,9},?\s*)?(\d{1,2})-([A-Za-z]{3})-(\d{4}|\d{2})\s+(\d{1,2}):(\d{2}):(\d{2})"
    r"\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,4})?"
)
# US-style dates as English-language CMSs print them: "May 1, 2024 8:00 AM",
# "Wednesday, April 28th, 2024 at 8:00 PM" (the AM/PM is removed before matching).
_MONTH_NAME_DATE: Final = re.compile(
    r"(?:[A-Za-z]{3,9},?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})"
    r"(?:,?\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,4})?",
    re.IGNORECASE,
)
_MONTH_FULL_NAMES: Final = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
# Zone words Chinese sites put after a date: 北京时间 (simplified and traditional,
# bracketed or not) and GMT+8 / UTC+08:00. All are written as a numeric offset before
# parsing; left as words, the date would be read as UTC, eight hours off.
_BEIJING_TIME_WORD: Final = re.compile(r"\(?\s*北京[时時][间間]\s*\)?")
_GMT_OFFSET: Final = re.compile(
    r"(?<![A-Za-z])(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?(?![\d:])", re.IGNORECASE
)
_LEADING_OFFSET: Final = re.compile(r"([+-]\d{4})\s+(.+)")
_RFC822_ZONE: Final = re.compile(r"\s([+-]\d{4}|[A-Za-z]{1,4})\s*$")
# Epoch seconds (9-10 digits, 2000-2286) or milliseconds (12-13 digits), as PHP and
# JavaScript back ends print them into <pubDate>; a fraction is allowed.
_EPOCH_SECONDS: Final = re.compile(r"(\d{9,10})(?:\.\d{1,9})?")
_EPOCH_MILLISECONDS: Final = re.compile(r"(\d{12,13})(?:\.\d{1,9})?")
_WEEKDAY: Final = re.compile(r"[(\[]?\s*(?:星期|礼拜|周)[一二三四五六日天七]\s*[)\]]?,?")
_DATE_LABEL: Final = re.compile(r"^(?:发布|更新|发表)?(?:时间|日期)\s*:\s*")
# Half-day words: the hour that follows is on a 12-hour clock.
_HALF_DAY: Final = re.compile(
    r"(上午|早上|早晨|清晨|凌晨|中午|下午|傍晚|晚上|夜间|夜里)|(?<![A-Za-z])([AaPp])\.?[Mm]\.?(?![A-Za-z])"
)
_AFTERNOON: Final = frozenset({"中午", "下午", "傍晚", "晚上", "夜间", "夜里", "p"})
_MAX_DATE_CHARS: Final = 100

EARLIEST_DATE: Final = datetime(2000, 1, 1, tzinfo=UTC)
"""No post the desk watches predates this; an earlier date is a placeholder (often 1970)."""
LATEST_DATE: Final = datetime(2100, 1, 1, tzinfo=UTC)
"""Dates at or after this are garbage whatever the fetch time."""
FUTURE_TOLERANCE: Final = timedelta(days=1)
"""How far after the fetch time a date may lie and still be a value.

Beijing times labelled GMT (RSSHub, WeWe RSS) come out 8 hours ahead; they are kept
as given and the storage layer deals with them. A day or more ahead is not a clock
or zone slip but a wrong date.
"""


def plausible_date(value: datetime | None, *, fetched_at: datetime | None = None) -> datetime | None:
    """``value`` when it can be a real publication time, else ``None``.

    The one gate every date from outside passes, whichever parser produced it:
    ``value`` must be timezone-aware, not before :data:`EARLIEST_DATE` (2000-01-01 UTC),
    before :data:`LATEST_DATE` and, when ``fetched_at`` (aware) is known, not more than
    :data:`FUTURE_TOLERANCE` (one day) after it. ``value`` is returned unchanged.
    """
    if value is None or value.tzinfo is None or value.utcoffset() is None:
        return None
    if not EARLIEST_DATE <= value < LATEST_DATE:
        return None
    if fetched_at is not None and value > fetched_at + FUTURE_TOLERANCE:
        return None
    return value


def parse_date_text(text: str, *, fetched_at: datetime | None = None) -> datetime | None:
    """A date string from a feed or API as an aware datetime, or ``None`` when unknown.

    Understands RFC 822 (RSS 2.0, https://www.rssboard.org/rss-specification), ISO 8601 /
    RFC 3339 (Atom, JSON Feed) including the basic form ``20240501T080000Z``,
    ``2024-05-01 08:00:00``, Chinese forms (``2024年5月1日 星期三 下午3:00``, full-width
    digits and colons, 上午/下午), Weibo's ``Tue May 31 17:46:55 +0800 2011``, RFC 850
    (``Wednesday, 01-May-24 08:00:00 GMT``, https://www.rfc-editor.org/rfc/rfc850),
    ``May 1, 2024 8:00 AM``, and epoch seconds or milliseconds (UTC). Zone words after
    the date (``北京时间``, ``GMT+8``, ``UTC+08:00``) and ISO offsets of hours alone
    (``+08``) are honoured. A date without a zone is Asia/Shanghai time: these sources
    are Chinese sites, and feedparser's own reading (UTC) would put such posts eight
    hours late. Every result passes :func:`plausible_date` (2000-01-01 to one day after
    ``fetched_at`` when given); outside that range the date is unknown (``None``).

    Several forms overlap (``202405010800`` is both epoch milliseconds, 1976, and
    ``2024-05-01 08:00``), so a reading the gate rejects does not end the search: the
    next parser gets its turn.
    """
    if len(text) > 4 * _MAX_DATE_CHARS:
        return None
    # NFKC folds full-width digits, colons, slashes and spaces to their ASCII forms.
    raw = unicodedata.normalize("NFKC", text).strip()
    if not raw or len(raw) > _MAX_DATE_CHARS:
        return None
    raw = _zone_words_to_offset(raw)
    parsers = (
        _parse_epoch,
        _parse_chinese,
        _parse_numeric,
        _parse_compact,
        _parse_ctime,
        _parse_rfc850,
        _parse_month_name,
        _parse_rfc822,
    )
    for parse in parsers:
        try:
            result = plausible_date(parse(raw), fetched_at=fetched_at)
        except (ValueError, OverflowError):
            result = None
        if result is not None:
            return result
    return None


def _zone_words_to_offset(raw: str) -> str:
    """``raw`` with 北京时间 and GMT+8-style zones written as a numeric offset (``+0800``).

    The offset takes the word's place, where every parser looks for a zone; a zone word
    that leads the text (``北京时间 2024-05-01 08:00``) is moved to the end.
    """
    text = _BEIJING_TIME_WORD.sub(" +0800 ", raw)
    text = _GMT_OFFSET.sub(_offset_text, text)
    if text == raw:
        return raw
    text = " ".join(text.split())
    if leading := _LEADING_OFFSET.fullmatch(text):
        text = f"{leading.group(2)} {leading.group(1)}"
    return text


def _offset_text(match: re.Match[str]) -> str:
    sign, hours, minutes = match.groups()
    return f" {sign}{int(hours):02d}{minutes or '00'} "


def _with_zone(naive: datetime, zone: str | None) -> datetime | None:
    """Attach ``zone`` (an offset or a known name) or Shanghai time when there is none."""
    if zone is None or zone == "":
        return naive.replace(tzinfo=SHANGHAI)
    offset = _ZONE_NAMES.get(zone.upper(), zone)
    match = re.fullmatch(r"([+-])(\d{2})(?::?(\d{2}))?", offset)
    if match is None:
        return None  # an unknown zone name: refuse rather than guess
    sign, hours, minutes = match.groups()
    return datetime.fromisoformat(f"{naive.isoformat()}{sign}{hours}:{minutes or '00'}")


def _parse_epoch(raw: str) -> datetime | None:
    if match := _EPOCH_SECONDS.fullmatch(raw):
        return datetime.fromtimestamp(int(match.group(1)), UTC)
    if match := _EPOCH_MILLISECONDS.fullmatch(raw):
        return datetime.fromtimestamp(int(match.group(1)) / 1000, UTC)
    return None


def _split_half_day(raw: str) -> tuple[str, str | None]:
    """The text without its weekday and 上午/下午 (AM/PM) words, and which half of the day it named."""
    text = _DATE_LABEL.sub("", raw)
    text = _WEEKDAY.sub(" ", text)
    match = _HALF_DAY.search(text)
    if match is None:
        return text.strip(), None
    half = match.group(1) or match.group(2).lower()
    return (text[: match.start()] + " " + text[match.end() :]).strip(), half


def _twelve_hour(hour: int, half: str | None) -> int:
    """A 12-hour-clock hour on the 24-hour clock (下午3点 is 15:00, 凌晨12点 is 00:00)."""
    if half is None or hour > 12:
        return hour
    if half in _AFTERNOON:
        if half == "中午":
            return hour + 12 if hour < 11 else hour  # 中午12点 is noon, 中午1点 is 13:00
        return hour + 12 if hour < 12 else hour
    return 0 if hour == 12 else hour


def _parse_chinese(raw: str) -> datetime | None:
    if "年" not in raw:
        return None
    text, half = _split_half_day(raw)
    match = _CHINESE_DATE.fullmatch(text)
    if match is None:
        return None
    *numbers, zone = match.groups()
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in numbers)
    return _with_zone(datetime(year, month, day, _twelve_hour(hour, half), minute, second), zone)


def _parse_numeric(raw: str) -> datetime | None:
    text, half = _split_half_day(raw)
    match = _NUMERIC_DATE.fullmatch(text)
    if match is None:
        return None
    *numbers, hours_offset, zone = match.groups()
    if hours_offset and zone:
        return None  # two zones: nothing says which is right
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in numbers)
    return _with_zone(datetime(year, month, day, _twelve_hour(hour, half), minute, second), hours_offset or zone)


def _parse_compact(raw: str) -> datetime | None:
    match = _COMPACT_DATE.fullmatch(raw)
    if match is None:
        return None
    *numbers, zone = match.groups()
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in numbers)
    return _with_zone(datetime(year, month, day, hour, minute, second), zone)


def _parse_ctime(raw: str) -> datetime | None:
    match = _CTIME_DATE.fullmatch(raw)
    if match is None:
        return None
    month_name, day, hour, minute, second, zone, year = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    return _with_zone(datetime(int(year), month, int(day), int(hour), int(minute), int(second)), zone)


def _parse_rfc850(raw: str) -> datetime | None:
    """RFC 850 §2.1.4 dates (https://www.rfc-editor.org/rfc/rfc850).

    A two-digit year is 20yy: RFC 9110 §5.6.7 reads it as the latest such year not more
    than 50 years ahead, and every 19yy would be refused by the gate anyway.
    """
    match = _RFC850_DATE.fullmatch(raw)
    if match is None:
        return None
    day, month_name, year_text, hour, minute, second, zone = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    return _with_zone(datetime(year, month, int(day), int(hour), int(minute), int(second)), zone)


def _parse_month_name(raw: str) -> datetime | None:
    """``May 1, 2024 8:00 AM``: month name first, 12-hour clock honoured, Shanghai time without a zone.

    Before this parser, the email module's lenient reader took such dates as UTC and
    dropped the PM.
    """
    text, half = _split_half_day(raw)
    match = _MONTH_NAME_DATE.fullmatch(text)
    if match is None:
        return None
    month_name, day, year, hour, minute, second, zone = match.groups()
    name = month_name.lower()
    month = next((number for number, full in enumerate(_MONTH_FULL_NAMES, start=1) if full.startswith(name)), None)
    if month is None:
        return None
    clock = _twelve_hour(int(hour or 0), half)
    return _with_zone(datetime(int(year), month, int(day), clock, int(minute or 0), int(second or 0)), zone)


def _parse_rfc822(raw: str) -> datetime | None:
    # parsedate_tz reports offset 0 both for "+0000" and for no zone at all, so
    # whether a zone is present is decided here from the last word.
    zone_match = _RFC822_ZONE.search(raw)
    if zone_match is None:
        parsed = email.utils.parsedate_tz(raw)
        zone: str | None = None
    else:
        name = zone_match.group(1)
        if name.upper() in _ZONE_NAMES or name[0] in "+-":
            parsed = email.utils.parsedate_tz(raw[: zone_match.start()])
            zone = "+00:00" if name == "-0000" else name  # RFC 5322: -0000 is UTC, local zone unknown
        else:
            # Other zone names (EST, PDT…) are ones the email module knows.
            parsed = email.utils.parsedate_tz(raw)
            if parsed is None or parsed[9] is None:
                return None
            sign = "-" if parsed[9] < 0 else "+"
            hours, minutes = divmod(abs(parsed[9]) // 60, 60)
            zone = f"{sign}{hours:02d}:{minutes:02d}"
    if parsed is None:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    return _with_zone(datetime(year, month, day, hour, minute, second), zone)


_SECRET_LIKE: Final = re.compile(r"[A-Za-z0-9_\-+/=.]{32,}")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]+")


def platform_detail(message: object, limit: int = 160) -> str:
    """A platform's own error text, safe to show and log.

    Runs of 32 or more token-like characters are replaced: an access token or an
    AppSecret echoed back by a platform must never reach a log line or a report.
    """
    text = _CONTROL.sub(" ", as_str(message, 2_000))
    return clip(_SECRET_LIKE.sub("[redacted]", text).strip(), limit)
