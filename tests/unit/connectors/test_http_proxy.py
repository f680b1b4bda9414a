"""Which proxy a request takes, the bypass list's forms, and why a host did not answer."""

from __future__ import annotations

import asyncio
import socket
import ssl
import sys
from pathlib import Path

import httpcore
import httpx
import pytest

from jb_watchdesk.connectors.http import (
    HttpClient,
    HttpSettings,
    ProxyRoute,
    Unreached,
    bypassed,
    proxy_route,
    safe_proxy,
    safe_proxy_detail,
    unreached,
    verify_context,
)

SYSTEM = {"http": "http://10.0.0.1:8080", "https": "10.0.0.1:8443", "no": "intranet.gov.cn,.jb.local,192.168.0.0/16"}


def test_the_system_proxies_are_used_by_scheme_and_a_bare_address_is_an_http_proxy() -> None:
    route = proxy_route(None, trust_env=True, system=SYSTEM, registry_bypass="")
    assert route.proxy_for("http://api.weibo.com/x") == "http://10.0.0.1:8080"
    assert route.proxy_for("https://api.weibo.com/x") == "http://10.0.0.1:8443"


def test_an_explicit_proxy_wins_over_the_system_but_the_bypass_list_holds() -> None:
    route = proxy_route("socks5://127.0.0.1:1080", trust_env=True, system=SYSTEM, registry_bypass="")
    assert route.proxy_for("https://api.weixin.qq.com/cgi-bin/token") == "socks5://127.0.0.1:1080"
    assert route.proxy_for("http://feeds.example.org/rss") == "socks5://127.0.0.1:1080"
    assert route.proxy_for("https://intranet.gov.cn/feed") is None
    assert route.proxy_for("https://news.jb.local/feed") is None
    assert route.proxy_for("http://192.168.3.4:1200/rss") is None


def test_without_trust_env_nothing_of_the_system_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("NO_PROXY", "api.weibo.com")
    assert proxy_route(None, trust_env=False) == ProxyRoute()
    explicit = proxy_route("http://p:1", trust_env=False)
    assert explicit.proxy_for("https://api.weibo.com/") == "http://p:1"  # NO_PROXY not read either


