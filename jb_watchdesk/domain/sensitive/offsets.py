"""Offsets in code points (Python, the command line, JSON) and in UTF-16 units (Qt).

Qt's QString counts UTF-16 code units, so every character outside the Basic Multilingual
Plane — emoji in comments above all — shifts a highlight by one unit per character before it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from typing import Final

_ASTRAL: Final = re.compile("[\U00010000-\U0010ffff]")


def utf16_offset(text: str, *, index: int) -> int:
    """The UTF-16 offset of code-point offset ``index`` in ``text``."""
    return index + len(_ASTRAL.findall(text, 0, index))


def utf16_span(text: str, *, start: int, end: int) -> tuple[int, int]:
    """Convert a code-point span of ``text`` to a UTF-16 span for Qt highlighting."""
    return utf16_offset(text, index=start), utf16_offset(text, index=end)


def utf16_spans(text: str, *, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Convert many code-point spans of ``text`` at once; one pass over the text, not one per span."""
    astral = [match.start() for match in _ASTRAL.finditer(text)]
    if not astral:
        return [(start, end) for start, end in spans]
    return [(start + bisect_left(astral, start), end + bisect_left(astral, end)) for start, end in spans]


def code_point_offset(text: str, *, utf16_index: int) -> int:
    """The inverse: the code-point offset of UTF-16 offset ``utf16_index`` (e.g. a Qt cursor).

    An index that falls between the two halves of a surrogate pair maps to the character's start.
    """
    units = 0
    for index, char in enumerate(text):
        width = 2 if ord(char) > 0xFFFF else 1
        if units + width > utf16_index:
            return index
        units += width
    return len(text)
