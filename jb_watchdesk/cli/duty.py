"""The duty record: ``shift``, ``inspect``, ``log verify``, ``handover export``, ``report weekly``.

Handlers follow ``cmd_x(app, args, out) -> int`` and raise ``WatchdeskError`` subclasses for the
officer's one-line error and exit code.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from jb_watchdesk.cli.output import dump_json, headers, label, line, plain, print_table, say, when
from jb_watchdesk.cli.parser import SubParsers, command, group, helptext, json_flag, metavar, row_id
from jb_watchdesk.domain.errors import EnvironmentProblem, InputError
from jb_watchdesk.services.export_formats import HANDOVER_FORMATS, REPORT_FORMATS

if TYPE_CHECKING:  # annotations only: each command loads what it needs when it runs
    from jb_watchdesk.app import App
    from jb_watchdesk.domain.record import Inspection, Shift
    from jb_watchdesk.services import exports
    from jb_watchdesk.services.shifts import CarryOver


def register(commands: SubParsers) -> None:
    shift = group(commands, "shift")
    p = command(shift, "start", key="shift start")
    p.add_argument("--officer", required=True, metavar=metavar("name"), help=helptext("shift start.officer"))
    p.set_defaults(handler=cmd_shift_start)
    p = command(shift, "end", key="shift end")
    p.add_argument("--note", default="", metavar=metavar("text"), help=helptext("shift end.note"))
    p.add_argument("--force", metavar=metavar("reason"), help=helptext("shift end.force"))
    p.set_defaults(handler=cmd_shift_end)
    p = command(shift, "list", key="shift list")
    json_flag(p)
    p.set_defaults(handler=cmd_shift_list)
    p = command(shift, "handover", key="shift handover")
    p.add_argument("--confirm", action="store_true", help=helptext("shift handover.confirm"))
    p.add_argument("--officer", metavar=metavar("name"), help=helptext("shift handover.officer"))
    json_flag(p)
    p.set_defaults(handler=cmd_shift_handover)

    p = command(commands, "inspect")
    p.add_argument("account_id", type=row_id, metavar=metavar("account_id"))
    p.add_argument("--check", action="append", default=[], metavar=metavar("check"), help=helptext("inspect.check"))
    p.add_argument("--finding", default="", metavar=metavar("text"), help=helptext("inspect.finding"))
    p.add_argument("--action", default="", metavar=metavar("text"), help=helptext("inspect.action"))
    p.add_argument("--corrects", type=row_id, metavar=metavar("inspection_id"), help=helptext("inspect.corrects"))
    p.add_argument("--latest-post", metavar="ISO8601", help=helptext("inspect.latest_post"))
    p.add_argument("--posts", metavar=metavar("count"), help=helptext("inspect.posts"))
    p.add_argument("--comments-waiting", metavar=metavar("count"), help=helptext("inspect.comments_waiting"))
    p.add_argument("--link", default="", metavar=metavar("url"), help=helptext("inspect.link"))
    p.add_argument("--officer", metavar=metavar("name"), help=helptext("inspect.officer"))
    p.set_defaults(handler=cmd_inspect)

    log = group(commands, "log")
    p = command(log, "verify", key="log verify")
    p.add_argument("--anchor", metavar=metavar("anchor"), help=helptext("log verify.anchor"))
    p.set_defaults(handler=cmd_log_verify)

    handover = group(commands, "handover")
    p = command(handover, "export", key="handover export")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--shift", type=row_id, metavar=metavar("id"), help=helptext("handover export.shift"))
    which.add_argument("--from", dest="start", metavar="ISO8601", help=helptext("handover export.from"))
    p.add_argument("--to", dest="end", metavar="ISO8601", help=helptext("handover export.to"))
    p.add_argument("--format", dest="fmt", choices=HANDOVER_FORMATS, required=True)
    p.add_argument("-o", "--output", type=Path, required=True, metavar=metavar("path"))
    p.set_defaults(handler=cmd_handover_export)

    report = group(commands, "report")
    p = command(report, "weekly", key="report weekly")
    p.add_argument("--week", metavar="YYYY-Www", help=helptext("report weekly.week"))
    p.add_argument("--format", dest="fmt", choices=REPORT_FORMATS, required=True)
    p.add_argument("-o", "--output", type=Path, required=True, metavar=metavar("path"))
    p.set_defaults(handler=cmd_report_weekly)


def _parse_time(value: str, option: str) -> datetime:
    from jb_watchdesk.cli import parse_now

    parsed = parse_now(value, option=option)
    assert parsed is not None
    return parsed


# -- shifts -----------------------------------------------------------------------------------


def cmd_shift_start(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    shift = cast("Shift", ops.start_shift(app.store, officer=args.officer, now=app.clock.now()).result)
    line(out, "cli.shift.started", shift_id=shift.id, officer=shift.officer, at=when(shift.started_at))
    view = ops.handover(app.store, now=app.clock.now())
    if view.awaiting_confirmation and view.previous is not None:
        line(out, "cli.shift.review_handover", shift_id=view.previous.id)
    return 0


def cmd_shift_end(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    shift = cast("Shift", ops.end_shift(app.store, now=app.clock.now(), note=args.note, force_reason=args.force).result)
    if shift.force_closed_reason:
        line(out, "cli.shift.force_closed", shift_id=shift.id, reason=shift.force_closed_reason,
             start=when(shift.started_at), end=when(shift.ended_at))
    else:
        line(out, "cli.shift.ended", shift_id=shift.id, start=when(shift.started_at), end=when(shift.ended_at))
    return 0


def cmd_shift_list(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    shifts = ops.list_shifts(app.store)
    if args.json:
        dump_json([s.to_json() for s in shifts], out)
        return 0
    print_table(
        [
            [
                s.id,
                s.officer,
                when(s.started_at),
                when(s.ended_at),
                s.handover_confirmed_by or "-",
                (say("cli.shift.forced_note", reason=s.force_closed_reason) if s.force_closed_reason else s.end_note)[:40],
            ]
            for s in shifts
        ],
        headers=headers("id", "officer", "start", "end", "confirmed_by", "note"),
        out=out,
    )
    return 0


def _carry_json(carry: CarryOver) -> dict[str, Any]:
    from jb_watchdesk.services import exports

    return {
        "as_of": carry.as_of.isoformat(),
        "alert_counts": carry.alert_counts.as_json(),
        "unacknowledged_alerts": [
            {"id": a.id, "account_id": a.account_id, "category": a.category, "severity": a.severity.value,
             "text": exports.mask_pii(a.text), "raised_at": a.raised_at.isoformat(timespec="microseconds")}
            for a in carry.open_alerts
        ],
        "overdue_comments": [
            {"id": c.id, "account_id": c.account_id, "state": c.state.value, "ack_due": c.ack_due.isoformat(),
             "result_due": c.result_due.isoformat()}
            for c in carry.overdue_comments
        ],
        "accounts": [
            {"account_id": r.account.id, "name": r.account.name, "freshness": r.freshness.value, "health": r.account.health.value}
            for r in carry.accounts_at_risk
        ],
        "emergencies": [s.to_json() for s in carry.waiting_emergencies],
        "unread_accounts": [{"account_id": a.id, "name": a.name, "platform": a.platform.value} for a in carry.unread_accounts],
    }


def _print_carry(carry: CarryOver, out: TextIO) -> None:
    from jb_watchdesk.services import exports

    if carry.empty:
        line(out, "cli.handover.nothing")
        return
    counts = carry.alert_counts
    if counts.open:
        line(out, "alert.open_counts", open=counts.open, high=counts.open_high, live=counts.open_live, backlog=counts.open_backlog)
    for a in carry.open_alerts:
        line(out, "cli.handover.alert", id=a.id, account=a.account_name, category=label("category", a.category),
             text=plain(exports.mask_pii(a.text))[:40])
    for c in carry.overdue_comments:
        line(out, "cli.handover.comment", id=c.id, account=c.account_name, state=label("comment_state", c.state),
             due=when(c.ack_due))
    for r in carry.accounts_at_risk:
        line(out, "cli.handover.account", id=r.account.id, account=r.account.name,
             freshness=label("freshness", r.freshness), health=label("health", r.account.health))
    for unread in carry.unread_accounts:
        line(out, "cli.handover.unread", id=unread.id, account=unread.name, platform=label("platform", unread.platform))
    for s in carry.waiting_emergencies:
        line(out, "cli.handover.emergency", id=s.emergency.id, title=s.emergency.title,
             state=label("emergency_state", s.state), due=when(s.clock.due))


def cmd_shift_handover(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    now = app.clock.now()
    if args.confirm:
        if not args.officer:
            raise InputError("duty.empty", field="--officer")
        shift = cast("Shift", ops.confirm_handover(app.store, officer=args.officer, now=now).result)
        line(out, "cli.handover.confirmed", officer=shift.handover_confirmed_by or "", shift_id=shift.id)
        return 0
    view = ops.handover(app.store, now=now)
    if args.json:
        dump_json(
            {
                "previous": view.previous.to_json() if view.previous else None,
                "on_duty": view.on_duty.to_json() if view.on_duty else None,
                "awaiting_confirmation": view.awaiting_confirmation,
                "carry_over": _carry_json(view.carry_over),
            },
            out,
        )
        return 0
    if view.previous is not None:
        p = view.previous
        if p.handover_confirmed_by:
            state = say("cli.handover.confirmed_by", officer=plain(p.handover_confirmed_by))
        else:
            state = say("cli.handover.awaiting")
        line(out, "cli.handover.previous", shift_id=p.id, officer=p.officer, start=when(p.started_at),
             end=when(p.ended_at), state=state)
        if p.force_closed_reason:
            line(out, "cli.handover.force_reason", reason=p.force_closed_reason)
        if p.end_note:
            line(out, "cli.handover.note", note=p.end_note)
    if view.on_duty is not None:
        line(out, "cli.handover.on_duty", officer=view.on_duty.officer)
    line(out, "cli.handover.carried")
    _print_carry(view.carry_over, out)
    return 0


# -- inspections and emergencies ------------------------------------------------------------------


def cmd_inspect(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import inspections
    from jb_watchdesk.services import operations as ops

    reading_only = (args.posts, args.comments_waiting, args.officer, args.link or None)
    if args.latest_post is not None:
        return _record_reading(app, args, out)
    if any(value is not None for value in reading_only):
        raise InputError("cli.inspect.reading_needs_latest")
    checks = inspections.parse_checks(args.check)
    recorded = ops.record_inspection(
        app.store,
        account_id=args.account_id,
        checks=checks,
        finding=args.finding,
        action=args.action,
        corrects_id=args.corrects,
        now=app.clock.now(),
    )
    inspection = cast("Inspection", recorded.result)
    problems = [label("check", c) for c in inspections.Check if checks[c] != inspections.OK]
    line(
        out,
        "cli.inspect.correction" if inspection.corrects_id else "cli.inspect.recorded",
        inspection_id=inspection.id,
        account_id=inspection.account_id,
        problems=say("cli.list_separator").join(problems) or say("cli.inspect.all_ok"),
    )
    return 0


def _record_reading(app: App, args: argparse.Namespace, out: TextIO) -> int:
    """``inspect ACCOUNT_ID --latest-post ISO …``: an officer's reading of the account."""
    from jb_watchdesk.services import inspections as i
    from jb_watchdesk.services import operations as ops

    if args.check:
        raise InputError("cli.inspect.reading_with_checks")
    recorded = ops.record_reading(
        app.store, account_id=args.account_id, latest_post_at=i.parse_reading_time(args.latest_post),
        posts_seen=i.parse_count(args.posts, field_name="--posts"), link=args.link, officer=args.officer,
        comments_waiting=i.parse_count(args.comments_waiting, field_name="--comments-waiting"), corrects_id=args.corrects,
        now=app.clock.now(),
    )
    done = cast("Inspection", recorded.result)
    seen = done.reading
    assert seen is not None
    counts = [say("cli.inspect.not_counted") if n is None else n for n in (seen.posts_seen, seen.comments_waiting)]
    line(out, "cli.inspect.reading", inspection_id=done.id, account_id=done.account_id, officer=done.officer,
         latest=when(seen.latest_post_at), posts=counts[0], comments=counts[1])
    return 0


