"""RSS, Atom and JSON Feed: RSSHub and WeWe RSS routes and websites' own feeds.

This module holds the pure part: :func:`parse_feed` turns a response body into posts.
feedparser only ever sees bytes from memory (``io.BytesIO``), never a URL or a path,
because given those it fetches or opens them itself.

Formats: RSS 2.0 (https://www.rssboard.org/rss-specification), Atom (RFC 4287),
RSS 1.0/RDF (https://web.resource.org/rss/1.0/spec), read through feedparser 6.0
(https://feedparser.readthedocs.io/); JSON Feed 1.0 and 1.1
(https://www.jsonfeed.org/version/1.1/), read here. Charset rules follow RFC 7303 §3
(the Content-Type charset wins over the XML declaration) and XML 1.0 appendix F
(https://www.w3.org/TR/xml/#sec-guessing: UTF-16/UTF-32 recognised from the first
bytes when there is no byte order mark).

Measured with feedparser 6.0.14 before writing this module:

- GB18030 bytes with neither a declaration nor a header charset come out as
  windows-1252 mojibake; with a header charset feedparser decodes them but marks the
  result bozo. So the body is decoded here and handed over as UTF-8 with a fresh XML
  declaration.
- ``2024年5月1日 08:00`` is read as 1 November 2024, an epoch ``1714521600`` as 2017
  (its loose ISO 8601 reader guesses), and zone-less dates as UTC; so dates are parsed
  here from the raw strings (:func:`parse_date_text`), feedparser's stricter readers
  are a fallback, and every result passes one range gate (:func:`plausible_date`).
- An internal entity repeated in the loose parser expands without limit, so DTD
  internal subsets and ENTITY declarations are refused before feedparser runs.
- A numeric character reference to a surrogate (``&#xD83D;``) or beyond U+10FFFF
  raises inside feedparser, so such references are replaced before it runs.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import io
import json
import re
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import feedparser
import feedparser.datetimes

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
    platform_detail,
)
from jb_watchdesk.connectors.dates import parse_date_text, plausible_date
from jb_watchdesk.connectors.html_text import html_to_text, normalise_text, text_or_html
from jb_watchdesk.domain.models import CONTENT_ID_PREFIX

MAX_FEED_BYTES: Final = 10 * 1024 * 1024
DEFAULT_MAX_ITEMS: Final = 200

_FEED_ROOTS: Final = frozenset({"rss", "feed", "rdf"})
_HTML_ROOTS: Final = frozenset({"html", "head", "body", "meta", "title", "script", "div", "p", "form", "link"})
# Labels that name a subset of a larger charset that servers send under the smaller
# name (as the WHATWG Encoding Standard maps them): decoding with the superset never
# loses a character that a server mislabelled as GB2312, Big5, Shift_JIS or EUC-KR.
_SUPERSETS: Final = {
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "gb_2312-80"), "gb18030"),
    **dict.fromkeys(("big5", "big5-tw", "csbig5", "x-x-big5", "cn-big5"), "big5hkscs"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis"), "cp932"),
    **dict.fromkeys(("euc-kr", "euc_kr", "ks_c_5601-1987", "ksc5601", "cseuckr"), "cp949"),
}
_GB_FAMILY: Final = frozenset({"gb18030", "gbk", "gb2312", "hz"})
# The other East Asian multi-byte charsets (Python codec names) charset-normalizer may name.
_EAST_ASIAN: Final = frozenset(
    {
        "big5", "big5hkscs", "cp950", "cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp",
        "euc_jis_2004", "euc_jisx0213", "iso2022_jp", "iso2022_jp_2", "iso2022_kr", "euc_kr", "cp949", "johab",
    }
)  # fmt: skip
# Codecs that Python can look up but that are not a document's charset: transforms,
# escape formats, and UTF-16/32 (whose byte order is read from the bytes instead).
_NOT_CHARSETS: Final = ("idna", "punycode", "unicode_escape", "raw_unicode_escape", "undefined", "utf_16", "utf_32")
# A charset is taken as right when at most one non-ASCII character in this many fails
# to decode (a CMS that cut one multi-byte character in half); more, and it is wrong.
_TOLERATED_ERROR_SHARE: Final = 20
# Bytes labelled UTF-8 are read as UTF-8, damage and all, when at least this many
# non-ASCII characters decode for each one that does not. Measured: a UTF-8 feed whose
# CMS cut six titles mid-character decodes 67 characters to 6 broken; GB18030, Big5,
# Shift_JIS and EUC-KR text read as UTF-8 decodes 0.15 to 0.35 per broken one.
_MOSTLY_UTF8_RATIO: Final = 2
# charset-normalizer reads this much of an unlabelled body; enough for a feed's items.
_DETECTION_SAMPLE: Final = 256 * 1024
# charset-normalizer's "chaos" (0 to 1, how garbled a decoding looks) within which
# GB18030 counts as tied with its first guess. Measured on feed samples: short GBK
# titles came within 0.03 of a Korean or Japanese first guess; real Big5, Shift_JIS
# and EUC-KR text left GB18030 0.07 or more behind.
_DETECTION_TIE: Final = 0.03
_CHARSET_PARAM: Final = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_XML_DECLARATION: Final = re.compile(r"""^<\?xml[^>]{0,200}\?>""")
_DECLARED_ENCODING: Final = re.compile(r"""encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_PROLOG_NOISE: Final = re.compile(r"""\s+|<!--.*?-->|<\?.*?\?>""", re.DOTALL)
_DOCTYPE: Final = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
_ENTITY: Final = re.compile(r"<!ENTITY\b", re.IGNORECASE)
_ROOT_NAME: Final = re.compile(r"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_CHARACTER_REFERENCE: Final = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,12})|([0-9]{1,12}));")
# How far into the document the prolog (declaration, comments, DOCTYPE) may reach.
_PROLOG_LIMIT: Final = 65_536
_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
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
    text = _decode(body, content_type).lstrip("\ufeff")
    if text[:_PROLOG_LIMIT].lstrip().startswith(("{", "[")):
        return _parse_json_feed(text, url=url, limit=limit, fetched_at=fetched_at)
    document, complete = _check_document(text, content_type)
    parsed = _run_feedparser(document)
    entries = list(parsed.get("entries") or [])
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
    feed_info = parsed.get("feed") or {}
    base_url = _channel_base(_text_field(feed_info, "link"), feed_url=url)
    shared = _shared_guids(
        (_text_field(entry, "id"), _entry_fingerprint(entry)) for entry in entries if isinstance(entry, Mapping)
    )
    posts: list[FetchedPost] = []
    taken: set[str] = set(shared)
    for entry in entries:
        post = None
        if len(posts) < limit and isinstance(entry, Mapping):
            post = _entry_to_post(entry, base_url=base_url, fetched_at=fetched_at, taken=taken)
        if post is None:
            skipped += 1
        else:
            posts.append(post)
    title = html_to_text(_text_field(feed_info, "title"), MAX_TITLE_CHARS) or None
    return ParsedPage(items=tuple(posts), skipped=skipped, title=title, complete=complete)


