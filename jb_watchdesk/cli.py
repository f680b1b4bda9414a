"""The command line: argument parsing and dispatch. Business logic lives in services/."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from jb_watchdesk import __version__
from jb_watchdesk.cli_duty import add_duty_commands
from jb_watchdesk.cli_output import dump_json, plain, print_table, shanghai, zh
from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import EnvironmentProblem, ImportRejected, InputError, WatchdeskError
from jb_watchdesk.domain.models import Account, AlertState
from jb_watchdesk.paths import Workspace

if TYPE_CHECKING:
    # Annotations only. Each command imports what it needs when it runs, so a short command
    # (``scan``, ``--version``) never loads the database, the network stack or the window.
    from jb_watchdesk.app import App, Clock
    from jb_watchdesk.services import doctor, poller, watch
    from jb_watchdesk.services.scheduler import PollSettings

PROG = "jb-watchdesk"
log = logging.getLogger("jb_watchdesk")

EXAMPLES = {
    "accounts import": "jb-watchdesk accounts import resources/accounts/jiangbei-2021.csv",
    "accounts export": "jb-watchdesk accounts export register.xlsx",
    "accounts list": "jb-watchdesk accounts list --json",
    "accounts set-secret": "printf %s \"$APP_SECRET\" | jb-watchdesk accounts set-secret 1 app_secret",
    "status": "jb-watchdesk --now 2026-11-25T08:00:00+08:00 status --json",
    "doctor": "jb-watchdesk doctor",
    "db backup": "jb-watchdesk db backup /mnt/backup/watchdesk-$(date +%F).sqlite3",
    "poll": "jb-watchdesk poll --once --json",
    "run": "jb-watchdesk run --headless",
    "comments": "jb-watchdesk comments --pending --json",
    "scan": "jb-watchdesk scan --json draft.txt",
    "alerts": "jb-watchdesk alerts --state all --json",
    "alerts ack": "jb-watchdesk alerts ack 12 --note 已联系发布单位删除并核实 --officer 张三",
    "lexicon allow": "jb-watchdesk lexicon allow 江北特供茶叶展销会 --note 展会名称，非广告 --alert 12 --officer 张三",
    "lexicon check": "jb-watchdesk lexicon check",
    "simulator": "jb-watchdesk simulator --port 8765 --accounts 240 --faults '5xx%5,html@rss-0003'",
}


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: object, example: str | None = None, **kwargs: object) -> None:
        if example:
            kwargs["epilog"] = f"example:\n  {example}"
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def _sub(group: argparse._SubParsersAction, name: str, *, key: str, help: str) -> argparse.ArgumentParser:
    return group.add_parser(name, help=help, description=help, example=EXAMPLES[key])


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="JB WatchDesk (江北政务新媒体值班台): the duty desk for government new-media accounts.",
        epilog="examples:\n  jb-watchdesk --demo\n  jb-watchdesk --data-dir ./ws accounts import register.csv\n"
        "  jb-watchdesk status --json\n\nexit codes: 0 ok, 1 a check failed, 2 bad input, 3 environment problem",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="workspace folder (default: $JB_WATCHDESK_HOME or the user data dir)")
    parser.add_argument("--now", metavar="ISO8601", help="evaluate as of this instant, e.g. 2026-11-25T08:00:00+08:00")
    parser.add_argument("--lang", choices=messages.LANGUAGES, help="message language (default zh, or $JB_WATCHDESK_LANG)")
    parser.add_argument("--demo", action="store_true", help="run on a fresh demo workspace")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    accounts = commands.add_parser("accounts", help="the account register", description="the account register")
    acc = accounts.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    p = _sub(acc, "import", key="accounts import", help="import a register (.csv/.xlsx/.json); all-or-nothing")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=cmd_accounts_import)
    p = _sub(acc, "export", key="accounts export", help="export the register (.csv/.xlsx/.json); round-trips with import")
    p.add_argument("file", type=Path, metavar="FILE")
    p.set_defaults(handler=cmd_accounts_export)
    p = _sub(acc, "list", key="accounts list", help="list the accounts")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_accounts_list)
    p = _sub(acc, "set-secret", key="accounts set-secret", help="store a secret for an account in the OS keyring, read from stdin")
    p.add_argument("account_id", type=int, metavar="ID")
    p.add_argument("name", metavar="NAME", help="e.g. app_secret, access_token, client_secret, refresh_token")
    p.set_defaults(handler=cmd_accounts_set_secret)

    p = _sub(commands, "status", key="status", help="per account: freshness, health, pending and overdue comments")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_status)

    p = _sub(commands, "doctor", key="doctor", help="check keyring, database, calendar, proxy, notifications, display")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_doctor)

    p = _sub(commands, "poll", key="poll", help="poll every account (once, or on schedule until stopped)")
    p.add_argument("--once", action="store_true", help="one cycle over every account, then exit")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_poll)

    p = _sub(commands, "run", key="run", help="the whole duty loop without a window")
    p.add_argument("--headless", action="store_true", required=True, help="no window (the only mode for now)")
    p.set_defaults(handler=cmd_run)

    p = _sub(commands, "comments", key="comments", help="public comments with their acknowledgement and result deadlines")
    p.add_argument("--pending", action="store_true", help="only comments not yet done")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_comments)

    p = _sub(commands, "scan", key="scan", help="scan a text for sensitive content; exit 0 when clean, 1 when anything is found")
    p.add_argument("file", nargs="?", default="-", metavar="FILE", help="UTF-8 text file, or - for standard input (the default)")
    p.add_argument("--json", action="store_true", help="machine-readable output; offsets are code points into the input")
    p.add_argument(
        "--lexicon", action="append", type=Path, metavar="FILE",
        help="scan with this lexicon file or folder instead of the shipped and workspace ones (repeatable)",
    )
    p.set_defaults(handler=cmd_scan, needs_workspace=False)

    p = _sub(commands, "alerts", key="alerts", help="sensitive-content and lifecycle alerts, newest first")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--state", choices=[*(s.value for s in AlertState), "all"], default="new", help="which alerts (default: new)")
    p.set_defaults(handler=cmd_alerts)
    ala = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    p = _sub(ala, "ack", key="alerts ack", help="acknowledge an alert: who looked at it and what was done")
    p.add_argument("alert_id", type=int, metavar="ID")
    p.add_argument("--note", required=True, help="what was done, e.g. asked the unit to delete the post")
    p.add_argument("--officer", help="who acknowledges (default: the login name)")
    p.set_defaults(handler=cmd_alerts_ack)

    lexicon = commands.add_parser("lexicon", help="the sensitive-content lexicon", description="the sensitive-content lexicon")
    lex = lexicon.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    p = _sub(
        lex, "allow", key="lexicon allow",
        help="add an allow phrase to the workspace's lexicon/allow.csv; with --alert also acknowledge that alert",
    )
    p.add_argument("phrase", metavar="PHRASE", help="at least two characters; it cancels every hit it fully covers")
    p.add_argument("--note", default="", help="why the phrase is allowed, e.g. a place name, not an advertisement")
    p.add_argument("--alert", type=int, metavar="ID", help="the alert the phrase answers: it must contain the alert's matched text")
    p.add_argument("--officer", help="who adds the phrase (default: the login name)")
    p.set_defaults(handler=cmd_lexicon_allow)
    p = _sub(
        lex, "check", key="lexicon check",
        help="list lexicon problems; exit 1 if a file cannot be read or lines were skipped",
    )
    p.add_argument(
        "paths", nargs="*", type=Path, metavar="FILE",
        help="lexicon files or folders to check (default: the shipped lexicon and the workspace's lexicon/ folder)",
    )
    p.set_defaults(handler=cmd_lexicon_check, needs_workspace=False)

    p = _sub(commands, "simulator", key="simulator", help="serve the simulated platforms on loopback (demo, tests, benchmarks)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    p.add_argument("--accounts", type=int, default=240, help="number of simulated accounts")
    p.add_argument("--seed", type=int, default=1, help="seed of the deterministic content")
    p.add_argument("--latency-ms", type=int, default=0, help="added latency per request")
    p.add_argument("--faults", default="", metavar="SPEC", help="e.g. 5xx%%5,html@rss-0003,drip@weibo-0002,429=30%%10")
    p.set_defaults(handler=cmd_simulator, needs_workspace=False)

    add_duty_commands(commands)

    db = commands.add_parser("db", help="database maintenance", description="database maintenance")
    dba = db.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    p = _sub(dba, "backup", key="db backup", help="consistent online backup through the SQLite backup API")
    p.add_argument("path", type=Path, metavar="PATH")
    p.set_defaults(handler=cmd_db_backup)
    return parser


def command_names(parser: argparse.ArgumentParser | None = None) -> list[str]:
    """Every command as typed, e.g. ``accounts import``: the README must document each one."""
    parser = parser or build_parser()
    names: list[str] = []

    def walk(p: argparse.ArgumentParser, prefix: str) -> None:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    full = f"{prefix} {name}".strip()
                    before = len(names)
                    walk(sub, full)
                    if len(names) == before:
                        names.append(full)

    walk(parser, "")
    return names


# -- output helpers ---------------------------------------------------------------


def _account_json(account: Account) -> dict[str, object]:
    return {
        "id": account.id,
        "name": account.name,
        "platform": account.platform.value,
        "unit": account.unit,
        "status": account.status.value,
        "source": account.source,
        "api_base": account.api_base,
        "owner": account.owner,
        "note": account.note,
        "secrets": list(account.secret_names),
        "health": account.health.value,
    }




# -- commands -----------------------------------------------------------------------


def cmd_accounts_import(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    changes = ops.import_register(app.store, args.file, now=app.clock.now()).result
    if zh():
        out.write(f"已导入 {args.file}：新增 {changes.created}，更新 {changes.updated}，未变 {changes.unchanged}\n")
    else:
        out.write(f"imported {args.file}: {changes.created} new, {changes.updated} updated, {changes.unchanged} unchanged\n")
    return 0


def cmd_accounts_export(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    count = ops.export_register(app.store, args.file)
    out.write(f"已导出 {count} 个账号到 {args.file}\n" if zh() else f"exported {count} accounts to {args.file}\n")
    return 0


def cmd_accounts_list(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    accounts = ops.list_accounts(app.store)
    if args.json:
        dump_json([_account_json(a) for a in accounts], out)
        return 0
    headers = ["编号", "账号名称", "平台", "主办单位", "状态", "来源"] if zh() else ["id", "name", "platform", "unit", "status", "source"]
    print_table(
        [[a.id, a.name, a.platform.value, a.unit, a.status.value, a.source or "-"] for a in accounts],
        headers=headers,
        out=out,
    )
    return 0


def _read_secret(stdin: TextIO) -> str:
    if stdin.isatty():
        return getpass.getpass("secret: ")
    value = stdin.read(64 * 1024)
    # Exactly one trailing newline is what `echo` and here-strings add; keep everything else.
    if value.endswith("\r\n"):
        return value[:-2]
    return value[:-1] if value.endswith("\n") else value


def cmd_accounts_set_secret(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    from jb_watchdesk.services.accounts import check_secret_name
    from jb_watchdesk.storage.secrets import validate_secret_name
    validate_secret_name(args.name)
    app.secrets.check()  # refuse before reading the secret or touching the database
    account = ops.get_account(app.store, args.account_id)
    check_secret_name(account, args.name)
    value = _read_secret(sys.stdin)
    ops.set_secret(app.store, app.secrets, account_id=account.id, name=args.name, value=value, now=app.clock.now())
    if zh():
        out.write(f"已将账号 {account.id}（{plain(account.name)}）的 {args.name} 存入 {app.secrets.describe()}\n")
    else:
        out.write(f"stored {args.name} for account {account.id} ({plain(account.name)}) in {app.secrets.describe()}\n")
    return 0


def cmd_status(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    rows = ops.account_status(app.store, now=app.clock.now())
    if args.json:
        dump_json([row.to_json() for row in rows], out)
        return 0
    headers = (
        ["编号", "账号名称", "平台", "本周/3", "近7天", "沉默天数", "更新", "健康", "待回复", "超时确认", "超时办结"]
        if zh()
        else ["id", "name", "platform", "week/3", "7d", "silent", "fresh", "health", "pending", "late ack", "late result"]
    )
    print_table(
        [
            [
                r.account.id,
                r.account.name,
                r.account.platform.value,
                r.posts_this_week,
                r.posts_7d,
                "-" if r.days_silent is None else r.days_silent,
                r.freshness.value,
                r.account.health.value,
                r.pending_comments,
                r.overdue_ack,
                r.overdue_result,
            ]
            for r in rows
        ],
        headers=headers,
        out=out,
    )
    return 0


def _notification_chain() -> doctor.Check:
    """The window's notification chain; asks Qt only when there is a display to ask."""
    from jb_watchdesk.services import doctor
    from jb_watchdesk.ui.desktop import display_available

    if not display_available():
        return doctor.Check("notification_chain", doctor.Level.WARN, "no display: the tray cannot be checked", "run the desktop to use the tray")
    from jb_watchdesk.ui.probe import notification_links

    links = notification_links()
    detail = ", ".join(f"{name}={'yes' if ok else 'no'}" for name, ok in links.items())
    if links["tray_messages"] and links["os"]:
        return doctor.Check("notification_chain", doctor.Level.OK, detail)
    return doctor.Check(
        "notification_chain",
        doctor.Level.WARN,
        detail,
        "alerts still reach the in-app banner and the pop-up; a tray or notification service adds the rest",
    )


