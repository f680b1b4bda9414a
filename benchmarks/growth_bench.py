"""Database growth per day of polling, and ``log verify`` time as the record grows.

Drives the code path the watch loop takes after each cycle (``services.inspections.
record_auto_inspections``, as ``services/watch.py`` calls it) over ``--accounts`` accounts polled
every ``--interval`` minutes (144 cycles a day at 10 minutes), with typical content stored
through ``storage.ingest.record_success`` (``--posts`` posts per account a day, ``--comments``
comments per post) and one poll run row per cycle. Account states drift slowly: most accounts
keep their freshness and health from one cycle to the next, a few change, a few carry a reason.

Printed per simulated day: the database's growth as ``page_count × page_size`` and as the file
size after a WAL checkpoint, the bytes per table and index (``dbstat``), the inspection record's
share of it, and the time of ``log verify`` (``storage.audit.verify``) over the whole record;
then the size after ``VACUUM INTO`` a copy, and the peak resident memory (``getrusage``).

``--compare DIR`` runs the same script on another checkout (``git worktree add /tmp/before
HEAD``) through ``PYTHONPATH`` and prints both side by side with their ratios.

Figures only, no assertions. Usage:
``python benchmarks/growth_bench.py [--accounts 1000] [--days 1] [--compare /tmp/before] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

START = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # midnight in Shanghai
INSPECTION_TABLES = ("inspections", "inspection_cycles", "ledger")


# Plain stand-ins for the connectors' FetchedPost/FetchedComment (duck-typed by the store), so the
# same script runs on an older checkout (``--compare``) whose types differ.
@dataclass(frozen=True)
class Post:
    external_id: str
    title: str
    body: str
    digest: str
    url: str
    published_at: datetime
    deleted: bool = False
    date_estimated: bool = False
    visibility: str = "public"


@dataclass(frozen=True)
class Comment:
    external_id: str
    post_external_id: str
    author: str
    text: str
    created_at: datetime
    replied: bool = False
    replied_at: datetime | None = None
    deleted: bool = False
    date_estimated: bool = False


BODY = "江北区政务新媒体发布：今日区内各街道开展安全生产检查，请市民关注出行安全。" * 8


def _sizes(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Bytes per table and index (``dbstat``), the inspection record's tables under their own names."""
    sizes: dict[str, int] = {}
    for name, size in db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall():
        sizes[str(name)] = int(size)
    return sizes


