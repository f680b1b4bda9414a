"""Normalisation that keeps offsets exact.

Two steps, both designed so every hit can be mapped back to the exact span of the text the
officer sees:

1. ``fold`` replaces each character by exactly one character (full-width → half-width letters
   and digits, case, circled digits, Latin letters with diacritics such as pinyin tone marks,
   compatibility ideographs and Kangxi radicals, traditional → simplified; full-width
   punctuation is left alone). The folded text has the same length as the original, so an offset into one is
   an offset into the other.
2. ``compact`` deletes in-word noise — spaces, zero-width and other format characters,
   ``* · _ -`` and the like — but only a short run of it squeezed between two CJK characters
   (秘*密, 代·办). Sentence punctuation and line breaks are never deleted: removing them glues
   the end of one clause to the start of the next and creates words nobody wrote. Latin letters
   and digits are not glued either, or ``have a very`` would contain ``av``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from jb_watchdesk.domain.sensitive._t2s import TRADITIONAL_TO_SIMPLIFIED

# Blocks where compatibility forms hide: Latin-1, letter-like and number forms, enclosed
# alphanumerics, dingbat digits, CJK radicals and Kangxi radicals (⼀ looks like 一), the
# ideographic space, CJK compatibility ideographs and forms, half-/full-width forms,
# mathematical alphanumerics (𝐀, 𝟏) and the enclosed-alphanumeric supplement.
_COMPAT_RANGES: Final = (
    (0x00A0, 0x00FF),
    (0x0100, 0x024F),  # Latin Extended-A/B: pinyin with tone marks (dī, shuā) folds to plain letters
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x2100, 0x218F),
    (0x2460, 0x24FF),
    (0x2776, 0x2793),
    (0x2E80, 0x2FDF),
    (0x3000, 0x3000),
    (0x3200, 0x32FF),  # enclosed CJK: ㊙ is 秘, ㊣ is 正
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x1D400, 0x1D7FF),
    (0x1F100, 0x1F1FF),
    (0x2F800, 0x2FA1F),
)


def _fold_one(char: str) -> str:
    """The folded form of one (already lower-cased) character, always exactly one character."""
    candidate = unicodedata.normalize("NFKC", char)
    if len(candidate) != 1 or candidate == char:
        # ⑩ → "10" would change the length; dingbat digits (❶) have no NFKC form at all.
        value = unicodedata.digit(char, None)
        candidate = str(value) if value is not None else char
    lowered = candidate.lower()
    if len(lowered) == 1:
        candidate = lowered
    decomposed = unicodedata.normalize("NFD", candidate)
    if (
        len(decomposed) > 1
        and decomposed[0].isascii()
        and decomposed[0].isalpha()
        and all(unicodedata.category(mark) == "Mn" for mark in decomposed[1:])
    ):
        candidate = decomposed[0].lower()  # a Latin letter with a diacritic: ā á ǎ à → a
    return TRADITIONAL_TO_SIMPLIFIED.get(candidate, candidate)


# Full-width punctuation stays as it is: it is the normal punctuation of Chinese text, no term
# contains it, and folding it would make almost every post take the slow path. The exceptions
# are the separators people use as in-word noise and the plus sign of +86.
_KEEP_FULL_WIDTH: Final = frozenset(
    chr(code)
    for first, last in ((0xFF01, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40), (0xFF5B, 0xFF64))
    for code in range(first, last + 1)
) - frozenset("＊＋－＿～")


def _build_fold_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for first, last in _COMPAT_RANGES:
        for code in range(first, last + 1):
            char = chr(code)
            if unicodedata.category(char) == "Cn" or char in _KEEP_FULL_WIDTH:
                continue
            folded = _fold_one(char.lower() if len(char.lower()) == 1 else char)
            if folded != char:
                table[char] = folded
    for traditional, simplified in TRADITIONAL_TO_SIMPLIFIED.items():
        table[traditional] = simplified
    # Folding must be idempotent: a value that is itself a key would fold differently twice.
    for key, value in list(table.items()):
        table[key] = table.get(value, value)
    return table


FOLD_TABLE: Final[dict[str, str]] = _build_fold_table()
_FOLD_TRANSLATION: Final = str.maketrans(FOLD_TABLE)
# Two patterns because a character class with any character beyond U+FFFF loses the regex
# engine's bitmap and is tested range by range: 2 MB/s instead of well over 100 MB/s. The
# astral fold characters sit in a few blocks, so a class of whole blocks finds them cheaply.
_FOLD_CHARS_BMP: Final = re.compile(
    "[" + "".join(re.escape(c) for c in sorted(FOLD_TABLE) if ord(c) <= 0xFFFF) + "]+"
)
_FOLD_CHARS_ASTRAL: Final = re.compile("[\U0001D400-\U0001D7FF\U0001F100-\U0001F1FF\U0002F800-\U0002FA1F]+")

# The one character whose lower case is two characters long (İ → i̇); replaced first so that
# str.lower(), which is fast, can do the case folding for everything else.
_DOTTED_CAPITAL_I: Final = "\u0130"


def fold(text: str) -> str:
    """Fold ``text`` character by character; the result always has the same length.

    The same fold is applied to lexicon terms, so 國家級, ＡＢＣ and ①②③ in a post match
    国家级, abc and 123 in the lexicon.
    """
    if _DOTTED_CAPITAL_I in text:
        text = text.replace(_DOTTED_CAPITAL_I, "i")
    folded = text.lower()
    # Translating only the runs that need it: str.translate over a whole post is several times
    # slower than finding the few characters that change.
    if _FOLD_CHARS_ASTRAL.search(folded) is not None:
        folded = _FOLD_CHARS_ASTRAL.sub(_translate, folded)
    if _FOLD_CHARS_BMP.search(folded) is not None:
        folded = _FOLD_CHARS_BMP.sub(_translate, folded)
    return folded


def _translate(match: re.Match[str]) -> str:
    return match.group().translate(_FOLD_TRANSLATION)



# In-word noise is decided by Unicode category, not by a list of the characters seen so far:
# format characters (zero-width space and joiners, bidi controls, soft hyphen, tags), combining
# and enclosing marks (代̶办, variation selectors), spaces, and symbols (emoji, ◆ ★ ☆, the
# braille blank, currency signs ￥, math symbols + × | ~, modifier symbols ^).
NOISE_CATEGORIES: Final = frozenset({"Cf", "Mn", "Me", "Zs", "So", "Sk", "Sc", "Sm"})
# Letters that render as nothing (Hangul fillers) and the punctuation people use as filler.
# Not: 。，、；：！？.,;:!? quotes, brackets, em dashes or slashes — those separate words.
NOISE_EXTRA: Final = "\u115f\u1160\u3164\uffa0" "*·•・‧∙_-\u2010\u2011\u2012\u2013※#@&%\\"
# Where noise characters live: the Basic Multilingual Plane, the emoji and pictograph blocks,
# tags and the variation-selector supplement. Scanning only these keeps the table's build short.
_NOISE_PLANES: Final = ((0x0000, 0xFFFF), (0x1F000, 0x1FAFF), (0xE0000, 0xE01EF))
# Zero-width characters do not count towards the length of a run: 👨‍👩‍👧 is one glyph.
_INVISIBLE_CATEGORIES: Final = frozenset({"Cf", "Mn", "Me"})
_MAX_NOISE_RUN: Final = 4
"""Visible noise characters between two Chinese characters; a longer gap is layout, not an evasion."""
_LINE_BREAKS: Final = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@functools.cache
def noise_chars() -> frozenset[str]:
    """Every character treated as in-word noise (built once, about 20 ms)."""
    chars = {
        char
        for first, last in _NOISE_PLANES
        for char in map(chr, range(first, last + 1))
        if unicodedata.category(char) in NOISE_CATEGORIES
    }
    chars.update(NOISE_EXTRA)
    return frozenset(chars - _LINE_BREAKS)


def shown(char: str) -> str:
    """A character as an officer can read it in a reason: invisible ones by code point (U+200B)."""
    return char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"


def is_invisible(char: str) -> bool:
    """Whether ``char`` takes no room on screen (format characters and marks)."""
    return unicodedata.category(char) in _INVISIBLE_CATEGORIES


def is_cjk(char: str) -> bool:
    """Whether ``char`` is a CJK unified or compatibility ideograph."""
    return (
        "\u4e00" <= char <= "\u9fff"
        or "\u3400" <= char <= "\u4dbf"
        or "\uf900" <= char <= "\ufaff"
        or "\U00020000" <= char <= "\U0003134f"
    )


def noise_runs(folded: str, *, positions: Iterable[int] | None = None) -> list[tuple[int, int]]:
    """Runs of in-word noise squeezed between two Chinese characters, as ``(start, end)`` spans.

    ``positions`` are the offsets of the noise characters when the caller already knows them
    (the matcher's automaton reports them); otherwise the text is searched.
    """
    noise = noise_chars()
    if positions is None:
        positions = [index for index, char in enumerate(folded) if char in noise]
    runs: list[tuple[int, int]] = []
    run_start = run_end = -1
    for index in positions:
        if index == run_end:
            run_end += 1
            continue
        if run_start >= 0:
            runs.append((run_start, run_end))
        run_start, run_end = index, index + 1
    if run_start >= 0:
        runs.append((run_start, run_end))
    length = len(folded)
    kept: list[tuple[int, int]] = []
    for start, end in runs:
        if start == 0 or end >= length or not is_cjk(folded[start - 1]) or not is_cjk(folded[end]):
            continue
        visible = sum(1 for char in folded[start:end] if not is_invisible(char))
        if visible <= _MAX_NOISE_RUN:
            kept.append((start, end))
    return kept


@dataclass(frozen=True, slots=True)
class Compacted:
    """A text with in-word noise deleted, and the way back to the original offsets.

    ``segment_starts[k]`` is the compact offset where the k-th kept segment begins and
    ``segment_shifts[k]`` how many characters were deleted before it.
    """

    text: str
    segment_starts: tuple[int, ...]
    segment_shifts: tuple[int, ...]

    def original_offset(self, index: int) -> int:
        """Map an offset into the compact text to the offset of the same character before deletion."""
        segment = bisect_right(self.segment_starts, index) - 1
        return index + self.segment_shifts[segment]

    def original_span(self, *, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty compact span ``[start, end)`` to the original span it was read from."""
        return self.original_offset(start), self.original_offset(end - 1) + 1


def compact(folded: str, runs: Sequence[tuple[int, int]] | None = None, *, base: int = 0) -> Compacted | None:
    """Delete in-word noise from ``folded``; ``None`` when there is nothing to delete.

    ``runs`` are the noise runs to delete (from :func:`noise_runs`, offsets into ``folded``
    plus ``base``); by default every run in the text. Returning ``None`` lets the caller skip
    the second matching pass, which is the common case. Offsets in the result map back to
    ``base + offset`` in the text the runs were found in.
    """
    if runs is None:
        runs = noise_runs(folded)
    if not runs:
        return None
    pieces: list[str] = []
    starts = [0]
    shifts = [base]
    kept_until = 0
    deleted = 0
    for run_start, run_end in runs:
        run_start -= base
        run_end -= base
        pieces.append(folded[kept_until:run_start])
        deleted += run_end - run_start
        starts.append(run_end - deleted)
        shifts.append(base + deleted)
        kept_until = run_end
    pieces.append(folded[kept_until:])
    return Compacted(text="".join(pieces), segment_starts=tuple(starts), segment_shifts=tuple(shifts))


def fold_term(term: str) -> str:
    """The form of a lexicon term the matcher looks for: folded, trimmed, in-word noise removed."""
    folded = fold(term.strip())
    compacted = compact(folded)
    return folded if compacted is None else compacted.text
