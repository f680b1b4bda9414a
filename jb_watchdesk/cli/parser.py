"""The argument parser: every command, its help (from the catalogue) and its example.

argparse's own texts ("usage:", "the following arguments are required", …) come from the
catalogue too (``cli.argparse.*``): :func:`speaking` swaps argparse's gettext for the duration of
building and parsing, so other argparse users in the process are untouched. A usage error is one
line on stderr in the officer's language, exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import Final, NoReturn

from jb_watchdesk import __version__
from jb_watchdesk.cli.output import PROG, plain, say
from jb_watchdesk.domain import messages

# argparse's message → our key. A text not listed keeps argparse's own (English) wording.
_ARGPARSE: Final[dict[str, str]] = {
    "usage: ": "cli.argparse.usage",
    "positional arguments": "cli.argparse.positionals",
    "options": "cli.argparse.options",
    "show this help message and exit": "cli.argparse.help",
    "show program's version number and exit": "cli.argparse.version",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "the following arguments are required: %s": "cli.argparse.required",
    "one of the arguments %s is required": "cli.argparse.one_of",
    "not allowed with argument %s": "cli.argparse.not_allowed",
    "expected one argument": "cli.argparse.expected_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "ignored explicit argument %r": "cli.argparse.ignored",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
    "expected %s argument": "cli.argparse.expected_n",
    "expected %s arguments": "cli.argparse.expected_n",
}


def _gettext(message: str) -> str:
    key = _ARGPARSE.get(message)
    return messages.text(key) if key else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


@contextlib.contextmanager
def speaking() -> Iterator[None]:
    """argparse speaks the officer's language inside this block."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _gettext, _ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    """A parser whose help ends with an example and whose usage errors are one line."""

    def __init__(self, *args: object, example: str | None = None, **kwargs: object) -> None:
        if example:
            kwargs["epilog"] = f"{say('cli.example')}\n  {example}"
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> NoReturn:
        self.exit(2, say("cli.argparse.failed", prog=self.prog, message=message) + "\n")


SubParsers = argparse._SubParsersAction  # noqa: SLF001 - argparse exposes this type under no public name

EXAMPLES: Final[dict[str, str]] = {
    "accounts import": "jb-watchdesk accounts import resources/accounts/jiangbei-2021.csv",
    "accounts export": "jb-watchdesk accounts export register.xlsx",
    "accounts list": "jb-watchdesk accounts list --json",
    "accounts set-secret": "printf %s \"$APP_SECRET\" | jb-watchdesk accounts set-secret 1 app_secret",
    "accounts import-secrets": "jb-watchdesk accounts import-secrets < secrets.csv",
    "status": "jb-watchdesk --now 2026-11-25T08:00:00+08:00 status --json",
    "doctor": "jb-watchdesk doctor",
    "db backup": "jb-watchdesk db backup /mnt/backup/watchdesk-$(date +%F).sqlite3",
    "db restore": "jb-watchdesk db restore /mnt/backup/watchdesk-2026-11-24.sqlite3",
    "poll": "jb-watchdesk poll --once --json",
    "run": "jb-watchdesk run --headless",
    "comments": "jb-watchdesk comments --pending --json",
    "scan": "jb-watchdesk scan --json draft.txt",
    "alerts": "jb-watchdesk alerts --state all --json",
    "alerts ack": "jb-watchdesk alerts ack 12 --note 已联系发布单位删除并核实 --officer 张三",
    "lexicon allow": "jb-watchdesk lexicon allow 江北特供茶叶展销会 --note 展会名称，非广告 --alert 12 --officer 张三",
    "lexicon check": "jb-watchdesk lexicon check",
    "simulator": "jb-watchdesk simulator --port 8765 --accounts 240 --faults '5xx%5,html@rss-0003'",
    "shift start": "jb-watchdesk shift start --officer 张三",
    "shift end": "jb-watchdesk shift end --note 平安江北微博凭据将于周五到期，已通知区公安分局",
    "shift list": "jb-watchdesk shift list --json",
    "shift handover": "jb-watchdesk shift handover --confirm --officer 李四",
    "inspect": "jb-watchdesk inspect 3 --check 安全防护=后台弱口令 --action 已通知主办单位修改密码",
    "emergency start": "jb-watchdesk emergency start --title 观音桥暴雨内涝 --keywords 暴雨,内涝,积水",
    "emergency list": "jb-watchdesk emergency list --json",
    "emergency cancel": "jb-watchdesk emergency cancel 3 --reason 误录：演练通知并非真实事件",
    "emergency correct": "jb-watchdesk emergency correct 3 --title 观音桥暴雨内涝 --keywords 暴雨,内涝 --reason 标题地名录错",
    "gaps": "jb-watchdesk gaps --from 2026-11-24T00:00+08:00 --to 2026-11-25T00:00+08:00 --json",
    "log verify": "jb-watchdesk log verify",
    "handover export": "jb-watchdesk handover export --shift 12 --format pdf -o 交接-12.pdf",
    "report weekly": "jb-watchdesk report weekly --week 2026-W48 --format xlsx -o 周报-2026-W48.xlsx",
}


