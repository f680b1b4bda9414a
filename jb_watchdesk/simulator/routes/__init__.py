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

The routes live one module per platform (:mod:`.feeds`, :mod:`.wechat`, :mod:`.weibo`,
:mod:`.douyin`) on the shared requests and responses of :mod:`.wire`; :mod:`.platforms`
holds the route table and :class:`Platforms`. This package re-exports their public names.
"""

from __future__ import annotations

from jb_watchdesk.simulator.routes.douyin import DouyinRoutes
from jb_watchdesk.simulator.routes.feeds import FeedRoutes
from jb_watchdesk.simulator.routes.platforms import DATA_ROUTES, ROUTE_PLATFORM, ROUTES, Platforms, platform_of
from jb_watchdesk.simulator.routes.wechat import WechatRoutes, wechat_msg_data_id
from jb_watchdesk.simulator.routes.weibo import WEIBO_CUT_CHARS, WeiboRoutes, weibo_long_intro
from jb_watchdesk.simulator.routes.wire import (
    JSON_TYPE,
    PlatformRoutes,
    Request,
    Response,
    Target,
    http_date,
    json_response,
    text_response,
    weibo_date,
)

__all__ = [
    "DATA_ROUTES",
    "JSON_TYPE",
    "ROUTES",
    "ROUTE_PLATFORM",
    "WEIBO_CUT_CHARS",
    "DouyinRoutes",
    "FeedRoutes",
    "PlatformRoutes",
    "Platforms",
    "Request",
    "Response",
    "Target",
    "WechatRoutes",
    "WeiboRoutes",
    "http_date",
    "json_response",
    "platform_of",
    "text_response",
    "wechat_msg_data_id",
    "weibo_date",
    "weibo_long_intro",
]
