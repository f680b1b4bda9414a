"""The route table and :class:`Platforms`, which answers a request on any platform's route.

:data:`ROUTES` maps API paths to route names (``wechat.batchget``); :meth:`Platforms.lookup`
finds a path's route, :meth:`Platforms.identify` the account a request concerns and
:meth:`Platforms.handle` calls the route's handler in the platform's module.
"""

from __future__ import annotations

from typing import Final

from jb_watchdesk.simulator.faults import FaultKind
from jb_watchdesk.simulator.routes.douyin import DouyinRoutes
from jb_watchdesk.simulator.routes.feeds import FeedRoutes
from jb_watchdesk.simulator.routes.wechat import WechatRoutes
from jb_watchdesk.simulator.routes.weibo import WeiboRoutes, _weibo_token
from jb_watchdesk.simulator.routes.wire import Request, Response, Target
from jb_watchdesk.simulator.world import SimAccount, World

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


class Platforms(FeedRoutes, WechatRoutes, WeiboRoutes, DouyinRoutes):
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
