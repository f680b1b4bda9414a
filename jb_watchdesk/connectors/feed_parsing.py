"""RSS, Atom and JSON Feed documents as posts: :func:`parse_feed`, the pure part of the feed connector.

feedparser only ever sees bytes from memory (``io.BytesIO``), never a URL or a path,
because given those it fetches or opens them itself.

Formats: RSS 2.0 (https://www.rssboard.org/rss-specification), Atom (RFC 4287),
RSS 1.0/RDF (https://web.resource.org/rss/1.0/spec), read through feedparser 6.0
(https://feedparser.readthedocs.io/); JSON Feed 1.0 and 1.1
(https://www.jsonfeed.org/version/1.1/), read here. The bytes are decoded by
:func:`~jb_watchdesk.connectors.feed_charset.decode_feed` and each entry becomes a post
in :mod:`jb_watchdesk.connectors.feed_entries`.

Measured with feedparser 6.0.14 before writing this module:

- An internal entity repeated in the loose parser expands without limit, so DTD
  internal subsets and ENTITY declarations are refused before feedparser runs.
- A numeric character reference to a surrogate (``&#xD83D;``) or beyond U+10FFFF
  raises inside feedparser, so such references are replaced before it runs.
"""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Final, cast

import feedparser

from jb_watchdesk.connectors.base import (
    MAX_AUTHOR_CHARS,
    MAX_BODY_CHARS,
    MAX_DIGEST_CHARS,
    MAX_ITEMS_PER_PAGE,
    MAX_TITLE_CHARS,
    ConnectorError,
    ErrorKind,
    FetchedPost,
    ParsedPage,
    clip,
    platform_detail,
)
from jb_watchdesk.connectors.feed_charset import decode_feed
from jb_watchdesk.connectors.feed_entries import (
    build_post,
    channel_base,
    content_id,
    entry_fingerprint,
    entry_to_post,
    read_date,
    safe_link,
    shared_guids,
    text_field,
)
from jb_watchdesk.connectors.html_text import html_to_text, normalise_text, text_or_html

MAX_FEED_BYTES: Final = 10 * 1024 * 1024
DEFAULT_MAX_ITEMS: Final = 200

_FEED_ROOTS: Final = frozenset({"rss", "feed", "rdf"})
_HTML_ROOTS: Final = frozenset({"html", "head", "body", "meta", "title", "script", "div", "p", "form", "link"})
_XML_DECLARATION: Final = re.compile(r"""^<\?xml[^>]{0,200}\?>""")
_PROLOG_NOISE: Final = re.compile(r"""\s+|<!--.*?-->|<\?.*?\?>""", re.DOTALL)
_DOCTYPE: Final = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
_ENTITY: Final = re.compile(r"<!ENTITY\b", re.IGNORECASE)
_ROOT_NAME: Final = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_CHARACTER_REFERENCE: Final = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,12})|([0-9]{1,12}));")
# How far into the document the prolog (declaration, comments, DOCTYPE) may reach.
_PROLOG_LIMIT: Final = 65_536
_JSON_FEED_VERSIONS: Final = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")


