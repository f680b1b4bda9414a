"""Detectors for personal data and secrecy markings that no word list can describe.

They run on the folded text (full-width and circled digits already turned into ASCII digits,
letters lower-cased), whose offsets equal those of the original. Each returns ``Detection``
values; the matcher turns them into hits.

Validation is what keeps these useful: a long run of digits in a government post is usually an
order, document or case number, so an identity number must have a real province, a real birth
date and the GB 11643 check digit, and a mobile number must be in a current number range with no
digit glued to either side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from jb_watchdesk.domain.sensitive.lexicon import Category, Severity


@dataclass(frozen=True, slots=True)
class Detection:
    """A detector's finding: a span of the folded text and how it should be reported."""

    start: int
    end: int
    category: Category
    severity: Severity
    rule: str
    confidence: float
    masked: str | None = None


RULE_ID_CARD: Final = "pii.id_card"
RULE_ID_CARD_LEGACY: Final = "pii.id_card_15"
RULE_MOBILE: Final = "pii.mobile"
RULE_BANK_CARD: Final = "pii.bank_card"
RULE_SECRECY_MARKING: Final = "secret.marking"

# GB/T 2260 province-level codes (first two digits), plus 71 Taiwan and 81/82/83, used by
# residence permits for Hong Kong, Macao and Taiwan residents.
PROVINCE_CODES: Final = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS: Final = "10X98765432"
# Without a clock the birth year can only be bounded by what an identity number can hold.
_BIRTH_YEARS: Final = range(1900, 2100)


def id_check_char(first17: str) -> str:
    """The GB 11643 check character (``0``–``9`` or ``X``) for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def is_valid_id_number(number: str) -> bool:
    """Whether ``number`` is a plausible 18-digit resident identity number.

    Checks the province code, a real birth date and the check character. Lower-case ``x`` is
    accepted because people type it.
    """
    if len(number) != 18 or not number[:17].isdigit() or not number[:17].isascii():
        return False
    if int(number[:2]) not in PROVINCE_CODES:
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if year not in _BIRTH_YEARS or not _real_date(year, month, day):
        return False
    return number[17].upper() == id_check_char(number[:17])


def is_valid_legacy_id_number(number: str) -> bool:
    """Whether ``number`` is a plausible 15-digit identity number (issued before 1999, born 19YY)."""
    if len(number) != 15 or not number.isdigit() or not number.isascii():
        return False
    if int(number[:2]) not in PROVINCE_CODES:
        return False
    return _real_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))


def luhn_ok(digits: str) -> bool:
    """The Luhn check used by bank card numbers."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask_id_number(number: str) -> str:
    """``110105194912310021`` → ``110105********0021``: region kept, birth date hidden."""
    digits = _digits_only(number)
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def mask_phone(number: str) -> str:
    """``13812345678`` (with or without +86 and separators) → ``138****5678``."""
    digits = _digits_only(number)[-11:]
    return digits[:3] + "****" + digits[-4:]


def mask_bank_card(number: str) -> str:
    """``6222021234567890123`` → ``6222***********0123``."""
    digits = _digits_only(number)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]


def _digits_only(text: str) -> str:
    return "".join(char for char in text if char.isdigit() or char in "xX").upper()


_SEP: Final = r"[ \-]?"
_ID_18: Final = re.compile(
    rf"(?<![0-9])([1-9][0-9]{{5}}){_SEP}((?:19|20)[0-9]{{2}}[01][0-9][0-3][0-9]){_SEP}([0-9]{{3}}[0-9x])(?![0-9a-z])"
)
_ID_15: Final = re.compile(r"(?<![0-9])[1-9][0-9]{5}[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}(?![0-9a-z])")
# Current mainland mobile ranges (MIIT numbering plan): 13x, 145–149, 15x but 154, 162/165–167,
# 170–178, 18x, 19x but 194. 140–144 are 13-digit IoT numbers and not phones.
_MOBILE: Final = re.compile(
    r"(?<![0-9+])(?:[(（]?(?:\+|00)86[)）]?[ \-]?)?"
    r"(1(?:3[0-9]|4[5-9]|5[0-35-9]|6[25-7]|7[0-8]|8[0-9]|9[0-35-9]))"
    rf"{_SEP}([0-9]{{4}}){_SEP}([0-9]{{4}})(?![0-9])"
)
_CARD: Final = re.compile(r"(?<![0-9])[0-9]{4}(?:[ \-]?[0-9]{4}){3}(?:[ \-]?[0-9]{1,3})?(?![0-9a-z])")
# Issuer prefixes of cards used in China: UnionPay 62 and the older 60/9x domestic ranges,
# Visa 4, Mastercard 51–55 and 2221–2720, JCB 35.
_CARD_PREFIX: Final = re.compile(r"62|60|9[0-9]|4|5[1-5]|2[2-7]|35")
_CARD_CONTEXT: Final = re.compile(
    r"卡号|银行卡|储蓄卡|信用卡|借记卡|账号|帐号|账户|帐户|开户行|开户银行|户名|转账|汇款|收款|付款|打款|card"
)
_CARD_CONTEXT_BEFORE: Final = 24
_CARD_CONTEXT_AFTER: Final = 12
_SECRECY_MARKING: Final = re.compile(
    r"(?:绝|机|秘)[ *·_\-]{0,3}密[ ]{0,2}[★☆]"
    r"(?:[ ]{0,2}(?:(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})[ ]{0,2}年|长期))?"
)


