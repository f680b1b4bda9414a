"""What the matcher's automaton holds besides the terms: the trigger characters that call for more
work (folding, noise, digits, numerals, stars, building and superlative words), what one pass
found, and folding only where a character folds."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Final

import ahocorasick_rs

from jb_watchdesk.domain.sensitive.detectors import (
    ADDRESS_TRIGGERS,
    NUMERAL_PHONE_STARTS,
    SUPERLATIVE_TRIGGERS,
    marking_stars,
)
from jb_watchdesk.domain.sensitive.lexicon import Term
from jb_watchdesk.domain.sensitive.normalize import FOLD_TABLE, fold, noise_chars

_ASCII_WORD: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

# What a single-character pattern in the automaton stands for (bit flags).
_FOLDS: Final = 1
_NOISE: Final = 2
_DIGIT: Final = 4
_NUMERAL: Final = 8
_STAR: Final = 16
_BUILDING: Final = 32
_SUPERLATIVE_FLAG: Final = 64


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    term: Term
    confidence: float
    noise: bool = False  # found only with in-word noise deleted


@dataclass(slots=True)
class _Seen:
    """What one automaton pass found."""

    candidates: list[_Candidate] = field(default_factory=list)
    allowed: list[tuple[int, int]] = field(default_factory=list)
    noise: list[int] = field(default_factory=list)
    folds: list[int] = field(default_factory=list)
    digits: list[int] = field(default_factory=list)
    numerals: bool = False
    stars: bool = False
    buildings: list[int] = field(default_factory=list)
    superlatives: list[int] = field(default_factory=list)


def _trigger_patterns() -> dict[str, int]:
    """Single characters (and numeral openings) that the automaton reports, with their flags."""
    triggers: dict[str, int] = {}

    def add(key: str, flag: int) -> None:
        triggers[key] = triggers.get(key, 0) | flag

    for char in FOLD_TABLE:  # the text is lower-cased first
        add(char, _FOLDS)
    for char in noise_chars():
        add(char, _NOISE)
    for char in "0123456789":
        add(char, _DIGIT)
    for opening in NUMERAL_PHONE_STARTS:
        add(opening, _NUMERAL)
    for char in marking_stars() + "*":
        add(char, _STAR)
    for word in ADDRESS_TRIGGERS:
        add(word, _BUILDING)
    for word in SUPERLATIVE_TRIGGERS:
        add(word, _SUPERLATIVE_FLAG)
    return triggers


def _covers(positions: list[int], start: int, end: int) -> bool:
    """Whether any of the sorted ``positions`` lies in ``[start, end)``."""
    index = bisect_right(positions, start - 1)
    return index < len(positions) and positions[index] < end


def _automaton(keys: list[str]) -> ahocorasick_rs.AhoCorasick:
    return ahocorasick_rs.AhoCorasick(
        keys,
        matchkind=ahocorasick_rs.MatchKind.Standard,
        store_patterns=False,
        # Measured on 10k and 100k Chinese terms: the fastest scan whose 100k build stays
        # under a second (a DFA scans no faster here and takes seconds to build).
        implementation=ahocorasick_rs.Implementation.ContiguousNFA,
    )


def _bounded(haystack: str, start: int, end: int, check_left: bool, check_right: bool) -> bool:
    """Whether a Latin or digit term stands alone: no letter or digit (in any dress) glued to it."""
    if check_left and start > 0 and _word_char(haystack[start - 1]):
        return False
    return not (check_right and end < len(haystack) and _word_char(haystack[end]))


def _word_char(char: str) -> bool:
    return char in _ASCII_WORD or FOLD_TABLE.get(char.lower(), char.lower()) in _ASCII_WORD


def _fold_at(text: str, positions: list[int]) -> str:
    """``fold(text)`` of a lower-cased ``text``, computed only at ``positions`` (the characters that fold, in order)."""
    pieces: list[str] = []
    kept = 0
    for position in positions:
        pieces.append(text[kept:position])
        pieces.append(fold(text[position]))
        kept = position + 1
    pieces.append(text[kept:])
    return "".join(pieces)
