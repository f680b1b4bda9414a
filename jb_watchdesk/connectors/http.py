"""The shared HTTP client: every connector's requests go through here.

httpx's timeouts are per read, so a server dripping one byte a second never trips them;
every request therefore also runs under a total deadline. Bodies are streamed and cut off
once the *decoded* size passes a cap (a small gzip can inflate to gigabytes): the client
undoes the content codings itself (gzip, deflate, br) with an output limit at every step,
because httpx inflates each network read whole. A gzip body that arrives without a
Content-Encoding header is decompressed too, and a coding it cannot read is named in the
error, so a compressed body is never mistaken for a charset problem. Redirects are
limited (five by default: http → https → www → trailing slash is already four). The system proxy settings are honoured (or an explicit proxy), and a custom
CA bundle can be configured for offices that inspect TLS. URLs are logged without their
query values, because platform APIs put tokens there.

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
import email.utils
import itertools
import logging
import ssl
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import brotli
import httpx

from jb_watchdesk import __version__
from jb_watchdesk.connectors.base import ConnectorError, ErrorKind

log = logging.getLogger(__name__)

T = TypeVar("T")

# httpx logs every request's full URL at INFO, query-string tokens included, and httpcore logs
# its traffic at DEBUG: with ``--debug`` those secrets would reach the log. The client logs
# what matters itself, with secrets redacted.
for _chatty in ("httpx", "httpcore"):
    logging.getLogger(_chatty).setLevel(logging.WARNING)

SECRET_PARAMS: Final = frozenset(
    {"access_token", "secret", "appsecret", "client_secret", "refresh_token", "code", "token", "key", "password"}
)
MAX_RETRY_AFTER_S: Final = 6 * 3600.0
POOL_SHARD_SIZE: Final = 10
#: The content codings this client decodes, offered in every request (RFC 9110 §12.5.3,
#: https://www.rfc-editor.org/rfc/rfc9110#section-12.5.3). Servers behind CDNs send br unasked.
ACCEPT_ENCODING: Final = "gzip, deflate, br"
#: How many compressions a body may carry beyond those its Content-Encoding announces
#: (a gzip file served as is, or gzipped again by a proxy).
MAX_UNANNOUNCED_LAYERS: Final = 2


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


def redact_url(url: str | httpx.URL) -> str:
    """The URL with the values of secret-bearing query parameters replaced by ``***``."""
    parts = urlsplit(str(url))
    if not parts.query:
        return str(url)
    query = [(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return min(float(text), MAX_RETRY_AFTER_S)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - now).total_seconds()), MAX_RETRY_AFTER_S)


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
            for task in closing:
                if not task.cancelled() and task.exception() is not None:
                    log.warning("closing an HTTP pool failed", exc_info=task.exception())

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
                ErrorKind.TRANSIENT, f"the desk closed its connections before {_host(url)} answered", code=f"{platform}.closed"
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
        host = _host(url)
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
                    self._check_status(response, platform=platform, safe_url=safe_url, ok_statuses=ok_statuses)
                    codings = content_codings(response.headers.get("content-encoding"), platform=platform, host=_host(url))
                    # Compressed bodies are smaller than what they decode to, so the cap holds on the wire too.
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise _too_large(platform, limit)
                    chunks: list[bytes] = []
                    size = 0
                    async for chunk in response.aiter_raw():
                        size += len(chunk)
                        if size > limit:
                            raise _too_large(platform, limit)
                        chunks.append(chunk)
                    body = decode_body(b"".join(chunks), codings=codings, limit=limit, platform=platform, host=_host(url))
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
                f"no complete answer within {settings.total_timeout:g} s from {_host(url)}",
                code=f"{platform}.timeout",
            ) from None
        except httpx.TimeoutException as error:
            raise ConnectorError(
                ErrorKind.TRANSIENT, f"{_host(url)} timed out ({type(error).__name__})", code=f"{platform}.timeout"
            ) from None
        except httpx.TooManyRedirects:
            raise ConnectorError(
                ErrorKind.CONFIG,
                f"{safe_url} redirects more than {settings.max_redirects} times: check the address",
                code=f"{platform}.redirects",
            ) from None
        except httpx.ConnectError as error:
            if _is_tls_error(error):
                raise ConnectorError(
                    ErrorKind.CONFIG,
                    f"the TLS certificate of {_host(url)} is not trusted: configure the office CA bundle",
                    code=f"{platform}.tls",
                ) from None
            raise ConnectorError(
                ErrorKind.TRANSIENT, f"cannot connect to {_host(url)}: check the network or proxy", code=f"{platform}.connect"
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise ConnectorError(
                ErrorKind.TRANSIENT,
                f"the connection to {_host(url)} broke off ({type(error).__name__})",
                code=f"{platform}.connection",
            ) from None
        except httpx.HTTPError as error:
            raise ConnectorError(
                ErrorKind.TRANSIENT, f"request to {_host(url)} failed ({type(error).__name__})", code=f"{platform}.http"
            ) from None
        finally:
            if opened is not None:
                _unlink(opened)

    def _check_status(
        self, response: httpx.Response, *, platform: str, safe_url: str, ok_statuses: frozenset[int]
    ) -> None:
        status = response.status_code
        if status in ok_statuses:
            return
        if status == 429 or (status == 503 and "retry-after" in response.headers):
            retry = parse_retry_after(response.headers.get("retry-after"), now=datetime.now(UTC))
            raise ConnectorError(
                ErrorKind.RATE_LIMITED,
                f"{_host(safe_url)} asks to slow down (HTTP {status})",
                code=f"{platform}.http{status}",
                retry_after=retry,
            )
        if status >= 500:
            raise ConnectorError(ErrorKind.TRANSIENT, f"{_host(safe_url)} answered HTTP {status}", code=f"{platform}.http{status}")
        if status in (401, 403):
            raise ConnectorError(
                ErrorKind.CONFIG,
                f"{safe_url} refused access (HTTP {status}): check the credentials or whether the source blocks this workstation",
                code=f"{platform}.http{status}",
            )
        if status in (404, 410):
            raise ConnectorError(
                ErrorKind.CONFIG, f"{safe_url} does not exist (HTTP {status}): check the account's source", code=f"{platform}.http{status}"
            )
        raise ConnectorError(ErrorKind.TRANSIENT, f"{safe_url} answered HTTP {status}", code=f"{platform}.http{status}")


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


class _TooLarge(Exception):
    """A decoder reached the size cap."""


class _CutShort(Exception):
    """A compressed stream ended before its end marker: the body was truncated on its way."""


def content_codings(header: str | None, *, platform: str, host: str) -> tuple[str, ...]:
    """The codings of a Content-Encoding header value, lower-cased, in the order they were applied.

    ``identity`` is dropped. Raises ConnectorError (``bad_payload``, ``PLATFORM.encoding``) naming
    a coding this client cannot decode, before the body is read, so that it is not later taken for
    text in a wrong charset. Codings: RFC 9110 §8.4.1 (https://www.rfc-editor.org/rfc/rfc9110#section-8.4.1).
    """
    codings = tuple(c for c in (part.strip().lower() for part in (header or "").split(",")) if c and c != "identity")
    for coding in codings:
        if coding not in _DECODERS:
            raise ConnectorError(
                ErrorKind.BAD_PAYLOAD,
                f"{host} compressed its answer with {coding!r}, which the desk cannot decompress "
                f"(it reads {ACCEPT_ENCODING}): ask the site's operator to serve it uncompressed or with gzip",
                code=f"{platform}.encoding",
            )
    return codings


def decode_body(raw: bytes, *, codings: tuple[str, ...], limit: int, platform: str, host: str) -> bytes:
    """``raw`` with its content codings undone, then any compression it carries unannounced.

    ``codings`` come from :func:`content_codings` (applied in that order, so undone in reverse).
    No step ever holds more than ``limit`` bytes of output: a body (or an intermediate layer)
    that would decode to more raises ConnectorError ``PLATFORM.too_large``. A body that starts
    with the gzip magic bytes (1f 8b, RFC 1952 §2.3.1) although no coding announced it is
    gunzipped; a binary body (control bytes no text here holds) that is one complete brotli
    stream is decoded (brotli has no magic bytes); other compressed formats recognised by their
    magic bytes (zstd, bzip2, xz) raise ``PLATFORM.compressed``, and so does unannounced gzip that
    does not decompress. A coding that fails to decode raises ``PLATFORM.decoding`` naming it.
    All are ``bad_payload``, but for a compressed stream that ends before its end marker (gzip
    and zlib trailers, RFC 1952 §2.2 and RFC 1950 §2.2; brotli's last meta-block, RFC 7932 §9.2):
    that is a transient ``PLATFORM.decoding``, since the answer was cut short on its way and the
    next poll reads it again. A body under a coding that is plain text instead (see
    :func:`_is_plain_text`) is kept as it came. ``limit`` is in bytes; ``host`` names the server
    in messages.
    """
    if not raw:
        return raw
    body = raw
    try:
        for coding in reversed(codings):
            if _is_plain_text(body):
                # A misconfigured server or proxy labels uncompressed text gzip (or br, deflate):
                # common, and the text is all there. Raw deflate and brotli have no header, so a
                # text body could even "decode" into garbage: it is not tried.
                continue
            try:
                body = _DECODERS[coding](body, limit)
            except (zlib.error, brotli.error):
                raise ConnectorError(
                    ErrorKind.BAD_PAYLOAD,
                    f"{host} sent a body marked {coding!r}-compressed that could not be decompressed",
                    code=f"{platform}.decoding",
                ) from None
        unannounced = (
            f"beyond what its Content-Encoding header ({', '.join(codings)}) announces"
            if codings
            else "without a Content-Encoding header"
        )
        for _ in range(MAX_UNANNOUNCED_LAYERS):
            found = _compression_of(body)
            if found is None:
                # Brotli has no magic bytes: a body that is binary rather than text is tried as brotli
                # (a CDN that dropped the header); when that fails too, the body stays as it came.
                unpacked = _unbrotli_whole(body, limit) if _looks_binary(body) else None
                if unpacked is None:
                    break
                body = unpacked
                log.debug("%s sent brotli that no Content-Encoding announced; decompressed", host)
                continue
            if found != "gzip":
                raise ConnectorError(
                    ErrorKind.BAD_PAYLOAD,
                    f"{host} sent a {found}-compressed body {unannounced}; the desk cannot read it",
                    code=f"{platform}.compressed",
                )
            try:
                body = _gunzip(body, limit)
            except zlib.error:
                raise ConnectorError(
                    ErrorKind.BAD_PAYLOAD,
                    f"{host} sent a gzip-compressed body {unannounced}, and it could not be decompressed",
                    code=f"{platform}.compressed",
                ) from None
            log.debug("%s sent gzip that no Content-Encoding announced; decompressed", host)
    except _TooLarge:
        raise _too_large(platform, limit) from None
    except _CutShort:
        # Decoded as far as it goes, the answer would read as a complete (shorter) feed, and its
        # validators would make the next polls answer 304 over what was lost.
        raise ConnectorError(
            ErrorKind.TRANSIENT,
            f"{host}: the compressed answer was cut short; it will be read again at the next poll",
            code=f"{platform}.decoding",
        ) from None
    if len(body) > limit:
        raise _too_large(platform, limit)
    return body


def _compression_of(body: bytes) -> str | None:
    """The compressed format ``body`` starts with, by its magic bytes, or None for anything else."""
    if body.startswith(b"\x1f\x8b"):  # RFC 1952 §2.3.1
        return "gzip"
    if body.startswith(b"\x28\xb5\x2f\xfd"):  # RFC 8878 §3.1.1
        return "zstd"
    if body.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if body.startswith(b"BZh") and body[3:4].isdigit() and body[4:10] == b"1AY&SY":
        return "bzip2"
    return None


def _is_plain_text(body: bytes) -> bool:
    """Whether ``body`` is uncompressed XML, HTML or JSON: after an optional byte order mark and
    whitespace it starts with ``<``, ``{`` or ``[``, and its start holds no control bytes.

    Neither gzip (1f 8b, RFC 1952 §2.3.1) nor zlib (RFC 1950 §2.2: its first byte is x8 for
    deflate) can start so. Raw deflate (RFC 1951) and brotli (RFC 7932) can, but compressed data
    carries control bytes within its first few dozen bytes, so only a compressed body of a few
    bytes could pass.
    """
    head = body[:512]
    for bom in _TEXT_BOMS:
        if head.startswith(bom):
            # UTF-16/32: each ASCII character is its byte plus NULs; without the NULs, the text shows.
            head = head[len(bom) :].replace(b"\x00", b"")
            break
    return head.lstrip(b" \t\r\n").startswith((b"<", b"{", b"[")) and not _looks_binary(head)


def _looks_binary(body: bytes) -> bool:
    """Whether the start of ``body`` holds control bytes that no text format here uses.

    Compressed data has them within a few hundred bytes (random bytes: all but certainly);
    XML, JSON and HTML in an ASCII-compatible charset do not. ESC is allowed (ISO-2022 text
    uses it); UTF-16/32 text (NUL bytes) is recognised by its byte order mark.
    """
    head = body[:512]
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return False
    return len(head.translate(None, _BINARY_BYTES)) != len(head)  # translate runs in C: every body passes here


def _inflate(data: bytes, limit: int, *, wbits: int) -> bytes:
    """zlib-family decompression with at most ``limit`` bytes out; _TooLarge past it.

    Consecutive gzip members are joined (RFC 1952 §2.2); anything else after the end is ignored,
    as browsers do. A stream (or member) that ends before its end marker raises _CutShort.
    """
    out = bytearray()
    while True:
        decompressor = zlib.decompressobj(wbits)
        # With max_length, zlib stops when the output is full and keeps the rest of the input.
        out += decompressor.decompress(data, limit - len(out) + 1)
        if len(out) > limit or decompressor.unconsumed_tail:
            raise _TooLarge
        out += decompressor.flush(limit - len(out) + 1)
        if len(out) > limit:
            raise _TooLarge
        if not decompressor.eof:
            # zlib hands out whatever a truncated stream holds, without complaint.
            raise _CutShort
        data = decompressor.unused_data
        if not (decompressor.eof and data.startswith(b"\x1f\x8b")):
            return bytes(out)


def _gunzip(data: bytes, limit: int) -> bytes:
    return _inflate(data, limit, wbits=16 + zlib.MAX_WBITS)


def _deflate(data: bytes, limit: int) -> bytes:
    # "deflate" is the zlib format (RFC 9110 §8.4.1.2), but some servers send raw deflate (RFC 1951).
    try:
        return _inflate(data, limit, wbits=zlib.MAX_WBITS)
    except (zlib.error, _CutShort) as as_zlib:
        # Raw deflate can start with two bytes that pass for a zlib header, then run off its end.
        try:
            return _inflate(data, limit, wbits=-zlib.MAX_WBITS)
        except zlib.error:
            if isinstance(as_zlib, _CutShort):
                raise as_zlib from None
            raise


def _unbrotli(data: bytes, limit: int) -> bytes:
    """Brotli (RFC 7932) with at most about ``limit`` bytes out; _TooLarge past it, _CutShort for
    a stream that ends before its last meta-block (RFC 7932 §9.2)."""
    decompressor = brotli.Decompressor()
    out = bytearray(decompressor.process(data, output_buffer_limit=limit + 1))
    # The output buffer stops growing at the limit; the rest waits in the decompressor.
    while len(out) <= limit and not decompressor.can_accept_more_data():
        more = decompressor.process(b"", output_buffer_limit=limit - len(out) + 1)
        if not more:
            break
        out += more
    if len(out) > limit:
        raise _TooLarge
    if not decompressor.is_finished():
        # The decoder waits for more input rather than failing: a cut stream yields what it has, often b"".
        raise _CutShort
    return bytes(out)


def _unbrotli_whole(data: bytes, limit: int) -> bytes | None:
    """``data`` decoded as one complete brotli stream that yields text, or None when it is not one."""
    decompressor = brotli.Decompressor()
    try:
        out = decompressor.process(data, output_buffer_limit=limit + 1)
        if len(out) > limit:
            raise _TooLarge
        if not decompressor.is_finished():
            return None
    except brotli.error:
        return None
    return None if not out or _looks_binary(out) else out


#: Byte order marks, longest first (UTF-32 LE starts like UTF-16 LE).
_TEXT_BOMS: Final = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
#: C0 controls that text here never holds: all but TAB, LF, VT, FF, CR and ESC.
_BINARY_BYTES: Final = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
# "x-gzip" is gzip (RFC 9110 §8.4.1.3).
_DECODERS: Final = {"gzip": _gunzip, "x-gzip": _gunzip, "deflate": _deflate, "br": _unbrotli}


def _unlink(response: httpx.Response) -> None:
    """Cut the reference cycle httpx makes between a closed response and its stream.

    ``response.stream`` is a wrapper that points back at the response, so every request left
    some 36 objects (request, URL, headers, events, httpcore's pool request and streams) for the
    cyclic garbage collector instead of reference counting. A 1,000-account cycle left 237,000
    of them; collecting them held the GIL for 300 ms per cycle, in pauses the window felt.
    """
    for answered in (*response.history, response):  # redirects are responses too
        answered.stream = _EMPTY_STREAM


def _too_large(platform: str, limit: int) -> ConnectorError:
    return ConnectorError(
        ErrorKind.BAD_PAYLOAD, f"the response is larger than {limit // (1024 * 1024)} MB and was cut off", code=f"{platform}.too_large"
    )


def _host(url: str) -> str:
    return urlsplit(str(url)).netloc or str(url)


def _is_tls_error(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(error)
