"""The record of monitoring itself: ``gaps`` (when the desk watched nothing, and why).

``gaps --json`` prints a list of objects, oldest first: ``{"id", "started_at", "ended_at"
(null while open), "duration_s" (up to now for an open gap), "cause": "quit|pause|crash|unknown",
"reason", "officer", "recorded_at"}`` with ISO-8601 times.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

from jb_watchdesk.cli.output import dump_json, headers, label, line, print_table, say, when
from jb_watchdesk.cli.parser import SubParsers, command, helptext, json_flag

if TYPE_CHECKING:  # annotations only: the command loads what it needs when it runs
    from jb_watchdesk.app import App


def register(commands: SubParsers) -> None:
    p = command(commands, "gaps")
    p.add_argument("--from", dest="start", metavar="ISO8601", help=helptext("gaps.from"))
    p.add_argument("--to", dest="end", metavar="ISO8601", help=helptext("gaps.to"))
    json_flag(p)
    p.set_defaults(handler=cmd_gaps)


def cmd_gaps(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.cli import parse_now
    from jb_watchdesk.domain.errors import InputError
    from jb_watchdesk.domain.messages import times
    from jb_watchdesk.services import operations as ops

    start = parse_now(args.start) if args.start else None
    end = parse_now(args.end) if args.end else None
    if start is not None and end is not None and end <= start:
        raise InputError("gaps.bad_range")
    now = app.clock.now()
    gaps = ops.list_gaps(app.store, start=start, end=end)
    if args.json:
        dump_json([gap.to_json(now=now) for gap in gaps], out)
        return 0
    if not gaps:
        line(out, "cli.gaps.none")
        return 0
    print_table(
        [
            [
                gap.id,
                when(gap.started_at),
                when(gap.ended_at) if gap.ended_at else say("cli.gaps.ongoing"),
                times.duration(gap.duration(now=now).total_seconds()),
                label("gap_cause", gap.cause.value),
                gap.reason[:40] or "-",
                gap.officer or "-",
            ]
            for gap in gaps
        ],
        headers=headers("id", "start", "end", "duration", "cause", "reason", "officer"),
        out=out,
    )
    return 0
