"""What the command line prints: one-line-safe text, aligned tables (CJK-aware), JSON and times.

Every text comes from the message catalogue (:func:`say`, :func:`label`); times are formatted by
:mod:`jb_watchdesk.domain.messages.times`, so a table shows an instant the way the window does.
"""

from __future__ import annotations

import getpass
import json
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from typing import Final, TextIO

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


# Kept although they are format characters (Cf): joiners inside emoji and Chinese/Indic text,
# which neither reorder nor break a line.
_JOINERS: Final = frozenset("\u200c\u200d")


def _shown(ch: str) -> bool:
    category = unicodedata.category(ch)
    # C*: controls (C0, C1 with U+0085), format characters (bidi embeddings, overrides and isolates
    # U+202A–U+202E and U+2066–U+2069, marks U+200E/U+200F and U+061C), surrogates, private use,
    # unassigned; Zl/Zp: U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR, which terminals and
    # editors break lines on.
    return ch in _JOINERS or not (category[0] == "C" or category in ("Zl", "Zp"))


def plain(text: object) -> str:
    """One line of printable text: control, bidi and line-separator characters from stored data
    never reach the terminal; each becomes one space, so a table keeps its columns."""
    return "".join(ch if _shown(ch) else " " for ch in str(text))


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


# Characters json.dumps(ensure_ascii=False) writes raw that change how the text around them is
# shown or are not text at all (bidi controls, line separators, C1 controls, lone surrogates, tag
# characters U+E0000–U+E007F, noncharacters U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of every plane,
# private-use characters): written as \uXXXX escapes instead (a UTF-16 surrogate pair above
# U+FFFF), so a terminal, a pager or a JavaScript reader sees them as text. The escapes are valid
# JSON (RFC 8259 §7: https://www.rfc-editor.org/rfc/rfc8259#section-7) and decode to the same string.
_JSON_UNSAFE: Final = re.compile(
    r"[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
    r"\ufffe\uffff\ud800-\udfff\ue000-\uf8ff\ufdd0-\ufdef\U000e0000-\U000e007f\U000f0000-\U0010ffff]"
    r"|[\U0001fffe-\U0001ffff\U0002fffe-\U0002ffff\U0003fffe-\U0003ffff\U0004fffe-\U0004ffff"
    r"\U0005fffe-\U0005ffff\U0006fffe-\U0006ffff\U0007fffe-\U0007ffff\U0008fffe-\U0008ffff"
    r"\U0009fffe-\U0009ffff\U000afffe-\U000affff\U000bfffe-\U000bffff\U000cfffe-\U000cffff"
    r"\U000dfffe-\U000dffff\U000efffe-\U000effff]"
)


def _escape_unsafe(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(data: object, *, indent: int | None = 2) -> str:
    """``data`` as JSON (Chinese kept readable; ``indent=None``: one line, for JSON Lines) with every
    control, bidi and line-separator character escaped as ``\\uXXXX``: nothing in it reorders or
    breaks a terminal line."""
    return _JSON_UNSAFE.sub(_escape_unsafe, json.dumps(data, ensure_ascii=False, indent=indent))


def dump_json(data: object, out: TextIO) -> None:
    """Write :func:`json_text` of ``data`` and a newline."""
    out.write(json_text(data) + "\n")


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
