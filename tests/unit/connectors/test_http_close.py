"""The shared HTTP client closes every connection it opened, whatever is cancelled on the way.

A socket left open is found only when the garbage collector reaches it (a ResourceWarning, at some
later moment), so each test counts, on the server's side, the connections the client has closed,
and finally collects garbage with ResourceWarnings recorded.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Awaitable, Callable

import pytest

from jb_watchdesk.connectors.base import ConnectorError
from jb_watchdesk.connectors.http import HttpClient, HttpSettings

SETTINGS = HttpSettings(trust_env=False, total_timeout=10.0, max_in_flight=8, per_host=8)
CONNECTIONS = 8


class KeepAliveServer:
    """Answers ``/ok`` on connections it keeps open, never answers ``/hold``; counts connections."""

    def __init__(self) -> None:
        self.opened = 0
        self.closed = 0
        self.requests = 0
        self.all_in = asyncio.Event()  # CONNECTIONS requests have arrived
        self.changed = asyncio.Event()
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.opened += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                self.requests += 1
                if self.requests >= CONNECTIONS:
                    self.all_in.set()
                # Every request waits for all of them: each one needs a connection of its own.
                await self.all_in.wait()
                if b"/hold" in head:
                    await reader.read()  # until the client gives up on it
                    break
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        finally:
            self.closed += 1
            self.changed.set()
            writer.close()

    async def until_all_closed(self) -> None:
        async def wait() -> None:
            while self.closed < self.opened:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(wait(), timeout=10)


def _leaks(scenario: Callable[[], Awaitable[None]]) -> list[str]:
    """Run ``scenario`` on a loop of its own; the unclosed sockets and transports found afterwards."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        asyncio.run(scenario())  # type: ignore[arg-type]
        gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning) and "unclosed" in str(w.message)]


async def _fill(client: HttpClient, base: str, path: str) -> list[asyncio.Task[object]]:
    """CONNECTIONS requests at once, each on its own connection."""
    return [asyncio.ensure_future(client.request("GET", f"{base}{path}", platform="rss")) for _ in range(CONNECTIONS)]


def test_a_close_whose_caller_is_cancelled_still_closes_every_connection() -> None:
    """A shutdown that stops waiting for ``aclose`` must not stop the closing itself."""

    async def scenario() -> None:
        server = KeepAliveServer()
        async with server as base:
            client = HttpClient(SETTINGS)
            await asyncio.gather(*await _fill(client, base, "/ok"))
            assert server.opened == CONNECTIONS  # all idle in the pool now
            closing = asyncio.ensure_future(client.aclose())
            await asyncio.sleep(0)  # one step: the closing has begun
            closing.cancel()
            with pytest.raises(asyncio.CancelledError):
                await closing
            await server.until_all_closed()

    assert _leaks(scenario) == []


def test_requests_cancelled_twice_while_unwinding_close_their_connections() -> None:
    """The second cancellation of a shutdown reaches requests still closing after the first."""

    async def scenario() -> None:
        server = KeepAliveServer()
        async with server as base:
            client = HttpClient(SETTINGS)
            requests = await _fill(client, base, "/hold")
            await server.all_in.wait()
            for request in requests:
                request.cancel()
            await asyncio.sleep(0)  # one step: the requests are unwinding
            for request in requests:
                request.cancel()
            await asyncio.gather(*requests, return_exceptions=True)
            assert all(request.cancelled() for request in requests)
            await client.aclose()
            await server.until_all_closed()

    assert _leaks(scenario) == []


def test_closing_the_client_ends_the_requests_still_running_and_closes_their_connections() -> None:
    async def scenario() -> None:
        server = KeepAliveServer()
        async with server as base:
            client = HttpClient(SETTINGS)
            requests = await _fill(client, base, "/hold")
            await server.all_in.wait()
            await client.aclose()
            outcomes = await asyncio.gather(*requests, return_exceptions=True)
            assert all(isinstance(o, ConnectorError) and o.code == "rss.closed" for o in outcomes), outcomes
            await server.until_all_closed()
            with pytest.raises(RuntimeError, match="closed"):
                await client.request("GET", f"{base}/ok", platform="rss")

    assert _leaks(scenario) == []


def test_a_retired_pool_closes_every_connection_even_when_the_client_closes_meanwhile() -> None:
    async def scenario() -> None:
        server = KeepAliveServer()
        async with server as base:
            client = HttpClient(SETTINGS)
            await asyncio.gather(*await _fill(client, base, "/ok"))
            client.reconfigure(HttpSettings(trust_env=False, total_timeout=5.0, max_in_flight=8, per_host=8))
            closing = asyncio.ensure_future(client.aclose())
            await asyncio.sleep(0)
            closing.cancel()
            with pytest.raises(asyncio.CancelledError):
                await closing
            await server.until_all_closed()

    assert _leaks(scenario) == []
