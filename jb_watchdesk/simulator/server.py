"""A real HTTP/1.1 server on loopback that serves the simulated platforms, with faults.

Built on ``asyncio.start_server`` with a deliberately small HTTP/1.1 implementation:
request line, headers (bounded), ``Content-Length`` bodies (bounded), keep-alive and
``Connection: close``. Every wait (latency, drip, a held "timeout" connection) is an
``asyncio.sleep`` or a read on that one connection, so a slow answer never delays another
client: 1,000 accounts at 200 ms per request complete in about requests × 0.2 s ÷ the
client's concurrency.

Admin routes, for tests and the demo:

- ``GET /_sim/register.csv``  the account register (UTF-8 with BOM)
- ``GET /_sim/truth[?now=ISO8601][&window=DAYS]``  what the desk should conclude per account
  (:meth:`World.truth`); with ``&items=1`` instead the ids of every post and comment it
  should store (:meth:`World.truth_items`; ``window`` is then the comment window and
  ``horizon=DAYS`` the post horizon, default 21)
- ``GET /_sim/credentials``  every account's platform ids and secrets
- ``GET /_sim/faults`` / ``POST /_sim/faults`` (``{"spec": "..."}``; empty clears); the
  spec's content kinds (``undated``, ``video_status`` …) are handed to the world
- ``GET /_sim/stats`` / ``POST /_sim/stats/reset``  request counts per route and account
- ``POST /_sim/inject`` (``{"account": "weibo-0003", "sensitive": ["id_number"]}``)  a post published
  now on that account with those sensitive kinds (a live finding for the demo and tests)

The HTTP/1.1 reading and writing lives in :mod:`jb_watchdesk.simulator.http11`, the faults
acted out on an answer in :mod:`jb_watchdesk.simulator.fault_responses` and the admin routes
in :mod:`jb_watchdesk.simulator.admin`; this module re-exports their limits and constants.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Final

from jb_watchdesk.domain.models import Platform
from jb_watchdesk.simulator.admin import admin_response, admin_route
from jb_watchdesk.simulator.fault_responses import (
    FUTURE_LAST_MODIFIED,
    OVERSIZE_BYTES,
    fault_response,
    write_oversize,
)
from jb_watchdesk.simulator.faults import FaultKind, FaultPlan
from jb_watchdesk.simulator.http11 import (
    BODY_TIMEOUT_S,
    DRIP_INTERVAL_S,
    HOLD_LIMIT_S,
    MAX_BODY_BYTES,
    MAX_HEADER_BYTES,
    MAX_HEADERS,
    _BadRequest,
    hold,
    read_request,
    write_reset,
    write_response,
)
from jb_watchdesk.simulator.routes import Platforms, Request, Response, platform_of, text_response
from jb_watchdesk.simulator.world import SERVED_PLATFORMS, World

__all__ = [
    "BODY_TIMEOUT_S",
    "DRIP_INTERVAL_S",
    "FUTURE_LAST_MODIFIED",
    "HOLD_LIMIT_S",
    "IDLE_TIMEOUT_S",
    "MAX_BODY_BYTES",
    "MAX_HEADERS",
    "MAX_HEADER_BYTES",
    "OVERSIZE_BYTES",
    "SimulatorServer",
    "main",
    "run_simulator",
    "running_in_thread",
    "serving",
]

log = logging.getLogger(__name__)

IDLE_TIMEOUT_S: Final = 30.0


class SimulatorServer:
    """The platform simulator: ``await start()``, use ``base_url``, ``await stop()``.

    ``latency_ms`` delays every platform request (never the admin routes); ``faults`` is a
    :class:`FaultPlan` or a spec string. For synchronous callers,
    :meth:`running_in_thread` runs the server on its own event loop in a background thread.
    """

    def __init__(
        self,
        world: World,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: int = 0,
        faults: FaultPlan | str | None = None,
    ) -> None:
        if latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        self.world = world
        self.host = host
        self.port = port
        self.latency_ms = latency_ms
        self.platforms = Platforms(world)
        self._targets = frozenset(
            {*world.by_key, *SERVED_PLATFORMS, *(platform.value for platform in Platform)}
        )
        self._faults = FaultPlan(seed=world.seed)
        if isinstance(faults, FaultPlan):
            faults.check_targets(self._targets)
            self._faults = faults
            world.set_content(faults.content())
        elif faults:
            self.set_faults(faults)
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._closing = False
        self._routes: Counter[str] = Counter()
        self._accounts: Counter[str] = Counter()
        self._statuses: Counter[int] = Counter()
        self._stats_lock = threading.Lock()

    # ------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Bind and start accepting connections (``port=0`` picks a free port)."""
        self._closing = False
        self._server = await asyncio.start_server(
            self._connection,
            host=self.host,
            port=self.port,
            limit=MAX_HEADER_BYTES,
            backlog=2048,
            reuse_address=True,
        )
        sockets = self._server.sockets
        if sockets:
            self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop accepting, drop every open connection (held, dripping or idle) and wait."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` as clients should use it (a wildcard bind maps to loopback)."""
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @contextlib.contextmanager
    def running_in_thread(self) -> Iterator[str]:
        """Run the server on its own event loop in a background thread; yields the base URL."""
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                try:
                    loop.run_until_complete(self.start())
                except BaseException as error:  # noqa: BLE001 - handed to the waiting thread, which re-raises it
                    failure.append(error)
                    return
                finally:
                    ready.set()
                loop.run_forever()
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                loop.close()

        thread = threading.Thread(target=run, name="jb-watchdesk-simulator", daemon=True)
        thread.start()
        ready.wait()
        if failure:
            thread.join()
            raise failure[0]
        try:
            yield self.base_url
        finally:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=30)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)

    # ----------------------------------------------------------------- faults

    @property
    def faults(self) -> FaultPlan:
        """The active fault plan."""
        return self._faults

    def set_faults(self, spec: str) -> None:
        """Replace the active faults, content kinds included (an empty spec clears them all,
        and the world's content switches with them); ValueError if the spec is bad."""
        plan = FaultPlan.parse(spec, seed=self.world.seed)
        plan.check_targets(self._targets)
        self._faults = plan
        self.world.set_content(plan.content())

    # ------------------------------------------------------------------ stats

    def stats(self) -> dict[str, object]:
        """Request counts per route, per account and per status, and the fault counters."""
        with self._stats_lock:
            return {
                "total": sum(self._routes.values()),
                "routes": dict(sorted(self._routes.items())),
                "accounts": dict(sorted(self._accounts.items())),
                "statuses": {str(code): n for code, n in sorted(self._statuses.items())},
                "faults": self._faults.stats(),
                "open_connections": len(self._connections),
            }

    def reset_stats(self) -> None:
        """Zero the request counters (the fault plan keeps its own)."""
        with self._stats_lock:
            self._routes.clear()
            self._accounts.clear()
            self._statuses.clear()

    def _count(self, route: str, account: str | None = None) -> None:
        with self._stats_lock:
            self._routes[route] += 1
            if account is not None:
                self._accounts[account] += 1

    # ------------------------------------------------------------- connection

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except asyncio.CancelledError:
            # Only stop() cancels these tasks. Python 3.11's start_server done-callback
            # calls task.exception() and logs a cancelled handler as an error, so the
            # cancellation ends here instead of propagating.
            pass
        except Exception:
            log.warning("simulator: a connection failed", exc_info=True)
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while not self._closing:
            try:
                async with asyncio.timeout(IDLE_TIMEOUT_S):
                    head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                return  # the client closed the connection between requests
            except asyncio.LimitOverrunError:
                await self._send(writer, text_response(431, text="request header fields too large"), keep_alive=False)
                return
            try:
                request, keep_alive = await read_request(head, reader, writer)
            except _BadRequest as problem:
                await self._send(writer, text_response(problem.status, text=str(problem)), keep_alive=False)
                return
            if not await self._dispatch(request, reader, writer, keep_alive=keep_alive):
                return

    # --------------------------------------------------------------- dispatch

    async def _dispatch(
        self, request: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, keep_alive: bool
    ) -> bool:
        """Answer one request; returns whether the connection stays open."""
        if request.path.startswith("/_sim/") or request.path == "/":
            self._count(admin_route(request.path))
            response = await admin_response(self, request)
            await self._send(writer, response, keep_alive=keep_alive)
            return keep_alive
        route, methods = self.platforms.lookup(request.path)
        if route is None:
            self._count("not_found")
            await self._send(writer, text_response(404, text="Not Found"), keep_alive=keep_alive)
            return keep_alive
        if request.method not in methods:
            self._count("method_not_allowed")
            response = text_response(405, text="Method Not Allowed")
            response.headers.append(("Allow", ", ".join(sorted(methods))))
            await self._send(writer, response, keep_alive=keep_alive)
            return keep_alive
        target = self.platforms.identify(request, route=route)
        self._count(route, target.account.key if target.account else None)
        decision = self._faults.decide(target.names(platform_of(route)))
        fault = decision.fault
        if fault is not None and fault.kind is FaultKind.TIMEOUT:
            await hold(reader)
            return False
        delay_ms = self.latency_ms + decision.latency_ms
        if delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        if fault is not None and fault.kind is FaultKind.OVERSIZE:
            await self._send_oversize(writer, route, keep_alive=keep_alive)
            return keep_alive
        response = fault_response(self.platforms, fault, target, request, draw=decision.draw)
        if fault is not None and fault.kind is FaultKind.RESET:
            await write_reset(writer, response)
            return False
        drip = fault is not None and fault.kind is FaultKind.DRIP
        await self._send(writer, response, keep_alive=keep_alive, head_only=request.method == "HEAD", drip=drip)
        return keep_alive

    # ---------------------------------------------------------------- writing

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        response: Response,
        *,
        keep_alive: bool,
        head_only: bool = False,
        drip: bool = False,
    ) -> None:
        with self._stats_lock:
            self._statuses[response.status] += 1
        await write_response(writer, response, keep_alive=keep_alive, head_only=head_only, drip=drip)

    async def _send_oversize(self, writer: asyncio.StreamWriter, route: str, *, keep_alive: bool) -> None:
        """More than 20 MB of body, streamed."""
        with self._stats_lock:
            self._statuses[200] += 1
        await write_oversize(writer, route, keep_alive=keep_alive)


