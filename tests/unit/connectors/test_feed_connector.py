"""FeedConnector's conditional GET against real loopback servers, and the validator policy of FetchState.

Conditional requests: RFC 9110 §13 (https://www.rfc-editor.org/rfc/rfc9110#section-13);
Last-Modified: §8.8.2; 304 Not Modified: §15.4.5.
"""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import brotli
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jb_watchdesk.connectors import rss
from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.fetching import (
    LAST_MODIFIED_SKEW,
    MAX_NOT_MODIFIED_IN_A_ROW,
    MAX_VALIDATED_AGE,
    AccountRef,
    FetchResult,
    FetchState,
)
from jb_watchdesk.connectors.http import HttpClient, HttpSettings
from jb_watchdesk.connectors.rss import FeedConnector
from jb_watchdesk.domain.models import Platform
from jb_watchdesk.simulator import Behaviour, FaultPlan, SimulatorServer, World

DATA = Path(__file__).resolve().parents[2] / "data" / "http"
SETTINGS = HttpSettings(trust_env=False, total_timeout=5.0, read_timeout=5.0, max_bytes=256 * 1024)
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
FUTURE = "Sat, 16 Nov 2041 19:11:00 GMT"
POLL = timedelta(minutes=10)


# ------------------------------------------------------------ loopback servers


@dataclass
class Seen:
    """What a server received: (path, lower-cased headers) per request."""

    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def headers(self, path: str) -> list[dict[str, str]]:
        return [headers for seen_path, headers in self.requests if seen_path == path]


Answer = tuple[int, dict[str, str], bytes]
Respond = Callable[[str, dict[str, str]], Answer]


async def _serve(respond: Respond, seen: Seen) -> asyncio.Server:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        lines = head.split("\r\n")
        path = lines[0].split(" ")[1]
        headers = {
            name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:] if line)
        }
        seen.requests.append((path, headers))
        status, extra, body = respond(path, headers)
        out = [f"HTTP/1.1 {status} X", "Connection: close"]
        if status != 304:
            out.append(f"Content-Length: {len(body)}")
        out += [f"{k}: {v}" for k, v in extra.items()]
        writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + (b"" if status == 304 else body))
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handler, "127.0.0.1", 0)


def case_sequence(name: str) -> Respond:
    """A case file's HTTP sequence: the n-th request to a path gets the n-th response; the last one repeats."""
    routes: dict[str, list[dict[str, Any]]] = json.loads((DATA / name).read_text("utf-8"))
    counts: dict[str, int] = {}

    def respond(path: str, headers: dict[str, str]) -> Answer:
        answers = routes[path]
        n = counts.get(path, 0)
        counts[path] = n + 1
        answer = answers[min(n, len(answers) - 1)]
        if "file" in answer:
            body = (DATA / answer["file"]).read_bytes()
        elif "json" in answer:
            body = json.dumps(answer["json"], ensure_ascii=False).encode("utf-8")
        else:
            body = b""
        return int(answer.get("status", 200)), dict(answer.get("headers", {})), body

    return respond


def feed_xml(titles: list[str]) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><guid>post-{n}</guid><pubDate>Wed, 25 Nov 2026 0{n}:00:00 GMT</pubDate></item>"
        for n, title in enumerate(titles)
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>江北发布</title>{items}</channel></rss>'.encode()


@dataclass
class LiveFeed:
    """A feed whose posts the test adds to, served by one of the misbehaving servers below."""

    titles: list[str] = field(default_factory=lambda: ["第一条"])

    def body(self) -> bytes:
        return feed_xml(self.titles)


def future_last_modified(feed: LiveFeed) -> Respond:
    """A server whose file time lies in 2041: it sends that date and answers 304 whenever it comes back
    (the failure FreshRSS, Miniflux and NetNewsWire users reported). No ETag, so only the date decides."""

    def respond(path: str, headers: dict[str, str]) -> Answer:
        date = email.utils.format_datetime(datetime.now(UTC), usegmt=True)
        if headers.get("if-modified-since") == FUTURE:
            return 304, {"Date": date}, b""
        return 200, {"Date": date, "Last-Modified": FUTURE, "Content-Type": "application/rss+xml"}, feed.body()

    return respond


