"""Handover export and record verification speed.

Builds a workspace with 1,000 accounts and a 12-hour shift polled every 10 minutes (72 cycles,
about 72,000 automatic inspection rows plus a few manual ones and alerts), then times:

- recording the automatic inspections (one transaction per cycle, as the poll cycle does);
- ``handover export --format xlsx`` and ``--format pdf`` of that shift;
- ``log verify`` over that workspace, and over a separate one of 1,000,000 inspections (ledger
  chain plus the inspections table checked against it).

Figures only, no assertions. Usage:
``QT_QPA_PLATFORM=offscreen python benchmarks/export_bench.py [--accounts 1000] [--cycles 72] [--ledger 1000000]``.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from jb_watchdesk.domain.models import AccountSpec, Freshness, Health, Platform
from jb_watchdesk.domain.record import NewInspection
from jb_watchdesk.services import exports, inspections, shifts
from jb_watchdesk.storage import accounts, audit
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage.db import Store

START = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # 04:00 … 16:00 Shanghai


def _timed(label: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"{label:<48} {time.perf_counter() - began:8.2f} s")
    return result


def build_shift(store: Store, *, accounts_n: int, cycles: int, seed: int) -> int:
    rng = random.Random(seed)
    specs = [
        AccountSpec(name=f"账号{i:04d}", platform=Platform.RSS, unit=f"单位{i % 40:02d}", source=f"https://feeds.example/{i}")
        for i in range(accounts_n)
    ]
    store.call(accounts.apply_register, specs, now=START)
    shift = shifts.start_shift(store, officer="张三", now=START)
    fresh = list(Freshness)
    health = [Health.OK] * 8 + [Health.DEGRADED, Health.FAILING]
    began = time.perf_counter()
    for cycle in range(cycles):
        now = START + timedelta(minutes=10 * cycle + 1)
        summary = [
            inspections.AutoCheck(
                account_id=i + 1,
                freshness=rng.choice(fresh) if rng.random() < 0.1 else Freshness.OK,
                health=rng.choice(health),
                health_reason="connect timeout" if rng.random() < 0.05 else "",
                new_alerts=1 if rng.random() < 0.01 else 0,
            )
            for i in range(accounts_n)
        ]
        inspections.record_auto_inspections(store, now=now, changes_summary=summary)
    elapsed = time.perf_counter() - began
    label = f"record {cycles} cycles × {accounts_n} accounts"
    print(f"{label:<48} {elapsed:8.2f} s  ({elapsed / cycles * 1000:.0f} ms per cycle)")
    for n in range(20):
        inspections.record_inspection(
            store,
            account_id=n + 1,
            checks={inspections.Check.SECURITY: f"弱口令，联系人 1381234{n:04d}"},
            action="已通知主办单位修改",
            now=START + timedelta(hours=6, minutes=n),
        )
    shifts.end_shift(store, now=START + timedelta(hours=12), note="交班")
    return shift.id


def build_ledger(path: Path, *, rows: int) -> None:
    """``rows`` automatic inspections, each with its ledger row, as a year of polling leaves them.

    Realistic rows matter: ``verify`` checks the inspections table against the ledger too.
    """
    checks = {"operation": "ok", "column_updates": "ok", "content_quality": "ok", "security": "ok",
              "freshness": "ok", "health": "ok", "new_alerts": 0}
    with Store(path) as store:
        specs = [AccountSpec(name=f"账号{i:04d}", platform=Platform.RSS, source=f"https://f/{i}") for i in range(1000)]
        store.call(accounts.apply_register, specs, now=START)
        batch = 10_000
        now = START
        for start in range(0, rows, batch):
            items = [
                NewInspection(account_id=i % 1000 + 1, kind="auto", checks=checks) for i in range(start, min(start + batch, rows))
            ]
            now += timedelta(minutes=10)
            store.call(inspection_store.add_inspections, items, shift_id=None, now=now)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=72)
    parser.add_argument("--ledger", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from jb_watchdesk.ui.pdf import render_pdf

    with tempfile.TemporaryDirectory(prefix="jb-export-bench-") as tmp:
        root = Path(tmp)
        with Store(root / "shift.sqlite3") as store:
            shift_id = build_shift(store, accounts_n=args.accounts, cycles=args.cycles, seed=args.seed)
            counts = store.call(inspection_store.count_inspections, start=START, end=START, shift_id=shift_id)
            count = sum(counts.values())
            print(f"{'inspection rows in the shift':<48} {count:8d}")
            now = START + timedelta(hours=13)
            _timed(
                "handover export --format xlsx", exports.export_handover, store,
                path=root / "h.xlsx", fmt="xlsx", now=now, shift_id=shift_id,
            )
            _timed(
                "handover export --format csv", exports.export_handover, store, path=root / "h.csv", fmt="csv", now=now, shift_id=shift_id
            )
            _timed(
                "handover export --format pdf", exports.export_handover, store,
                path=root / "h.pdf", fmt="pdf", now=now, shift_id=shift_id, pdf_renderer=render_pdf,
            )
            for name in ("h.xlsx", "h.csv", "h.pdf"):
                print(f"{'  size of ' + name:<48} {(root / name).stat().st_size / 1e6:8.2f} MB")
            result = _timed("log verify (shift workspace)", store.call, audit.verify)
            print(f"{'  rows checked, ok':<48} {result.rows_checked:8d} {result.ok}")
        if args.ledger:
            path = root / "ledger.sqlite3"
            _timed(f"record {args.ledger:,} inspections + ledger rows", build_ledger, path, rows=args.ledger)
            with Store(path) as store:
                result = _timed(f"log verify ({args.ledger:,} ledger + inspection rows)", store.call, audit.verify)
                print(f"{'  rows checked, ok':<48} {result.rows_checked:8d} {result.ok}")


if __name__ == "__main__":
    main()
