"""What the command line prints: one-line-safe text, aligned tables (CJK-aware), JSON and times.

Every text comes from the message catalogue (:func:`say`, :func:`label`); times are formatted by
:mod:`jb_watchdesk.domain.messages.times`, so a table shows an instant the way the window does.
"""

from __future__ import annotations

import getpass
import json
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import TextIO

from jb_watchdesk.domain import messages

PROG = "jb-watchdesk"


def say(key: str, /, **params: object) -> str:
    """The catalogue's text for ``key`` in the officer's language."""
    return messages.text(key, None, **params)


def label(kind: str, code: object) -> str:
    """The name of a code (platform, state, severity …) in the officer's language."""
    return messages.label(kind, code)


def headers(*names: str) -> list[str]:
    """Column headers: ``cli.column.<name>`` for each name."""
    return [say(f"cli.column.{name}") for name in names]


def plain(text: object) -> str:
    """One line of printable text: control characters from stored data never reach the terminal."""
    return "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in str(text))


def clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_table(rows: Sequence[Sequence[object]], *, headers: Sequence[str], out: TextIO) -> None:
    cells = [[plain(h) for h in headers], *[[plain(c) for c in row] for row in rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        out.write("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")


def line(out: TextIO, key: str, /, **params: object) -> None:
    """One catalogue sentence on its own line; parameters from stored data pass :func:`plain`."""
    out.write(say(key, **{name: plain(value) if isinstance(value, str) else value for name, value in params.items()}) + "\n")


def dump_json(data: object, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def when(moment: datetime | None, shape: str = "MINUTES", *, estimated: bool = False) -> str:
    """Shanghai wall time in one of :class:`~jb_watchdesk.domain.messages.times.Shape`; ``-`` for none."""
    from jb_watchdesk.domain.messages import times

    shown = times.show(moment, times.Shape[shape], empty="-")
    return shown + ("*" if estimated and moment is not None else "")


def officer_or_login(officer: str | None) -> str:
    """``--officer``, or the login name; empty when there is none (the service then refuses)."""
    if officer is not None:
        return officer
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""
