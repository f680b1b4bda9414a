"""Checks on what an officer types (names, notes, findings) before it is stored.

One rule for every form and command: trimmed, not empty where required, bounded in length,
no control characters (they would corrupt exports and the terminal). Errors are ``InputError``
with the field named, so the message says what to fix.
"""

from __future__ import annotations

from typing import Final

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.text import clean_text, has_control_characters

MAX_NAME: Final = 40
MAX_TEXT: Final = 2_000


def clean_field(value: str, *, field_name: str, limit: int, required: bool) -> str:
    """Trimmed text without control characters (they would corrupt exports and the terminal)."""
    text = value.strip()
    if required and not text:
        raise InputError("duty.empty", field=field_name)
    if len(text) > limit:
        raise InputError("duty.too_long", field=field_name, length=len(text), limit=limit)
    if has_control_characters(text):
        raise InputError("duty.control_chars", field=field_name)
    return clean_text(text)