def cmd_log_verify(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    anchor = ops.parse_anchor(args.anchor) if args.anchor else None
    result = ops.verify_ledger(app.store, anchor=anchor)
    if result.ok:
        key = "log.intact_anchor" if anchor else "log.intact"
        line(out, key, rows=result.rows_checked, seq=anchor.seq if anchor else 0, anchor=result.head.text())
        return 0
    if result.tampered:
        line(out, "log.broken", where=result.where, reason=result.describe())
        return 1
    line(out, "log.unconfirmed", rows=result.rows_checked, reason=result.describe())  # not tampering
    return 2 if result.code == "anchor_misnumbered" else 1  # a mistyped number is bad input


# -- exports ----------------------------------------------------------------------------------------


def _pdf_renderer() -> exports.PdfRenderer:
    """The Qt renderer, loaded only for PDF so the other formats work where Qt cannot."""
    try:
        from jb_watchdesk.ui import pdf
    except ImportError as error:
        raise EnvironmentProblem("export.no_pdf", detail=str(error)) from error
    return pdf.render_for_officer


def _exported(out: TextIO, path: Path, *, fmt: str) -> None:
    """The export's line, and for a PDF whose text will not search as printed, a second saying so."""
    line(out, "cli.exported", path=str(path))
    if fmt == "pdf":
        from jb_watchdesk.ui import pdf

        if not pdf.text_searchable():
            line(out, "export.pdf_not_searchable")


def cmd_handover_export(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    start = end = None
    if args.shift is None:
        if not args.start or not args.end:
            raise InputError("export.bad_range")
        start, end = _parse_time(args.start, "--from"), _parse_time(args.end, "--to")
    elif args.end:
        raise InputError("export.bad_range")
    ops.export_handover(
        app.store,
        path=args.output,
        fmt=args.fmt,
        now=app.clock.now(),
        shift_id=args.shift,
        start=start,
        end=end,
        pdf_renderer=_pdf_renderer() if args.fmt == "pdf" else None,
    )
    _exported(out, args.output, fmt=args.fmt)
    return 0


def cmd_report_weekly(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    ops.export_weekly(
        app.store,
        path=args.output,
        fmt=args.fmt,
        now=app.clock.now(),
        week=args.week,
        pdf_renderer=_pdf_renderer() if args.fmt == "pdf" else None,
    )
    _exported(out, args.output, fmt=args.fmt)
    return 0
