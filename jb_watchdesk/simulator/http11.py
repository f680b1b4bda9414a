"""The server's small HTTP/1.1: reading a request and writing a response, within bounds.

:func:`read_request` reads the request line, headers (bounded) and a ``Content-Length``
body (bounded), answering ``Expect: 100-continue``; it raises :class:`_BadRequest` with the
status to answer. :func:`response_head` writes the status line and headers;
:func:`write_response` sends a response whole or one byte at a time (``drip``),
:func:`write_reset` half of one and then a TCP reset, and :func:`hold` keeps a connection
open without answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import time
from http import HTTPStatus
from typing import Final
from urllib.parse import parse_qsl, unquote, urlsplit

from jb_watchdesk.simulator.routes import Request, Response, http_date

MAX_HEADER_BYTES: Final = 32 * 1024
MAX_HEADERS: Final = 100
MAX_BODY_BYTES: Final = 1024 * 1024
BODY_TIMEOUT_S: Final = 10.0
HOLD_LIMIT_S: Final = 600.0
DRIP_INTERVAL_S: Final = 0.5
_CHUNK: Final = 64 * 1024


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def read_request(
    head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> tuple[Request, bool]:
    """The request whose head (up to the blank line) is ``head``, with its body read from
    ``reader``, and whether the connection stays open after it; :class:`_BadRequest` if it is
    malformed or too large."""
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


def response_head(response: Response, *, length: int | None, keep_alive: bool) -> bytes:
    """The status line and header fields of ``response``, with the blank line that ends them."""
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


async def write_response(
    writer: asyncio.StreamWriter,
    response: Response,
    *,
    keep_alive: bool,
    head_only: bool = False,
    drip: bool = False,
) -> None:
    """Send ``response``: the head alone for HEAD and 304, else the body whole or, with
    ``drip``, one byte every :data:`DRIP_INTERVAL_S` seconds."""
    length = None if response.status == 304 else len(response.body)
    writer.write(response_head(response, length=length, keep_alive=keep_alive))
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


async def write_reset(writer: asyncio.StreamWriter, response: Response) -> None:
    """Half a response, then a TCP reset (SO_LINGER 0 turns close into RST)."""
    writer.write(response_head(response, length=len(response.body), keep_alive=True))
    writer.write(response.body[: len(response.body) // 2])
    await writer.drain()
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def hold(reader: asyncio.StreamReader) -> None:
    """Keep the connection open without answering until the client gives up."""
    with contextlib.suppress(TimeoutError, ConnectionError):
        async with asyncio.timeout(HOLD_LIMIT_S):
            while await reader.read(_CHUNK):
                pass


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
