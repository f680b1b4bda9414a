"""Sina Weibo (新浪微博): pure parsers for the open API's responses.

Wire formats (open.weibo.com API v2, JSON):

- ``GET 2/statuses/user_timeline.json`` (``since_id``, ``max_id``, ``count``) →
  ``{"statuses": [...], "previous_cursor", "next_cursor", "total_number"}``; a status has
  ``created_at`` (``Tue May 31 17:46:55 +0800 2011``), ``id`` (int64), ``idstr``, ``mid``,
  ``text``, ``user`` {``idstr``, ``screen_name``} and ``deleted`` ("1") when removed:
  https://open.weibo.com/wiki/2/statuses/user_timeline
- ``GET 2/comments/show.json`` (one status) and ``2/comments/timeline.json`` (all of
  the account's) → ``{"comments": [{"created_at", "id", "idstr", "text", "user",
  "status" {"idstr"}, "reply_comment"?}], "previous_cursor", "next_cursor", "total_number"}``:
  https://open.weibo.com/wiki/2/comments/show, https://open.weibo.com/wiki/2/comments/timeline
- Errors: ``{"error", "error_code", "request"}`` with ``error_code`` a number or a string:
  https://open.weibo.com/wiki/Error_code

Ids exceed 2^53, so a JSON reader that turns numbers into doubles corrupts ``id``;
only ``idstr`` (or the string ``mid``) is read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from jb_watchdesk.connectors.fetching import (
    MAX_PAGES,
    POST_HORIZON,
    AccountRef,
    FetchResult,
    FetchState,
    SecretSource,
    missing_secret,
)
from jb_watchdesk.connectors.http import HttpClient
from jb_watchdesk.connectors.base import (
    MAX_AUTHOR_CHARS,
    MAX_BODY_CHARS,
    MAX_COMMENT_CHARS,
    MAX_DIGEST_CHARS,
    MAX_ITEMS_PER_PAGE,
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
    clip,
    expect_mapping,
    parse_date_text,
    platform_detail,
    text_or_html,
)

PLATFORM: Final = "weibo"
_TITLE_CHARS: Final = 60
_MAX_ID_DIGITS: Final = 20

_AUTH_CODES: Final = frozenset({21301, 21314, 21315, 21316, 21317, 21319, 21327, 21332})
_RATE_CODES: Final = frozenset({10022, 10023, 10024})
_TRANSIENT_CODES: Final = frozenset({10001, 10002, 10003, 10009})
_CONFIG_HINTS: Final[dict[int, str]] = {
    10004: "this workstation's IP address is blocked by Weibo; contact the Weibo open platform",
    10005: "the app lacks the permission level this API needs: apply for it on open.weibo.com",
    10006: "the app key (source) is missing: check the account's Weibo app settings",
    10014: "the app is not permitted to call this API: check its permissions on open.weibo.com",
    20003: "the Weibo user does not exist: check the account's Weibo id in the register",
}


def classify_error(payload: Mapping[str, object] | bytes) -> ConnectorError | None:
    """The error a Weibo response carries, or ``None`` when it has no ``error_code``.

    Never raises: malformed JSON is returned as a ``bad_payload`` error.
    """
    try:
        data = expect_mapping(payload, platform=PLATFORM)
    except ConnectorError as error:
        return error
    if "error_code" not in data:
        return None
    code = as_int(data.get("error_code"))
    if code == 0:
        return None
    if code is None:
        return bad_payload(PLATFORM, "error_code is not a number")
    detail = platform_detail(data.get("error"))
    stable = f"{PLATFORM}.{code}"
    if code in _AUTH_CODES:
        return ConnectorError(
            ErrorKind.AUTH_EXPIRED,
            f"the Weibo access token has expired or was revoked ({detail}): re-authorise the app "
            "for this account on open.weibo.com and store the new token with `accounts set-secret`",
            code=stable,
        )
    if code in _RATE_CODES:
        return ConnectorError(
            ErrorKind.RATE_LIMITED,
            f"Weibo's request limit was reached ({detail}); polling slows down until the hourly limit resets",
            code=stable,
        )
    if code in _TRANSIENT_CODES:
        return ConnectorError(
            ErrorKind.TRANSIENT, f"the Weibo server reported a temporary error ({detail})", code=stable
        )
    hint = _CONFIG_HINTS.get(code)
    if hint is not None:
        return ConnectorError(ErrorKind.CONFIG, hint, code=stable)
    return ConnectorError(
        ErrorKind.TRANSIENT, f"Weibo returned error {code} ({detail}); it will be retried", code=stable
    )


def _raise_for_error(payload: Mapping[str, object] | bytes) -> Mapping[str, object]:
    data = expect_mapping(payload, platform=PLATFORM)
    error = classify_error(data)
    if error is not None:
        raise error
    return data


def parse_user_timeline(
    payload: Mapping[str, object] | bytes, *, since_id: str | None = None
) -> ParsedPage[FetchedPost]:
    """The statuses of one ``statuses/user_timeline`` page.

    ``next_since_id`` is the newest id seen (or ``since_id`` when the page is empty),
    for asking only for newer statuses next time; ``next_cursor``/``has_more`` page
    backwards through older statuses (Weibo's ``max_id``).
    """
    data = _raise_for_error(payload)
    rows = _list_field(data, "statuses")
    kept = rows[:MAX_ITEMS_PER_PAGE]
    posts: list[FetchedPost] = []
    skipped = len(rows) - len(kept)
    for row in kept:
        post = _status(row)
        if post is None:
            skipped += 1
        else:
            posts.append(post)
    newest = _max_id([since_id, *(post.external_id for post in posts)])
    cursor = _cursor(data)
    return ParsedPage(
        items=tuple(posts),
        has_more=cursor is not None,
        next_cursor=cursor,
        next_since_id=newest,
        total=as_int(data.get("total_number")),
        skipped=skipped,
    )


def parse_comments(
    payload: Mapping[str, object] | bytes, *, account_uid: str | None = None
) -> ParsedPage[FetchedComment]:
    """The public comments of one ``comments/show`` or ``comments/timeline`` page.

    The account's own comments are its replies, not public comments: they are left
    out, and when one answers a comment on the same page (``reply_comment``) that
    comment is marked replied.
    """
    data = _raise_for_error(payload)
    rows = _list_field(data, "comments")
    kept = rows[:MAX_ITEMS_PER_PAGE]
    skipped = len(rows) - len(kept)
    comments: dict[str, FetchedComment] = {}
    replies: list[tuple[str, str, datetime]] = []
    for row in kept:
        if not isinstance(row, Mapping):
            skipped += 1
            continue
        comment = _comment(row)
        if comment is None:
            skipped += 1
            continue
        if account_uid is not None and _user_id(row) == account_uid:
            target = row.get("reply_comment")
            target_id = _id_of(target) if isinstance(target, Mapping) else None
            if target_id:
                replies.append((target_id, comment.text, comment.created_at))
            continue
        comments[comment.external_id] = comment
    for target_id, text, replied_at in replies:
        target_comment = comments.get(target_id)
        if target_comment is not None and (
            target_comment.replied_at is None or replied_at < target_comment.replied_at
        ):
            comments[target_id] = _with_reply(target_comment, text, replied_at)
    cursor = _cursor(data)
    return ParsedPage(
        items=tuple(comments.values()),
        has_more=cursor is not None,
        next_cursor=cursor,
        next_since_id=_max_id(list(comments)),
        total=as_int(data.get("total_number")),
        skipped=skipped,
    )


def _list_field(data: Mapping[str, object], key: str) -> list[object]:
    value = data.get(key)
    if value is not None and not isinstance(value, list):
        raise bad_payload(PLATFORM, f"{key} is not a list")
    return as_list(value)


def _id_of(row: Mapping[str, object]) -> str | None:
    """``idstr``, or ``mid`` when it is a string; never the numeric ``id``."""
    for key in ("idstr", "mid"):
        value = row.get(key)
        if isinstance(value, str) and value.isdigit() and len(value) <= _MAX_ID_DIGITS:
            return value
    return None


def _user_id(row: Mapping[str, object]) -> str | None:
    user = row.get("user")
    return _id_of(user) if isinstance(user, Mapping) else None


def _screen_name(row: Mapping[str, object]) -> str:
    user = row.get("user")
    if not isinstance(user, Mapping):
        return ""
    return as_str(user.get("screen_name"), MAX_AUTHOR_CHARS)


def _status(row: object) -> FetchedPost | None:
    if not isinstance(row, Mapping):
        return None
    status_id = _id_of(row)
    published_at = parse_date_text(as_str(row.get("created_at"), 100))
    if status_id is None or published_at is None:
        return None
    text = text_or_html(as_str(row.get("text"), MAX_BODY_CHARS * 2), MAX_BODY_CHARS)
    uid = _user_id(row)
    url = f"https://weibo.com/{uid}/{status_id}" if uid else f"https://m.weibo.cn/status/{status_id}"
    return FetchedPost(
        external_id=status_id,
        title=clip(text.split("\n", 1)[0], _TITLE_CHARS),
        body=text,
        digest=clip(text, MAX_DIGEST_CHARS),
        url=url,
        published_at=published_at,
        author=_screen_name(row) or None,
        deleted=as_bool(row.get("deleted")),
    )


def _comment(row: Mapping[str, object]) -> FetchedComment | None:
    comment_id = _id_of(row)
    created_at = parse_date_text(as_str(row.get("created_at"), 100))
    status = row.get("status")
    post_id = _id_of(status) if isinstance(status, Mapping) else None
    if comment_id is None or created_at is None or post_id is None:
        return None
    return FetchedComment(
        external_id=comment_id,
        post_external_id=post_id,
        author=_screen_name(row),
        text=text_or_html(as_str(row.get("text"), MAX_COMMENT_CHARS * 2), MAX_COMMENT_CHARS),
        created_at=created_at,
        deleted=as_bool(row.get("deleted")),
    )


def _with_reply(comment: FetchedComment, text: str, replied_at: datetime) -> FetchedComment:
    return FetchedComment(
        external_id=comment.external_id,
        post_external_id=comment.post_external_id,
        author=comment.author,
        text=comment.text,
        created_at=comment.created_at,
        replied=True,
        reply_text=text,
        replied_at=replied_at,
        deleted=comment.deleted,
    )


def _cursor(data: Mapping[str, object]) -> str | None:
    """Weibo's ``next_cursor`` (the ``max_id`` of the next older page); 0 means no more."""
    value = data.get("next_cursor")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    if not text.isdigit() or len(text) > _MAX_ID_DIGITS or int(text) == 0:
        return None
    return text


def _max_id(ids: list[str | None]) -> str | None:
    """The largest numeric id, compared as integers (string order is wrong across lengths)."""
    numeric = [value for value in ids if value and value.isdigit()]
    return max(numeric, key=int) if numeric else None


DEFAULT_API_BASE: Final = "https://api.weibo.com"
_PAGE_SIZE: Final = 100
_COMMENT_PAGE_SIZE: Final = 50
_ANSWER_STATUSES: Final = frozenset({200, 400, 401, 403})


class WeiboConnector:
    """Reads a Weibo account through the open API with the account's OAuth access token.

    Weibo tokens cannot be refreshed without the user: an expired one is reported as
    ``auth_expired`` with instructions to authorise the app again.
    """

    platform = "weibo"

    def __init__(self, http: HttpClient, secrets: SecretSource) -> None:
        self._http = http
        self._secrets = secrets

    async def _get(self, account: AccountRef, path: str, params: dict[str, object]) -> bytes:
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

    async def _comments(self, account: AccountRef, external_id: str) -> tuple[list[FetchedComment], int]:
        found: list[FetchedComment] = []
        requests = 0
        for number in range(1, MAX_PAGES + 1):
            body = await self._get(account, "/2/comments/show.json", {"id": external_id, "count": _COMMENT_PAGE_SIZE, "page": number})
            requests += 1
            page = parse_comments(body, account_uid=account.source)
            found.extend(page.items)
            if not page.has_more or not page.items:
                break
        return found, requests

    async def fetch(
        self, account: AccountRef, *, state: FetchState, with_comments: bool, now: datetime
    ) -> FetchResult:
        posts: list[FetchedPost] = []
        requests = 0
        max_id: str | None = None
        newest = state.since_id
        horizon = now - POST_HORIZON
        for _ in range(MAX_PAGES):
            params: dict[str, object] = {"uid": account.source, "count": _PAGE_SIZE}
            if state.since_id:
                params["since_id"] = state.since_id
            if max_id:
                params["max_id"] = max_id
            page = parse_user_timeline(await self._get(account, "/2/statuses/user_timeline.json", params), since_id=newest)
            requests += 1
            posts.extend(p for p in page.items if not max_id or p.external_id != max_id)
            newest = page.next_since_id
            if not page.has_more or not page.items or min(p.published_at for p in page.items) < horizon:
                break
            max_id = page.next_cursor
        state.since_id = newest
        recent = state.remember(posts, now=now)
        comments: list[FetchedComment] = []
        if with_comments:
            for found, used in await asyncio.gather(*(self._comments(account, external_id) for external_id in recent)):
                comments.extend(found)
                requests += used
        return FetchResult(posts=tuple(posts), comments=tuple(comments), requests=requests)
