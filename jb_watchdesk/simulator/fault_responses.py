"""Transport faults acted out on a platform's answer, as real servers, CDNs and WAFs send them.

:func:`fault_response` turns a request and the fault the plan chose for it into the response
to send: nginx error pages, a WAF login page with status 200, a feed declaring nested
entities, a truncated or mislabelled body, a compressed one (``br``, ``gzip_noheader``), a
feed whose Last-Modified lies in 2041; ``expire``, ``quota`` and the platform faults are
handed to the routes to act out. :func:`write_oversize` streams the ``oversize`` body.
"""

from __future__ import annotations

import asyncio
import gzip
from http import HTTPStatus
from typing import Final
from urllib.parse import urlencode

import brotli

from jb_watchdesk.simulator.faults import PLATFORM_FAULTS, Fault, FaultKind
from jb_watchdesk.simulator.http11 import _CHUNK, response_head
from jb_watchdesk.simulator.routes import JSON_TYPE, Platforms, Request, Response, Target, platform_of, text_response
from jb_watchdesk.simulator.routes.wire import json_response

OVERSIZE_BYTES: Final = 21 * 1024 * 1024
#: the Last-Modified of the ``future_lastmod`` fault: a file time in 2041, as a case from the field
FUTURE_LAST_MODIFIED: Final = "Sat, 16 Nov 2041 19:11:00 GMT"