def cmd_doctor(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import doctor
    checks = doctor.run_checks(workspace=app.workspace, secrets=app.secrets, calendar=app.calendar, now=app.clock.now())
    checks.append(_notification_chain())
    if args.json:
        dump_json([c.to_json() for c in checks], out)
    else:
        for check in checks:
            out.write(f"[{check.level.value:4}] {check.name}: {plain(check.detail)}\n")
            if check.advice:
                out.write(f"       → {plain(check.advice)}\n")
    return 1 if any(c.level is doctor.Level.FAIL for c in checks) else 0


def cmd_db_backup(app: App, args: argparse.Namespace, out: TextIO) -> int:
    try:
        target = app.store.backup(args.path)
    except OSError as error:
        raise InputError("file.unwritable", path=str(args.path), detail=error.strerror or str(error)) from error
    out.write(f"已备份到 {target}\n" if zh() else f"backed up to {target}\n")
    return 0


def _print_changes(changes: poller.PollResult, out: TextIO) -> None:
    when = changes.finished_at.astimezone(shanghai()).strftime("%H:%M:%S") if changes.finished_at else "--:--:--"
    if zh():
        out.write(
            f"[{when}] 巡查 {changes.accounts_polled} 个账号：正常 {changes.accounts_ok}，失败 {changes.accounts_failed}；"
            f"新发布 {len(changes.new_posts)}，修改 {len(changes.edited_posts)}，新留言 {len(changes.new_comments)}\n"
        )
    else:
        out.write(
            f"[{when}] polled {changes.accounts_polled} accounts: {changes.accounts_ok} ok, {changes.accounts_failed} failed; "
            f"{len(changes.new_posts)} new posts, {len(changes.edited_posts)} edited, {len(changes.new_comments)} new comments\n"
        )
    for failure in changes.failures:
        out.write(f"  ! {failure.account_id} {plain(failure.name)}: {failure.health.value} {plain(failure.code)}: {plain(failure.reason)}\n")


def _warn_lexicon(cycle: watch.Cycle) -> None:
    """A lexicon with problems is one line on stderr, each time it is loaded, in the officer's language."""
    if cycle.lexicon is not None and cycle.lexicon.problems:
        sys.stderr.write(f"{PROG}: {plain(cycle.lexicon.summary())}\n")
        sys.stderr.flush()


def _print_notifications(cycle: watch.Cycle, out: TextIO) -> None:
    for notification in cycle.notifications:
        out.write(f"  ▲ {plain(notification.headline())}\n")


async def _duty_loop(app: App, out: TextIO, *, json_lines: bool, notify: bool, settings: PollSettings | None = None) -> None:
    import asyncio

    from jb_watchdesk.app import running_watch

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    async def report(cycle: watch.Cycle) -> None:
        _warn_lexicon(cycle)
        if cycle.poll.run_id is None and not cycle.scan.items_scanned and not cycle.notifications:
            return  # only the lexicon was loaded
        if json_lines:
            out.write(json.dumps({**cycle.poll.to_json(), "alerts_raised": len(cycle.scan.raised)}, ensure_ascii=False) + "\n")
        else:
            if cycle.poll.run_id is not None and (not cycle.poll.empty or cycle.poll.failures):
                _print_changes(cycle.poll, out)
            if notify:
                _print_notifications(cycle, out)
        out.flush()

    async with running_watch(app, settings=settings) as active:
        await active.run(stop, on_cycle=report)


def cmd_poll(app: App, args: argparse.Namespace, out: TextIO) -> int:
    import asyncio

    from jb_watchdesk.app import running_watch

    if not args.once:
        asyncio.run(_duty_loop(app, out, json_lines=args.json, notify=False))
        return 0

    async def once() -> watch.Cycle:
        async with running_watch(app) as active:
            return await active.cycle(force=True)

    cycle = asyncio.run(once())
    _warn_lexicon(cycle)
    if args.json:
        dump_json({**cycle.poll.to_json(), "alerts_raised": len(cycle.scan.raised)}, out)
    else:
        _print_changes(cycle.poll, out)
        if cycle.scan.raised:
            out.write(f"  新告警 {len(cycle.scan.raised)} 条\n" if zh() else f"  {len(cycle.scan.raised)} new alerts\n")
    return 0


def cmd_run(app: App, args: argparse.Namespace, out: TextIO) -> int:
    import asyncio

    out.write("值班循环已启动（Ctrl-C 停止）\n" if zh() else "duty loop started (Ctrl-C to stop)\n")
    out.flush()
    asyncio.run(_duty_loop(app, out, json_lines=False, notify=True))
    return 0


def cmd_comments(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    rows = ops.list_comments(app.store, now=app.clock.now(), pending_only=args.pending)
    if args.json:
        dump_json([r.to_json() for r in rows], out)
        return 0
    headers = ["编号", "账号", "状态", "确认期限", "办结期限", "留言"] if zh() else ["id", "account", "state", "ack due", "result due", "text"]

    def local(when: datetime, estimated: bool = False) -> str:
        return when.astimezone(shanghai()).strftime("%m-%d %H:%M") + ("*" if estimated else "")

    print_table(
        [
            [r.id, r.account_name, r.state.value, local(r.ack_due), local(r.result_due, r.result_due_estimated), r.text[:40]]
            for r in rows
        ],
        headers=headers,
        out=out,
    )
    return 0


def _read_scan_input(source: str) -> str:
    """The text as given, in the encodings office programs save (UTF-8, UTF-16 with a BOM,
    GB18030); no newline translation, and a UTF-8 BOM is kept as a character, so the offsets
    count the characters of the input. At most the input limit is read, from a file or stdin."""
    from jb_watchdesk.services.files import MAX_INPUT_BYTES, decode_office_text, read_input_bytes

    if source == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if sys.stdin is None or stream is None:
            raise InputError("file.no_stdin")
        raw = stream.read(MAX_INPUT_BYTES + 1)
        where = "<stdin>"
        if len(raw) > MAX_INPUT_BYTES:
            raise InputError("file.too_large", path=where, limit=MAX_INPUT_BYTES // (1024 * 1024))
    else:
        raw = read_input_bytes(Path(source))
        where = source
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return decode_office_text(raw)
    except InputError:
        raise InputError("file.undecodable_at", path=where) from None


def cmd_scan(args: argparse.Namespace, out: TextIO) -> int:
    """Scan without opening the workspace's database: only its lexicon folder is read."""
    from jb_watchdesk.services.lexicon_files import lexicon_locations, load_scanner

    if args.lexicon:
        missing = next((path for path in args.lexicon if not path.exists()), None)
        if missing is not None:
            raise InputError("file.not_found", path=str(missing))
    scanner, problems = load_scanner(args.lexicon or lexicon_locations(Workspace.resolve(args.data_dir).root))
    if args.lexicon:  # the officer named the lexicon: one that cannot be read, or holds no term, is bad input
        unreadable = next((problem for problem in problems if problem.line == 0), None)
        if unreadable is not None:
            raise InputError("lexicon.unusable", detail=plain(unreadable.format()))
        if not scanner.lexicon.terms:
            raise InputError("lexicon.empty")
    for problem in problems:
        sys.stderr.write(plain(problem.format()) + "\n")
    hits = scanner.scan(_read_scan_input(args.file))
    if args.json:
        dump_json([hit.as_json() for hit in hits], out)
    elif not hits:
        out.write("未发现敏感内容\n" if zh() else "nothing found\n")
    else:
        headers = ["起", "止", "级别", "类别", "规则", "内容"] if zh() else ["start", "end", "severity", "category", "rule", "text"]
        print_table(
            [[h.start, h.end, h.severity.value, h.category.value, h.rule, h.display] for h in hits], headers=headers, out=out
        )
    return 1 if hits else 0


def cmd_alerts(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    states = () if args.state == "all" else (AlertState(args.state),)
    rows = ops.list_alerts(app.store, states=states)
    if args.json:
        dump_json([row.to_json() for row in rows], out)
        return 0
    headers = (
        ["编号", "账号", "级别", "类别", "规则", "内容", "上下文", "发现时间", "状态", "依据"]
        if zh()
        else ["id", "account", "severity", "category", "rule", "text", "context", "raised", "state", "why"]
    )
    print_table(
        [
            [r.id, r.account_id, r.severity.value, r.category, r.rule, r.text, r.context[:40],
             r.raised_at.astimezone(shanghai()).strftime("%m-%d %H:%M"), r.state.value, _clipped(r.reason, 30)]
            for r in rows
        ],
        headers=headers,
        out=out,
    )
    return 0


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cmd_alerts_ack(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops
    changes = ops.acknowledge_alert(
        app.store, args.alert_id, officer=_officer_or_login(args.officer), note=args.note, now=app.clock.now()
    )
    (alert,) = changes.alert_rows
    out.write(
        f"已确认告警 {alert.id}（{plain(alert.ack_by)}）\n" if zh() else f"acknowledged alert {alert.id} ({plain(alert.ack_by)})\n"
    )
    return 0


def _officer_or_login(officer: str | None) -> str:
    if officer is not None:
        return officer
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name to fall back on: --officer is then required
        return ""


def cmd_lexicon_allow(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    outcome = ops.allow_phrase(
        app.store,
        app.workspace.root,
        args.phrase,
        note=args.note,
        officer=_officer_or_login(args.officer),
        now=app.clock.now(),
        alert_id=args.alert,
    ).result
    phrase, path = plain(outcome.phrase.phrase), outcome.phrase.path
    if outcome.phrase.added:
        out.write(f"已将“{phrase}”加入白名单：{path}\n" if zh() else f"added the allow phrase {phrase} to {path}\n")
    else:
        out.write(f"“{phrase}”已在白名单中，未作改动\n" if zh() else f"{phrase} is already an allow phrase; nothing changed\n")
    if outcome.alert is not None:
        alert = outcome.alert
        out.write(
            f"已确认告警 {alert.id}（{plain(alert.ack_by)}）\n" if zh() else f"acknowledged alert {alert.id} ({plain(alert.ack_by)})\n"
        )
    if outcome.phrase.added:
        out.write("扫描从下一轮巡查起按新白名单执行\n" if zh() else "scans follow the new allow list from the next poll\n")
    return 0


def cmd_lexicon_check(args: argparse.Namespace, out: TextIO) -> int:
    """Read the lexicon files as the scanner would and list what was left out; no database needed."""
    from jb_watchdesk.services.lexicon_files import check_lexicon, lexicon_locations

    missing = next((path for path in args.paths if not path.exists()), None)
    if missing is not None:
        raise InputError("file.not_found", path=str(missing))
    report = check_lexicon(args.paths or lexicon_locations(Workspace.resolve(args.data_dir).root))
    for problem in report.problems:
        out.write(plain(problem.format()) + "\n")
    out.write(plain(report.summary()) + "\n")
    if report.problems:
        out.write("→ " + plain(report.advice()) + "\n")
    return 1 if report.problems else 0


def cmd_simulator(args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.simulator.server import run_simulator

    return run_simulator(
        host=args.host, port=args.port, accounts=args.accounts, seed=args.seed, latency_ms=args.latency_ms, faults=args.faults
    )


def launch_desktop(app: App, out: TextIO, *, demo: bool = False, language: str | None = None) -> int:
    """The window; on a machine without a display, one line that says so (exit 3)."""
    from jb_watchdesk.ui.desktop import display_available, run_desktop

    if not display_available():
        raise EnvironmentProblem("cli.no_display")
    if demo:
        from jb_watchdesk.demo import DEMO_POLLING, LABEL

        return run_desktop(app, poll_settings=DEMO_POLLING, title_suffix=LABEL, language=language)
    return run_desktop(app, language=language)


def run_demo(args: argparse.Namespace, clock: Clock, out: TextIO, err: TextIO) -> int:
    """``--demo``: the window (or ``run --headless``) on a demo workspace fed by the simulator."""
    import asyncio

    from jb_watchdesk.demo import DEMO_POLLING, demo_workspace
    from jb_watchdesk.ui.desktop import display_available

    if args.command is None and not display_available():
        raise EnvironmentProblem("cli.no_display")
    with demo_workspace(clock) as demo:
        # On stderr, so `--demo status --json` still prints clean JSON.
        err.write(("演示：模拟平台 " if zh() else "demo: simulated platforms at ") + demo.base_url + "\n")
        err.flush()
        if args.command == "run":
            async def headless() -> None:
                await _duty_loop(demo.app, out, json_lines=False, notify=True, settings=DEMO_POLLING)

            asyncio.run(headless())
            return 0
        if args.command is not None:
            return int(args.handler(demo.app, args, out))
        return launch_desktop(demo.app, out, demo=True, language=args.lang)


# -- entry point ----------------------------------------------------------------------


def parse_now(value: str | None) -> datetime | None:
    """``--now``: ISO-8601; a time without a zone is read as Asia/Shanghai, the duty room's zone."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("cli.bad_now", value=value) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=shanghai())


def _choose_language(requested: str | None) -> None:
    language = requested or os.environ.get("JB_WATCHDESK_LANG") or messages.DEFAULT_LANGUAGE
    messages.set_language(language if language in messages.LANGUAGES else messages.DEFAULT_LANGUAGE)


def _report(error: WatchdeskError, err: TextIO) -> None:
    if isinstance(error, ImportRejected):
        for row in error.errors:
            err.write(plain(row.format()) + "\n")
    err.write(f"{PROG}: {plain(error)}\n")


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    app_factory: Callable[[Workspace, Clock], App] | None = None,
) -> int:
    """Run one command; returns the process exit code (see the README)."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        # argparse prints help and usage errors itself; send them where the caller asked.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    _choose_language(args.lang)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        now = parse_now(args.now)
        if not getattr(args, "needs_workspace", True):
            return int(args.handler(args, out))
        from jb_watchdesk.app import App, Clock

        factory = app_factory or (lambda workspace, clock: App(workspace=workspace, clock=clock))
        clock = Clock(now)
        if args.demo:
            return run_demo(args, clock, out, err)
        workspace = Workspace.resolve(args.data_dir)
        with factory(workspace, clock) as app:
            if args.command is None:
                return launch_desktop(app, out, language=args.lang)
            return int(args.handler(app, args, out))
    except WatchdeskError as error:
        if args.debug:
            raise
        _report(error, err)
        return error.exit_code
    except KeyboardInterrupt:
        err.write(f"{PROG}: {messages.text('cli.interrupted')}\n")
        return 130
    except Exception as error:  # one line for the officer; --debug shows the traceback
        if args.debug:
            raise
        err.write(f"{PROG}: {messages.text('cli.internal', detail=type(error).__name__)}\n")
        return 1
