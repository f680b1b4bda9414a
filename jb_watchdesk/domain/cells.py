"""Spreadsheet cell safety: text that a spreadsheet would run as a formula is written as literal text.

CSV has no cell types, so a leading apostrophe (the convention Excel itself uses) marks
the text as literal; ``restore`` undoes exactly that on import so registers round-trip.
Every cell also passes the one sanitiser: a character XML forbids (U+FFFE, a C0 control)
in one cell makes Excel and openpyxl refuse the whole workbook.
"""

from __future__ import annotations

from jb_watchdesk.domain.text import clean_text

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def neutralise(text: str) -> str:
    """``text`` cleaned, with an apostrophe prefixed when it would otherwise be read as a formula."""
    text = clean_text(text)
    return "'" + text if is_formula_like(text) else text


def restore(text: str) -> str:
    """Undo :func:`neutralise` (only for text it would have produced)."""
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text
