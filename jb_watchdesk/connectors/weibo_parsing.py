"""Sina Weibo (新浪微博): pure parsers for the open API's responses, and its error table.

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

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

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
)
from jb_watchdesk.connectors.dates import parse_date_text
from jb_watchdesk.connectors.errors import CodeField, ErrorRule, ErrorTable, classify, raise_for_error
from jb_watchdesk.connectors.html_text import text_or_html

PLATFORM: Final = "weibo"
_TITLE_CHARS: Final = 60
_MAX_ID_DIGITS: Final = 20

#: Weibo's error codes (``{"error", "error_code", "request"}``, the code a number or a
#: string); unknown codes are transient. Weibo tokens cannot be refreshed without the user.
ERRORS: Final = ErrorTable(
    platform=PLATFORM,
    name="Weibo",
    fields=(CodeField((), "error_code", ("error",)),),
    rules={
        **dict.fromkeys(
            (21301, 21314, 21315, 21316, 21317, 21319, 21327, 21332),
            ErrorRule(
                ErrorKind.AUTH_EXPIRED,
                "the Weibo access token has expired or was revoked ({detail}): re-authorise the app "
                "for this account on open.weibo.com and store the new token with `accounts set-secret`",
            ),
        ),
        **dict.fromkeys(
            (10022, 10023, 10024),
            ErrorRule(
                ErrorKind.RATE_LIMITED,
                "Weibo's request limit was reached ({detail}); polling slows down until the hourly limit resets",
            ),
        ),
        **dict.fromkeys(
            (10001, 10002, 10003, 10009),
            ErrorRule(ErrorKind.TRANSIENT, "the Weibo server reported a temporary error ({detail})"),
        ),
        10004: ErrorRule(
            ErrorKind.CONFIG, "this workstation's IP address is blocked by Weibo; contact the Weibo open platform"
        ),
        10005: ErrorRule(
            ErrorKind.CONFIG, "the app lacks the permission level this API needs: apply for it on open.weibo.com"
        ),
        10006: ErrorRule(ErrorKind.CONFIG, "the app key (source) is missing: check the account's Weibo app settings"),
        10014: ErrorRule(
            ErrorKind.CONFIG, "the app is not permitted to call this API: check its permissions on open.weibo.com"
        ),
        20003: ErrorRule(
            ErrorKind.CONFIG, "the Weibo user does not exist: check the account's Weibo id in the register"
        ),
    },
    docs="https://open.weibo.com/wiki/Error_code",
)


def classify_error(payload: Mapping[str, object] | bytes) -> ConnectorError | None:
    """The error a Weibo response carries (see :data:`ERRORS`), or ``None`` when it has no
    non-zero ``error_code``.

    Never raises: malformed JSON is returned as a ``bad_payload`` error.
    """
    return classify(ERRORS, payload)


def _raise_for_error(payload: Mapping[str, object] | bytes) -> Mapping[str, object]:
    return raise_for_error(ERRORS, payload)


def parse_user_timeline(
    payload: Mapping[str, object] | bytes, *, since_id: str | None = None, fetched_at: datetime | None = None
) -> ParsedPage[FetchedPost]:
    """The statuses of one ``statuses/user_timeline`` page.

    ``next_since_id`` is the newest id seen (or ``since_id`` when the page is empty),
    for asking only for newer statuses next time; ``next_cursor``/``has_more`` page
    backwards through older statuses (Weibo's ``max_id``).

    ``fetched_at`` (aware) is when the response arrived: a date more than a day after it
    is unknown. A post without a usable date is kept with ``published_at`` set to
    ``fetched_at`` and ``date_estimated`` set; without ``fetched_at`` it is skipped and
    counted in ``skipped``.
    """
    data = _raise_for_error(payload)
    rows = _list_field(data, "statuses")
    kept = rows[:MAX_ITEMS_PER_PAGE]
    posts: list[FetchedPost] = []
    skipped = len(rows) - len(kept)
    for row in kept:
        post = _status(row, fetched_at=fetched_at)
        if post is None:
            skipped += 1
        else:
            posts.append(post)
    newest = largest_id([since_id, *(post.external_id for post in posts)])
    cursor = _cursor(data)
    return ParsedPage(
        items=tuple(posts),
        has_more=cursor is not None,
        next_cursor=cursor,
        next_since_id=newest,
        total=as_int(data.get("total_number")),
        skipped=skipped,
    )


@dataclass(frozen=True, slots=True)
class Reply:
    """The account's own comment answering a public one (``reply_comment``).

    ``target`` is the answered comment rebuilt from ``reply_comment`` when that object is
    complete (id, text, time and author); Weibo often sends only id and text.
    """

    target_id: str
    post_id: str
    text: str
    replied_at: datetime
    target: FetchedComment | None = None


@dataclass(frozen=True, slots=True)
class CommentPage:
    """One ``comments/*`` page split into public comments and the account's replies.

    ``next_cursor`` is the ``max_id`` of the next older page (``None``: last page) and
    ``newest_id`` the largest comment id on the page, own replies included, for ``since_id``.
    Paging goes on while ``next_cursor`` is set, whatever the page held: a page of nothing
    but the account's replies is not the end of the list.
    """

    comments: tuple[FetchedComment, ...]
    replies: tuple[Reply, ...]
    next_cursor: str | None
    newest_id: str | None
    oldest_at: datetime | None
    total: int | None
    skipped: int = 0


def parse_comment_page(
    payload: Mapping[str, object] | bytes, *, account_uid: str | None = None, fetched_at: datetime | None = None
) -> CommentPage:
    """The rows of one ``comments/show``, ``comments/timeline`` or ``comments/to_me`` page.

    Comments by ``account_uid`` are the account's replies, never public comments; the
    ones that answer a comment (``reply_comment``) become :class:`Reply` values. Replies
    are matched with :func:`settle_replies` once every page of a post (or of the feed)
    has been read, because Weibo lists newest first and a reply often lands one page
    before the comment it answers.

    ``fetched_at`` (aware) is when the response arrived: a date more than a day after it
    is unknown, and a comment without a usable date is skipped and counted in ``skipped``.
    """
    data = _raise_for_error(payload)
    rows = _list_field(data, "comments")
    kept = rows[:MAX_ITEMS_PER_PAGE]
    skipped = len(rows) - len(kept)
    comments: list[FetchedComment] = []
    replies: list[Reply] = []
    ids: list[str | None] = []
    times: list[datetime] = []
    for row in kept:
        if not isinstance(row, Mapping):
            skipped += 1
            continue
        comment = _comment(row, fetched_at=fetched_at)
        if comment is None:
            skipped += 1
            continue
        ids.append(comment.external_id)
        times.append(comment.created_at)
        if account_uid is not None and _user_id(row) == account_uid:
            target = row.get("reply_comment")
            target_id = _id_of(target) if isinstance(target, Mapping) else None
            if isinstance(target, Mapping) and target_id:
                rebuilt = _comment({**target, "status": row.get("status")}, fetched_at=fetched_at)
                if rebuilt is not None and not _screen_name(target):
                    rebuilt = None  # without its author the stored comment would look edited
                replies.append(Reply(target_id, comment.post_external_id, comment.text, comment.created_at, rebuilt))
            continue
        comments.append(comment)
    return CommentPage(
        comments=tuple(comments),
        replies=tuple(replies),
        next_cursor=_cursor(data),
        newest_id=largest_id(ids),
        oldest_at=min(times, default=None),
        total=as_int(data.get("total_number")),
        skipped=skipped,
    )


def settle_replies(
    comments: Iterable[FetchedComment],
    replies: Iterable[Reply],
    *,
    known: Mapping[str, FetchedComment] | None = None,
) -> list[FetchedComment]:
    """``comments`` with the account's ``replies`` applied, one copy per comment id.

    A comment answered by several replies takes the earliest. A reply whose comment is not
    among ``comments`` (it was read by an earlier poll) re-issues that comment from
    ``known``, or from the reply's own copy of it, marked replied; a reply to a comment
    neither holds is left out.
    """
    settled: dict[str, FetchedComment] = {}
    for comment in comments:
        settled[comment.external_id] = comment
    for reply in sorted(replies, key=lambda r: r.replied_at):
        current = settled.get(reply.target_id)
        if current is None:
            current = (known or {}).get(reply.target_id) or reply.target
            if current is None:
                continue
        if current.replied and current.replied_at is not None and current.replied_at <= reply.replied_at:
            settled[reply.target_id] = current
            continue
        settled[reply.target_id] = _with_reply(current, reply.text, reply.replied_at)
    return list(settled.values())


def parse_comments(
    payload: Mapping[str, object] | bytes, *, account_uid: str | None = None, fetched_at: datetime | None = None
) -> ParsedPage[FetchedComment]:
    """The public comments of one ``comments/show`` or ``comments/timeline`` page.

    The account's own comments are its replies, not public comments: they are left
    out, and when one answers a comment on the same page (``reply_comment``) that
    comment is marked replied. Across pages use :func:`parse_comment_page` and
    :func:`settle_replies`. ``fetched_at`` as for :func:`parse_comment_page`.
    """
    page = parse_comment_page(payload, account_uid=account_uid, fetched_at=fetched_at)
    on_page = {c.external_id for c in page.comments}
    comments = settle_replies(page.comments, [r for r in page.replies if r.target_id in on_page])
    return ParsedPage(
        items=tuple(comments),
        has_more=page.next_cursor is not None,
        next_cursor=page.next_cursor,
        next_since_id=largest_id([c.external_id for c in comments]),
        total=page.total,
        skipped=page.skipped,
    )


def long_text_ids(payload: Mapping[str, object] | bytes) -> frozenset[str]:
    """Ids of the statuses on a timeline page whose ``text`` is cut (``isLongText: true``)."""
    data = expect_mapping(payload, platform=PLATFORM)
    found: set[str] = set()
    for row in as_list(data.get("statuses"))[:MAX_ITEMS_PER_PAGE]:
        if isinstance(row, Mapping) and as_bool(row.get("isLongText")) and _long_text(row) is None:
            status_id = _id_of(row)
            if status_id:
                found.add(status_id)
    return frozenset(found)


def parse_long_text(payload: Mapping[str, object] | bytes) -> str:
    """The full text of one status from ``2/statuses/show.json?isGetLongText=1``.

    Weibo returns the whole text in ``longText.longTextContent`` (``text`` stays cut at
    about 140 characters); a status that is not long has only ``text``, which is returned.
    """
    data = _raise_for_error(payload)
    text = _long_text(data)
    if text is None:
        text = as_str(data.get("text"), MAX_BODY_CHARS * 2)
    if not text:
        raise bad_payload(PLATFORM, "statuses/show without longText or text")
    return text_or_html(text, MAX_BODY_CHARS)


def with_full_text(post: FetchedPost, text: str) -> FetchedPost:
    """``post`` with its cut text replaced by the full ``text`` (plain text already)."""
    return replace(post, title=clip(text.split("\n", 1)[0], _TITLE_CHARS), body=text, digest=clip(text, MAX_DIGEST_CHARS))


def _long_text(row: Mapping[str, object]) -> str | None:
    long_text = row.get("longText")
    if isinstance(long_text, Mapping):
        content = as_str(long_text.get("longTextContent") or long_text.get("content"), MAX_BODY_CHARS * 2)
        if content:
            return content
    return None


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


def _status(row: object, *, fetched_at: datetime | None) -> FetchedPost | None:
    if not isinstance(row, Mapping):
        return None
    status_id = _id_of(row)
    published_at = parse_date_text(as_str(row.get("created_at"), 100), fetched_at=fetched_at)
    estimated = published_at is None
    if published_at is None:
        published_at = fetched_at
    if status_id is None or published_at is None:
        return None
    text = text_or_html(_long_text(row) or as_str(row.get("text"), MAX_BODY_CHARS * 2), MAX_BODY_CHARS)
    shared = _retweeted_text(row)
    if shared:
        # A repost shows the reposted status on the account's page: it is scanned as part of the post.
        text = clip(f"{text}\n//转发 {shared}", MAX_BODY_CHARS)
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
        date_estimated=estimated,
    )


def _retweeted_text(row: Mapping[str, object]) -> str:
    """The text of the status a repost shares (``retweeted_status``, with its author), or ``""``.

    https://open.weibo.com/wiki/2/statuses/user_timeline: a repost carries the original status
    in ``retweeted_status``; its long text, when given, wins over the cut one.
    """
    shared = row.get("retweeted_status")
    if not isinstance(shared, Mapping):
        return ""
    body = text_or_html(_long_text(shared) or as_str(shared.get("text"), MAX_BODY_CHARS), MAX_BODY_CHARS)
    author = _screen_name(shared)
    return f"@{author}：{body}" if author and body else body


def _comment(row: Mapping[str, object], *, fetched_at: datetime | None) -> FetchedComment | None:
    comment_id = _id_of(row)
    created_at = parse_date_text(as_str(row.get("created_at"), 100), fetched_at=fetched_at)
    status = row.get("status")
    post_id = _id_of(status) if isinstance(status, Mapping) else None
    estimated = created_at is None
    created_at = created_at or fetched_at  # a question without a time is still a question
    if comment_id is None or created_at is None or post_id is None:
        return None
    return FetchedComment(
        external_id=comment_id,
        post_external_id=post_id,
        author=_screen_name(row),
        text=text_or_html(as_str(row.get("text"), MAX_COMMENT_CHARS * 2), MAX_COMMENT_CHARS),
        created_at=created_at,
        date_estimated=estimated,
        deleted=as_bool(row.get("deleted")),
    )


def _with_reply(comment: FetchedComment, text: str, replied_at: datetime) -> FetchedComment:
    return dataclasses.replace(comment, replied=True, reply_text=text, replied_at=replied_at)


def _cursor(data: Mapping[str, object]) -> str | None:
    """Weibo's ``next_cursor`` (the ``max_id`` of the next older page); 0 means no more."""
    value = data.get("next_cursor")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    if not text.isdigit() or len(text) > _MAX_ID_DIGITS or int(text) == 0:
        return None
    return text


def largest_id(ids: list[str | None]) -> str | None:
    """The largest numeric id, compared as integers (string order is wrong across lengths)."""
    numeric = [value for value in ids if value and value.isdigit()]
    return max(numeric, key=int) if numeric else None
