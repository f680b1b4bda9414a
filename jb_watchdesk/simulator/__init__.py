"""The platform simulator: a loopback HTTP server speaking WeChat, Weibo, Douyin and RSS.

Used by ``--demo``, the integration tests and the benchmarks. Content is deterministic
from a seed (see :mod:`jb_watchdesk.simulator.world` for the accounts and their
behaviours); faults are injected per account, platform or rate
(:mod:`jb_watchdesk.simulator.faults`)::

    world = World(seed=1, accounts=240)
    with running_in_thread(world, latency_ms=200, faults="5xx%5") as base_url:
        ...

The package imports no Qt, storage or services code.
"""

from __future__ import annotations

from jb_watchdesk.simulator.faults import Fault, FaultKind, FaultPlan, parse_spec
from jb_watchdesk.simulator.server import SimulatorServer, main, run_simulator, running_in_thread, serving
from jb_watchdesk.simulator.world import BEHAVIOUR_PATTERN, Behaviour, ContentKind, SimAccount, World

__all__ = [
    "BEHAVIOUR_PATTERN",
    "Behaviour",
    "ContentKind",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "SimAccount",
    "SimulatorServer",
    "World",
    "main",
    "parse_spec",
    "run_simulator",
    "running_in_thread",
    "serving",
]