def parse_feed(
    body: bytes,
    *,
    content_type: str | None,
    url: str,
    max_items: int = DEFAULT_MAX_ITEMS,
    fetched_at: datetime | None = None,
) -> ParsedPage[FetchedPost]:
    """The posts of an RSS, Atom or JSON Feed response body.

    ``content_type`` is the response's Content-Type header (its charset is honoured),
    ``url`` the feed's address (the last base for relative links; never fetched),
    ``fetched_at`` (timezone-aware) when the body was fetched. At most ``max_items``
    (capped at :data:`MAX_ITEMS_PER_PAGE`) posts are returned; ``skipped`` counts the
    rest and the unusable ones.

    Dates: a date before 2000, or more than a day after ``fetched_at``, is unknown. An
    entry with no usable date gets ``published_at=fetched_at`` and
    ``date_estimated=True``, or is skipped when ``fetched_at`` is not given.

    Ids: the entry's guid/id; when it is missing, a placeholder (``N/A``, ``0``…) or
    carried by more than one (different) entry of the same document, ``sha256:`` of
    link, title and raw date instead, for every entry that carries it, so the same entry
    gets the same id on every poll wherever it sits in the feed.

    Links: made absolute against the channel's link, then the feed URL (an
    ``xml:base`` in the document is applied by feedparser first); only http(s) is kept.

    Truncation: a document without the closing tag of its root element (``</rss>``,
    ``</feed>``, ``</rdf:RDF>``) was cut short; its last entry is dropped (counted in
    ``skipped``) as possibly unfinished, and the page has ``complete=False``.

    Raises :class:`ConnectorError`: ``not_a_feed`` for an HTML page or JSON that is not a
    JSON Feed (a WAF block, a login wall, an RSSHub error), ``bad_payload`` for an empty,
    oversized, malformed or DTD-carrying document. Undecodable bytes never fail the
    whole feed: they become U+FFFD.
    """
    if len(body) > MAX_FEED_BYTES:
        raise _bad("rss.too_large", f"the feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    if not body.strip():
        raise _bad("rss.empty", "the feed address returned an empty response")
    limit = max(0, min(max_items, MAX_ITEMS_PER_PAGE))
    text = decode_feed(body, content_type).lstrip("\ufeff")
    if text[:_PROLOG_LIMIT].lstrip().startswith(("{", "[")):
        return _parse_json_feed(text, url=url, limit=limit, fetched_at=fetched_at)
    document, complete = _check_document(text, content_type)
    parsed = _run_feedparser(document)
    entries = list(cast("Iterable[object]", parsed.get("entries") or []))
    skipped = 0
    if not complete and entries:
        # A body cut short ends inside its last entry, or may: stored now, that entry
        # would keep a half link and an estimated date, and come back whole on the next
        # poll as a second post. It is left for the next, complete, response.
        entries.pop()
        skipped += 1
    if (parsed.get("bozo") or not complete) and not entries:
        # A broken document that yields nothing must not look like a silent account.
        raise _bad("rss.malformed", "the feed is not well-formed XML and no entries could be read")
    feed_info = cast("Mapping[str, object]", parsed.get("feed") or {})
    base_url = channel_base(text_field(feed_info, "link"), feed_url=url)
    shared = shared_guids(
        (text_field(entry, "id"), entry_fingerprint(entry)) for entry in entries if isinstance(entry, Mapping)
    )
    posts: list[FetchedPost] = []
    taken: set[str] = set(shared)
    for entry in entries:
        post = None
        if len(posts) < limit and isinstance(entry, Mapping):
            post = entry_to_post(entry, base_url=base_url, fetched_at=fetched_at, taken=taken)
        if post is None:
            skipped += 1
        else:
            posts.append(post)
    title = html_to_text(text_field(feed_info, "title"), MAX_TITLE_CHARS) or None
    return ParsedPage(items=tuple(posts), skipped=skipped, title=title, complete=complete)


def _bad(code: str, reason: str) -> ConnectorError:
    return ConnectorError(ErrorKind.BAD_PAYLOAD, reason, code=code)


def _not_a_feed(reason: str) -> ConnectorError:
    return ConnectorError(ErrorKind.NOT_A_FEED, reason, code="rss.not_a_feed")


def _check_document(text: str, content_type: str | None) -> tuple[bytes, bool]:
    """Refuse what is not a feed or carries a DTD; return UTF-8 bytes for feedparser and
    whether the document is complete (:func:`_has_root_end_tag`)."""
    head = text[:_PROLOG_LIMIT]
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
    # it declares would be wrong. Lone surrogates (from a UTF-16 body) cannot be
    # encoded, so they become U+FFFD like any other broken character.
    body = _CHARACTER_REFERENCE.sub(_safe_reference, text[start:])
    complete = root is not None and _has_root_end_tag(text, (root.group(1) or "") + root.group(2))
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8", "replace"), complete


def _has_root_end_tag(text: str, root: str) -> bool:
    """Whether the root element's end tag (``</rss>``, ``</feed>``, ``</rdf:RDF>``) is near the end.

    XML 1.0 §3 (https://www.w3.org/TR/xml/#sec-starttags): a document ends with its root
    element's end tag, names matched case-sensitively. The tag is searched in the last
    stretch of the text rather than required last, because some servers append a
    comment or a stray warning after it; the document still ended there.
    """
    return re.search(rf"</{re.escape(root)}\s*>", text[-_PROLOG_LIMIT:]) is not None


def _safe_reference(match: re.Match[str]) -> str:
    """A numeric character reference, or U+FFFD's when it names no character XML allows.

    feedparser raises on references to surrogates (``&#xD83D;``, half an emoji) and
    beyond U+10FFFF; NUL and the other C0 controls are not XML characters either.
    """
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    allowed = (
        code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
    )
    return match.group(0) if allowed else "&#xFFFD;"


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
    # are resolved against the channel link and the feed URL in safe_link instead.
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


def _json_fingerprint(item: Mapping[str, object]) -> str:
    """A digest of a JSON Feed item's content, key order aside."""
    try:
        return content_id(json.dumps(item, sort_keys=True, ensure_ascii=False, default=str))
    except (TypeError, ValueError, RecursionError):
        return content_id(repr(sorted(item.items(), key=lambda pair: str(pair[0]))))


def _parse_json_feed(
    text: str, *, url: str, limit: int, fetched_at: datetime | None
) -> ParsedPage[FetchedPost]:
    """The posts of a JSON Feed 1.0/1.1 document (https://www.jsonfeed.org/version/1.1/).

    Items give ``id``, ``url`` (else ``external_url``), ``title``, ``content_html`` or
    ``content_text``, ``summary``, ``date_published`` and ``date_modified`` (RFC 3339),
    and ``authors`` (1.1) or ``author`` (1.0), falling back to the feed's. Relative
    URLs resolve against ``home_page_url``, then the feed URL. Any other JSON (an
    RSSHub error object) is ``not_a_feed``.
    """
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise _not_a_feed("the feed address returned broken JSON instead of a feed") from None
    version = document.get("version") if isinstance(document, dict) else None
    items = document.get("items") if isinstance(document, dict) else None
    if not (isinstance(version, str) and version.startswith(_JSON_FEED_VERSIONS) and isinstance(items, list)):
        raise _not_a_feed(_json_error_reason(document))
    base_url = channel_base(_json_str(document, "home_page_url"), feed_url=url)
    feed_author = _json_author(document)
    shared = shared_guids((_json_str(item, "id"), _json_fingerprint(item)) for item in items if isinstance(item, dict))
    posts: list[FetchedPost] = []
    taken: set[str] = set(shared)
    skipped = 0
    for item in items:
        post = None
        if len(posts) < limit and isinstance(item, dict):
            post = _json_item_to_post(
                item, base_url=base_url, feed_author=feed_author, fetched_at=fetched_at, taken=taken
            )
        if post is None:
            skipped += 1
        else:
            posts.append(post)
    title = text_or_html(_json_str(document, "title"), MAX_TITLE_CHARS) or None
    return ParsedPage(items=tuple(posts), skipped=skipped, title=title)


def _json_error_reason(document: object) -> str:
    """What to tell the officer about JSON that is not a JSON Feed, with RSSHub's own message if any."""
    reason = "the feed address returned JSON that is not a feed (often an RSSHub error)"
    error = document.get("error") if isinstance(document, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    detail = platform_detail(message, 120) if isinstance(message, str) else ""
    return f"{reason}: {detail}" if detail else reason


def _json_str(item: Mapping[str, object], key: str) -> str:
    value = item.get(key)
    if isinstance(value, str):
        return value
    # JSON Feed: an id given as a number must be read as a string.
    if key == "id" and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _json_author(item: Mapping[str, object]) -> str | None:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    for author in candidates[:10]:
        name = author.get("name") if isinstance(author, dict) else None
        if isinstance(name, str) and name.strip():
            return clip(normalise_text(name, MAX_AUTHOR_CHARS), MAX_AUTHOR_CHARS)
    return None


def _json_item_to_post(
    item: Mapping[str, object],
    *,
    base_url: str,
    feed_author: str | None,
    fetched_at: datetime | None,
    taken: set[str],
) -> FetchedPost | None:
    title = text_or_html(_json_str(item, "title"), MAX_TITLE_CHARS)
    link = safe_link(_json_str(item, "url") or _json_str(item, "external_url"), base_url=base_url)
    content_html = _json_str(item, "content_html")
    if content_html:
        body = html_to_text(content_html, MAX_BODY_CHARS)
    else:
        body = normalise_text(_json_str(item, "content_text")[: 10 * MAX_BODY_CHARS], MAX_BODY_CHARS)
    summary = _json_str(item, "summary")
    digest = text_or_html(summary, MAX_DIGEST_CHARS) if summary else clip(body, MAX_DIGEST_CHARS)
    published_raw = _json_str(item, "date_published").strip()
    modified_raw = _json_str(item, "date_modified").strip()
    published_at = read_date(published_raw, fetched_at=fetched_at) if published_raw else None
    updated_at = read_date(modified_raw, fetched_at=fetched_at) if modified_raw else None
    return build_post(
        guid=_json_str(item, "id"),
        title=title,
        body=body,
        digest=digest,
        link=link,
        raw_date=published_raw or modified_raw,
        published_at=published_at,
        updated_at=updated_at,
        author=_json_author(item) or feed_author,
        fetched_at=fetched_at,
        taken=taken,
    )