def _bad(code: str, reason: str) -> ConnectorError:
    return ConnectorError(ErrorKind.BAD_PAYLOAD, reason, code=code)


def _not_a_feed(reason: str) -> ConnectorError:
    return ConnectorError(ErrorKind.NOT_A_FEED, reason, code="rss.not_a_feed")


def _decode(body: bytes, content_type: str | None) -> str:
    """The body as text; undecodable bytes become U+FFFD instead of failing the feed.

    In order: a byte order mark; UTF-16/UTF-32 recognised from the first bytes (XML 1.0
    appendix F); ASCII; UTF-8 when the bytes are UTF-8 but for a few broken characters
    (servers label UTF-8 feeds "gbk" often enough that the bytes win); UTF-8 with more
    damage when the header or the declaration says UTF-8 and the bytes still look like
    it (:func:`_mostly_utf8`); the header charset, then the XML declaration, each taken
    only when the bytes fit it; and last charset-normalizer's detection, with GB18030
    where it agrees or cannot tell.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, "replace")
    wide = _sniff_wide_encoding(body[:4])
    if wide is not None:
        return body.decode(wide, "replace")
    if body.isascii():
        return body.decode("ascii")
    text, broken = _decode_counting(body, "utf-8")
    if _fits(text, broken):
        return text
    declared = _DECLARED_ENCODING.search(body[:200].decode("ascii", "replace"))
    labels = (_charset_from_header(content_type), declared.group(1) if declared else None)
    # A CMS that cuts titles at a byte count leaves more broken characters than _fits
    # tolerates; handed to detection, such a feed came out as GB18030 mojibake, which
    # hides every word from the scanner. A UTF-8 label is kept unless the bytes are
    # plainly another charset.
    labelled_utf8 = any(label and _normalise_encoding(label) == "utf-8" for label in labels)
    if labelled_utf8 and _mostly_utf8(body, text, broken):
        return text
    for label in labels:
        encoding = _normalise_encoding(label) if label else None
        if encoding is None or encoding == "utf-8":
            continue  # utf-8 was tried above: the bytes do not fit it, so the label is wrong
        try:
            text, broken = _decode_counting(body, encoding)
        except (LookupError, UnicodeError, ValueError, TypeError):
            continue
        if _fits(text, broken):
            return text
    return _detect_and_decode(body)


def _sniff_wide_encoding(head: bytes) -> str | None:
    """UTF-16 or UTF-32 from the zero bytes around the first ASCII character, else None.

    XML 1.0 appendix F: ``00 00 00 3C`` is UTF-32BE, ``3C 00 00 00`` UTF-32LE,
    ``00 3C 00 3F`` UTF-16BE, ``3C 00 3F 00`` UTF-16LE. The pattern is taken from the
    zeros alone, so a document that starts ``<rss`` or with whitespace is found too.
    """
    if len(head) < 4:
        return None
    zeros = tuple(byte == 0 for byte in head)
    if zeros == (True, True, True, False):
        return "utf-32-be"
    if zeros == (False, True, True, True):
        return "utf-32-le"
    if zeros == (True, False, True, False):
        return "utf-16-be"
    if zeros == (False, True, False, True):
        return "utf-16-le"
    return None


def _decode_counting(body: bytes, encoding: str) -> tuple[str, int]:
    """``body`` decoded with replacement, and how many replacement characters that added."""
    text = body.decode(encoding, "replace")
    # A U+FFFD already present in the source is not a decoding error.
    genuine = body.count("\ufffd".encode(encoding)) if encoding.startswith("utf") else 0
    return text, text.count("\ufffd") - genuine


def _fits(text: str, broken: int) -> bool:
    """Whether a decoding with ``broken`` replacements is the right charset with a few bad bytes."""
    if broken == 0:
        return True
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    decoded = non_ascii - broken
    return decoded > 0 and broken * _TOLERATED_ERROR_SHARE <= decoded


def _mostly_utf8(body: bytes, text: str, broken: int) -> bool:
    """Whether bytes that are not clean UTF-8 (``text``, with ``broken`` replacements) are still UTF-8.

    True when at least :data:`_MOSTLY_UTF8_RATIO` non-ASCII characters decoded for each
    broken one, or when GB18030, the charset detection would fall back to, breaks no
    fewer. GBK or Big5 bytes mislabelled UTF-8 decode mostly into replacements (their
    trail bytes are rarely UTF-8 continuation bytes), so they still go to detection.
    """
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if non_ascii - broken >= _MOSTLY_UTF8_RATIO * broken:
        return True
    _, gb_broken = _decode_counting(body, "gb18030")
    return broken <= gb_broken


def _detect_and_decode(body: bytes) -> str:
    """An unlabelled (or mislabelled) non-UTF-8 body, decoded with charset-normalizer's guess.

    Chinese government sites send GB18030 (or its subsets) far more than anything else,
    so GB18030 is kept when the detector names it, cannot tell (no guess, or GB18030 as
    clean as its first guess: a few characters fit Chinese, Korean and Japanese alike),
    or guesses a charset other than an East Asian multi-byte one for bytes that read
    cleanly as Chinese in GB18030.
    """
    matches = list(charset_normalizer.from_bytes(body[:_DETECTION_SAMPLE]))
    guess = _normalise_encoding(matches[0].encoding) if matches else None
    gb_chaos = min((match.chaos for match in matches if _normalise_encoding(match.encoding) == "gb18030"), default=None)
    near_tie = gb_chaos is not None and gb_chaos <= matches[0].chaos + _DETECTION_TIE
    if guess is None or guess == "gb18030" or near_tie or (guess not in _EAST_ASIAN and _reads_as_chinese(body)):
        guess = "gb18030"
    return body.decode(guess, "replace")


def _reads_as_chinese(body: bytes) -> bool:
    """Whether the body decodes as GB18030 without error, mostly into common CJK characters."""
    try:
        text = body.decode("gb18030")
    except UnicodeDecodeError:
        return False
    non_ascii = [character for character in text[:20_000] if ord(character) > 0x7F]
    common = sum(1 for character in non_ascii if "\u4e00" <= character <= "\u9fff" or "\u3000" <= character <= "\u303f")
    return bool(non_ascii) and common * 10 >= len(non_ascii) * 9


def _normalise_encoding(label: str) -> str | None:
    """A Python codec name for a charset label, or None when it names no usable charset."""
    lowered = label.strip().lower()
    lowered = _SUPERSETS.get(lowered, lowered)
    try:
        info = codecs.lookup(lowered)
    except (LookupError, ValueError):
        return None
    name = info.name.replace("-", "_")
    if not getattr(info, "_is_text_encoding", True) or name.startswith(_NOT_CHARSETS):
        return None
    if name in _GB_FAMILY:
        return "gb18030"
    return info.name


def _charset_from_header(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1) if match else None


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
    # are resolved against the channel link and the feed URL in _safe_link instead.
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
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)  # type: ignore[arg-type]


def _text_field(entry: Mapping[str, object], key: str) -> str:
    value = _field(entry, key)
    return value if isinstance(value, str) else ""


def _entry_to_post(
    entry: Mapping[str, object], *, base_url: str, fetched_at: datetime | None, taken: set[str]
) -> FetchedPost | None:
    """One feedparser entry as a post, or None when it is unusable; adds its id to ``taken``."""
    title = html_to_text(_text_field(entry, "title"), MAX_TITLE_CHARS)
    link = _safe_link(_text_field(entry, "link"), base_url=base_url)
    raw_date, published_at, updated_at = _entry_dates(entry, fetched_at=fetched_at)
    summary_html = _text_field(entry, "summary")
    content_html = _longest_content(entry)
    body = html_to_text(content_html or summary_html, MAX_BODY_CHARS)
    digest = html_to_text(summary_html, MAX_DIGEST_CHARS) if summary_html else clip(body, MAX_DIGEST_CHARS)
    author = clip(_text_field(entry, "author").strip(), MAX_AUTHOR_CHARS) or None
    return _build_post(
        guid=_text_field(entry, "id"),
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


def _build_post(
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
    signature = "entry:" + _content_id(guid, link, title, raw_date, body)
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
        raw = _text_field(entry, key).strip()
        if not raw:
            continue
        raw_first = raw_first or raw
        if published_at is None:
            published_at = read_date(raw, fetched_at=fetched_at)
    updated_raw = _text_field(entry, "updated").strip()
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


def _channel_base(channel_link: str, *, feed_url: str) -> str:
    """The base for relative entry links: the channel's own link when it is http(s), else the feed URL.

    An RSSHub or WeWe RSS route serves items of another site; their relative links
    belong to that site (the channel ``<link>``), not to the RSSHub host.
    """
    link = _safe_link(channel_link, base_url=feed_url)
    return link or feed_url


def _safe_link(link: str, *, base_url: str) -> str:
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


def _content_id(*parts: str) -> str:
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


def _shared_guids(pairs: Iterable[tuple[str, str]]) -> frozenset[str]:
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


def _entry_fingerprint(entry: Mapping[str, object]) -> str:
    """A digest of the raw fields that make a feedparser entry what it is (not its position)."""
    keys = ("id", "link", "title", "published", "created", "updated", "summary")
    fields = [_text_field(entry, key) for key in keys] + [_longest_content(entry)]
    return _content_id(*fields)


def _json_fingerprint(item: Mapping[str, object]) -> str:
    """A digest of a JSON Feed item's content, key order aside."""
    try:
        return _content_id(json.dumps(item, sort_keys=True, ensure_ascii=False, default=str))
    except (TypeError, ValueError, RecursionError):
        return _content_id(repr(sorted(item.items(), key=lambda pair: str(pair[0]))))


