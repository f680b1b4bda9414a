"""The platforms' HTTP APIs over the simulated world: request in, response out, no sockets.

Wire formats follow what the parsers in ``jb_watchdesk.connectors`` read (their module
docstrings cite the platform documentation): RSS 2.0 as RSSHub serves it, WeChat's
``cgi-bin`` JSON with ``errcode``, Weibo's v2 JSON with ``idstr`` and ``error_code``,
Douyin's ``data``/``extra`` envelope.

Conventions worth knowing when writing a client against this:

- WeChat ``comment/list`` takes the numeric ``msg_data_id`` of a mass send, which is the ``mid``
  of the message's article URLs (``freepublish``'s ``article_id`` gets 40097 invalid args), and
  ``index`` 0-based (the URL's ``idx`` is 1-based). Only the first article of a message has comments.
- Weibo answers errors with HTTP 400 (authorisation, parameters) or 403 (rate limit) and a
  JSON body, as the real API does; ``error_code`` is a string for some accounts.
- Douyin answers errors with HTTP 200 and the code in ``data``/``extra``.
- Quotas count data calls only (not token calls), per account per Asia/Shanghai day.
- Content switches (:class:`jb_watchdesk.simulator.world.ContentKind`) are read from the
  world on every request: hostile characters, odd feed dates, long Weibo posts, Douyin
  video statuses.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from jb_watchdesk.simulator.faults import FaultKind
from jb_watchdesk.simulator.world import (
    PLACEHOLDER_GUID,
    ContentKind,
    SimAccount,
    SimComment,
    SimPost,
    World,
    feed_link,
    to_datetime,
)
JSON_TYPE: Final = "application/json; charset=utf-8"
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed HTTP request. Header names are lower-case."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""

    def form(self) -> dict[str, str]:
        """The body as JSON object or form fields, whichever the client sent."""
        if not self.body:
            return {}
        content_type = self.headers.get("content-type", "")
        if "json" in content_type or self.body.lstrip().startswith(b"{"):
            try:
                data = json.loads(self.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return {}
            if not isinstance(data, dict):
                return {}
            return {str(k): _scalar_text(v) for k, v in data.items()}
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return {}
        return dict(parse_qsl(text, keep_blank_values=True))


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


@dataclass(slots=True)
class Response:
    """What to send back. ``kind`` (json, xml, html, text) lets faults reshape the body."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    kind: str = "json"
    charset: str = "utf-8"


@dataclass(frozen=True, slots=True)
class Target:
    """Which route a request is for and which account it concerns, if known."""

    route: str
    account: SimAccount | None = None

    def names(self, platform: str) -> frozenset[str]:
        """What a fault TARGET may name for this request: account key and platforms."""
        if self.account is None:
            return frozenset({platform})
        return frozenset({self.account.key, self.account.served, self.account.platform})


_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def json_response(payload: object, *, status: int = 200) -> Response:
    """A JSON response; ints stay exact (Weibo ids above 2**53 must survive).

    A lone surrogate in a string goes out as its JSON escape (``\\ud83d``), as platforms whose
    back ends cut UTF-16 strings send it: the bytes stay valid UTF-8, the text does not.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    text = _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return Response(status=status, body=text.encode("utf-8"))


def text_response(status: int, *, text: str, kind: str = "text") -> Response:
    """A small plain-text or HTML response."""
    content_type = "text/html; charset=utf-8" if kind == "html" else "text/plain; charset=utf-8"
    return Response(status=status, body=text.encode("utf-8"), content_type=content_type, kind=kind)


def http_date(epoch: int) -> str:
    """An IMF-fixdate for Last-Modified and Date headers."""
    return email.utils.formatdate(epoch, usegmt=True)


def weibo_date(epoch: int) -> str:
    """Weibo's ``created_at``: ``Tue May 31 17:46:55 +0800 2011`` (English, whatever the locale)."""
    moment = to_datetime(epoch)
    return (
        f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} +0800 {moment.year}"
    )


