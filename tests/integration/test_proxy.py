"""The desk behind a proxy: polling the simulator through a local forward proxy (explicit, and the
system's with its bypass list), and ``doctor``'s network check saying what failed.

The proxy is a small threaded one written here: absolute-URI requests are forwarded, ``CONNECT``
is tunnelled, and every request is recorded, so a test can tell the desk's requests went through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import select
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.connectors.base import ConnectorError
from jb_watchdesk.connectors.http import HttpClient, HttpSettings, Unreached
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services import doctor, reachability
from jb_watchdesk.services import settings as desk_settings
from jb_watchdesk.storage.secrets import SecretStore


class _Handler(socketserver.BaseRequestHandler):
    server: _ProxyServer

    def handle(self) -> None:
        client: socket.socket = self.request
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk:
                return
            head += chunk
        head, _, rest = head.partition(b"\r\n\r\n")
        method, target, version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        self.server.record(method, target)
        if self.server.refuse:
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            with socket.create_connection((host, int(port)), timeout=5) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                _relay(client, upstream, rest)
            return
        split = urlsplit(target)
        lines = head.split(b"\r\n")[1:]
        kept = [line for line in lines if not line.lower().startswith((b"connection:", b"proxy-connection:"))]
        path = split.path + (f"?{split.query}" if split.query else "")
        forwarded = b"\r\n".join([f"{method} {path} {version}".encode("latin-1"), *kept, b"Connection: close", b"", b""]) + rest
        with socket.create_connection((split.hostname, split.port or 80), timeout=5) as upstream:
            _relay(client, upstream, forwarded)


def _relay(client: socket.socket, upstream: socket.socket, first: bytes) -> None:
    if first:
        upstream.sendall(first)
    sockets = [client, upstream]
    while True:
        readable, _, _ = select.select(sockets, [], [], 10)
        if not readable:
            return
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            (upstream if sock is client else client).sendall(data)


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[str, str]] = []
        self.refuse = False
        self._lock = threading.Lock()

    def record(self, method: str, target: str) -> None:
        with self._lock:
            self.seen.append((method, target))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def proxy() -> Iterator[_ProxyServer]:
    server = _ProxyServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _poll(desk, http: HttpSettings):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        with App(workspace=Workspace(desk.root), clock=Clock(desk.now), secret_store=SecretStore(desk.keyring)) as app:
            async with running_watch(app, http_settings=http) as loop:
                return await loop.poller.poll_once(force=True)  # the poll alone: the scan is not what is tested

    return asyncio.run(run())


def test_the_desk_reads_the_simulator_through_an_explicit_proxy(simulated_desk, proxy: _ProxyServer) -> None:  # type: ignore[no-untyped-def]
    # ~2.5 s: a whole register's poll (~180 requests), each on a new connection through the proxy.
    cycle = _poll(simulated_desk, HttpSettings(proxy=proxy.url, trust_env=False, total_timeout=5.0))
    assert cycle.accounts_polled == 12 and cycle.failures == ()
    served = simulated_desk.server.stats()["total"]
    assert len(proxy.seen) == served >= cycle.requests > 0  # every request the simulator answered came through
    assert all(target.startswith(simulated_desk.base_url) for _, target in proxy.seen)


def _fetch(url: str, http: HttpSettings) -> int:
    async def run() -> int:
        client = HttpClient(http)
        try:
            return (await client.request("GET", url, platform="rss")).status
        finally:
            await client.aclose()

    return asyncio.run(run())


def test_the_system_proxy_is_used_and_its_bypass_list_honoured(
    simulated_desk, proxy: _ProxyServer, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("http_proxy", proxy.url)
    feed = f"{simulated_desk.base_url.rstrip('/')}/rss/rss-0001"
    assert _fetch(feed, HttpSettings(total_timeout=5.0)) == 200
    assert proxy.seen == [("GET", feed)]
    assert _fetch(feed, HttpSettings(total_timeout=5.0, trust_env=False)) == 200  # the system's proxy not read
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.0/8")
    monkeypatch.setenv("no_proxy", "localhost,127.0.0.0/8")
    assert _fetch(feed, HttpSettings(total_timeout=5.0)) == 200
    assert proxy.seen == [("GET", feed)]  # the bypass list sent the later ones direct


def test_a_proxy_that_cannot_be_reached_is_named_with_its_password_masked(simulated_desk) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    feed = f"{simulated_desk.base_url.rstrip('/')}/rss/rss-0001"
    with pytest.raises(ConnectorError) as raised:
        _fetch(feed, HttpSettings(proxy=f"http://duty:pw@127.0.0.1:{port}", trust_env=False, total_timeout=5.0))
    assert raised.value.code == "rss.connect"
    assert f"the proxy http://duty:***@127.0.0.1:{port}" in raised.value.reason and ":pw@" not in raised.value.reason


# -- doctor -------------------------------------------------------------------------------------


def test_doctor_reaches_the_simulator_directly_and_through_the_proxy(simulated_desk, proxy: _ProxyServer) -> None:  # type: ignore[no-untyped-def]
    workspace = Workspace(simulated_desk.root)
    host = simulated_desk.base_url.removeprefix("http://").rstrip("/")
    direct = doctor.check_network(workspace, HttpSettings(trust_env=False))
    assert direct.level is doctor.Level.OK and host in direct.detail and proxy.url[7:] not in direct.detail, direct
    through = doctor.check_network(workspace, HttpSettings(proxy=proxy.url, trust_env=False))
    assert through.level is doctor.Level.OK, through
    assert proxy.url.removeprefix("http://") in through.detail and any(method == "GET" for method, _ in proxy.seen)


def test_doctor_says_the_proxy_cannot_be_reached(simulated_desk) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    check = doctor.check_network(Workspace(simulated_desk.root), HttpSettings(proxy=f"http://127.0.0.1:{port}", trust_env=False))
    assert check.level is doctor.Level.FAIL
    assert "连接不上代理" in check.detail or "the proxy cannot be reached" in check.detail
    assert "代理" in check.advice or "proxy" in check.advice


def test_doctor_reads_the_proxy_from_the_settings_file(simulated_desk, proxy: _ProxyServer) -> None:  # type: ignore[no-untyped-def]
    root = simulated_desk.root
    desk_settings.save(root, replace(desk_settings.load(root), proxy=proxy.url))
    checks = {check.name: check for check in doctor._network_checks(Workspace(root))}  # noqa: SLF001
    assert proxy.url.removeprefix("http://") in checks["proxy"].detail
    assert checks["network"].level is doctor.Level.OK
    assert proxy.seen  # the network check went through it


def test_an_automatic_proxy_script_is_named_with_what_to_do_unless_a_proxy_is_set() -> None:
    """Windows offices often route through a PAC script (Internet Options' AutoConfigURL), which the
    desk does not run: doctor warns, naming the script and what to enter, until a proxy is set."""
    from jb_watchdesk.domain import messages

    script = "http://wpad.jiangbei.gov.cn/proxy.pac"
    messages.set_language("en")
    warned = doctor.check_proxy(HttpSettings(trust_env=True), script=script)
    assert warned.level is doctor.Level.WARN and script in warned.detail and "settings" in warned.advice
    assert doctor.check_proxy(HttpSettings(trust_env=True), script="").level is doctor.Level.OK
    explicit = doctor.check_proxy(HttpSettings(proxy="http://10.1.2.3:8080", trust_env=True), script=script)
    assert explicit.level is doctor.Level.OK and script not in explicit.detail
    assert doctor.check_proxy(HttpSettings(trust_env=False), script=script).level is doctor.Level.OK  # the system's not read


# -- TLS: an inspecting proxy's certificate, a proxy that refuses, a host that never answers ------


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (what a TLS-inspecting proxy presents, signed by an office CA)."""
    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "JB office inspection CA")])
    now = dt.datetime.now(dt.UTC)
    import ipaddress

    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "office-ca.pem", tmp_path / "office-ca.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


