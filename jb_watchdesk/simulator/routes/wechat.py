"""The WeChat official-account routes: tokens, ``freepublish/batchget`` and ``comment/list``.

``cgi-bin`` JSON with ``errcode``/``errmsg``. ``comment/list`` takes the numeric
``msg_data_id`` of a mass send (:func:`wechat_msg_data_id`, the ``mid`` of the message's
article URLs) and a 0-based ``index``; only the first article of a message has comments.
"""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

from jb_watchdesk.simulator.faults import FaultKind
from jb_watchdesk.simulator.routes.wire import PlatformRoutes, Request, Response, Target, _int, json_response
from jb_watchdesk.simulator.world import SimAccount, SimPost


class WechatRoutes(PlatformRoutes):
    """The WeChat routes."""

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


def wechat_msg_data_id(post: SimPost) -> int:
    """A message's data id: what a mass send returns and its article URLs carry as ``mid``.

    Unique per account because an account publishes at most one message a second.
    """
    return 2_247_000_000 + post.published % 1_000_000_000
