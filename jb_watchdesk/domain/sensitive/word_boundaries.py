"""Word boundaries around a hit: the dictionary word (jieba, by ``rjieba``) that a term cuts through, if any."""

from __future__ import annotations

import functools
import re
from types import ModuleType
from typing import Final

from jb_watchdesk.domain.sensitive.normalize import is_cjk

_COMMON_WORD: Final = 100
"""A crossing word rarer than this in jieba's dictionary (its frequency) does not drop a hit."""
_FUNCTION_CHARS: Final = frozenset("替为给对向让被把在和与跟同比从自由将以于及或")
"""Prepositions and conjunctions: a one-character word of the term that is one of these is a word."""
_BOUNDARY_WINDOW: Final = 6
"""Characters on each side of a hit given to the segmenter: enough for the words that touch it."""
_CJK_CLASS: Final = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_TAIL: Final = re.compile(f"[{_CJK_CLASS}]*$")
_CJK_HEAD: Final = re.compile(f"[{_CJK_CLASS}]*")


@functools.cache
def _segmenter() -> ModuleType:
    # Imported on first use: loading the dictionary takes a few hundred milliseconds, which a
    # scan of a text without any Chinese term never pays.
    import rjieba

    return rjieba


def crossed_word(folded: str, *, start: int, end: int, strict: bool = False) -> str | None:
    """The dictionary word that a hit at ``[start, end)`` cuts through, or ``None`` if it stands.

    Only the run of Chinese characters around the hit (at most :data:`_BOUNDARY_WINDOW` on each
    side) is segmented. A crossing counts only if the word is in jieba's dictionary, longer
    than one character and common (:data:`_COMMON_WORD`; 单日 in 刷单日结 is not), so a guess of
    the segmenter's HMM or a rare word never discards a hit; and only if the rest of the hit is
    itself made of words (代替|考生 leaves nothing of 替考, 法治|国家 leaves 以法治). When the
    crossing leaves one orphan character (科目四代|考), the segmenter merely preferred a
    neighbour's word to a rare term, and the hit stands — unless the orphan is a preposition
    (替|考生 in 志愿者替考生撑伞) or the hit is crossed on both sides (学习|进|平安 around 习进平).
    ``strict`` allows no orphan and no rare word: for a short cue word (也接 in 也|接受) any
    crossing counts.

    If the segmenter cannot be loaded, every hit stands: a missing dictionary must never
    stop a scan.
    """
    if end - start < 2:
        return None
    touches_left = start > 0 and is_cjk(folded[start - 1]) and is_cjk(folded[start])
    touches_right = end < len(folded) and is_cjk(folded[end]) and is_cjk(folded[end - 1])
    if not (touches_left or touches_right):
        return None
    lo = start
    if touches_left:
        lo = _CJK_TAIL.search(folded, max(0, start - _BOUNDARY_WINDOW), start).start()  # type: ignore[union-attr]
    hi = end
    if touches_right:
        hi = _CJK_HEAD.match(folded, end, min(len(folded), end + _BOUNDARY_WINDOW)).end()  # type: ignore[union-attr]
    return _crossed_in_window(folded[lo:hi], start - lo, end - lo, touches_left, touches_right, strict)


@functools.lru_cache(maxsize=8192)
def _crossed_in_window(
    window: str, start: int, end: int, touches_left: bool, touches_right: bool, strict: bool
) -> str | None:
    """:func:`crossed_word` on the window alone; cached, since reposted texts repeat their hits' surroundings."""
    try:
        segmenter = _segmenter()
    except ImportError:
        return None
    crossing: str | None = None
    crossings = 0
    inside: list[str] = []
    for word, word_start, word_end in segmenter.tokenize(window):
        if word_end <= start or word_start >= end:
            continue
        cuts = (touches_left and word_start < start < word_end) or (touches_right and word_start < end < word_end)
        if cuts and len(word) > 1 and segmenter.has_word(word):
            if not strict and segmenter.suggest_freq(word) < _COMMON_WORD:
                continue  # a rare word (单日 in 刷单日结) is no reason to doubt the term
            crossing = crossing or str(word)
            crossings += 1
        elif start <= word_start and word_end <= end:
            inside.append(str(word))
        else:
            return None  # cut by a guess, not a dictionary word: the hit stands
    if crossing is None:
        return None
    one_side = not (touches_left and touches_right) or crossings == 1
    if not strict and one_side and inside and all(len(word) == 1 for word in inside):
        # An orphan is left (科目四代|考): the term is as good a reading as the neighbour's word,
        # unless the orphan is a preposition or conjunction, which stands alone by nature
        # (替|考生 in 志愿者替考生撑伞: "for the examinees").
        if not any(word in _FUNCTION_CHARS for word in inside):
            return None
    return crossing
