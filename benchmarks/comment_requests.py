"""Requests per poll cycle per platform, with the comment window and tiers of connectors/fetching.py.

Runs the real connectors against the loopback simulator on a fixed instant for one first
cycle and twelve more comment cycles (three hours at the 15-minute default) and prints the
mean requests per account per cycle, for the current tiers and for the old rule (comments
on posts of the last 7 days, every cycle, Weibo per post)::

    python benchmarks/comment_requests.py [--accounts 240]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict
from datetime import datetime, timedelta

from jb_watchdesk.connectors import fetching
from jb_watchdesk.connectors.fetching import AccountRef, FetchState
from jb_watchdesk.connectors.http import HttpClient, HttpSettings
from jb_watchdesk.connectors.registry import Connectors
from jb_watchdesk.domain.models import Platform
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.simulator.server import SimulatorServer
from jb_watchdesk.simulator.world import World

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
CYCLES = 13


class Secrets:
    def __init__(self, world: World) -> None:
        self.world = world

    async def get(self, account_id: int, name: str) -> str | None:
        return self.world.accounts[account_id].credentials.get(name)

    async def put(self, account_id: int, name: str, value: str) -> None:
        return None


async def measure(world: World, base_url: str, *, old_rule: bool) -> dict[str, tuple[float, float]]:
    """Per platform: (requests per account in the first cycle, mean per account in later cycles)."""
    http = HttpClient(HttpSettings(trust_env=False))
    connectors = Connectors(http, Secrets(world))
    first: dict[str, int] = defaultdict(int)
    later: dict[str, int] = defaultdict(int)
    accounts: dict[str, int] = defaultdict(int)
    try:
        for sim in world.accounts:
            if sim.served == "rss":
                continue
            ref = AccountRef(id=sim.index, name=sim.name, platform=Platform(sim.platform), source=sim.source_id, api_base=base_url)
            connector = connectors.for_account(ref)
            assert connector is not None
            state = FetchState(comment_feed_refused=old_rule)
            accounts[sim.served] += 1
            for cycle in range(CYCLES):
                result = await connector.fetch(ref, state=state, with_comments=True, now=NOW)
                if cycle == 0:
                    first[sim.served] += result.requests
                else:
                    later[sim.served] += result.requests
    finally:
        await http.aclose()
    return {k: (first[k] / n, later[k] / n / (CYCLES - 1)) for k, n in sorted(accounts.items())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=240)
    args = parser.parse_args()
    world = World(seed=1, accounts=args.accounts, clock=lambda: NOW)
    server = SimulatorServer(world)
    with server.running_in_thread() as base_url:
        now_rule = asyncio.run(measure(world, base_url, old_rule=False))
        saved = fetching.COMMENT_HORIZON, fetching.COMMENT_TIERS, fetching.POST_HORIZON
        fetching.COMMENT_HORIZON = timedelta(days=7)
        fetching.COMMENT_TIERS = ((timedelta(days=7), 1),)
        old_rule = asyncio.run(measure(world, base_url, old_rule=True))
        fetching.COMMENT_HORIZON, fetching.COMMENT_TIERS, fetching.POST_HORIZON = saved
    print("requests per account per cycle (first cycle / mean of the next 12)")
    for platform in now_rule:
        (f0, l0), (f1, l1) = old_rule[platform], now_rule[platform]
        print(f"{platform:10} 7 days every cycle: {f0:5.1f} / {l0:5.1f}    30 days in tiers: {f1:5.1f} / {l1:5.1f}")


if __name__ == "__main__":
    main()
