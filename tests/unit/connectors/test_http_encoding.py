"""Compressed bodies and redirect chains as real servers send them, over real loopback servers.

Content codings: RFC 9110 §8.4 (https://www.rfc-editor.org/rfc/rfc9110#section-8.4);
brotli is RFC 7932, gzip RFC 1952, deflate (zlib) RFC 1950.
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable
from pathlib import Path

import brotli
import pytest

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.feed_parsing import parse_feed
from jb_watchdesk.connectors.http import HttpClient, HttpResponse, HttpSettings

DATA = Path(__file__).resolve().parents[2] / "data" / "http"
PLAIN = (DATA / "rss_plain.xml").read_bytes()
RSS_TYPE = "application/rss+xml; charset=utf-8"
SETTINGS = HttpSettings(trust_env=False, total_timeout=5.0, read_timeout=5.0, max_bytes=64 * 1024)

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _response(status: str, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _serving(body: bytes, headers: dict[str, str], seen: list[str] | None = None) -> Handler:
    """A handler that answers every request with 200, ``body`` and ``headers``, recording each request head."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if seen is not None:
            seen.append(head.decode("latin-1"))
        writer.write(_response("200 OK", body, headers))
        await writer.drain()
        writer.close()

    return handler


async def _fetch(handler: Handler, settings: HttpSettings = SETTINGS, path: str = "/feed") -> HttpResponse:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = HttpClient(settings)
    try:
        return await client.request("GET", f"http://127.0.0.1:{port}{path}", platform="rss")
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()


def fetch(body: bytes, headers: dict[str, str], settings: HttpSettings = SETTINGS) -> HttpResponse:
    return asyncio.run(_fetch(_serving(body, headers), settings))


def fetch_error(body: bytes, headers: dict[str, str], settings: HttpSettings = SETTINGS) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        fetch(body, headers, settings)
    return caught.value


# ------------------------------------------------------------------ brotli


def test_case_rss_body_br_is_read_as_the_feed() -> None:
    """Case 2026-11 rss_body.br: before, "cannot decode the feed (tried utf-8, gb18030)"."""
    response = fetch((DATA / "rss_body.br").read_bytes(), {"Content-Encoding": "br", "Content-Type": RSS_TYPE})
    assert response.body == PLAIN
    page = parse_feed(response.body, content_type=response.content_type, url="https://rsshub.example.org/jbq")
    assert [post.external_id for post in page.items][0] == "jbq-zwdt-1001" and len(page.items) == 2


def test_the_client_offers_brotli_and_gzip() -> None:
    seen: list[str] = []
    asyncio.run(_fetch(_serving(b"ok", {}, seen)))
    offered = next(line for line in seen[0].split("\r\n") if line.lower().startswith("accept-encoding:"))
    codings = {c.strip() for c in offered.split(":", 1)[1].split(",")}
    assert {"gzip", "deflate", "br"} <= codings


def test_a_brotli_bomb_is_cut_at_the_cap_without_inflating_in_memory() -> None:
    bomb = brotli.compress(b"\0" * 64_000_000, quality=1)  # ~50 kB decoding to 64 MB
    assert len(bomb) < SETTINGS.max_bytes
    tracemalloc.start()
    try:
        error = fetch_error(bomb, {"Content-Encoding": "br"})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.kind is ErrorKind.BAD_PAYLOAD and error.code == "rss.too_large"
    assert peak < 16 * 1024 * 1024  # the 64 MB were never held


def test_a_broken_brotli_body_names_the_coding_not_the_charset() -> None:
    error = fetch_error(b"\xff\xfe this is not brotli" * 10, {"Content-Encoding": "br"})
    assert error.kind is ErrorKind.BAD_PAYLOAD and error.code == "rss.decoding"
    assert "br" in error.reason and "charset" not in error.reason


# -------------------------------------------------------------------- gzip


def test_gzip_without_a_content_encoding_header_is_decompressed() -> None:
    response = fetch(gzip.compress(PLAIN), {"Content-Type": RSS_TYPE})
    assert response.body == PLAIN


def test_gzip_without_a_header_is_still_bounded_by_the_cap() -> None:
    bomb = gzip.compress(b"a" * 5_000_000)  # ~5 kB inflating to 5 MB
    error = fetch_error(bomb, {"Content-Type": RSS_TYPE})
    assert error.kind is ErrorKind.BAD_PAYLOAD and error.code == "rss.too_large"


