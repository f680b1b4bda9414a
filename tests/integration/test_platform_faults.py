"""Each platform's hard cases end to end: the connectors against the real loopback simulator.

The simulator's fault menu (``shift``, ``comment_quota``, ``comment_args``) and content menu
(video statuses, long posts, hostile text) act out what real platforms do; each test reads
an account with the real connector and HTTP client and compares with what the simulator
served or with ``/_sim/truth``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from jb_watchdesk.connectors.fetching import POST_HORIZON, AccountRef, FetchResult, FetchState
from jb_watchdesk.connectors.http import HttpClient, HttpSettings
from jb_watchdesk.connectors.registry import Connectors
from jb_watchdesk.domain.models import Platform
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.simulator.server import SimulatorServer
from jb_watchdesk.simulator.world import World

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
FAST = HttpSettings(trust_env=False, total_timeout=5.0, read_timeout=5.0, connect_timeout=2.0)


class WorldSecrets:
    """The simulated accounts' credentials, as the keyring would hold them (account id = world index)."""

    def __init__(self, world: World) -> None:
        self._world = world

    async def get(self, account_id: int, name: str) -> str | None:
        return self._world.accounts[account_id].credentials.get(name)

    async def put(self, account_id: int, name: str, value: str) -> None:
        return None


@dataclass
class Sim:
    world: World
    server: SimulatorServer
    base_url: str

    def key(self, served: str, **wanted: object) -> str:
        for account in self.world.accounts:
            if account.served == served and all(getattr(account, k) == v for k, v in wanted.items()):
                return account.key
        raise LookupError(served)

    def fetch(self, key: str, *, polls: int = 1, with_comments: bool = True) -> list[FetchResult]:
        account = self.world.account(key)
        ref = AccountRef(
            id=account.index, name=account.name, platform=Platform(account.platform), source=account.source_id, api_base=self.base_url
        )

        async def run() -> list[FetchResult]:
            http = HttpClient(FAST)
            try:
                connector = Connectors(http, WorldSecrets(self.world)).for_account(ref)
                assert connector is not None
                state = FetchState()
                return [await connector.fetch(ref, state=state, with_comments=with_comments, now=NOW) for _ in range(polls)]
            finally:
                await http.aclose()

        return asyncio.run(run())


def make_sim(**options: object) -> Iterator[Sim]:
    world = World(seed=3, accounts=36, clock=lambda: NOW, **options)  # type: ignore[arg-type]
    server = SimulatorServer(world)
    with server.running_in_thread() as base_url:
        yield Sim(world, server, base_url)


@pytest.fixture
def sim() -> Iterator[Sim]:
    yield from make_sim()


def ids(items: object) -> list[str]:
    return [item.external_id for item in items]  # type: ignore[attr-defined]


def test_pages_shifted_by_a_new_post_give_each_post_once(sim: Sim) -> None:
    busiest = max((a for a in sim.world.accounts if a.served == "wechat_mp"), key=lambda a: a.posts_per_week)
    key = busiest.key
    (plain,) = sim.fetch(key, with_comments=False)
    sim.server.set_faults(f"shift@{key}")
    (shifted,) = sim.fetch(key, with_comments=False)

    assert shifted.requests > 1, "the account must need more than one page for the shift to show"
    assert len(ids(shifted.posts)) == len(set(ids(shifted.posts)))
    # the same posts over the poll's horizon (where paging stops may differ by one page)
    recent = NOW - POST_HORIZON
    assert {p.external_id for p in shifted.posts if p.published_at >= recent} == {
        p.external_id for p in plain.posts if p.published_at >= recent
    }
    fired = {entry["entry"]: entry["fired"] for entry in sim.server.faults.stats()}
    assert fired[f"shift@{key}"] >= 1


def test_comment_quota_keeps_the_posts_and_names_the_problem(sim: Sim) -> None:
    key = sim.key("wechat_mp")
    (plain,) = sim.fetch(key)
    sim.server.set_faults(f"comment_quota@{key}")
    first, second = sim.fetch(key, polls=2)

    assert ids(first.posts) == ids(plain.posts) and first.posts
    assert first.comments == ()
    (problem,) = first.problems
    assert problem.code == "wechat.45009.comments" and "posts are still read" in problem.reason
    # while the quota is out, the next poll spends no calls on comment/list
    assert second.requests < first.requests
    assert [p.code for p in second.problems] == ["wechat.45009.comments"]


def test_rejected_comment_arguments_are_one_problem_per_post(sim: Sim) -> None:
    key = sim.key("wechat_mp")
    sim.server.set_faults(f"comment_args@{key}")
    (result,) = sim.fetch(key)

    assert result.posts
    assert result.problems and {p.code for p in result.problems} == {"wechat.40097.comments"}
    named = [next(p.external_id for p in result.posts if p.external_id in problem.reason) for problem in result.problems]
    assert len(named) == len(set(named)) > 1  # one line per post, each naming its post
