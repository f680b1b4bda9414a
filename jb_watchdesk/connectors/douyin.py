"""Douyin (抖音) open platform: pure parsers for the API's responses.

Wire formats (open.douyin.com, JSON in a ``data``/``extra`` envelope):

- ``POST oauth/client_token/`` → ``{"data": {"access_token", "expires_in",
  "error_code", "description"}, "message"}``;
  ``POST oauth/access_token/`` and ``POST oauth/refresh_token/`` → ``{"data":
  {"access_token", "expires_in", "refresh_token", "refresh_expires_in", "open_id",
  "scope", "error_code", "description"}, "message"}`` (``expires_in`` is sometimes a
  string): https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/account-permission/refresh-access-token
  and …/account-permission/refresh-token (10010 = refresh_token expired, 10020 =
  refresh limit reached: the user must authorise again).
- ``GET video/list/`` (``open_id``, ``cursor``, ``count``) → ``{"data": {"list":
  [{"item_id", "title", "create_time", "share_url", "is_top", "is_reviewed",
  "video_status", "statistics"}], "cursor", "has_more", "error_code", "description"},
  (``video_status``: see :data:`VIDEO_VISIBILITY`),
  "extra": {"error_code", "description", "sub_error_code", "sub_description", "logid",
  "now"}}``; field list from the SDK docs in xopenapi/douyin-open-api-go
  ``docs/DouyinVideoListRsp*.md``.
- ``GET item/comment/list/`` (``open_id``, ``item_id``, ``cursor``, ``count``) →
  ``{"data": {"list": [{"comment_id", "comment_user_id", "content", "create_time",
  "top", "digg_count", "reply_comment_total"}], "cursor", "has_more", …}, "extra": …}``;
  xopenapi/douyin-open-api-go ``docs/CommentApi.md``.
- Status codes, old and new families (``2190008`` and ``28001008`` both mean the
  access token expired): https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/status-code
  Newer endpoints report ``err_no``/``err_msg``/``log_id`` at the top level; both are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final

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
    clip,
)
from jb_watchdesk.connectors.dates import epoch_to_datetime
from jb_watchdesk.connectors.errors import CodeField, ErrorRule, ErrorTable, classify, raise_for_error
from jb_watchdesk.connectors.fetching import (
    AccountRef,
    FetchResult,
    FetchState,
    SecretSource,
    TokenCache,
    missing_secret,
)
from jb_watchdesk.connectors.html_text import text_or_html
from jb_watchdesk.connectors.http import HttpClient
from jb_watchdesk.connectors.paging import Step, Tally, read_comment_round, read_pages
from jb_watchdesk.connectors.platforms import PlatformSpec
from jb_watchdesk.domain.models import Platform, Visibility

PLATFORM: Final = "douyin"


def _config(hint: str) -> ErrorRule:
    return ErrorRule(ErrorKind.CONFIG, hint)


_INVALID_REQUEST: Final = _config("the request was rejected as invalid: check the account's Douyin settings")
_NO_CAPABILITY: Final = _config(
    "the app has not been granted this capability: apply for it in the Douyin developer console"
)

#: Douyin's status codes, old and new families; unknown codes are transient.
ERRORS: Final = ErrorTable(
    platform=PLATFORM,
    name="Douyin",
    # ``extra`` carries the gateway's verdict, ``data`` the API's; newer endpoints put
    # ``err_no``/``err_msg``/``log_id`` at the top level.
    fields=(
        CodeField(("extra",), "error_code", ("description", "sub_description")),
        CodeField(("data",), "error_code", ("description",)),
        CodeField((), "err_no", ("err_msg",)),
    ),
    log_ids=(("extra", "logid"), ("log_id",)),
    rules={
        **dict.fromkeys(
            (10008, 2190008, 28001008, 2190002, 28001003),
            ErrorRule(
                ErrorKind.AUTH_EXPIRED,
                "the Douyin access token has expired or is invalid ({detail}); it is refreshed once "
                "with the refresh token",
                refresh_token_once=True,
            ),
        ),
        **dict.fromkeys(
            (10010, 10020, 2190003, 28001012),
            ErrorRule(
                ErrorKind.AUTH_EXPIRED,
                "the Douyin authorisation has lapsed ({detail}): the account owner must authorise the "
                "app again in Douyin, then store the new tokens with `accounts set-secret`",
            ),
        ),
        **dict.fromkeys(
            (2190001, 28003017),
            ErrorRule(ErrorKind.QUOTA, "the app's Douyin API quota is used up; polling resumes after the quota resets"),
        ),
        **dict.fromkeys(
            (28003018, 28001052),
            ErrorRule(ErrorKind.RATE_LIMITED, "Douyin asks for fewer requests ({detail}); polling slows down"),
        ),
        **dict.fromkeys(
            (2100004, 28001005, 28001006, 2191000),
            ErrorRule(ErrorKind.TRANSIENT, "the Douyin server is busy ({detail}); it will be retried"),
        ),
        10004: _config("the app lacks the permission for this call: apply for it in the Douyin developer console"),
        10005: _config("a required parameter is missing: check the account's Douyin settings (client key, open_id)"),
        2100005: _INVALID_REQUEST,
        28001007: _INVALID_REQUEST,
        2100007: _config("the app has no permission for this operation: check it in the Douyin developer console"),
        2190004: _NO_CAPABILITY,
        28001018: _NO_CAPABILITY,
        28001014: _config("the app has not been granted any capability yet: apply in the Douyin developer console"),
        28001015: _config("the access token belongs to a different Douyin user than the account's open_id"),
        28001016: _config("the Douyin app has been banned or taken offline: contact the Douyin open platform"),
        28001019: _config("this Douyin capability has been banned or taken offline: contact the Douyin open platform"),
        28001021: _config("the Douyin test app has expired: promote it to a production app"),
        2100009: _config("the Douyin user is banned from this operation"),
        28001045: _config("the Douyin account has been deleted by its owner"),
        28001046: _config("the Douyin account has been banned"),
        28001047: _config("the Douyin account is private, so its data cannot be read"),
    },
    docs="https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/status-code",
)


def classify_error(payload: Mapping[str, object] | bytes) -> ConnectorError | None:
    """The error a Douyin response carries (see :data:`ERRORS`), or ``None`` when every
    error code is 0.

    Never raises: malformed JSON or a non-numeric code is returned as ``bad_payload``.
    """
    return classify(ERRORS, payload)


def _data(payload: Mapping[str, object] | bytes) -> Mapping[str, object]:
    envelope = raise_for_error(ERRORS, payload)
    inner = envelope.get("data")
    if not isinstance(inner, Mapping):
        raise bad_payload(PLATFORM, "no data object")
    return inner


def parse_client_token(payload: Mapping[str, object] | bytes, *, now: datetime) -> AccessToken:
    """The app-level token from ``oauth/client_token/``."""
    return _token(_data(payload), now=now, with_refresh=False)


def parse_access_token(payload: Mapping[str, object] | bytes, *, now: datetime) -> AccessToken:
    """The user token from ``oauth/access_token/`` or ``oauth/refresh_token/``.

    ``now`` is when the response arrived; both expiries are taken a minute early.
    """
    return _token(_data(payload), now=now, with_refresh=True)


def _token(data: Mapping[str, object], *, now: datetime, with_refresh: bool) -> AccessToken:
    token = data.get("access_token")
    expires_in = as_int(data.get("expires_in"))
    if not isinstance(token, str) or not token or expires_in is None or expires_in <= 0:
        raise bad_payload(PLATFORM, "token response without access_token/expires_in")
    refresh_token = None
    refresh_expires_at = None
    if with_refresh:
        raw_refresh = data.get("refresh_token")
        refresh_in = as_int(data.get("refresh_expires_in"))
        if isinstance(raw_refresh, str) and raw_refresh:
            refresh_token = raw_refresh
            if refresh_in is not None and refresh_in > 0:
                refresh_expires_at = now + timedelta(seconds=max(0, refresh_in - 60))
    return AccessToken(
        access_token=token,
        expires_at=now + timedelta(seconds=max(0, expires_in - 60)),
        refresh_token=refresh_token,
        refresh_expires_at=refresh_expires_at,
        open_id=as_str(data.get("open_id"), MAX_ID_CHARS) or None,
        scope=as_str(data.get("scope"), 1_000) or None,
    )


def parse_video_list(
    payload: Mapping[str, object] | bytes, *, fetched_at: datetime | None = None
) -> ParsedPage[FetchedPost]:
    """The videos of one ``video/list/`` page, with the cursor for the next one.

    Pinned videos (``is_top``) come first whatever their date, so a caller must not
    stop paging at the first old video.

    ``fetched_at`` (aware) is when the response arrived: a date more than a day after it
    is unknown. A post without a usable date is kept with ``published_at`` set to
    ``fetched_at`` and ``date_estimated`` set; without ``fetched_at`` it is skipped and
    counted in ``skipped``.
    """
    data = _data(payload)
    rows = _list_field(data)
    kept = rows[:MAX_ITEMS_PER_PAGE]
    posts: list[FetchedPost] = []
    skipped = len(rows) - len(kept)
    for row in kept:
        post = _video(row, fetched_at=fetched_at)
        if post is None:
            skipped += 1
        else:
            posts.append(post)
    has_more, cursor = _paging(data)
    return ParsedPage(items=tuple(posts), has_more=has_more, next_cursor=cursor, skipped=skipped)


def parse_comment_list(
    payload: Mapping[str, object] | bytes, *, post_external_id: str, fetched_at: datetime | None = None
) -> ParsedPage[FetchedComment]:
    """The comments of one ``item/comment/list/`` page for the video ``post_external_id``.

    The list does not say whether the account answered (``reply_comment_total``
    counts anyone's replies), so ``replied`` stays false here; the reply list
    endpoint is what can settle it.

    ``fetched_at`` (aware) is when the response arrived: a date more than a day after it
    is unknown, and a comment without a usable date is skipped and counted in ``skipped``.
    """
    data = _data(payload)
    rows = _list_field(data)
    kept = rows[:MAX_ITEMS_PER_PAGE]
    comments: list[FetchedComment] = []
    skipped = len(rows) - len(kept)
    for row in kept:
        comment = _comment(row, post_external_id, fetched_at=fetched_at)
        if comment is None:
            skipped += 1
        else:
            comments.append(comment)
    has_more, cursor = _paging(data)
    return ParsedPage(items=tuple(comments), has_more=has_more, next_cursor=cursor, skipped=skipped)


def _list_field(data: Mapping[str, object]) -> list[object]:
    value = data.get("list")
    if value is not None and not isinstance(value, list):
        raise bad_payload(PLATFORM, "list is not a list")
    return as_list(value)


def _paging(data: Mapping[str, object]) -> tuple[bool, str | None]:
    """``has_more`` and the cursor to send next; without a cursor there is no next page."""
    cursor = as_int(data.get("cursor"))
    if cursor is None:
        return False, None
    return as_bool(data.get("has_more")), str(cursor)


def _video(row: object, *, fetched_at: datetime | None) -> FetchedPost | None:
    if not isinstance(row, Mapping):
        return None
    item_id = as_str(row.get("item_id"), MAX_ID_CHARS + 1)
    published_at = epoch_to_datetime(row.get("create_time"), fetched_at=fetched_at)
    estimated = published_at is None
    if published_at is None:
        published_at = fetched_at
    if not item_id or len(item_id) > MAX_ID_CHARS or published_at is None:
        return None
    text = text_or_html(as_str(row.get("title"), MAX_BODY_CHARS), MAX_BODY_CHARS)
    url = as_str(row.get("share_url"), MAX_URL_CHARS + 1).strip()
    if len(url) > MAX_URL_CHARS or not url.startswith(("https://", "http://")):
        url = ""
    return FetchedPost(
        external_id=item_id,
        title=clip(text.split("\n", 1)[0], MAX_TITLE_CHARS),
        body=text,
        digest=clip(text, MAX_DIGEST_CHARS),
        url=url,
        published_at=published_at,
        date_estimated=estimated,
        visibility=video_visibility(row.get("video_status")),
    )


#: ``video_status`` of ``video/list/`` (open platform notice of 2024-11-15,
#: https://developer.open-douyin.com/forum/bulletin/post/6736c38048f043667b75f70a):
#: 1 published (the old value, since split into 5, 6 and 7), 2 not fit for the public
#: (不适宜公开), 4 under review, 5 public, 6 friends only, 7 private.
VIDEO_VISIBILITY: Final[dict[int, Visibility]] = {
    1: Visibility.PUBLIC,
    2: Visibility.REJECTED,
    4: Visibility.REVIEWING,
    5: Visibility.PUBLIC,
    6: Visibility.PRIVATE,
    7: Visibility.PRIVATE,
}


def video_visibility(status: object) -> Visibility:
    """Whether the public sees a video, from its ``video_status``.

    The same notice withdrew ``video_status`` from ``video.list.bind`` responses from
    2024-12-13, so a missing field means a listed video, taken as public. A value the table
    does not know is kept as under review: it is stored and shown, but not counted as a
    public post until Douyin says what it means.
    """
    code = as_int(status)
    if code is None:
        return Visibility.PUBLIC
    return VIDEO_VISIBILITY.get(code, Visibility.REVIEWING)


def _comment(row: object, post_external_id: str, *, fetched_at: datetime | None) -> FetchedComment | None:
    if not isinstance(row, Mapping):
        return None
    comment_id = as_str(row.get("comment_id"), MAX_ID_CHARS + 1)
    created_at = epoch_to_datetime(row.get("create_time"), fetched_at=fetched_at)
    estimated = created_at is None
    created_at = created_at or fetched_at  # a question without a time is still a question
    if not comment_id or len(comment_id) > MAX_ID_CHARS or created_at is None:
        return None
    return FetchedComment(
        external_id=comment_id,
        post_external_id=post_external_id,
        author=as_str(row.get("comment_user_id"), MAX_AUTHOR_CHARS),
        text=as_str(row.get("content"), MAX_COMMENT_CHARS),
        created_at=created_at,
        date_estimated=estimated,
    )


DEFAULT_API_BASE: Final = "https://open.douyin.com"
_PAGE_SIZE: Final = 20


class DouyinConnector:
    """Reads a Douyin account through the open platform with the user's refresh token.

    The access token is obtained with ``oauth/refresh_token/``; when the platform hands
    back a new refresh token it replaces the stored one, so authorisation keeps rolling.
    """

    platform = "douyin"

    def __init__(self, http: HttpClient, secrets: SecretSource) -> None:
        self._http = http
        self._secrets = secrets
        self._tokens = TokenCache()

    def _base(self, account: AccountRef) -> str:
        return (account.api_base or DEFAULT_API_BASE).rstrip("/")

    async def _obtain_token(self, account: AccountRef, *, now: datetime) -> AccessToken:
        client_key = await self._secrets.get(account.id, "client_key")
        if not client_key:
            raise missing_secret(account, "client_key", platform=PLATFORM)
        refresh_token = await self._secrets.get(account.id, "refresh_token")
        if not refresh_token:
            raise missing_secret(account, "refresh_token", platform=PLATFORM)
        response = await self._http.request(
            "POST",
            f"{self._base(account)}/oauth/refresh_token/",
            platform=PLATFORM,
            form={"client_key": client_key, "grant_type": "refresh_token", "refresh_token": refresh_token},
        )
        token = parse_access_token(response.body, now=now)
        if token.refresh_token and token.refresh_token != refresh_token:
            await self._secrets.put(account.id, "refresh_token", token.refresh_token)
        return token

    async def _get(self, account: AccountRef, path: str, params: dict[str, object], *, now: datetime) -> bytes:
        async def send(token: str) -> bytes:
            response = await self._http.request(
                "GET", f"{self._base(account)}{path}", platform=PLATFORM, params=params, headers={"access-token": token}
            )
            error = classify_error(response.body)
            if error is not None:
                raise error
            return response.body

        async def obtain(force: bool) -> AccessToken:
            return await self._obtain_token(account, now=now)

        return await self._tokens.call(account.id, now=now, obtain=obtain, send=send)

    async def _comments(self, account: AccountRef, item_id: str, *, now: datetime, tally: Tally) -> list[FetchedComment]:
        """One video's comments; raises the ConnectorError of the page that failed."""

        async def page(cursor: str) -> Step[FetchedComment, str]:
            params: dict[str, object] = {"open_id": account.source, "item_id": item_id, "cursor": cursor, "count": _PAGE_SIZE}
            body = await self._get(account, "/item/comment/list/", params, now=now)
            found = parse_comment_list(body, post_external_id=item_id, fetched_at=now)
            more = found.next_cursor if found.has_more else None
            return Step(found.items, more or None, empty=not (found.items or found.skipped))

        # The comment cursor is an offset: a comment arriving while paging repeats one.
        return await read_pages(page, start="0", tally=tally)

    async def fetch(
        self, account: AccountRef, *, state: FetchState, with_comments: bool, now: datetime
    ) -> FetchResult:
        tally = Tally()
        horizon = state.post_horizon(now=now)

        async def page(cursor: str) -> Step[FetchedPost, str]:
            params: dict[str, object] = {"open_id": account.source, "cursor": cursor, "count": _PAGE_SIZE}
            found = parse_video_list(await self._get(account, "/video/list/", params, now=now), fetched_at=now)
            more = found.next_cursor if found.has_more else None
            # Pinned videos come first whatever their age: stop only when a whole page is old.
            return Step(found.items, more or None, last=all(p.published_at < horizon for p in found.items))

        posts = await read_pages(page, start="0", tally=tally, keep_partial=True)
        state.remember(posts, now=now)
        comments: list[FetchedComment] = []
        problems: list[ConnectorError] = []
        if with_comments:
            # One video's comments failing must not cost the account its videos.
            comments, problems = await read_comment_round(
                state.comment_round(now=now),
                lambda item_id: self._comments(account, item_id, now=now, tally=tally),
                state=state,
                titles={post.external_id: post.title for post in posts},
            )
        problems = [*tally.problems, *problems]
        return FetchResult(posts=tuple(posts), comments=tuple(comments), requests=tally.requests, problems=tuple(problems))


SPEC: Final = PlatformSpec(
    platform=Platform.DOUYIN,
    secrets=("client_key", "refresh_token",),
    connector=DouyinConnector,
    errors=ERRORS,
    simulator_routes=("/oauth/refresh_token", "/video/list", "/item/comment/list",),
    docs="https://developer.open-douyin.com/docs/resource/zh-CN/dop/develop/openapi/",
)
