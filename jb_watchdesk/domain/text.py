"""Checks on text an officer types: notes, findings, names."""

from __future__ import annotations

import unicodedata


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds a control character other than a line break (NUL, ESC, …).

    They corrupt exports and terminals, and SQLite's JSON functions stop at a NUL, so the
    ledger could no longer be compared with the row it records.
    """
    return any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in text)
