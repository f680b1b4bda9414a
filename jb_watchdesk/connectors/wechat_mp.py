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

from jb_watchdesk.connectors.fetching import (
    MAX_PAGES,
    POST_HORIZON,
    AccountRef,
    FetchResult,
    FetchState,
    SecretSource,
    TokenCache,
    missing_secret,
)
from jb_watchdesk.connectors.http import HttpClient
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
    epoch_to_datetime,
    expect_mapping,
    html_to_text,
    platform_detail,
    text_or_html,
)

PLATFORM: Final = "wechat"
# A published message holds at most 8 articles; anything beyond a generous margin is
# not a real payload.
_MAX_ARTICLES_PER_ITEM: Final = 20
_IP_IN_MESSAGE: Final = re.compile(r"invalid ip ([0-9a-fA-F.:]{3,45})")

_REFRESH_CODES: Final = frozenset({40001, 40014, 41001, 42001})
_CONFIG_HINTS: Final[dict[int, str]] = {
    40013: "the AppID is wrong: copy it again from the MP admin console (设置与开发 → 基本配置)",
    40125: "the AppSecret is wrong or was reset: generate or copy it in the MP admin console "
    "(设置与开发 → 基本配置) and store it again with `accounts set-secret`",
    40164: "this workstation's IP address{ip} is not on the account's IP whitelist: add it in the "
    "MP admin console (设置与开发 → 基本配置 → IP白名单)",
    48001: "this account is not authorised for this API (it needs a verified account of the right "
    "type): check the API permissions in the MP admin console",
    88000: "comments are not enabled for this account or article",
}


def classify_error(payload: Mapping[str, object] | bytes) -> ConnectorError | None:
    """The error a WeChat response carries, or ``None`` when ``errcode`` is absent or 0.

    Never raises: malformed JSON is returned as a ``bad_payload`` error.
    """
    try:
        data = expect_mapping(payload, platform=PLATFORM)
    except ConnectorError as error:
        return error
    if "errcode" not in data:
        return None
    code = as_int(data.get("errcode"))
    if code == 0:
        return None
    detail = platform_detail(data.get("errmsg"))
    if code is None:
        return bad_payload(PLATFORM, "errcode is not a number")
    stable = f"{PLATFORM}.{code}"
    if code in _REFRESH_CODES:
        return ConnectorError(
            ErrorKind.AUTH_EXPIRED,
            f"the access token was rejected ({detail}); the token is refreshed once, and if that "
            "fails the AppID/AppSecret must be checked",
            code=stable,
            refresh_token_once=True,
        )
    if code == 45009:
        return ConnectorError(
            ErrorKind.QUOTA,
            "the account's daily API quota is used up; polling resumes after the quota resets "
            "(midnight Beijing time, or reset it in the MP admin console)",
            code=stable,
        )
    if code == 45011:
        return ConnectorError(
            ErrorKind.QUOTA,
            "API calls are too frequent for this account; polling pauses until the minute quota resets",
            code=stable,
            retry_after=60.0,
        )
    if code == -1:
        return ConnectorError(
            ErrorKind.TRANSIENT, "the WeChat server is busy; it will be retried", code=stable
        )
    hint = _CONFIG_HINTS.get(code)
    if hint is not None:
        ip_match = _IP_IN_MESSAGE.search(as_str(data.get("errmsg"), 500))
        ip = f" ({ip_match.group(1)})" if ip_match else ""
        return ConnectorError(ErrorKind.CONFIG, hint.format(ip=ip), code=stable)
    return ConnectorError(
        ErrorKind.TRANSIENT, f"WeChat returned error {code} ({detail}); it will be retried", code=stable
    )


def _raise_for_error(payload: Mapping[str, object] | bytes) -> Mapping[str, object]:
    data = expect_mapping(payload, platform=PLATFORM)
    error = classify_error(data)
    if error is not None:
        raise error
    return data


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


def parse_publications(payload: Mapping[str, object] | bytes, *, offset: int) -> ParsedPage[FetchedPost]:
    """The articles of one ``freepublish/batchget`` page requested at ``offset``.

    Each published message may hold several articles; each becomes a post with the id
    ``ARTICLE_ID:N`` (N from 1, the index the delete API uses). ``next_offset``
    counts messages, as the API's ``offset`` does.
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
        new_posts, dropped = _message_posts(message)
        posts.extend(new_posts)
        skipped += dropped
    next_offset = offset + len(messages)
    has_more = bool(messages) and total is not None and next_offset < total
    return ParsedPage(
        items=tuple(posts), has_more=has_more, next_offset=next_offset, total=total, skipped=skipped
    )


def _message_posts(message: object) -> tuple[list[FetchedPost], int]:
    if not isinstance(message, Mapping):
        return [], 1
    article_id = as_str(message.get("article_id"), MAX_ID_CHARS + 1)
    content = message.get("content")
    if not article_id or len(article_id) > MAX_ID_CHARS or not isinstance(content, Mapping):
        return [], 1
    updated_at = epoch_to_datetime(message.get("update_time")) or epoch_to_datetime(content.get("update_time"))
    published_at = epoch_to_datetime(content.get("create_time")) or updated_at
    if published_at is None:
        return [], 1
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
            )
        )
    return posts, dropped


def _https_url(url: str) -> str:
    url = url.strip()
    if len(url) > MAX_URL_CHARS or not url.startswith(("https://", "http://")):
        return ""
    return url


def parse_comments(
    payload: Mapping[str, object] | bytes, *, post_external_id: str, begin: int
) -> ParsedPage[FetchedComment]:
    """The comments of one ``comment/list`` page requested at ``begin``.

    ``user_comment_id`` is numbered per article, so the comment's id is prefixed with
    the post's id to stay unique within the account. The commenter is known only by
    ``openid``; a comment counts as replied when the account's ``reply`` has text.
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
        comment = _comment(row, post_external_id)
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


