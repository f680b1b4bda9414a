"""The platform simulator over real loopback HTTP, read back with the real parsers."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import socket
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from jb_watchdesk.connectors import douyin, feed_entries, feed_parsing, wechat_mp, weibo_parsing
from jb_watchdesk.connectors.base import ConnectorError, ErrorKind, FetchedPost
from jb_watchdesk.domain.register import RawRow, map_header, validate_rows
from jb_watchdesk.domain.sensitive.detectors import find_mobile_numbers, is_valid_id_number
from jb_watchdesk.simulator import (
    BEHAVIOUR_PATTERN,
    Behaviour,
    FaultPlan,
    SimulatorServer,
    World,
    parse_spec,
    run_simulator,
    running_in_thread,
)
from jb_watchdesk.simulator.world import ContentKind, to_datetime

START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday, 23:00 in Shanghai
ACCOUNTS = 72  # two full cycles of 36: every behaviour on every platform, twice


class Clock:
    """A clock the tests move by hand, so token expiry needs no sleeping."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(START)


@pytest.fixture(scope="module")
def world(clock: Clock) -> World:
    return World(seed=7, accounts=ACCOUNTS, clock=clock)


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[SimulatorServer]:
    simulator = SimulatorServer(world)
    with simulator.running_in_thread():
        yield simulator


@pytest.fixture
def base(server: SimulatorServer, clock: Clock) -> Iterator[str]:
    """The base URL; faults and the clock are reset after every test."""
    yield server.base_url
    server.set_faults("")
    clock.now = START


@pytest.fixture
def http(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=5.0, trust_env=False) as client:
        yield client


def set_faults(http: httpx.Client, spec: str) -> None:
    response = http.post("/_sim/faults", json={"spec": spec})
    assert response.status_code == 200, response.text


def keys(world: World, served: str, behaviour: Behaviour | None = None) -> list[str]:
    return [
        a.key for a in world.accounts if a.served == served and (behaviour is None or a.behaviour is behaviour)
    ]


# ------------------------------------------------------------------ clients


def wechat_token(http: httpx.Client, world: World, key: str, *, force: bool = False) -> str:
    creds = world.credentials(key)
    body = {"grant_type": "client_credential", "appid": creds["appid"], "secret": creds["app_secret"]}
    if force:
        body["force_refresh"] = True
    response = http.post("/cgi-bin/stable_token", json=body)
    return wechat_mp.parse_stable_token(response.content, now=START).access_token


def wechat_posts(http: httpx.Client, token: str) -> list[FetchedPost]:
    posts: list[FetchedPost] = []
    offset = 0
    while True:
        response = http.post(
            "/cgi-bin/freepublish/batchget", params={"access_token": token}, json={"offset": offset, "count": 20}
        )
        page = wechat_mp.parse_publications(response.content, offset=offset)
        posts.extend(page.items)
        if not page.has_more:
            return posts
        assert page.next_offset is not None
        offset = page.next_offset


def weibo_posts(http: httpx.Client, world: World, key: str) -> list[FetchedPost]:
    creds = world.credentials(key)
    posts: list[FetchedPost] = []
    params = {"access_token": creds["access_token"], "uid": creds["uid"], "count": "25"}
    while True:
        page = weibo_parsing.parse_user_timeline(http.get("/2/statuses/user_timeline.json", params=params).content)
        posts.extend(page.items)
        if not page.has_more:
            return posts
        assert page.next_cursor is not None
        params["max_id"] = page.next_cursor


def douyin_token(http: httpx.Client, world: World, key: str) -> str:
    creds = world.credentials(key)
    response = http.post(
        "/oauth/refresh_token/",
        data={"client_key": creds["client_key"], "grant_type": "refresh_token", "refresh_token": creds["refresh_token"]},
    )
    token = douyin.parse_access_token(response.content, now=START)
    assert token.open_id == creds["open_id"]
    return token.access_token


def douyin_posts(http: httpx.Client, world: World, key: str, token: str) -> list[FetchedPost]:
    open_id = world.credentials(key)["open_id"]
    posts: list[FetchedPost] = []
    cursor = "0"
    while True:
        response = http.get(
            "/video/list/", params={"open_id": open_id, "cursor": cursor, "count": "20"}, headers={"access-token": token}
        )
        page = douyin.parse_video_list(response.content)
        posts.extend(page.items)
        if not page.has_more:
            return posts
        assert page.next_cursor is not None
        cursor = page.next_cursor


def feed(http: httpx.Client, key: str, **headers: str) -> httpx.Response:
    return http.get(f"/rss/{key}", headers=headers)


def parse(response: httpx.Response) -> list[FetchedPost]:
    page = feed_parsing.parse_feed(response.content, content_type=response.headers.get("content-type"), url=str(response.url))
    return list(page.items)


def counts(posts: list[FetchedPost], now: datetime) -> tuple[int, datetime | None]:
    live = [p.published_at for p in posts if not p.deleted]
    return sum(1 for t in live if t > now - timedelta(days=7)), max(live, default=None)


# ------------------------------------------------------------------- world


def test_every_behaviour_reaches_twelve_accounts_and_every_platform() -> None:
    world = World(seed=3, accounts=108, clock=lambda: START)
    by_behaviour = Counter(a.behaviour for a in world.accounts)
    assert set(by_behaviour) == set(Behaviour)
    assert min(by_behaviour.values()) >= 12
    combos = {(a.served, a.behaviour) for a in world.accounts}
    assert len(combos) == 4 * len(set(BEHAVIOUR_PATTERN))


