"""Detectors for personal data and secrecy markings that no word list can describe.

They run on the folded text (full-width and circled digits already turned into ASCII digits,
letters lower-cased), whose offsets equal those of the original. Each returns ``Detection``
values; the matcher turns them into hits.

Numbers are read the way people write them, not the way a form prints them: any grouping,
spaces, hyphens and dashes (``136–2738–4519``), dots (``138.2345.6789``), a space between every
digit, zero-width characters inside, an identity number glued to a phone number, and phone
numbers in Chinese numerals (``幺三八…``). What keeps this from flagging every order number is
validation and labels:

- check digits come from python-stdnum (GB 11643 resident identity numbers ``stdnum.cn.ric``,
  GB 32100 unified social credit codes ``stdnum.cn.uscc``, bank cards ``stdnum.luhn``);
- the label nearest the number wins: 订单号, 快递单号, 信用代码, 注册号, 发票号码 … make it not
  personal data; 身份证, 卡号, 手机 … make it what they say;
- a number that is two things at once (an all-digit credit code that also passes the identity
  check) or that has no label where one is usual (a 15-digit first-generation identity number)
  is reported at medium severity, with the reason.

Every detection carries its reasons (``why``) so an officer can see why it was raised.

This module is the detectors' public home and runs them all (:func:`detect_all`); each lives in
its own module: ``numbers`` (with ``number_checks`` and ``number_labels``), ``numerals``,
``addresses``, ``markings`` and ``superlatives``; ``rules`` holds ``Detection`` and the rule names.
"""

from __future__ import annotations

from jb_watchdesk.domain.sensitive.addresses import ADDRESS_TRIGGERS, find_home_addresses
from jb_watchdesk.domain.sensitive.markings import find_secrecy_markings, marking_stars
from jb_watchdesk.domain.sensitive.number_checks import (
    PROVINCE_CODES,
    id_check_char,
    is_valid_credit_code,
    is_valid_id_number,
    is_valid_legacy_id_number,
    luhn_ok,
    mask_bank_card,
    mask_id_number,
    mask_phone,
)
from jb_watchdesk.domain.sensitive.numbers import _find_digit_numbers, find_numbers_around_digits, find_numbers_at
from jb_watchdesk.domain.sensitive.numerals import NUMERAL_PHONE_STARTS, find_chinese_numeral_phones
from jb_watchdesk.domain.sensitive.rules import (
    DETECTOR_RULES,
    RULE_ADDRESS,
    RULE_BANK_CARD,
    RULE_ID_CARD,
    RULE_ID_CARD_LEGACY,
    RULE_MOBILE,
    RULE_SECRECY_MARKING,
    RULE_SUPERLATIVE,
    Detection,
)
from jb_watchdesk.domain.sensitive.superlatives import SUPERLATIVE_TRIGGERS, find_superlative_claims
from jb_watchdesk.domain.sensitive.trigger_windows import windows_around


def find_numbers(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Identity numbers, bank cards and mobile numbers in ``folded[pos:endpos]``, however written."""
    endpos = len(folded) if endpos is None else endpos
    found: list[Detection] = []
    _find_digit_numbers(folded, pos, endpos, found, after=0)
    return [*found, *find_chinese_numeral_phones(folded, pos=pos, endpos=endpos)]


def find_id_numbers(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Resident identity numbers, 18-digit (validated) and 15-digit legacy."""
    return [found for found in find_numbers(folded, pos=pos, endpos=endpos) if found.rule in (RULE_ID_CARD, RULE_ID_CARD_LEGACY)]


def find_mobile_numbers(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Mainland mobile numbers, with an optional +86/0086 prefix, however separated."""
    return [found for found in find_numbers(folded, pos=pos, endpos=endpos) if found.rule == RULE_MOBILE]


def find_bank_cards(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Bank card numbers: issuer prefix, then Luhn and the nearest label decide severity and confidence.

    A Luhn failure lowers confidence instead of discarding when a card label is nearest, since
    a mistyped card number in a post is still a card number; without one it needs Luhn.
    """
    return [found for found in find_numbers(folded, pos=pos, endpos=endpos) if found.rule == RULE_BANK_CARD]


def detect_all(folded: str) -> list[Detection]:
    """Every detector over ``folded``; cheap pre-checks skip the number detectors on most posts."""
    found: list[Detection] = []
    if any(star in folded for star in marking_stars() + "*"):
        found.extend(find_secrecy_markings(folded))
    found.extend(find_numbers_around_digits(folded))
    if any(start in folded for start in NUMERAL_PHONE_STARTS):
        found.extend(find_chinese_numeral_phones(folded))
    if any(word in folded for word in ADDRESS_TRIGGERS):
        found.extend(find_home_addresses(folded))
    return found


__all__ = [
    "ADDRESS_TRIGGERS",
    "DETECTOR_RULES",
    "NUMERAL_PHONE_STARTS",
    "PROVINCE_CODES",
    "RULE_ADDRESS",
    "RULE_BANK_CARD",
    "RULE_ID_CARD",
    "RULE_ID_CARD_LEGACY",
    "RULE_MOBILE",
    "RULE_SECRECY_MARKING",
    "RULE_SUPERLATIVE",
    "SUPERLATIVE_TRIGGERS",
    "Detection",
    "detect_all",
    "find_bank_cards",
    "find_chinese_numeral_phones",
    "find_home_addresses",
    "find_id_numbers",
    "find_mobile_numbers",
    "find_numbers",
    "find_numbers_around_digits",
    "find_numbers_at",
    "find_secrecy_markings",
    "find_superlative_claims",
    "id_check_char",
    "is_valid_credit_code",
    "is_valid_id_number",
    "is_valid_legacy_id_number",
    "luhn_ok",
    "marking_stars",
    "mask_bank_card",
    "mask_id_number",
    "mask_phone",
    "windows_around",
]
