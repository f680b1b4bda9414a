"""RSS and Atom feeds: RSSHub and WeWe RSS routes and websites' own feeds.

This module holds the pure part: :func:`parse_feed` turns a response body into posts.
feedparser only ever sees bytes from memory (``io.BytesIO``), never a URL or a path,
because given those it fetches or opens them itself.

Formats: RSS 2.0 (https://www.rssboard.org/rss-specification), Atom (RFC 4287),
RSS 1.0/RDF (https://web.resource.org/rss/1.0/spec), read through feedparser 6.0
(https://feedparser.readthedocs.io/). Charset rules follow RFC 7303 §3: the
Content-Type charset wins over the XML declaration.

Measured with feedparser 6.0.14 before writing this module:

- GB18030 bytes with neither a declaration nor a header charset come out as
  windows-1252 mojibake; with a header charset feedparser decodes them but marks the
  result bozo. So the body is decoded here and handed over as UTF-8 with a fresh XML
  declaration.
- ``2024年5月1日 08:00`` is read as 1 November 2024 and zone-less dates as UTC, so
  dates are parsed here from the raw strings (:func:`parse_date_text`).
- An internal entity repeated in the loose parser expands without limit, so DTD
  internal subsets and ENTITY declarations are refused before feedparser runs.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import io
import re
import time
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urljoin, urlsplit

import feedparser

from jb_watchdesk.connectors.fetching import AccountRef, FetchResult, FetchState
from jb_watchdesk.connectors.http import HttpClient
from jb_watchdesk.connectors.base import (
    MAX_AUTHOR_CHARS,
    MAX_BODY_CHARS,
    MAX_DIGEST_CHARS,
    MAX_ID_CHARS,
    MAX_ITEMS_PER_PAGE,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    ConnectorError,
    ErrorKind,
    FetchedPost,
    ParsedPage,
    clip,
    html_to_text,
    parse_date_text,
)

MAX_FEED_BYTES: Final = 10 * 1024 * 1024
DEFAULT_MAX_ITEMS: Final = 200

_FEED_ROOTS: Final = frozenset({"rss", "feed", "rdf"})
_HTML_ROOTS: Final = frozenset({"html", "head", "body", "meta", "title", "script", "div", "p", "form", "link"})
# Labels that name a subset of GB18030; decoding with the superset never loses a
# character that a server mislabelled as GB2312 or GBK.
_GB_ALIASES: Final = frozenset({"gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "gb_2312-80"})
_CHARSET_PARAM: Final = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_XML_DECLARATION: Final = re.compile(r"""^<\?xml[^>]{0,200}\?>""")
_DECLARED_ENCODING: Final = re.compile(r"""encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_PROLOG_NOISE: Final = re.compile(r"""\s+|<!--.*?-->|<\?.*?\?>""", re.DOTALL)
_DOCTYPE: Final = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
_ENTITY: Final = re.compile(r"<!ENTITY\b", re.IGNORECASE)
_ROOT_NAME: Final = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
# How far into the document the prolog (declaration, comments, DOCTYPE) may reach.
_PROLOG_LIMIT: Final = 65_536
_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def parse_feed(
    body: bytes,
    *,
    content_type: str | None,
    url: str,
    max_items: int = DEFAULT_MAX_ITEMS,
    fetched_at: datetime | None = None,
) -> ParsedPage[FetchedPost]:
    """The posts of an RSS/Atom response body.

    ``content_type`` is the response's Content-Type header (its charset is honoured),
    ``url`` the feed's address (the base for relative links; never fetched).
    Entries without a usable date get ``fetched_at`` with ``date_estimated`` set, or
    are skipped when it is not given. Raises :class:`ConnectorError`: ``not_a_feed``
    for an HTML page or JSON instead of a feed (a WAF block, a login wall, an RSSHub
    error), ``bad_payload`` for an empty, oversized, undecodable, malformed or
    DTD-carrying document.
    """
    if len(body) > MAX_FEED_BYTES:
        raise _bad("rss.too_large", f"the feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    if not body.strip():
        raise _bad("rss.empty", "the feed address returned an empty response")
    text = _decode(body, content_type)
    document = _check_document(text, content_type)
    parsed = _run_feedparser(document)
    entries = parsed.get("entries") or []
    if parsed.get("bozo") and not entries:
        # A broken document that yields nothing must not look like a silent account.
        raise _bad("rss.malformed", "the feed is not well-formed XML and no entries could be read")
    limit = max(0, min(max_items, MAX_ITEMS_PER_PAGE))
    posts: list[FetchedPost] = []
    skipped = 0
    for entry in entries:
        if len(posts) >= limit:
            skipped += 1
            continue
        post = _entry_to_post(entry, base_url=url, fetched_at=fetched_at)
        if post is None:
            skipped += 1
        else:
            posts.append(post)
    feed_info = parsed.get("feed") or {}
    title = html_to_text(str(dict.get(feed_info, "title") or ""), MAX_TITLE_CHARS) or None
    return ParsedPage(items=tuple(posts), skipped=skipped, title=title)


def _bad(code: str, reason: str) -> ConnectorError:
    return ConnectorError(ErrorKind.BAD_PAYLOAD, reason, code=code)


def _not_a_feed(reason: str) -> ConnectorError:
    return ConnectorError(ErrorKind.NOT_A_FEED, reason, code="rss.not_a_feed")


def _decode(body: bytes, content_type: str | None) -> str:
    """The body as text: BOM first, then the header charset, then the XML declaration.

    GB2312/GBK labels decode as GB18030 (a superset). Undecodable bytes under the
    chosen charset fall back to UTF-8 and then GB18030 before giving up.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return _decode_with(body[len(bom) :], [encoding])
    if not body.isascii():
        # Non-ASCII text in GBK or Latin-1 is practically never valid UTF-8, while
        # servers that label a UTF-8 feed "charset=gbk" are common; valid UTF-8 wins.
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            pass
    candidates: list[str] = []
    header_charset = _charset_from_header(content_type)
    if header_charset:
        candidates.append(header_charset)
    declared = _DECLARED_ENCODING.search(body[:200].decode("ascii", "replace"))
    if declared:
        candidates.append(declared.group(1))
    candidates.extend(["utf-8", "gb18030"])
    return _decode_with(body, candidates)


def _decode_with(body: bytes, candidates: list[str]) -> str:
    tried: list[str] = []
    for label in candidates:
        encoding = _normalise_encoding(label)
        if encoding is None or encoding in tried:
            continue
        tried.append(encoding)
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _bad("rss.charset", f"cannot decode the feed (tried {', '.join(tried) or 'no known charset'})")


def _normalise_encoding(label: str) -> str | None:
    lowered = label.strip().lower()
    if lowered in _GB_ALIASES:
        return "gb18030"
    try:
        name = codecs.lookup(lowered).name
    except LookupError:
        return None
    if name in {"utf-16", "utf-32"}:
        return None  # without a BOM the byte order is unknown; let the other candidates try
    return name


def _charset_from_header(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1) if match else None


def _check_document(text: str, content_type: str | None) -> bytes:
    """Refuse what is not a feed or carries a DTD, and return UTF-8 bytes for feedparser."""
    text = text.lstrip("\ufeff")
    head = text[:_PROLOG_LIMIT]
    if head.lstrip().startswith(("{", "[")):
        raise _not_a_feed("the feed address returned JSON (often an RSSHub error) instead of a feed")
    # Entity declarations are what amplification attacks need; refusing them anywhere
    # in the document (not only in a DTD) also covers the loose parser's fallback.
    if _ENTITY.search(text):
        raise _bad("rss.entity", "the feed declares XML entities, which are refused as unsafe")
    position = _skip_prolog_noise(head, 0)
    start = 0
    declaration = _XML_DECLARATION.match(head)
    if declaration is not None:
        start = declaration.end()
    doctype = _DOCTYPE.match(head, position)
    if doctype is not None:
        name_match = _ROOT_NAME.match("<" + head[doctype.end() :].lstrip())
        if name_match is not None and name_match.group(2).lower() == "html":
            raise _html_page()
        close = head.find(">", doctype.end())
        if close == -1 or "[" in head[doctype.end() : close]:
            raise _bad("rss.doctype", "the feed carries a DTD (internal subset), which is refused as unsafe")
        # A DOCTYPE with only an external identifier (Netscape's RSS 0.91 DTD is the
        # common one) defines nothing; it is dropped so no parser ever looks at it.
        start = close + 1
        position = _skip_prolog_noise(head, start)
    root = _ROOT_NAME.match(head, position)
    root_name = root.group(2).lower() if root is not None else ""
    if root_name not in _FEED_ROOTS:
        if root_name in _HTML_ROOTS or _is_html_type(content_type):
            raise _html_page()
        raise _not_a_feed(f"the feed address returned a document that is not RSS or Atom (<{root_name or '?'}>)")
    # The old declaration goes too: the text is re-encoded as UTF-8, so the encoding
    # it declares would be wrong.
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text[start:]).encode("utf-8")


def _skip_prolog_noise(text: str, position: int) -> int:
    """Skip whitespace, comments and processing instructions (including the XML declaration)."""
    while True:
        match = _PROLOG_NOISE.match(text, position)
        if match is None or match.end() == position:
            return position
        position = match.end()


def _is_html_type(content_type: str | None) -> bool:
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() in {"text/html", "application/xhtml+xml"}


def _html_page() -> ConnectorError:
    return _not_a_feed(
        "the feed address returned a web page instead of a feed (a login page, a firewall block "
        "or a moved feed); open the address in a browser and update the account's feed URL"
    )


def _run_feedparser(document: bytes) -> Mapping[str, object]:
    # The charset is fixed to UTF-8 because the document was re-encoded above. No
    # content-location is passed: feedparser would resolve bare guids against it,
    # and ids would then change whenever the feed's address does. Relative links
    # are resolved against the feed URL in _safe_link instead.
    headers = {"content-type": "application/xml; charset=utf-8"}
    with warnings.catch_warnings():
        # feedparser 6.0 warns (DeprecationWarning) from its own compatibility
        # shims; the fields used here are read with dict.get, which bypasses them,
        # so any warning left is feedparser-internal and not actionable here.
        warnings.simplefilter("ignore", DeprecationWarning)
        result: Mapping[str, object] = feedparser.parse(
            io.BytesIO(document),
            response_headers=headers,
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    return result


def _field(entry: Mapping[str, object], key: str) -> object:
    # dict.get bypasses FeedParserDict.__getitem__, which maps "updated" to
    # "published" with a DeprecationWarning instead of reporting it missing.
    return dict.get(entry, key)  # type: ignore[arg-type]


def _text_field(entry: Mapping[str, object], key: str) -> str:
    value = _field(entry, key)
    return value if isinstance(value, str) else ""


def _entry_to_post(
    entry: Mapping[str, object], *, base_url: str, fetched_at: datetime | None
) -> FetchedPost | None:
    title = html_to_text(_text_field(entry, "title"), MAX_TITLE_CHARS)
    link = _safe_link(_text_field(entry, "link"), base_url=base_url)
    raw_date, published_at = _entry_date(entry)
    updated_raw = _text_field(entry, "updated")
    updated_at = parse_date_text(updated_raw) if updated_raw else None
    date_estimated = False
    if published_at is None:
        published_at = updated_at
    if published_at is None:
        if fetched_at is None:
            return None
        published_at, date_estimated = fetched_at, True
    summary_html = _text_field(entry, "summary")
    content_html = _longest_content(entry)
    body = html_to_text(content_html or summary_html, MAX_BODY_CHARS)
    digest = html_to_text(summary_html, MAX_DIGEST_CHARS) if summary_html else clip(body, MAX_DIGEST_CHARS)
    author = clip(_text_field(entry, "author").strip(), MAX_AUTHOR_CHARS) or None
    external_id = _entry_id(entry, link=link, title=title, raw_date=raw_date)
    if not (title or body or link):
        return None
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


def _entry_date(entry: Mapping[str, object]) -> tuple[str, datetime | None]:
    """The raw date string and its reading: published, then created, then feedparser's guess."""
    for key in ("published", "created"):
        raw = _text_field(entry, key).strip()
        if raw:
            parsed = parse_date_text(raw)
            if parsed is None:
                parsed = _feedparser_date(entry, f"{key}_parsed")
            return raw, parsed
    raw_updated = _text_field(entry, "updated").strip()
    return raw_updated, None


def _feedparser_date(entry: Mapping[str, object], key: str) -> datetime | None:
    """feedparser's own reading (UTC) for formats this module does not know."""
    value = _field(entry, key)
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except ValueError:
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


def _safe_link(link: str, *, base_url: str) -> str:
    """The entry link made absolute; only http(s) is kept, never ``javascript:`` or ``file:``."""
    link = link.strip()
    if not link or len(link) > MAX_URL_CHARS:
        return ""
    try:
        link = urljoin(base_url, link)
        scheme = urlsplit(link).scheme.lower()
    except ValueError:
        return ""
    return link if scheme in {"http", "https"} else ""


def _entry_id(entry: Mapping[str, object], *, link: str, title: str, raw_date: str) -> str:
    """The entry's guid/id, or a stable hash of link, title and date when it has none.

    An over-long id is hashed rather than cut, so two ids sharing a long prefix stay
    distinct.
    """
    guid = _text_field(entry, "id").strip()
    if guid:
        if len(guid) <= MAX_ID_CHARS:
            return guid
        return "sha256:" + hashlib.sha256(guid.encode("utf-8")).hexdigest()
    material = "\n".join((link, title, raw_date))
    return "sha256:" + hashlib.sha256(material.encode("utf-8")).hexdigest()


class FeedConnector:
    """Reads an account through its feed URL with a conditional GET."""

    platform = "rss"

    def __init__(self, http: HttpClient) -> None:
        self._http = http

    async def fetch(
        self, account: AccountRef, *, state: FetchState, with_comments: bool, now: datetime
    ) -> FetchResult:
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        response = await self._http.request("GET", account.source, platform=self.platform, headers=headers)
        if response.status == 304:
            return FetchResult(not_modified=True, requests=1)
        # XML parsing of a large feed takes tens of milliseconds: off the event loop (the window's thread).
        page = await asyncio.to_thread(
            parse_feed, response.body, content_type=response.content_type, url=account.source, fetched_at=now
        )
        # Remember validators only after a successful parse, so a broken response is refetched whole.
        state.etag = response.headers.get("etag")
        state.last_modified = response.headers.get("last-modified")
        return FetchResult(posts=page.items, requests=1)
