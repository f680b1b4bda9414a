"""The Weibo routes: ``2/statuses/user_timeline``, ``2/statuses/show`` and the comment lists.

Weibo's v2 JSON with ``idstr``; errors come with HTTP 400 (authorisation, parameters) or
403 (rate limit) and ``error_code``, a string for some accounts. Long posts
(``long_text``) are cut in the timeline and whole in ``statuses/show`` with
``isGetLongText=1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from jb_watchdesk.simulator.faults import FaultKind
from jb_watchdesk.simulator.routes.wire import (
    PlatformRoutes,
    Request,
    Response,
    Target,
    _int,
    json_response,
    weibo_date,
)
from jb_watchdesk.simulator.world import SimAccount, SimPost

#: Weibo's timeline shows this many characters of a long post before ``... 全文：URL``
WEIBO_CUT_CHARS: Final = 137


class WeiboRoutes(PlatformRoutes):
    """The Weibo routes."""

    _weibo_tokens: dict[str, SimAccount]

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
                comment_text = comment.text + self.world.hostile_comment(account, comment)
                row = _weibo_comment(comment.comment_id, comment.created, comment_text, commenter, status)
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
                        "text": comment_text,
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


def weibo_long_intro(account: SimAccount, post: SimPost) -> str:
    """The opening paragraph that makes a ``long_text`` status long (over 140 characters)."""
    return (
        f"各位网友：为进一步做好{account.unit}各项工作，回应群众关切，现将近期有关情况通报如下。"
        "本通报内容较长，请耐心阅读，并请相互转告身边的亲友和邻居。"
        "我们将持续跟进相关事项的办理进展，及时向社会公开，欢迎广大市民通过留言、来电等方式提出意见建议，"
        f"共同把{account.brand}的各项工作做实做细。以下为具体内容。"
    )


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