def test_content_is_a_pure_function_of_seed_and_time() -> None:
    first = World(seed=5, accounts=36, clock=lambda: START)
    second = World(seed=5, accounts=36, clock=lambda: START)
    other = World(seed=6, accounts=36, clock=lambda: START)
    assert first.truth() == second.truth()
    assert [a.credentials for a in first.accounts] == [a.credentials for a in second.accounts]
    assert [a.credentials for a in first.accounts] != [a.credentials for a in other.accounts]
    later = START + timedelta(days=3)
    account = first.accounts[0]
    assert len(first.posts(account, now=int(later.timestamp()))) > len(first.posts(account, now=int(START.timestamp())))


def test_truth_freshness_follows_behaviour(world: World) -> None:
    expected = {
        Behaviour.REGULAR: {"ok"},
        Behaviour.SPARSE: {"warn"},
        Behaviour.SILENT_8D: {"warn"},
        Behaviour.SILENT_20D: {"veto"},
        Behaviour.CLOSED_POSTING: {"ok"},
        Behaviour.SENSITIVE: {"ok"},
        Behaviour.COMMENTS_UNANSWERED: {"ok"},
    }
    for row in world.truth(START):
        assert row["freshness"] in expected[Behaviour(row["behaviour"])], row
        if row["behaviour"] == "silent_8d":
            assert 8 <= int(str(row["days_silent"])) <= 13
        if row["behaviour"] == "silent_20d":
            assert 15 <= int(str(row["days_silent"])) <= 30
        if row["behaviour"] == "closed_posting":
            assert row["status"] in {"closed", "to_close"} and int(str(row["posts_7d"])) >= 3
        if row["behaviour"] == "comments_unanswered" and row["served_as"] in {"wechat_mp", "weibo"}:
            assert int(str(row["overdue_result"])) > 0


def test_sensitive_accounts_publish_valid_ids_phones_and_phrases(world: World) -> None:
    now = int(START.timestamp())
    found: Counter[str] = Counter()
    for account in world.accounts:
        if account.behaviour is not Behaviour.SENSITIVE:
            continue
        for post in world.posts(account, now=now):
            text = "".join(world.post_text(post, now=now).sentences)
            found.update(post.sensitive)
            for number in re.findall(r"\d{17}[\dX]", text):
                assert is_valid_id_number(number)
                found["valid_id"] += 1
            if "mobile" in post.sensitive:
                assert find_mobile_numbers(text)
    assert found["valid_id"] and found["mobile"] and found["secret_mark"] and found["paid_agent"]
    assert found["internal"] and found["lowest_price"]


