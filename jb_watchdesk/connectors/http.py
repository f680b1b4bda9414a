"""The shared HTTP client: every connector's requests go through here.

httpx's timeouts are per read, so a server dripping one byte a second never trips them;
every request therefore also runs under a total deadline. Bodies are streamed and cut off
once the *decoded* size passes a cap (a small gzip can inflate to gigabytes): the client
undoes the content codings itself (gzip, deflate, br) with an output limit at every step,
because httpx inflates each network read whole. A gzip body that arrives without a
Content-Encoding header is decompressed too, and a coding it cannot read is named in the
error, so a compressed body is never mistaken for a charset problem. Redirects are
limited (five by default: http → https → www → trailing slash is already four). The system
proxy settings are honoured (or an explicit proxy), and a custom
CA bundle can be configured for offices that inspect TLS. URLs are logged without their
query values, because platform APIs put tokens there. The content codings are undone in
:mod:`jb_watchdesk.connectors.http_decoding`; statuses and redaction are in
:mod:`jb_watchdesk.connectors.http_errors`.

Every connection the client opens is closed, whatever cancels what. httpcore closes a connection
after a cancelled request, and closes a pool's connections one after the other, behind a
cancellation shield (anyio's); on asyncio that shield does not hold off ``Task.cancel()``, so a
second cancellation arriving while httpcore closes (a cycle cancelled, then every task cancelled
at shutdown; a caller that gives up on ``aclose``) stops it halfway, and the connections it had
already taken out of its pool stay open until the garbage collector finds their sockets. The
client therefore runs each request, and its own closing, in a task of its own: a cancelled
caller cancels that task once and waits until httpcore has finished closing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import ssl
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import httpx

from jb_watchdesk import __version__
from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.http_decoding import ACCEPT_ENCODING, content_codings, decode_body
from jb_watchdesk.connectors.http_errors import check_status, is_tls_error, redact_url, too_large, url_host

log = logging.getLogger(__name__)

T = TypeVar("T")

# httpx logs every request's full URL at INFO, query-string tokens included, and httpcore logs
# its traffic at DEBUG: with ``--debug`` those secrets would reach the log. The client logs
# what matters itself, with secrets redacted.
for _chatty in ("httpx", "httpcore"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)

POOL_SHARD_SIZE: Final = 10


@dataclass(frozen=True, slots=True)
class HttpSettings:
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    total_timeout: float = 30.0
    #: the cap on a body, in bytes, after every content coding is undone (and on the wire)
    max_bytes: int = 8 * 1024 * 1024
    #: hops followed before giving up; http → https → www → trailing slash is four
    max_redirects: int = 5
    proxy: str | None = None
    ca_bundle: str | None = None
    trust_env: bool = True
    max_connections: int = 200
    #: requests in flight at once, over all hosts, and per host
    max_in_flight: int = 20
    per_host: int = 8


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str  # final URL, query values redacted

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")



@dataclass(slots=True)
class _Pool:
    """Connection pools and request limits built from one ``HttpSettings``."""

    settings: HttpSettings
    clients: list[httpx.AsyncClient]
    turn: Iterator[int]
    in_flight: asyncio.Semaphore
    per_host: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    active: int = 0

    @classmethod
    def build(cls, s: HttpSettings, transport: httpx.AsyncBaseTransport | None) -> _Pool:
        # One TLS context for every pool: building one loads the CA store (~10 ms each).
        verify = ssl.create_default_context(cafile=s.ca_bundle) if s.ca_bundle else httpx.create_ssl_context(trust_env=s.trust_env)
        # httpcore's pool rescans all its connections (with a syscall each) whenever a request
        # starts or ends, so one big pool costs O(n²) per request. Several small pools, used in
        # turn, keep the same number of connections at a fraction of the cost (measured: the
        # pool bookkeeping was 40% of a 1,000-account cycle with one pool of 50).
        shards = max(1, min(s.max_in_flight, s.max_connections) // POOL_SHARD_SIZE)
        per_shard = -(-min(s.max_in_flight, s.max_connections) // shards)
        clients = [
            httpx.AsyncClient(
                timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=s.total_timeout),
                limits=httpx.Limits(max_connections=per_shard, max_keepalive_connections=per_shard),
                follow_redirects=True,
                max_redirects=s.max_redirects,
                proxy=s.proxy,
                verify=verify,
                trust_env=s.trust_env,
                transport=transport,
                # The client decodes bodies itself (see decode_body), so it offers what it can decode,
                # not what httpx would (httpx offers br only when brotli is importable).
                headers={"User-Agent": f"JB-WatchDesk/{__version__}", "Accept-Encoding": ACCEPT_ENCODING},
            )
            for _ in range(shards)
        ]
        # httpx's own pool limit turns a burst into PoolTimeouts; requests wait here instead.
        return cls(settings=s, clients=clients, turn=itertools.cycle(range(shards)), in_flight=asyncio.Semaphore(s.max_in_flight))

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


class HttpClient:
    """One pooled AsyncClient for all connectors. Close it with ``aclose``.

    ``reconfigure`` applies new settings (proxy, CA bundle, concurrency) without a restart:
    new requests use new pools at once, and the old pools close when their last request ends.
    ``aclose`` cancels the requests still running, waits until they have let go of their
    connections, and closes every pool; it finishes even when its caller is cancelled.
    """

    def __init__(self, settings: HttpSettings | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport
        self._pool = _Pool.build(settings or HttpSettings(), transport)
        self._retired: list[_Pool] = []
        self._closing: set[asyncio.Task[None]] = set()
        self._in_flight: set[asyncio.Task[HttpResponse]] = set()
        self._closer: asyncio.Task[None] | None = None

    @property
    def settings(self) -> HttpSettings:
        return self._pool.settings

    @property
    def closed(self) -> bool:
        return self._closer is not None

    def reconfigure(self, settings: HttpSettings) -> None:
        """Use ``settings`` for every request from now on (call it on the client's event loop).

        The new pools are built first: when that fails (a proxy scheme httpx cannot use) nothing
        changes. Equal settings keep the pools and their open connections.
        """
        if settings == self._pool.settings:
            return
        old, self._pool = self._pool, _Pool.build(settings, self._transport)
        self._retired.append(old)
        self._close_idle()

    def _close_idle(self) -> None:
        for pool in [p for p in self._retired if p.active == 0]:
            self._retired.remove(pool)
            # A task of the client's own, never cancelled by it: ``aclose`` waits for it.
            task = asyncio.get_running_loop().create_task(pool.aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """Close every connection of every pool, after the requests still running have ended.

        The closing runs in a task of its own, so a caller cancelled meanwhile (a shutdown that
        stops waiting) cannot cut it short: the call returns, or raises CancelledError, only once
        every connection is closed. A second call waits for the same closing.
        """
        if self._closer is None:
            self._closer = asyncio.get_running_loop().create_task(self._close_everything())
        await _outlast(self._closer, cancel=False)

    async def _close_everything(self) -> None:
        # Requests still running here were left behind (a connector's sibling requests after one
        # of them failed, say). Closing a pool under them would let a queued one open a fresh
        # connection afterwards that nothing closes: they are cancelled, once, and waited for.
        running = list(self._in_flight)
        for task in running:
            if not task.cancelling():
                task.cancel()
        if running:
            await asyncio.wait(running)
        for pool in [self._pool, *self._retired]:
            await pool.aclose()
        self._retired.clear()
        closing = list(self._closing)  # retired pools whose last request ended just now
        if closing:
            await asyncio.wait(closing)
            for closing_task in closing:
                if not closing_task.cancelled() and closing_task.exception() is not None:
                    log.warning("closing an HTTP pool failed", exc_info=closing_task.exception())

    async def request(
        self,
        method: str,
        url: str,
        *,
        platform: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        ok_statuses: frozenset[int] = frozenset({200, 304}),
    ) -> HttpResponse:
        """Send one request; raise ConnectorError for anything but ``ok_statuses``.

        Cancelling the caller cancels the request and waits until its connection is closed or
        back in its pool (a few steps of the event loop), then raises CancelledError.
        """
        if self._closer is not None:
            raise RuntimeError("the HTTP client is closed")
        task = asyncio.get_running_loop().create_task(
            self._limited(method, url, platform=platform, params=params, json=json, form=form, headers=headers, ok_statuses=ok_statuses)
        )
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        try:
            return await _outlast(task, cancel=True)
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            # The request was cancelled, not its caller: ``aclose`` ended it.
            raise ConnectorError(
                ErrorKind.TRANSIENT, f"the desk closed its connections before {url_host(url)} answered", code=f"{platform}.closed"
            ) from None

    async def _limited(
        self,
        method: str,
        url: str,
        *,
        platform: str,
        params: Mapping[str, Any] | None,
        json: Any,
        form: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        ok_statuses: frozenset[int],
    ) -> HttpResponse:
        """The request, once its host and the client have a slot free for it."""
        host = url_host(url)
        pool = self._pool
        pool.active += 1
        try:
            per_host = pool.per_host.setdefault(host, asyncio.Semaphore(pool.settings.per_host))
            # Host first, then a global slot: a request queued behind a busy host holds no global slot.
            async with per_host, pool.in_flight:
                return await self._request(
                    pool, method, url, platform=platform, params=params, json=json, form=form, headers=headers, ok_statuses=ok_statuses
                )
        finally:
            pool.active -= 1
            if pool is not self._pool and pool.active == 0 and self._closer is None:
                self._close_idle()

    async def _request(
        self,
        pool: _Pool,
        method: str,
        url: str,
        *,
        platform: str,
        params: Mapping[str, Any] | None,
        json: Any,
        form: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        ok_statuses: frozenset[int],
    ) -> HttpResponse:
        safe_url = redact_url(httpx.URL(url, params=params) if params else url)
        settings = pool.settings
        limit = settings.max_bytes
        opened: httpx.Response | None = None
        try:
            async with asyncio.timeout(settings.total_timeout):
                async with pool.clients[next(pool.turn)].stream(
                    method, url, params=params, json=json, data=form, headers=headers
                ) as response:
                    opened = response
                    check_status(response, platform=platform, safe_url=safe_url, ok_statuses=ok_statuses)
                    codings = content_codings(response.headers.get("content-encoding"), platform=platform, host=url_host(url))
                    # Compressed bodies are smaller than what they decode to, so the cap holds on the wire too.
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise too_large(platform, limit)
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_raw():
                        size += len(chunk)
                        if size > limit:
                            raise too_large(platform, limit)
                        chunks.append(chunk)
                    body = decode_body(b"".join(chunks), codings=codings, limit=limit, platform=platform, host=url_host(url))
                    return HttpResponse(
                        status=response.status_code,
                        headers=response.headers,
                        body=body,
                        url=redact_url(response.url),
                    )
        except ConnectorError:
            raise
        except TimeoutError:
            raise ConnectorError(
                ErrorKind.TRANSIENT,
                f"no complete answer within {settings.total_timeout:g} s from {url_host(url)}",
                code=f"{platform}.timeout",
            ) from None
        except httpx.TimeoutException as error:
            raise ConnectorError(
                ErrorKind.TRANSIENT, f"{url_host(url)} timed out ({type(error).__name__})", code=f"{platform}.timeout"
            ) from None
        except httpx.TooManyRedirects:
            raise ConnectorError(
                ErrorKind.CONFIG,
                f"{safe_url} redirects more than {settings.max_redirects} times: check the address",
                code=f"{platform}.redirects",
            ) from None
        except httpx.ConnectError as error:
            if is_tls_error(error):
                raise ConnectorError(
                    ErrorKind.CONFIG,
                    f"the TLS certificate of {url_host(url)} is not trusted: configure the office CA bundle",
                    code=f"{platform}.tls",
                ) from None
            raise ConnectorError(
                ErrorKind.TRANSIENT, f"cannot connect to {url_host(url)}: check the network or proxy", code=f"{platform}.connect"
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise ConnectorError(
                ErrorKind.TRANSIENT,
                f"the connection to {url_host(url)} broke off ({type(error).__name__})",
                code=f"{platform}.connection",
            ) from None
        except httpx.HTTPError as error:
            raise ConnectorError(
                ErrorKind.TRANSIENT, f"request to {url_host(url)} failed ({type(error).__name__})", code=f"{platform}.http"
            ) from None
        finally:
            if opened is not None:
                _unlink(opened)


async def _outlast(task: asyncio.Task[T], *, cancel: bool) -> T:
    """``task``'s result. When the caller is cancelled meanwhile, ``task`` is cancelled once (if
    ``cancel``, and unless it is being cancelled already) and waited for, then CancelledError is
    raised: ``task`` never gets a second cancellation from here, whatever the caller receives.

    Waiting is cheap: what remains of a cancelled request or of a closing pool is local work.
    """
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        if task.done():
            raise  # the task itself was cancelled (or ended as the caller was cancelled)
        if cancel and not task.cancelling():
            task.cancel()
        while not task.done():
            try:
                # asyncio.wait, unlike gather or wait_for, leaves the task alone when the caller is
                # cancelled again.
                await asyncio.wait([task])
            except asyncio.CancelledError:
                continue
        if not task.cancelled():
            task.exception()  # retrieved: the caller is gone, and its outcome no longer matters
        raise


_EMPTY_STREAM: Final = httpx.ByteStream(b"")


def _unlink(response: httpx.Response) -> None:
    """Cut the reference cycle httpx makes between a closed response and its stream.

    ``response.stream`` is a wrapper that points back at the response, so every request left
    some 36 objects (request, URL, headers, events, httpcore's pool request and streams) for the
    cyclic garbage collector instead of reference counting. A 1,000-account cycle left 237,000
    of them; collecting them held the GIL for 300 ms per cycle, in pauses the window felt.
    """
    for answered in (*response.history, response):  # redirects are responses too
        answered.stream = _EMPTY_STREAM