# ---------------------------------------------------------------------- running


@contextlib.contextmanager
def running_in_thread(
    world: World,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    latency_ms: int = 0,
    faults: FaultPlan | str | None = None,
) -> Iterator[str]:
    """A simulator for ``world`` on a background thread; yields its base URL."""
    server = SimulatorServer(world, host=host, port=port, latency_ms=latency_ms, faults=faults)
    with server.running_in_thread() as base_url:
        yield base_url


@contextlib.asynccontextmanager
async def serving(server: SimulatorServer) -> AsyncIterator[str]:
    """``async with serving(server) as base_url``: start, yield the base URL, always stop."""
    await server.start()
    try:
        yield server.base_url
    finally:
        await server.stop()


def run_simulator(
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    accounts: int = 240,
    seed: int = 1,
    latency_ms: int = 0,
    faults: str = "",
) -> int:
    """Serve until Ctrl-C or SIGTERM; the exit code for the command line.

    Prints one line with the base URL when listening. Bad arguments (fault spec, account
    count) exit 2 and a port that cannot be bound exits 3, each with one line on stderr.
    """
    try:
        world = World(seed=seed, accounts=accounts)
        server = SimulatorServer(world, host=host, port=port, latency_ms=latency_ms, faults=faults)
    except ValueError as problem:
        print(f"simulator: {problem}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve_until_stopped(server, accounts=accounts, seed=seed))
    except KeyboardInterrupt:
        return 0
    except OSError as problem:
        print(f"simulator: cannot listen on {host}:{port}: {problem.strerror or problem}", file=sys.stderr)
        return 3


async def _serve_until_stopped(server: SimulatorServer, *, accounts: int, seed: int) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows event loops have no signal handlers; Ctrl-C then arrives as KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, stop.set)
    await server.start()
    extras = ""
    if server.latency_ms:
        extras += f", latency {server.latency_ms} ms"
    if server.faults.spec:
        extras += f", faults {server.faults.spec}"
    print(f"simulator listening on {server.base_url} ({accounts} accounts, seed {seed}{extras})", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jb_watchdesk.simulator [--host H] [--port N] [--accounts N] [--seed S] ...``."""
    parser = argparse.ArgumentParser(prog="jb-watchdesk simulator", description="Serve the simulated platforms.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--accounts", type=int, default=240)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--faults", default="")
    args = parser.parse_args(argv)
    return run_simulator(
        host=args.host,
        port=args.port,
        accounts=args.accounts,
        seed=args.seed,
        latency_ms=args.latency_ms,
        faults=args.faults,
    )
