"""The feed routes: ``/rss/KEY`` as RSS 2.0 the way RSSHub serves it, with conditional GET.

The content switches for feeds (odd dates, repeated guids, GB18030, a cut multi-byte
character, hostile characters) are read from the world on every request.
"""

from __future__ import annotations

import email.utils
import hashlib
from typing import Final
from xml.sax.saxutils import escape

from jb_watchdesk.simulator.faults import FaultKind
from jb_watchdesk.simulator.routes.wire import PlatformRoutes, Request, Response, Target, http_date, text_response
from jb_watchdesk.simulator.world import PLACEHOLDER_GUID, ContentKind, SimAccount, SimPost, feed_link, to_datetime

# Where bad_byte cuts: the character after this mark loses its last byte. A private-use
# character the content never holds, removed again from the bytes.
_BAD_BYTE_MARK: Final = "\ue0b7"


class FeedRoutes(PlatformRoutes):
    """The RSS route."""

    def _rss(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        account = target.account
        if account is None:
            return text_response(404, text="Not Found: no such feed")
        if forced is FaultKind.QUOTA:
            return text_response(429, text="Too Many Requests")
        now = self.world.now()
        posts = self.world.feed_items(account, now=now)
        last_modified = max((post.updated(now) for post in posts), default=self.world.history_start)
        encoding = "gb18030" if account.gb18030 else "utf-8"
        parts = self.feed_parts(account, posts=posts, now=now, encoding=encoding, last_modified=last_modified)
        body = b"".join(part.encode(encoding) for part in parts)
        if self.world.content_on(ContentKind.BAD_BYTE, account) and posts:
            body = _cut_one_character(body, marker=_BAD_BYTE_MARK.encode(encoding), encoding=encoding)
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        headers = [("ETag", etag), ("Last-Modified", http_date(last_modified)), ("Cache-Control", "max-age=300")]
        if _not_modified(request, etag=etag, last_modified=last_modified):
            return Response(status=304, headers=headers, content_type="", kind="empty")
        return Response(
            status=200,
            body=body,
            content_type=f"application/rss+xml; charset={encoding}",
            headers=headers,
            kind="xml",
            charset=encoding,
        )

    def feed_document(
        self, account: SimAccount, *, posts: list[SimPost], now: int, encoding: str, last_modified: int
    ) -> str:
        """RSS 2.0 text as RSSHub renders it (the XML declaration names ``encoding``).

        https://www.rssboard.org/rss-specification. The ``bad_byte`` switch acts on the
        encoded bytes and is not in this text.
        """
        parts = self.feed_parts(account, posts=posts, now=now, encoding=encoding, last_modified=last_modified)
        return "".join(parts).replace(_BAD_BYTE_MARK, "")

    def feed_parts(
        self, account: SimAccount, *, posts: list[SimPost], now: int, encoding: str, last_modified: int
    ) -> list[str]:
        """The pieces of :meth:`feed_document`; with ``bad_byte`` on, the newest item's
        description holds :data:`_BAD_BYTE_MARK` before the character to cut."""
        world = self.world
        home = f"https://{account.platform}.example.com/u/{account.key}"
        bad_byte = world.content_on(ContentKind.BAD_BYTE, account)
        parts = [
            f'<?xml version="1.0" encoding="{encoding}"?>\n',
            '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>\n',
            f"<title>{escape(account.name)}</title>\n",
            f"<link>{home}</link>\n",
            f"<description>{escape(account.unit)} {escape(account.name)} - Powered by RSSHub</description>\n",
            "<generator>RSSHub</generator>\n<language>zh-cn</language>\n",
            f"<lastBuildDate>{email.utils.format_datetime(to_datetime(last_modified))}</lastBuildDate>\n",
            "<ttl>5</ttl>\n",
        ]
        for number, post in enumerate(posts):
            text = world.post_text(post, now=now)
            sentences = list(text.sentences)
            if bad_byte and number == 0:
                # The sentence's last character, cut where the CMS's byte limit fell: markup
                # follows, so the broken bytes cannot pair with the next character.
                sentences[0] = sentences[0][:-1] + _BAD_BYTE_MARK + sentences[0][-1]
            paragraphs = "".join(f"<p>{escape(sentence)}</p>" for sentence in sentences)
            hostile = world.hostile_post(account, post)
            parts.append("<item>\n")
            parts.append(f"<title>{escape(text.title)}</title>\n")
            if hostile:
                # In the description, not the title: a feed without guids is identified by
                # title, and the switch should not change which item is which. A character
                # reference is not read inside CDATA, so this description is escaped text.
                marked = hostile.replace("\ud83d", "&#xD83D;")
                parts.append(f"<description>{escape(paragraphs)}{marked}</description>\n")
            else:
                parts.append(f"<description><![CDATA[{paragraphs}]]></description>\n")
            date = world.feed_date(account, post, now=now)
            if date.text is not None:
                parts.append(f"<pubDate>{escape(date.text)}</pubDate>\n")
            guid = world.feed_guid(account, post)
            if guid is not None:
                parts.append(f'<guid isPermaLink="false">{escape(guid)}</guid>\n')
            link = f"{home}/index.html" if guid == PLACEHOLDER_GUID else feed_link(post, account=account)
            parts.append(f"<link>{escape(link)}</link>\n")
            parts.append(f"<author>{escape(account.name)}</author>\n")
            parts.append("</item>\n")
        parts.append("</channel>\n</rss>\n")
        return parts


def _cut_one_character(body: bytes, *, marker: bytes, encoding: str) -> bytes:
    """``body`` without ``marker`` and without the last byte of the character that follows it."""
    position = body.find(marker)
    if position < 0:
        return body
    start = position + len(marker)
    width = 1
    while start + width <= len(body):
        try:
            body[start : start + width].decode(encoding)
            break
        except UnicodeDecodeError:
            width += 1
    return body[:position] + body[start : start + width - 1] + body[start + width :]


def _not_modified(request: Request, *, etag: str, last_modified: int) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins; If-Modified-Since only without it."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        parsed = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if parsed.tzinfo is None:
        return False
    return last_modified <= int(parsed.timestamp())
