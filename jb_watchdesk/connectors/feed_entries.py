"""Feed entries as posts: ids, links, dates and text, whatever format the entry came in.

:func:`entry_to_post` turns one feedparser entry (RSS 2.0, https://www.rssboard.org/rss-specification;
Atom, RFC 4287, https://www.rfc-editor.org/rfc/rfc4287; RSS 1.0) into a post, and
:func:`build_post` does the rest for every format, JSON Feed included. Ids are the entry's
guid/id unless it is missing, a placeholder or shared by several entries, then a stable hash
(:func:`shared_guids`, :func:`content_id`); links are made absolute and kept only when they
are http(s) (:func:`safe_link`).

Dates (:func:`read_date`): feedparser 6.0.14 reads ``2024年5月1日 08:00`` as 1 November 2024,
an epoch ``1714521600`` as 2017 (its loose ISO 8601 reader guesses), and zone-less dates as
UTC; so dates are parsed here from the raw strings (:func:`parse_date_text`), feedparser's
stricter readers are a fallback, and every result passes one range gate (:func:`plausible_date`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urljoin, urlsplit

import feedparser.datetimes

from jb_watchdesk.connectors.base import (
    MAX_AUTHOR_CHARS,
    MAX_BODY_CHARS,
    MAX_DIGEST_CHARS,
    MAX_ID_CHARS,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    FetchedPost,
    clip,
)
from jb_watchdesk.connectors.dates import parse_date_text, plausible_date
from jb_watchdesk.connectors.html_text import html_to_text
from jb_watchdesk.domain.models import CONTENT_ID_PREFIX

# Values some CMSs put in <guid>/<id> when they have no id: they identify nothing.
_PLACEHOLDER_IDS: Final = frozenset(
    {"", "n/a", "na", "null", "nil", "none", "undefined", "nan", "0", "-", "--", "#", "about:blank"}
)
# feedparser's date readers other than its loose ISO 8601 one, which guesses
# (``2024年5月1日`` became 1 November, ``1714521600`` became 2017).
_FEEDPARSER_DATE_READERS: Final = (
    "_parse_date_w3dtf",
    "_parse_date_rfc822",
    "_parse_date_asctime",
    "_parse_date_perforce",
    "_parse_date_hungarian",
    "_parse_date_greek",
    "_parse_date_nate",
    "_parse_date_onblog",
)


def _field(entry: Mapping[str, object], key: str) -> object:
    # dict.get bypasses FeedParserDict.__getitem__, which maps "updated" to
    # "published" with a DeprecationWarning instead of reporting it missing.
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def text_field(entry: Mapping[str, object], key: str) -> str:
    value = _field(entry, key)
    return value if isinstance(value, str) else ""


def entry_to_post(
    entry: Mapping[str, object], *, base_url: str, fetched_at: datetime | None, taken: set[str]
) -> FetchedPost | None:
    """One feedparser entry as a post, or None when it is unusable; adds its id to ``taken``."""
    title = html_to_text(text_field(entry, "title"), MAX_TITLE_CHARS)
    link = safe_link(text_field(entry, "link"), base_url=base_url)
    raw_date, published_at, updated_at = _entry_dates(entry, fetched_at=fetched_at)
    summary_html = text_field(entry, "summary")
    content_html = _longest_content(entry)
    body = html_to_text(content_html or summary_html, MAX_BODY_CHARS)
    digest = html_to_text(summary_html, MAX_DIGEST_CHARS) if summary_html else clip(body, MAX_DIGEST_CHARS)
    author = clip(text_field(entry, "author").strip(), MAX_AUTHOR_CHARS) or None
    return build_post(
        guid=text_field(entry, "id"),
        title=title,
        body=body,
        digest=digest,
        link=link,
        raw_date=raw_date,
        published_at=published_at,
        updated_at=updated_at,
        author=author,
        fetched_at=fetched_at,
        taken=taken,
    )


def build_post(
    *,
    guid: str,
    title: str,
    body: str,
    digest: str,
    link: str,
    raw_date: str,
    published_at: datetime | None,
    updated_at: datetime | None,
    author: str | None,
    fetched_at: datetime | None,
    taken: set[str],
) -> FetchedPost | None:
    """The post for one entry of any format, or None when it has nothing to read or no date."""
    if not (title or body or link):
        return None
    date_estimated = False
    if published_at is None:
        published_at = updated_at
    if published_at is None:
        if fetched_at is None:
            return None
        published_at, date_estimated = fetched_at, True
    # An entry repeated word for word (guid included) adds nothing: it is skipped.
    signature = "entry:" + content_id(guid, link, title, raw_date, body)
    if signature in taken:
        return None
    external_id = _entry_id(guid, link=link, title=title, raw_date=raw_date, body=body, taken=taken)
    if external_id is None:
        return None
    taken.update((external_id, signature))
    return FetchedPost(
        external_id=external_id,
        title=title,
        body=body,
        digest=digest,
        url=link,
        published_at=published_at,
        author=author,
        raw_updated_at=updated_at,
        date_estimated=date_estimated,
    )


def _entry_dates(
    entry: Mapping[str, object], *, fetched_at: datetime | None
) -> tuple[str, datetime | None, datetime | None]:
    """The first raw date string, the publication date and the update date of an entry.

    The publication date is the first usable one of published (RSS ``pubDate``, Atom
    ``published``), created and updated; the update date is ``updated`` alone. Each
    passes the same gate (see :func:`read_date`).
    """
    raw_first = ""
    published_at: datetime | None = None
    for key in ("published", "created", "updated"):
        raw = text_field(entry, key).strip()
        if not raw:
            continue
        raw_first = raw_first or raw
        if published_at is None:
            published_at = read_date(raw, fetched_at=fetched_at)
    updated_raw = text_field(entry, "updated").strip()
    updated_at = read_date(updated_raw, fetched_at=fetched_at) if updated_raw else None
    return raw_first, published_at, updated_at


def read_date(raw: str, *, fetched_at: datetime | None) -> datetime | None:
    """A feed's date string as an aware datetime, or None when unknown.

    :func:`parse_date_text` first; for formats it does not know, feedparser's strict
    readers (their results are UTC). Both pass :func:`plausible_date`: before 2000 or
    more than a day after ``fetched_at`` is unknown, not a value.
    """
    parsed = parse_date_text(raw, fetched_at=fetched_at)
    if parsed is not None:
        return parsed
    return plausible_date(_feedparser_date(raw), fetched_at=fetched_at)


def _feedparser_date(raw: str) -> datetime | None:
    if len(raw) > 200:
        return None
    for name in _FEEDPARSER_DATE_READERS:
        reader: Callable[[str], object] | None = getattr(feedparser.datetimes, name, None)
        if reader is None:
            continue
        try:
            value = reader(raw)
            if isinstance(value, time.struct_time):
                return datetime(*value[:6], tzinfo=UTC)
        except (ValueError, OverflowError, KeyError, IndexError, TypeError, AttributeError):
            continue
    return None


def _longest_content(entry: Mapping[str, object]) -> str:
    contents = _field(entry, "content")
    best = ""
    if isinstance(contents, list):
        for item in contents[:10]:
            value = dict.get(item, "value") if isinstance(item, dict) else None
            if isinstance(value, str) and len(value) > len(best):
                best = value
    return best


def channel_base(channel_link: str, *, feed_url: str) -> str:
    """The base for relative entry links: the channel's own link when it is http(s), else the feed URL.

    An RSSHub or WeWe RSS route serves items of another site; their relative links
    belong to that site (the channel ``<link>``), not to the RSSHub host.
    """
    link = safe_link(channel_link, base_url=feed_url)
    return link or feed_url


def safe_link(link: str, *, base_url: str) -> str:
    """The entry link made absolute; only http(s) is kept, never ``javascript:`` or ``file:``."""
    link = link.strip()
    if not link or len(link) > MAX_URL_CHARS or _is_placeholder(link):
        return ""
    try:
        link = urljoin(base_url, link)
        parts = urlsplit(link)
    except ValueError:
        return ""
    return link if parts.scheme.lower() in {"http", "https"} and parts.netloc else ""


def _is_placeholder(value: str) -> bool:
    return value.strip().lower() in _PLACEHOLDER_IDS


def content_id(*parts: str) -> str:
    return CONTENT_ID_PREFIX + hashlib.sha256("\n".join(parts).encode("utf-8", "replace")).hexdigest()


def _usable_guid(guid: str) -> str | None:
    """The guid as an id (an over-long one hashed rather than cut, so two ids sharing a
    long prefix stay distinct), or None for a missing or placeholder one."""
    guid = guid.strip()
    if not guid or _is_placeholder(guid):
        return None
    if len(guid) > MAX_ID_CHARS:
        return CONTENT_ID_PREFIX + hashlib.sha256(guid.encode("utf-8", "replace")).hexdigest()
    return guid


def shared_guids(pairs: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The usable guids that more than one different entry of the document carries.

    ``pairs`` are (raw guid, fingerprint of the entry). Such a guid identifies none of
    its entries: kept on whichever came first, it would move to a new entry inserted
    above them on the next poll, and that entry would be stored as an edit of another
    article. An entry repeated word for word (same fingerprint) does not make its guid
    shared; the repeat is dropped later.
    """
    seen: dict[str, str] = {}
    shared: set[str] = set()
    for raw_guid, fingerprint in pairs:
        guid = _usable_guid(raw_guid)
        if guid is None:
            continue
        first = seen.setdefault(guid, fingerprint)
        if first != fingerprint:
            shared.add(guid)
    return frozenset(shared)


def entry_fingerprint(entry: Mapping[str, object]) -> str:
    """A digest of the raw fields that make a feedparser entry what it is (not its position)."""
    keys = ("id", "link", "title", "published", "created", "updated", "summary")
    fields = [text_field(entry, key) for key in keys] + [_longest_content(entry)]
    return content_id(*fields)


def _entry_id(guid: str, *, link: str, title: str, raw_date: str, body: str, taken: set[str]) -> str | None:
    """The entry's id, unique among the ids already ``taken`` in this document; None for a repeat.

    The guid/id when it is a real one, not shared by several entries (those are in
    ``taken`` from the start, see :func:`shared_guids`) and not used by an earlier
    entry; otherwise a stable hash of link, title and raw date (the same entry gets the
    same id on every poll, wherever it sits in the feed), with the body added when two
    entries share all three. None when an earlier entry was identical in all four: a
    repeat adds nothing.
    """
    usable = _usable_guid(guid)
    if usable is not None and usable not in taken:
        return usable
    for candidate in (content_id(link, title, raw_date), content_id(link, title, raw_date, body)):
        if candidate not in taken:
            return candidate
    return None