def find_id_numbers(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Resident identity numbers, 18-digit (validated) and 15-digit legacy (no check digit: lower confidence)."""
    endpos = len(folded) if endpos is None else endpos
    found: list[Detection] = []
    for match in _ID_18.finditer(folded, pos, endpos):
        number = "".join(match.groups())
        if is_valid_id_number(number):
            found.append(
                Detection(
                    start=match.start(),
                    end=match.end(),
                    category=Category.PRIVACY,
                    severity=Severity.HIGH,
                    rule=RULE_ID_CARD,
                    confidence=1.0,
                    masked=mask_id_number(number),
                )
            )
    for match in _ID_15.finditer(folded, pos, endpos):
        if is_valid_legacy_id_number(match.group()):
            found.append(
                Detection(
                    start=match.start(),
                    end=match.end(),
                    category=Category.PRIVACY,
                    severity=Severity.HIGH,
                    rule=RULE_ID_CARD_LEGACY,
                    confidence=0.6,
                    masked=mask_id_number(match.group()),
                )
            )
    return found


def find_mobile_numbers(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Mainland mobile numbers, with an optional +86/0086 prefix and space or hyphen separators."""
    endpos = len(folded) if endpos is None else endpos
    return [
        Detection(
            start=match.start(),
            end=match.end(),
            category=Category.PRIVACY,
            severity=Severity.MEDIUM,
            rule=RULE_MOBILE,
            confidence=1.0,
            masked=mask_phone("".join(match.groups())),
        )
        for match in _MOBILE.finditer(folded, pos, endpos)
    ]


def find_bank_cards(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Bank card numbers: issuer prefix, then Luhn and context words decide the confidence.

    A Luhn failure lowers confidence instead of discarding, since a mistyped card number in a
    post is still a card number; without context words it is kept only if Luhn passes.
    """
    endpos = len(folded) if endpos is None else endpos
    found: list[Detection] = []
    for match in _CARD.finditer(folded, pos, endpos):
        digits = match.group().replace(" ", "").replace("-", "")
        if not _CARD_PREFIX.match(digits) or is_valid_id_number(digits):
            continue
        window = folded[max(0, match.start() - _CARD_CONTEXT_BEFORE) : match.end() + _CARD_CONTEXT_AFTER]
        context = _CARD_CONTEXT.search(window) is not None
        valid = luhn_ok(digits)
        if not valid and not context:
            continue
        confidence = (0.95 if context else 0.6) if valid else 0.4
        found.append(
            Detection(
                start=match.start(),
                end=match.end(),
                category=Category.PRIVACY,
                severity=Severity.HIGH if valid and context else Severity.MEDIUM,
                rule=RULE_BANK_CARD,
                confidence=confidence,
                masked=mask_bank_card(digits),
            )
        )
    return found


def find_secrecy_markings(folded: str) -> list[Detection]:
    """Secrecy markings as printed on classified documents: 绝密★, 机密★10年, 秘密★."""
    return [
        Detection(
            start=match.start(),
            end=match.end(),
            category=Category.SECRET,
            severity=Severity.HIGH,
            rule=RULE_SECRECY_MARKING,
            confidence=1.0,
        )
        for match in _SECRECY_MARKING.finditer(folded)
    ]


# Every number the digit detectors accept holds at least ten digits, with at most one space or
# hyphen between two of them. Finding those runs first and running the detectors only around
# them is several times faster than running every detector over the whole post.
_NUMBER_RUN: Final = re.compile(r"[0-9](?:[ \-]?[0-9]){9,}")
# Room before a run for a "(+86) " prefix and after it for an ID's final x and the character
# that the lookahead must see.
_MARGIN_BEFORE: Final = 6
_MARGIN_AFTER: Final = 2


def detect_all(folded: str) -> list[Detection]:
    """Every detector over ``folded``; cheap pre-checks skip the digit detectors on most posts."""
    found: list[Detection] = []
    if "★" in folded or "☆" in folded:
        found.extend(find_secrecy_markings(folded))
    windows: list[tuple[int, int]] = []
    for run in _NUMBER_RUN.finditer(folded):
        start = max(0, run.start() - _MARGIN_BEFORE)
        end = min(len(folded), run.end() + _MARGIN_AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)  # merged, or a number would be found twice
        else:
            windows.append((start, end))
    for start, end in windows:
        found.extend(find_id_numbers(folded, pos=start, endpos=end))
        found.extend(find_mobile_numbers(folded, pos=start, endpos=end))
        found.extend(find_bank_cards(folded, pos=start, endpos=end))
    return found