_WAF_PAGE: Final = """<html>
<head><title>403 Forbidden</title></head>
<body>
<center><h1>访问被拦截</h1></center>
<p>您的访问请求疑似攻击行为，已被网站防火墙拦截。请先<a href="/sso/login">登录</a>后访问。</p>
<p>事件ID：{event}</p>
</body>
</html>
"""
_ERROR_PAGE: Final = (
    "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_ENTITY_BOMB: Final = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE rss [
  <!ENTITY a "江北江北江北江北江北江北江北江北江北江北">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
  <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
  <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
  <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<rss version="2.0"><channel><title>&i;</title><link>https://www.jbq.example.gov.cn/</link><description>&i;</description>
<item><title>&i;</title><guid>bomb-1</guid><pubDate>Wed, 01 May 2024 08:00:00 +0800</pubDate><description>&i;&i;&i;&i;</description></item>
</channel></rss>
"""


def fault_response(
    platforms: Platforms, fault: Fault | None, target: Target, request: Request, *, draw: int
) -> Response:
    """What to send for ``request`` under ``fault`` (``None``: the platform's own answer);
    ``draw`` picks the details (which 5xx, the WAF event id)."""
    kind = fault.kind if fault is not None else None
    if kind is FaultKind.SERVER_ERROR:
        code = (500, 502, 503)[draw % 3]
        reason = HTTPStatus(code).phrase
        return text_response(code, text=_ERROR_PAGE.format(code=code, reason=reason), kind="html")
    if kind is FaultKind.TOO_MANY_REQUESTS:
        response = text_response(429, text=_ERROR_PAGE.format(code=429, reason="Too Many Requests"), kind="html")
        response.headers.append(("Retry-After", str(fault.param if fault is not None else 30)))
        return response
    if kind is FaultKind.HTML:
        return text_response(200, text=_WAF_PAGE.format(event=f"{draw:016x}"), kind="html")
    if kind is FaultKind.ENTITY_BOMB:
        body = _ENTITY_BOMB.encode("utf-8")
        return Response(status=200, body=body, content_type="application/rss+xml; charset=utf-8", kind="xml")
    if kind is FaultKind.ECHO:
        return _echo(request, target)
    if kind is FaultKind.FUTURE_LASTMOD and target.route == "rss":
        return _future_lastmod(platforms, target, request)
    if kind in (FaultKind.BROTLI, FaultKind.GZIP_NOHEADER):
        return _compressed(platforms.handle(request, target=target), brotli_coded=kind is FaultKind.BROTLI)
    forced = kind if kind in (FaultKind.EXPIRE, FaultKind.QUOTA, *PLATFORM_FAULTS) else None
    if kind in (FaultKind.MALFORMED, FaultKind.CHARSET):
        # A conditional request would get an empty 304, which cannot be malformed.
        headers = {k: v for k, v in request.headers.items() if not k.startswith("if-")}
        request = Request(request.method, request.path, request.query, headers, request.body)
    response = platforms.handle(request, target=target, forced=forced)
    if kind is FaultKind.MALFORMED:
        # Cut on a character boundary: the document must be broken, not undecodable.
        text = response.body.decode(response.charset, "replace")
        cut = len(text) * 3 // 5
        if response.kind == "xml" and "<item>" in text:
            # Inside the channel header, so no entry survives for a lenient parser.
            cut = max(1, text.index("<item>") - 7)
        response.body = text[: max(1, cut)].encode(response.charset)
    elif kind is FaultKind.CHARSET:
        _swap_charset(response)
    return response


def _echo(request: Request, target: Target) -> Response:
    """An error in the platform's own format whose message repeats the request, query and form
    included, as gateways and some API errors do: whatever credential the client sent comes back.
    Feeds get a 400 page doing the same."""
    sent = request.path + ("?" + urlencode(dict(request.query)) if request.query else "")
    if request.body:
        sent += " " + request.body.decode("utf-8", "replace")
    platform = platform_of(target.route)
    if platform == "wechat_mp":
        return json_response({"errcode": 40001, "errmsg": f"invalid credential, request: {sent} rid: 6789abcd-0123-4567"})
    if platform == "weibo":
        return json_response({"error": f"invalid_access_token: {sent}", "error_code": 21332, "request": request.path}, status=400)
    if platform == "douyin":
        return json_response({"data": {"description": f"access_token无效: {sent}", "error_code": 2190002}, "message": "error"})
    return text_response(400, text=_ERROR_PAGE.format(code=400, reason=f"Bad Request: {sent}"), kind="html")


def _future_lastmod(platforms: Platforms, target: Target, request: Request) -> Response:
    """A feed whose Last-Modified lies in 2041: that date coming back gets 304, changed or not.

    A server that compares If-Modified-Since with a file time in the future answers 304 until
    that time passes: the failure feed readers' users reported (RFC 9110 §13.1.3 compares dates).
    """
    if request.headers.get("if-modified-since", "").strip() == FUTURE_LAST_MODIFIED:
        return Response(status=304, headers=[("Last-Modified", FUTURE_LAST_MODIFIED)], content_type="", kind="empty")
    response = platforms.handle(request, target=target)
    response.headers = [(k, v) for k, v in response.headers if k.lower() != "last-modified"]
    response.headers.append(("Last-Modified", FUTURE_LAST_MODIFIED))
    return response


def _compressed(response: Response, *, brotli_coded: bool) -> Response:
    """The response with its body brotli-compressed and labelled ``Content-Encoding: br``, or
    gzip-compressed with no label at all (``gzip_noheader``). Empty bodies (304, HEAD) stay empty."""
    if not response.body:
        return response
    if brotli_coded:
        response.body = brotli.compress(response.body)
        response.headers.append(("Content-Encoding", "br"))
    else:
        response.body = gzip.compress(response.body, mtime=0)
    return response


def _swap_charset(response: Response) -> None:
    """Re-encode the body so it contradicts its label: GB18030 labelled UTF-8, or the reverse."""
    if not response.body:
        return
    if response.charset == "gb18030":
        response.body = response.body.decode("gb18030").encode("utf-8")
    else:
        response.body = response.body.decode("utf-8").encode("gb18030")


async def write_oversize(writer: asyncio.StreamWriter, route: str, *, keep_alive: bool) -> None:
    """A well-formed start and end around more than 20 MB of filler, streamed in chunks."""
    if route == "rss":
        prefix = (
            b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>oversize</title>'
            b"<item><title>oversize</title><guid>oversize-1</guid><description>"
        )
        suffix = b"</description></item></channel></rss>\n"
        content_type = "application/rss+xml; charset=utf-8"
    else:
        prefix, suffix, content_type = b'{"errcode":0,"padding":"', b'"}', JSON_TYPE
    chunk = ("江北" * (_CHUNK // 6)).encode("utf-8")
    chunks = OVERSIZE_BYTES // len(chunk) + 1
    length = len(prefix) + chunks * len(chunk) + len(suffix)
    response = Response(status=200, content_type=content_type)
    writer.write(response_head(response, length=length, keep_alive=keep_alive))
    writer.write(prefix)
    for _ in range(chunks):
        if writer.is_closing():
            return
        writer.write(chunk)
        await writer.drain()
    writer.write(suffix)
    await writer.drain()