def stuck_not_modified(feed: LiveFeed) -> Respond:
    """A server (or a CDN in front of one) that answers 304 to every conditional request, changed or not."""

    def respond(path: str, headers: dict[str, str]) -> Answer:
        if "if-none-match" in headers or "if-modified-since" in headers:
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"ETag": '"v1"', "Last-Modified": "Tue, 24 Nov 2026 08:00:00 GMT", "Content-Type": "application/rss+xml"}, feed.body()

    return respond


async def _polls(
    respond: Respond, path: str, nows: list[datetime], *, between: Callable[[int], None] = lambda n: None
) -> tuple[list[FetchResult | ConnectorError], Seen, FetchState]:
    """Poll one account at each of ``nows``, calling ``between(n)`` before poll n; errors are returned, not raised."""
    seen = Seen()
    server = await _serve(respond, seen)
    port = server.sockets[0].getsockname()[1]
    account = AccountRef(id=1, name="江北发布", platform=Platform.RSS, source=f"http://127.0.0.1:{port}{path}")
    client = HttpClient(SETTINGS)
    connector = FeedConnector(client)
    state = FetchState()
    results: list[FetchResult | ConnectorError] = []
    try:
        for n, now in enumerate(nows):
            between(n)
            try:
                results.append(await connector.fetch(account, state=state, with_comments=False, now=now))
            except ConnectorError as error:
                results.append(error)
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()
    return results, seen, state


def polls(
    respond: Respond, path: str, nows: list[datetime], *, between: Callable[[int], None] = lambda n: None
) -> tuple[list[FetchResult | ConnectorError], Seen, FetchState]:
    return asyncio.run(_polls(respond, path, nows, between=between))


def titles(result: FetchResult | ConnectorError) -> list[str]:
    assert isinstance(result, FetchResult), result
    return sorted(post.title for post in result.posts)


# ------------------------------------------------------------------- the case


def test_case_last_modified_2041_is_not_sent_back() -> None:
    """Case 2026-11 http_last_modified_2041.json. Before: the second request carried
    ``If-Modified-Since: Sat, 16 Nov 2041 …`` and the feed answered 304 until 2041."""
    results, seen, state = polls(case_sequence("http_last_modified_2041.json"), "/lm.xml", [NOW, NOW + POLL])
    first, second = results
    assert isinstance(first, FetchResult) and len(first.posts) == 2
    assert state.last_modified is None and state.etag == f'"{FUTURE}"'  # the ETag is opaque and stays
    sent = seen.headers("/lm.xml")[1]
    assert "if-modified-since" not in sent and sent["if-none-match"] == f'"{FUTURE}"'
    assert isinstance(second, FetchResult) and second.not_modified  # a 304 to a request that asked for one


def test_case_304_to_a_request_without_validators_is_an_error() -> None:
    """Case 2026-11 http_last_modified_2041.json, /unconditional304.xml. Before: read as "nothing new"."""
    (result,), seen, _ = polls(case_sequence("http_last_modified_2041.json"), "/unconditional304.xml", [NOW])
    assert not ({"if-none-match", "if-modified-since"} & set(seen.headers("/unconditional304.xml")[0]))
    assert isinstance(result, ConnectorError)
    assert result.kind is ErrorKind.TRANSIENT and result.code == "rss.unexpected_304"
    assert "304" in result.reason


# --------------------------------------------------------- the kind, end to end


def test_a_feed_with_a_future_last_modified_keeps_delivering_new_posts() -> None:
    feed = LiveFeed()
    results, seen, _ = polls(
        future_last_modified(feed),
        "/feed",
        [NOW + n * POLL for n in range(4)],
        between=lambda n: feed.titles.append(f"新的第{n}条") if n else None,
    )
    assert [len(titles(r)) for r in results] == [1, 2, 3, 4]  # before: [1, 0, 0, 0] (304 forever)
    assert all(FUTURE not in headers.get("if-modified-since", "") for headers in seen.headers("/feed"))


