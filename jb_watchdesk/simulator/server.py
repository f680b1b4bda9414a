"""A real HTTP/1.1 server on loopback that serves the simulated platforms, with faults.

Built on ``asyncio.start_server`` with a deliberately small HTTP/1.1 implementation:
request line, headers (bounded), ``Content-Length`` bodies (bounded), keep-alive and
``Connection: close``. Every wait (latency, drip, a held "timeout" connection) is an
``asyncio.sleep`` or a read on that one connection, so a slow answer never delays another
client: 1,000 accounts at 200 ms per request complete in about requests × 0.2 s ÷ the
client's concurrency.

Admin routes, for tests and the demo:

- ``GET /_sim/register.csv``  the account register (UTF-8 with BOM)
- ``GET /_sim/truth[?now=ISO8601][&window=DAYS]``  what the desk should conclude per account
  (:meth:`World.truth`); with ``&items=1`` instead the ids of every post and comment it
  should store (:meth:`World.truth_items`; ``window`` is then the comment window and
  ``horizon=DAYS`` the post horizon, default 21)
- ``GET /_sim/credentials``  every account's platform ids and secrets
- ``GET /_sim/faults`` / ``POST /_sim/faults`` (``{"spec": "..."}``; empty clears); the
  spec's content kinds (``undated``, ``video_status`` …) are handed to the world
- ``GET /_sim/stats`` / ``POST /_sim/stats/reset``  request counts per route and account
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import gzip
import io
import json
import logging
import signal
import socket
import struct
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime
from http import HTTPStatus
from typing import Final
from urllib.parse import parse_qsl, unquote, urlsplit

import brotli

from jb_watchdesk.domain.models import Platform
from jb_watchdesk.simulator.faults import PLATFORM_FAULTS, Fault, FaultKind, FaultPlan
from jb_watchdesk.simulator.routes import (
    JSON_TYPE,
    Platforms,
    Request,
    Response,
    Target,
    http_date,
    json_response,
    platform_of,
    text_response,
)
from jb_watchdesk.simulator.world import POST_HORIZON_DAYS, SERVED_PLATFORMS, World

log = logging.getLogger(__name__)

MAX_HEADER_BYTES: Final = 32 * 1024
MAX_HEADERS: Final = 100
MAX_BODY_BYTES: Final = 1024 * 1024
IDLE_TIMEOUT_S: Final = 30.0
BODY_TIMEOUT_S: Final = 10.0
HOLD_LIMIT_S: Final = 600.0
DRIP_INTERVAL_S: Final = 0.5
OVERSIZE_BYTES: Final = 21 * 1024 * 1024
#: the Last-Modified of the ``future_lastmod`` fault: a file time in 2041, as a case from the field
FUTURE_LAST_MODIFIED: Final = "Sat, 16 Nov 2041 19:11:00 GMT"
_CHUNK: Final = 64 * 1024

_WAF_PAGE: Final = """<html>
<head><title>403 Forbidden</title></head>
<body>
<center><h1>访问被拦截</h1></center>
<p>您的访问请求疑似攻击行为，已被网站防火墙拦截。请先<a href="/sso/login">登录</a>后访问。</p>
<p>事件ID：{event}</p>
</body>
</html>
"""
_ERROR_PAGE: Final = "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
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


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SimulatorServer:
    """The platform simulator: ``await start()``, use ``base_url``, ``await stop()``.

    ``latency_ms`` delays every platform request (never the admin routes); ``faults`` is a
    :class:`FaultPlan` or a spec string. For synchronous callers,
    :meth:`running_in_thread` runs the server on its own event loop in a background thread.
    """

    def __init__(
        self,
        world: World,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: int = 0,
        faults: FaultPlan | str | None = None,
    ) -> None:
        if latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        self.world = world
        self.host = host
        self.port = port
        self.latency_ms = latency_ms
        self.platforms = Platforms(world)
        self._targets = frozenset(
            {*world.by_key, *SERVED_PLATFORMS, *(platform.value for platform in Platform)}
        )
        self._faults = FaultPlan(seed=world.seed)
        if isinstance(faults, FaultPlan):
            faults.check_targets(self._targets)
            self._faults = faults
            world.set_content(faults.content())
        elif faults:
            self.set_faults(faults)
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._closing = False
        self._routes: Counter[str] = Counter()
        self._accounts: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._stats_lock = threading.Lock()

    # ------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Bind and start accepting connections (``port=0`` picks a free port)."""
        self._closing = False
        self._server = await asyncio.start_server(
            self._connection,
            host=self.host,
            port=self.port,
            limit=MAX_HEADER_BYTES,
            backlog=2048,
            reuse_address=True,
        )
        sockets = self._server.sockets
        if sockets:
            self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop accepting, drop every open connection (held, dripping or idle) and wait."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` as clients should use it (a wildcard bind maps to loopback)."""
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @contextlib.contextmanager
    def running_in_thread(self) -> Iterator[str]:
        """Run the server on its own event loop in a background thread; yields the base URL."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                try:
                    loop.run_until_complete(self.start())
                except BaseException as error:  # handed to the waiting thread, which re-raises it
                    failure.append(error)
                    return
                finally:
                    ready.set()
                loop.run_forever()
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                loop.close()

        thread = threading.Thread(target=run, name="jb-watchdesk-simulator", daemon=True)
        thread.start()
        ready.wait()
        if failure:
            thread.join()
            raise failure[0]
        try:
            yield self.base_url
        finally:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=30)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)

    # ----------------------------------------------------------------- faults

    @property
    def faults(self) -> FaultPlan:
        """The active fault plan."""
        return self._faults

    def set_faults(self, spec: str) -> None:
        """Replace the active faults, content kinds included (an empty spec clears them all,
        and the world's content switches with them); ValueError if the spec is bad."""
        plan = FaultPlan.parse(spec, seed=self.world.seed)
        plan.check_targets(self._targets)
        self._faults = plan
        self.world.set_content(plan.content())

    # ------------------------------------------------------------------ stats

    def stats(self) -> dict[str, object]:
        """Request counts per route, per account and per status, and the fault counters."""
        with self._stats_lock:
            return {
                "total": sum(self._routes.values()),
                "routes": dict(sorted(self._routes.items())),
                "accounts": dict(sorted(self._accounts.items())),
                "statuses": {str(code): n for code, n in sorted(self._statuses.items())},
                "faults": self._faults.stats(),
                "open_connections": len(self._connections),
            }

    def reset_stats(self) -> None:
        """Zero the request counters (the fault plan keeps its own)."""
        with self._stats_lock:
            self._routes.clear()
            self._accounts.clear()
            self._statuses.clear()

    def _count(self, route: str, account: str | None = None) -> None:
        with self._stats_lock:
            self._routes[route] += 1
            if account is not None:
                self._accounts[account] += 1

    # ------------------------------------------------------------- connection

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except asyncio.CancelledError:
            # Only stop() cancels these tasks. Python 3.11's start_server done-callback
            # calls task.exception() and logs a cancelled handler as an error, so the
            # cancellation ends here instead of propagating.
            pass
        except Exception:
            log.warning("simulator: a connection failed", exc_info=True)
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while not self._closing:
            try:
                async with asyncio.timeout(IDLE_TIMEOUT_S):
                    head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return  # the client closed the connection between requests
            except asyncio.LimitOverrunError:
                await self._send(writer, text_response(431, text="request header fields too large"), keep_alive=False)
                return
            try:
                request, keep_alive = await self._read_request(head, reader, writer)
            except _BadRequest as problem:
                await self._send(writer, text_response(problem.status, text=str(problem)), keep_alive=False)
                return
            if not await self._dispatch(request, reader, writer, keep_alive=keep_alive):
                return

    async def _read_request(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[Request, bool]:
        try:
            text = head[:-4].decode("latin-1")
        except UnicodeDecodeError:
            raise _BadRequest(400, "undecodable request head") from None
        lines = text.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[0].isalpha():
            raise _BadRequest(400, "malformed request line")
        method, target, version = parts
        if version not in ("HTTP/1.1", "HTTP/1.0"):
            raise _BadRequest(505, "only HTTP/1.0 and HTTP/1.1 are supported")
        if len(lines) - 1 > MAX_HEADERS:
            raise _BadRequest(431, "too many header fields")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line or line[0] in " \t":
                raise _BadRequest(400, "obsolete header folding is not accepted")
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip():
                raise _BadRequest(400, "malformed header field")
            key = name.lower()
            value = value.strip()
            if key == "content-length" and key in headers and headers[key] != value:
                raise _BadRequest(400, "conflicting Content-Length headers")
            headers[key] = f"{headers[key]}, {value}" if key in headers and key != "content-length" else value
        if "transfer-encoding" in headers:
            raise _BadRequest(501, "request bodies must be sent with Content-Length")
        length_text = headers.get("content-length", "0")
        if not length_text.isdigit() or len(length_text) > 12:
            raise _BadRequest(400, "malformed Content-Length")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            raise _BadRequest(413, "request body too large")
        if length and headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = b""
        if length:
            async with asyncio.timeout(BODY_TIMEOUT_S):
                body = await reader.readexactly(length)
        tokens = {token.strip().lower() for token in headers.get("connection", "").split(",")}
        keep_alive = "keep-alive" in tokens if version == "HTTP/1.0" else "close" not in tokens
        split = urlsplit(target)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        return Request(method=method, path=unquote(split.path) or "/", query=query, headers=headers, body=body), keep_alive

    # --------------------------------------------------------------- dispatch

    async def _dispatch(
        self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, keep_alive: bool
    ) -> bool:
        """Answer one request; returns whether the connection stays open."""
        if request.path.startswith("/_sim/") or request.path == "/":
            response = await self._admin(request)
            await self._send(writer, response, keep_alive=keep_alive)
            return keep_alive
        route, methods = self.platforms.lookup(request.path)
        if route is None:
            self._count("not_found")
            await self._send(writer, text_response(404, text="Not Found"), keep_alive=keep_alive)
            return keep_alive
        if request.method not in methods:
            self._count("method_not_allowed")
            response = text_response(405, text="Method Not Allowed")
            response.headers.append(("Allow", ", ".join(sorted(methods))))
            await self._send(writer, response, keep_alive=keep_alive)
            return keep_alive
        target = self.platforms.identify(request, route=route)
        self._count(route, target.account.key if target.account else None)
        decision = self._faults.decide(target.names(platform_of(route)))
        fault = decision.fault
        if fault is not None and fault.kind is FaultKind.TIMEOUT:
            await self._hold(reader)
            return False
        delay_ms = self.latency_ms + decision.latency_ms
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        if fault is not None and fault.kind is FaultKind.OVERSIZE:
            await self._send_oversize(writer, route, keep_alive=keep_alive)
            return keep_alive
        response = self._respond(fault, target, request, draw=decision.draw)
        if fault is not None and fault.kind is FaultKind.RESET:
            await self._send_reset(writer, response)
            return False
        drip = fault is not None and fault.kind is FaultKind.DRIP
        await self._send(writer, response, keep_alive=keep_alive, head_only=request.method == "HEAD", drip=drip)
        return keep_alive

    def _respond(self, fault: Fault | None, target: Target, request: Request, *, draw: int) -> Response:
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
        if kind is FaultKind.FUTURE_LASTMOD and target.route == "rss":
            return self._future_lastmod(target, request)
        if kind in (FaultKind.BROTLI, FaultKind.GZIP_NOHEADER):
            return _compressed(self.platforms.handle(request, target=target), brotli_coded=kind is FaultKind.BROTLI)
        forced = kind if kind in (FaultKind.EXPIRE, FaultKind.QUOTA, *PLATFORM_FAULTS) else None
        if kind in (FaultKind.MALFORMED, FaultKind.CHARSET):
            # A conditional request would get an empty 304, which cannot be malformed.
            headers = {k: v for k, v in request.headers.items() if not k.startswith("if-")}
            request = Request(request.method, request.path, request.query, headers, request.body)
        response = self.platforms.handle(request, target=target, forced=forced)
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

    def _future_lastmod(self, target: Target, request: Request) -> Response:
        """A feed whose Last-Modified lies in 2041: that date coming back gets 304, changed or not.

        A server that compares If-Modified-Since with a file time in the future answers 304 until
        that time passes: the failure feed readers' users reported (RFC 9110 §13.1.3 compares dates).
        """
        if request.headers.get("if-modified-since", "").strip() == FUTURE_LAST_MODIFIED:
            return Response(status=304, headers=[("Last-Modified", FUTURE_LAST_MODIFIED)], content_type="", kind="empty")
        response = self.platforms.handle(request, target=target)
        response.headers = [(k, v) for k, v in response.headers if k.lower() != "last-modified"]
        response.headers.append(("Last-Modified", FUTURE_LAST_MODIFIED))
        return response

    async def _hold(self, reader: asyncio.StreamReader) -> None:
        """Keep the connection open without answering until the client gives up."""
        with contextlib.suppress(TimeoutError, ConnectionError):
            async with asyncio.timeout(HOLD_LIMIT_S):
                while await reader.read(_CHUNK):
                    pass

    # ---------------------------------------------------------------- writing

    def _head(self, response: Response, *, length: int | None, keep_alive: bool) -> bytes:
        reason = _reason(response.status)
        lines = [
            f"HTTP/1.1 {response.status} {reason}",
            f"Date: {http_date(int(time.time()))}",
            "Server: jb-watchdesk-simulator",
        ]
        if response.content_type and response.status != 304:
            lines.append(f"Content-Type: {response.content_type}")
        if length is not None:
            lines.append(f"Content-Length: {length}")
        lines.extend(f"{name}: {value}" for name, value in response.headers)
        lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        response: Response,
        *,
        keep_alive: bool,
        head_only: bool = False,
        drip: bool = False,
    ) -> None:
        with self._stats_lock:
            self._statuses[response.status] += 1
        length = None if response.status == 304 else len(response.body)
        writer.write(self._head(response, length=length, keep_alive=keep_alive))
        if head_only or response.status == 304:
            await writer.drain()
            return
        if not drip:
            writer.write(response.body)
            await writer.drain()
            return
        await writer.drain()
        for position in range(len(response.body)):
            if writer.is_closing():
                return
            writer.write(response.body[position : position + 1])
            await writer.drain()
            await asyncio.sleep(DRIP_INTERVAL_S)

    async def _send_reset(self, writer: asyncio.StreamWriter, response: Response) -> None:
        """Half a response, then a TCP reset (SO_LINGER 0 turns close into RST)."""
        writer.write(self._head(response, length=len(response.body), keep_alive=True))
        writer.write(response.body[: len(response.body) // 2])
        await writer.drain()
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    async def _send_oversize(self, writer: asyncio.StreamWriter, route: str, *, keep_alive: bool) -> None:
        """A well-formed start and end around more than 20 MB of filler, streamed in chunks."""
        if route == "rss":
            prefix = (
                '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>oversize</title>'
                "<item><title>oversize</title><guid>oversize-1</guid><description>"
            ).encode()
            suffix = b"</description></item></channel></rss>\n"
            content_type = "application/rss+xml; charset=utf-8"
        else:
            prefix, suffix, content_type = b'{"errcode":0,"padding":"', b'"}', JSON_TYPE
        chunk = ("江北" * (_CHUNK // 6)).encode("utf-8")
        chunks = OVERSIZE_BYTES // len(chunk) + 1
        length = len(prefix) + chunks * len(chunk) + len(suffix)
        response = Response(status=200, content_type=content_type)
        with self._stats_lock:
            self._statuses[200] += 1
        writer.write(self._head(response, length=length, keep_alive=keep_alive))
        writer.write(prefix)
        for _ in range(chunks):
            if writer.is_closing():
                return
            writer.write(chunk)
            await writer.drain()
        writer.write(suffix)
        await writer.drain()

    # ------------------------------------------------------------------ admin

    async def _admin(self, request: Request) -> Response:
        path = request.path.rstrip("/") or "/"
        route = "admin." + (path.removeprefix("/_sim/").replace("/", ".") or "index")
        self._count(route if path != "/" else "admin.index")
        if request.method == "GET" and path == "/":
            return text_response(200, text=f"jb-watchdesk simulator: {len(self.world.accounts)} accounts, seed {self.world.seed}\n")
        if request.method == "GET" and path == "/_sim/register.csv":
            return self._register_csv()
        if request.method == "GET" and path == "/_sim/truth":
            return await self._truth(request)
        if request.method == "GET" and path == "/_sim/credentials":
            rows = [
                {"key": a.key, "name": a.name, "platform": a.platform, "secrets": self.world.credentials(a.key)}
                for a in self.world.accounts
            ]
            return json_response(rows)
        if path == "/_sim/faults" and request.method in ("GET", "POST"):
            if request.method == "POST":
                try:
                    self.set_faults(_spec_from_body(request.body))
                except ValueError as problem:
                    return json_response({"error": str(problem)}, status=400)
            return json_response({"spec": self._faults.spec, "entries": self._faults.stats()})
        if request.method == "GET" and path == "/_sim/stats":
            return json_response(self.stats())
        if request.method == "POST" and path == "/_sim/stats/reset":
            self.reset_stats()
            return json_response(self.stats())
        return text_response(404, text="Not Found")

    def _register_csv(self) -> Response:
        buffer = io.StringIO()
        columns = ("name", "platform", "unit", "status", "source", "api_base", "owner", "note")
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.world.register_rows(self.base_url))
        body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
        return Response(
            status=200,
            body=body,
            content_type="text/csv; charset=utf-8",
            headers=[("Content-Disposition", 'attachment; filename="register.csv"')],
            kind="text",
        )

    async def _truth(self, request: Request) -> Response:
        now: datetime | None = None
        raw_now = request.query.get("now")
        if raw_now:
            try:
                now = datetime.fromisoformat(raw_now)
            except ValueError:
                return json_response({"error": "now must be an ISO 8601 instant with a zone"}, status=400)
            if now.tzinfo is None:
                return json_response({"error": "now must be an ISO 8601 instant with a zone"}, status=400)
        window_text = request.query.get("window", "30")
        if not window_text.isdigit() or not 1 <= int(window_text) <= 365:
            return json_response({"error": "window must be a number of days from 1 to 365"}, status=400)
        if request.query.get("items", "") in {"1", "true"}:
            horizon_text = request.query.get("horizon", str(POST_HORIZON_DAYS))
            if not horizon_text.isdigit() or not 1 <= int(horizon_text) <= 365:
                return json_response({"error": "horizon must be a number of days from 1 to 365"}, status=400)
            items = await asyncio.to_thread(
                self.world.truth_items,
                now,
                post_horizon_days=int(horizon_text),
                comment_window_days=int(window_text),
            )
            return json_response(items)
        # A thousand accounts take about a second; the event loop keeps serving meanwhile.
        rows = await asyncio.to_thread(self.world.truth, now, comment_window_days=int(window_text))
        return json_response(rows)


def _spec_from_body(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            raise ValueError("the body must be JSON like {\"spec\": \"5xx%5\"}") from None
        spec = data.get("spec", "") if isinstance(data, dict) else None
        if not isinstance(spec, str):
            raise ValueError("spec must be a string")
        return spec
    return text


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


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


# ---------------------------------------------------------------------- running


@contextlib.contextmanager
def running_in_thread(
    world: World,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    latency_ms: int = 0,
    faults: FaultPlan | str | None = None,
) -> Iterator[str]:
    """A simulator for ``world`` on a background thread; yields its base URL."""
    server = SimulatorServer(world, host=host, port=port, latency_ms=latency_ms, faults=faults)
    with server.running_in_thread() as base_url:
        yield base_url


@contextlib.asynccontextmanager
async def serving(server: SimulatorServer) -> AsyncIterator[str]:
    """``async with serving(server) as base_url``: start, yield the base URL, always stop."""
    await server.start()
    try:
        yield server.base_url
    finally:
        await server.stop()


def run_simulator(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    accounts: int = 240,
    seed: int = 1,
    latency_ms: int = 0,
    faults: str = "",
) -> int:
    """Serve until Ctrl-C or SIGTERM; the exit code for the command line.

    Prints one line with the base URL when listening. Bad arguments (fault spec, account
    count) exit 2 and a port that cannot be bound exits 3, each with one line on stderr.
    """
    try:
        world = World(seed=seed, accounts=accounts)
        server = SimulatorServer(world, host=host, port=port, latency_ms=latency_ms, faults=faults)
    except ValueError as problem:
        print(f"simulator: {problem}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve_until_stopped(server, accounts=accounts, seed=seed))
    except KeyboardInterrupt:
        return 0
    except OSError as problem:
        print(f"simulator: cannot listen on {host}:{port}: {problem.strerror or problem}", file=sys.stderr)
        return 3


async def _serve_until_stopped(server: SimulatorServer, *, accounts: int, seed: int) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows event loops have no signal handlers; Ctrl-C then arrives as KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    await server.start()
    extras = ""
    if server.latency_ms:
        extras += f", latency {server.latency_ms} ms"
    if server.faults.spec:
        extras += f", faults {server.faults.spec}"
    print(f"simulator listening on {server.base_url} ({accounts} accounts, seed {seed}{extras})", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jb_watchdesk.simulator [--host H] [--port N] [--accounts N] [--seed S] ...``."""
    parser = argparse.ArgumentParser(prog="jb-watchdesk simulator", description="Serve the simulated platforms.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--accounts", type=int, default=240)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--faults", default="")
    args = parser.parse_args(argv)
    return run_simulator(
        host=args.host,
        port=args.port,
        accounts=args.accounts,
        seed=args.seed,
        latency_ms=args.latency_ms,
        faults=args.faults,
    )
