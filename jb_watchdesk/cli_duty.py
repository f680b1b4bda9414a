"""Duty commands: shifts, inspections, emergencies, the record's verification, handover exports and reports.

``cli.build_parser`` calls ``add_duty_commands(commands)`` with its top-level sub-parser group;
the handlers follow the ``cmd_x(app, args, out) -> int`` convention of ``cli.py`` and raise
``WatchdeskError`` subclasses for the officer's one-line error and exit code.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from jb_watchdesk.cli_output import dump_json, plain, print_table, shanghai, zh
from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import EnvironmentProblem, InputError
from jb_watchdesk.services.export_formats import HANDOVER_FORMATS, REPORT_FORMATS

if TYPE_CHECKING:  # annotations only: each command loads what it needs
    from jb_watchdesk.services import exports
    from jb_watchdesk.app import App
    from jb_watchdesk.domain.record import EmergencyStatus
    from jb_watchdesk.services.shifts import CarryOver

DUTY_EXAMPLES: Final[dict[str, str]] = {
    "shift start": "jb-watchdesk shift start --officer 张三",
    "shift end": "jb-watchdesk shift end --note 平安江北微博凭据将于周五到期，已通知区公安分局",
    "shift list": "jb-watchdesk shift list --json",
    "shift handover": "jb-watchdesk shift handover --confirm --officer 李四",
    "inspect": "jb-watchdesk inspect 3 --check 安全防护=后台弱口令 --action 已通知主办单位修改密码",
    "emergency start": "jb-watchdesk emergency start --title 观音桥暴雨内涝 --keywords 暴雨,内涝,积水",
    "emergency list": "jb-watchdesk emergency list --json",
    "log verify": "jb-watchdesk log verify",
    "handover export": "jb-watchdesk handover export --shift 12 --format pdf -o 交接-12.pdf",
    "report weekly": "jb-watchdesk report weekly --week 2026-W48 --format xlsx -o 周报-2026-W48.xlsx",
}



def _add(group: argparse._SubParsersAction, name: str, *, key: str, help: str) -> argparse.ArgumentParser:
    """A sub-command whose help ends with its example (``cli._Parser`` renders ``example``)."""
    return group.add_parser(name, help=help, description=help, example=DUTY_EXAMPLES[key])


def _group(commands: argparse._SubParsersAction, name: str, help: str) -> argparse._SubParsersAction:
    parser = commands.add_parser(name, help=help, description=help)
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(parser))


def add_duty_commands(commands: argparse._SubParsersAction) -> None:
    """Register the duty commands on the top-level sub-parser group of ``cli.build_parser``."""
    shift = _group(commands, "shift", "duty shifts and the handover")
    p = _add(shift, "start", key="shift start", help="start a shift (refused while another shift is open)")
    p.add_argument("--officer", required=True, metavar="NAME", help="the officer on duty")
    p.set_defaults(handler=cmd_shift_start)
    p = _add(shift, "end", key="shift end", help="end the open shift with a handover note, or force-close it with a reason")
    p.add_argument("--note", default="", metavar="TEXT", help="handover note for the incoming officer")
    p.add_argument("--force", metavar="REASON", help="force-close a shift its officer left open, recording why")
    p.set_defaults(handler=cmd_shift_end)
    p = _add(shift, "list", key="shift list", help="shifts, newest first")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_shift_list)
    p = _add(shift, "handover", key="shift handover", help="show what the last shift hands over; --confirm to take it over")
    p.add_argument("--confirm", action="store_true", help="confirm the handover (needs --officer)")
    p.add_argument("--officer", metavar="NAME", help="the incoming officer confirming")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_shift_handover)

    p = _add(commands, "inspect", key="inspect", help="record a manual inspection of an account with the four checks of §4.3")
    p.add_argument("account_id", type=int, metavar="ACCOUNT_ID")
    p.add_argument(
        "--check",
        action="append",
        default=[],
        metavar="NAME=ok|FINDING",
        help="operation/运行情况, column_updates/栏目更新, content_quality/信息内容质量, security/安全防护; "
        "checks not given are recorded as ok",
    )
    p.add_argument("--finding", default="", metavar="TEXT", help="overall finding")
    p.add_argument("--action", default="", metavar="TEXT", help="corrective action taken (required with any finding)")
    p.add_argument("--corrects", type=int, metavar="INSPECTION_ID", help="record this as a correction of an earlier inspection")
    p.set_defaults(handler=cmd_inspect)

    emergency = _group(commands, "emergency", "emergency plan activations (§3.6: first post within 2 hours)")
    p = _add(emergency, "start", key="emergency start", help="record an activation; the first related post stops the 2-hour clock")
    p.add_argument("--title", required=True, metavar="TEXT")
    p.add_argument("--keywords", metavar="K1,K2", help="words a related post contains (default: the title)")
    p.set_defaults(handler=cmd_emergency_start)
    p = _add(emergency, "list", key="emergency list", help="activations with their countdown, met or missed")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_emergency_list)

    log = _group(commands, "log", "the tamper-evident duty record")
    p = _add(log, "verify", key="log verify", help="check the record's hash chain; exit 1 naming the first broken row")
    p.add_argument("--anchor", metavar="SEQ:HASH", help="also check against the anchor printed in an earlier export")
    p.set_defaults(handler=cmd_log_verify)

    handover = _group(commands, "handover", "handover records")
    p = _add(handover, "export", key="handover export", help="export a shift's (or a period's) handover record")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--shift", type=int, metavar="ID", help="one shift")
    which.add_argument("--from", dest="start", metavar="ISO8601", help="start of a period (needs --to)")
    p.add_argument("--to", dest="end", metavar="ISO8601", help="end of the period")
    p.add_argument("--format", dest="fmt", choices=HANDOVER_FORMATS, required=True)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="PATH")
    p.set_defaults(handler=cmd_handover_export)

    report = _group(commands, "report", "reports")
    p = _add(report, "weekly", key="report weekly", help="weekly report: updates against 3/week, comment timeliness, alerts, charts")
    p.add_argument("--week", metavar="YYYY-Www", help="ISO week (default: the last full week)")
    p.add_argument("--format", dest="fmt", choices=REPORT_FORMATS, required=True)
    p.add_argument("-o", "--output", type=Path, required=True, metavar="PATH")
    p.set_defaults(handler=cmd_report_weekly)


# -- output helpers ---------------------------------------------------------------------------


def _local(when: datetime | None) -> str:
    return "-" if when is None else when.astimezone(shanghai()).strftime("%Y-%m-%d %H:%M")


def _parse_time(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("cli.bad_now", value=value) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=shanghai())


# -- shifts -----------------------------------------------------------------------------------


def cmd_shift_start(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    shift = ops.start_shift(app.store, officer=args.officer, now=app.clock.now()).result
    if zh():
        out.write(f"第 {shift.id} 班已开始：值班员 {plain(shift.officer)}，{_local(shift.started_at)}\n")
    else:
        out.write(f"shift {shift.id} started: {plain(shift.officer)} on duty since {_local(shift.started_at)}\n")
    view = ops.handover(app.store, now=app.clock.now())
    if view.awaiting_confirmation and view.previous is not None:
        out.write(
            f"请查看并确认第 {view.previous.id} 班的交接：shift handover\n"
            if zh()
            else f"review and confirm the handover of shift {view.previous.id}: shift handover\n"
        )
    return 0


def cmd_shift_end(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    shift = ops.end_shift(app.store, now=app.clock.now(), note=args.note, force_reason=args.force).result
    if zh():
        how = f"强制结班（{plain(shift.force_closed_reason)}）" if shift.force_closed_reason else "已交班"
        out.write(f"第 {shift.id} 班{how}：{_local(shift.started_at)} 至 {_local(shift.ended_at)}\n")
    else:
        how = f"force-closed ({plain(shift.force_closed_reason)})" if shift.force_closed_reason else "ended"
        out.write(f"shift {shift.id} {how}: {_local(shift.started_at)} to {_local(shift.ended_at)}\n")
    return 0


def cmd_shift_list(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    shifts = ops.list_shifts(app.store)
    if args.json:
        dump_json([s.to_json() for s in shifts], out)
        return 0
    headers = ["编号", "值班员", "开始", "结束", "交接确认", "说明"] if zh() else ["id", "officer", "start", "end", "confirmed by", "note"]
    print_table(
        [
            [
                s.id,
                s.officer,
                _local(s.started_at),
                _local(s.ended_at),
                s.handover_confirmed_by or "-",
                (f"[force] {s.force_closed_reason}" if s.force_closed_reason else s.end_note)[:40],
            ]
            for s in shifts
        ],
        headers=headers,
        out=out,
    )
    return 0


def _carry_json(carry: CarryOver) -> dict[str, Any]:
    from jb_watchdesk.services import exports
    return {
        "as_of": carry.as_of.isoformat(),
        "unacknowledged_alerts": [
            {"id": a["id"], "account_id": a["account_id"], "category": a["category"], "severity": a["severity"],
             "text": exports.mask_pii(a["text"]), "raised_at": a["raised_at"]}
            for a in carry.unacknowledged_alerts
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
    }


def _print_carry(carry: CarryOver, out: TextIO) -> None:
    from jb_watchdesk.services import exports
    chinese = zh()
    if carry.empty:
        out.write("没有遗留事项\n" if chinese else "nothing carried over\n")
        return
    for a in carry.unacknowledged_alerts:
        label = "未确认告警" if chinese else "unacknowledged alert"
        out.write(f"  {label} {a['id']}  {plain(a['account_name'])}  {plain(a['category'])}: {plain(exports.mask_pii(a['text']))[:40]}\n")
    for c in carry.overdue_comments:
        label = "超时留言" if chinese else "overdue comment"
        out.write(f"  {label} {c.id}  {plain(c.account_name)}  {c.state.value}  {_local(c.ack_due)}\n")
    for r in carry.accounts_at_risk:
        label = "账号风险" if chinese else "account at risk"
        out.write(f"  {label} {r.account.id}  {plain(r.account.name)}  {r.freshness.value}/{r.account.health.value}\n")
    for s in carry.waiting_emergencies:
        label = "突发事件" if chinese else "emergency"
        out.write(f"  {label} {s.emergency.id}  {plain(s.emergency.title)}  {s.state}  {_local(s.clock.due)}\n")


def cmd_shift_handover(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    now = app.clock.now()
    if args.confirm:
        if not args.officer:
            raise InputError("duty.empty", field="--officer")
        shift = ops.confirm_handover(app.store, officer=args.officer, now=now).result
        if zh():
            out.write(f"{plain(shift.handover_confirmed_by)} 已确认接收第 {shift.id} 班的交接\n")
        else:
            out.write(f"{plain(shift.handover_confirmed_by)} confirmed taking over shift {shift.id}\n")
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
    chinese = zh()
    if view.previous is not None:
        p = view.previous
        if p.handover_confirmed_by:
            by = plain(p.handover_confirmed_by)
            state = f"已由 {by} 确认" if chinese else f"confirmed by {by}"
        else:
            state = "待确认" if chinese else "awaiting confirmation"
        out.write(
            f"上一班：第 {p.id} 班 {plain(p.officer)}，{_local(p.started_at)} 至 {_local(p.ended_at)}（{state}）\n"
            if chinese
            else f"previous: shift {p.id} {plain(p.officer)}, {_local(p.started_at)} to {_local(p.ended_at)} ({state})\n"
        )
        if p.force_closed_reason:
            out.write(f"  强制结班原因：{plain(p.force_closed_reason)}\n" if chinese else f"  force-closed: {plain(p.force_closed_reason)}\n")
        if p.end_note:
            out.write(f"  交班说明：{plain(p.end_note)}\n" if chinese else f"  note: {plain(p.end_note)}\n")
    if view.on_duty is not None:
        out.write(f"当前值班：{plain(view.on_duty.officer)}\n" if chinese else f"on duty: {plain(view.on_duty.officer)}\n")
    out.write("遗留事项：\n" if chinese else "carried over:\n")
    _print_carry(view.carry_over, out)
    return 0


# -- inspections and emergencies ------------------------------------------------------------------


def cmd_inspect(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    from jb_watchdesk.services import inspections
    checks = inspections.parse_checks(args.check)
    inspection = ops.record_inspection(
        app.store,
        account_id=args.account_id,
        checks=checks,
        finding=args.finding,
        action=args.action,
        corrects_id=args.corrects,
        now=app.clock.now(),
    ).result
    problems = [inspections.CHECK_LABELS_ZH[c] if zh() else c.value for c in inspections.Check if checks[c] != inspections.OK]
    if zh():
        what = "更正记录" if inspection.corrects_id else "巡查记录"
        out.write(f"已记录{what} {inspection.id}（账号 {inspection.account_id}）：{'、'.join(problems) or '四项检查正常'}\n")
    else:
        what = "correction" if inspection.corrects_id else "inspection"
        out.write(f"recorded {what} {inspection.id} (account {inspection.account_id}): {', '.join(problems) or 'all four checks ok'}\n")
    return 0


_STATE_ZH: Final = {"waiting": "计时中", "met": "已按时发布", "missed": "超时未发布", "closed": "已关闭"}


def _remaining(status: EmergencyStatus) -> str:
    minutes = int(status.clock.remaining.total_seconds() // 60)
    if status.state == "met":
        return "-"
    sign = "-" if minutes < 0 else ""
    return f"{sign}{abs(minutes) // 60}:{abs(minutes) % 60:02d}"


def cmd_emergency_start(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    from jb_watchdesk.services.emergencies import parse_keywords
    status = ops.start_emergency(app.store, title=args.title, keywords=parse_keywords(args.keywords), now=app.clock.now()).result
    e = status.emergency
    if zh():
        out.write(f"已记录突发事件 {e.id}：{plain(e.title)}；首条相关发布须在 {_local(status.clock.due)} 前（{_STATE_ZH[status.state]}）\n")
    else:
        out.write(f"emergency {e.id} recorded: {plain(e.title)}; the first related post is due by {_local(status.clock.due)} ({status.state})\n")
    return 0


def cmd_emergency_list(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    rows = ops.emergency_status(app.store, now=app.clock.now())
    if args.json:
        dump_json([r.to_json() for r in rows], out)
        return 0
    headers = ["编号", "事件", "启动", "期限", "剩余", "首条发布", "状态"] if zh() else ["id", "title", "activated", "due", "left", "first post", "state"]
    print_table(
        [
            [r.emergency.id, r.emergency.title[:30], _local(r.emergency.activated_at), _local(r.clock.due), _remaining(r),
             _local(r.emergency.first_post_at), _STATE_ZH[r.state] if zh() else r.state]
            for r in rows
        ],
        headers=headers,
        out=out,
    )
    return 0


# -- the record -------------------------------------------------------------------------------------


def cmd_log_verify(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    from jb_watchdesk.storage import audit
    point = None
    if args.anchor:
        try:
            point = audit.Anchor.parse(args.anchor)
        except ValueError:
            raise InputError("log.bad_anchor", value=args.anchor) from None
    result = ops.verify_ledger(app.store, anchor=point)
    if result.ok:
        out.write(messages.text("log.intact", rows=result.rows_checked, anchor=result.head.text()) + "\n")
        return 0
    out.write(messages.text("log.broken", where=result.where, reason=result.describe()) + "\n")
    return 1


# -- exports ----------------------------------------------------------------------------------------


def _pdf_renderer() -> exports.PdfRenderer:
    """The Qt renderer, loaded only for PDF so the other formats work where Qt cannot."""
    try:
        from jb_watchdesk.ui import pdf
    except ImportError as error:
        raise EnvironmentProblem("export.no_pdf", detail=str(error)) from error

    def render(document: exports.Document, path: Path) -> None:
        try:
            pdf.render_pdf(document, path)
        except pdf.NoCjkFont as error:
            raise EnvironmentProblem("export.no_pdf", detail=str(error)) from error

    return render


def _wrote(path: Path, out: TextIO) -> None:
    out.write(f"已导出 {path}\n" if zh() else f"exported {path}\n")


def cmd_handover_export(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    start = end = None
    if args.shift is None:
        if not args.start or not args.end:
            raise InputError("export.bad_range")
        start, end = _parse_time(args.start), _parse_time(args.end)
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
    _wrote(args.output, out)
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
    _wrote(args.output, out)
    return 0
