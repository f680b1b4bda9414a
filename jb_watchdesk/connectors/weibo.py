"""Sina Weibo (新浪微博): the connector and the platform spec.

:class:`WeiboConnector` reads an account through the open API v2 (https://open.weibo.com/wiki/API)
with the account's OAuth access token: ``2/statuses/user_timeline.json`` for posts,
``2/statuses/show.json?isGetLongText=1`` for the full text of long ones,
``2/comments/timeline.json`` (or ``2/comments/show.json`` per post) for comments. The
responses are read by the pure parsers of :mod:`jb_watchdesk.connectors.weibo_parsing`,
which also holds Weibo's error table (https://open.weibo.com/wiki/Error_code).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Final

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind, FetchedComment, FetchedPost
from jb_watchdesk.connectors.errors import comment_problem
from jb_watchdesk.connectors.fetching import (
    COMMENT_HORIZON,
    MAX_FULL_TEXT_TRIES,
    POST_HORIZON,
    AccountRef,
    FetchResult,
    FetchState,
    SecretSource,
    missing_secret,
)
from jb_watchdesk.connectors.http import HttpClient
from jb_watchdesk.connectors.paging import Step, Tally, read_comment_round, read_pages
from jb_watchdesk.connectors.platforms import PlatformSpec
from jb_watchdesk.connectors.weibo_parsing import (
    ERRORS,
    PLATFORM,
    Reply,
    classify_error,
    largest_id,
    long_text_ids,
    parse_comment_page,
    parse_long_text,
    parse_user_timeline,
    settle_replies,
    with_full_text,
)
from jb_watchdesk.domain.models import Platform

DEFAULT_API_BASE: Final = "https://api.weibo.com"
_PAGE_SIZE: Final = 100
_COMMENT_PAGE_SIZE: Final = 50
_FEED_PAGE_SIZE: Final = 100
_FEED_PAGES: Final = 20
_ANSWER_STATUSES: Final = frozenset({200, 400, 401, 403})
#: comments kept in memory per account for matching later replies (a month of a busy account)
_KNOWN_COMMENTS: Final = 20_000


class WeiboConnector:
    """Reads a Weibo account through the open API with the account's OAuth access token.

    Weibo tokens cannot be refreshed without the user: an expired one is reported as
    ``auth_expired`` with instructions to authorise the app again.

    Comments come from the account-wide feed ``2/comments/timeline.json`` (comments the
    account received *and* sent, newest first): ``comments/to_me`` holds only what it
    received and its answers would need ``comments/by_me`` as a second feed. One feed read
    by ``since_id`` costs one request a cycle however many posts are open, sees a question
    on a month-old post as soon as it is asked, and puts a reply and the comment it answers
    in the same id order. When the app is refused that feed (a permission error) comments
    are read per post with ``comments/show``, by age tier.
    """

    platform = "weibo"

    def __init__(self, http: HttpClient, secrets: SecretSource) -> None:
        self._http = http
        self._secrets = secrets

    async def _get(self, account: AccountRef, path: str, params: dict[str, object]) -> bytes:
        """One API call's body; the caller counts the request."""
        token = await self._secrets.get(account.id, "access_token")
        if not token:
            raise missing_secret(account, "access_token", platform=PLATFORM)
        base = (account.api_base or DEFAULT_API_BASE).rstrip("/")
        response = await self._http.request(
            "GET", f"{base}{path}", platform=PLATFORM, params={"access_token": token, **params}, ok_statuses=_ANSWER_STATUSES
        )
        if response.status != 200:
            # Weibo reports API errors (expired token, rate limit) as 4xx with a JSON body.
            error = classify_error(response.body)
            if error is not None:
                raise error
            raise ConnectorError(ErrorKind.TRANSIENT, f"Weibo answered HTTP {response.status}", code=f"weibo.http{response.status}")
        return response.body

    async def _post_comments(
        self, account: AccountRef, external_id: str, *, now: datetime, tally: Tally
    ) -> list[FetchedComment]:
        """Every page of one status's comments, replies matched across all of them."""
        replies: list[Reply] = []

        async def page(number: int) -> Step[FetchedComment, int]:
            params: dict[str, object] = {"id": external_id, "count": _COMMENT_PAGE_SIZE, "page": number}
            body = await self._get(account, "/2/comments/show.json", params)
            found = parse_comment_page(body, account_uid=account.source, fetched_at=now)
            replies.extend(found.replies)
            more = number + 1 if found.next_cursor is not None else None
            # A page of nothing but the account's replies is not the end of the list.
            return Step(found.comments, more, empty=not (found.comments or found.replies))

        comments = await read_pages(page, start=1, tally=tally)
        return settle_replies(comments, replies)

    async def _feed_comments(
        self, account: AccountRef, *, state: FetchState, now: datetime, tally: Tally
    ) -> list[FetchedComment]:
        """New comments from the account-wide feed, with replies settled against earlier polls."""
        since = state.comments_since_id
        horizon = now - COMMENT_HORIZON
        replies: list[Reply] = []
        newest: list[str | None] = [since]

        async def page(max_id: str | None) -> Step[FetchedComment, str | None]:
            params: dict[str, object] = {"count": _FEED_PAGE_SIZE}
            if since:
                params["since_id"] = since
            if max_id:
                params["max_id"] = max_id
            body = await self._get(account, "/2/comments/timeline.json", params)
            found = parse_comment_page(body, account_uid=account.source, fetched_at=now)
            replies.extend(found.replies)
            newest.append(found.newest_id)
            oldest = found.oldest_at
            return Step(found.comments, found.next_cursor, empty=oldest is None, last=oldest is not None and oldest < horizon)

        comments = await read_pages(page, start=None, tally=tally, max_pages=_FEED_PAGES)
        # Only comments on the account's own recent posts are the desk's business; the feed
        # also lists what the account said under other people's posts.
        recent = state.recent_posts
        ours = [c for c in comments if c.post_external_id in recent]
        settled = settle_replies(ours, [r for r in replies if r.post_id in recent], known=state.known_comments)
        state.comments_since_id = largest_id(newest)
        known = state.known_comments
        known.update((c.external_id, c) for c in settled)
        kept = sorted((c for c in known.values() if c.post_external_id in recent), key=lambda c: c.created_at)
        state.known_comments = {c.external_id: c for c in kept[-_KNOWN_COMMENTS:]}
        return settled

    async def _comments(
        self, account: AccountRef, *, state: FetchState, now: datetime, tally: Tally
    ) -> tuple[list[FetchedComment], list[ConnectorError], list[str]]:
        if not state.comment_feed_refused:
            try:
                return await self._feed_comments(account, state=state, now=now, tally=tally), [], []
            except ConnectorError as error:
                if error.kind is not ErrorKind.CONFIG:
                    return [], [comment_problem(error, post_id="(all posts)")], []
                state.comment_feed_refused = True
        comments, problems = await read_comment_round(
            state.comment_round(now=now),
            lambda external_id: self._post_comments(account, external_id, now=now, tally=tally),
            state=state,
        )
        note = "Weibo refused the account-wide comment feed to this app; comments are read post by post"
        return comments, problems, [note]

    async def _full_texts(
        self, account: AccountRef, posts: list[FetchedPost], *, state: FetchState, tally: Tally
    ) -> tuple[list[FetchedPost], list[ConnectorError]]:
        """Long posts with their full text; a failure keeps the cut text and is a problem."""
        problems: list[ConnectorError] = []
        done: dict[str, FetchedPost] = {}

        async def one(post: FetchedPost) -> None:
            try:
                tally.requests += 1
                body = await self._get(account, "/2/statuses/show.json", {"id": post.external_id, "isGetLongText": 1})
                done[post.external_id] = with_full_text(post, parse_long_text(body))
                state.pending_full_text.pop(post.external_id, None)
                state.full_text_tries.pop(post.external_id, None)
            except ConnectorError as error:
                tries = state.full_text_tries.get(post.external_id, 0) + 1
                if tries >= MAX_FULL_TEXT_TRIES:
                    state.pending_full_text.pop(post.external_id, None)
                    state.full_text_tries.pop(post.external_id, None)
                    then = f"the desk stops asking after {tries} tries: the first 140 characters are what it has"
                else:
                    state.pending_full_text[post.external_id] = post
                    state.full_text_tries[post.external_id] = tries
                    then = "the full text is tried again next poll"
                problems.append(
                    ConnectorError(
                        error.kind,
                        f"the full text of long post {post.external_id} could not be read ({error.reason}); "
                        f"its first 140 characters are kept and scanned, and {then}",
                        code=f"{error.code}.long_text",
                        retry_after=error.retry_after,
                    )
                )

        await asyncio.gather(*(one(post) for post in posts))
        return [done.get(post.external_id, post) for post in posts], problems

    async def fetch(
        self, account: AccountRef, *, state: FetchState, with_comments: bool, now: datetime
    ) -> FetchResult:
        long_ids: set[str] = set()
        tally = Tally()
        newest = state.since_id
        horizon = state.post_horizon(now=now)

        async def page(max_id: str | None) -> Step[FetchedPost, str | None]:
            nonlocal newest
            params: dict[str, object] = {"uid": account.source, "count": _PAGE_SIZE}
            if state.since_id:
                params["since_id"] = state.since_id
            if max_id:
                params["max_id"] = max_id
            body = await self._get(account, "/2/statuses/user_timeline.json", params)
            found = parse_user_timeline(body, since_id=newest, fetched_at=now)
            long_ids.update(long_text_ids(body))
            newest = found.next_since_id
            more = found.next_cursor if found.has_more else None
            return Step(found.items, more, last=any(p.published_at < horizon for p in found.items))

        posts = await read_pages(page, start=None, tally=tally, keep_partial=True)
        if tally.complete:
            # Only a whole read moves the mark on: the older pages a failed read missed are newer
            # than the old mark, and asking from it again reads them.
            state.since_id = newest
        # A pending post past the horizon is no longer read at all: its full text is not asked for either.
        state.pending_full_text = {k: p for k, p in state.pending_full_text.items() if p.published_at >= now - POST_HORIZON}
        retry = [p for k, p in state.pending_full_text.items() if k not in {post.external_id for post in posts}]
        cut = [p for p in posts if p.external_id in long_ids] + retry
        problems: list[ConnectorError] = []
        if cut:
            full, problems = await self._full_texts(account, cut, state=state, tally=tally)
            by_id = {p.external_id: p for p in full}
            posts = [by_id.get(p.external_id, p) for p in posts] + [by_id[p.external_id] for p in retry]
        state.remember(posts, now=now)
        comments: list[FetchedComment] = []
        notes: list[str] = []
        if with_comments:
            comments, comment_problems, notes = await self._comments(account, state=state, now=now, tally=tally)
            problems += comment_problems
        problems = [*tally.problems, *problems]
        return FetchResult(
            posts=tuple(posts), comments=tuple(comments), requests=tally.requests, notes=tuple(notes), problems=tuple(problems)
        )


SPEC: Final = PlatformSpec(
    platform=Platform.WEIBO,
    secrets=("access_token",),
    connector=WeiboConnector,
    errors=ERRORS,
    simulator_routes=("/2/statuses/user_timeline.json", "/2/statuses/show.json", "/2/comments/timeline.json", "/2/comments/show.json",),
    docs="https://open.weibo.com/wiki/API",
)
