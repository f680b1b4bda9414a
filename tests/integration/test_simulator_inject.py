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
