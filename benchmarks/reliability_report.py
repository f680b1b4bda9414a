"""The reliability report: every case of ``tests/reliability`` at full size, as one table.

Cases (see ``tests/reliability/harness.py`` for what each checks):
1. fault matrix: every simulator fault kind on a share of the accounts, then cleared;
2. crash loop: ``run --headless``, exports and backups killed with SIGKILL at random points;
3. database pressure: another process's write lock, a large import during a cycle, a read-only
   copy, a full disk and its recovery (the last two need root on Linux);
4. soak: an accelerated day of cycles, memory, files, threads, tasks and database growth;
5. hostile content; 6. secret canaries; 7. keyring trouble; 8. bad input at every door.

Prints ``case | tried | survived | items lost | secrets leaked`` and what failed. Exit 0 when
every case survived with nothing lost or leaked, else 1. Usage::

    python benchmarks/reliability_report.py [--accounts 1000] [--kills 50] [--soak-hours 24]
        [--soak-accounts 1000] [--lock-s 10] [--only crash,soak]

The full run takes long (the soak is 144 cycles over a thousand accounts): ``--soak-hours`` and
``--soak-accounts`` shorten it, and the table says what was run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def isolate(home: Path) -> None:
    """A private home, data dir and no keyring of this machine: the report never touches them."""
    os.environ.update(
        HOME=str(home), USERPROFILE=str(home), JB_WATCHDESK_HOME=str(home / "workspace"),
        XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"), XDG_STATE_HOME=str(home / ".local/state"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", QT_QPA_PLATFORM="offscreen",
    )  # fmt: skip
    os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=1000, help="accounts of the fault matrix")
    parser.add_argument("--share", type=float, default=0.1, help="share of the accounts each fault hits")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--crash-accounts", type=int, default=120, help="district size of the crash loop (its feeds are read)")
    parser.add_argument("--lock-s", type=float, default=10.0)
    parser.add_argument("--import-rows", type=int, default=20_000)
    parser.add_argument("--soak-accounts", type=int, default=1000)
    parser.add_argument("--soak-hours", type=float, default=24.0)
    parser.add_argument("--soak-step-min", type=float, default=10.0, help="simulated minutes between cycles")
    parser.add_argument("--only", default="", help="comma-separated case names: faults,crash,pressure,soak,hostile,canaries,keyring,doors")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="jb-reliability-") as tmp:
        base = Path(tmp)
        isolate(base / "home")
        from tests.reliability import harness as h

        cases = {
            "faults": lambda: h.fault_matrix(base / "faults", accounts=args.accounts, share=args.share),
            "crash": lambda: h.crash_loop(base / "crash", kills=args.kills, accounts=args.crash_accounts),
            "pressure": lambda: h.database_pressure(base / "pressure", lock_s=args.lock_s, import_rows=args.import_rows),
            "soak": lambda: h.soak(base / "soak", accounts=args.soak_accounts, hours=args.soak_hours,
                                   step=timedelta(minutes=args.soak_step_min)),
            "hostile": lambda: h.hostile_content(base / "hostile"),
            "canaries": lambda: h.secret_canaries(base / "canaries"),
            "keyring": lambda: h.keyring_trouble(base / "keyring"),
            "doors": lambda: h.bad_input(base / "doors"),
        }  # fmt: skip
        chosen = [c for c in args.only.split(",") if c] or list(cases)
        outcomes = []
        for name in chosen:
            (base / name).mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            outcome = cases[name]()
            outcome.figures["wall s"] = outcome.figures.get("wall s", round(time.perf_counter() - started, 1))
            outcomes.append(outcome)
            print(f"… {outcome.case}: {outcome.survived}/{outcome.tried} in {outcome.figures['wall s']} s", file=sys.stderr, flush=True)

    print(f"{'case':<26} {'tried':>6} {'survived':>9} {'items lost':>11} {'secrets leaked':>15}")
    for o in outcomes:
        print(f"{o.case:<26} {o.tried:>6} {o.survived:>9} {o.lost:>11} {o.leaked:>15}")
    print()
    print(f"run: fault matrix {args.accounts} accounts ({args.share:.0%} per fault); crash loop {args.kills} kills over "
          f"{args.crash_accounts} accounts' feeds; lock {args.lock_s:.0f} s, import {args.import_rows} rows; soak "
          f"{args.soak_accounts} accounts, {args.soak_hours:g} simulated hours, a cycle every {args.soak_step_min:g} min")
    for o in outcomes:
        if o.figures:
            print(f"{o.case}: " + ", ".join(f"{k} {v}" for k, v in o.figures.items()))
        for note in o.notes:
            print(f"  ✗ {note}")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
