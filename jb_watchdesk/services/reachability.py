"""Can this workstation reach the platforms? ``doctor``'s network check.

Each host the desk polls is asked once, over the same proxy route and certificate trust as the
poll (see :mod:`jb_watchdesk.connectors.http`): the API host of each official platform with a
registered account (``https://api.weixin.qq.com``, ``https://api.weibo.com``,
``https://open.douyin.com``, or the account's own ``api_base``) and the host of each feed. All
hosts are asked at once, each within :data:`PER_HOST_S`, the whole within :data:`TOTAL_S`, so
an office network that drops packets cannot hang ``doctor``. Any HTTP answer, even 404, counts:
the check is about the network path (DNS, proxy, TLS), not the platform's API; but through a
proxy, a 407, 502 or 504 (or a Proxy-Authenticate) is the proxy refusing, not the host answering.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import httpx

from jb_watchdesk.connectors import douyin, wechat_mp, weibo
from jb_watchdesk.connectors.fetching import is_feed_source
from jb_watchdesk.connectors.http import HttpClient, HttpSettings, Reach, Unreached, proxy_route, proxy_secrets, safe_proxy
from jb_watchdesk.domain.models import Account, AccountStatus, Platform
from jb_watchdesk.services.redaction import register
from jb_watchdesk.services.settings import DeskSettings

T = TypeVar("T")

#: how long one host may take to answer, in seconds
PER_HOST_S: Final = 5.0
#: how long the whole check may take, in seconds (hosts still unanswered then are timeouts)
TOTAL_S: Final = 10.0
#: feed hosts asked at most (the platforms' API hosts always are); the rest are only counted
MAX_FEED_HOSTS: Final = 40

#: the official platforms' API bases, where an account has no ``api_base`` of its own
API_BASES: Final[dict[Platform, str]] = {
    Platform.WECHAT_MP: wechat_mp.DEFAULT_API_BASE,
    Platform.WEIBO: weibo.DEFAULT_API_BASE,
    Platform.DOUYIN: douyin.DEFAULT_API_BASE,
}


def http_settings_for(settings: DeskSettings) -> HttpSettings:
    """HTTP settings from the desk's: the explicit proxy (already validated by the settings), else
    the system's; the CA bundle from the settings or ``JB_WATCHDESK_CA_BUNDLE``, else the
    operating system's trust store."""
    return HttpSettings(
        proxy=settings.proxy or None,
        ca_bundle=settings.ca_bundle or os.environ.get("JB_WATCHDESK_CA_BUNDLE") or None,
    )


def register_proxy_secrets(http: HttpSettings) -> None:
    """Remember for redaction (:mod:`jb_watchdesk.services.redaction`) the credentials of every
    proxy ``http`` routes through: the settings' proxy and the system's (``HTTPS_PROXY`` and the
    like), whole user part and password, so neither reaches a log, the database or a message."""
    for value in proxy_secrets(http.proxy):
        register(value)
    if http.trust_env:
        for _, proxy in proxy_route(None, trust_env=True).proxies:
            for value in proxy_secrets(proxy):
                register(value)


@dataclass(frozen=True, slots=True)
class Targets:
    """What to ask: ``api`` the platforms' API origins, ``feeds`` the feed origins asked,
    ``unasked`` how many more feed origins there were (over :data:`MAX_FEED_HOSTS`)."""

    api: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    unasked: int = 0

    @property
    def all(self) -> tuple[str, ...]:
        return (*self.api, *self.feeds)


def _origin(url: str) -> str | None:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    port = f":{parsed.port}" if parsed.port is not None else ""
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    return f"{parsed.scheme}://{host}{port}/"