def test_corrupt_gzip_without_a_header_is_reported_as_compressed_not_as_a_charset() -> None:
    broken = gzip.compress(PLAIN)[:10] + b"\x00garbage that is no deflate stream" * 5
    error = fetch_error(broken, {"Content-Type": RSS_TYPE})
    assert error.kind is ErrorKind.BAD_PAYLOAD and error.code == "rss.compressed"
    assert "gzip" in error.reason and "Content-Encoding" in error.reason and "charset" not in error.reason


def test_other_compressed_formats_without_a_header_are_named() -> None:
    zstd_frame = b"\x28\xb5\x2f\xfd" + b"\x00" * 40
    error = fetch_error(zstd_frame, {"Content-Type": RSS_TYPE})
    assert error.code == "rss.compressed" and "zstd" in error.reason


def test_a_body_gzipped_twice_under_one_header_is_read() -> None:
    response = fetch(gzip.compress(gzip.compress(PLAIN)), {"Content-Encoding": "gzip"})
    assert response.body == PLAIN


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),  # RFC 9110 §8.4.1.3: a recipient treats x-gzip as gzip
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw deflate, as some servers send
        ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),  # applied in the order listed
        ("identity", lambda data: data),
    ],
)
def test_declared_codings_are_decoded(coding: str, encode: Callable[[bytes], bytes]) -> None:
    assert fetch(encode(PLAIN), {"Content-Encoding": coding}).body == PLAIN


def test_gzip_with_two_members_is_read_whole() -> None:
    half = len(PLAIN) // 2
    assert fetch(gzip.compress(PLAIN[:half]) + gzip.compress(PLAIN[half:]), {"Content-Encoding": "gzip"}).body == PLAIN


@pytest.mark.parametrize("coding", ["compress", "zstd-unknown", "sdch"])
def test_a_coding_the_client_cannot_decode_is_named(coding: str) -> None:
    error = fetch_error(b"\x1f\x9d\x90 compressed", {"Content-Encoding": coding})
    assert error.kind is ErrorKind.BAD_PAYLOAD and error.code == "rss.encoding"
    assert coding in error.reason and "charset" not in error.reason


# --------------------------------------------------------------- redirects


