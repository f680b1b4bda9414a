"""The shared HTTP client against real loopback servers that misbehave on purpose."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.http import HttpClient, HttpSettings
from jb_watchdesk.connectors.http_errors import parse_retry_after, redact_url

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> str:
    head = await reader.readuntil(b"\r\n\r\n")
    return head.decode("latin-1")


def _response(status: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _serve(handler: Handler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def _with_server(handler: Handler, settings: HttpSettings, call: Callable[[HttpClient, str], Awaitable[object]]) -> object:
    server, base = await _serve(handler)
    client = HttpClient(settings)
    try:
        return await call(client, base)
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()


def run(coro: Awaitable[object]) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


LOCAL = HttpSettings(trust_env=False, total_timeout=1.0, read_timeout=5.0, max_bytes=1000)


def test_a_dripping_server_is_cut_off_by_the_total_deadline() -> None:
    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        try:
            for _ in range(100):
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.2)  # each read is quick: httpx's read timeout never trips
        except (ConnectionError, asyncio.CancelledError):
            pass
        writer.close()

    async def call(client: HttpClient, base: str) -> object:
        started = asyncio.get_running_loop().time()
        with pytest.raises(ConnectorError) as caught:
            await client.request("GET", f"{base}/feed", platform="rss")
        return caught.value, asyncio.get_running_loop().time() - started

    error, elapsed = run(_with_server(drip, LOCAL, call))  # type: ignore[misc]
    assert error.kind is ErrorKind.TRANSIENT and error.code == "rss.timeout"
    assert elapsed < 3


def test_the_size_cap_counts_decoded_bytes() -> None:
    bomb = gzip.compress(b"a" * 50_000)  # ~100 bytes on the wire, 50 kB decoded

    async def gzipped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(_response("200 OK", bomb, {"Content-Encoding": "gzip"}))
        await writer.drain()
        writer.close()

    async def call(client: HttpClient, base: str) -> object:
        with pytest.raises(ConnectorError) as caught:
            await client.request("GET", f"{base}/feed", platform="rss")
        return caught.value

    error = run(_with_server(gzipped, LOCAL, call))
    assert error.kind is ErrorKind.BAD_PAYLOAD and error.code == "rss.too_large"  # type: ignore[attr-defined]


def test_statuses_become_error_kinds_and_retry_after_is_read() -> None:
    answers = iter(
        [
            _response("429 Too Many Requests", b"", {"Retry-After": "42"}),
            _response("503 Service Unavailable", b""),
            _response("404 Not Found", b""),
            _response("200 OK", b"fine"),
        ]
    )

    async def scripted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(next(answers))
        await writer.drain()
        writer.close()

    async def call(client: HttpClient, base: str) -> object:
        errors = []
        for _ in range(3):
            with pytest.raises(ConnectorError) as caught:
                await client.request("GET", f"{base}/x", platform="rss")
            errors.append(caught.value)
        ok = await client.request("GET", f"{base}/x", platform="rss")
        return errors, ok

    (limited, unavailable, missing), ok = run(_with_server(scripted, LOCAL, call))  # type: ignore[misc]
    assert limited.kind is ErrorKind.RATE_LIMITED and limited.retry_after == 42
    assert unavailable.kind is ErrorKind.TRANSIENT
    assert missing.kind is ErrorKind.CONFIG
    assert ok.body == b"fine"


def test_redirect_loops_are_limited() -> None:
    async def loop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(_response("302 Found", b"", {"Location": "/again"}))
        await writer.drain()
        writer.close()

    async def call(client: HttpClient, base: str) -> object:
        with pytest.raises(ConnectorError) as caught:
            await client.request("GET", f"{base}/start", platform="rss")
        return caught.value

    error = run(_with_server(loop, LOCAL, call))
    assert error.code == "rss.redirects"  # type: ignore[attr-defined]


def test_a_reset_connection_is_transient() -> None:
    async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.transport.abort()

    async def call(client: HttpClient, base: str) -> object:
        with pytest.raises(ConnectorError) as caught:
            await client.request("GET", f"{base}/x", platform="weibo")
        return caught.value

    error = run(_with_server(reset, LOCAL, call))
    assert error.kind is ErrorKind.TRANSIENT  # type: ignore[attr-defined]


def test_nothing_listening_is_transient() -> None:
    async def call() -> ConnectorError:
        client = HttpClient(LOCAL)
        try:
            with pytest.raises(ConnectorError) as caught:
                await client.request("GET", "http://127.0.0.1:9/", platform="rss")
            return caught.value
        finally:
            await client.aclose()

    assert run(call()).kind is ErrorKind.TRANSIENT  # type: ignore[attr-defined]


def test_secrets_in_query_strings_are_redacted() -> None:
    url = redact_url("https://api.weixin.qq.com/cgi-bin/comment/list?access_token=ABCDEF123&offset=0")
    assert "ABCDEF123" not in url and "offset=0" in url and "access_token=***" in url


def test_retry_after_forms() -> None:
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert parse_retry_after("120", now=now) == 120
    assert parse_retry_after("Wed, 25 Nov 2026 08:01:00 GMT", now=now) == 60
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after("99999999", now=now) == 6 * 3600


def test_new_settings_apply_to_new_requests_and_the_old_pools_close_when_drained() -> None:
    release = asyncio.Event()

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await _read_request(reader)
        if "/slow" in head:
            await release.wait()
        writer.write(_response("200 OK", b"x" * 100))
        await writer.drain()
        writer.close()

    async def call(client: HttpClient, base: str) -> object:
        old_clients = list(client._pool.clients)  # noqa: SLF001 - what reconfigure must close
        first = asyncio.ensure_future(client.request("GET", f"{base}/slow", platform="rss"))
        await asyncio.sleep(0.1)
        client.reconfigure(HttpSettings(trust_env=False, total_timeout=5.0, max_bytes=10))
        assert client.settings.max_bytes == 10
        with pytest.raises(ConnectorError) as caught:
            await client.request("GET", f"{base}/fast", platform="rss")  # the new cap applies at once
        assert not any(c.is_closed for c in old_clients)  # the slow request still uses them
        release.set()
        response = await first  # finished under the settings it started with
        await asyncio.sleep(0.05)
        return caught.value, response.body, all(c.is_closed for c in old_clients)

    error, body, closed = run(_with_server(slow, HttpSettings(trust_env=False, total_timeout=5.0, max_bytes=1000), call))  # type: ignore[misc]
    assert error.code == "rss.too_large" and body == b"x" * 100 and closed


def test_no_token_reaches_the_log_even_at_debug_level(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    secret = "2.00SECRETtokenVALUE"

    async def ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(_response("200 OK", b"{}"))
        await writer.drain()
        writer.close()

    async def call(client: HttpClient, base: str) -> object:
        return await client.request("GET", f"{base}/2/statuses/user_timeline.json", platform="weibo", params={"access_token": secret})

    response = run(_with_server(ok, LOCAL, call))
    assert response.status == 200  # type: ignore[attr-defined]
    assert caplog.records  # something was logged at DEBUG (asyncio, the client)…
    assert secret not in caplog.text  # …but never the token


def test_a_request_leaves_no_httpx_objects_for_the_cyclic_garbage_collector() -> None:
    """httpx ties a response and its stream in a cycle; left alone, each request leaves ~36 objects
    that only the collector frees, in pauses that hold the GIL (and freeze the window). (asyncio's
    closed socket transports are cyclic too; they are not this client's to fix.)"""
    import gc

    async def ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await _read_request(reader)
        if "/moved" in head:
            writer.write(_response("302 Found", b"", {"Location": "/feed"}))
        else:
            writer.write(_response("200 OK", b"<rss/>"))
        await writer.drain()
        writer.close()

    async def call(client: HttpClient, base: str) -> object:
        await client.request("GET", f"{base}/feed", platform="rss")  # warm up: pools, imports
        gc.collect()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            for n in range(20):
                await client.request("GET", f"{base}/moved" if n % 2 else f"{base}/feed", platform="rss", params={"n": str(n)})
            gc.collect()
            return sorted({type(o).__qualname__ for o in gc.garbage if type(o).__module__.startswith(("httpx", "httpcore"))})
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()

    assert run(_with_server(ok, LOCAL, call)) == []