ROUTES: Final[dict[str, tuple[str, frozenset[str]]]] = {
    "/cgi-bin/stable_token": ("wechat.stable_token", frozenset({"POST"})),
    "/cgi-bin/token": ("wechat.token", frozenset({"GET"})),
    "/cgi-bin/freepublish/batchget": ("wechat.batchget", frozenset({"POST"})),
    "/cgi-bin/comment/list": ("wechat.comment_list", frozenset({"POST"})),
    "/2/statuses/user_timeline.json": ("weibo.user_timeline", frozenset({"GET"})),
    "/2/statuses/show.json": ("weibo.statuses_show", frozenset({"GET"})),
    "/2/comments/show.json": ("weibo.comments_show", frozenset({"GET"})),
    "/2/comments/timeline.json": ("weibo.comments_timeline", frozenset({"GET"})),
    "/oauth/client_token": ("douyin.client_token", frozenset({"POST"})),
    "/oauth/refresh_token": ("douyin.refresh_token", frozenset({"POST"})),
    "/video/list": ("douyin.video_list", frozenset({"GET"})),
    "/item/comment/list": ("douyin.comment_list", frozenset({"GET"})),
}
ROUTE_PLATFORM: Final = {"wechat": "wechat_mp", "weibo": "weibo", "douyin": "douyin", "rss": "rss"}
DATA_ROUTES: Final = frozenset(
    {
        "wechat.batchget",
        "wechat.comment_list",
        "weibo.user_timeline",
        "weibo.statuses_show",
        "weibo.comments_show",
        "weibo.comments_timeline",
        "douyin.video_list",
        "douyin.comment_list",
    }
)


def platform_of(route: str) -> str:
    """The served platform a route belongs to (``wechat.batchget`` → ``wechat_mp``)."""
    return ROUTE_PLATFORM.get(route.split(".", 1)[0], route)


