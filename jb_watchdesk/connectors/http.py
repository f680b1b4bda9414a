"""The shared HTTP client: every connector's requests go through here.

httpx's timeouts are per read, so a server dripping one byte a second never trips them;
every request therefore also runs under a total deadline. Bodies are streamed and cut off
once the *decoded* size passes a cap (a small gzip can inflate to gigabytes): the client
undoes the content codings itself (gzip, deflate, br) with an output limit at every step,
because httpx inflates each network read whole. A gzip body that arrives without a
Content-Encoding header is decompressed too, and a coding it cannot read is named in the
error, so a compressed body is never mistaken for a charset problem. Redirects are
limited (five by default: http → https → www → trailing slash is already four). URLs are logged without their
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

Proxies and trust. An explicit proxy (``http://``, ``https://`` or ``socks5://``, from the
settings) carries every request; without one, the system's proxies do, as
:func:`urllib.request.getproxies` finds them: the ``HTTP(S)_PROXY``/``ALL_PROXY`` variables, else
on Windows the Internet Options in the registry (``ProxyServer``), on macOS the network
settings. The hosts that bypass the proxy (``NO_PROXY``; on Windows also the registry's
``ProxyOverride``, ``<local>`` included) go direct whichever proxy is in use: they name the
office's own hosts, which no proxy reaches. Certificates are checked against the operating
system's trusted roots (see :func:`verify_context`), where an office that inspects TLS installs
its proxy's root CA, plus one PEM CA bundle when the settings name one. httpx alone would trust
only certifi's list and read proxies only from the environment variables' URL patterns (no CIDR, no ``<local>``), hence the routing here.
"""

from __future__ import annotations

import asyncio
import fnmatch
import ipaddress
import itertools
import logging
import os
import re
import socket
import ssl
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, TypeVar

import httpx
import truststore

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


class Unreached(StrEnum):
    """Why a host did not answer, as far as the client can tell."""

    DNS = "dns"  # the name (of the host, or of the proxy) does not resolve
    CONNECT = "connect"  # no TCP connection to the host (refused, unreachable, reset)
    PROXY_UNREACHABLE = "proxy_unreachable"  # no connection to the proxy itself
    PROXY_REFUSED = "proxy_refused"  # the proxy answered, but would not connect to the host
    TLS_UNTRUSTED = "tls_untrusted"  # the certificate chain is not trusted (a TLS-inspecting proxy)
    TLS = "tls"  # another TLS failure (protocol, handshake)
    TIMEOUT = "timeout"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Reach:
    """One host's answer to :meth:`HttpClient.reach`: ``status`` is the HTTP status it answered
    with (any status means the host is reachable), else ``problem`` says why not and ``detail``
    names the exception (never a URL query or a password). ``via`` is the proxy used, password
    masked, or None for a direct connection."""

    url: str
    via: str | None
    status: int | None = None
    problem: Unreached | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None