def _record_bytes(db, sizes: dict[str, int]) -> int:  # type: ignore[no-untyped-def]
    """Bytes of the inspection tables, the ledger and their indexes."""
    owners = dict(db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')").fetchall())
    return sum(size for name, size in sizes.items() if owners.get(name) in INSPECTION_TABLES)


def run(args: argparse.Namespace) -> dict[str, object]:
    from jb_watchdesk.domain.models import AccountSpec, Freshness, Health, Platform
    from jb_watchdesk.domain.rules import comment_sla
    from jb_watchdesk.services import inspections, shifts
    from jb_watchdesk.storage import accounts, audit, ingest
    from jb_watchdesk.storage.db import Store

    rng = random.Random(args.seed)
    cycles_per_day = 24 * 60 // args.interval
    out: dict[str, object] = {"code": str(Path(inspections.__file__).parents[2]), "days": []}
    with tempfile.TemporaryDirectory(prefix="jb-growth-") as tmp:
        path = Path(tmp) / "growth.sqlite3"
        with Store(path) as store:
            specs = [
                AccountSpec(name=f"账号{i:04d}", platform=Platform.RSS, unit=f"单位{i % 40:02d}", source=f"https://feeds.example/{i}")
                for i in range(args.accounts)
            ]
            store.call(accounts.apply_register, specs, now=START - timedelta(days=30))
            shifts.start_shift(store, officer="张三", now=START)

            def size() -> tuple[int, dict[str, int], int]:
                # a connection of its own: a checkpoint or VACUUM cannot run inside the store's unit of work
                db = sqlite3.connect(path, isolation_level=None)
                try:
                    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    pages = int(db.execute("PRAGMA page_count").fetchone()[0]) * int(db.execute("PRAGMA page_size").fetchone()[0])
                    sizes = _sizes(db)
                    return pages, sizes, _record_bytes(db, sizes)
                finally:
                    db.close()

            pages0, _sizes0, record0 = size()
            file0 = path.stat().st_size
            ids = range(1, args.accounts + 1)
            freshness = {i: Freshness.OK if rng.random() < 0.85 else rng.choice([Freshness.WARN, Freshness.VETO]) for i in ids}
            health = dict.fromkeys(ids, Health.OK)
            reasons = dict.fromkeys(ids, "")
            post_no = 0
            record_seconds = 0.0
            for day in range(args.days):
                for cycle in range(cycles_per_day):
                    now = START + timedelta(days=day, minutes=args.interval * cycle + 1)
                    # a few accounts change state each cycle; most keep theirs
                    for _ in range(max(1, args.accounts // 200)):
                        a = rng.randint(1, args.accounts)
                        health[a] = rng.choice([Health.OK] * 6 + [Health.DEGRADED, Health.FAILING, Health.AUTH_EXPIRED])
                        reasons[a] = "" if health[a] is Health.OK else rng.choice(["HTTP 500", "connect timeout", "令牌过期", "响应缓慢"])
                        freshness[a] = rng.choice([Freshness.OK] * 8 + [Freshness.WARN, Freshness.VETO])
                    run_id = store.call(ingest.start_run, now=now)
                    chance = args.posts / cycles_per_day
                    for a in range(1, args.accounts + 1):
                        if rng.random() >= chance:
                            continue
                        post_no += 1
                        post = Post(f"p{post_no}", f"通报{post_no}", BODY, BODY[:60], f"https://feeds.example/p/{post_no}", now)
                        comments = [
                            Comment(f"c{post_no}-{k}", post.external_id, f"网友{k}", f"请问{post_no}号通知什么时候落实？{k}", now)
                            for k in range(args.comments)
                        ]
                        store.call(
                            ingest.record_success, account_id=a, posts=[post], comments=comments, now=now,
                            deadlines=lambda at: comment_sla(at), health=health[a], health_reason=reasons[a],
                        )
                    store.call(
                        ingest.finish_run, run_id, now=now, accounts_ok=args.accounts, accounts_failed=0, items_new=0, items_updated=0
                    )
                    checks = [
                        inspections.AutoCheck(
                            account_id=a, freshness=freshness[a], health=health[a], health_reason=reasons[a],
                            new_alerts=1 if rng.random() < 0.002 else 0,
                        )
                        for a in range(1, args.accounts + 1)
                    ]
                    began = time.perf_counter()
                    inspections.record_auto_inspections(store, now=now, changes_summary=checks)
                    record_seconds += time.perf_counter() - began
                pages, sizes, record = size()
                began = time.perf_counter()
                result = store.call(audit.verify)
                verify_s = time.perf_counter() - began
                days = day + 1
                entry = {
                    "day": days,
                    "pages_per_day": (pages - pages0) / days,
                    "file_per_day": (path.stat().st_size - file0) / days,
                    "record_per_day": (record - record0) / days,
                    "ledger_rows": result.rows_checked,
                    "verify_ok": result.ok,
                    "verify_s": verify_s,
                    "record_ms_per_cycle": record_seconds * 1000 / (days * cycles_per_day),
                    "top": sorted(sizes.items(), key=lambda kv: -kv[1])[:8],
                }
                out["days"].append(entry)  # type: ignore[union-attr]
                if not args.json:
                    _print_day(entry)
            vacuumed = Path(tmp) / "vacuumed.sqlite3"
            conn = sqlite3.connect(path, isolation_level=None)
            try:
                conn.execute("VACUUM INTO ?", [str(vacuumed)])
            finally:
                conn.close()
            out["vacuumed_per_day"] = (vacuumed.stat().st_size - file0) / args.days
            out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if not args.json:
        print(f"{'after VACUUM INTO, bytes per day':<40} {out['vacuumed_per_day']:>14,.0f}")
        print(f"{'peak resident memory':<40} {out['peak_rss_mb']:>11.0f} MB")
    return out


def _print_day(entry: dict[str, object]) -> None:
    print(f"day {entry['day']}: database +{entry['pages_per_day']:,.0f} B/day (pages), file +{entry['file_per_day']:,.0f} B/day,"
          f" inspection record +{entry['record_per_day']:,.0f} B/day; log verify over {entry['ledger_rows']:,} rows"
          f" {entry['verify_s']:.2f} s ({'ok' if entry['verify_ok'] else 'FAILED'});"
          f" recording {entry['record_ms_per_cycle']:.0f} ms/cycle")
    for name, size in entry["top"]:  # type: ignore[attr-defined]
        print(f"    {name:<32} {size:>14,}")


def compare(args: argparse.Namespace) -> None:
    """This checkout and ``--compare DIR`` side by side (each in its own process, for memory)."""
    argv = [sys.executable, __file__, "--json", "--accounts", str(args.accounts), "--days", str(args.days),
            "--interval", str(args.interval), "--posts", str(args.posts), "--comments", str(args.comments), "--seed", str(args.seed)]
    results = []
    for root in (args.compare, str(Path(__file__).resolve().parents[1])):
        env = {**os.environ, "PYTHONPATH": root}
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True, cwd=tempfile.gettempdir())
        results.append(json.loads(done.stdout))
    before, after = results
    print(f"{args.accounts} accounts every {args.interval} min, {args.days} day(s), {args.posts} posts/account/day,"
          f" {args.comments} comments/post")
    print(f"{'':<40} {'before':>14} {'after':>14} {'after/before':>13}")

    def line(label: str, b: float, a: float, fmt: str = ",.0f") -> None:
        ratio = a / b if b else float("nan")
        print(f"{label:<40} {b:>14{fmt}} {a:>14{fmt}} {ratio:>13.3f}")

    last_b, last_a = before["days"][-1], after["days"][-1]
    line("database bytes/day (page_count)", last_b["pages_per_day"], last_a["pages_per_day"])
    line("file bytes/day (WAL checkpointed)", last_b["file_per_day"], last_a["file_per_day"])
    line("after VACUUM INTO, bytes/day", before["vacuumed_per_day"], after["vacuumed_per_day"])
    line("inspection record bytes/day", last_b["record_per_day"], last_a["record_per_day"])
    line("ledger rows", last_b["ledger_rows"], last_a["ledger_rows"])
    for day_b, day_a in zip(before["days"], after["days"], strict=True):
        line(f"log verify s after day {day_b['day']}", day_b["verify_s"], day_a["verify_s"], ".3f")
    line("recording ms per cycle", last_b["record_ms_per_cycle"], last_a["record_ms_per_cycle"], ".1f")
    line("peak resident memory MB", before["peak_rss_mb"], after["peak_rss_mb"], ".0f")
    print(f"verify ok: before {last_b['verify_ok']}, after {last_a['verify_ok']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--interval", type=int, default=10, help="minutes between cycles")
    parser.add_argument("--posts", type=float, default=1.0, help="posts per account per day")
    parser.add_argument("--comments", type=int, default=2, help="comments per post")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--compare", metavar="DIR", help="another checkout to run the same days on (the baseline)")
    args = parser.parse_args()
    if args.compare:
        compare(args)
        return
    out = run(args)
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
