"""Sensitive-content matching: lexicon, normalisation, matcher and personal-data detectors.

Pure functions and immutable objects only; reading lexicon files is the caller's job
(``jb_watchdesk.services.lexicon_files``)::

    parsed = parse_lexicon(csv_text, name="office.csv")
    scanner = Scanner.build(merge_lexicons([default, parsed.lexicon]))
    hits = scanner.scan(post_body)
"""

from __future__ import annotations

from jb_watchdesk.domain.sensitive.detectors import (
    is_valid_id_number,
    luhn_ok,
    mask_bank_card,
    mask_id_number,
    mask_phone,
)
from jb_watchdesk.domain.sensitive.lexicon import (
    ALLOW,
    AllowPhrase,
    Category,
    Lexicon,
    LexiconProblem,
    ParsedLexicon,
    Severity,
    Term,
    merge_lexicons,
    parse_lexicon,
)
from jb_watchdesk.domain.sensitive.matcher import Hit, Scanner
from jb_watchdesk.domain.sensitive.normalize import fold
from jb_watchdesk.domain.sensitive.offsets import utf16_span, utf16_spans

__all__ = [
    "ALLOW",
    "AllowPhrase",
    "Category",
    "Hit",
    "Lexicon",
    "LexiconProblem",
    "ParsedLexicon",
    "Scanner",
    "Severity",
    "Term",
    "fold",
    "is_valid_id_number",
    "luhn_ok",
    "mask_bank_card",
    "mask_id_number",
    "mask_phone",
    "merge_lexicons",
    "parse_lexicon",
    "utf16_span",
    "utf16_spans",
]
