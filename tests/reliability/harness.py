"""The reliability cases, shared by ``tests/reliability`` (short) and ``benchmarks/reliability_report.py`` (full).

Every case drives the real desk (CLI, watch loop, SQLite, connectors) against the real loopback
simulator and returns a :class:`Outcome` row: how many tries, how many the desk survived, items
lost (served by the simulator and never stored, or stored but never scanned) and secrets leaked.
A case never raises for a desk failure: it counts it and says what happened in ``notes``.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from jb_watchdesk.app import App, Clock, running_watch
from jb_watchdesk.cli import main as cli_main
from jb_watchdesk.connectors.fetching import POST_HORIZON
from jb_watchdesk.connectors.http import HttpSettings
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.services.watch import Cycle, WatchLoop
from jb_watchdesk.simulator.server import SimulatorServer
from jb_watchdesk.simulator.world import World
from jb_watchdesk.storage.secrets import SERVICE, MemoryKeyring, SecretStore

START = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
FAST = HttpSettings(trust_env=False, total_timeout=4.0, read_timeout=4.0, connect_timeout=2.0)
CYCLE = timedelta(minutes=10)


@dataclass
class Outcome:
    """One line of the report."""

    case: str
    tried: int = 0
    survived: int = 0
    lost: int = 0
    leaked: int = 0
    notes: list[str] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)

    def fail(self, note: str) -> None:
        self.notes.append(note)

    @property
    def ok(self) -> bool:
        return self.tried > 0 and self.survived == self.tried and self.lost == 0 and self.leaked == 0


class MovingClock(Clock):
    """A clock the case moves by hand: the accelerated day of the soak, the cycles of the matrix."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
        self.value = start

    def now(self) -> datetime:
        return self.value


def cli(root: Path, *argv: str, now: datetime | None = None) -> tuple[int, str, str]:
    """One command in this process, as ``cli.main`` runs it; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    prefix = ["--lang", "en", "--data-dir", str(root)]
    if now is not None:
        prefix += ["--now", now.isoformat()]
    code = cli_main([*prefix, *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def rss_mb() -> float:
    """Peak resident memory of this process so far, MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


def current_rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024
    except OSError:
        return rss_mb()


class District:
    """A simulated district on loopback and one workspace reading it, credentials in a memory keyring.

    ``platforms`` keeps only those accounts in the register (e.g. ``{"rss"}`` for a desk run as a
    child process, which has no keyring of ours). The world's clock is the district's clock.
    """

    def __init__(
        self,
        root: Path,
        *,
        accounts: int,
        seed: int = 7,
        platforms: set[str] | None = None,
        start: datetime = START,
        secret_length: int | None = None,
    ) -> None:
        self.root = root
        self.clock = MovingClock(start)
        self.world = World(seed=seed, accounts=accounts, clock=lambda: self.clock.value, secret_length=secret_length)
        self.server = SimulatorServer(self.world)
        self.platforms = platforms
        self.keyring = MemoryKeyring()
        self.ids: dict[str, int] = {}
        self._stack = contextlib.ExitStack()
        self.base_url = ""
        self.served: dict[str, set[str]] = {}
        """Every post id truth listed at any check so far, per account: a feed's window moves on."""
        self.served_hashed: dict[str, set[int]] = {}

    def __enter__(self) -> District:
        self.base_url = self._stack.enter_context(self.server.running_in_thread())
        self.root.mkdir(parents=True, exist_ok=True)
        self.import_register(self.root)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @property
    def keys(self) -> list[str]:
        return [a.key for a in self.world.accounts if self.platforms is None or a.served in self.platforms]

    def register_csv(self, path: Path) -> Path:
        rows = [r for r in self.world.register_rows(self.base_url) if r["note"].removeprefix("sim:") in set(self.keys)]
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return path

    def import_register(self, workspace: Path) -> None:
        register = self.register_csv(workspace.parent / f"{workspace.name}-register.csv")
        code, _, err = cli(workspace, "accounts", "import", str(register))
        if code != 0:
            raise RuntimeError(f"register import failed: {err}")
        _, listing, _ = cli(workspace, "accounts", "list", "--json")
        for account in json.loads(listing):
            key = account["note"].removeprefix("sim:")
            self.ids[key] = account["id"]
            for name, value in self.world.credentials(key).items():
                self.keyring.set_password(SERVICE, f"{account['id']}:{name}", value)

    def app(self, root: Path | None = None) -> App:
        return App(workspace=Workspace(root or self.root), clock=self.clock, secret_store=SecretStore(self.keyring))

    def advance(self, by: timedelta = CYCLE) -> datetime:
        self.clock.value += by
        return self.clock.value

    def run(self, case: Callable[[WatchLoop], Awaitable[None]], *, root: Path | None = None,
            settings: PollSettings | None = None) -> None:
        """``case(loop)`` on one real watch loop over the workspace (the lexicon loaded once)."""

        async def run() -> None:
            with self.app(root) as app:
                async with running_watch(app, settings=settings or PollSettings(max_concurrency=40, per_host_concurrency=40),
                                         http_settings=FAST) as loop:
                    await case(loop)

        asyncio.run(run())

    async def cycle(self, loop: WatchLoop) -> Cycle:
        """One cycle of ``loop``; what truth served at that instant is remembered."""
        done = await loop.cycle(force=True)
        self.truth_items()
        return done

    def cycles(self, count: int, *, root: Path | None = None, each: Callable[[int, object], None] | None = None,
               settings: PollSettings | None = None, step: timedelta = CYCLE) -> list[object]:
        """``count`` cycles of the real watch loop, the clock moved by ``step`` before each but the first."""

        async def run() -> list[object]:
            done: list[object] = []
            with self.app(root) as app:
                async with running_watch(app, settings=settings or PollSettings(max_concurrency=40, per_host_concurrency=40),
                                         http_settings=FAST) as loop:
                    for number in range(count):
                        if number:
                            self.advance(step)
                        cycle = await self.cycle(loop)
                        done.append(cycle)
                        if each is not None:
                            each(number, cycle)
            return done

        return asyncio.run(run())

    # ------------------------------------------------------------------ what was stored

    def stored(self, root: Path | None = None) -> dict[str, dict[str, set[str]]]:
        """Per account key: the external ids of its posts and comments in the database (read-only)."""
        db = read_only(root or self.root)
        try:
            by_id = {v: k for k, v in self.ids.items()}
            result: dict[str, dict[str, set[str]]] = {k: {"posts": set(), "comments": set()} for k in self.ids}
            for account_id, external_id in db.execute("SELECT account_id, external_id FROM posts"):
                result[by_id[account_id]]["posts"].add(external_id)
            for account_id, external_id in db.execute(
                "SELECT p.account_id, c.external_id FROM comments c JOIN posts p ON p.id = c.post_id"
            ):
                result[by_id[account_id]]["comments"].add(external_id)
            return result
        finally:
            db.close()

    def truth_items(self, at: datetime | None = None) -> list[dict[str, object]]:
        """``/_sim/truth`` item rows as of ``at`` (default now); remembers the posts served."""
        from jb_watchdesk.simulator.menu import PLACEHOLDER_GUID

        at = at or self.clock.value
        rows = self.world.truth_items(at)
        for row in rows:
            key = str(row["key"])
            self.served.setdefault(key, set()).update(row["posts"])  # type: ignore[call-overload]
            if row["posts_hashed"]:
                # Items without a usable guid are stored under a hash of their content: remember
                # which of the feed's items they were, as the window moves on.
                account = self.world.account(key)
                hashed = self.served_hashed.setdefault(key, set())
                for post in self.world.feed_items(account, now=int(at.timestamp())):
                    if self.world.feed_guid(account, post) in (None, PLACEHOLDER_GUID):
                        hashed.add(post.slot)
        return rows

    def lost_items(
        self, root: Path | None = None, *, keys: Iterable[str] | None = None, at: datetime | None = None
    ) -> tuple[int, list[str]]:
        """Items of ``/_sim/truth`` as of ``at`` (default now) that the workspace does not hold, and a
        few of their names. Comments are read every 15 minutes: check truth from before the last read."""
        stored = self.stored(root)
        wanted = set(keys) if keys is not None else set(self.ids)
        lost = 0
        examples: list[str] = []
        for row in self.truth_items(at):
            key = str(row["key"])
            if key not in wanted:
                continue
            for kind in ("posts", "comments"):
                missing = set(row[kind]) - stored[key][kind]  # type: ignore[call-overload]
                lost += len(missing)
                examples.extend(f"{key} {kind} {m}" for m in sorted(missing)[:2])
        return lost, examples[:5]

    def unscanned(self, root: Path | None = None) -> int:
        db = read_only(root or self.root)
        try:
            posts = db.execute("SELECT count(*) FROM posts WHERE scanned_at IS NULL").fetchone()[0]
            comments = db.execute("SELECT count(*) FROM comments WHERE scanned_at IS NULL").fetchone()[0]
            return int(posts) + int(comments)
        finally:
            db.close()


