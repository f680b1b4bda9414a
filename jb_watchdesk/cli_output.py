"""What the command line prints: one-line-safe text, aligned tables (CJK-aware) and JSON."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from datetime import tzinfo
from typing import TextIO

from jb_watchdesk.domain import messages


def zh() -> bool:
    return messages.current_language() == "zh"


def plain(text: object) -> str:
    """One line of printable text: control characters from stored data never reach the terminal."""
    return "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in str(text))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def print_table(rows: Sequence[Sequence[object]], *, headers: Sequence[str], out: TextIO) -> None:
    cells = [[plain(h) for h in headers], *[[plain(c) for c in row] for row in rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        out.write("  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")


def dump_json(data: object, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def shanghai() -> tzinfo:
    """The duty room's time zone (Asia/Shanghai), loaded when a command first shows a time."""
    from jb_watchdesk.domain.rules import SHANGHAI

    return SHANGHAI
