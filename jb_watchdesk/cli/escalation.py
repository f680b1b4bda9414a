"""``escalation``: the channels that reach the leader on duty (kept in the OS keyring) and their test."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from jb_watchdesk.cli.output import line
from jb_watchdesk.cli.parser import SubParsers, command, group, helptext

if TYPE_CHECKING:  # annotations only: each command loads what it needs when it runs
    from jb_watchdesk.app import App

MAX_INPUT_CHARS = 64 * 1024

EXAMPLES = {
    "escalation channels": "printf '%s\\n' \"wecombot://$WECOM_KEY\" | jb-watchdesk escalation channels",
    "escalation test": "jb-watchdesk escalation test",
}


def register(commands: SubParsers) -> None:
    actions = group(commands, "escalation")
    p = command(actions, "channels", key="escalation channels")
    p.add_argument("--list", action="store_true", help=helptext("escalation channels.list"))
    p.epilog = p.epilog or _example("escalation channels")
    p.set_defaults(handler=cmd_channels)
    p = command(actions, "test", key="escalation test")
    p.epilog = p.epilog or _example("escalation test")
    p.set_defaults(handler=cmd_test)


def _example(key: str) -> str:
    from jb_watchdesk.cli.output import say

    return f"{say('cli.example')}\n  {EXAMPLES[key]}"


def cmd_channels(app: App, args: argparse.Namespace, out: TextIO) -> int:
    """Store the channels read from standard input (all or none), or list them masked."""
    from jb_watchdesk.services import operations as ops

    if args.list:
        channels = ops.escalation_channels(app.secrets)
        if not channels:
            line(out, "cli.escalation.none")
        for channel in channels:
            line(out, "cli.escalation.channel", channel=channel)
        return 0
    # Refused before anything is read when there is no secure keyring to keep them in.
    app.secrets.check()
    stored = ops.store_escalation_channels(app.secrets, sys.stdin.read(MAX_INPUT_CHARS))
    line(out, "cli.escalation.stored", count=len(stored), store=ops.secret_store_name(app.secrets))
    for channel in stored:
        line(out, "cli.escalation.channel", channel=channel)
    return 0


def cmd_test(app: App, args: argparse.Namespace, out: TextIO) -> int:
    """A test message through each channel, one line each; exit 1 if any failed."""
    from jb_watchdesk.services import operations as ops

    outcomes = ops.test_escalation_channels(app.secrets, now=app.clock.now())
    for outcome in outcomes:
        if outcome.ok:
            line(out, "cli.escalation.result_ok", channel=outcome.channel)
        else:
            line(out, "cli.escalation.result_failed", channel=outcome.channel, reason=outcome.error or "—")
    return 0 if all(outcome.ok for outcome in outcomes) else 1
