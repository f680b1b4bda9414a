"""``POST /_sim/inject``: a post published now, with the asked sensitive kinds, served like any other."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from jb_watchdesk.connectors import feed_parsing
from jb_watchdesk.domain.sensitive.detectors import is_valid_id_number
from jb_watchdesk.simulator import SimulatorServer
from jb_watchdesk.simulator.world import World

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@pytest.fixture
def served() -> Iterator[tuple[World, httpx.Client]]:
    world = World(seed=3, accounts=12, clock=lambda: NOW)
    server = SimulatorServer(world)
    with server.running_in_thread(), httpx.Client(base_url=server.base_url, timeout=5.0, trust_env=False) as http:
        yield world, http


def test_an_injected_leak_is_the_feeds_newest_item(served: tuple[World, httpx.Client]) -> None:
    world, http = served
    key = next(a.key for a in world.accounts if a.served == "rss")
    answer = http.post("/_sim/inject", json={"account": key, "sensitive": ["id_number"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["published"] == int(NOW.timestamp())
    response = http.get(f"/rss/{key}")
    feed = feed_parsing.parse_feed(response.content, content_type=response.headers.get("content-type"), url=str(response.url))
    newest = max(feed.items, key=lambda item: item.published_at)
    assert newest.published_at == NOW
    assert any(is_valid_id_number(number) for number in re.findall(r"\d{17}[\dXx]", newest.body)), newest.body


def test_inject_refuses_unknown_accounts_and_kinds(served: tuple[World, httpx.Client]) -> None:
    world, http = served
    assert http.post("/_sim/inject", json={"account": "nobody", "sensitive": ["id_number"]}).status_code == 404
    refused = http.post("/_sim/inject", json={"account": world.accounts[0].key, "sensitive": ["gossip"]})
    assert refused.status_code == 400 and "gossip" in refused.json()["error"]
    assert http.post("/_sim/inject", content=b"[1]").status_code == 400


def test_injected_words_are_published_exactly_with_the_body_as_a_comment(served: tuple[World, httpx.Client]) -> None:
    world, http = served
    key = next(a.key for a in world.accounts if a.served == "weibo")
    title, body = "\u202e<b>标题</b>", "=HYPERLINK(\"x\")\u2028第二行"
    earlier = int(NOW.timestamp()) - 7 * 3600
    post = world.inject(key, sensitive=(), words=(title, body), now=earlier)
    text = world.post_text(post, now=int(NOW.timestamp()))
    assert (text.title, text.sentences) == (title, (body,))
    assert world.comments(post, now=int(NOW.timestamp()))[0].text == body
    answer = http.post("/_sim/inject", json={"account": key, "title": "t", "body": 5})
    assert answer.status_code == 400 and "strings" in answer.json()["error"]


def test_short_secrets_and_an_error_that_echoes_them() -> None:
    world = World(seed=3, accounts=12, clock=lambda: NOW, secret_length=8)
    key = next(a.key for a in world.accounts if a.served == "wechat_mp")
    secret = world.credentials(key)["app_secret"]
    assert len(secret) == 8
    server = SimulatorServer(world)
    with server.running_in_thread(), httpx.Client(base_url=server.base_url, timeout=5.0, trust_env=False) as http:
        server.set_faults(f"echo@{key}")
        appid = world.credentials(key)["appid"]
        answer = http.get("/cgi-bin/token", params={"grant_type": "client_credential", "appid": appid, "secret": secret})
        assert answer.json()["errcode"] == 40001 and secret in answer.json()["errmsg"]
