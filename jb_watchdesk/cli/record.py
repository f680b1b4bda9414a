"""Emergencies and the record of monitoring itself: ``emergency start|list|cancel|correct`` (the
§3.6 two-hour clock) and ``gaps`` (when the desk watched nothing, and why).

``gaps --json`` prints a list of objects, oldest first: ``{"id", "started_at", "ended_at"
(null while open), "duration_s" (up to now for an open gap), "cause": "quit|pause|crash|unknown",
"reason", "officer", "recorded_at"}`` with ISO-8601 times.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO, cast

from jb_watchdesk.cli.output import dump_json, headers, label, line, print_table, say, when
from jb_watchdesk.cli.parser import SubParsers, command, group, helptext, json_flag, metavar, row_id

if TYPE_CHECKING:  # annotations only: the command loads what it needs when it runs
    from jb_watchdesk.app import App
    from jb_watchdesk.domain.record import EmergencyStatus


def register(commands: SubParsers) -> None:
    emergency = group(commands, "emergency")
    p = command(emergency, "start", key="emergency start")
    p.add_argument("--title", required=True, metavar=metavar("text"))
    p.add_argument("--keywords", metavar="K1,K2", help=helptext("emergency start.keywords"))
    p.set_defaults(handler=cmd_emergency_start)
    p = command(emergency, "list", key="emergency list")
    json_flag(p)
    p.set_defaults(handler=cmd_emergency_list)
    p = command(emergency, "cancel", key="emergency cancel")
    p.add_argument("emergency_id", type=row_id, metavar=metavar("id"))
    p.add_argument("--reason", required=True, metavar=metavar("text"), help=helptext("emergency cancel.reason"))
    p.add_argument("--officer", default="", metavar=metavar("name"), help=helptext("emergency.officer"))
    p.set_defaults(handler=cmd_emergency_cancel)
    p = command(emergency, "correct", key="emergency correct")
    p.add_argument("emergency_id", type=row_id, metavar=metavar("id"))
    p.add_argument("--title", required=True, metavar=metavar("text"))
    p.add_argument("--keywords", metavar="K1,K2", help=helptext("emergency correct.keywords"))
    p.add_argument("--reason", required=True, metavar=metavar("text"), help=helptext("emergency correct.reason"))
    p.add_argument("--restart-clock", action="store_true", help=helptext("emergency correct.restart_clock"))
    p.add_argument("--officer", default="", metavar=metavar("name"), help=helptext("emergency.officer"))
    p.set_defaults(handler=cmd_emergency_correct)

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

    start = parse_now(args.start, option="--from") if args.start else None
    end = parse_now(args.end, option="--to") if args.end else None
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


def _remaining(status: EmergencyStatus) -> str:
    from jb_watchdesk.domain.messages import times

    if status.state in ("met", "cancelled"):
        return "-"
    return times.duration(status.clock.remaining.total_seconds())


def cmd_emergency_start(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    from jb_watchdesk.services.emergencies import parse_keywords

    started = ops.start_emergency(app.store, title=args.title, keywords=parse_keywords(args.keywords), now=app.clock.now())
    status = cast("EmergencyStatus", started.result)
    line(out, "cli.emergency.started", emergency_id=status.emergency.id, title=status.emergency.title,
         due=when(status.clock.due), state=label("emergency_state", status.state))
    return 0


def cmd_emergency_cancel(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    changes = ops.cancel_emergency(app.store, args.emergency_id, reason=args.reason, officer=args.officer, now=app.clock.now())
    status = cast("EmergencyStatus", changes.result)
    line(out, "cli.emergency.cancelled", emergency_id=status.emergency.id, title=status.emergency.title,
         reason=status.emergency.cancel_reason)
    return 0


def cmd_emergency_correct(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    from jb_watchdesk.services.emergencies import parse_keywords

    changes = ops.correct_emergency(
        app.store,
        args.emergency_id,
        title=args.title,
        keywords=parse_keywords(args.keywords) or None,
        reason=args.reason,
        officer=args.officer,
        restart_clock=args.restart_clock,
        now=app.clock.now(),
    )
    cancelled, status = cast("tuple[EmergencyStatus, EmergencyStatus]", changes.result)
    line(out, "cli.emergency.corrected", old_id=cancelled.emergency.id, emergency_id=status.emergency.id,
         title=status.emergency.title, due=when(status.clock.due), state=label("emergency_state", status.state))
    return 0


def cmd_emergency_list(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    rows = ops.emergency_status(app.store, now=app.clock.now())
    if args.json:
        dump_json([r.to_json() for r in rows], out)
        return 0
    print_table(
        [
            [r.emergency.id, r.emergency.title[:30], when(r.emergency.activated_at), when(r.clock.due), _remaining(r),
             when(r.emergency.first_post_at), label("emergency_state", r.state)]
            for r in rows
        ],
        headers=headers("id", "title", "activated", "due", "left", "first_post", "emergency_state"),
        out=out,
    )
    return 0


# -- the record -------------------------------------------------------------------------------------
