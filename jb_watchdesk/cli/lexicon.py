"""``scan`` a text, and the lexicon: ``lexicon allow`` and ``lexicon check``.

``scan`` and ``lexicon check`` never open the workspace's database: only its lexicon folder is read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from jb_watchdesk.cli.output import dump_json, headers, label, line, officer_or_login, plain, print_table
from jb_watchdesk.cli.parser import SubParsers, command, group, helptext, metavar, row_id
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.paths import Workspace

if TYPE_CHECKING:  # annotations only: each command loads what it needs when it runs
    from jb_watchdesk.app import App
    from jb_watchdesk.services.allow_phrases import AllowOutcome


def register(commands: SubParsers) -> None:
    p = command(commands, "scan")
    p.add_argument("file", nargs="?", default="-", metavar=metavar("file"), help=helptext("scan.file"))
    p.add_argument("--json", action="store_true", help=helptext("scan.json"))
    p.add_argument("--lexicon", action="append", type=Path, metavar=metavar("file"), help=helptext("scan.lexicon"))
    p.set_defaults(handler=cmd_scan, needs_workspace=False)

    actions = group(commands, "lexicon")
    p = command(actions, "allow", key="lexicon allow")
    p.add_argument("phrase", metavar=metavar("phrase"), help=helptext("lexicon allow.phrase"))
    p.add_argument("--note", default="", metavar=metavar("text"), help=helptext("lexicon allow.note"))
    p.add_argument("--alert", type=row_id, metavar=metavar("id"), help=helptext("lexicon allow.alert"))
    p.add_argument("--officer", metavar=metavar("name"), help=helptext("officer"))
    p.set_defaults(handler=cmd_lexicon_allow)
    p = command(actions, "check", key="lexicon check")
    p.add_argument("paths", nargs="*", type=Path, metavar=metavar("file"), help=helptext("lexicon check.paths"))
    p.set_defaults(handler=cmd_lexicon_check, needs_workspace=False)


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
    """Exit 0 when the text is clean, 1 when anything is found."""
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
        line(out, "cli.scan.clean")
    else:
        print_table(
            [[h.start, h.end, label("severity", h.severity), label("category", h.category), h.rule, h.display] for h in hits],
            headers=headers("start", "end", "severity", "category", "rule", "text"),
            out=out,
        )
    return 1 if hits else 0


def cmd_lexicon_allow(app: App, args: argparse.Namespace, out: TextIO) -> int:
    from jb_watchdesk.services import operations as ops

    allowed = ops.allow_phrase(
        app.store,
        app.workspace.root,
        args.phrase,
        note=args.note,
        officer=officer_or_login(args.officer),
        now=app.clock.now(),
        alert_id=args.alert,
    )
    outcome = cast("AllowOutcome", allowed.result)
    phrase, path = outcome.phrase.phrase, str(outcome.phrase.path)
    line(out, "cli.lexicon.added" if outcome.phrase.added else "cli.lexicon.already", phrase=phrase, path=path)
    if outcome.alert is not None:
        line(out, "cli.alerts.acknowledged", alert_id=outcome.alert.id, officer=outcome.alert.ack_by or "")
    if outcome.phrase.added:
        line(out, "cli.lexicon.next_poll")
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
