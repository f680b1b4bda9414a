"""``accounts``: the register (import, export, list) and the credentials kept in the OS keyring."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from jb_watchdesk.cli.output import dump_json, headers, label, line, plain, print_table, say
from jb_watchdesk.cli.parser import SubParsers, command, group, helptext, json_flag, metavar, row_id

if TYPE_CHECKING:  # annotations only: each command loads what it needs when it runs
    from jb_watchdesk.app import App
    from jb_watchdesk.domain.models import Account
    from jb_watchdesk.services.register import RegisterChanges
    from jb_watchdesk.services.secret_import import SecretRow


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
    p = command(actions, "import-secrets", key="accounts import-secrets")
    p.add_argument("--format", choices=("csv", "json"), default=None, help=helptext("accounts import-secrets.format"))
    p.set_defaults(handler=cmd_import_secrets)


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


MAX_SECRETS_INPUT = 8 * 1024 * 1024
"""Bytes of standard input read at most (the service's ``MAX_INPUT_BYTES``); more is refused whole."""


def _read_secrets_input(stdin: TextIO) -> str:
    """Standard input as UTF-8 (a BOM allowed), whatever the console's code page; more than
    :data:`MAX_SECRETS_INPUT` bytes is refused before decoding (never cut: a cut input would lose its
    last rows, or store a cut value)."""
    from jb_watchdesk.domain.errors import InputError

    where = say("cli.accounts.stdin")
    if stdin.isatty():
        raise InputError("secrets_import.is_tty")
    raw = getattr(stdin, "buffer", None)
    if raw is None:  # already text (a test's StringIO): the service counts its bytes
        return stdin.read(MAX_SECRETS_INPUT + 1)
    data = bytes(raw.read(MAX_SECRETS_INPUT + 1))
    if len(data) > MAX_SECRETS_INPUT:
        raise InputError("secrets_import.too_large", path=where, limit=MAX_SECRETS_INPUT // (1024 * 1024))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError("secrets_import.not_parsed", path=where, format="UTF-8", detail=str(error)) from None


def cmd_import_secrets(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.domain.errors import SecretStoreUnavailable
    from jb_watchdesk.services import operations as ops

    where = say("cli.accounts.stdin")
    # Refused before the input is read: no secure keyring (exit 3).
    app.secrets.check()
    rows = ops.read_secret_rows(app.store, _read_secrets_input(sys.stdin), fmt=args.format, where=where)
    done: set[int] = set()

    def stored(row: SecretRow) -> None:
        done.add(row.line)
        line(out, "cli.accounts.secret_row_stored", where=f"{where}:{row.line}", account_id=row.account.id,
             account=plain(row.account.name), name=row.name)
        out.flush()

    try:
        ops.import_secrets(app.store, app.secrets, rows, now=app.clock.now(), stored=stored)
    except SecretStoreUnavailable:
        for row in rows:
            if row.line not in done:
                line(out, "cli.accounts.secret_row_not_stored", where=f"{where}:{row.line}", account_id=row.account.id,
                     name=row.name)
        line(out, "secrets_import.partial", stored=len(done), total=len(rows))
        raise
    line(out, "cli.accounts.secrets_imported", count=len(rows), store=ops.secret_store_name(app.secrets))
    return 0