def unreached(error: BaseException, *, via_proxy: bool) -> Unreached:
    """Why a request failed, from the exception httpx raised (and what it chained)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(e, (TimeoutError, httpx.TimeoutException)) for e in chain):
        return Unreached.TIMEOUT
    if any(isinstance(e, httpx.ProxyError) for e in chain):
        return Unreached.PROXY_REFUSED
    if is_tls_error(error):
        untrusted = any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or "CERTIFICATE_VERIFY_FAILED" in str(error)
        return Unreached.TLS_UNTRUSTED if untrusted else Unreached.TLS
    if any(isinstance(e, socket.gaierror) for e in chain):
        return Unreached.DNS
    if any(isinstance(e, (httpx.ConnectError, ConnectionError)) for e in chain):
        return Unreached.PROXY_UNREACHABLE if via_proxy else Unreached.CONNECT
    return Unreached.OTHER


#: statuses that, through a proxy, are the proxy's own refusal: authentication required, and
#: no answer from the host behind it (RFC 9110 15.5.8, 15.6.3, 15.6.5)
PROXY_REFUSALS: Final = frozenset({407, 502, 504})

#: URL schemes httpx can send requests through, as a proxy address
PROXY_SCHEMES: Final = ("http", "https", "socks5", "socks5h")


@dataclass(frozen=True, slots=True)
class ProxyRoute:
    """Which proxy carries a request: ``proxies`` by the target's URL scheme (``http``,
    ``https``, or ``all``), each a proxy URL; ``bypass`` the NO_PROXY-style rules of the hosts
    that go direct (``*``, ``<local>``, ``host``, ``.domain``, ``*.domain``, ``10.*``, a CIDR
    like ``192.168.0.0/16``; a ``:port`` or ``scheme://`` on a rule is ignored)."""

    proxies: tuple[tuple[str, str], ...] = ()
    bypass: tuple[str, ...] = ()

    def proxy_for(self, url: str | httpx.URL) -> str | None:
        """The proxy URL for ``url`` (None: direct)."""
        target = httpx.URL(url)
        by_scheme = dict(self.proxies)
        proxy = by_scheme.get(target.scheme) or by_scheme.get("all")
        if proxy is None or bypassed(target.host, self.bypass):
            return None
        return proxy


def bypassed(host: str, rules: Iterable[str]) -> bool:
    """Whether ``host`` (a name, an IPv4 or an IPv6 address) matches one of the NO_PROXY-style
    ``rules`` (see :class:`ProxyRoute`); names compare case-insensitively, ``example.com`` covers
    its subdomains as curl has it (https://curl.se/libcurl/c/CURLOPT_NOPROXY.html)."""
    host = host.lower().strip("[]").rstrip(".")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for raw in rules:
        rule = raw.strip().lower()
        if "://" in rule:
            rule = rule.split("://", 1)[1]
        if rule.startswith("["):
            rule = rule[1:].split("]", 1)[0]
        elif rule.count(":") == 1:
            rule = rule.split(":", 1)[0]
        if not rule:
            continue
        if rule == "*":
            return True
        if rule == "<local>":
            # Internet Options' "bypass for local addresses": a name without a dot.
            if address is None and "." not in host:
                return True
            continue
        if "/" in rule:
            try:
                if address is not None and address in ipaddress.ip_network(rule, strict=False):
                    return True
            except ValueError:
                pass
            continue
        if "*" in rule or "?" in rule:
            if fnmatch.fnmatchcase(host, rule):
                return True
            continue
        rule = rule.lstrip(".")
        if host == rule or (address is None and host.endswith("." + rule)):
            return True
    return False


def _split_rules(text: str) -> tuple[str, ...]:
    """NO_PROXY separates with commas, Windows' ProxyOverride with semicolons."""
    return tuple(part.strip() for part in re.split(r"[,;\s]+", text) if part.strip())


def _internet_setting(name: str) -> str:
    """A value of Windows' Internet Options (``HKCU\\...\\Internet Settings``); "" elsewhere or when unset."""
    if sys.platform != "win32":
        return ""
    import winreg  # noqa: PLC0415 - Windows only

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\Microsoft\Windows\CurrentVersion\Internet Settings") as key:
            return str(winreg.QueryValueEx(key, name)[0])
    except OSError:
        return ""


def _registry_bypass() -> str:
    """Windows' Internet Options bypass list (``ProxyOverride``), the companion of the proxy that
    :func:`urllib.request.getproxies` reads from the registry; "" elsewhere or when unset."""
    return _internet_setting("ProxyOverride")


def proxy_script() -> str:
    """The automatic proxy configuration script Windows' Internet Options name (``AutoConfigURL``,
    a PAC file), or "". The desk does not run PAC scripts (JavaScript): where an office routes
    through one, the proxy it picks must be given in the settings; ``doctor`` says so."""
    return _internet_setting("AutoConfigURL").strip()


def proxy_route(
    explicit: str | None,
    *,
    trust_env: bool,
    system: Mapping[str, str] | None = None,
    registry_bypass: str | None = None,
) -> ProxyRoute:
    """The route for a client: ``explicit`` (the settings' proxy) wins over the system's; the
    system's bypass list holds either way (with ``trust_env``). ``system`` is what
    :func:`urllib.request.getproxies` returns (read here when None and ``trust_env``): scheme →
    proxy, and ``no`` → NO_PROXY; ``registry_bypass`` Windows' ``ProxyOverride`` (read when None).
    A system proxy of a kind httpx cannot use (Windows' SOCKS4) is left out with a warning."""
    found = dict(system if system is not None else (urllib.request.getproxies() if trust_env else {}))
    rules = _split_rules(found.pop("no", ""))
    if trust_env:
        # Windows keeps the office's own hosts beside its proxy, in Internet Options.
        rules += _split_rules(registry_bypass if registry_bypass is not None else _registry_bypass())
    if explicit:
        return ProxyRoute(proxies=(("all", explicit),), bypass=rules)
    proxies: list[tuple[str, str]] = []
    for scheme in ("http", "https", "all"):
        address = found.get(scheme)
        if not address:
            continue
        if "://" not in address:
            address = f"http://{address}"
        if address.split("://", 1)[0].lower() not in PROXY_SCHEMES:
            log.warning("the system proxy for %s:// (%s) is of a kind the desk cannot use; going direct", scheme, safe_proxy(address))
            continue
        proxies.append((scheme, address))
    return ProxyRoute(proxies=tuple(proxies), bypass=rules)


def _userinfo(proxy: str) -> tuple[str, str, str] | None:
    """``(before, userinfo, after)`` of a proxy URL: the userinfo is everything between ``://``
    and the LAST ``@`` (a password may hold ``@``, ``/`` or ``:`` unescaped, as typed), or None
    when there is none."""
    head, sep, rest = proxy.partition("://")
    if not sep or "@" not in rest:
        return None
    userinfo, _, host = rest.rpartition("@")
    return head + sep, userinfo, host


def safe_proxy(proxy: str) -> str:
    """A proxy URL without its secret, for logs and messages: ``http://user:***@host:port``
    (the user name kept), or ``http://***@host:port`` for a user part that is itself a token."""
    parts = _userinfo(proxy)
    if parts is None:
        return proxy
    before, userinfo, host = parts
    user, colon, _ = userinfo.partition(":")
    return f"{before}{user}:***@{host}" if colon else f"{before}***@{host}"


def proxy_secrets(proxy: str | None) -> tuple[str, ...]:
    """What in a proxy URL is secret, as typed and percent-decoded: the whole user part and the
    password (or the token when there is no password). Empty for a proxy without credentials."""
    parts = _userinfo(proxy or "")
    if parts is None:
        return ()
    userinfo = parts[1]
    user, colon, password = userinfo.partition(":")
    values = [userinfo, password if colon else user]
    values += [urllib.parse.unquote(value) for value in values]
    return tuple(dict.fromkeys(value for value in values if value))


def safe_proxy_detail(proxy: str | None, detail: str) -> str:
    """``detail`` (an error's text about ``proxy``) with the proxy's secrets and any fragment of
    them httpx quoted (``Invalid port: 'pa'`` for ``user:pa/ss@…``) masked as ``***``."""
    secrets = proxy_secrets(proxy)
    if not secrets:
        return detail
    if proxy:
        detail = detail.replace(proxy, safe_proxy(proxy))
    for value in sorted(secrets, key=len, reverse=True):
        detail = detail.replace(value, "***")
    # httpx names what it could not parse in quotes: a piece of the user part split at "/" or "@"
    for quoted in re.findall(r"'([^']*)'", detail):
        if quoted and any(quoted in value for value in secrets):
            detail = detail.replace(f"'{quoted}'", "'***'")
    return detail


#: where Linux distributions keep their CA file, when OpenSSL's own default finds none (the
#: list truststore uses, https://github.com/sethmlarson/truststore/blob/main/src/truststore/_openssl.py)
LINUX_CA_FILES: Final = (
    "/etc/ssl/cert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/cert.pem",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/ssl/ca-bundle.pem",
)


def _linux_context() -> ssl.SSLContext:
    """The system's roots loaded once: OpenSSL's default locations (``SSL_CERT_FILE`` and
    ``SSL_CERT_DIR`` honoured), else the first distribution CA file found. truststore would load
    the same files again for every connection (~140 ms per handshake, on the event loop thread)."""
    context = ssl.create_default_context()  # verify_mode CERT_REQUIRED, check_hostname, default paths
    defaults = ssl.get_default_verify_paths()
    has_dir = bool(defaults.capath and os.path.isdir(defaults.capath) and os.listdir(defaults.capath))
    if not defaults.cafile and not has_dir:
        for cafile in LINUX_CA_FILES:
            if os.path.isfile(cafile):
                context.load_verify_locations(cafile=cafile)
                break
    return context


def verify_context(settings: HttpSettings) -> ssl.SSLContext:
    """What certificates are checked against: the operating system's trusted roots (Windows
    certificate store and macOS keychain through truststore, https://truststore.readthedocs.io;
    on Linux the distribution's CA files, read once), plus the CA bundle (PEM) when the settings
    name one: the bundle adds the office proxy's root, the hosts that bypass the proxy stay trusted
    by the system's roots. Raises OSError/ssl.SSLError for a bad bundle."""
    if sys.platform in ("win32", "darwin"):
        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    else:
        context = _linux_context()
    if settings.ca_bundle:
        # truststore >= 0.10 also trusts the CAs loaded into its context (Windows, macOS).
        context.load_verify_locations(cafile=settings.ca_bundle)
    return context


class _Routed(httpx.AsyncBaseTransport):
    """Sends each request direct or through its proxy, as ``route`` says, on transports built
    once. The decision is kept per (scheme, host): a client talks to few hosts."""

    def __init__(self, route: ProxyRoute, *, verify: ssl.SSLContext, limits: httpx.Limits) -> None:
        self.route = route
        self._direct = httpx.AsyncHTTPTransport(verify=verify, limits=limits, trust_env=False)
        self._proxied: dict[str, httpx.AsyncHTTPTransport] = {}
        for _, proxy in route.proxies:
            if proxy not in self._proxied:
                # httpx.Proxy raises ValueError for a scheme it cannot use, httpx.InvalidURL for a bad address.
                try:
                    target = httpx.Proxy(proxy)
                except httpx.InvalidURL as error:
                    raise ValueError(str(error)) from error
                if target.url.scheme == "https":
                    # A proxy spoken to over TLS is checked against the same trust (httpcore refuses
                    # a proxy TLS context for any other scheme).
                    target = httpx.Proxy(proxy, ssl_context=verify)
                self._proxied[proxy] = httpx.AsyncHTTPTransport(verify=verify, limits=limits, proxy=target, trust_env=False)
        self._choice: dict[tuple[str, str], httpx.AsyncHTTPTransport] = {}

    def transport_for(self, url: httpx.URL) -> httpx.AsyncHTTPTransport:
        key = (url.scheme, url.host)
        chosen = self._choice.get(key)
        if chosen is None:
            proxy = self.route.proxy_for(url)
            chosen = self._direct if proxy is None else self._proxied[proxy]
            if len(self._choice) < 10_000:
                self._choice[key] = chosen
        return chosen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transport_for(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        for transport in (self._direct, *self._proxied.values()):
            await transport.aclose()


@dataclass(slots=True)
class _Pool:
    """Connection pools and request limits built from one ``HttpSettings``."""

    settings: HttpSettings
    clients: list[httpx.AsyncClient]
    turn: Iterator[int]
    in_flight: asyncio.Semaphore
    route: ProxyRoute
    per_host: dict[str, asyncio.Semaphore] = field(default_factory=dict)
    active: int = 0

    @classmethod
    def build(cls, s: HttpSettings, transport: httpx.AsyncBaseTransport | None) -> _Pool:
        """Raises ValueError (or ImportError) for a proxy httpx cannot use, OSError/ssl.SSLError
        for a CA bundle that cannot be loaded."""
        # One TLS context for every pool: building one loads the CA store (~10 ms each).
        verify = verify_context(s)
        route = proxy_route(s.proxy, trust_env=s.trust_env)
        # httpcore's pool rescans all its connections (with a syscall each) whenever a request
        # starts or ends, so one big pool costs O(n²) per request. Several small pools, used in
        # turn, keep the same number of connections at a fraction of the cost (measured: the
        # pool bookkeeping was 40% of a 1,000-account cycle with one pool of 50).
        shards = max(1, min(s.max_in_flight, s.max_connections) // POOL_SHARD_SIZE)
        per_shard = -(-min(s.max_in_flight, s.max_connections) // shards)
        limits = httpx.Limits(max_connections=per_shard, max_keepalive_connections=per_shard)
        clients = [
            httpx.AsyncClient(
                timeout=httpx.Timeout(connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=s.total_timeout),
                limits=limits,
                follow_redirects=True,
                max_redirects=s.max_redirects,
                verify=verify,
                # The proxies are routed here (see _Routed), the environment read in proxy_route.
                trust_env=False,
                transport=transport or _Routed(route, verify=verify, limits=limits),
                # The client decodes bodies itself (see decode_body), so it offers what it can decode,
                # not what httpx would (httpx offers br only when brotli is importable).
                headers={"User-Agent": f"JB-WatchDesk/{__version__}", "Accept-Encoding": ACCEPT_ENCODING},
            )
            for _ in range(shards)
        ]
        # httpx's own pool limit turns a burst into PoolTimeouts; requests wait here instead.
        return cls(
            settings=s, clients=clients, turn=itertools.cycle(range(shards)), in_flight=asyncio.Semaphore(s.max_in_flight), route=route
        )

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
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._closer: asyncio.Task[None] | None = None

    @property
    def settings(self) -> HttpSettings:
        return self._pool.settings

    @property
    def closed(self) -> bool:
        return self._closer is not None

    @property
    def route(self) -> ProxyRoute:
        """The proxies requests take now, and the hosts that go direct."""
        return self._pool.route

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

    async def reach(self, url: str, *, within_s: float) -> Reach:
        """Whether ``url``'s host answers at all within ``within_s`` seconds, over the same proxy
        route and trust as every request (``doctor``'s network check). One GET, redirects not
        followed, the body not read. Never raises for a network failure: the answer says it."""
        if self._closer is not None:
            raise RuntimeError("the HTTP client is closed")
        task = asyncio.get_running_loop().create_task(self._reach(url, within_s=within_s))
        self._in_flight.add(task)  # aclose waits for it like a request
        task.add_done_callback(self._in_flight.discard)
        return await _outlast(task, cancel=True)

    async def _reach(self, url: str, *, within_s: float) -> Reach:
        pool = self._pool
        proxy = pool.route.proxy_for(url)
        via = safe_proxy(proxy) if proxy is not None else None
        try:
            async with asyncio.timeout(within_s):
                async with pool.clients[next(pool.turn)].stream("GET", url, follow_redirects=False) as response:
                    status = response.status_code
                    asks_auth = "proxy-authenticate" in response.headers
            _unlink(response)
        except (TimeoutError, httpx.HTTPError, OSError) as error:
            return Reach(url=redact_url(url), via=via, problem=unreached(error, via_proxy=proxy is not None), detail=type(error).__name__)
        if proxy is not None and (status in PROXY_REFUSALS or asks_auth):
            # An http:// request is answered by the proxy itself: 407 (its credentials), 502/504
            # (it could not reach the host) are the proxy's refusal, not the host's answer.
            return Reach(url=redact_url(url), via=via, problem=Unreached.PROXY_REFUSED, detail=f"HTTP {status}")
        return Reach(url=redact_url(url), via=via, status=status)

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
                    f"the TLS certificate of {url_host(url)} is not trusted: install the office proxy's root CA into the "
                    "system's certificates, or set the CA bundle in the settings",
                    code=f"{platform}.tls",
                ) from None
            proxy = pool.route.proxy_for(url)
            if proxy is not None:
                raise ConnectorError(
                    ErrorKind.TRANSIENT,
                    f"cannot reach the proxy {safe_proxy(proxy)} (for {url_host(url)}): check the proxy in the settings",
                    code=f"{platform}.connect",
                ) from None
            raise ConnectorError(
                ErrorKind.TRANSIENT, f"cannot connect to {url_host(url)}: check the network or proxy", code=f"{platform}.connect"
            ) from None
        except httpx.ProxyError:
            raise ConnectorError(
                ErrorKind.TRANSIENT,
                f"the proxy refused to connect to {url_host(url)}: check the proxy in the settings",
                code=f"{platform}.connect",
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