def helptext(key: str) -> str:
    """``cli.help.<key>`` in the officer's language (``%`` doubled: argparse formats help)."""
    return say(f"cli.help.{key}").replace("%", "%%")


def metavar(name: str) -> str:
    """A placeholder in the usage line (``FILE``, ``ID`` …) in the officer's language."""
    return say(f"cli.metavar.{name}")


def command(group: SubParsers, name: str, *, key: str | None = None) -> argparse.ArgumentParser:
    """A command whose help is ``cli.help.<key>`` and whose help page ends with its example."""
    key = key or name
    text = helptext(key)
    return group.add_parser(name, help=text, description=text, example=EXAMPLES.get(key))


def group(commands: SubParsers, name: str) -> SubParsers:
    """A command with actions (``accounts import`` …): its own sub-parser group."""
    text = helptext(name)
    parser = commands.add_parser(name, help=text, description=text)
    return parser.add_subparsers(dest="action", metavar=metavar("action"), required=True, parser_class=Parser)


def json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=helptext("json"))


def build_parser() -> argparse.ArgumentParser:
    """The whole command line. Command modules are light at import: each loads its work when run."""
    from jb_watchdesk.cli import accounts, duty, escalation, lexicon, maintenance, record, watch

    with speaking():
        parser = Parser(prog=PROG, description=helptext("prog"), epilog=say("cli.help.epilog"))
        parser.add_argument("--data-dir", metavar=metavar("dir"), help=helptext("data_dir"))
        parser.add_argument("--now", metavar="ISO8601", help=helptext("now"))
        parser.add_argument("--lang", choices=messages.LANGUAGES, help=helptext("lang"))
        parser.add_argument("--demo", action="store_true", help=helptext("demo"))
        parser.add_argument("--debug", action="store_true", help=helptext("debug"))
        parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}", help=say("cli.argparse.version"))
        commands = parser.add_subparsers(dest="command", metavar=metavar("command"), parser_class=Parser)
        for module in (accounts, watch, lexicon, duty, maintenance, escalation, record):
            module.register(commands)
    return parser


def command_names(parser: argparse.ArgumentParser | None = None) -> list[str]:
    """Every command as typed, e.g. ``accounts import``: the README must document each one."""
    parser = parser or build_parser()
    names: list[str] = []

    def walk(p: argparse.ArgumentParser, prefix: str) -> None:
        for action in p._actions:  # noqa: SLF001 - argparse offers no public way to list a parser's actions
            if isinstance(action, SubParsers):
                for name, sub in action.choices.items():
                    full = f"{prefix} {name}".strip()
                    before = len(names)
                    walk(sub, full)
                    if len(names) == before:
                        names.append(full)

    walk(parser, "")
    return names

MAX_ROW_ID: Final = 2**63 - 1
"""The largest id SQLite can hold: a larger number is a typing mistake, refused before it reaches the store."""

def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``low`` to ``high`` as typed (anything else,
    2**70 and -1 included, is argparse's one-line usage error naming the option, exit 2)."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip(), 10)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(say("cli.bad_number", low=low, high=high, value=plain(text)))
        return value

    parse.__name__ = "whole_number"  # argparse names the type in some messages
    return parse


def row_id(text: str) -> int:
    """An id as typed: a whole number from 1 to :data:`MAX_ROW_ID` (argparse reports anything else, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_ROW_ID:
        raise argparse.ArgumentTypeError(say("cli.bad_id", limit=MAX_ROW_ID, value=plain(text)))
    return value
