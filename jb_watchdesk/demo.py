"""The demo workspace: the built-in simulator, a throwaway data dir and an in-memory credential store.

It holds the notice's nine accounts — five read by machine (their WeChat, Weibo and Douyin
accounts, served by the simulator), four read by the officer (Kuaishou, Weishi, 上游号 and
Toutiao have no API the desk can read: they are on the duty panel's reading checklist) — and a
few dozen simulated accounts of the district, some posting, some silent, some with unanswered
comments or sensitive content, and two that fail on purpose.
"""

from __future__ import annotations

import contextlib
import csv
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from jb_watchdesk.app import App, Clock
from jb_watchdesk.paths import Workspace, resources_dir
from jb_watchdesk.services import register
from jb_watchdesk.services.scheduler import PollSettings
from jb_watchdesk.simulator.server import SimulatorServer
from jb_watchdesk.simulator.world import World
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage.secrets import MemoryKeyring, SecretStore

DEMO_ACCOUNTS = 48
DEMO_SEED = 7
#: one feed answers with a login page, one Weibo token has expired: the officer sees both fail
DEMO_FAULTS = "html@rss-0002,expire@weibo-0003"
DEMO_POLLING = PollSettings(post_interval_s=60, comment_interval_s=90, max_concurrency=16, per_host_concurrency=16)
NOTICE_BY_MACHINE = {
    ("江北政务", "wechat_mp"): "wechat_mp-0010",
    ("重庆江北嘴", "wechat_mp"): "wechat_mp-0012",
    ("江北公安在线", "wechat_mp"): "wechat_mp-0009",
    ("平安江北", "weibo"): "weibo-0012",
    ("平安江北", "douyin"): "douyin-0012",
}
"""The notice's accounts the demo reads by machine, and the simulated account serving each."""
LABEL = "演示工作区 · 模拟平台 · 内存凭据库（退出即清除） / demo workspace, simulated platforms, in-memory credentials"


@dataclass(frozen=True, slots=True)
class Demo:
    app: App
    base_url: str
    server: SimulatorServer


@contextlib.contextmanager
def demo_workspace(clock: Clock) -> Iterator[Demo]:
    """Start the simulator, fill a temporary workspace, and clean everything up afterwards."""
    world = World(seed=DEMO_SEED, accounts=DEMO_ACCOUNTS)
    server = SimulatorServer(world, faults=DEMO_FAULTS)
    keyring = MemoryKeyring()
    with tempfile.TemporaryDirectory(prefix="jb-watchdesk-demo-") as tmp, server.running_in_thread() as base_url:
        root = Path(tmp)
        serving = set(NOTICE_BY_MACHINE.values())
        rows = [row for row in world.register_rows(base_url) if row["note"].removeprefix("sim:") not in serving]
        simulated = root / "simulated-register.csv"
        _write_csv(simulated, rows)
        notice = root / "notice-register.csv"
        _write_csv(notice, _notice_rows(world, base_url))
        with App(workspace=Workspace(root / "workspace"), clock=clock, secret_store=SecretStore(keyring)) as app:
            now = clock.now()
            register.import_register(app.store, notice, now=now)
            register.import_register(app.store, simulated, now=now)
            for account in app.store.call(account_store.list_accounts):
                key = NOTICE_BY_MACHINE.get((account.name, account.platform.value), "")
                if account.note.startswith("sim:"):
                    key = account.note.removeprefix("sim:")
                if not key:
                    continue
                for name, value in world.credentials(key).items():
                    if name in ("app_secret", "access_token", "client_key", "refresh_token"):
                        app.secrets.set(account.id, name, value)
                        app.store.call(account_store.add_secret_name, account.id, name, now=now)
            yield Demo(app=app, base_url=base_url, server=server)


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _notice_rows(world: World, base_url: str) -> list[dict[str, str]]:
    """The notice's register as shipped, with the machine-read accounts pointed at the simulator."""
    with open(resources_dir() / "accounts" / "jiangbei-2021.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    served = {row["note"].removeprefix("sim:"): row for row in world.register_rows(base_url)}
    for row in rows:
        key = NOTICE_BY_MACHINE.get((row["账号名称"], row["平台"]))
        if key is not None:
            row["来源"] = served[key]["source"]
            row["api_base"] = served[key]["api_base"]
    return rows
