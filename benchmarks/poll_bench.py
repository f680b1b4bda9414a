"""One poll cycle over many accounts against the simulator with per-request latency.

Starts ``jb-watchdesk simulator`` in a separate process (so its memory is not counted),
imports its register into a temporary workspace with the credentials in an in-memory
keyring, runs a first cycle (every post of the last month and its comments) and then steady
cycles on the same desk (comments read by age tier), and prints for each:

- the requests per platform, the cycle's wall time and the ideal ``requests × latency ÷ C``,
  and their ratio;
- the peak resident memory of this (the desk's) process;
- lost or duplicated items: the desk's per-account counts against the simulator's truth;
- in the same run, a naive sequential fetch-and-parse loop (one request at a time, no
  storage) over a sample of the same accounts, extrapolated to all of them.

Figures only, no assertions. Usage:
``python benchmarks/poll_bench.py [--accounts 1000] [--latency-ms 200] [--concurrency 50] [--sequential-sample 40]``
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.cli import main as cli
from jb_watchdesk.connectors.fetching import AccountRef, FetchState
from jb_watchdesk.connectors.http import HttpClient, HttpSettings
from jb_watchdesk.connectors.registry import Connectors
from jb_watchdesk.domain.models import Platform
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.simulator.routes import platform_of
from jb_watchdesk.storage.secrets import SERVICE, MemoryKeyring, SecretStore


def start_simulator(*, accounts: int, latency_ms: int) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "jb_watchdesk", "simulator", "--port", "0", "--accounts", str(accounts), "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    return process, line.split(" on ", 1)[1].split(" ", 1)[0]


class MemorySecrets:
    def __init__(self, backend: MemoryKeyring) -> None:
        self.backend = backend

    async def get(self, account_id: int, name: str) -> str | None:
        return self.backend.get_password(SERVICE, f"{account_id}:{name}")

    async def put(self, account_id: int, name: str, value: str) -> None:
        self.backend.set_password(SERVICE, f"{account_id}:{name}", value)


def routes_now(base: str) -> dict[str, int]:
    """The simulator's request counts so far, summed per platform (tokens included)."""
    totals: dict[str, int] = {}
    for route, count in httpx.get(f"{base}/_sim/stats").json()["routes"].items():
        platform = platform_of(route)
        if not platform.startswith("admin"):  # the counting requests themselves
            totals[platform] = totals.get(platform, 0) + int(count)
    return totals


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def sequential(accounts: list[dict], secrets: MemorySecrets) -> tuple[float, int]:
    """The naive loop: one account after another, one request at a time, parse, no storage."""
    http = HttpClient(HttpSettings(trust_env=False, total_timeout=60))
    connectors = Connectors(http=http, secrets=secrets)
    started = time.perf_counter()
    requests = 0
    try:
        for row in accounts:
            ref = AccountRef(
                id=row["id"], name=row["name"], platform=Platform(row["platform"]), source=row["source"], api_base=row["api_base"]
            )
            connector = connectors.for_account(ref)
            assert connector is not None
            result = await connector.fetch(ref, state=FetchState(), with_comments=True, now=datetime.now().astimezone())
            requests += result.requests
    finally:
        await http.aclose()
    return time.perf_counter() - started, requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--sequential-sample", type=int, default=40)
    parser.add_argument("--cycles", type=int, default=3, help="the first cycle, then steady ones (comment tiers)")
    args = parser.parse_args()

    process, base = start_simulator(accounts=args.accounts, latency_ms=args.latency_ms)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "ws"
            register = Path(tmp) / "register.csv"
            register.write_bytes(httpx.get(f"{base}/_sim/register.csv").content)
            assert cli(["--data-dir", str(root), "accounts", "import", str(register)], out=io.StringIO()) == 0
            listing = io.StringIO()
            cli(["--data-dir", str(root), "accounts", "list", "--json"], out=listing)
            accounts = json.loads(listing.getvalue())
            backend = MemoryKeyring()
            keys = {row["name"] + "|" + row["platform"]: row for row in csv.DictReader(io.StringIO(register.read_text("utf-8-sig")))}
            credentials = {row["key"]: row["secrets"] for row in httpx.get(f"{base}/_sim/credentials").json()}
            for account in accounts:
                key = keys[account["name"] + "|" + account["platform"]]["note"].removeprefix("sim:")
                for name, value in credentials[key].items():
                    backend.set_password(SERVICE, f"{account['id']}:{name}", value)

            settings = PollSettings(max_concurrency=args.concurrency, per_host_concurrency=args.concurrency)

            # One instant for the desk and the truth, so the comparison is exact.
            instant = datetime.now().astimezone()

            async def cycles() -> list[tuple[object, float, dict[str, int]]]:
                """The first cycle (every post of the month and its comments) and then steady ones."""
                results = []
                with App(workspace=Workspace(root), clock=Clock(instant), secret_store=SecretStore(backend)) as app:
                    async with running_watch(app, settings=settings, http_settings=HttpSettings(trust_env=False, total_timeout=60)) as loop:
                        for _ in range(args.cycles):
                            before = routes_now(base)
                            started = time.perf_counter()
                            changes = await loop.poller.poll_once(force=True)
                            wall = time.perf_counter() - started
                            after = routes_now(base)
                            results.append((changes, wall, {k: after.get(k, 0) - before.get(k, 0) for k in after}))
                return results

            results = asyncio.run(cycles())
            peak = rss_mb()

            truth_rows = httpx.get(f"{base}/_sim/truth", params={"now": instant.isoformat(), "window": 30}).json()
            truth = {row["name"] + "|" + row["platform"]: row for row in truth_rows}
            status = io.StringIO()
            cli(["--data-dir", str(root), "--now", instant.isoformat(), "status", "--json"], out=status)
            mismatched = [
                row["name"] for row in json.loads(status.getvalue())
                if (row["posts_7d"], row["pending_comments"])
                != (
                    truth[row["name"] + "|" + row["platform"]]["posts_7d"],
                    truth[row["name"] + "|" + row["platform"]]["unanswered_comments"],
                )
            ]  # fmt: skip

            sample = accounts[: args.sequential_sample]
            seq_wall, seq_requests = asyncio.run(sequential(sample, MemorySecrets(backend)))
            seq_all = seq_wall * len(accounts) / max(1, len(sample))

            print(f"accounts                 {len(accounts)}")
            print(f"latency per request      {args.latency_ms} ms, concurrency C = {args.concurrency}")
            for number, (changes, wall, by_platform) in enumerate(results, start=1):
                requests = sum(by_platform.values())
                ideal = requests * args.latency_ms / 1000 / args.concurrency
                kind = "first: the whole month" if number == 1 else "steady: comments by age tier"
                print(f"cycle {number} ({kind})")
                print(f"  requests               {requests}: " + ", ".join(f"{k} {v}" for k, v in sorted(by_platform.items()) if v))
                print(f"  accounts ok / failed   {changes.accounts_ok} / {changes.accounts_failed}")  # type: ignore[attr-defined]
                print(f"  wall time              {wall:.2f} s")
                print(f"  ideal (requests×lat÷C) {ideal:.2f} s")
                print(f"  ratio wall / ideal     {wall / ideal:.3f}" if ideal else "  ratio wall / ideal     n/a (no latency)")
            print(f"peak RSS (desk process)  {peak:.0f} MB")
            print(f"accounts not matching the simulator's truth: {len(mismatched)}")
            print(f"sequential sample        {len(sample)} accounts, {seq_requests} requests, {seq_wall:.2f} s")
            print(f"sequential, extrapolated {seq_all:.1f} s for {len(accounts)} accounts ({seq_all / wall:.1f}× the concurrent cycle)")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
