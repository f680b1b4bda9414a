"""The workstation: ``doctor``, ``db backup`` and the ``simulator`` of the platforms."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from jb_watchdesk.cli.output import dump_json, label, line, plain
from jb_watchdesk.cli.parser import SubParsers, command, group, helptext, json_flag, metavar, whole_number

if TYPE_CHECKING:  # annotations only: each command loads what it needs when it runs
    from jb_watchdesk.app import App
    from jb_watchdesk.services import doctor


def register(commands: SubParsers) -> None:
    p = command(commands, "doctor")
    json_flag(p)
    p.set_defaults(handler=cmd_doctor)

    p = command(commands, "simulator")
    p.add_argument("--host", default="127.0.0.1", help=helptext("simulator.host"))
    # Ranges checked at the door (exit 2, one line): a TCP port (0: any free one); the world's
    # account limit (simulator.model.MAX_ACCOUNTS); a seed Random takes as is; an hour at most.
    p.add_argument("--port", type=whole_number(0, 65_535), default=8765, help=helptext("simulator.port"))
    p.add_argument("--accounts", type=whole_number(1, 9_999), default=240, help=helptext("simulator.accounts"))
    p.add_argument("--seed", type=whole_number(0, 2**63 - 1), default=1, help=helptext("simulator.seed"))
    p.add_argument("--latency-ms", type=whole_number(0, 3_600_000), default=0, help=helptext("simulator.latency"))
    p.add_argument("--faults", default="", metavar=metavar("spec"), help=helptext("simulator.faults"))
    p.set_defaults(handler=cmd_simulator, needs_workspace=False)

    db = group(commands, "db")
    p = command(db, "backup", key="db backup")
    p.add_argument("path", type=Path, metavar=metavar("path"))
    p.set_defaults(handler=cmd_db_backup)
    p = command(db, "restore", key="db restore")
    p.add_argument("path", type=Path, metavar=metavar("path"))
    p.set_defaults(handler=cmd_db_restore)


def _notification_chain() -> doctor.Check:
    """The window's notification chain; asks Qt only when there is a display to ask."""
    from jb_watchdesk.services import doctor
    from jb_watchdesk.ui.desktop import display_available

    if not display_available():
        return doctor.notification_chain(None)
    from jb_watchdesk.ui.probe import notification_links

    return doctor.notification_chain(notification_links())


def cmd_doctor(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import doctor

    checks = doctor.run_checks(workspace=app.workspace, secrets=app.secrets, calendar=app.calendar, now=app.clock.now())
    checks.append(_notification_chain())
    checks.extend(doctor.maintenance_checks(app.workspace))
    from jb_watchdesk.services.redaction import redact  # doctor_redact: every secret the checks read is masked

    if args.json:
        dump_json([{key: redact(value) for key, value in c.to_json().items()} for c in checks], out)
    else:
        for check in checks:
            line(out, "cli.doctor.line", level=label("doctor_level", check.level), name=label("doctor_check", check.name),
                 detail=redact(check.detail))
            if check.advice:
                out.write(f"       → {plain(redact(check.advice))}\n")
    return 1 if any(c.level is doctor.Level.FAIL for c in checks) else 0


def cmd_db_backup(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    target = ops.backup_database(app.store, args.path)
    line(out, "cli.db.backed_up", path=str(target))
    return 0


def cmd_db_restore(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    restored = ops.restore_database(app.workspace, args.path, now=app.clock.now())
    if restored.replaced is None:
        line(out, "cli.db.restored_new", path=str(restored.source), rows=restored.ledger_rows)
    else:
        line(out, "cli.db.restored", path=str(restored.source), rows=restored.ledger_rows, replaced=str(restored.replaced))
    return 0


def cmd_simulator(args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.simulator.server import run_simulator

    return run_simulator(
        host=args.host, port=args.port, accounts=args.accounts, seed=args.seed, latency_ms=args.latency_ms, faults=args.faults
    )
