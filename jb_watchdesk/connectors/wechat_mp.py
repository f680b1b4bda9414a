"""WeChat official accounts (微信公众号): pure parsers for the official API's responses.

Wire formats, as documented by the platform and used by SDKs:

- ``POST cgi-bin/stable_token`` → ``{"access_token", "expires_in"}``:
  https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/getStableAccessToken.html
- ``POST cgi-bin/freepublish/batchget`` (``offset``, ``count`` 1–20, ``no_content``) →
  ``{"total_count", "item_count", "item": [{"article_id", "content": {"news_item": [...],
  "create_time", "update_time"}, "update_time"}]}``; a news_item carries ``title``,
  ``author``, ``digest``, ``content`` (HTML), ``url``, ``is_deleted``:
  https://developers.weixin.qq.com/doc/service/api/public/api_freepublish_batchget
  and api_freepublishgetarticle (field table); wechatpy ``wechatpy/client/api/freepublish.py``.
  Some responses spell the deletion flag ``is_delete``; both are read.
- ``POST cgi-bin/comment/list`` (``msg_data_id``, ``index``, ``begin``, ``count`` < 50,
  ``type``) → ``{"total", "comment": [{"user_comment_id", "openid", "create_time",
  "content", "comment_type", "reply": {"content", "create_time"}}]}``:
  https://developers.weixin.qq.com/doc/offiaccount/Comments_management/Image_Comments_Management_Interface.html
  and the Go SDK BruceMaa/Panda ``wechat/mp/comment.go``.
- Errors arrive as HTTP 200 with ``{"errcode", "errmsg"}``; codes from
  https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final
from urllib.parse import parse_qsl, urlsplit

from jb_watchdesk.connectors.base import (
    MAX_AUTHOR_CHARS,
    MAX_BODY_CHARS,
    MAX_COMMENT_CHARS,
    MAX_DIGEST_CHARS,
    MAX_ID_CHARS,
    MAX_ITEMS_PER_PAGE,
    MAX_TITLE_CHARS,
    MAX_URL_CHARS,
    AccessToken,
    ConnectorError,
    ErrorKind,
    FetchedComment,
    FetchedPost,
    ParsedPage,
    as_bool,
    as_int,
    as_list,
    as_str,
    bad_payload,
)
from jb_watchdesk.connectors.dates import epoch_to_datetime
from jb_watchdesk.connectors.errors import (
    CodeField,
    ErrorRule,
    ErrorTable,
    classify,
    comment_problem,
    comments_paused_problem,
    next_quota_reset,
    raise_for_error,
)
from jb_watchdesk.connectors.fetching import (
    AccountRef,
    FetchResult,
    FetchState,
    SecretSource,
    TokenCache,
    missing_secret,
)
from jb_watchdesk.connectors.html_text import html_to_text, text_or_html
from jb_watchdesk.connectors.http import HttpClient
from jb_watchdesk.connectors.paging import Step, Tally, read_pages
from jb_watchdesk.connectors.platforms import PlatformSpec
from jb_watchdesk.domain.models import Platform

PLATFORM: Final = "wechat"
# A published message holds at most 8 articles; anything beyond a generous margin is
# not a real payload.
_MAX_ARTICLES_PER_ITEM: Final = 20
_IP_IN_MESSAGE: Final = re.compile(r"invalid ip ([0-9a-fA-F.:]{3,45})")

def _ip_placeholder(message: str) -> dict[str, str]:
    """``{ip}`` for the whitelist hint: the address WeChat refused, when its text names one."""
    match = _IP_IN_MESSAGE.search(message[:500])
    return {"ip": f" ({match.group(1)})" if match else ""}


_REFRESH = ErrorRule(
    ErrorKind.AUTH_EXPIRED,
    "the access token was rejected ({detail}); the token is refreshed once, and if that "
    "fails the AppID/AppSecret must be checked",
    refresh_token_once=True,
)

#: WeChat's error codes (HTTP 200 with ``{"errcode", "errmsg"}``); unknown codes are transient.
ERRORS: Final = ErrorTable(
    platform=PLATFORM,
    name="WeChat",
    fields=(CodeField((), "errcode", ("errmsg",)),),
    rules={
        **dict.fromkeys((40001, 40014, 41001, 42001), _REFRESH),
        45009: ErrorRule(
            ErrorKind.QUOTA,
            "the account's daily API quota is used up; polling resumes after the quota resets "
            "(midnight Beijing time, or reset it in the MP admin console)",
        ),
        45011: ErrorRule(
            ErrorKind.QUOTA,
            "API calls are too frequent for this account; polling pauses until the minute quota resets",
            retry_after=60.0,
        ),
        -1: ErrorRule(ErrorKind.TRANSIENT, "the WeChat server is busy; it will be retried"),
        40013: ErrorRule(
            ErrorKind.CONFIG, "the AppID is wrong: copy it again from the MP admin console (设置与开发 → 基本配置)"
        ),
        40125: ErrorRule(
            ErrorKind.CONFIG,
            "the AppSecret is wrong or was reset: generate or copy it in the MP admin console "
            "(设置与开发 → 基本配置) and store it again with `accounts set-secret`",
        ),
        40164: ErrorRule(
            ErrorKind.CONFIG,
            "this workstation's IP address{ip} is not on the account's IP whitelist: add it in the "
            "MP admin console (设置与开发 → 基本配置 → IP白名单)",
        ),
        48001: ErrorRule(
            ErrorKind.CONFIG,
            "this account is not authorised for this API (it needs a verified account of the right "
            "type): check the API permissions in the MP admin console",
        ),
        88000: ErrorRule(ErrorKind.CONFIG, "comments are not enabled for this account or article"),
    },
    placeholders=_ip_placeholder,
    docs="https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html",
)


def classify_error(payload: Mapping[str, object] | bytes) -> ConnectorError | None:
    """The error a WeChat response carries (see :data:`ERRORS`), or ``None`` when ``errcode``
    is absent or 0.

    Never raises: malformed JSON is returned as a ``bad_payload`` error.
    """
    return classify(ERRORS, payload)


def _raise_for_error(payload: Mapping[str, object] | bytes) -> Mapping[str, object]:
    return raise_for_error(ERRORS, payload)


def parse_stable_token(payload: Mapping[str, object] | bytes, *, now: datetime) -> AccessToken:
    """The access token from a ``cgi-bin/stable_token`` response.

    ``now`` is when the response arrived; the token is treated as expiring a minute
    early so a request never starts with a token about to lapse.
    """
    data = _raise_for_error(payload)
    token = data.get("access_token")
    expires_in = as_int(data.get("expires_in"))
    if not isinstance(token, str) or not token or expires_in is None or expires_in <= 0:
        raise bad_payload(PLATFORM, "stable_token response without access_token/expires_in")
    lifetime = max(0, expires_in - 60)
    return AccessToken(access_token=token, expires_at=now + timedelta(seconds=lifetime))


def parse_publications(
    payload: Mapping[str, object] | bytes, *, offset: int, fetched_at: datetime | None = None
) -> ParsedPage[FetchedPost]:
    """The articles of one ``freepublish/batchget`` page requested at ``offset``.

    Each published message may hold several articles; each becomes a post with the id
    ``ARTICLE_ID:N`` (N from 1, the index the delete API uses). ``next_offset``
    counts messages, as the API's ``offset`` does.

    ``fetched_at`` (aware) is when the response arrived: a date more than a day after it
    is unknown. A post without a usable date is kept with ``published_at`` set to
    ``fetched_at`` and ``date_estimated`` set; without ``fetched_at`` it is skipped and
    counted in ``skipped``.
    """
    data = _raise_for_error(payload)
    items = data.get("item")
    if items is not None and not isinstance(items, list):
        raise bad_payload(PLATFORM, "item is not a list")
    messages = as_list(items)[:MAX_ITEMS_PER_PAGE]
    total = as_int(data.get("total_count"))
    posts: list[FetchedPost] = []
    skipped = len(as_list(items)) - len(messages)
    for message in messages:
        new_posts, dropped = _message_posts(message, fetched_at=fetched_at)
        posts.extend(new_posts)
        skipped += dropped
    next_offset = offset + len(messages)
    has_more = bool(messages) and total is not None and next_offset < total
    return ParsedPage(
        items=tuple(posts), has_more=has_more, next_offset=next_offset, total=total, skipped=skipped
    )


def _message_posts(message: object, *, fetched_at: datetime | None) -> tuple[list[FetchedPost], int]:
    if not isinstance(message, Mapping):
        return [], 1
    article_id = as_str(message.get("article_id"), MAX_ID_CHARS + 1)
    content = message.get("content")
    if not article_id or len(article_id) > MAX_ID_CHARS or not isinstance(content, Mapping):
        return [], 1
    updated_at = epoch_to_datetime(message.get("update_time"), fetched_at=fetched_at) or epoch_to_datetime(
        content.get("update_time"), fetched_at=fetched_at
    )
    published_at = epoch_to_datetime(content.get("create_time"), fetched_at=fetched_at) or updated_at
    estimated = published_at is None
    if published_at is None:
        if fetched_at is None:
            return [], 1
        published_at = fetched_at
    news_items = as_list(content.get("news_item"))
    posts: list[FetchedPost] = []
    dropped = max(0, len(news_items) - _MAX_ARTICLES_PER_ITEM)
    for index, article in enumerate(news_items[:_MAX_ARTICLES_PER_ITEM], start=1):
        if not isinstance(article, Mapping):
            dropped += 1
            continue
        deleted_flag = article.get("is_deleted", article.get("is_delete"))
        posts.append(
            FetchedPost(
                external_id=f"{article_id}:{index}",
                title=text_or_html(as_str(article.get("title"), MAX_TITLE_CHARS * 4), MAX_TITLE_CHARS),
                body=html_to_text(as_str(article.get("content"), 10 * MAX_BODY_CHARS), MAX_BODY_CHARS),
                digest=text_or_html(as_str(article.get("digest"), MAX_DIGEST_CHARS * 4), MAX_DIGEST_CHARS),
                url=_https_url(as_str(article.get("url"), MAX_URL_CHARS + 1)),
                published_at=published_at,
                author=as_str(article.get("author"), MAX_AUTHOR_CHARS).strip() or None,
                deleted=as_bool(deleted_flag),
                raw_updated_at=updated_at,
                date_estimated=estimated,
            )
        )
    return posts, dropped


def _https_url(url: str) -> str:
    url = url.strip()
    if len(url) > MAX_URL_CHARS or not url.startswith(("https://", "http://")):
        return ""
    return url


def parse_comments(
    payload: Mapping[str, object] | bytes, *, post_external_id: str, begin: int, fetched_at: datetime | None = None
) -> ParsedPage[FetchedComment]:
    """The comments of one ``comment/list`` page requested at ``begin``.

    ``user_comment_id`` is numbered per article, so the comment's id is prefixed with
    the post's id to stay unique within the account. The commenter is known only by
    ``openid``; a comment counts as replied when the account's ``reply`` has text.

    ``fetched_at`` (aware) is when the response arrived: a date more than a day after it
    is unknown, and a comment without a usable date is skipped and counted in ``skipped``.
    """
    data = _raise_for_error(payload)
    raw = data.get("comment")
    if raw is not None and not isinstance(raw, list):
        raise bad_payload(PLATFORM, "comment is not a list")
    rows = as_list(raw)
    kept = rows[:MAX_ITEMS_PER_PAGE]
    comments: list[FetchedComment] = []
    skipped = len(rows) - len(kept)
    for row in kept:
        comment = _comment(row, post_external_id, fetched_at=fetched_at)
        if comment is None:
            skipped += 1
        else:
            comments.append(comment)
    total = as_int(data.get("total"))
    next_offset = begin + len(kept)
    has_more = bool(kept) and total is not None and next_offset < total
    return ParsedPage(
        items=tuple(comments), has_more=has_more, next_offset=next_offset, total=total, skipped=skipped
    )


def _comment(row: object, post_external_id: str, *, fetched_at: datetime | None) -> FetchedComment | None:
    if not isinstance(row, Mapping):
        return None
    comment_id = as_str(row.get("user_comment_id"), 64)
    created_at = epoch_to_datetime(row.get("create_time"), fetched_at=fetched_at)
    estimated = created_at is None
    created_at = created_at or fetched_at  # a question without a time is still a question
    if not comment_id or created_at is None:
        return None
    reply = row.get("reply")
    reply_text = ""
    replied_at = None
    if isinstance(reply, Mapping):
        reply_text = as_str(reply.get("content"), MAX_COMMENT_CHARS).strip()
        replied_at = epoch_to_datetime(reply.get("create_time"), fetched_at=fetched_at) if reply_text else None
    return FetchedComment(
        external_id=f"{post_external_id}:{comment_id}",
        post_external_id=post_external_id,
        author=as_str(row.get("openid"), MAX_AUTHOR_CHARS),
        text=as_str(row.get("content"), MAX_COMMENT_CHARS),
        created_at=created_at,
        date_estimated=estimated,
        replied=bool(reply_text),
        reply_text=reply_text or None,
        replied_at=replied_at,
    )


def _fresher(kept: FetchedPost, new: FetchedPost) -> bool:
    """Whether the copy already kept was updated later than ``new`` (then it stays)."""
    return (kept.raw_updated_at or kept.published_at) > (new.raw_updated_at or new.published_at)


def comment_ref(url: str) -> str | None:
    """``MSG_DATA_ID:INDEX`` for ``comment/list``, read from an article's ``mp.weixin.qq.com`` URL.

    ``comment/list`` wants the ``msg_data_id`` a mass send returns and a 0-based ``index``;
    ``freepublish`` gives no such field and its ``article_id`` is refused. The article URL
    carries both: ``mid`` is the message's data id and ``idx`` the 1-based article number.
    ``None`` for a short URL (``/s/TOKEN``) or one without a numeric ``mid``: such an article
    has no comments to read through the API.
    """
    split = urlsplit(url.strip())
    if split.hostname != "mp.weixin.qq.com":
        return None
    query = dict(parse_qsl(split.query))
    mid, idx = query.get("mid", ""), query.get("idx", "1")
    if not (mid.isdigit() and len(mid) <= 20 and idx.isdigit() and 1 <= int(idx) <= _MAX_ARTICLES_PER_ITEM):
        return None
    return f"{mid}:{int(idx) - 1}"


DEFAULT_API_BASE: Final = "https://api.weixin.qq.com"
_PAGE_SIZE: Final = 20
_COMMENT_PAGE_SIZE: Final = 49  # the API takes count < 50
# 88000: comments closed for the article; 88001: the message has no comment data. Neither is
# a failure of the account, so neither becomes a problem.
_NO_COMMENTS_CODES: Final = frozenset({"wechat.88000", "wechat.88001"})


class WechatConnector:
    """Reads a WeChat official account through the official API (AppID + AppSecret)."""

    platform = "wechat_mp"

    def __init__(self, http: HttpClient, secrets: SecretSource) -> None:
        self._http = http
        self._secrets = secrets
        self._tokens = TokenCache()

    def _base(self, account: AccountRef) -> str:
        return (account.api_base or DEFAULT_API_BASE).rstrip("/")

    async def _obtain_token(self, account: AccountRef, *, now: datetime, force: bool) -> AccessToken:
        secret = await self._secrets.get(account.id, "app_secret")
        if not secret:
            raise missing_secret(account, "app_secret", platform=PLATFORM)
        response = await self._http.request(
            "POST",
            f"{self._base(account)}/cgi-bin/stable_token",
            platform=PLATFORM,
            json={"grant_type": "client_credential", "appid": account.source, "secret": secret, "force_refresh": force},
        )
        return parse_stable_token(response.body, now=now)

    async def _post(self, account: AccountRef, path: str, body: dict[str, object], *, now: datetime) -> bytes:
        async def send(token: str) -> bytes:
            response = await self._http.request(
                "POST", f"{self._base(account)}{path}", platform=PLATFORM, params={"access_token": token}, json=body
            )
            error = classify_error(response.body)
            if error is not None:
                raise error
            return response.body

        async def obtain(force: bool) -> AccessToken:
            return await self._obtain_token(account, now=now, force=force)

        return await self._tokens.call(account.id, now=now, obtain=obtain, send=send)

    async def _comments(
        self, account: AccountRef, external_id: str, ref: str, *, now: datetime, tally: Tally, stop: asyncio.Event
    ) -> list[FetchedComment]:
        """One article's comments; raises the ConnectorError of the page that failed."""
        msg_data_id, _, index = ref.partition(":")

        async def page(begin: int) -> Step[FetchedComment, int]:
            body = await self._post(
                account,
                "/cgi-bin/comment/list",
                {"msg_data_id": int(msg_data_id), "index": int(index), "begin": begin, "count": _COMMENT_PAGE_SIZE, "type": 0},
                now=now,
            )
            found = parse_comments(body, post_external_id=external_id, begin=begin, fetched_at=now)
            more = found.next_offset if found.has_more else None
            return Step(found.items, more, empty=not (found.items or found.skipped))

        # A comment posted while paging shifts the list: the next page repeats one.
        return await read_pages(page, start=0, tally=tally, halt=stop)

    async def _all_comments(
        self, account: AccountRef, posts: dict[str, str], *, state: FetchState, now: datetime, tally: Tally
    ) -> tuple[list[FetchedComment], list[ConnectorError], list[str]]:
        """Comments of the recent articles: found, problems, notes. Posts' titles name the problems."""
        paused = state.comments_paused(now=now)
        wanted = state.comment_round(now=now)
        if paused is not None:
            assert state.comments_paused_until is not None
            return [], [comments_paused_problem(paused, until=state.comments_paused_until, skipped=len(wanted))], []
        stop = asyncio.Event()
        comments: list[FetchedComment] = []
        problems: list[ConnectorError] = []
        quota: ConnectorError | None = None
        without_ref = 0

        async def one(external_id: str) -> None:
            nonlocal quota, without_ref
            ref = state.comment_refs.get(external_id)
            if ref is None:
                without_ref += 1
                return
            try:
                comments.extend(await self._comments(account, external_id, ref, now=now, tally=tally, stop=stop))
            except ConnectorError as error:
                if error.code in _NO_COMMENTS_CODES:
                    return
                state.owe_comments([external_id])  # read at the next round, whatever the post's age
                if error.kind is ErrorKind.QUOTA:
                    # The quota is the account's: one line for it, and no further calls that would fail too.
                    stop.set()
                    quota = quota or error
                    return
                problems.append(comment_problem(error, post_id=external_id, post_title=posts.get(external_id, "")))

        # Articles' comment lists are independent: read them concurrently (the HTTP client bounds it).
        await asyncio.gather(*(one(external_id) for external_id in wanted))
        notes: list[str] = []
        if quota is not None:
            until = now + timedelta(seconds=quota.retry_after) if quota.retry_after else next_quota_reset(now)
            problem = comments_paused_problem(quota, until=until, skipped=len(wanted))
            state.pause_comments(problem, until=until)
            state.owe_comments(wanted)  # the round is read in full once the quota resets
            problems.append(problem)
        if without_ref:
            notes.append(
                f"{without_ref} article(s) have no mass-send id in their link; WeChat's comment API cannot read their comments"
            )
        return comments, problems, notes

    async def fetch(
        self, account: AccountRef, *, state: FetchState, with_comments: bool, now: datetime
    ) -> FetchResult:
        tally = Tally()
        horizon = state.post_horizon(now=now)

        async def page(offset: int) -> Step[FetchedPost, int]:
            body = await self._post(
                account, "/cgi-bin/freepublish/batchget", {"offset": offset, "count": _PAGE_SIZE, "no_content": 0}, now=now
            )
            # Article bodies are HTML; stripping them is real work, done off the event loop.
            found = await asyncio.to_thread(parse_publications, body, offset=offset, fetched_at=now)
            more = found.next_offset if found.has_more else None
            return Step(found.items, more, last=any(p.published_at < horizon for p in found.items))

        # A message published while paging shifts every offset by one; keep the freshest copy.
        posts = await read_pages(page, start=0, tally=tally, better=_fresher, keep_partial=True)
        state.remember(posts, now=now)
        for post in posts:
            ref = comment_ref(post.url)
            if ref is not None and post.external_id in state.recent_posts:
                state.comment_refs[post.external_id] = ref
        comments: list[FetchedComment] = []
        problems: list[ConnectorError] = []
        notes: list[str] = []
        if with_comments:
            titles = {post.external_id: post.title for post in posts}
            comments, problems, notes = await self._all_comments(account, titles, state=state, now=now, tally=tally)
        return FetchResult(
            posts=tuple(posts),
            comments=tuple(comments),
            requests=tally.requests,
            notes=tuple(sorted(set(notes))),
            problems=(*tally.problems, *problems),
        )


SPEC: Final = PlatformSpec(
    platform=Platform.WECHAT_MP,
    secrets=("app_secret",),
    connector=WechatConnector,
    errors=ERRORS,
    simulator_routes=("/cgi-bin/stable_token", "/cgi-bin/freepublish/batchget", "/cgi-bin/comment/list",),
    docs="https://developers.weixin.qq.com/doc/offiaccount/",
)
