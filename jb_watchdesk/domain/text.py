"""Text at the door: the one sanitiser for outside text, and checks on text an officer types.

Everything that comes from outside the desk — a feed, an API answer, a comment, a register
or lexicon file, an officer's note — passes :func:`clean_text` before it is stored, so that
nothing downstream (SQLite, the ledger's JSON, XLSX, PDF, notifications, the terminal) can
choke on it.

What is forbidden comes from XML 1.0 §2.2 (https://www.w3.org/TR/xml/#charsets):
``Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]``.
XLSX is XML, so a workbook carrying U+FFFE or a C0 control cannot be opened by Excel or
openpyxl; a lone surrogate cannot even be encoded as UTF-8 for SQLite.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

REPLACEMENT: Final = "\ufffd"

# Lone surrogates (a JSON "\ud83d" decodes to one; so does a "surrogateescape" decode).
_SURROGATES: Final = re.compile("[\ud800-\udfff]")
# C0 controls but TAB, LF and CR; DEL and the C1 range are legal XML but are terminal escapes.
# U+FFFE and U+FFFF are not characters. NUL is in the C0 range.
_FORBIDDEN: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """``text`` made safe to store and show: the same text for anything already clean.

    Lone surrogates become U+FFFD (something was there and was lost); characters XML 1.0
    forbids (C0 controls other than TAB/LF/CR, NUL included), DEL, the C1 controls and the
    non-characters U+FFFE/U+FFFF are removed. Surrogate *pairs* in a ``str`` (as a
    ``surrogatepass`` decode leaves them) are joined into the character they encode first.
    """
    if text.isascii():
        return _FORBIDDEN.sub("", text) if _FORBIDDEN.search(text) else text
    if _SURROGATES.search(text):
        # Join valid pairs first, then replace what is still alone.
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        text = _SURROGATES.sub(REPLACEMENT, text)
    if _FORBIDDEN.search(text):
        text = _FORBIDDEN.sub("", text)
    return text


def clean_optional(text: str | None) -> str | None:
    """:func:`clean_text` for a field that may be absent."""
    return None if text is None else clean_text(text)


def is_clean(text: str) -> bool:
    """True when :func:`clean_text` would leave ``text`` as it is."""
    return not (_FORBIDDEN.search(text) or _SURROGATES.search(text))


def has_control_characters(text: str) -> bool:
    """True when ``text`` holds a control character other than a line break (NUL, ESC, …).

    They corrupt exports and terminals, and SQLite's JSON functions stop at a NUL, so the
    ledger could no longer be compared with the row it records.
    """
    return any(unicodedata.category(ch) == "Cc" and ch != "\n" for ch in text)