def targets(accounts: Iterable[Account], *, max_feeds: int = MAX_FEED_HOSTS) -> Targets:
    """The origins (``scheme://host[:port]/``) the desk polls for ``accounts`` that are not closed
    and have a source, each once, in register order."""
    api: dict[str, None] = {}
    feeds: dict[str, None] = {}
    for account in accounts:
        if account.status is AccountStatus.CLOSED or not account.source:
            continue
        if is_feed_source(account.source):
            origin = _origin(account.source)
            if origin is not None:
                feeds.setdefault(origin)
        elif account.platform in API_BASES:
            origin = _origin(account.api_base or API_BASES[account.platform])
            if origin is not None:
                api.setdefault(origin)
    asked = [origin for origin in feeds if origin not in api]
    return Targets(api=tuple(api), feeds=tuple(asked[:max_feeds]), unasked=max(0, len(asked) - max_feeds))


async def probe(origins: Iterable[str], *, http: HttpSettings, per_host_s: float = PER_HOST_S, total_s: float = TOTAL_S) -> list[Reach]:
    """Ask every origin at once through a client built from ``http``; one :class:`Reach` per
    origin, in order. Returns within ``total_s`` seconds (plus closing the connections): an origin
    still unanswered then is a timeout. Raises ValueError/ImportError for a proxy httpx cannot
    use, OSError/ssl.SSLError for a CA bundle that cannot be loaded."""
    asked = list(origins)
    if not asked:
        return []
    register_proxy_secrets(http)
    # Every origin at once: the concurrency limits of the poll would queue them past the deadline.
    settings = dataclasses.replace(
        http, connect_timeout=per_host_s, read_timeout=per_host_s, total_timeout=per_host_s, max_in_flight=len(asked), per_host=1
    )
    client = HttpClient(settings)
    tasks = [asyncio.ensure_future(client.reach(origin, within_s=per_host_s)) for origin in asked]
    try:
        await asyncio.wait(tasks, timeout=total_s)
    finally:
        await client.aclose()  # cancels what is still running and closes every connection
    route = client.route
    answers: list[Reach] = []
    for origin, task in zip(asked, tasks, strict=True):
        if task.done() and not task.cancelled() and task.exception() is None:
            answers.append(task.result())
        else:
            if task.done() and not task.cancelled():
                task.exception()  # retrieved: the timeout below says what the officer needs
            proxy = route.proxy_for(origin)
            answers.append(Reach(url=origin, via=safe_proxy(proxy) if proxy else None, problem=Unreached.TIMEOUT, detail="deadline"))
    return answers


class _DaemonExecutor(concurrent.futures.ThreadPoolExecutor):
    """Each call on a daemon thread of its own: a DNS lookup stuck in ``getaddrinfo`` (which
    cannot be cancelled) holds neither the loop's close nor the interpreter's exit, which joins
    every ``ThreadPoolExecutor`` worker (https://docs.python.org/3/library/concurrent.futures.html
    "all threads enqueued to ThreadPoolExecutor will be joined before the interpreter can exit").
    The probe makes a few lookups, one per host, so a thread each is cheap. (A ThreadPoolExecutor
    only because ``loop.set_default_executor`` accepts nothing else; its pool is never used.)"""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as error:  # noqa: BLE001 - handed to the awaiting coroutine
                future.set_exception(error)

        threading.Thread(target=run, name="doctor-lookup", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to join: a lookup still running ends with the process."""


def check(origins: Iterable[str], *, http: HttpSettings, per_host_s: float = PER_HOST_S, total_s: float = TOTAL_S) -> list[Reach]:
    """:func:`probe` from synchronous code (``doctor``), on an event loop of its own whose blocking
    calls (DNS lookups) run on daemon threads: neither the loop's close nor the process's exit
    waits for a lookup still stuck."""
    loop = asyncio.new_event_loop()
    loop.set_default_executor(_DaemonExecutor())
    try:
        return loop.run_until_complete(probe(origins, http=http, per_host_s=per_host_s, total_s=total_s))
    finally:
        loop.close()  # shuts the default executor down without waiting (asyncio.run would wait)