def _entry_id(guid: str, *, link: str, title: str, raw_date: str, body: str, taken: set[str]) -> str | None:
    """The entry's id, unique among the ids already ``taken`` in this document; None for a repeat.

    The guid/id when it is a real one, not shared by several entries (those are in
    ``taken`` from the start, see :func:`_shared_guids`) and not used by an earlier
    entry; otherwise a stable hash of link, title and raw date (the same entry gets the
    same id on every poll, wherever it sits in the feed), with the body added when two
    entries share all three. None when an earlier entry was identical in all four: a
    repeat adds nothing.
    """
    usable = _usable_guid(guid)
    if usable is not None and usable not in taken:
        return usable
    for candidate in (_content_id(link, title, raw_date), _content_id(link, title, raw_date, body)):
        if candidate not in taken:
            return candidate
    return None


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
    base_url = _channel_base(_json_str(document, "home_page_url"), feed_url=url)
    feed_author = _json_author(document)
    shared = _shared_guids((_json_str(item, "id"), _json_fingerprint(item)) for item in items if isinstance(item, dict))
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
    link = _safe_link(_json_str(item, "url") or _json_str(item, "external_url"), base_url=base_url)
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
    return _build_post(
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


class FeedConnector:
    """Reads an account through its feed URL with a conditional GET.

    Which validators go back, and when a poll asks unconditionally instead, is
    :class:`FetchState`'s policy (:meth:`FetchState.validators`): a Last-Modified in the future
    is never sent back, and a server that keeps answering 304 is read in full after a few.
    """

    platform = "rss"

    def __init__(self, http: HttpClient) -> None:
        self._http = http

    async def fetch(
        self, account: AccountRef, *, state: FetchState, with_comments: bool, now: datetime
    ) -> FetchResult:
        """The feed's posts; ``not_modified`` when a conditional request got 304.

        ``now`` (aware) stamps undated entries and drives the validator policy. Raises
        ConnectorError: the HTTP client's errors, :func:`parse_feed`'s, and ``rss.unexpected_304``
        (transient) for a 304 to a request that carried no validator, which has nothing to be
        "not modified" against (RFC 9110 §15.4.5, https://www.rfc-editor.org/rfc/rfc9110#section-15.4.5).
        """
        validators = state.validators(now=now)
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5", **validators}
        response = await self._http.request("GET", account.source, platform=self.platform, headers=headers)
        if response.status == 304:
            if not validators:
                # Read as "nothing new", this would hide every new post for as long as the server does it.
                raise ConnectorError(
                    ErrorKind.TRANSIENT,
                    f"{urlsplit(account.source).netloc} answered 304 Not Modified to a request that asked for "
                    "the whole feed: the feed was not read; the next poll tries again",
                    code="rss.unexpected_304",
                )
            state.record_not_modified()
            return FetchResult(not_modified=True, requests=1)
        # XML parsing of a large feed takes tens of milliseconds: off the event loop (the window's thread).
        page = await asyncio.to_thread(
            parse_feed, response.body, content_type=response.content_type, url=account.source, fetched_at=now
        )
        # Remember validators only after a successful parse of a whole document, so a broken or
        # cut-short response is refetched whole: its validators name the whole feed, and sent back
        # they would get a 304 (RFC 9110 §13.1.2) over the posts past the cut.
        if getattr(page, "complete", True):
            state.record_full_read(
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                date=response.headers.get("date"),
                now=now,
            )
        return FetchResult(posts=page.items, requests=1)