def test_a_server_stuck_on_304_is_read_in_full_after_three_in_a_row() -> None:
    feed = LiveFeed()
    same_time = [NOW] * 6  # a frozen clock: only the count applies
    results, seen, _ = polls(stuck_not_modified(feed), "/feed", same_time, between=lambda n: feed.titles.append("新") if n == 1 else None)
    not_modified = [isinstance(r, FetchResult) and r.not_modified for r in results]
    assert not_modified == [False, True, True, True, False, True]
    assert titles(results[4]) == ["新", "第一条"]  # before: never read
    conditional = [bool({"if-none-match", "if-modified-since"} & set(h)) for h in seen.headers("/feed")]
    assert conditional == [False, True, True, True, False, True]


def test_a_server_stuck_on_304_is_read_in_full_once_the_last_full_read_is_old() -> None:
    feed = LiveFeed()
    nows = [NOW, NOW + MAX_VALIDATED_AGE - timedelta(seconds=1), NOW + MAX_VALIDATED_AGE]
    results, seen, _ = polls(stuck_not_modified(feed), "/feed", nows)
    conditional = [bool({"if-none-match", "if-modified-since"} & set(h)) for h in seen.headers("/feed")]
    assert conditional == [False, True, False]
    assert isinstance(results[2], FetchResult) and not results[2].not_modified


def test_an_unconditional_poll_answered_304_is_an_error_not_silence() -> None:
    def always_304(path: str, headers: dict[str, str]) -> Answer:
        return 304, {}, b""

    (result,), _, state = polls(always_304, "/feed", [NOW])
    assert isinstance(result, ConnectorError) and result.code == "rss.unexpected_304"
    assert state.etag is None and state.last_modified is None


