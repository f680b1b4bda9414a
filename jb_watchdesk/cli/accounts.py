"""``accounts``: the register (import, export, list) and the credentials kept in the OS keyring."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from jb_watchdesk.cli.output import dump_json, headers, label, line, plain, print_table
from jb_watchdesk.cli.parser import SubParsers, command, group, helptext, json_flag, metavar, row_id

if TYPE_CHECKING:  # annotations only: each command loads what it needs when it runs
    from jb_watchdesk.app import App
    from jb_watchdesk.domain.models import Account
    from jb_watchdesk.services.register import RegisterChanges


def register(commands: SubParsers) -> None:
    actions = group(commands, "accounts")
    p = command(actions, "import", key="accounts import")
    p.add_argument("file", type=Path, metavar=metavar("file"))
    p.set_defaults(handler=cmd_import)
    p = command(actions, "export", key="accounts export")
    p.add_argument("file", type=Path, metavar=metavar("file"))
    p.set_defaults(handler=cmd_export)
    p = command(actions, "list", key="accounts list")
    json_flag(p)
    p.set_defaults(handler=cmd_list)
    p = command(actions, "set-secret", key="accounts set-secret")
    p.add_argument("account_id", type=row_id, metavar=metavar("id"))
    p.add_argument("name", metavar=metavar("name"), help=helptext("accounts set-secret.name"))
    p.set_defaults(handler=cmd_set_secret)


def account_json(account: Account) -> dict[str, object]:
    """``accounts list --json``: codes, unchanged (a stable contract for scripts)."""
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


def cmd_import(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    changes = cast("RegisterChanges", ops.import_register(app.store, args.file, now=app.clock.now()).result)
    line(out, "cli.accounts.imported", path=str(args.file), created=changes.created, updated=changes.updated,
         unchanged=changes.unchanged)
    return 0


def cmd_export(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    count = ops.export_register(app.store, args.file)
    line(out, "cli.accounts.exported", count=count, path=str(args.file))
    return 0


def cmd_list(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    accounts = ops.list_accounts(app.store)
    if args.json:
        dump_json([account_json(a) for a in accounts], out)
        return 0
    print_table(
        [
            [a.id, a.name, label("platform", a.platform), a.unit, label("account_status", a.status),
             label("health", a.health), a.source or "-"]
            for a in accounts
        ],
        headers=headers("id", "name", "platform", "unit", "account_status", "health", "source"),
        out=out,
    )
    return 0


def _read_secret(stdin: TextIO) -> str:
    if stdin.isatty():
        return getpass.getpass(metavar("secret") + ": ")
    value = stdin.read(64 * 1024)
    # Exactly one trailing newline is what `echo` and here-strings add; keep everything else.
    if value.endswith("\r\n"):
        return value[:-2]
    return value[:-1] if value.endswith("\n") else value


def cmd_set_secret(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    # Refused before the secret is read: a bad name, no secure keyring, an unknown account.
    account = ops.secret_target(app.store, app.secrets, account_id=args.account_id, name=args.name)
    value = _read_secret(sys.stdin)
    ops.set_secret(app.store, app.secrets, account_id=account.id, name=args.name, value=value, now=app.clock.now())
    line(out, "cli.accounts.secret_stored", name=args.name, account_id=account.id, account=plain(account.name),
         store=ops.secret_store_name(app.secrets))
    return 0