def _comment(row: object, post_external_id: str) -> FetchedComment | None:
    if not isinstance(row, Mapping):
        return None
    comment_id = as_str(row.get("user_comment_id"), 64)
    created_at = epoch_to_datetime(row.get("create_time"))
    if not comment_id or created_at is None:
        return None
    reply = row.get("reply")
    reply_text = ""
    replied_at = None
    if isinstance(reply, Mapping):
        reply_text = as_str(reply.get("content"), MAX_COMMENT_CHARS).strip()
        replied_at = epoch_to_datetime(reply.get("create_time")) if reply_text else None
    return FetchedComment(
        external_id=f"{post_external_id}:{comment_id}",
        post_external_id=post_external_id,
        author=as_str(row.get("openid"), MAX_AUTHOR_CHARS),
        text=as_str(row.get("content"), MAX_COMMENT_CHARS),
        created_at=created_at,
        replied=bool(reply_text),
        reply_text=reply_text or None,
        replied_at=replied_at,
    )


DEFAULT_API_BASE: Final = "https://api.weixin.qq.com"
_PAGE_SIZE: Final = 20
_COMMENT_PAGE_SIZE: Final = 49  # the API takes count < 50
# 88000: comments closed; 88001: no comment data for this article (e.g. published without a
# mass send, whose msg_data_id the comment API needs). Neither is a failure of the account.
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

    async def _comments(self, account: AccountRef, external_id: str, *, now: datetime) -> tuple[list[FetchedComment], int, str]:
        """One article's comments, the requests used, and a note when the article has none to read."""
        article_id, _, index = external_id.rpartition(":")
        found: list[FetchedComment] = []
        begin = requests = 0
        for _ in range(MAX_PAGES):
            try:
                body = await self._post(
                    account,
                    "/cgi-bin/comment/list",
                    # ``index`` counts articles from 0; post ids number them from 1.
                    {"msg_data_id": article_id, "index": int(index or 1) - 1, "begin": begin, "count": _COMMENT_PAGE_SIZE, "type": 0},
                    now=now,
                )
            except ConnectorError as error:
                if error.kind is ErrorKind.CONFIG or error.code in _NO_COMMENTS_CODES:
                    # Comments closed on one article must not hide the account's posts.
                    return found, requests, "" if error.code in _NO_COMMENTS_CODES else error.reason
                raise
            requests += 1
            page = parse_comments(body, post_external_id=external_id, begin=begin)
            found.extend(page.items)
            if not page.has_more or page.next_offset is None:
                break
            begin = page.next_offset
        return found, requests, ""

    async def fetch(
        self, account: AccountRef, *, state: FetchState, with_comments: bool, now: datetime
    ) -> FetchResult:
        posts: list[FetchedPost] = []
        requests = 0
        offset = 0
        horizon = now - POST_HORIZON
        for _ in range(MAX_PAGES):
            body = await self._post(
                account, "/cgi-bin/freepublish/batchget", {"offset": offset, "count": _PAGE_SIZE, "no_content": 0}, now=now
            )
            requests += 1
            # Article bodies are HTML; stripping them is real work, done off the event loop.
            page = await asyncio.to_thread(parse_publications, body, offset=offset)
            posts.extend(page.items)
            if not page.has_more or page.next_offset is None or not page.items:
                break
            if min(p.published_at for p in page.items) < horizon:
                break
            offset = page.next_offset
        recent = state.remember(posts, now=now)
        comments: list[FetchedComment] = []
        notes: list[str] = []
        if with_comments:
            # Posts' comment lists are independent: read them concurrently (the HTTP client bounds it).
            pages = await asyncio.gather(*(self._comments(account, external_id, now=now) for external_id in recent))
            for found, used, note in pages:
                comments.extend(found)
                requests += used
                if note:
                    notes.append(note)
        return FetchResult(posts=tuple(posts), comments=tuple(comments), requests=requests, notes=tuple(sorted(set(notes))))
