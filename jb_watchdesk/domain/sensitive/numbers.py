"""Identity numbers, mobile numbers and bank cards written with digits, however separated.

A run of digits and separators is cut into groups, every way of reading the groups as one number
is checked (:mod:`~jb_watchdesk.domain.sensitive.number_checks`), the best non-overlapping
reading is kept and the nearest label (:mod:`~jb_watchdesk.domain.sensitive.number_labels`)
decides what the number is and how serious.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Final

from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.domain.sensitive.normalize import noise_chars, shown
from jb_watchdesk.domain.sensitive.number_checks import (
    is_valid_credit_code,
    is_valid_id_number,
    is_valid_legacy_id_number,
    luhn_ok,
    mask_bank_card,
    mask_id_number,
    mask_phone,
)
from jb_watchdesk.domain.sensitive.number_labels import _EXAMPLE, _LABEL_BEFORE, _label_why, _nearest_label
from jb_watchdesk.domain.sensitive.reasons import Why
from jb_watchdesk.domain.sensitive.rules import (
    RULE_BANK_CARD,
    RULE_ID_CARD,
    RULE_ID_CARD_LEGACY,
    RULE_MOBILE,
    Detection,
)

# Between two digits: one to four characters that are not letters, digits, Chinese characters
# or sentence punctuation — spaces, dashes, dots, emoji and other symbols, a line break,
# zero-width characters (all in-word noise, decided by Unicode category). Not commas (amounts),
# colons (times) or slashes (dates).
_EXTRA_GAPS: Final = ".\n\r\u2014\u2015\u2212\ufe58\ufe63"
_MAX_GAP: Final = 4


@functools.cache
def _gap_class() -> str:
    """The characters that may stand between two digits of one number, as a regex class body."""
    chars = sorted(char for char in noise_chars() | frozenset(_EXTRA_GAPS) if ord(char) <= 0xFFFF)
    return "".join(re.escape(char) for char in chars) + "\U0001F000-\U0001FAFF"


@functools.cache
def _number_run() -> re.Pattern[str]:
    return re.compile(f"[0-9](?:[{_gap_class()}]{{0,{_MAX_GAP}}}[0-9x])*")


def _visible_gap(gap: str) -> str:
    """A gap without its invisible characters: 1380\u200b0138\u200b000 is written without separators."""
    import unicodedata

    return "".join(char for char in gap if unicodedata.category(char) not in ("Cf", "Mn", "Me"))


@dataclass(frozen=True, slots=True)
class _Group:
    """Digits written without a break, and what stood between them and the group before."""

    start: int
    end: int
    digits: str
    gap: str  # what stood before this group: separators or invisible characters ("" for the first)


def _groups(folded: str, start: int, end: int) -> list[_Group]:
    groups: list[_Group] = []
    index = start
    gap = ""
    while index < end:
        char = folded[index]
        if char in _DIGITS or char == "x":
            group_start = index
            digits: list[str] = []
            while index < end and (folded[index] in _DIGITS or folded[index] == "x"):
                digits.append(folded[index])
                index += 1
            groups.append(_Group(group_start, index, "".join(digits), gap))
            gap = ""
            continue
        gap += char
        index += 1
    return groups


# Current mainland mobile ranges (MIIT numbering plan): 13x, 145–149, 15x but 154, 162/165–167,
# 170–178, 18x, 19x but 194. 140–144 are 13-digit IoT numbers and not phones.
_MOBILE: Final = re.compile(r"1(?:3[0-9]|4[5-9]|5[0-35-9]|6[25-7]|7[0-8]|8[0-9]|9[0-35-9])[0-9]{8}")
_COUNTRY_CODE: Final = re.compile(r"[(（]?(?:\+|00)86[)）]?[ \-]?$")
# Issuer prefixes of cards used in China: UnionPay 62 and the older 60/9x domestic ranges,
# Visa 4, Mastercard 51–55 and 2221–2720, JCB 35.
_CARD_PREFIX: Final = re.compile(r"62|60|9[0-9]|4|5[1-5]|2[2-7]|35")
_CARD_LENGTHS: Final = frozenset({16, 17, 18, 19})
_TARGET_LENGTHS: Final = frozenset({11, 15, *_CARD_LENGTHS})
_MAX_DIGITS: Final = 19
_GLUED: Final = 29  # an 18-character identity number and an 11-digit phone written as one
_MAX_RUN_DIGITS: Final = 40
"""In a run with more digits than this (no word between them), each group of digits is read on its own."""


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    number: str
    kind: str  # "id", "id15", "card", "mobile"
    why: tuple[Why, ...] = ()


def _evasion_why(groups: list[_Group]) -> tuple[Why, ...]:
    unusual = {char for group in groups[1:] for char in group.gap} - {" ", "-"}
    if len(groups) > 4 or unusual:
        listed = " ".join(shown(char) for char in sorted(unusual)) or "␠"
        return (Why("number.separators", listed),)
    return ()


def _candidates(folded: str, groups: list[_Group], *, combine: bool = True) -> list[_Candidate]:
    """Every way the groups of one run could be a number worth reporting, validated.

    ``combine=False`` reads each group on its own (a long run of separate numbers).
    """
    found: list[_Candidate] = []
    gaps = [_visible_gap(group.gap) for group in groups]
    for first in range(len(groups)):
        digits = ""
        for last in range(first, len(groups) if combine else first + 1):
            group = groups[last]
            if last > first + 1 and gaps[last] != gaps[first + 1]:
                break  # one number is written with one kind of separator
            digits += group.digits
            if len(digits) > _MAX_DIGITS:
                break
            if len(digits) not in _TARGET_LENGTHS or "x" in digits[:-1]:
                continue
            span = groups[first : last + 1]
            if len(set(digits)) <= 2:
                continue  # 111111111111111 (a row of 扣1), 4444444444444448: no one's number
            why = _evasion_why(span)
            if len(span) >= _SPACED_DIGITS and all(len(piece.digits) == 1 for piece in span):
                why = (*why, Why("number.spaced"))  # a space between every digit: needs a label
            found.extend(_classify(digits, span[0].start, span[-1].end, why))
        group = groups[first]
        if group.digits.endswith("x") and len(group.digits) != 18 and len(group.digits) - 1 in _TARGET_LENGTHS:
            # 13812345678x, 440304199001011233X: a stray letter after a whole number
            found.extend(_classify(group.digits[:-1], group.start, group.end - 1, ()))
        if len(group.digits) == _GLUED:
            found.extend(_glued(group))
        for code in ("86", "0086"):  # +8613812345678: the country code glued to the number
            if len(group.digits) == len(code) + 11 and group.digits.startswith(code):
                found.extend(
                    candidate
                    for candidate in _classify(group.digits[len(code) :], group.start + len(code), group.end, ())
                    if candidate.kind == "mobile"
                )
    return found


def _classify(digits: str, start: int, end: int, why: tuple[Why, ...]) -> list[_Candidate]:
    found: list[_Candidate] = []
    length = len(digits)
    if length == 18 and is_valid_id_number(digits):
        found.append(_Candidate(start, end, digits, "id", why))
    elif length == 15 and is_valid_legacy_id_number(digits):
        found.append(_Candidate(start, end, digits, "id15", why))
    elif length == 11 and _MOBILE.fullmatch(digits):
        found.append(_Candidate(start, end, digits, "mobile", why))
    if length in _CARD_LENGTHS and digits.isdigit() and _CARD_PREFIX.match(digits) and not found:
        if not is_valid_credit_code(digits):
            found.append(_Candidate(start, end, digits, "card", why))
    return found


def _glued(group: _Group) -> list[_Candidate]:
    digits = group.digits
    glued = (Why("number.glued"),)
    for split in (18, 11):
        head, tail = digits[:split], digits[split:]
        pieces = [
            _classify(head, group.start, group.start + split, glued),
            _classify(tail, group.start + split, group.end, glued),
        ]
        if all(pieces) and {piece[0].kind for piece in pieces} == {"id", "mobile"}:
            return [piece[0] for piece in pieces]
    return []


_PRIORITY: Final = {"id": 4, "card": 3, "id15": 2, "mobile": 1}
_SPACED_DIGITS: Final = 8
"""Groups of one digit each, this many or more: written to dodge a filter, or a row of digits."""


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """The best non-overlapping reading: identity numbers first, then cards, then the rest."""
    chosen: list[_Candidate] = []
    taken: list[tuple[int, int]] = []  # chosen spans, sorted by start (they never overlap)
    for candidate in sorted(candidates, key=lambda c: (-_PRIORITY[c.kind], -(c.end - c.start), c.start)):
        index = bisect_right(taken, (candidate.start, candidate.end))
        if index and taken[index - 1][1] > candidate.start:
            continue
        if index < len(taken) and taken[index][0] < candidate.end:
            continue
        taken.insert(index, (candidate.start, candidate.end))
        chosen.append(candidate)
    return chosen


def _detection(folded: str, candidate: _Candidate) -> Detection | None:
    """Apply the labels: the nearest one decides what the number is, and how serious."""
    nearest, other = _nearest_label(folded, candidate.start, candidate.end)
    kind = nearest.kind if nearest is not None else None
    label_why = _label_why(nearest, other)
    why = candidate.why + label_why
    number = candidate.number
    if kind == "other":
        return None  # an order, invoice, registration or tracking number: not personal data
    if kind is None and any(reason.code == "number.spaced" for reason in candidate.why):
        return None  # "1 3 8 …" with nothing saying what it is: a row of digits as often as a phone
    if _in_url(folded, candidate.start):
        return None  # a post id in a link (weibo.com/…/4987654321098769)
    if kind != "example" and _EXAMPLE.search(folded, max(0, candidate.start - _LABEL_BEFORE), candidate.start):
        kind = "example"  # 示例：公民身份号码 11010519491231002X — the ID label is nearer, the example rules
    if kind == "example":
        why = (*why, Why("number.example"))
    if candidate.kind == "id":
        also_credit = is_valid_credit_code(number)
        if kind == "example":
            return _privacy(candidate, RULE_ID_CARD, Severity.MEDIUM, 0.5, mask_id_number(number), why)
        if also_credit and kind != "id":
            return _privacy(candidate, RULE_ID_CARD, Severity.MEDIUM, 0.6, mask_id_number(number), (*why, Why("number.also_credit_code")))
        return _privacy(candidate, RULE_ID_CARD, Severity.HIGH, 1.0, mask_id_number(number), why)
    if candidate.kind == "id15":
        if kind == "id":
            return _privacy(candidate, RULE_ID_CARD_LEGACY, Severity.HIGH, 0.9, mask_id_number(number), why)
        return _privacy(candidate, RULE_ID_CARD_LEGACY, Severity.MEDIUM, 0.5, mask_id_number(number), (*why, Why("number.no_id_label")))
    if candidate.kind == "card":
        valid = luhn_ok(number)
        if kind == "card":
            if valid:
                return _privacy(candidate, RULE_BANK_CARD, Severity.HIGH, 0.95, mask_bank_card(number), why)
            return _privacy(candidate, RULE_BANK_CARD, Severity.MEDIUM, 0.4, mask_bank_card(number), (*why, Why("number.luhn_failed")))
        if not valid:
            return None
        if kind == "payment":
            return _privacy(candidate, RULE_BANK_CARD, Severity.MEDIUM, 0.7, mask_bank_card(number), (*why, Why("number.payment_only")))
        return _privacy(candidate, RULE_BANK_CARD, Severity.MEDIUM, 0.6, mask_bank_card(number), (*why, Why("number.no_card_label")))
    # mobile: the country code before it belongs to the number shown
    start = candidate.start
    prefix = _COUNTRY_CODE.search(folded, max(0, start - 8), start)
    if prefix is not None:
        start = prefix.start()
    return Detection(
        start=start,
        end=candidate.end,
        category=Category.PRIVACY,
        severity=Severity.MEDIUM,
        rule=RULE_MOBILE,
        confidence=1.0 if not candidate.why else 0.8,
        masked=mask_phone(number),
        why=(Why("number.mobile"), *why),
    )


_URL_START: Final = re.compile(r"(?:https?://|www\.)[^\s]*$")


def _in_url(folded: str, start: int) -> bool:
    """Whether ``start`` lies inside a link: a URL begins in the same unbroken token before it."""
    lo = max(0, start - 200)
    return _URL_START.search(folded, lo, start) is not None


def _privacy(
    candidate: _Candidate, rule: str, severity: Severity, confidence: float, masked: str, why: tuple[Why, ...]
) -> Detection:
    return Detection(
        start=candidate.start,
        end=candidate.end,
        category=Category.PRIVACY,
        severity=severity,
        rule=rule,
        confidence=confidence if not candidate.why else min(confidence, 0.8),
        masked=masked,
        why=(Why(f"number.{candidate.kind}"), *why),  # what the number's own check says it is
    )


_DIGITS: Final = frozenset("0123456789")
# Every number the digit detectors accept holds at least ten digits (an identity number's x aside,
# a phone has eleven), however separated.
# Finding where digits cluster first and running the detectors only around them is several
# times faster than running them over the whole post.
_DIGIT_CLUSTER: Final = re.compile(r"[0-9](?:[^0-9]{0,4}[0-9]){9,}")
_CLUSTER_TAIL: Final = 5  # room after a cluster's last digit for a gap and an identity number's x


def _among_ids(found: list[Detection]) -> list[Detection]:
    """An identity number that is also a credit code is an identity number in a list of them.

    A table of 身份证号 gives its label once, in the header; when the same text holds
    unambiguous identity numbers, the ambiguous ones are read as identity numbers too.
    """
    ambiguous = [d for d in found if d.rule == RULE_ID_CARD and any(w.code == "number.also_credit_code" for w in d.why)]
    if not ambiguous or not any(d.rule == RULE_ID_CARD and d.severity is Severity.HIGH for d in found):
        return found
    upgraded = {
        id(d): Detection(d.start, d.end, d.category, Severity.HIGH, d.rule, 0.9, d.masked, (*d.why, Why("number.among_ids")))
        for d in ambiguous
    }
    return [upgraded.get(id(d), d) for d in found]


def find_numbers_at(folded: str, *, digits: list[int]) -> list[Detection]:
    """:func:`~jb_watchdesk.domain.sensitive.detectors.find_numbers` (digits only) around ``digits``,
    the sorted offsets of every ASCII digit.

    The matcher's automaton reports the digits; clusters of ten or more, at most four other
    characters apart, are where a number can be.
    """
    found: list[Detection] = []
    first = previous = -1
    count = reached = 0
    for position in [*digits, -100]:
        if previous >= 0 and 0 <= position - previous <= 5:
            count += 1
        else:
            if count >= 10:
                reached = _find_digit_numbers(folded, first, min(len(folded), previous + 1 + _CLUSTER_TAIL), found, after=reached)
            first, count = position, 1
        previous = position
    return _among_ids(found)


def find_numbers_around_digits(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Numbers written with digits, looked for only where at least ten digits cluster."""
    endpos = len(folded) if endpos is None else endpos
    found: list[Detection] = []
    reached = 0
    for cluster in _DIGIT_CLUSTER.finditer(folded, pos, endpos):
        reached = _find_digit_numbers(folded, cluster.start(), min(len(folded), cluster.end() + _CLUSTER_TAIL), found, after=reached)
    return _among_ids(found)


def _find_digit_numbers(folded: str, pos: int, endpos: int, found: list[Detection], *, after: int) -> int:
    """Add to ``found`` the numbers of the runs starting in ``folded[pos:endpos]`` at or after
    ``after`` (the end of the runs an earlier window read); returns where the runs read end."""
    for run in _number_run().finditer(folded, max(pos, after), endpos):
        start, end = run.span()
        if end == endpos < len(folded):
            # The window cut the run short (a gap and more digits after an identity number's x):
            # read it whole, as the whole text is read.
            whole = _number_run().match(folded, start)
            assert whole is not None
            end = whole.end()
        after = max(after, end)
        if start > 0 and folded[start - 1] in _DIGITS:
            continue  # part of a longer number
        if end < len(folded) and folded[end] in _DIGITS:
            continue
        groups = _groups(folded, start, end)
        total = sum(len(group.digits) for group in groups)
        if total < 11:
            continue
        # A long run is a list of numbers (one per line, or a column): each read on its own;
        # combining every window of it would cost quadratic time.
        for candidate in _resolve(_candidates(folded, groups, combine=total <= _MAX_RUN_DIGITS)):
            detection = _detection(folded, candidate)
            if detection is not None:
                found.append(detection)
    return after
