"""A loopback server that plays back an HTTP sequence, for connector tests on saved cases.

A sequence maps a URL path to a list of responses: the n-th request to that path gets the
n-th response (``json`` or ``file`` body, ``status`` default 200, ``headers``); requests
beyond the list get the last one again. Every request is recorded (method, path, query,
JSON or form body) so a test can check what the connector asked for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, object]


@dataclass
class SequenceServer:
    """Serves ``sequence`` on 127.0.0.1; ``base_url`` once started; ``requests`` as they came."""

    sequence: Mapping[str, list[Mapping[str, object]]]
    root: Path = Path(".")
    requests: list[Recorded] = field(default_factory=list)
    base_url: str = ""
    _counts: dict[str, int] = field(default_factory=dict)

    def calls(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                length = int(headers.get("content-length", "0") or 0)
                raw = await reader.readexactly(length) if length else b""
                split = urlsplit(target)
                path = split.path.rstrip("/") or "/"
                body: dict[str, object] = {}
                if raw:
                    try:
                        loaded = json.loads(raw)
                        body = loaded if isinstance(loaded, dict) else {}
                    except ValueError:
                        body = dict(parse_qsl(raw.decode("utf-8")))
                self.requests.append(Recorded(method, path, dict(parse_qsl(split.query)), body))
                writer.write(self._answer(path))
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            writer.close()

    def _answer(self, path: str) -> bytes:
        responses = self.sequence.get(path) or self.sequence.get(path + "/")
        if not responses:
            return _http(404, b"Not Found", {"Content-Type": "text/plain"})
        n = self._counts.get(path, 0)
        self._counts[path] = n + 1
        spec = responses[min(n, len(responses) - 1)]
        if "file" in spec:
            body = (self.root / str(spec["file"])).read_bytes()
        else:
            body = json.dumps(spec.get("json"), ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", **dict(spec.get("headers") or {})}  # type: ignore[arg-type]
        return _http(int(spec.get("status", 200)), body, headers)  # type: ignore[call-overload]

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[SequenceServer]:
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.base_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        try:
            yield self
        finally:
            server.close()
            await server.wait_closed()


def _http(status: int, body: bytes, headers: Mapping[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@pytest.fixture
def sequence_server() -> type[SequenceServer]:
    """The :class:`SequenceServer` class: ``async with SequenceServer(case).running() as server``."""
    return SequenceServer


class MemorySecrets:
    """A :class:`~jb_watchdesk.connectors.fetching.SecretSource` over a dict (account id, name) → value."""

    def __init__(self, values: Mapping[tuple[int, str], str] | None = None) -> None:
        self.values = dict(values or {})

    async def get(self, account_id: int, name: str) -> str | None:
        return self.values.get((account_id, name))

    async def put(self, account_id: int, name: str, value: str) -> None:
        self.values[(account_id, name)] = value


@pytest.fixture
def memory_secrets() -> type[MemorySecrets]:
    return MemorySecrets
