"""The watch: ``poll``, ``run --headless``, ``status``, and triage: ``comments`` (``ack``, ``done``) and
``alerts`` (``ack``, ``defer``: one alert, or every new alert of a post, comment, account or rule)."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, TextIO

from jb_watchdesk.cli.output import (
    PROG,
    clipped,
    dump_json,
    headers,
    json_text,
    label,
    line,
    officer_or_login,
    plain,
    print_table,
    say,
    when,
)
from jb_watchdesk.cli.parser import EXAMPLES, SubParsers, command, helptext, json_flag, metavar, row_id
from jb_watchdesk.domain.models import AlertState, ItemKind
from jb_watchdesk.domain.sensitive.lexicon import Severity

if TYPE_CHECKING:  # annotations only: each command loads what it needs when it runs
    from datetime import datetime

    from jb_watchdesk.app import App
    from jb_watchdesk.domain.alerts import Alert, AlertFilter
    from jb_watchdesk.services import poller, watch
    from jb_watchdesk.services.scheduler import PollSettings


def register(commands: SubParsers) -> None:
    p = command(commands, "status")
    json_flag(p)
    p.set_defaults(handler=cmd_status)

    p = command(commands, "poll")
    p.add_argument("--once", action="store_true", help=helptext("poll.once"))
    json_flag(p)
    p.set_defaults(handler=cmd_poll)

    p = command(commands, "run")
    p.add_argument("--headless", action="store_true", required=True, help=helptext("run.headless"))
    p.set_defaults(handler=cmd_run)

    p = command(commands, "comments")
    p.add_argument("--pending", action="store_true", help=helptext("comments.pending"))
    json_flag(p)
    p.set_defaults(handler=cmd_comments)
    actions = p.add_subparsers(dest="action", metavar=metavar("action"), parser_class=type(p))
    for name, handler in (("ack", cmd_comments_ack), ("done", cmd_comments_done)):
        p = _action(actions, f"comments {name}")
        p.add_argument("comment_id", type=row_id, metavar=metavar("id"), help=helptext("comments.id"))
        p.add_argument("--note", required=True, metavar=metavar("text"), help=helptext(f"comments {name}.note"))
        p.add_argument("--officer", metavar=metavar("name"), help=helptext("officer"))
        p.set_defaults(handler=handler)

    p = command(commands, "alerts")
    json_flag(p)
    p.add_argument("--state", choices=[*(s.value for s in AlertState), "all"], default="new", help=helptext("alerts.state"))
    timing = p.add_mutually_exclusive_group()
    timing.add_argument("--backlog", dest="backlog", action="store_const", const=True, help=helptext("alerts.backlog"))
    timing.add_argument("--live", dest="backlog", action="store_const", const=False, help=helptext("alerts.live"))
    p.add_argument("--severity", action="append", choices=[s.value for s in Severity], help=helptext("alerts.severity"))
    p.add_argument("--account", dest="accounts", action="append", type=row_id, metavar=metavar("account_id"),
                   help=helptext("alerts.account"))
    p.add_argument("--rule", metavar=metavar("rule"), help=helptext("alerts.rule"))
    p.set_defaults(handler=cmd_alerts)
    actions = p.add_subparsers(dest="action", metavar=metavar("action"), parser_class=type(p))
    p = _action(actions, "alerts ack")
    _selectors(p)
    p.add_argument("--note", required=True, metavar=metavar("text"), help=helptext("alerts ack.note"))
    p.add_argument("--officer", metavar=metavar("name"), help=helptext("officer"))
    p.set_defaults(handler=cmd_alerts_ack)
    p = _action(actions, "alerts defer")
    _selectors(p)
    p.add_argument("--for", dest="choice", required=True, choices=DEFERRALS, help=helptext("alerts defer.for"))
    p.add_argument("--note", default="", metavar=metavar("text"), help=helptext("alerts defer.note"))
    p.add_argument("--officer", metavar=metavar("name"), help=helptext("officer"))
    p.set_defaults(handler=cmd_alerts_defer)


DEFERRALS: Final = ("15m", "1h", "shift")
"""The values of :class:`jb_watchdesk.services.alerts.Deferral` (that module loads the store, so it is not imported here)."""





def _action(actions: SubParsers, key: str) -> argparse.ArgumentParser:
    """An action of ``alerts`` or ``comments`` (``alerts defer`` …): its help and its example."""
    text = helptext(key)
    return actions.add_parser(key.split()[-1], help=text, description=text, example=EXAMPLES.get(key) or _EXAMPLES[key])


_EXAMPLES: Final = {
    "alerts defer": "jb-watchdesk alerts defer --post 31 --for 1h --note 已电话联系发布单位，等待回复",
    "comments ack": "jb-watchdesk comments ack 7 --note 已回复：正在核实，今日内答复 --officer 张三",
    "comments done": "jb-watchdesk comments done 7 --note 路灯已于当日修复并回复留言人 --officer 张三",
}


def _selectors(parser: argparse.ArgumentParser) -> None:
    """Exactly one of: an alert id, or every new alert of a post, a comment, an account or a rule."""
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("alert_id", nargs="?", type=row_id, metavar=metavar("id"), help=helptext("alerts.id"))
    which.add_argument("--post", type=row_id, metavar=metavar("id"), help=helptext("alerts.post"))
    which.add_argument("--comment", type=row_id, metavar=metavar("id"), help=helptext("alerts.comment"))
    which.add_argument("--account", type=row_id, metavar=metavar("account_id"), help=helptext("alerts.by_account"))
    which.add_argument("--rule", metavar=metavar("rule"), help=helptext("alerts.by_rule"))


def cmd_status(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    rows = ops.account_status(app.store, now=app.clock.now())
    if args.json:
        dump_json([row.to_json() for row in rows], out)
        return 0
    print_table(
        [
            [
                r.account.id,
                r.account.name,
                label("platform", r.account.platform),
                r.posts_this_week,
                r.posts_7d,
                "-" if r.days_silent is None else r.days_silent,
                label("freshness", r.freshness),
                label("health", r.account.health),
                r.pending_comments,
                r.overdue_ack,
                r.overdue_result,
            ]
            for r in rows
        ],
        headers=headers("id", "name", "platform", "week", "posts_7d", "silent", "freshness", "health", "pending",
                        "overdue_ack", "overdue_result"),
        out=out,
    )
    return 0


def cmd_comments(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    rows = ops.list_comments(app.store, now=app.clock.now(), pending_only=args.pending)
    if args.json:
        dump_json([r.to_json() for r in rows], out)
        return 0
    print_table(
        [
            [r.id, r.account_name, label("comment_state", r.state), when(r.ack_due, "SHORT"),
             when(r.result_due, "SHORT", estimated=r.result_due_estimated), r.text[:40]]
            for r in rows
        ],
        headers=headers("id", "account", "comment_state", "ack_due", "result_due", "comment"),
        out=out,
    )
    return 0


def cmd_comments_ack(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    officer = officer_or_login(args.officer)
    ops.acknowledge_comment(app.store, args.comment_id, officer=officer, note=args.note, now=app.clock.now())
    line(out, "cli.comments.acknowledged", comment_id=args.comment_id, officer=officer)
    return 0


def cmd_comments_done(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    officer = officer_or_login(args.officer)
    ops.finish_comment(app.store, args.comment_id, officer=officer, note=args.note, now=app.clock.now())
    line(out, "cli.comments.done", comment_id=args.comment_id, officer=officer)
    return 0


def cmd_alerts(app: App, args: argparse.Namespace, out: TextIO) -> int:
    """Every alert the filters take (never capped), newest first; then the desk's totals."""
    from jb_watchdesk.domain.alerts import AlertFilter
    from jb_watchdesk.services import operations as ops

    selection = AlertFilter(
        states=frozenset() if args.state == "all" else frozenset({AlertState(args.state)}),
        severities=frozenset(Severity(value) for value in args.severity or ()),
        account_ids=frozenset(args.accounts or ()),
        rule=args.rule,
        backlog=args.backlog,
    )
    rows = list(ops.iter_alerts(app.store, selection))
    if args.json:
        dump_json([row.to_json() for row in rows], out)
        return 0
    now = app.clock.now()
    if rows:
        names = {account.id: account.name for account in ops.list_accounts(app.store)}
        print_table(
            [
                [r.id, names.get(r.account_id, r.account_id), label("severity", r.severity), label("category", r.category),
                 len(r.hits) or 1, r.text, r.context[:40], when(r.published_at, "SHORT"), when(r.seen_at or r.raised_at, "SHORT"),
                 say("cli.alerts.backlog" if r.backlog else "cli.alerts.live"), _state(r, now=now), clipped(r.reason, 30)]
                for r in rows
            ],
            headers=headers("id", "account", "severity", "category", "hits", "text", "context", "published", "first_seen", "timing",
                            "alert_state", "why"),
            out=out,
        )
    else:
        line(out, "cli.alerts.none")
    counts = ops.alert_counts(app.store, now=now)
    line(out, "cli.alerts.totals", listed=len(rows), open=counts.open, high=counts.open_high, live=counts.open_live,
         backlog=counts.open_backlog, deferred=counts.deferred, escalated=counts.escalated,
         acknowledged=counts.acknowledged, resolved=counts.resolved, total=counts.total)
    return 0