def test_a_feed_cut_short_stores_no_validators_so_the_next_poll_reads_it_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server (or proxy) that sends the feed cut short once, with the ETag of the whole feed, and
    answers 304 to that ETag afterwards. Before: the cut read's ETag was stored, the next poll got
    304, and the posts past the cut stayed unseen until the feed changed."""
    whole = feed_xml(["第一条", "第二条", "第三条"])
    cut = whole[: whole.index(b"<item>", whole.index(b"</item>")) + 40]  # inside the second item
    served = iter([cut])

    def respond(path: str, headers: dict[str, str]) -> Answer:
        if headers.get("if-none-match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"ETag": '"v1"', "Content-Type": "application/rss+xml"}, next(served, whole)

    real_parse = rss.parse_feed

    def parse(body: bytes, **kwargs: Any) -> Any:
        # The parser marks a document without its closing root tag as not complete; this stands in
        # for it wherever it does not yet, and checks the connector's side alone.
        page = real_parse(body, **kwargs)
        if body.rstrip().endswith(b"</rss>") or not getattr(page, "complete", True):
            return page
        return SimpleNamespace(items=page.items, complete=False)

    monkeypatch.setattr(rss, "parse_feed", parse)
    results, seen, state = polls(respond, "/feed", [NOW, NOW + POLL])
    assert "第一条" in titles(results[0]) and "第三条" not in titles(results[0])  # the cut read's posts still count
    sent = seen.headers("/feed")[1]
    assert "if-none-match" not in sent and "if-modified-since" not in sent  # before: If-None-Match "v1"
    assert titles(results[1]) == ["第一条", "第三条", "第二条"]  # before: not_modified, nothing
    assert state.etag == '"v1"'  # the whole read is remembered


# ------------------------------------------------------------ the pure policy


def test_a_last_modified_after_the_responses_date_is_dropped() -> None:
    # RFC 9110 §8.8.2.1: an origin server MUST NOT send a Last-Modified later than its Date.
    assert FetchState.usable_last_modified(
        "Wed, 25 Nov 2026 03:00:00 GMT", date="Wed, 25 Nov 2026 01:00:00 GMT", now=NOW
    ) is None
    assert FetchState.usable_last_modified(
        "Wed, 25 Nov 2026 01:00:00 GMT", date="Wed, 25 Nov 2026 01:00:00 GMT", now=NOW
    ) == "Wed, 25 Nov 2026 01:00:00 GMT"


def test_a_last_modified_after_now_is_dropped_beyond_a_small_clock_skew() -> None:
    within = email.utils.format_datetime(NOW + LAST_MODIFIED_SKEW, usegmt=True)
    beyond = email.utils.format_datetime(NOW + LAST_MODIFIED_SKEW + timedelta(seconds=1), usegmt=True)
    assert FetchState.usable_last_modified(within, date=None, now=NOW) == within  # the exact text goes back
    assert FetchState.usable_last_modified(beyond, date=None, now=NOW) is None
    # A server whose own clock is in 2041 sends a Date that agrees with its Last-Modified: now still decides.
    assert FetchState.usable_last_modified(FUTURE, date=FUTURE, now=NOW) is None


@pytest.mark.parametrize("value", [None, "", "yesterday", "2026-11-24T08:00:00Z", "Tue, 99 Nov 2026 08:00:00 GMT"])
def test_an_unreadable_last_modified_is_dropped(value: str | None) -> None:
    assert FetchState.usable_last_modified(value, date=None, now=NOW) is None


def test_validators_go_back_as_received_and_a_304_without_them_is_unexpected() -> None:
    state = FetchState()
    assert state.validators(now=NOW) == {}
    state.record_full_read(etag='W/"abc"', last_modified="Tue, 24 Nov 2026 08:00:00 GMT", date=None, now=NOW)
    assert state.validators(now=NOW + POLL) == {
        "If-None-Match": 'W/"abc"',
        "If-Modified-Since": "Tue, 24 Nov 2026 08:00:00 GMT",
    }


@given(st.lists(st.booleans(), max_size=40))
def test_never_more_than_three_conditional_polls_in_a_row_answered_304(answers: list[bool]) -> None:
    """Whatever a server answers (True: 304 when asked conditionally), a run of 304s ends by the fourth poll."""
    state = FetchState()
    state.record_full_read(etag='"x"', last_modified=None, date=None, now=NOW)
    run = 0
    for not_modified in answers:
        if state.validators(now=NOW) and not_modified:
            state.record_not_modified()
            run += 1
        else:
            state.record_full_read(etag='"x"', last_modified=None, date=None, now=NOW)
            run = 0
        assert run <= MAX_NOT_MODIFIED_IN_A_ROW


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_a_stored_last_modified_is_never_later_than_now_plus_the_skew(moment: datetime) -> None:
    value = email.utils.format_datetime(moment, usegmt=True)
    kept = FetchState.usable_last_modified(value, date=None, now=NOW)
    assert (kept is not None) == (moment.replace(microsecond=0) <= NOW + LAST_MODIFIED_SKEW)


# ------------------------------------------------ the simulator's HTTP faults

SIM_START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand; the simulated world and the connector both read it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _simulated(spec: str, moments: list[datetime]) -> tuple[list[FetchResult | ConnectorError], World, str]:
    """Poll one regular feed account of a simulated world at each of ``moments``, under the faults ``spec``."""
    clock = Clock(moments[0])
    world = World(seed=7, accounts=36, clock=clock)
    key = next(a.key for a in world.accounts if a.served == "rss" and a.behaviour is Behaviour.REGULAR and not a.gb18030)
    server = SimulatorServer(world, faults=spec)
    await server.start()
    account = AccountRef(id=1, name=key, platform=Platform.RSS, source=f"{server.base_url}/rss/{key}")
    client = HttpClient(SETTINGS)
    state = FetchState()
    results: list[FetchResult | ConnectorError] = []
    try:
        for moment in moments:
            clock.now = moment
            try:
                results.append(await FeedConnector(client).fetch(account, state=state, with_comments=False, now=moment))
            except ConnectorError as error:
                results.append(error)
    finally:
        await client.aclose()
        await server.stop()
    return results, world, key


def ids(result: FetchResult | ConnectorError) -> set[str]:
    assert isinstance(result, FetchResult), result
    return {post.external_id for post in result.posts}


@pytest.mark.parametrize("fault", ["br@rss", "gzip_noheader@rss"])
def test_simulated_feeds_compressed_as_cdns_and_proxies_do_are_read_whole(fault: str) -> None:
    """Before: ``br`` was "cannot decode the feed (tried utf-8, gb18030)" (brotli absent) and
    ``gzip_noheader`` the same charset error."""
    (clean,), _, _ = asyncio.run(_simulated("", [SIM_START]))
    (compressed,), _, _ = asyncio.run(_simulated(fault, [SIM_START]))
    assert ids(compressed) == ids(clean) and len(ids(clean)) > 3


def _next_post_after(world: World, key: str, moment: datetime) -> datetime:
    account = world.account(key)
    later = world.posts(account, now=int((moment + timedelta(days=7)).timestamp()))
    published = min(post.published for post in later if post.published > moment.timestamp())
    return datetime.fromtimestamp(published, UTC)


def test_simulated_feed_with_a_2041_last_modified_shows_the_next_post_at_the_next_poll() -> None:
    """Before: every poll after the first sent ``If-Modified-Since: … 2041`` and got 304."""
    _, world, key = asyncio.run(_simulated("", [SIM_START]))
    published = _next_post_after(world, key, SIM_START)
    before, after = published - timedelta(minutes=5), published + timedelta(minutes=5)  # one poll interval apart
    (first, second), world, key = asyncio.run(_simulated("future_lastmod@rss", [before, after]))
    newest = world.listed_posts(world.account(key), now=int(after.timestamp()))[0]
    assert newest.published == int(published.timestamp()) and not world.account(key).omit_guid
    assert isinstance(second, FetchResult) and not second.not_modified
    assert ids(second) - ids(first) == {newest.post_id}


def test_the_simulator_faults_put_on_the_wire_what_they_promise() -> None:
    assert FaultPlan.parse("br@rss, gzip_noheader%50,future_lastmod@rss").spec == "br@rss,gzip_noheader%50,future_lastmod@rss"

    async def wire() -> dict[str, tuple[int, httpx.Headers, bytes]]:
        world = World(seed=7, accounts=36, clock=lambda: SIM_START)
        key = next(a.key for a in world.accounts if a.served == "rss")
        server = SimulatorServer(world)
        await server.start()
        seen: dict[str, tuple[int, httpx.Headers, bytes]] = {}
        try:
            async with httpx.AsyncClient(base_url=server.base_url, trust_env=False) as client:
                for spec, headers in [
                    ("", {}),
                    ("br", {"Accept-Encoding": "identity"}),  # sent unasked, as CDNs do
                    ("gzip_noheader", {}),
                    ("future_lastmod", {}),
                    ("future_lastmod", {"If-Modified-Since": FUTURE}),
                ]:
                    server.set_faults(spec)
                    async with client.stream("GET", f"/rss/{key}", headers=headers) as response:
                        body = b"".join([chunk async for chunk in response.aiter_raw()])
                    seen[f"{spec}{'+ims' if headers.get('If-Modified-Since') else ''}"] = (response.status_code, response.headers, body)
        finally:
            await server.stop()
        return seen

    seen = asyncio.run(wire())
    clean = seen[""][2]
    status, headers, body = seen["br"]
    assert headers["content-encoding"] == "br" and brotli.decompress(body) == clean
    status, headers, body = seen["gzip_noheader"]
    assert "content-encoding" not in headers and gzip.decompress(body) == clean
    status, headers, body = seen["future_lastmod"]
    assert status == 200 and headers["last-modified"] == FUTURE and body == clean
    assert seen["future_lastmod+ims"][0] == 304
