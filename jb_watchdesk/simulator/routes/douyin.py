"""The Douyin routes: ``oauth`` tokens, ``video/list`` and ``item/comment/list``.

Douyin's ``data``/``extra`` envelope; errors come with HTTP 200 and the code in
``data``/``extra``. ``video_status`` follows the world's content switch.
"""

from __future__ import annotations

from jb_watchdesk.simulator.faults import FaultKind
from jb_watchdesk.simulator.routes.wire import PlatformRoutes, Request, Response, Target, _int, json_response
from jb_watchdesk.simulator.world import SimAccount, SimComment, SimPost, to_datetime


class DouyinRoutes(PlatformRoutes):
    """The Douyin routes."""

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
