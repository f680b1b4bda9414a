"""The watch: ``poll``, ``run --headless``, ``status``, ``comments``, ``alerts`` and ``alerts ack``."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from typing import TYPE_CHECKING, TextIO

from jb_watchdesk.cli.output import PROG, clipped, dump_json, headers, label, line, officer_or_login, plain, print_table, when
from jb_watchdesk.cli.parser import SubParsers, command, helptext, json_flag, metavar
from jb_watchdesk.domain.models import AlertState

if TYPE_CHECKING:  # annotations only: each command loads what it needs when it runs
    from jb_watchdesk.app import App
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

    p = command(commands, "alerts")
    json_flag(p)
    p.add_argument("--state", choices=[*(s.value for s in AlertState), "all"], default="new", help=helptext("alerts.state"))
    p.set_defaults(handler=cmd_alerts)
    actions = p.add_subparsers(dest="action", metavar=metavar("action"), parser_class=type(p))
    p = command(actions, "ack", key="alerts ack")
    p.add_argument("alert_id", type=int, metavar=metavar("id"))
    p.add_argument("--note", required=True, metavar=metavar("text"), help=helptext("alerts ack.note"))
    p.add_argument("--officer", metavar=metavar("name"), help=helptext("officer"))
    p.set_defaults(handler=cmd_alerts_ack)


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


def cmd_alerts(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.domain.alerts import AlertFilter
    from jb_watchdesk.services import operations as ops

    states = frozenset() if args.state == "all" else frozenset({AlertState(args.state)})
    rows = list(ops.iter_alerts(app.store, AlertFilter(states=states)))
    if args.json:
        dump_json([row.to_json() for row in rows], out)
        return 0
    print_table(
        [
            [r.id, r.account_id, label("severity", r.severity), label("category", r.category), r.text, r.context[:40],
             when(r.raised_at, "SHORT"), label("alert_state", r.state), clipped(r.reason, 30)]
            for r in rows
        ],
        headers=headers("id", "account", "severity", "category", "text", "context", "raised", "alert_state", "why"),
        out=out,
    )
    return 0


def cmd_alerts_ack(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    changes = ops.acknowledge_alert(
        app.store, args.alert_id, officer=officer_or_login(args.officer), note=args.note, now=app.clock.now()
    )
    (alert,) = changes.alert_rows
    line(out, "cli.alerts.acknowledged", alert_id=alert.id, officer=alert.ack_by or "")
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
            out.write(json.dumps(_cycle_json(cycle), ensure_ascii=False) + "\n")
        else:
            if cycle.poll.run_id is not None and (not cycle.poll.empty or cycle.poll.failures):
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

    if not args.once:
        asyncio.run(watch_loop(app, out, json_lines=args.json, notify=False))
        return 0

    async def once() -> watch.Cycle:
        async with running_watch(app) as active:
            return await active.cycle(force=True)

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

    line(out, "cli.run.started")
    out.flush()
    asyncio.run(watch_loop(app, out, json_lines=False, notify=True))
    return 0