class Platforms:
    """Answers platform API requests from a :class:`World`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._serial = 0
        self._weibo_tokens = {
            a.credentials["access_token"]: a for a in world.accounts if a.served == "weibo"
        }

    # --------------------------------------------------------------- routing

    def lookup(self, path: str) -> tuple[str | None, frozenset[str]]:
        """The route name for ``path`` and the methods it allows (``None`` if unknown)."""
        if path.startswith("/rss/") and path.count("/") == 2:
            return "rss", frozenset({"GET", "HEAD"})
        entry = ROUTES.get(path.rstrip("/") or "/")
        if entry is None:
            return None, frozenset()
        return entry

    def identify(self, request: Request, *, route: str) -> Target:
        """The account a request concerns, read from its path, body, query or token."""
        world = self.world
        now = world.now()
        account: SimAccount | None = None
        if route == "rss":
            found = world.by_key.get(request.path.rsplit("/", 1)[1])
            account = found if found is not None and found.served == "rss" else None
        elif route == "wechat.stable_token":
            account = world.find("wechat_mp", value=request.form().get("appid", ""))
        elif route == "wechat.token":
            account = world.find("wechat_mp", value=request.query.get("appid", ""))
        elif route.startswith("wechat."):
            index, _ = world.tokens.check(request.query.get("access_token", ""), kind="wechat", now=now)
            account = world.accounts[index] if index is not None else None
        elif route.startswith("weibo."):
            account = self._weibo_tokens.get(_weibo_token(request))
        elif route == "douyin.client_token":
            account = world.find("douyin_client_key", value=request.form().get("client_key", ""))
        elif route == "douyin.refresh_token":
            account = world.find("douyin_refresh", value=request.form().get("refresh_token", ""))
        elif route.startswith("douyin."):
            index, _ = world.tokens.check(request.headers.get("access-token", ""), kind="douyin", now=now)
            account = world.accounts[index] if index is not None else None
            if account is None:
                account = world.find("douyin", value=request.query.get("open_id", ""))
        return Target(route=route, account=account)

    def handle(self, request: Request, *, target: Target, forced: FaultKind | None = None) -> Response:
        """The platform's answer. ``forced`` is an ``expire`` or ``quota`` fault to act out."""
        self._serial += 1
        handler = getattr(self, "_" + target.route.replace(".", "_"))
        response: Response = handler(target, request, forced)
        return response

    def _spend(self, account: SimAccount, forced: FaultKind | None) -> bool:
        if forced is FaultKind.QUOTA:
            return False
        return self.world.quotas.spend(account, now=self.world.now())

    # -------------------------------------------------------------------- RSS

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

    # ----------------------------------------------------------------- WeChat

    def _wechat_error(self, code: int, message: str) -> Response:
        rid = hashlib.sha1(f"{self.world.seed}:{self._serial}".encode()).hexdigest()
        return json_response({"errcode": code, "errmsg": f"{message} rid: {rid[:8]}-{rid[8:16]}-{rid[16:24]}"})

    def _wechat_stable_token(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        form = request.form()
        return self._wechat_issue(
            target,
            grant_type=form.get("grant_type", ""),
            secret=form.get("secret", ""),
            force=form.get("force_refresh", "").lower() in {"true", "1"},
        )

    def _wechat_token(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        return self._wechat_issue(
            target,
            grant_type=request.query.get("grant_type", ""),
            secret=request.query.get("secret", ""),
            force=True,
        )

    def _wechat_issue(self, target: Target, *, grant_type: str, secret: str, force: bool) -> Response:
        if grant_type != "client_credential":
            return self._wechat_error(40002, "invalid grant_type")
        account = target.account
        if account is None:
            return self._wechat_error(40013, "invalid appid")
        if secret != account.credentials["app_secret"]:
            return self._wechat_error(40125, "invalid appsecret, view more at http://t.cn/RAEkdVq")
        token, expires_in = self.world.tokens.issue(account, kind="wechat", now=self.world.now(), reuse=not force)
        return json_response({"access_token": token, "expires_in": expires_in})

    def _wechat_account(self, request: Request, forced: FaultKind | None) -> SimAccount | Response:
        token = request.query.get("access_token", "")
        index, state = self.world.tokens.check(token, kind="wechat", now=self.world.now())
        if index is None:
            return self._wechat_error(
                40001,
                "invalid credential, access_token is invalid or not latest, "
                "could get access_token by getStableAccessToken",
            )
        if state == "expired" or forced is FaultKind.EXPIRE:
            return self._wechat_error(42001, "access_token expired")
        account = self.world.accounts[index]
        if not self._spend(account, forced):
            return self._wechat_error(45009, "reach max api daily quota limit")
        return account

    def _wechat_batchget(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        account = self._wechat_account(request, forced)
        if isinstance(account, Response):
            return account
        form = request.form()
        offset, count = _int(form.get("offset"), 0), _int(form.get("count"), 20)
        if offset < 0 or not 1 <= count <= 20:
            return self._wechat_error(40035, "invalid args")
        no_content = form.get("no_content", "0").lower() in {"1", "true"}
        now = self.world.now()
        listed = self.world.listed_posts(account, now=now)
        if forced is FaultKind.SHIFT and offset:
            offset -= 1  # a message published after the first page pushed every later one down
        page = listed[offset : offset + count]
        items = [self._wechat_item(account, post, now, no_content=no_content) for post in page]
        return json_response({"total_count": len(listed), "item_count": len(items), "item": items})

    def _wechat_item(self, account: SimAccount, post: SimPost, now: int, *, no_content: bool) -> dict[str, object]:
        text = self.world.post_text(post, now=now)
        deleted = post.deleted(now)
        flag = "is_delete" if account.string_error_codes else "is_deleted"
        biz = hashlib.sha1(account.key.encode()).hexdigest()[:12]
        news: list[dict[str, object]] = []
        for position, title in enumerate((text.title, *text.extra_titles), start=1):
            article: dict[str, object] = {
                "title": title,
                "author": account.brand,
                "digest": "" if deleted else text.sentences[0][:54],
                "content_source_url": "",
                "thumb_media_id": f"THUMB_{post.post_id[:12]}_{position}",
                "thumb_url": f"https://mmbiz.qpic.cn/mmbiz_jpg/{biz}/{post.slot}{position}?wx_fmt=jpeg",
                "need_open_comment": 1,
                "only_fans_can_comment": 0,
                "url": f"https://mp.weixin.qq.com/s?__biz={biz}==&mid={wechat_msg_data_id(post)}&idx={position}&sn={post.post_id[:16]}",
                flag: int(deleted) if flag == "is_delete" else deleted,
            }
            if not no_content:
                body = "" if deleted else "".join(f"<p>{escape(s)}</p>" for s in text.sentences)
                article["content"] = f"<section>{body}</section>" if body else ""
            news.append(article)
        updated = post.updated(now)
        return {
            "article_id": post.post_id,
            "content": {"news_item": news, "create_time": post.published, "update_time": updated},
            "update_time": updated,
        }

    def _wechat_message(self, account: SimAccount, *, msg_data_id: int, now: int) -> SimPost | None:
        """The message whose data id (the ``mid`` of its article URLs) is ``msg_data_id``."""
        for post in self.world.posts(account, now=now):
            if wechat_msg_data_id(post) == msg_data_id:
                return post
        return None

    def _wechat_comment_list(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        account = self._wechat_account(request, forced)
        if isinstance(account, Response):
            return account
        form = request.form()
        begin, count, index = _int(form.get("begin"), 0), _int(form.get("count"), 50), _int(form.get("index"), 0)
        kind = _int(form.get("type"), 0)
        if begin < 0 or not 1 <= count <= 50:
            return self._wechat_error(88010, "count range error. cout <= 0 or count > 50")
        if forced is FaultKind.COMMENT_QUOTA:
            return self._wechat_error(45009, "reach max api daily quota limit")
        if forced is FaultKind.COMMENT_ARGS:
            return self._wechat_error(40097, "invalid args")
        if forced is FaultKind.SHIFT and begin:
            begin -= 1
        now = self.world.now()
        msg_data_id = form.get("msg_data_id", "")
        if not msg_data_id.isdigit():
            # The API takes the mass send's numeric id; freepublish's article_id is refused.
            return self._wechat_error(40097, "invalid args")
        post = self._wechat_message(account, msg_data_id=int(msg_data_id), now=now)
        if post is None or not 0 <= index < post.articles:
            return self._wechat_error(88001, "msg_data is not exists")
        comments = self.world.comments(post, now=now) if index == 0 else []
        if kind == 1:
            comments = [c for c in comments if not c.elected]
        elif kind == 2:
            comments = [c for c in comments if c.elected]
        rows: list[dict[str, object]] = []
        for comment in comments[begin : begin + count]:
            row: dict[str, object] = {
                "user_comment_id": comment.number,
                "openid": comment.author_id,
                "create_time": comment.created,
                "content": comment.text + self.world.hostile_comment(account, comment),
                "comment_type": int(comment.elected),
            }
            if comment.replied_by(now) and comment.replied is not None:
                row["reply"] = {"content": comment.reply_text, "create_time": comment.replied}
            rows.append(row)
        return json_response({"errcode": 0, "errmsg": "ok", "total": len(comments), "comment": rows})

    # ------------------------------------------------------------------ Weibo

    def _weibo_error(
        self, request: Request, code: int, message: str, *, status: int, as_string: bool = False
    ) -> Response:
        return json_response(
            {"error": message, "error_code": str(code) if as_string else code, "request": request.path},
            status=status,
        )

    def _weibo_account(self, request: Request, forced: FaultKind | None) -> SimAccount | Response:
        account = self._weibo_tokens.get(_weibo_token(request))
        if account is None:
            return self._weibo_error(request, 21332, "invalid_access_token", status=400, as_string=True)
        strings = account.string_error_codes
        if forced is FaultKind.EXPIRE:
            return self._weibo_error(request, 21327, "expired_token", status=400, as_string=strings)
        uid = request.query.get("uid")
        if uid and uid != account.credentials["uid"]:
            return self._weibo_error(request, 20003, "User does not exists!", status=400, as_string=strings)
        if not self._spend(account, forced):
            return self._weibo_error(request, 10023, "User requests out of rate limit!", status=403, as_string=strings)
        return account

    def _weibo_user(self, account: SimAccount) -> dict[str, object]:
        uid = account.credentials["uid"]
        return {
            "id": int(uid),
            "idstr": uid,
            "screen_name": account.name,
            "name": account.name,
            "location": "重庆 江北区",
            "description": f"{account.unit}官方微博",
            "verified": True,
            "verified_type": 1,
        }

    def weibo_full_text(self, account: SimAccount, post: SimPost, now: int) -> str:
        """A status's whole text (what ``longText.longTextContent`` holds for a long post)."""
        text = self.world.post_text(post, now=now)
        intro = ""
        if self.world.weibo_long(account, post):
            # Before the sentences, so whatever the post says beyond its headline, sensitive
            # sentences included, lies past the cut.
            intro = weibo_long_intro(account, post)
        body = f"【{text.title}】" + intro + "".join(text.sentences) + self.world.hostile_post(account, post)
        if post.slot % 4 == 0:
            body += f' <a href="https://weibo.cn/sinaurl?u=https%3A%2F%2Fwww.jbq.example.gov.cn%2F{post.slot}">网页链接</a>'
        return body

    def _weibo_status(self, account: SimAccount, post: SimPost, now: int, *, long_text: bool = False) -> dict[str, object]:
        """A status object (https://open.weibo.com/wiki/2/statuses/user_timeline). A long post is
        cut in the timeline (``isLongText``); with ``long_text`` (``statuses/show`` with
        ``isGetLongText=1``) it carries its whole text in ``longText.longTextContent``."""
        body = self.weibo_full_text(account, post, now)
        is_long = self.world.weibo_long(account, post)
        full = body
        if is_long:
            uid = account.credentials["uid"]
            body = f"{body[:WEIBO_CUT_CHARS]}... 全文： http://m.weibo.cn/{uid}/{post.post_id}"
        status: dict[str, object] = {
            "created_at": weibo_date(post.published),
            "id": int(post.post_id),
            "idstr": post.post_id,
            "mid": post.post_id,
            "text": body,
            "source": '<a href="https://app.weibo.com/t/feed/6vtZb0" rel="nofollow">微博 weibo.com</a>',
            "favorited": False,
            "truncated": False,
            "isLongText": is_long,
            "reposts_count": post.slot % 17,
            "comments_count": len(self.world.comments(post, now=now)),
            "attitudes_count": post.slot % 97,
            "user": self._weibo_user(account),
        }
        if is_long and long_text:
            status["longText"] = {"longTextContent": full, "url_objects": []}
        if post.deleted(now):
            status["deleted"] = "1"
            status["text"] = "此微博已被作者删除。"
            status["isLongText"] = False
            status.pop("longText", None)
        if post.edited(now):
            status["edit_count"] = 1
            status["edit_at"] = weibo_date(post.edited_at or post.published)
        return status

    def _weibo_user_timeline(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        account = self._weibo_account(request, forced)
        if isinstance(account, Response):
            return account
        now = self.world.now()
        listed = self.world.listed_posts(account, now=now)
        since_id, max_id = _int(request.query.get("since_id"), 0), _int(request.query.get("max_id"), 0)
        count = min(max(_int(request.query.get("count"), 20), 1), 100)
        page = max(_int(request.query.get("page"), 1), 1)
        chosen = [p for p in listed if int(p.post_id) > since_id and (not max_id or int(p.post_id) <= max_id)]
        window = chosen[(page - 1) * count : page * count]
        more = len(chosen) > page * count
        return json_response(
            {
                "statuses": [self._weibo_status(account, post, now) for post in window],
                "marks": [],
                "hasvisible": False,
                "previous_cursor": 0,
                "next_cursor": int(window[-1].post_id) - 1 if more and window else 0,
                "total_number": len(listed),
                "interval": 0,
            }
        )

    def _weibo_statuses_show(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        """``2/statuses/show.json?id=ID[&isGetLongText=1]``: one status of the token's account
        (https://open.weibo.com/wiki/2/statuses/show); 20101 when there is no such status."""
        account = self._weibo_account(request, forced)
        if isinstance(account, Response):
            return account
        now = self.world.now()
        post = self.world.find_post(account, post_id=request.query.get("id", ""), now=now)
        if post is None:
            strings = account.string_error_codes
            return self._weibo_error(request, 20101, "target weibo does not exist!", status=400, as_string=strings)
        wanted = request.query.get("isGetLongText", "") in {"1", "true"}
        return json_response(self._weibo_status(account, post, now, long_text=wanted))

    def _weibo_comment_rows(self, account: SimAccount, posts: list[SimPost], now: int) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        user = self._weibo_user(account)
        for post in posts:
            if post.deleted(now):
                continue
            text = self.world.post_text(post, now=now)
            status = {
                "id": int(post.post_id),
                "idstr": post.post_id,
                "created_at": weibo_date(post.published),
                "text": f"【{text.title}】",
                "user": user,
            }
            for comment in self.world.comments(post, now=now):
                commenter = {"id": int(comment.author_id), "idstr": comment.author_id, "screen_name": comment.author_name}
                text = comment.text + self.world.hostile_comment(account, comment)
                row = _weibo_comment(comment.comment_id, comment.created, text, commenter, status)
                rows.append(row)
                if comment.replied_by(now) and comment.reply_id and comment.replied is not None:
                    reply = _weibo_comment(
                        comment.reply_id,
                        comment.replied,
                        f"回复@{comment.author_name}:{comment.reply_text}",
                        user,
                        status,
                    )
                    reply["reply_comment"] = {
                        "id": int(comment.comment_id),
                        "idstr": comment.comment_id,
                        "text": text,
                        "created_at": weibo_date(comment.created),
                        "user": commenter,
                    }
                    rows.append(reply)
        rows.sort(key=lambda row: int(str(row["idstr"])), reverse=True)
        return rows

    def _weibo_comment_page(
        self, request: Request, rows: list[dict[str, object]], *, forced: FaultKind | None = None
    ) -> Response:
        since_id, max_id = _int(request.query.get("since_id"), 0), _int(request.query.get("max_id"), 0)
        count = min(max(_int(request.query.get("count"), 50), 1), 200)
        page = max(_int(request.query.get("page"), 1), 1)
        chosen = [r for r in rows if int(str(r["idstr"])) > since_id and (not max_id or int(str(r["idstr"])) <= max_id)]
        start = (page - 1) * count
        if forced is FaultKind.SHIFT and start:
            start -= 1  # a comment posted after page one pushed the rest down by one
        window = chosen[start : start + count]
        more = len(chosen) > start + count
        return json_response(
            {
                "comments": window,
                "marks": [],
                "hasvisible": False,
                "previous_cursor": 0,
                "next_cursor": int(str(window[-1]["idstr"])) - 1 if more and window else 0,
                "total_number": len(rows),
            }
        )

    def _weibo_comments_show(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        account = self._weibo_account(request, forced)
        if isinstance(account, Response):
            return account
        now = self.world.now()
        post = self.world.find_post(account, post_id=request.query.get("id", ""), now=now)
        if post is None:
            strings = account.string_error_codes
            return self._weibo_error(request, 20101, "target weibo does not exist!", status=400, as_string=strings)
        return self._weibo_comment_page(request, self._weibo_comment_rows(account, [post], now), forced=forced)

    def _weibo_comments_timeline(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        account = self._weibo_account(request, forced)
        if isinstance(account, Response):
            return account
        now = self.world.now()
        posts = self.world.listed_posts(account, now=now)
        return self._weibo_comment_page(request, self._weibo_comment_rows(account, posts, now), forced=forced)

    # ----------------------------------------------------------------- Douyin

    def _douyin_extra(self, now: int, *, code: int = 0, description: str = "") -> dict[str, object]:
        logid = f"{to_datetime(now):%Y%m%d%H%M%S}0101980821035{self._serial % 0xFFFFF:05X}"
        return {
            "description": description,
            "error_code": code,
            "logid": logid,
            "now": now * 1000,
            "sub_description": "",
            "sub_error_code": 0,
        }

    def _douyin_error(self, code: int, description: str, *, with_extra: bool = True) -> Response:
        payload: dict[str, object] = {"data": {"description": description, "error_code": code}}
        if with_extra:
            payload["extra"] = self._douyin_extra(self.world.now(), code=code, description=description)
        else:
            payload["message"] = "error"
        return json_response(payload)

    def _douyin_client_token(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        form = request.form()
        account = target.account
        if form.get("grant_type") != "client_credential":
            return self._douyin_error(10005, "grant_type 参数不合法", with_extra=False)
        if account is None or form.get("client_secret") != account.credentials["client_secret"]:
            return self._douyin_error(10013, "client_key 或 client_secret 错误", with_extra=False)
        token, expires_in = self.world.tokens.issue(account, kind="douyin_client", now=self.world.now())
        data = {"access_token": token, "description": "", "error_code": 0, "expires_in": expires_in}
        return json_response({"data": data, "message": "success"})

    def _douyin_refresh_token(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        form = request.form()
        account = target.account
        if form.get("grant_type") != "refresh_token":
            return self._douyin_error(10005, "grant_type 参数不合法", with_extra=False)
        if account is None or forced is FaultKind.EXPIRE:
            return self._douyin_error(10010, "refresh_token已过期", with_extra=False)
        if form.get("client_key") != account.credentials["client_key"]:
            return self._douyin_error(10013, "client_key 错误", with_extra=False)
        token, expires_in = self.world.tokens.issue(account, kind="douyin", now=self.world.now())
        numbers_as_text = account.string_error_codes
        data: dict[str, object] = {
            "access_token": token,
            "description": "",
            "error_code": 0,
            "expires_in": str(expires_in) if numbers_as_text else expires_in,
            "open_id": account.credentials["open_id"],
            "refresh_expires_in": "2592000" if numbers_as_text else 2_592_000,
            "refresh_token": account.credentials["refresh_token"],
            "scope": "user_info,video.list.bind,item.comment",
        }
        return json_response({"data": data, "message": "success"})

    def _douyin_account(self, request: Request, forced: FaultKind | None) -> SimAccount | Response:
        token = request.headers.get("access-token", "")
        index, state = self.world.tokens.check(token, kind="douyin", now=self.world.now())
        if index is None:
            return self._douyin_error(2190002, "access_token无效")
        if state == "expired" or forced is FaultKind.EXPIRE:
            return self._douyin_error(2190008, "access_token过期,请刷新或重新授权")
        account = self.world.accounts[index]
        open_id = request.query.get("open_id", "")
        if not open_id:
            return self._douyin_error(2100005, "参数不合法: open_id")
        if open_id != account.credentials["open_id"]:
            return self._douyin_error(28001015, "access_token与open_id不匹配")
        if not self._spend(account, forced):
            return self._douyin_error(2190001, "quota已用完")
        return account

    def _douyin_video_list(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        account = self._douyin_account(request, forced)
        if isinstance(account, Response):
            return account
        now = self.world.now()
        cursor = _int(request.query.get("cursor"), 0)
        count = min(max(_int(request.query.get("count"), 10), 1), 20)
        listed = self.world.listed_posts(account, now=now)
        pinned = [post for post in listed if post.pinned]
        ordinary = [post for post in listed if not post.pinned]
        if cursor:
            ordinary = [post for post in ordinary if post.published * 1000 < cursor]
            chosen = ordinary[:count]
        else:
            chosen = (pinned + ordinary)[:count]
        last = [post for post in chosen if not post.pinned]
        remaining = len(ordinary) - len(last)
        next_cursor = last[-1].published * 1000 if last else 0
        data = {
            "list": [self._douyin_video(account, post, now) for post in chosen],
            "cursor": next_cursor,
            "has_more": remaining > 0 and bool(last),
            "error_code": 0,
            "description": "",
        }
        return json_response({"data": data, "extra": self._douyin_extra(now)})

    def _douyin_video(self, account: SimAccount, post: SimPost, now: int) -> dict[str, object]:
        text = self.world.post_text(post, now=now)
        # A caption is short; a post with sensitive content keeps every sentence so the
        # sensitive one is never cut off.
        sentences = text.sentences if post.sensitive else text.sentences[:1]
        caption = " ".join((text.title, *sentences))
        video_number = 7_300_000_000_000_000_000 + post.published * 1000 + account.index % 1000
        comments = len(self.world.comments(post, now=now))
        status = self.world.video_status(account, post)
        return {
            "item_id": post.post_id,
            "title": f"{caption} #江北 #{account.brand}",
            "create_time": post.published,
            "share_url": f"https://www.iesdouyin.com/share/video/{video_number}/?region=CN&mid={post.slot}",
            "cover": f"https://p3-sign.douyinpic.com/obj/sim-{account.key}-{post.slot}",
            "is_top": post.pinned,
            "is_reviewed": status != 4,
            "video_status": status,
            "media_type": 4,
            "statistics": {
                "comment_count": comments,
                "digg_count": post.slot % 211,
                "download_count": 0,
                "forward_count": post.slot % 13,
                "play_count": 0,
                "share_count": post.slot % 29,
            },
        }

    def _douyin_comment_list(self, target: Target, request: Request, forced: FaultKind | None) -> Response:
        account = self._douyin_account(request, forced)
        if isinstance(account, Response):
            return account
        now = self.world.now()
        post = self.world.find_post(account, post_id=request.query.get("item_id", ""), now=now)
        if post is None or post.deleted(now):
            return self._douyin_error(2100005, "参数不合法: item_id")
        cursor = max(_int(request.query.get("cursor"), 0), 0)
        count = min(max(_int(request.query.get("count"), 10), 1), 50)
        if forced is FaultKind.SHIFT and cursor:
            cursor -= 1  # the cursor is an offset: a new comment pushes the list down by one
        comments = list(reversed(self.world.comments(post, now=now)))
        window = comments[cursor : cursor + count]
        data = {
            "list": [_douyin_comment(comment, now, extra=self.world.hostile_comment(account, comment)) for comment in window],
            "cursor": cursor + len(window),
            "has_more": cursor + len(window) < len(comments),
            "error_code": 0,
            "description": "",
        }
        return json_response({"data": data, "extra": self._douyin_extra(now)})


#: Weibo's timeline shows this many characters of a long post before ``... 全文：URL``
WEIBO_CUT_CHARS: Final = 137
# Where bad_byte cuts: the character after this mark loses its last byte. A private-use
# character the content never holds, removed again from the bytes.
_BAD_BYTE_MARK: Final = "\ue0b7"


def weibo_long_intro(account: SimAccount, post: SimPost) -> str:
    """The opening paragraph that makes a ``long_text`` status long (over 140 characters)."""
    return (
        f"各位网友：为进一步做好{account.unit}各项工作，回应群众关切，现将近期有关情况通报如下。"
        "本通报内容较长，请耐心阅读，并请相互转告身边的亲友和邻居。"
        "我们将持续跟进相关事项的办理进展，及时向社会公开，欢迎广大市民通过留言、来电等方式提出意见建议，"
        f"共同把{account.brand}的各项工作做实做细。以下为具体内容。"
    )


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


def wechat_msg_data_id(post: SimPost) -> int:
    """A message's data id: what a mass send returns and its article URLs carry as ``mid``.

    Unique per account because an account publishes at most one message a second.
    """
    return 2_247_000_000 + post.published % 1_000_000_000


def _douyin_comment(comment: SimComment, now: int, *, extra: str = "") -> dict[str, object]:
    return {
        "comment_id": comment.comment_id,
        "comment_user_id": comment.author_id,
        "content": comment.text + extra,
        "create_time": comment.created,
        "top": comment.elected,
        "digg_count": comment.number * 3 % 17,
        "reply_comment_total": int(comment.replied_by(now)),
    }


def _weibo_comment(
    idstr: str, created: int, text: str, user: Mapping[str, object], status: Mapping[str, object]
) -> dict[str, object]:
    return {
        "created_at": weibo_date(created),
        "id": int(idstr),
        "idstr": idstr,
        "mid": idstr,
        "text": text,
        "source": '<a href="https://weibo.com/" rel="nofollow">微博 weibo.com</a>',
        "user": dict(user),
        "status": dict(status),
    }


def _weibo_token(request: Request) -> str:
    token = request.query.get("access_token", "")
    if token:
        return token
    authorization = request.headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() in {"oauth2", "bearer"} else ""


def _int(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    text = value.strip()
    if len(text) > 30 or not text.lstrip("-").isdigit():
        return default
    return int(text)


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
