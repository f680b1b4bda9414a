"""Checks and masks for the numbers that are personal data: identity numbers (GB 11643), credit
codes (GB 32100) and bank cards (Luhn), by python-stdnum; the masked forms an alert shows."""

from __future__ import annotations

from datetime import date
from typing import Final

# GB/T 2260 province-level codes (first two digits), plus 71 Taiwan and 81/82/83, used by
# residence permits for Hong Kong, Macao and Taiwan residents.
PROVINCE_CODES: Final = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)
# Without a clock the birth year can only be bounded by what an identity number can hold.
_BIRTH_YEARS: Final = range(1900, 2100)


# python-stdnum is imported on first use: its modules take about a tenth of a second to load,
# which a scan of a text without a long number never needs to pay.


def id_check_char(first17: str) -> str:
    """The GB 11643 check character (``0``–``9`` or ``X``) for the first 17 digits (``stdnum.cn.ric``)."""
    from stdnum.cn import ric

    return ric.calc_check_digit(first17 + "0")


def _real_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def is_valid_id_number(number: str) -> bool:
    """Whether ``number`` is a plausible 18-digit resident identity number.

    The check character and birth date are validated by ``stdnum.cn.ric``; the province code
    by the GB/T 2260 table above. stdnum's county table is not consulted: a county code it
    does not know yet must not hide a real number. Lower-case ``x`` is accepted.
    """
    if len(number) != 18 or not number[:17].isdigit() or not number[:17].isascii():
        return False
    if int(number[:2]) not in PROVINCE_CODES:
        return False
    if int(number[6:10]) not in _BIRTH_YEARS:
        return False
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    try:
        ric.get_birth_date(number)
    except ValidationError:
        return False
    return number[17].upper() == ric.calc_check_digit(number)


def is_valid_legacy_id_number(number: str) -> bool:
    """Whether ``number`` is a plausible 15-digit identity number (issued before 1999, born 19YY)."""
    if len(number) != 15 or not number.isdigit() or not number.isascii():
        return False
    if int(number[:2]) not in PROVINCE_CODES:
        return False
    return _real_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))


def is_valid_credit_code(number: str) -> bool:
    """Whether ``number`` is a valid unified social credit code (GB 32100, ``stdnum.cn.uscc``)."""
    if len(number) != 18:
        return False
    from stdnum.cn import uscc

    return uscc.is_valid(number.upper())


def luhn_ok(digits: str) -> bool:
    """The Luhn check used by bank card numbers (``stdnum.luhn``)."""
    if not (digits.isdigit() and digits.isascii()):
        return False
    from stdnum import luhn

    return luhn.is_valid(digits)


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