def read_only(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{root / 'watchdesk.sqlite3'}?mode=ro", uri=True)


def alert_keys(root: Path) -> set[tuple[str, str, str, str]]:
    """The alerts of a workspace as (account, item kind, item's external id, category): comparable across workspaces."""
    db = read_only(root)
    try:
        rows = db.execute(
            "SELECT a.note, al.item_kind, COALESCE(p.external_id, c.external_id), al.category FROM alerts al"
            " LEFT JOIN posts p ON al.item_kind = 'post' AND p.id = al.item_id"
            " LEFT JOIN comments c ON al.item_kind = 'comment' AND c.id = al.item_id"
            " JOIN posts pp ON pp.id = COALESCE(p.id, c.post_id) JOIN accounts a ON a.id = pp.account_id"
        ).fetchall()
        return {(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows}
    finally:
        db.close()


def integrity_ok(root: Path) -> bool:
    db = read_only(root)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


def duplicates(root: Path) -> int:
    """Alerts doubled: two open or acknowledged alerts for one item's rule."""
    db = read_only(root)
    try:
        alerts = db.execute(
            "SELECT count(*) FROM (SELECT item_kind, item_id, category, rule, count(*) n FROM alerts"
            " WHERE state != 'resolved' GROUP BY item_kind, item_id, category, rule HAVING n > 1)"
        ).fetchone()[0]
        return int(alerts)
    finally:
        db.close()


# ====================================================================== 1. fault matrix

#: What the desk should say about an account under each fault: True when the account must
#: still read as healthy (the fault is a shape the desk copes with), False when it must fail
#: or degrade with a reason, None when either is right (a reset or a drip after a 304's empty answer
#: is a whole answer; a charset lie on JSON may be refused or read).
HEALTHY_UNDER: dict[str, bool | None] = {
    "latency": True, "timeout": False, "reset": None, "5xx": False, "429": False, "malformed": False,
    "html": False, "charset": None, "drip": None, "oversize": False, "entity_bomb": None, "expire": None,
    "quota": False, "shift": True, "comment_quota": None, "comment_args": None, "br": True,
    "gzip_noheader": True, "future_lastmod": True, "echo": False,
}  # fmt: skip


def fault_matrix(base: Path, *, accounts: int, share: float = 0.1, kinds: Iterable[str] | None = None, seed: int = 11) -> Outcome:
    """Each transport and platform fault of the simulator on a share of the accounts, then cleared.

    One district, one desk: after a clean first cycle, per kind one cycle with the fault on a
    random share of the accounts (the cycle must end; accounts outside the share read ok, every
    account is polled; an affected account that fails says why; a fault the desk reads through
    fails nobody), then, 30 minutes later, a cycle without it, after which every item of
    ``/_sim/truth`` must be stored once and scanned. The content kinds (shapes of real feeds and
    APIs) run together in a second district, each on a share of its platform from the first
    cycle, and the desk must store exactly what truth lists.
    """
    from jb_watchdesk.simulator.faults import CONTENT_FAULTS, FaultKind

    outcome = Outcome("fault matrix")
    chosen = [FaultKind(k) for k in kinds] if kinds is not None else list(FaultKind)
    transport = [k for k in chosen if k not in CONTENT_FAULTS]
    content = [k for k in chosen if k in CONTENT_FAULTS]
    rng = random.Random(seed)
    if transport:
        with District(base / "faults", accounts=accounts, seed=seed) as district:
            keys = district.keys

            async def run(loop: WatchLoop) -> None:
                await district.cycle(loop)
                recovering: set[str] = set()  # failed earlier, not read successfully since (backing off)
                for kind in transport:
                    outcome.tried += 1
                    targets = sorted(rng.sample(keys, max(1, int(len(keys) * share))))
                    param = "=1500" if kind is FaultKind.LATENCY else ("=1" if kind is FaultKind.TOO_MANY_REQUESTS else "")
                    try:
                        district.server.set_faults(",".join(f"{kind.value}{param}@{key}" for key in targets))
                        district.advance()
                        faulted = await district.cycle(loop)
                        wrong = _fault_health(district, faulted, kind.value, set(targets) | recovering)
                        recovering |= _failed_keys(district, faulted)
                        district.server.set_faults("")
                        # The fault is over: the desk reads every account again within its backoff.
                        for _ in range(8):
                            district.advance(_clears_after(kind.value, district.clock.value))
                            recovering -= _read_keys(district, await district.cycle(loop))
                            if not recovering:
                                break
                    except Exception as error:  # noqa: BLE001 - a case counts what the desk did not survive
                        outcome.fail(f"{kind.value}: {type(error).__name__}: {error}"[:300])
                        district.server.set_faults("")
                        continue
                    lost, examples = district.lost_items()
                    unscanned = district.unscanned()
                    doubled: list[str] = []
                    extra = extra_posts(district, examples=doubled)
                    outcome.lost += lost + unscanned
                    if wrong or lost or unscanned or extra or recovering:
                        outcome.fail(f"{kind.value}: {wrong or 'health right'}; {lost} not stored {examples}, "
                                     f"{unscanned} not scanned, {extra} stored twice {doubled[:3]}, "
                                     f"{len(recovering)} not read again after the fault")
                        continue
                    outcome.survived += 1

            district.run(run)
    if content:
        with District(base / "content", accounts=accounts, seed=seed + 1) as district:
            by_platform: dict[str, list[str]] = {}
            for account in district.world.accounts:
                by_platform.setdefault(account.served, []).append(account.key)
            entries = []
            for kind in content:
                platform = _content_platform(kind.value)
                pool = [k for p, ks in by_platform.items() if platform in (None, p) for k in ks]
                entries += [f"{kind.value}@{key}" for key in rng.sample(pool, max(1, int(len(pool) * max(share, 0.3))))]
            district.server.set_faults(",".join(entries))

            async def run_content(loop: WatchLoop) -> None:
                outcome.tried += len(content)
                try:
                    await district.cycle(loop)
                    district.advance()
                    await district.cycle(loop)
                except Exception as error:  # noqa: BLE001
                    outcome.fail(f"content kinds: {type(error).__name__}: {error}"[:300])
                    return
                lost, examples = district.lost_items()
                unscanned = district.unscanned()
                doubled: list[str] = []
                extra = extra_posts(district, examples=doubled)
                outcome.lost += lost + unscanned
                if lost or unscanned or extra:
                    outcome.fail(f"content kinds: {lost} not stored {examples}, {unscanned} not scanned, "
                                 f"{extra} stored twice {doubled[:3]}")
                    return
                outcome.survived += len(content)

            district.run(run_content)
    outcome.figures["peak RSS MB"] = round(rss_mb())
    return outcome


def _failed_keys(district: District, cycle: object) -> set[str]:
    by_id = {v: k for k, v in district.ids.items()}
    return {by_id[f.account_id] for f in cycle.poll.failures}  # type: ignore[attr-defined]


def _read_keys(district: District, cycle: object) -> set[str]:
    """Accounts read successfully in the cycle."""
    by_id = {v: k for k, v in district.ids.items()}
    return {by_id[i] for i in cycle.poll.polled} - _failed_keys(district, cycle)  # type: ignore[attr-defined]


def _clears_after(kind: str, now: datetime) -> timedelta:
    """How long after the fault ends the desk may wait before reading the account again: a used-up
    quota until the platform resets it (midnight, Beijing time), else past a Retry-After and backoff."""
    if kind in {"quota", "comment_quota"}:
        midnight = (now.astimezone(SHANGHAI) + timedelta(days=1)).replace(hour=0, minute=10, second=0, microsecond=0)
        return midnight - now
    return timedelta(minutes=30)


def _content_platform(kind: str) -> str | None:
    if kind in {"guid_repeat", "future_dates", "undated", "cn_dates", "bad_byte"}:
        return "rss"
    return {"long_text": "weibo", "video_status": "douyin"}.get(kind)


def extra_posts(district: District, root: Path | None = None, *, examples: list[str] | None = None) -> int:
    """Posts stored beyond ``/_sim/truth``: the same post twice under two ids. Feeds may hold one
    hashed id per item without a usable guid; API accounts may hold posts older than the horizon."""
    db = read_only(root or district.root)
    try:
        by_id = {v: k for k, v in district.ids.items()}
        stored: dict[str, list[tuple[str, str]]] = {}
        for account_id, external_id, published in db.execute("SELECT account_id, external_id, published_at FROM posts"):
            stored.setdefault(by_id[account_id], []).append((external_id, published))
    finally:
        db.close()
    post_start = district.clock.value - POST_HORIZON
    extra = 0
    for row in district.truth_items():
        key = str(row["key"])
        if key not in district.ids:
            continue
        wanted = district.served[key]
        mine = stored.get(key, [])
        if row["served_as"] == "rss":
            unknown = [i for i, _ in mine if i not in wanted and not i.startswith("sha256:")]
            hashed = sum(1 for i, _ in mine if i.startswith("sha256:"))
            surplus = len(unknown) + max(0, hashed - len(district.served_hashed.get(key, ())))
        else:
            unknown = [i for i, published in mine if i not in wanted and datetime.fromisoformat(published) >= post_start]
            surplus = len(unknown)
        extra += max(0, surplus)
        if surplus > 0 and examples is not None:
            examples.extend(f"{key}: {i}" for i in unknown[:2])
    return extra


def _fault_health(district: District, cycle: object, kind: str, targets: set[str]) -> str:
    """'' when the accounts' health after the faulted cycle is right, else what is wrong."""
    poll = cycle.poll  # type: ignore[attr-defined]
    polled = set(poll.polled)
    by_id = {v: k for k, v in district.ids.items()}
    failed = {by_id[f.account_id]: f for f in poll.failures}
    others_failed = sorted(k for k in failed if k not in targets)
    if others_failed:
        return f"{len(others_failed)} unaffected accounts failed, e.g. {others_failed[0]}: {failed[others_failed[0]].reason}"
    # An affected account may be left alone for a while (a quota until it resets, a Retry-After);
    # every other account is read on time.
    not_polled = sorted(k for k in district.ids if district.ids[k] not in polled and k not in targets)
    if not_polled:
        return f"{len(not_polled)} unaffected accounts not polled in the cycle, e.g. {not_polled[0]}"
    expected = HEALTHY_UNDER.get(kind)
    if expected is True and failed:
        key = next(iter(failed))
        return f"{key} failed under a fault the desk should read through: {failed[key].reason}"
    if expected is False:
        healthy = sorted(targets - set(failed))
        if healthy:
            return f"{len(healthy)} affected accounts read as ok, e.g. {healthy[0]}"
    unexplained = [k for k, f in failed.items() if not f.reason.strip()]
    if unexplained:
        return f"{unexplained[0]} failed without a reason"
    return ""


# ====================================================================== 2. crash loop


def _child(root: Path, *argv: str, now: datetime | None = None) -> subprocess.Popen[str]:
    prefix = [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(root)]
    if now is not None:
        prefix += ["--now", now.isoformat()]
    return subprocess.Popen([*prefix, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _kill_after(process: subprocess.Popen[str], seconds: float) -> bool:
    """SIGKILL ``process`` after ``seconds`` unless it ended first; True when it was killed."""
    try:
        process.communicate(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return True


def crash_loop(base: Path, *, kills: int, accounts: int, seed: int = 5, max_wait_s: float = 10.0) -> Outcome:
    """``run --headless`` (and exports, backups) killed with SIGKILL at random points ``kills`` times.

    The desk runs as a child process on the feeds of a simulated district (a child has no keyring
    of ours, so the register holds the feed accounts). Between kills alerts are acknowledged. In
    the end a clean ``poll --once`` runs and the workspace is compared with a control workspace
    polled once without kills at the same instant: same alerts, nothing doubled, every item
    stored and scanned, acknowledgements kept, integrity and the ledger whole, no partial file left.
    """
    outcome = Outcome("crash loop")
    rng = random.Random(seed)
    root = base / "crash"
    control = base / "control"
    exports = base / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    with District(root, accounts=accounts, seed=seed, platforms={"rss"}) as district:
        now = district.clock.value
        acknowledged: set[int] = set()
        for number in range(kills):
            outcome.tried += 1
            what = rng.choices(["run", "export", "backup"], weights=[6, 2, 2])[0]
            if what == "run":
                process = _child(root, "run", "--headless", now=now)
            elif what == "export":
                process = _child(root, "report", "weekly", "--format", "xlsx", "--output", str(exports / f"weekly-{number}.xlsx"), now=now)
            else:
                process = _child(root, "db", "backup", str(exports / f"backup-{number}.sqlite3"), now=now)
            _kill_after(process, rng.uniform(0.2, max_wait_s))
            # Between kills the officer acknowledges what is there (through the same CLI).
            code, listing, _ = cli(root, "alerts", "--json", now=now)
            if code == 0:
                for alert in json.loads(listing)[:2]:
                    if cli(root, "alerts", "ack", str(alert["id"]), "--note", "seen", "--officer", "值班员", now=now)[0] == 0:
                        acknowledged.add(int(alert["id"]))
            if integrity_ok(root):
                outcome.survived += 1
            else:
                outcome.fail(f"kill {number} ({what}): integrity_check failed")
        final = subprocess.run(
            [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(root), "--now", now.isoformat(), "poll", "--once"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if final.returncode not in (0, 1):
            outcome.fail(f"final poll exit {final.returncode}: {final.stderr[-300:]}")
        district.import_register(control)
        control_poll = subprocess.run(
            [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(control), "--now", now.isoformat(), "poll", "--once"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if control_poll.returncode not in (0, 1):
            outcome.fail(f"control poll exit {control_poll.returncode}")
        lost, examples = district.lost_items(root)
        unscanned = district.unscanned(root)
        outcome.lost += lost + unscanned
        if lost or unscanned:
            outcome.fail(f"{lost} items not stored {examples}, {unscanned} not scanned")
        mine, theirs = alert_keys(root), alert_keys(control)
        if mine != theirs:
            outcome.lost += len(theirs - mine)
            outcome.fail(f"alerts differ from a run without kills: {len(theirs - mine)} missing, {len(mine - theirs)} extra")
        doubled = duplicates(root) + extra_posts(district, root)
        if doubled:
            outcome.fail(f"{doubled} items or alerts doubled")
        code, listing, _ = cli(root, "alerts", "--state", "all", "--json", now=now)
        states = {int(a["id"]): a["state"] for a in json.loads(listing)} if code == 0 else {}
        dropped = [i for i in acknowledged if states.get(i) != "acknowledged"]
        if dropped:
            outcome.fail(f"{len(dropped)} acknowledgements lost")
            outcome.lost += len(dropped)
        if cli(root, "log", "verify")[0] != 0:
            outcome.fail("log verify failed")
            outcome.survived -= 1
        partials = [p.name for p in [*exports.iterdir(), *(root / "backups").glob("*")] if ".partial" in p.name or p.name.startswith(".")]
        if partials:
            outcome.fail(f"{len(partials)} partial files left after the next start: {partials[:3]}")
        outcome.figures["acknowledged"] = len(acknowledged)
        outcome.figures["alerts"] = len(mine)
    return outcome


# ====================================================================== 4. soak


def soak(base: Path, *, accounts: int, hours: float, step: timedelta = CYCLE) -> Outcome:
    """An accelerated day: the watch loop over ``accounts`` with the clock moved ``step`` per cycle.

    Resident memory, open files, threads, asyncio tasks and database size are taken after the
    first cycle and at the end; the growth per simulated day is reported.
    """
    outcome = Outcome("soak")
    cycles = max(2, int(hours * 3600 / step.total_seconds()))
    samples: list[dict[str, float]] = []
    root = base / "soak"

    def sample(number: int, cycle: object) -> None:
        outcome.tried += 1
        outcome.survived += 1
        if number in (0, cycles - 1) or number % 24 == 0:
            samples.append({
                "cycle": number, "rss_mb": round(current_rss_mb(), 1), "fds": open_fds(), "threads": threading.active_count(),
                "tasks": len(asyncio.all_tasks()), "db_mb": round(_db_bytes(root) / 1e6, 2),
            })  # fmt: skip

    with District(root, accounts=accounts) as district:
        started = time.perf_counter()
        try:
            district.cycles(cycles, each=sample, step=step)
        except Exception as error:  # noqa: BLE001
            outcome.fail(f"{type(error).__name__}: {error}"[:300])
        outcome.figures["wall s"] = round(time.perf_counter() - started, 1)
        lost, examples = district.lost_items()
        outcome.lost += lost + district.unscanned()
        if lost:
            outcome.fail(f"{lost} items not stored {examples}")
    if len(samples) >= 2:
        first, last = samples[0], samples[-1]
        simulated_days = (cycles - 1) * step.total_seconds() / 86_400
        per_day = (last["db_mb"] - first["db_mb"]) / simulated_days if simulated_days else 0.0
        outcome.figures.update(first=first, last=last, db_mb_per_day=round(per_day, 2))
        if last["fds"] > first["fds"] + 20:
            outcome.fail(f"file descriptors grew {first['fds']} → {last['fds']}")
        if last["threads"] > first["threads"] + 5:
            outcome.fail(f"threads grew {first['threads']} → {last['threads']}")
        if last["tasks"] > first["tasks"] + 5:
            outcome.fail(f"asyncio tasks grew {first['tasks']} → {last['tasks']}")
    return outcome


def _db_bytes(root: Path) -> int:
    """The database's used size: its pages, WAL content included, less the free list."""
    db = read_only(root)
    try:
        pages = db.execute("PRAGMA page_count").fetchone()[0] - db.execute("PRAGMA freelist_count").fetchone()[0]
        return int(pages) * int(db.execute("PRAGMA page_size").fetchone()[0])
    finally:
        db.close()


@contextlib.contextmanager
def watched_fifo(folder: Path) -> Iterator[tuple[Path, list[str]]]:
    """A named pipe nothing should ever open: a thread notices if anything opens it for reading."""
    path = folder / "watched"
    os.mkfifo(path)
    opened: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        import errno

        while not stop.wait(0.05):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno != errno.ENXIO:
                    opened.append(f"watch: {error}")
                continue
            opened.append("opened for reading")
            os.close(fd)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield path, opened
    finally:
        stop.set()
        thread.join(timeout=2)


# ====================================================================== 5. hostile content

#: Characters that must never reach a terminal as themselves: controls, bidi controls, line separators.
TERMINAL_UNSAFE = frozenset(
    [chr(c) for c in range(0x00, 0x20) if chr(c) not in "\n"] + ["\x7f", "\x85", "\u061c", "\u200e", "\u200f", "\u2028", "\u2029"]
    + [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
)  # fmt: skip


def hostile_texts(port: int, fifo: Path) -> list[tuple[str, str]]:
    """(title, body) pairs a hostile or careless publisher might post."""
    here = f"http://127.0.0.1:{port}"
    return [
        (f'<b>粗体</b><img src="{here}/img.png">', f'<a href="{here}/x">点我</a><script>fetch("{here}/s")</script>'),
        (f"file://{fifo}", f'<img src="file://{fifo}"> <a href="file://{fifo}">本地文件</a>'),
        ("\\\\127.0.0.1\\share\\秘密.docx", "<a href='\\\\127.0.0.1\\share'>共享</a>"),
        ("--help", "-rf --debug --data-dir /"),
        (f'=HYPERLINK("{here}/f","点击")', "=cmd|' /C calc'!A0"),
        ("+1+1", "@SUM(A1:A2) -2+3 \t=1+1"),
        ("\x1b[31m红色\x1b[0m\x07\x00", "行一\u2028行二\u2029段\x85尾\r\n\x0b"),
        ("\u202e反转\u202c文字 \u2066隔离\u2069 \u200f", "abc\u202edcba \u061c"),
        ("表情👍🏻👨‍👩‍👧\ufeff", "𠀀𪚥 🀄️ \ufe0f"),
        ("A" * 1_000_000, "长标题"),
    ]


@contextlib.contextmanager
def loopback_listener() -> Iterator[tuple[int, list[str]]]:
    """A TCP listener on loopback recording every connection: nothing the desk shows may reach it."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    seen: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except OSError:
                continue
            seen.append(f"connection from {peer}")
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], seen
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()


def hostile_content(base: Path, *, accounts: int = 12) -> Outcome:
    """Hostile text in posts and comments on every platform, read, shown and exported.

    Checks each door: terminal tables (no control, bidi or separator character), ``--json``
    (those escaped, the text given back exactly), XLSX (no formula cell), CSV (formula-looking
    cells neutralised), PDF (renders, text extractable), and that nothing opened the watched
    file or connected to the loopback listener. Each text counts as one try on each door.
    """
    outcome = Outcome("hostile content")
    with contextlib.ExitStack() as stack:
        port, connections = stack.enter_context(loopback_listener())
        fifo, opened = stack.enter_context(watched_fifo(base))
        district = stack.enter_context(District(base / "hostile", accounts=accounts, seed=13))
        texts = hostile_texts(port, fifo)
        per_platform: dict[str, str] = {}
        for account in district.world.accounts:
            per_platform.setdefault(account.served, account.key)
        injected = 0
        for key in per_platform.values():
            for number, (title, body) in enumerate(texts):
                # published 7 hours ago (a second apart, as a platform allows), so the body is a comment by now
                earlier = int((district.clock.value - timedelta(hours=7)).timestamp()) + number
                district.world.inject(key, sensitive=(), words=(title, body), now=earlier)
                injected += 1
        district.server.set_faults(os.environ.get("HOSTILE_FAULTS", "surrogate%50,nonchar%50,bad_byte%50"))
        try:
            district.cycles(3)
            settled = district.clock.value
            district.advance(timedelta(minutes=16))  # comments are read every 15 minutes
            district.cycles(1)
        except Exception as error:  # noqa: BLE001
            outcome.fail(f"cycle: {type(error).__name__}: {error}"[:300])
            settled = district.clock.value
        lost, examples = district.lost_items(at=settled)
        outcome.lost += lost
        if lost:
            outcome.fail(f"{lost} items not stored {examples}")
        now = district.clock.value
        root = district.root
        # Terminal tables and JSON
        for argv in (["alerts"], ["comments"], ["status"], ["accounts", "list"], ["alerts", "--state", "all"]):
            outcome.tried += 2
            code, out, err = cli(root, *argv, now=now)
            unsafe = sorted({f"U+{ord(c):04X}" for c in out if c in TERMINAL_UNSAFE})
            if code != 0 or unsafe or "Traceback" in err:
                outcome.fail(f"{' '.join(argv)}: exit {code}, unsafe characters {unsafe[:6]}")
            else:
                outcome.survived += 1
            code, out, err = cli(root, *argv, "--json", now=now)
            raw = sorted({f"U+{ord(c):04X}" for c in out if c in TERMINAL_UNSAFE})
            try:
                json.loads(out)
                parsed = True
            except ValueError:
                parsed = False
            if code != 0 or raw or not parsed:
                outcome.fail(f"{' '.join(argv)} --json: exit {code}, raw characters {raw[:6]}, parses: {parsed}")
            else:
                outcome.survived += 1
        # Exports
        exports = base / "hostile-exports"
        exports.mkdir(exist_ok=True)
        start = (now - timedelta(days=2)).isoformat()
        for fmt in ("xlsx", "csv", "pdf"):
            outcome.tried += 1
            target = exports / f"handover.{fmt}"
            window = ("--from", start, "--to", now.isoformat())
            code, _, err = cli(root, "handover", "export", *window, "--format", fmt, "-o", str(target), now=now)
            problem = f"exit {code}: {err.strip()[:200]}" if code != 0 else _export_problem(target)
            if problem:
                outcome.fail(f"handover {fmt}: {problem}")
            else:
                outcome.survived += 1
        for fmt in ("xlsx", "pdf"):
            outcome.tried += 1
            target = exports / f"weekly.{fmt}"
            code, _, err = cli(root, "report", "weekly", "--format", fmt, "-o", str(target), now=now)
            problem = f"exit {code}: {err.strip()[:200]}" if code != 0 else _export_problem(target)
            if problem:
                outcome.fail(f"weekly {fmt}: {problem}")
            else:
                outcome.survived += 1
        outcome.tried += 1
        time.sleep(0.3)  # let the watchers see a late open or connection
        if connections or opened:
            outcome.fail(f"outside access: {connections[:2]} {opened[:2]}")
        else:
            outcome.survived += 1
        outcome.figures["hostile posts"] = injected
    return outcome


def _export_problem(path: Path) -> str:
    """'' when the export holds hostile text inertly, else what is wrong."""
    if not path.exists():
        return "no file"
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        formulas = [c.coordinate for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        return f"formula cells {formulas[:3]}" if formulas else ""
    if path.suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        risky = [cell for row in csv.reader(io.StringIO(text)) for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
        risky = [cell for cell in risky if not _is_number(cell)]
        return f"formula-looking cells {[c[:20] for c in risky[:3]]}" if risky else ""
    if path.suffix == ".pdf":
        done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, timeout=60)
        return "" if done.returncode == 0 and done.stdout else f"pdftotext exit {done.returncode}"
    return ""


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


# ====================================================================== 6. secret canaries


#: What the platforms call secrets (the rest of an account's credentials are public identifiers).
SECRET_NAMES = frozenset({"app_secret", "access_token", "client_secret", "refresh_token"})


def secret_canaries(base: Path, *, accounts: int = 12, length: int = 8) -> Outcome:
    """Every stored secret a unique canary of ``length`` characters; then a cycle with a platform error echoing the request,
    ``doctor``, ``--debug``, exports and a backup; no canary may appear in the database, its WAL, the
    logs, exports, backups or anything printed."""
    outcome = Outcome("secret canaries")
    root = base / "canary"
    with District(root, accounts=accounts, seed=17, secret_length=length) as district:
        secrets = [
            value for key in district.keys for name, value in district.world.credentials(key).items() if name in SECRET_NAMES
        ]
        # Platforms that echo the request in their errors, tokens that expire (and are fetched
        # again with the secret), then the same with everything answering.
        district.server.set_faults("echo%60,expire%30")
        printed = io.StringIO()
        try:
            district.cycles(2)
            district.server.set_faults("")
            district.advance(timedelta(hours=1))
            district.cycles(1)
        except Exception as error:  # noqa: BLE001
            outcome.fail(f"cycle: {type(error).__name__}: {error}"[:300])
        now = district.clock.value
        exports = base / "canary-exports"
        exports.mkdir(exist_ok=True)
        day = ("--from", (now - timedelta(days=1)).isoformat(), "--to", now.isoformat())
        runs = [
            ["doctor"], ["status"], ["status", "--json"], ["alerts", "--json"], ["--debug", "status"],
            ["handover", "export", *day, "--format", "csv", "-o", str(exports / "h.csv")],
            ["handover", "export", *day, "--format", "xlsx", "-o", str(exports / "h.xlsx")],
            ["report", "weekly", "--format", "pdf", "-o", str(exports / "w.pdf")],
            ["db", "backup", str(exports / "backup.sqlite3")],
        ]  # fmt: skip
        for argv in runs:
            code, out, err = cli(root, *argv, now=now)
            printed.write(out + err)
            if code not in (0, 1):
                outcome.fail(f"{' '.join(argv[:2])}: exit {code} {err.strip()[:120]}")
        places: dict[str, bytes] = {"printed": printed.getvalue().encode("utf-8")}
        for path in [*root.rglob("*"), *exports.rglob("*")]:
            if path.is_file():
                places[str(path.relative_to(base))] = path.read_bytes()
        if path_text := _pdf_text(exports / "w.pdf"):
            places["w.pdf text"] = path_text.encode("utf-8")
        for secret in secrets:
            outcome.tried += 1
            where = [name for name, data in places.items() if secret.encode() in data or secret.encode("utf-16-le") in data]
            if where:
                outcome.leaked += 1
                outcome.fail(f"canary {secret[:2]}… found in {where[:3]}")
            else:
                outcome.survived += 1
        outcome.figures["canaries"] = len(secrets)
        outcome.figures["places searched"] = len(places)
    return outcome


def _pdf_text(path: Path) -> str:
    if not path.exists():
        return ""
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, timeout=60)
    return done.stdout.decode("utf-8", "replace")


# ====================================================================== 8. bad input at every door


def bad_inputs(folder: Path) -> list[tuple[list[str], bytes | None]]:
    """(arguments, standard input) an officer might get wrong; every one must be refused cleanly."""
    huge = str(2**70)
    shift_jis = folder / "register-shift-jis.csv"
    shift_jis.write_bytes("名前,プラットフォーム,部署\n江北区役所,weibo,広報課\n".encode("shift_jis"))
    empty = folder / "empty.csv"
    empty.write_bytes(b"")
    binary = folder / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    missing = folder / "no-such-folder" / "out.xlsx"
    return [
        (["alerts", "ack", huge, "--note", "x"], None),
        (["alerts", "ack", "-1", "--note", "x"], None),
        (["inspect", huge], None),
        (["inspect", "1", "--corrects", huge], None),
        (["inspect", "1", "--latest-post", "0001-01-01T00:00:00+08:00"], None),
        (["inspect", "1", "--latest-post", "9999-12-31T23:59:59-14:00"], None),
        (["inspect", "1", "--latest-post", "2026-11-25T10:00:00+08:00", "--posts", huge], None),
        (["handover", "export", "--shift", huge, "--format", "csv", "-o", str(folder / "h.csv")], None),
        (["handover", "export", "--from", "2026-13-01", "--to", "2026-11-25T10:00:00+08:00", "--format", "csv",
          "-o", str(folder / "h.csv")], None),
        (["report", "weekly", "--week", "2026-W99", "--format", "pdf", "-o", str(folder / "w.pdf")], None),
        (["report", "weekly", "--format", "xlsx", "-o", str(missing)], None),
        (["--now", "0001-01-01T00:00:00+08:00", "status"], None),
        (["--now", "yesterday", "status"], None),
        (["simulator", "--port", "70000"], None),
        (["simulator", "--accounts", huge], None),
        (["accounts", "import", str(shift_jis)], None),
        (["accounts", "import", str(empty)], None),
        (["accounts", "import", str(binary)], None),
        (["accounts", "import", str(folder / "nowhere.csv")], None),
        (["accounts", "set-secret", huge, "app_secret"], b"x\n"),
        (["accounts", "set-secret", "1", "not a name"], b"x\n"),
        (["comments", "ack", huge, "--note", "x"], None),
        (["emergency", "cancel", huge, "--reason", "x"], None),
        (["gaps", "--from", "0001-01-01T00:00:00+08:00"], None),
        (["lexicon", "allow", "x" * 10_000], None),
        (["log", "verify", "--anchor", "not-an-anchor"], None),
        (["db", "backup", str(missing)], None),
        (["alerts", "--account", huge], None),
    ]  # fmt: skip


def database_state(root: Path) -> str:
    """A digest of everything stored (the rows, not the file's bytes, which a checkpoint rewrites)."""
    import hashlib

    db = read_only(root)
    try:
        digest = hashlib.sha256()
        for line in db.iterdump():
            digest.update(line.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()
    finally:
        db.close()


def bad_input(base: Path, *, accounts: int = 8, child: bool = True) -> Outcome:
    """Each wrong input at each door: exit 2 or 3, one line of reason (argparse's usage line
    aside), no traceback or "internal error", and nothing stored changed. ``child``: each
    command in its own process (what an officer runs; also catches what Python prints at exit),
    else in this one (quicker)."""
    outcome = Outcome("bad input at every door")
    root = base / "doors"
    with District(root, accounts=accounts, seed=19) as district:
        district.cycles(1)
        now = district.clock.value
        before = database_state(root)
        for argv, stdin in bad_inputs(base):
            outcome.tried += 1
            full = ["--lang", "en", "--data-dir", str(root), *([] if argv[0] == "--now" else ["--now", now.isoformat()]), *argv]
            code, err = _run_door(full, stdin or b"", child=child)
            lines = [line for line in err.splitlines() if line.strip() and not line.startswith("usage:") and not line.startswith(" ")]
            problems = []
            if code not in (2, 3):
                problems.append(f"exit {code}")
            if "Traceback" in err or "internal error" in err or "Exception ignored" in err:
                problems.append("traceback or internal error")
            # An import reports each bad row on its own line, then one summary line.
            if len(lines) != 1 and not (argv[:2] == ["accounts", "import"] and lines and lines[-1].startswith("jb-watchdesk:")):
                problems.append(f"{len(lines)} lines")
            after = database_state(root)
            if after != before:
                problems.append("the database changed")
                before = after
            if problems:
                outcome.fail(f"{' '.join(argv)[:60]}: {', '.join(problems)}: {err.strip()[-160:]!r}")
            else:
                outcome.survived += 1
    return outcome


def _run_door(argv: list[str], stdin: bytes, *, child: bool) -> tuple[int, str]:
    """(exit code, standard error) of one command."""
    if child:
        done = subprocess.run([sys.executable, "-m", "jb_watchdesk", *argv], input=stdin, capture_output=True, timeout=60)
        return done.returncode, done.stderr.decode("utf-8", "replace")
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        out, err = io.StringIO(), io.StringIO()
        return cli_main(argv, out=out, err=err), err.getvalue()
    finally:
        sys.stdin = saved


# ====================================================================== 7. keyring trouble


def keyring_trouble(base: Path) -> Outcome:
    """The keyring settings a machine may have wrong, in child processes: ``set-secret`` and
    ``doctor`` exit 3 (doctor: a failed keyring line, the other checks still run), one line,
    nothing stored."""
    outcome = Outcome("keyring trouble")
    root = base / "keyring"
    with District(root, accounts=4, seed=23, platforms={"rss"}):
        config = base / "keyring-config"
        (config / "python_keyring").mkdir(parents=True)
        (config / "python_keyring" / "keyringrc.cfg").write_text("[backend]\ndefault-keyring=no.such.Backend\n", encoding="utf-8")
        cases = {
            "no backend": {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
            "empty setting": {"PYTHON_KEYRING_BACKEND": ""},
            "unknown setting": {"PYTHON_KEYRING_BACKEND": "no.such.Backend"},
            "plaintext backend": {"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"},
            "bad keyringrc.cfg": {"XDG_CONFIG_HOME": str(config), "PYTHON_KEYRING_BACKEND": None},
        }
        before = database_state(root)
        for name, env in cases.items():
            child_env = {k: v for k, v in os.environ.items() if k not in env or env[k] is not None}
            child_env.update({k: v for k, v in env.items() if v is not None})
            child_env.pop("DBUS_SESSION_BUS_ADDRESS", None)
            for argv, stdin in ((["accounts", "set-secret", "1", "access_token"], b"s3cret-value\n"), (["doctor"], b"")):
                outcome.tried += 1
                done = subprocess.run(
                    [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(root), *argv],
                    input=stdin, capture_output=True, timeout=60, env=child_env,
                )  # fmt: skip
                out, err = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
                problems = []
                if argv[0] == "doctor":
                    if done.returncode == 0 or "keyring" not in out.lower() or "fail" not in out.lower():
                        problems.append(f"doctor exit {done.returncode} without a failed keyring line")
                    if len([line for line in out.splitlines() if line.startswith("[")]) < 3:
                        problems.append("doctor stopped at the keyring")
                else:
                    if done.returncode != 3:
                        problems.append(f"exit {done.returncode}")
                    if len([line for line in err.splitlines() if line.strip()]) != 1:
                        problems.append("not one line")
                if "Traceback" in err or "internal error" in err:
                    problems.append("internal error")
                if problems:
                    outcome.fail(f"{name}, {argv[0]}: {', '.join(problems)}: {(err or out).strip()[-160:]!r}")
                else:
                    outcome.survived += 1
        if database_state(root) != before:
            outcome.fail("the database changed")
            outcome.survived = min(outcome.survived, outcome.tried - 1)
    return outcome


# ====================================================================== 3. database pressure

HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""


@contextlib.contextmanager
def write_lock(root: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the workspace's write lock for ``seconds`` (from when this yields)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(root / "watchdesk.sqlite3"), str(seconds)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None
        holder.stdout.readline()
        yield holder
    finally:
        holder.communicate(timeout=seconds + 30)


@contextlib.contextmanager
def small_disk(folder: Path, megabytes: int) -> Iterator[Path]:
    """A tmpfs of ``megabytes`` at ``folder`` (root only); unmounted after."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)], check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def can_mount() -> bool:
    return sys.platform == "linux" and os.geteuid() == 0 and bool(_which("mount"))


def _which(name: str) -> str | None:
    import shutil

    return shutil.which(name)


def database_pressure(base: Path, *, lock_s: float = 10.0, import_rows: int = 20_000, accounts: int = 24) -> Outcome:
    """Another process's write lock during a cycle and during officer actions, a large import
    during a cycle, a read-only copy, and a full disk and its recovery."""
    outcome = Outcome("database pressure")
    root = base / "pressure"
    with District(root, accounts=accounts, seed=29) as district:
        district.cycles(1)
        now = district.clock.value

        # a) a cycle while another process holds the write lock
        outcome.tried += 1
        try:
            with write_lock(root, lock_s):
                district.advance()
                district.cycles(1)
            outcome.survived += 1
        except Exception as error:  # noqa: BLE001
            outcome.fail(f"cycle under a {lock_s:.0f} s lock: {type(error).__name__}: {error}"[:300])

        # b) officer actions while another process holds the write lock
        cli(root, "shift", "start", "--officer", "值班员", now=district.clock.value)
        code, listing, _ = cli(root, "alerts", "--json", now=now)
        alerts = json.loads(listing) if code == 0 else []
        actions = [
            ["alerts", "ack", str(alerts[0]["id"]), "--note", "已核查", "--officer", "值班员"] if alerts else ["status"],
            ["inspect", str(district.ids[district.keys[0]]), "--check", "operation=ok"],
        ]
        for argv in actions:
            outcome.tried += 1
            with write_lock(root, lock_s):
                done = subprocess.run(
                    [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(root),
                     "--now", district.clock.value.isoformat(), *argv],
                    capture_output=True, text=True, timeout=lock_s + 60,
                )  # fmt: skip
            if done.returncode == 0:
                outcome.survived += 1
            else:
                outcome.fail(f"{' '.join(argv[:2])} under a {lock_s:.0f} s lock: exit {done.returncode}: {done.stderr.strip()[-160:]}")

        # c) a large register import during a cycle
        outcome.tried += 1
        register = base / "big-register.csv"
        with open(register, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["name", "platform", "unit", "status", "source", "api_base", "owner", "note"])
            for number in range(import_rows):
                writer.writerow([f"村务公开{number:05d}", "kuaishou", f"街道{number % 40}", "active", "", "", "", f"bulk:{number}"])
        importer = subprocess.Popen(
            [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(root), "accounts", "import", str(register)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        cycle_error = ""
        try:
            district.advance()
            district.cycles(1)
        except Exception as error:  # noqa: BLE001
            cycle_error = f"{type(error).__name__}: {error}"[:200]
        _, import_err = importer.communicate(timeout=600)
        if importer.returncode == 0 and not cycle_error:
            outcome.survived += 1
        else:
            outcome.fail(f"import of {import_rows} rows during a cycle: import exit {importer.returncode} "
                         f"{import_err.strip()[-160:]}; cycle {cycle_error or 'ok'}")

        lost, examples = district.lost_items()
        outcome.lost += lost
        if lost:
            outcome.fail(f"{lost} items not stored {examples}")

        if not can_mount():
            outcome.fail("read-only and full-disk cases need root on Linux: not tried")
            return outcome

        # d) a read-only copy: read commands work, writes say so
        ro = base / "read-only"
        with small_disk(ro, 256):
            import shutil

            shutil.copytree(root, ro / "ws")
            subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True, capture_output=True)
            for argv, wanted in ((["log", "verify"], 0), (["status"], 0), (["alerts", "ack", "1", "--note", "x"], 3)):
                outcome.tried += 1
                done = subprocess.run(
                    [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(ro / "ws"), *argv],
                    capture_output=True, text=True, timeout=120,
                )  # fmt: skip
                if done.returncode == wanted and "Traceback" not in done.stderr:
                    outcome.survived += 1
                else:
                    outcome.fail(f"read-only {' '.join(argv[:2])}: exit {done.returncode} (wanted {wanted}): {done.stderr.strip()[-160:]}")

        # e) a full disk under run --headless, then space again
        outcome.tried += 1
        full = base / "full"
        with small_disk(full, 48):
            import shutil

            shutil.copytree(root, full / "ws")
            filler = full / "filler"
            with open(filler, "wb") as handle:
                with contextlib.suppress(OSError):
                    while True:
                        handle.write(b"\0" * (1 << 20))
            run = subprocess.Popen(
                [sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(full / "ws"), "--now",
                 (district.clock.value + CYCLE).isoformat(), "run", "--headless"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            time.sleep(12)
            alive_when_full = run.poll() is None
            filler.unlink()
            time.sleep(12)
            alive_after = run.poll() is None
            run.send_signal(2)
            try:
                _, err = run.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                run.kill()
                _, err = run.communicate()
            verify = cli(full / "ws", "log", "verify")[0]
            if alive_when_full and alive_after and "Traceback" not in err and verify == 0 and integrity_ok(full / "ws"):
                outcome.survived += 1
            else:
                outcome.fail(f"full disk: running while full {alive_when_full}, after {alive_after}, "
                             f"log verify {verify}: {err.strip()[-200:]}")
    return outcome