def test_the_environment_is_read_through_urllib(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://10.9.9.9:3128")
    monkeypatch.setenv("NO_PROXY", "api.weibo.com, *.gov.cn")
    route = proxy_route(None, trust_env=True, registry_bypass="")
    assert route.proxy_for("https://open.douyin.com/") == "http://10.9.9.9:3128"
    assert route.proxy_for("https://api.weibo.com/2/statuses") is None
    assert route.proxy_for("https://www.cq.gov.cn/") is None
    assert route.proxy_for("http://open.douyin.com/") is None  # no proxy for plain http


def test_windows_bypass_list_joins_the_rules() -> None:
    system = {"http": "http://p:80", "https": "http://p:80"}
    route = proxy_route(None, trust_env=True, system=system, registry_bypass="10.*;*.jb.gov;<local>")
    assert route.proxy_for("http://10.1.2.3/feed") is None
    assert route.proxy_for("https://www.jb.gov/") is None
    assert route.proxy_for("http://intranet/feed") is None  # <local>: a name without a dot
    assert route.proxy_for("https://api.weibo.com/") == "http://p:80"


def test_a_system_proxy_httpx_cannot_use_is_left_out(caplog: pytest.LogCaptureFixture) -> None:
    route = proxy_route(None, trust_env=True, system={"http": "socks4://user:pw@p:1080", "https": "http://p:3128"}, registry_bypass="")
    assert route.proxies == (("https", "http://p:3128"),)
    assert "socks4://user:***@p:1080" in caplog.text and ":pw@" not in caplog.text


@pytest.mark.parametrize(
    ("host", "rules", "expected"),
    [
        ("api.weibo.com", ["weibo.com"], True),
        ("weibo.com", [".weibo.com"], True),
        ("notweibo.com", ["weibo.com"], False),
        ("API.Weibo.COM", ["api.weibo.com:443"], True),
        ("api.weibo.com", ["https://api.weibo.com"], True),
        ("127.0.0.1", ["127.0.0.0/8"], True),
        ("::1", ["[::1]"], True),
        ("::1", ["::1"], True),
        ("10.0.0.5", ["10.0.0.*"], True),
        ("10.0.1.5", ["10.0.0.*"], False),
        ("anything", ["*"], True),
        ("host", ["<local>"], True),
        ("host.example", ["<local>"], False),
        ("example.com", ["", " "], False),
        ("1.2.3.4", ["not-a-cidr/x"], False),
    ],
)
def test_bypass_rules(host: str, rules: list[str], expected: bool) -> None:
    assert bypassed(host, rules) is expected


def test_a_proxy_password_is_masked() -> None:
    assert safe_proxy("http://duty:s3cret@10.0.0.1:8080") == "http://duty:***@10.0.0.1:8080"
    assert safe_proxy("socks5://10.0.0.1:1080") == "socks5://10.0.0.1:1080"


@pytest.mark.parametrize(
    ("proxy", "shown"),
    [
        ("http://user:p@ss@proxy:8080", "http://user:***@proxy:8080"),  # "@" in the password, unescaped
        ("http://user:pa/ss@proxy:8080", "http://user:***@proxy:8080"),  # "/" in the password
        ("http://tok3n-only@proxy", "http://***@proxy"),  # a token as the user name
        ("http://user:p%40ss@proxy:8080", "http://user:***@proxy:8080"),
    ],
)
def test_everything_before_the_last_at_sign_is_masked(proxy: str, shown: str) -> None:
    assert safe_proxy(proxy) == shown


def test_a_refused_proxys_error_does_not_quote_its_password() -> None:
    proxy = "http://user:pa/ss@proxy:8080"
    with pytest.raises(httpx.InvalidURL) as caught:
        httpx.Proxy(proxy)
    detail = safe_proxy_detail(proxy, str(caught.value))
    assert "pa" not in detail.replace("port", "") and "ss" not in detail
    assert safe_proxy_detail(proxy, f"cannot use {proxy}") == "cannot use http://user:***@proxy:8080"


def test_explicit_and_system_proxy_passwords_are_registered_for_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    from jb_watchdesk.services import redaction
    from jb_watchdesk.services.reachability import register_proxy_secrets

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://envuser:env%2Fpass@10.0.0.9:3128")
    redaction.forget_all()
    try:
        register_proxy_secrets(HttpSettings(proxy="http://duty:p@ss/word@proxy:8080"))
        line = redaction.redact("proxy said: bad credentials p@ss/word for duty; env env/pass and env%2Fpass")
        assert "p@ss/word" not in line and "env/pass" not in line and "env%2Fpass" not in line
    finally:
        redaction.forget_all()


def _office_ca(path: Path) -> None:
    """One self-signed CA certificate (an office proxy's root) as PEM at ``path``."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "JB office inspection CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="truststore asks the OS store there")
def test_the_system_roots_are_loaded_once_and_a_bundle_adds_to_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import truststore

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    system = verify_context(HttpSettings())
    # A stdlib context with the roots already in it: truststore's would reload them per connection.
    assert not isinstance(system, truststore.SSLContext) and system.verify_mode is ssl.CERT_REQUIRED and system.check_hostname
    roots = system.cert_store_stats()["x509_ca"]
    bundle = tmp_path / "office.pem"
    _office_ca(bundle)
    both = verify_context(HttpSettings(ca_bundle=str(bundle)))
    assert both.cert_store_stats()["x509_ca"] == roots + 1  # before: the bundle alone (1), every bypassed host untrusted
    # SSL_CERT_FILE (OpenSSL's own override of the system's roots) is honoured.
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    assert verify_context(HttpSettings()).cert_store_stats()["x509_ca"] == 1
    with pytest.raises(OSError):
        verify_context(HttpSettings(ca_bundle=str(tmp_path / "missing.pem")))


def test_a_socks5_or_https_proxy_is_accepted_and_a_malformed_one_refused() -> None:
    async def build() -> None:
        for proxy in ("socks5://127.0.0.1:1080", "https://proxy.example:8443", "http://user:pw@proxy.example:3128"):
            client = HttpClient(HttpSettings(proxy=proxy, trust_env=False))
            assert client.route.proxy_for("https://api.weibo.com/") == proxy
            await client.aclose()
        for bad in ("ftp://proxy.example:21", "http://[::1:3128"):
            with pytest.raises(ValueError):
                HttpClient(HttpSettings(proxy=bad, trust_env=False))

    asyncio.run(build())


def _chained(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("error", "via_proxy", "expected"),
    [
        (_chained(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")), False, Unreached.DNS),
        (_chained(httpx.ConnectError("x"), ConnectionRefusedError(111, "refused")), False, Unreached.CONNECT),
        (_chained(httpx.ConnectError("x"), ConnectionRefusedError(111, "refused")), True, Unreached.PROXY_UNREACHABLE),
        (_chained(httpx.ProxyError("403 Forbidden"), httpcore.ProxyError("403")), True, Unreached.PROXY_REFUSED),
        (_chained(httpx.ConnectError("x"), ssl.SSLCertVerificationError(1, "certificate verify failed")), True, Unreached.TLS_UNTRUSTED),
        (_chained(httpx.ConnectError("x"), ssl.SSLError(1, "WRONG_VERSION_NUMBER")), False, Unreached.TLS),
        (httpx.ConnectTimeout("slow"), False, Unreached.TIMEOUT),
        (TimeoutError(), True, Unreached.TIMEOUT),
        (httpx.DecodingError("odd"), False, Unreached.OTHER),
    ],
)
def test_why_a_host_did_not_answer(error: BaseException, via_proxy: bool, expected: Unreached) -> None:
    assert unreached(error, via_proxy=via_proxy) is expected