@contextlib.contextmanager
def _serving(answer: Callable[[socket.socket], None]) -> Iterator[int]:
    """A listener on 127.0.0.1 handing each connection to ``answer`` on a thread; yields its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            answer(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


@contextlib.contextmanager
def _tls_server(cert: Path, key: Path) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 answering 404 to anything: the host a platform API stands for."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def answer(conn: socket.socket) -> None:
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)
                tls.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except (OSError, ssl.SSLError):
            conn.close()

    with _serving(answer) as port:
        yield f"https://127.0.0.1:{port}/"


def test_an_untrusted_certificate_is_named_and_a_ca_bundle_cures_it(tmp_path: Path, proxy: _ProxyServer) -> None:
    cert, key = _self_signed(tmp_path)
    with _tls_server(cert, key) as origin:
        (untrusted,) = reachability.check([origin], http=HttpSettings(trust_env=False), per_host_s=3)
        assert untrusted.problem is Unreached.TLS_UNTRUSTED
        (through,) = reachability.check([origin], http=HttpSettings(proxy=proxy.url, trust_env=False), per_host_s=3)
        assert through.problem is Unreached.TLS_UNTRUSTED and ("CONNECT", origin[8:-1]) in proxy.seen
        (trusted,) = reachability.check([origin], http=HttpSettings(proxy=proxy.url, ca_bundle=str(cert), trust_env=False), per_host_s=3)
        assert trusted.ok and trusted.status == 404
        proxy.refuse = True
        (refused,) = reachability.check([origin], http=HttpSettings(proxy=proxy.url, ca_bundle=str(cert), trust_env=False), per_host_s=3)
        assert refused.problem is Unreached.PROXY_REFUSED


def test_a_host_that_never_answers_is_a_timeout_within_the_bound() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts (the backlog) and never answers
        origin = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        (answer,) = reachability.check([origin], http=HttpSettings(trust_env=False), per_host_s=0.3, total_s=2)
    assert answer.problem is Unreached.TIMEOUT and not answer.ok


@contextlib.contextmanager
def _answering_proxy(head: bytes) -> Iterator[str]:
    """A "proxy" that answers every request itself with ``head`` (status line and headers)."""

    def answer(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            conn.sendall(head + b"Content-Length: 0\r\nConnection: close\r\n\r\n")

    with _serving(answer) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    ("head", "refused"),
    [
        (b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"office\"\r\n", True),
        (b"HTTP/1.1 502 Bad Gateway\r\n", True),
        (b"HTTP/1.1 504 Gateway Timeout\r\n", True),
        (b"HTTP/1.1 403 Forbidden\r\nProxy-Authenticate: Negotiate\r\n", True),
        (b"HTTP/1.1 404 Not Found\r\n", False),  # the host's own answer, passed on
    ],
)
def test_an_http_host_the_proxy_refuses_is_not_reachable(head: bytes, refused: bool) -> None:
    with _answering_proxy(head) as proxy:
        (answer,) = reachability.check(["http://feeds.example.org"], http=HttpSettings(proxy=proxy, trust_env=False), per_host_s=3)
    if refused:
        assert answer.problem is Unreached.PROXY_REFUSED and not answer.ok
    else:
        assert answer.ok and answer.status == 404