def _redirecting(hops: int) -> Handler:
    """/feed → /r1 → … → /r{hops} (each a 301/302/307/308 in turn) → 200."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        path = head.split(" ", 2)[1]
        step = 0 if path == "/feed" else int(path.removeprefix("/r"))
        if step < hops:
            status = ("301 Moved Permanently", "302 Found", "307 Temporary Redirect", "308 Permanent Redirect")[step % 4]
            writer.write(_response(status, b"", {"Location": f"/r{step + 1}"}))
        else:
            writer.write(_response("200 OK", PLAIN, {"Content-Type": RSS_TYPE}))
        await writer.drain()
        writer.close()

    return handler


def test_five_redirects_are_followed_by_default() -> None:
    """http → https → www → trailing slash is already four hops; before, three were allowed."""
    assert HttpSettings().max_redirects == 5
    response = asyncio.run(_fetch(_redirecting(5)))
    assert response.body == PLAIN and response.url.endswith("/r5")


def test_a_sixth_redirect_is_refused_and_the_limit_is_configurable() -> None:
    with pytest.raises(ConnectorError) as caught:
        asyncio.run(_fetch(_redirecting(6)))
    assert caught.value.code == "rss.redirects" and "5" in caught.value.reason
    strict = HttpSettings(trust_env=False, total_timeout=5.0, max_bytes=64 * 1024, max_redirects=2)
    with pytest.raises(ConnectorError) as caught:
        asyncio.run(_fetch(_redirecting(3), strict))
    assert caught.value.code == "rss.redirects" and "2" in caught.value.reason


def test_brotli_without_a_content_encoding_header_is_decompressed() -> None:
    response = fetch((DATA / "rss_body.br").read_bytes(), {"Content-Type": RSS_TYPE})
    assert response.body == PLAIN


@pytest.mark.parametrize(
    "body",
    [
        bytes(range(256)) * 4,  # binary, but no brotli stream: left for the parser to refuse
        "\ufeff<rss/>".encode("utf-16"),  # NUL bytes, yet text: its byte order mark says so
        "<rss><title>日本語</title></rss>".encode("iso2022_jp"),  # ESC sequences are text too
        PLAIN,
    ],
)
def test_bodies_that_are_not_compressed_arrive_unchanged(body: bytes) -> None:
    assert fetch(body, {"Content-Type": "application/octet-stream"}).body == body


def test_corrupt_gzip_inside_announced_gzip_says_it_was_not_announced() -> None:
    broken = gzip.compress(gzip.compress(PLAIN)[:10] + b"\x00not deflate" * 5)
    error = fetch_error(broken, {"Content-Encoding": "gzip"})
    assert error.code == "rss.compressed"
    assert "beyond what its Content-Encoding header (gzip) announces" in error.reason


def test_brotli_without_a_header_is_still_bounded_by_the_cap() -> None:
    bomb = brotli.compress(b"<rss>" + b" " * 5_000_000, quality=1)
    error = fetch_error(bomb, {"Content-Type": RSS_TYPE})
    assert error.kind is ErrorKind.BAD_PAYLOAD and error.code == "rss.too_large"


# ------------------------------------------------- compressed answers cut short


def _cut(data: bytes) -> bytes:
    """The first half of ``data``: what a proxy or CDN that dropped the connection passes on, with a
    Content-Length that matches what it passed (so the HTTP layer sees a complete message)."""
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),
        ("br", brotli.compress),
        ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),
    ],
)
def test_a_compressed_answer_cut_short_is_a_transient_error_not_a_feed(coding: str, encode: Callable[[bytes], bytes]) -> None:
    """Before: a gzip body cut in half was decoded as far as it went and read as the whole feed (its
    validators stored, so later 304s hid the rest); cut brotli decoded to b"" ("empty response")."""
    error = fetch_error(_cut(encode(PLAIN)), {"Content-Encoding": coding, "Content-Type": RSS_TYPE})
    assert error.kind is ErrorKind.TRANSIENT and error.code == "rss.decoding"
    assert "cut short" in error.reason and "next poll" in error.reason


def test_a_second_gzip_member_cut_short_is_an_error() -> None:
    half = len(PLAIN) // 2
    body = gzip.compress(PLAIN[:half]) + _cut(gzip.compress(PLAIN[half:]))
    error = fetch_error(body, {"Content-Encoding": "gzip"})
    assert error.kind is ErrorKind.TRANSIENT and error.code == "rss.decoding"


def test_unannounced_gzip_cut_short_is_an_error() -> None:
    error = fetch_error(_cut(gzip.compress(PLAIN)), {"Content-Type": RSS_TYPE})
    assert error.kind is ErrorKind.TRANSIENT and error.code == "rss.decoding"


def test_a_cut_bomb_still_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"a" * 5_000_000)
    error = fetch_error(bomb[: len(bomb) - 20], {"Content-Encoding": "gzip"})
    assert error.kind is ErrorKind.BAD_PAYLOAD and error.code == "rss.too_large"


# ----------------------------------- a coding announced on a body that has none


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate", "br", "gzip, br"])
@pytest.mark.parametrize(
    "body",
    [
        PLAIN,
        b"\n\n  " + PLAIN,
        b"\xef\xbb\xbf" + PLAIN,  # UTF-8 byte order mark
        '{"items": [{"title": "江北发布"}]}'.encode(),
        b'[{"id": 1}]',
        "\ufeff<rss version='2.0'><channel/></rss>".encode("utf-16-le"),
        b"{",
    ],
)
def test_text_sent_under_a_compression_header_is_read_as_it_is(coding: str, body: bytes) -> None:
    """A misconfigured server or proxy labels plain text ``Content-Encoding: gzip``. Before: ``rss.decoding``."""
    assert fetch(body, {"Content-Encoding": coding, "Content-Type": RSS_TYPE}).body == body


def test_a_feed_labelled_gzip_but_sent_plain_is_parsed() -> None:
    response = fetch(PLAIN, {"Content-Encoding": "gzip", "Content-Type": RSS_TYPE})
    page = parse_feed(response.body, content_type=response.content_type, url="https://rsshub.example.org/jbq")
    assert len(page.items) == 2