def _state(alert: Alert, *, now: datetime) -> str:
    """The alert's state, and until when it is deferred while it is."""
    shown = label("alert_state", alert.state)
    if alert.state is AlertState.NEW and alert.deferred_until is not None and alert.deferred_until > now:
        shown += say("cli.alerts.deferred_until", until=when(alert.deferred_until, "SHORT"))
    return shown


def _selection(args: argparse.Namespace) -> AlertFilter:
    """The alerts a bulk action takes: every alert of one post, comment, account or rule."""
    from jb_watchdesk.domain.alerts import AlertFilter

    if args.post is not None:
        return AlertFilter(item=(ItemKind.POST, args.post))
    if args.comment is not None:
        return AlertFilter(item=(ItemKind.COMMENT, args.comment))
    if args.account is not None:
        return AlertFilter(account_ids=frozenset({args.account}))
    return AlertFilter(rule=args.rule)


def _nothing_new(app: App, args: argparse.Namespace, selection: AlertFilter, out: TextIO) -> int:
    """No new alert matched: exit 0 (nothing to do), unless the post, comment or account named does not exist (exit 2)."""
    from jb_watchdesk.domain.errors import InputError, NotFound
    from jb_watchdesk.services import operations as ops

    if args.account is not None:
        ops.get_account(app.store, args.account)  # NotFound: a mistyped account is a usage error
    elif selection.item is not None and not ops.count_selected(app.store, selection):
        kind, item_id = selection.item
        if ops.read_item(app.store, kind=kind, item_id=item_id) is None:
            if kind is ItemKind.COMMENT:
                raise NotFound("comment.not_found", comment_id=item_id)
            raise InputError("cli.alerts.no_post", item_id=item_id)
    line(out, "cli.alerts.nothing_new")
    return 0


