"""RSS, Atom and JSON Feed: RSSHub and WeWe RSS routes and websites' own feeds.

This module holds the connector: :class:`FeedConnector` reads a feed URL with a conditional
GET (RFC 9110 §13, https://www.rfc-editor.org/rfc/rfc9110#section-13) and hands the body to
:func:`~jb_watchdesk.connectors.feed_parsing.parse_feed`, the pure part, which reads RSS 2.0
(https://www.rssboard.org/rss-specification), Atom (RFC 4287), RSS 1.0/RDF and JSON Feed
(https://www.jsonfeed.org/version/1.1/). Charsets are handled in
:mod:`jb_watchdesk.connectors.feed_charset`, entries in :mod:`jb_watchdesk.connectors.feed_entries`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from urllib.parse import urlsplit

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.feed_parsing import parse_feed
from jb_watchdesk.connectors.fetching import AccountRef, FetchResult, FetchState
from jb_watchdesk.connectors.http import HttpClient


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