def test_register_csv_imports_with_unique_names(http: httpx.Client, world: World, base: str) -> None:
    response = http.get("/_sim/register.csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, data = rows[0], rows[1:]
    assert header == ["name", "platform", "unit", "status", "source", "api_base", "owner", "note"]
    assert len(data) == ACCOUNTS
    assert len({(r[1], r[0]) for r in data}) == ACCOUNTS
    mapped, problems = map_header(header, file="register.csv")
    assert not problems
    raw = [RawRow(line=n, cells=dict(zip(header, row, strict=True))) for n, row in enumerate(data, start=2)]
    register = validate_rows(raw, file="register.csv")
    assert not register.errors and len(register.specs) == ACCOUNTS
    by_note = {row[7].removeprefix("sim:"): row for row in data}
    assert by_note["wechat_mp-0001"][4] == world.credentials("wechat_mp-0001")["appid"]
    assert by_note["weibo-0001"][4] == world.credentials("weibo-0001")["uid"]
    assert by_note["douyin-0001"][4] == world.credentials("douyin-0001")["open_id"]
    assert by_note["rss-0001"][4] == f"{base}/rss/rss-0001" and by_note["rss-0001"][5] == ""
    assert {row[1] for row in data} >= {"wechat_mp", "weibo", "douyin", "kuaishou", "toutiao", "weishi"}
    assert all(re.fullmatch(r"\d{10}", world.credentials(k)["uid"]) for k in keys(world, "weibo"))
    assert all(re.fullmatch(r"wx[0-9a-f]{16}", world.credentials(k)["appid"]) for k in keys(world, "wechat_mp"))


# -------------------------------------------------------------------- RSS


def test_feeds_parse_and_match_truth(http: httpx.Client, world: World) -> None:
    truth = {row["key"]: row for row in http.get("/_sim/truth").json()}
    saw_gb18030 = saw_hashed_ids = False
    for key in keys(world, "rss"):
        response = feed(http, key)
        account = world.account(key)
        content_type = response.headers["content-type"]
        assert content_type.endswith("charset=gb18030" if account.gb18030 else "charset=utf-8")
        if account.gb18030:
            saw_gb18030 = True
            assert response.content.startswith(b'<?xml version="1.0" encoding="gb18030"?>')
        posts = parse(response)
        assert 0 < len(posts) <= 30
        assert len({p.external_id for p in posts}) == len(posts)
        saw_hashed_ids |= any(p.external_id.startswith("sha256:") for p in posts)
        posts_7d, last = counts(posts, START)
        assert posts_7d == truth[key]["posts_7d"], key
        assert last == datetime.fromisoformat(str(truth[key]["last_post_at"]))
        assert all(p.title and p.body and p.url.startswith("https://") for p in posts)
    assert saw_gb18030 and saw_hashed_ids


def test_feed_conditional_get(http: httpx.Client, world: World) -> None:
    key = keys(world, "rss")[0]
    first = feed(http, key)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert feed(http, key, **{"If-None-Match": etag}).status_code == 304
    assert feed(http, key, **{"If-Modified-Since": modified}).status_code == 304
    assert feed(http, key, **{"If-None-Match": '"stale"', "If-Modified-Since": modified}).status_code == 200
    assert http.get("/rss/no-such-feed").status_code == 404


# ----------------------------------------------------------------- WeChat


def test_wechat_publications_and_comments_match_truth(http: httpx.Client, world: World) -> None:
    truth = {row["key"]: row for row in world.truth(START)}
    saw_multi = saw_deleted = False
    for key in keys(world, "wechat_mp"):
        token = wechat_token(http, world, key)
        posts = wechat_posts(http, token)
        posts_7d, last = counts(posts, START)
        assert posts_7d == truth[key]["posts_7d"], key
        assert last == datetime.fromisoformat(str(truth[key]["last_post_at"]))
        saw_multi |= any(p.external_id.endswith(":2") for p in posts)
        saw_deleted |= any(p.deleted for p in posts)
        unanswered = total = 0
        window = START - timedelta(days=30)
        for post in posts:
            if post.deleted or post.published_at < window or not post.external_id.endswith(":1"):
                continue
            # comment/list takes the mass send's numeric id (the article URL's mid), not article_id
            ref = wechat_mp.comment_ref(post.url)
            assert ref is not None and ref.endswith(":0"), post.url
            refused = http.post(
                "/cgi-bin/comment/list",
                params={"access_token": token},
                json={"msg_data_id": post.external_id.rsplit(":", 1)[0], "index": 0, "begin": 0, "count": 50, "type": 0},
            )
            assert wechat_mp.classify_error(refused.content).code == "wechat.40097"  # type: ignore[union-attr]
            response = http.post(
                "/cgi-bin/comment/list",
                params={"access_token": token},
                json={"msg_data_id": int(ref.split(":")[0]), "index": 0, "begin": 0, "count": 50, "type": 0},
            )
            page = wechat_mp.parse_comments(response.content, post_external_id=post.external_id, begin=0)
            total += len(page.items)
            unanswered += sum(not c.replied for c in page.items)
        assert (total, unanswered) == (truth[key]["comments"], truth[key]["unanswered_comments"]), key
    assert saw_multi and saw_deleted


def test_wechat_credentials_and_token_expiry(http: httpx.Client, world: World, clock: Clock) -> None:
    key = keys(world, "wechat_mp")[0]
    creds = world.credentials(key)

    def token_error(body: dict[str, object]) -> ConnectorError | None:
        return wechat_mp.classify_error(http.post("/cgi-bin/stable_token", json=body).content)

    wrong = token_error({"grant_type": "client_credential", "appid": creds["appid"], "secret": "0" * 32})
    assert wrong is not None and wrong.code == "wechat.40125" and wrong.kind is ErrorKind.CONFIG
    unknown = token_error({"grant_type": "client_credential", "appid": "wx0000000000000000", "secret": "x"})
    assert unknown is not None and unknown.code == "wechat.40013"

    token = wechat_token(http, world, key)
    assert wechat_token(http, world, key) == token  # stable_token hands out the live token again
    listing = {"offset": 0, "count": 1}
    assert wechat_mp.parse_publications(
        http.post("/cgi-bin/freepublish/batchget", params={"access_token": token}, json=listing).content, offset=0
    ).items
    bogus = http.post("/cgi-bin/freepublish/batchget", params={"access_token": "81_nope"}, json=listing)
    error = wechat_mp.classify_error(bogus.content)
    assert error is not None and error.code == "wechat.40001" and error.refresh_token_once

    clock.now = START + timedelta(seconds=world.tokens.ttl_s + 1)
    expired = http.post("/cgi-bin/freepublish/batchget", params={"access_token": token}, json=listing)
    error = wechat_mp.classify_error(expired.content)
    assert error is not None and error.code == "wechat.42001" and error.kind is ErrorKind.AUTH_EXPIRED
    fresh = wechat_token(http, world, key)
    assert fresh != token
    again = http.post("/cgi-bin/freepublish/batchget", params={"access_token": fresh}, json=listing)
    assert wechat_mp.classify_error(again.content) is None
    assert wechat_token(http, world, key, force=True) != fresh


# ------------------------------------------------------------------ Weibo


def test_weibo_timeline_and_comments_match_truth(http: httpx.Client, world: World) -> None:
    truth = {row["key"]: row for row in world.truth(START)}
    for key in keys(world, "weibo"):
        creds = world.credentials(key)
        posts = weibo_posts(http, world, key)
        assert all(int(p.external_id) > 2**53 for p in posts)
        posts_7d, last = counts(posts, START)
        assert posts_7d == truth[key]["posts_7d"], key
        assert last == datetime.fromisoformat(str(truth[key]["last_post_at"]))
        window = START - timedelta(days=30)
        total = unanswered = 0
        for post in posts:
            if post.deleted or post.published_at < window:
                continue
            params = {"access_token": creds["access_token"], "id": post.external_id, "count": "200"}
            page = weibo_parsing.parse_comments(http.get("/2/comments/show.json", params=params).content, account_uid=creds["uid"])
            assert all(c.post_external_id == post.external_id for c in page.items)
            total += len(page.items)
            unanswered += sum(not c.replied for c in page.items)
        assert (total, unanswered) == (truth[key]["comments"], truth[key]["unanswered_comments"]), key


def test_weibo_since_id_comments_timeline_and_errors(http: httpx.Client, world: World) -> None:
    key = keys(world, "weibo", Behaviour.REGULAR)[0]
    creds = world.credentials(key)
    params = {"access_token": creds["access_token"], "uid": creds["uid"], "count": "5"}
    first = weibo_parsing.parse_user_timeline(http.get("/2/statuses/user_timeline.json", params=params).content)
    assert len(first.items) == 5 and first.has_more and first.next_since_id
    older = first.items[2].external_id
    newer = weibo_parsing.parse_user_timeline(
        http.get("/2/statuses/user_timeline.json", params={**params, "since_id": older}).content, since_id=older
    )
    assert [p.external_id for p in newer.items] == [p.external_id for p in first.items[:2]]
    timeline = weibo_parsing.parse_comments(
        http.get("/2/comments/timeline.json", params={"access_token": creds["access_token"], "count": "200"}).content,
        account_uid=creds["uid"],
    )
    assert timeline.items and all(c.replied for c in timeline.items if c.created_at < START - timedelta(hours=1))

    bad = http.get("/2/statuses/user_timeline.json", params={"access_token": "2.00bogus", "uid": creds["uid"]})
    assert bad.status_code == 400 and isinstance(bad.json()["error_code"], str)
    error = weibo_parsing.classify_error(bad.content)
    assert error is not None and error.code == "weibo.21332" and error.kind is ErrorKind.AUTH_EXPIRED
    set_faults(http, f"expire@{key}")
    expired = weibo_parsing.classify_error(http.get("/2/statuses/user_timeline.json", params=params).content)
    assert expired is not None and expired.code == "weibo.21327"


# ----------------------------------------------------------------- Douyin


def test_douyin_videos_comments_and_tokens(http: httpx.Client, world: World, clock: Clock) -> None:
    truth = {row["key"]: row for row in world.truth(START)}
    saw_pinned = False
    for key in keys(world, "douyin"):
        token = douyin_token(http, world, key)
        posts = douyin_posts(http, world, key, token)
        assert len({p.external_id for p in posts}) == len(posts)
        posts_7d, last = counts(posts, START)
        assert posts_7d == truth[key]["posts_7d"], key
        assert last == datetime.fromisoformat(str(truth[key]["last_post_at"]))
        open_id = world.credentials(key)["open_id"]
        total = 0
        for post in posts:
            if post.published_at < START - timedelta(days=30):
                continue
            cursor, has_more = "0", True
            while has_more:
                response = http.get(
                    "/item/comment/list/",
                    params={"open_id": open_id, "item_id": post.external_id, "cursor": cursor, "count": "2"},
                    headers={"access-token": token},
                )
                page = douyin.parse_comment_list(response.content, post_external_id=post.external_id)
                total += len(page.items)
                has_more, cursor = page.has_more, page.next_cursor or "0"
        assert total == truth[key]["comments"] == truth[key]["unanswered_comments"], key
        saw_pinned |= world.account(key).pinned_oldest
    assert saw_pinned

    key = keys(world, "douyin")[0]
    creds = world.credentials(key)
    client = http.post(
        "/oauth/client_token/",
        data={"client_key": creds["client_key"], "client_secret": creds["client_secret"], "grant_type": "client_credential"},
    )
    assert douyin.parse_client_token(client.content, now=START).access_token.startswith("clt.")
    token = douyin_token(http, world, key)
    clock.now = START + timedelta(seconds=world.tokens.ttl_s + 5)
    listing = {"open_id": creds["open_id"], "cursor": "0", "count": "5"}
    error = douyin.classify_error(http.get("/video/list/", params=listing, headers={"access-token": token}).content)
    assert error is not None and error.code == "douyin.2190008" and error.refresh_token_once
    token = douyin_token(http, world, key)
    assert douyin.parse_video_list(http.get("/video/list/", params=listing, headers={"access-token": token}).content).items
    stale = http.post(
        "/oauth/refresh_token/",
        data={"client_key": creds["client_key"], "grant_type": "refresh_token", "refresh_token": "rft.unknown"},
    )
    error = douyin.classify_error(stale.content)
    assert error is not None and error.code == "douyin.10010" and not error.refresh_token_once


# ----------------------------------------------------------------- quotas


def test_daily_quota_runs_out_per_platform(clock: Clock) -> None:
    world = World(seed=2, accounts=4, clock=clock, quota_per_day=2)
    with running_in_thread(world) as base, httpx.Client(base_url=base, trust_env=False) as http:
        token = wechat_token(http, world, "wechat_mp-0001")
        results = [
            wechat_mp.classify_error(
                http.post("/cgi-bin/freepublish/batchget", params={"access_token": token}, json={"count": 1}).content
            )
            for _ in range(3)
        ]
        assert results[:2] == [None, None] and results[2] is not None and results[2].code == "wechat.45009"
        creds = world.credentials("weibo-0001")
        params = {"access_token": creds["access_token"], "uid": creds["uid"]}
        for _ in range(2):
            http.get("/2/statuses/user_timeline.json", params=params)
        limited = http.get("/2/statuses/user_timeline.json", params=params)
        assert limited.status_code == 403
        error = weibo_parsing.classify_error(limited.content)
        assert error is not None and error.code == "weibo.10023" and error.kind is ErrorKind.RATE_LIMITED
        clock.now = START + timedelta(days=1)  # a new day in Shanghai resets the quota
        assert weibo_parsing.classify_error(http.get("/2/statuses/user_timeline.json", params=params).content) is None


# ----------------------------------------------------------------- faults


def test_fault_spec_grammar() -> None:
    plan = FaultPlan.parse(" 5xx%5, html@rss-0003,drip@weibo-0002,latency=2000@wechat_mp-0001,429=30%10 ")
    assert plan.spec == "5xx%5,html@rss-0003,drip@weibo-0002,latency=2000@wechat_mp-0001,429=30%10"
    assert parse_spec("429")[0].param == 30
    for bad, fragment in [
        ("boom", "'boom'"),
        ("latency", "latency needs"),
        ("html=5", "takes no parameter"),
        ("5xx%0", "rate"),
        ("5xx%150", "rate"),
        ("5xx@", "KIND[=PARAM][@TARGET][%RATE]"),
    ]:
        with pytest.raises(ValueError, match=re.escape(fragment)):
            FaultPlan.parse(bad)


def test_faults_are_set_and_cleared_at_runtime(http: httpx.Client) -> None:
    bad = http.post("/_sim/faults", json={"spec": "html@nobody"})
    assert bad.status_code == 400 and "nobody" in bad.json()["error"]
    set_faults(http, "5xx%50@rss")
    assert http.get("/_sim/faults").json()["spec"] == "5xx@rss%50"  # written back in canonical order
    first = [feed(http, "rss-0001").status_code for _ in range(20)]
    set_faults(http, "5xx%50@rss")  # a fresh plan replays the same decisions
    second = [feed(http, "rss-0001").status_code for _ in range(20)]
    assert first == second and 200 in first and set(first) - {200} <= {500, 502, 503}
    set_faults(http, "")
    assert http.get("/_sim/faults").json()["spec"] == ""
    assert all(feed(http, "rss-0001").status_code == 200 for _ in range(5))


def test_error_statuses_html_and_payload_faults(http: httpx.Client, world: World) -> None:
    wechat = keys(world, "wechat_mp")[0]
    token = wechat_token(http, world, wechat)
    set_faults(http, f"5xx@rss-0001,429=7@rss-0002,html@rss-0003,malformed@rss-0004,entity_bomb@rss-0005,malformed@{wechat}")
    assert feed(http, "rss-0001").status_code in {500, 502, 503}
    limited = feed(http, "rss-0002")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
    for key, code in [("rss-0003", "rss.not_a_feed"), ("rss-0004", "rss.malformed"), ("rss-0005", "rss.entity")]:
        response = feed(http, key)
        assert response.status_code == 200
        with pytest.raises(ConnectorError) as caught:
            parse(response)
        assert caught.value.code == code, key
        if key == "rss-0005":
            assert len(response.content) < 2_000
    broken = http.post("/cgi-bin/freepublish/batchget", params={"access_token": token}, json={"count": 5})
    error = wechat_mp.classify_error(broken.content)
    assert error is not None and error.kind is ErrorKind.BAD_PAYLOAD
    set_faults(http, "html@wechat_mp")
    page = http.post("/cgi-bin/freepublish/batchget", params={"access_token": token}, json={"count": 5})
    assert page.headers["content-type"].startswith("text/html")
    assert wechat_mp.classify_error(page.content) is not None


def test_charset_fault_mislabels_the_body(http: httpx.Client, world: World) -> None:
    key = next(k for k in keys(world, "rss") if not world.account(k).gb18030)
    clean = parse(feed(http, key))
    set_faults(http, f"charset@{key}")
    mislabelled = feed(http, key)
    assert mislabelled.headers["content-type"].endswith("charset=utf-8")
    with pytest.raises(UnicodeDecodeError):
        mislabelled.content.decode("utf-8")
    assert [p.title for p in parse(mislabelled)] == [p.title for p in clean]  # the parser recovers
    creds = world.credentials("weibo-0001")
    set_faults(http, "charset@weibo")
    body = http.get("/2/statuses/user_timeline.json", params={"access_token": creds["access_token"]}).content
    error = weibo_parsing.classify_error(body)
    assert error is not None and error.kind is ErrorKind.BAD_PAYLOAD


def test_expire_and_quota_faults(http: httpx.Client, world: World) -> None:
    wechat, tiktok = keys(world, "wechat_mp")[0], keys(world, "douyin")[0]
    token = wechat_token(http, world, wechat)
    dy_token = douyin_token(http, world, tiktok)
    listing = {"open_id": world.credentials(tiktok)["open_id"]}
    set_faults(http, f"expire@{wechat},quota@{tiktok}")
    expired = wechat_mp.classify_error(
        http.post("/cgi-bin/freepublish/batchget", params={"access_token": wechat_token(http, world, wechat)}, json={}).content
    )
    assert expired is not None and expired.code == "wechat.42001"
    quota = douyin.classify_error(http.get("/video/list/", params=listing, headers={"access-token": dy_token}).content)
    assert quota is not None and quota.code == "douyin.2190001" and quota.kind is ErrorKind.QUOTA
    set_faults(http, f"quota@{wechat},expire@{tiktok}")
    used = wechat_mp.classify_error(
        http.post("/cgi-bin/freepublish/batchget", params={"access_token": token}, json={}).content
    )
    assert used is not None and used.code == "wechat.45009"
    refresh = world.credentials(tiktok)
    lapsed = http.post(
        "/oauth/refresh_token/",
        data={"client_key": refresh["client_key"], "grant_type": "refresh_token", "refresh_token": refresh["refresh_token"]},
    )
    error = douyin.classify_error(lapsed.content)
    assert error is not None and error.code == "douyin.10010"


async def _deadline_fetch(client: httpx.AsyncClient, url: str, seconds: float) -> str:
    try:
        async with asyncio.timeout(seconds):
            response = await client.get(url)
            return f"status {response.status_code}"
    except TimeoutError:
        return "gave up"


@pytest.mark.parametrize("kind", ["drip", "timeout"])
def test_slow_faults_are_cut_off_by_a_deadline_while_others_are_served(http: httpx.Client, base: str, kind: str) -> None:
    set_faults(http, f"{kind}@rss-0001")

    async def scenario() -> tuple[str, list[int], float]:
        async with httpx.AsyncClient(base_url=base, timeout=5.0, trust_env=False) as client:
            started = time.perf_counter()
            slow = asyncio.create_task(_deadline_fetch(client, "/rss/rss-0001", 1.0))
            await asyncio.sleep(0.1)
            others = await asyncio.gather(*(client.get(f"/rss/rss-000{n}") for n in (2, 3, 4)))
            served_in = time.perf_counter() - started
            return await slow, [r.status_code for r in others], served_in

    outcome, statuses, served_in = asyncio.run(scenario())
    assert outcome == "gave up"
    assert statuses == [200, 200, 200] and served_in < 1.0


def test_reset_and_oversize(http: httpx.Client, base: str, world: World) -> None:
    set_faults(http, "reset@rss-0001,oversize@rss-0002")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        feed(http, "rss-0001")
    received = 0
    with httpx.Client(base_url=base, timeout=5.0, trust_env=False) as client, client.stream("GET", "/rss/rss-0002") as response:
        assert int(response.headers["content-length"]) > 20 * 1024 * 1024
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > 2 * 1024 * 1024:
                break  # a client with a size cap stops here
    assert received > 2 * 1024 * 1024
    assert feed(http, "rss-0003").status_code == 200


def test_latency_does_not_block_other_requests(world: World) -> None:
    async def scenario(base: str) -> float:
        async with httpx.AsyncClient(base_url=base, timeout=5.0, trust_env=False) as client:
            started = time.perf_counter()
            responses = await asyncio.gather(*(client.get(f"/rss/{key}") for key in keys(world, "rss") * 2))
            assert all(r.status_code == 200 for r in responses)
            return time.perf_counter() - started

    with running_in_thread(world, latency_ms=300, faults="latency=200@rss-0001") as base:
        elapsed = asyncio.run(scenario(base))
    assert elapsed < 0.3 * 36 / 4  # far below the sequential 36 × 0.3 s


# ------------------------------------------------------------ HTTP and admin


def _raw(base: str, payload: bytes) -> bytes:
    """Send raw bytes and read until the server closes (each payload ends the connection)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(payload)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def test_http_keep_alive_close_and_limits(base: str) -> None:
    two = _raw(base, b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert two.count(b"HTTP/1.1 200 OK") == 2 and two.rstrip().endswith(b"seed 7")
    assert _raw(base, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert _raw(base, b"GET / HTTP/2.0\r\n\r\n").startswith(b"HTTP/1.1 505")
    huge = b"GET / HTTP/1.1\r\nX-Long: " + b"a" * 40_000 + b"\r\n\r\n"
    assert _raw(base, huge).startswith(b"HTTP/1.1 431")
    big_body = b"POST /cgi-bin/stable_token HTTP/1.1\r\nContent-Length: 5000000\r\n\r\n"
    assert _raw(base, big_body).startswith(b"HTTP/1.1 413")
    assert _raw(base, b"DELETE /video/list/ HTTP/1.1\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 405")


def test_stats_count_routes_and_accounts(http: httpx.Client, world: World) -> None:
    http.post("/_sim/stats/reset")
    for _ in range(3):
        feed(http, "rss-0002")
    wechat_token(http, world, "wechat_mp-0002")
    stats = http.get("/_sim/stats").json()
    assert stats["routes"]["rss"] == 3 and stats["routes"]["wechat.stable_token"] == 1
    assert stats["accounts"] == {"rss-0002": 3, "wechat_mp-0002": 1}


def test_truth_route_and_credentials_route(http: httpx.Client, world: World) -> None:
    at = (START - timedelta(days=2)).isoformat()
    rows = http.get("/_sim/truth", params={"now": at, "window": "7"}).json()
    assert rows == world.truth(datetime.fromisoformat(at), comment_window_days=7)
    assert http.get("/_sim/truth", params={"now": "2026-11-25T10:00"}).status_code == 400
    creds = {row["key"]: row["secrets"] for row in http.get("/_sim/credentials").json()}
    assert creds["douyin-0001"] == world.credentials("douyin-0001")
    assert set(creds["douyin-0001"]) == {"open_id", "client_key", "client_secret", "refresh_token"}
    assert set(creds["wechat_mp-0001"]) == {"appid", "app_secret"}
    assert set(creds["weibo-0001"]) == {"uid", "access_token"}
    assert to_datetime(0).utcoffset() == timedelta(hours=8)


def test_run_simulator_reports_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_simulator(port=0, accounts=4, faults="bogus") == 2
    assert "bogus" in capsys.readouterr().err
    assert run_simulator(port=0, accounts=0) == 2


def test_stop_drops_held_connections() -> None:
    world = World(seed=1, accounts=4, clock=lambda: START)

    async def scenario() -> str:
        server = SimulatorServer(world, faults="timeout")
        await server.start()
        async with httpx.AsyncClient(base_url=server.base_url, timeout=5.0, trust_env=False) as client:
            pending = asyncio.create_task(client.get("/rss/rss-0001"))
            await asyncio.sleep(0.2)
            await server.stop()
            try:
                await pending
            except httpx.HTTPError as error:
                return type(error).__name__
        return "answered"

    assert asyncio.run(scenario()) in {"RemoteProtocolError", "ReadError"}


# ------------------------------------------------------------ content menu


def test_content_kinds_pick_a_stable_nested_share_of_accounts(world: World) -> None:
    plan = FaultPlan.parse("undated%30@rss,video_status,5xx%5")
    assert [switch.kind.value for switch in plan.content()] == ["undated", "video_status"]
    # content entries never decide a request
    decided = {decision.fault.kind.value for _ in range(200) if (decision := plan.decide({"rss-0001", "rss"})).fault}
    assert decided == {"5xx"}
    assert [entry["matched"] for entry in plan.stats()] == [0, 0, 200]
    share = World(seed=7, accounts=200, clock=lambda: START, content="undated%30@rss")
    wider = World(seed=7, accounts=200, clock=lambda: START, content="undated%60@rss")
    picked = {a.key for a in share.accounts if share.content_on(ContentKind.UNDATED, a)}
    wider_picked = {a.key for a in wider.accounts if wider.content_on(ContentKind.UNDATED, a)}
    assert picked < wider_picked and all(key.startswith("rss-") for key in wider_picked)
    assert 5 <= len(picked) <= 25  # about 30% of 50 feeds
    # a kind does nothing on a platform it does not apply to
    assert not any(share.content_on(ContentKind.UNDATED, a) for a in share.accounts if a.served != "rss")
    with pytest.raises(ValueError, match="only content kinds"):
        World(seed=7, accounts=4, clock=lambda: START, content="5xx")


def test_setting_faults_switches_the_worlds_content(http: httpx.Client, world: World) -> None:
    account = world.account("rss-0002")
    set_faults(http, "undated@rss-0002,5xx@rss-0001")
    assert world.content_on(ContentKind.UNDATED, account)
    assert http.get("/_sim/faults").json()["spec"] == "undated@rss-0002,5xx@rss-0001"
    set_faults(http, "")
    assert not world.content_on(ContentKind.UNDATED, account)


def _items(response: httpx.Response) -> list[str]:
    return re.findall(r"<item>.*?</item>", response.content.decode("utf-8", "replace"), re.DOTALL)


def test_feed_items_share_a_placeholder_guid_and_one_link(http: httpx.Client, world: World) -> None:
    set_faults(http, "guid_repeat@rss-0001")
    response = feed(http, "rss-0001")
    items = _items(response)
    repeated = [item for item in items if "<guid isPermaLink=\"false\">N/A</guid>" in item]
    assert len(repeated) >= 10
    assert len({re.search(r"<link>(.*?)</link>", item).group(1) for item in repeated}) == 1  # type: ignore[union-attr]
    posts = parse(response)
    assert len(posts) == len(items) and len({p.external_id for p in posts}) == len(items)
    (row,) = [r for r in world.truth_items(START) if r["key"] == "rss-0001"]
    assert row["posts_hashed"] == len(repeated) and len(row["posts"]) + len(repeated) == len(items)  # type: ignore[arg-type]


def test_feed_dates_beijing_time_labelled_gmt(http: httpx.Client, world: World, clock: Clock) -> None:
    account = world.account("rss-0001")
    set_faults(http, "future_dates@rss-0001")
    now = int(START.timestamp())
    newest = world.feed_items(account, now=now)[0]
    # just after the newest post: its label lies 8 hours ahead of the clock
    clock.now = to_datetime(newest.published + 3_600)
    response = feed(http, "rss-0001")
    first = re.search(r"<pubDate>(.*?)</pubDate>", _items(response)[0]).group(1)  # type: ignore[union-attr]
    local = to_datetime(newest.published)
    assert first == f"{local:%a, %d %b %Y %H:%M:%S} GMT"
    labelled = datetime.strptime(first, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert labelled - local == timedelta(hours=8) and labelled > clock.now
    # a careful reader dates it when it first sees it, and so does truth
    row = next(r for r in world.truth(clock.now) if r["key"] == "rss-0001")
    assert row["last_post_at"] == clock.now.isoformat()


def test_feed_items_without_dates(http: httpx.Client, world: World) -> None:
    set_faults(http, "undated@rss-0001")
    items = _items(feed(http, "rss-0001"))
    account = world.account("rss-0001")
    posts = world.feed_items(account, now=int(START.timestamp()))
    assert [("<pubDate>" in item) for item in items] == [post.slot % 2 == 0 for post in posts]
    (row,) = [r for r in world.truth_items(START) if r["key"] == "rss-0001"]
    assert set(row["estimated_posts"]) == {p.post_id for p in posts if p.slot % 2}  # type: ignore[arg-type]
    truth = next(r for r in world.truth(START) if r["key"] == "rss-0001")
    dated = [p for p in posts if p.slot % 2 == 0 and p.published > int((START - timedelta(days=7)).timestamp())]
    assert truth["posts_7d"] == len(dated)


def test_feed_dates_in_chinese_and_epoch_forms(http: httpx.Client, world: World) -> None:
    set_faults(http, "cn_dates@rss-0001")
    account = world.account("rss-0001")
    posts = world.feed_items(account, now=int(START.timestamp()))
    dates = [re.search(r"<pubDate>(.*?)</pubDate>", item).group(1) for item in _items(feed(http, "rss-0001"))]  # type: ignore[union-attr]
    forms = Counter()
    for post, text in zip(posts, dates, strict=True):
        local = to_datetime(post.published)
        if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 星期[一二三四五六日] \d{2}:\d{2}", text):
            forms["chinese"] += 1
            assert text.startswith(f"{local.year}年{local.month}月{local.day}日") and text.endswith(f"{local:%H:%M}")
            assert feed_entries.read_date(text, fetched_at=START) == local.replace(second=0)
        elif re.fullmatch(r"\d{10}", text):
            forms["seconds"] += 1
            assert int(text) == post.published
        else:
            assert re.fullmatch(r"\d{13}", text), text
            forms["milliseconds"] += 1
            assert int(text) == post.published * 1000
        seen = world.feed_date(account, post, now=int(START.timestamp())).seen
        assert feed_entries.read_date(text, fetched_at=START) == to_datetime(seen or 0)
    assert set(forms) == {"chinese", "seconds", "milliseconds"}


@pytest.mark.parametrize("gb18030", [False, True], ids=["utf-8", "gb18030"])
def test_one_cut_character_in_one_item(http: httpx.Client, world: World, gb18030: bool) -> None:
    key = next(a.key for a in world.accounts if a.served == "rss" and a.gb18030 == gb18030)
    set_faults(http, f"bad_byte@{key}")
    body = feed(http, key).content
    encoding = "gb18030" if gb18030 else "utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode(encoding)
    text = body.decode(encoding, "replace")
    assert text.count("\ufffd") == 1 and "\ue0b7" not in text
    # inside the newest item's description, right before its first closing </p>
    first_item = text[text.index("<item>") : text.index("</item>")]
    assert "\ufffd</p>" in first_item
    set_faults(http, "")
    assert feed(http, key).content.decode(encoding).count("\ufffd") == 0


def test_lone_surrogates_and_noncharacters_on_the_wire(http: httpx.Client, world: World) -> None:
    set_faults(http, "surrogate,nonchar")
    body = feed(http, "rss-0001").content
    assert b"&#xD83D;" in body and "\ufffe".encode() in body
    # Weibo: the JSON escape of half an emoji in a status and in a comment, U+FFFE raw
    creds = world.credentials("weibo-0001")
    timeline = http.get(
        "/2/statuses/user_timeline.json", params={"access_token": creds["access_token"], "uid": creds["uid"], "count": "50"}
    ).content
    assert b'\\ud83d' in timeline and "\ufffe".encode() in timeline
    timeline.decode("utf-8")  # the bytes stay valid UTF-8; the text does not
    comments = http.get("/2/comments/timeline.json", params={"access_token": creds["access_token"], "count": "100"}).content
    assert b'\\ud83d' in comments and "\ufffe".encode() in comments
    # WeChat comment text
    now = int(START.timestamp())
    key = next(k for k in keys(world, "wechat_mp") if any(world.comments(p, now=now) for p in world.posts(world.account(k), now=now)))
    account = world.account(key)
    post = next(p for p in reversed(world.posts(account, now=now)) if world.comments(p, now=now) and not p.deleted(now))
    token = wechat_token(http, world, key)
    from jb_watchdesk.simulator.routes import wechat_msg_data_id

    listed = http.post(
        "/cgi-bin/comment/list",
        params={"access_token": token},
        json={"msg_data_id": wechat_msg_data_id(post), "index": 0, "begin": 0, "count": 49, "type": 0},
    ).json()
    first = listed["comment"][0]["content"]
    assert first.endswith("\ud83d\ufffe")
    set_faults(http, "")
    assert b"&#xD83D;" not in feed(http, "rss-0001").content


def test_long_weibo_posts_and_statuses_show(http: httpx.Client, world: World) -> None:
    set_faults(http, "long_text@weibo-0001")
    creds = world.credentials("weibo-0001")
    auth = {"access_token": creds["access_token"]}
    rows = http.get("/2/statuses/user_timeline.json", params={**auth, "uid": creds["uid"], "count": "100"}).json()["statuses"]
    long_rows = [row for row in rows if row["isLongText"]]
    assert long_rows and len(long_rows) < len(rows)
    for row in long_rows:
        assert "longText" not in row
        assert re.search(r"\.\.\. 全文： http://m\.weibo\.cn/\d+/\d+$", row["text"]), row["text"]
        assert len(row["text"].split("...")[0]) == 137
    timeline = http.get("/2/statuses/user_timeline.json", params={**auth, "uid": creds["uid"], "count": "100"}).content
    ids = weibo_parsing.long_text_ids(timeline)
    assert ids == {row["idstr"] for row in long_rows if row.get("deleted") != "1"}
    status_id = long_rows[0]["idstr"]
    full = http.get("/2/statuses/show.json", params={**auth, "id": status_id, "isGetLongText": "1"})
    assert full.status_code == 200
    text = weibo_parsing.parse_long_text(full.content)
    assert len(text) > 140 and text.startswith(long_rows[0]["text"][:137]) and "全文" not in text
    plain = http.get("/2/statuses/show.json", params={**auth, "id": status_id}).json()
    assert "longText" not in plain and plain["isLongText"]
    missing = http.get("/2/statuses/show.json", params={**auth, "id": "1"})
    assert missing.status_code == 400 and str(missing.json()["error_code"]) == "20101"


def test_douyin_video_statuses_and_truth(http: httpx.Client, world: World) -> None:
    key = keys(world, "douyin", Behaviour.REGULAR)[0]
    plain_truth = next(r for r in world.truth(START) if r["key"] == key)
    set_faults(http, f"video_status@{key}")
    token = douyin_token(http, world, key)
    open_id = world.credentials(key)["open_id"]
    videos = http.get(
        "/video/list/", params={"open_id": open_id, "cursor": "0", "count": "20"}, headers={"access-token": token}
    ).json()["data"]["list"]
    statuses = Counter(video["video_status"] for video in videos)
    assert set(statuses) == {1, 2, 4, 5, 6, 7}
    assert all(video["is_reviewed"] == (video["video_status"] != 4) for video in videos)
    # nobody else sees a rejected, reviewing or private video: no comments there
    for video in videos:
        if video["video_status"] in (2, 4, 7):
            listed = http.get(
                "/item/comment/list/",
                params={"open_id": open_id, "item_id": video["item_id"], "cursor": "0", "count": "20"},
                headers={"access-token": token},
            ).json()["data"]["list"]
            assert listed == [] and video["statistics"]["comment_count"] == 0
    truth = next(r for r in world.truth(START) if r["key"] == key)
    week_ago = int((START - timedelta(days=7)).timestamp())
    public = [v for v in videos if v["video_status"] in (1, 5) and v["create_time"] > week_ago and not v["is_top"]]
    assert truth["posts_7d"] == len(public) < plain_truth["posts_7d"]
    (row,) = [r for r in world.truth_items(START) if r["key"] == key]
    in_horizon = {v["item_id"] for v in videos if v["create_time"] >= int((START - timedelta(days=21)).timestamp())}
    assert set(row["hidden_posts"]) == {v["item_id"] for v in videos if v["video_status"] not in (1, 5)} & in_horizon  # type: ignore[arg-type]


def test_item_truth_route(http: httpx.Client, world: World) -> None:
    set_faults(http, "undated@rss,video_status")
    rows = http.get("/_sim/truth", params={"items": "1", "now": START.isoformat()}).json()
    assert rows == world.truth_items(START)
    assert {row["served_as"] for row in rows if row["estimated_posts"]} == {"rss"}
    assert {row["served_as"] for row in rows if row["hidden_posts"]} == {"douyin"}
    assert all(not row["comments"] for row in rows if row["served_as"] == "rss")
    wechat = next(row for row in rows if row["served_as"] == "wechat_mp" and row["comments"])
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}:\d", p) for p in wechat["posts"])
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}:1:\d+", c) for c in wechat["comments"])
    shorter = http.get("/_sim/truth", params={"items": "1", "now": START.isoformat(), "horizon": "7", "window": "7"}).json()
    assert shorter == world.truth_items(START, post_horizon_days=7, comment_window_days=7)
    assert http.get("/_sim/truth", params={"items": "1", "horizon": "0"}).status_code == 400