def _ids(alerts: Sequence[Alert], *, limit: int = 12) -> str:
    """Alert ids, compactly: ``4–6、9`` (runs joined; more than ``limit`` pieces end in ``…``)."""
    runs: list[list[int]] = []
    for alert_id in sorted(alert.id for alert in alerts):
        if runs and alert_id == runs[-1][1] + 1:
            runs[-1][1] = alert_id
        else:
            runs.append([alert_id, alert_id])
    pieces = [str(first) if first == last else f"{first}–{last}" for first, last in runs]
    return say("cli.list_separator").join(pieces[:limit] + (["…"] if len(pieces) > limit else []))


def cmd_alerts_ack(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    officer, now = officer_or_login(args.officer), app.clock.now()
    if args.alert_id is not None:
        changes = ops.acknowledge_alert(app.store, args.alert_id, officer=officer, note=args.note, now=now)
        (alert,) = changes.alert_rows
        line(out, "cli.alerts.acknowledged", alert_id=alert.id, officer=alert.ack_by or "")
        return 0
    selection = _selection(args)
    alerts = ops.acknowledge_alerts(app.store, selection, officer=officer, note=args.note, now=now).alert_rows
    if not alerts:
        return _nothing_new(app, args, selection, out)
    line(out, "cli.alerts.acknowledged_many", count=len(alerts), ids=_ids(alerts), officer=alerts[0].ack_by or "")
    return 0


def cmd_alerts_defer(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.domain.alerts import AlertFilter
    from jb_watchdesk.domain.errors import InputError
    from jb_watchdesk.services import operations as ops

    if args.alert_id is not None:
        alert = ops.get_alert(app.store, args.alert_id)
        if alert.state is not AlertState.NEW:
            raise InputError("cli.alerts.cannot_defer", alert_id=alert.id, state=label("alert_state", alert.state))
        # One alert per item and category: this selection is that alert.
        selection = AlertFilter(item=alert.item_key, categories=frozenset({alert.category}))
    else:
        selection = _selection(args)
    officer, now = officer_or_login(args.officer), app.clock.now()
    alerts = ops.defer_alerts(app.store, selection, choice=args.choice, officer=officer, now=now, note=args.note).alert_rows
    if not alerts:
        return _nothing_new(app, args, selection, out)
    line(out, "cli.alerts.deferred", count=len(alerts), ids=_ids(alerts), until=when(alerts[0].deferred_until, "SHORT"))
    return 0


def _print_changes(changes: poller.PollResult, out: TextIO) -> None:
    from jb_watchdesk.services.problems import problem_text

    line(
        out,
        "cli.poll.cycle",
        at=when(changes.finished_at, "CLOCK") if changes.finished_at else "--:--:--",
        polled=changes.accounts_polled,
        ok=changes.accounts_ok,
        failed=changes.accounts_failed,
        posts=len(changes.new_posts),
        edited=len(changes.edited_posts),
        comments=len(changes.new_comments),
    )
    for failure in changes.failures:
        line(out, "cli.poll.failure", account_id=failure.account_id, name=failure.name,
             health=label("health", failure.health), reason=problem_text(failure.code))


def _warn_lexicon(cycle: watch.Cycle) -> None:
    """A lexicon with problems is one line on stderr, each time it is loaded, in the officer's language."""
    if cycle.lexicon is not None and cycle.lexicon.problems:
        sys.stderr.write(f"{PROG}: {plain(cycle.lexicon.summary())}\n")
        sys.stderr.flush()


def _cycle_json(cycle: watch.Cycle) -> dict[str, object]:
    return {**cycle.poll.to_json(), "alerts_raised": len(cycle.scan.raised)}


async def watch_loop(app: App, out: TextIO, *, json_lines: bool, notify: bool, settings: PollSettings | None = None) -> None:
    """Poll, scan, alert and log until SIGINT or SIGTERM, reporting each cycle on ``out``."""
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
            out.write(json_text(_cycle_json(cycle), indent=None) + "\n")
        else:
            # run --headless: one line for every cycle, even a quiet one (a heartbeat a supervisor can watch)
            if cycle.poll.run_id is not None and (notify or not cycle.poll.empty or cycle.poll.failures):
                _print_changes(cycle.poll, out)
            if notify:
                for notification in cycle.notifications:
                    out.write(f"  ▲ {plain(notification.headline())}\n")
        out.flush()

    async with running_watch(app, settings=settings) as active:
        await active.run(stop, on_cycle=report)


def cmd_poll(app: App, args: argparse.Namespace, out: TextIO) -> int:
    import asyncio

    from jb_watchdesk.app import running_watch
    from jb_watchdesk.services.instance_lock import PollerLock

    if not args.once:
        with PollerLock(app.workspace.root, command="poll"):  # one poller per workspace: exit 3 naming the other
            asyncio.run(watch_loop(app, out, json_lines=args.json, notify=False))
        return 0

    async def once() -> watch.Cycle:
        async with running_watch(app) as active:
            return await active.cycle(force=True)

    with PollerLock(app.workspace.root, command="poll --once"):
        cycle = asyncio.run(once())
    _warn_lexicon(cycle)
    if args.json:
        dump_json(_cycle_json(cycle), out)
    else:
        _print_changes(cycle.poll, out)
        if cycle.scan.raised:
            line(out, "cli.poll.new_alerts", count=len(cycle.scan.raised))
    return 0


def cmd_run(app: App, args: argparse.Namespace, out: TextIO) -> int:
    import asyncio

    from jb_watchdesk.services.instance_lock import PollerLock

    with PollerLock(app.workspace.root, command="run --headless"):  # refused (exit 3) while the window or a poll runs here
        line(out, "cli.run.started")
        out.flush()
        asyncio.run(watch_loop(app, out, json_lines=False, notify=True))
    return 0
