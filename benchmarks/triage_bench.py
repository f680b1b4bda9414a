"""Alert triage reads on a large inbox: the counts every screen shows, a page of a filtered list,
what a notification tick reads, and a bulk acknowledgement.

Builds a workspace with ``--accounts`` accounts and ``--alerts`` alerts (a quarter backlog, most
low or medium, hits of two rules per alert), then times each read against a baseline read of the
same table (``SELECT COUNT(*) FROM alerts``) so the ratios hold on a busy machine. Figures only,
no assertions. Usage: ``python benchmarks/triage_bench.py [--accounts 240] [--alerts 100000]``.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from jb_watchdesk.domain.alerts import AlertDraft, AlertFilter
from jb_watchdesk.domain.models import AccountSpec, AlertState, ItemKind, Platform
from jb_watchdesk.domain.sensitive import Severity
from jb_watchdesk.storage import accounts, alerts
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def build(store: Store, *, accounts_n: int, alerts_n: int, seed: int) -> None:
    rng = random.Random(seed)
    specs = [AccountSpec(name=f"账号{i:04d}", platform=Platform.WEIBO, source=str(i), unit=f"单位{i % 40}") for i in range(accounts_n)]
    store.call(accounts.apply_register, specs, now=NOW - timedelta(days=60))
    severities = [Severity.LOW] * 6 + [Severity.MEDIUM] * 3 + [Severity.HIGH]
    batch: list[AlertDraft] = []
    for item in range(1, alerts_n + 1):
        severity = rng.choice(severities)
        base = AlertDraft(
            account_id=rng.randint(1, accounts_n), item_kind=ItemKind.POST, item_id=item, category="privacy", severity=severity,
            rule="pii.mobile", text="138****5678", context="电话138****5678", item_field="body", span_start=2, span_end=13,
            published_at=NOW - timedelta(hours=rng.randint(1, 24 * 60)), seen_at=NOW - timedelta(hours=1), backlog=item % 4 == 0,
        )
        batch += [base, replace(base, rule="privacy.cue", severity=Severity.LOW, text="电话", span_start=0, span_end=2)]
        if len(batch) >= 10_000:
            store.call(alerts.record_alerts, batch, now=NOW - timedelta(minutes=rng.randint(1, 600)))
            batch = []
    if batch:
        store.call(alerts.record_alerts, batch, now=NOW)


def timed(fn: Callable[[], Any], *, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=240)
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with Store(None) as store:
        began = time.perf_counter()
        build(store, accounts_n=args.accounts, alerts_n=args.alerts, seed=args.seed)
        print(f"built {args.alerts:,} alerts ({2 * args.alerts:,} hits) in {time.perf_counter() - began:.1f} s")
        baseline = timed(lambda: store.query(lambda db: db.execute("SELECT COUNT(*) FROM alerts").fetchone()), repeats=args.repeats)
        live_high = AlertFilter(states=frozenset({AlertState.NEW}), severities=frozenset({Severity.HIGH}), backlog=False)
        by_unit = AlertFilter(unit="单位7", published_from=NOW - timedelta(days=7))
        reads: list[tuple[str, Callable[[], Any]]] = [
            ("counts (tile, banner, tray, tabs)", lambda: store.query(alerts.count_alerts, now=NOW)),
            ("first page, newest 500", lambda: store.query(alerts.list_alerts, limit=500)),
            ("page of live high + its total", lambda: (store.query(alerts.list_alerts, live_high, limit=500),
                                                     store.query(alerts.count_selected, live_high))),
            ("page by unit, published this week", lambda: store.query(alerts.list_alerts, by_unit, limit=500)),
            ("page by a hit's rule (json_each)", lambda: store.query(alerts.list_alerts, AlertFilter(rule="privacy.cue"), limit=500)),
            ("notification tick candidates", lambda: store.query(
                alerts.notification_candidates, now=NOW, repeat_after=timedelta(minutes=10))),
            ("items shown in the last 5 minutes", lambda: store.query(alerts.recently_shown, since=NOW - timedelta(minutes=5))),
        ]
        print(f"{'read':<40} {'best s':>9} {'× COUNT(*)':>11}")
        print(f"{'baseline SELECT COUNT(*)':<40} {baseline:9.4f} {1.0:11.1f}")
        for label, fn in reads:
            spent = timed(fn, repeats=args.repeats)
            print(f"{label:<40} {spent:9.4f} {spent / baseline:11.1f}")
        # steady state: everything pushable was shown a minute ago; a tick reads only what is due
        store.call(lambda db: db.execute("UPDATE alerts SET last_notified_at = ? WHERE state = 'new'", [to_db(NOW - timedelta(minutes=1))]))
        tick = timedelta(minutes=10)
        spent = timed(lambda: store.query(alerts.notification_candidates, now=NOW, repeat_after=tick), repeats=args.repeats)
        print(f"{'tick candidates, all shown a minute ago':<40} {spent:9.4f} {spent / baseline:11.1f}")
        account = AlertFilter(account_ids=frozenset({3}))
        began = time.perf_counter()
        done = store.call(alerts.acknowledge_selected, account, officer="值班员", note="批量核查", now=NOW)
        print(f"bulk acknowledge one account: {len(done):,} alerts, {len(done):,} ledger rows, {time.perf_counter() - began:.2f} s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
