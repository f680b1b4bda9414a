"""Dates from feeds and platform APIs: one reader for date strings, one for epoch numbers, one gate.

:func:`parse_date_text` reads the date strings feeds and APIs send (RFC 822 for RSS 2.0,
https://www.rssboard.org/rss-specification; ISO 8601 / RFC 3339 for Atom and JSON Feed,
https://www.rfc-editor.org/rfc/rfc3339; Chinese, Weibo and RFC 850 forms), with
Asia/Shanghai as the zone when none is given; :func:`epoch_to_datetime` reads epoch
numbers. Every result passes :func:`plausible_date`, so a placeholder (1970) or a date
far in the future is unknown rather than a value. The readers are bounded: an over-long
string is refused before any pattern runs.
"""

from __future__ import annotations

import email.utils
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Final

from jb_watchdesk.connectors.base import SHANGHAI, as_int


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
