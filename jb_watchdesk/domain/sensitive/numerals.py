"""Phones, identity numbers and cards written in Chinese numerals (幺三八…), or digits and numerals mixed."""

from __future__ import annotations

import functools
import re
from typing import Final

from jb_watchdesk.domain.sensitive.numbers import _MAX_GAP, _classify, _detection, _gap_class
from jb_watchdesk.domain.sensitive.reasons import Why
from jb_watchdesk.domain.sensitive.rules import Detection

# Phone numbers in Chinese numerals, or digits and numerals mixed (1五7三…): 幺 is how 1 is
# read out, 两 a spoken 2, 〇/零 zero.
_NUMERAL_DIGITS: Final = {
    "零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
    # 大写 numerals, as on cheques
    "壹": "1", "贰": "2", "叁": "3", "肆": "4", "伍": "5", "陆": "6", "柒": "7", "捌": "8", "玖": "9",
    **{digit: digit for digit in "0123456789"},
}
_NUMERAL_CHARS: Final = "".join(_NUMERAL_DIGITS)
_CHINESE_NUMERALS: Final = frozenset(_NUMERAL_CHARS) - frozenset("0123456789")


@functools.cache
def _numeral_run() -> re.Pattern[str]:
    """11 to 19 numerals or digits, with the same separators a number in digits may have (幺\u200b三八…)."""
    gap = f"[{_gap_class()}]{{0,{_MAX_GAP}}}"
    return re.compile(
        f"(?<![{_NUMERAL_CHARS}])[{_NUMERAL_CHARS}](?:{gap}[{_NUMERAL_CHARS}]){{10,18}}(?:{gap}x)?(?![{_NUMERAL_CHARS}])"
    )


NUMERAL_PHONE_STARTS: Final = tuple(
    sorted(
        {first + second for first in _CHINESE_NUMERALS for second in _CHINESE_NUMERALS}
        | {digit + numeral for digit in "0123456789" for numeral in _CHINESE_NUMERALS}
        | {numeral + digit for digit in "0123456789" for numeral in _CHINESE_NUMERALS}
    )
)
"""Two-character pieces of a number written in Chinese numerals (or mixed): the matcher watches for them."""


def find_chinese_numeral_phones(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Phones, identity numbers and cards written in Chinese numerals, or in digits and numerals
    mixed: 幺三八…, 五零零一一二….

    Read as digits, they are judged as numbers written with digits are (identity numbers,
    phones, cards, with their labels); at least one Chinese numeral must be in the run, or
    the digit detectors have read it already.
    """
    endpos = len(folded) if endpos is None else endpos
    found: list[Detection] = []
    numerals = (Why("number.chinese_numerals"),)
    for match in _numeral_run().finditer(folded, pos, endpos):
        if not any(char in _CHINESE_NUMERALS for char in match.group()):
            continue
        digits = "".join(_NUMERAL_DIGITS.get(char, "x") for char in match.group() if char in _NUMERAL_DIGITS or char == "x")
        for candidate in _classify(digits, match.start(), match.end(), numerals):
            detection = _detection(folded, candidate)
            if detection is not None:
                found.append(detection)
    return found
