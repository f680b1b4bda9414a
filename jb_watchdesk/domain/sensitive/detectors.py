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
"""

from __future__ import annotations

import functools
import itertools
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from typing import Final

from jb_watchdesk.domain.sensitive.lexicon import Category, Severity
from jb_watchdesk.domain.sensitive.normalize import noise_chars, shown
from jb_watchdesk.domain.sensitive.reasons import Why


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
    why: tuple[Why, ...] = ()


RULE_ID_CARD: Final = "pii.id_card"
RULE_ID_CARD_LEGACY: Final = "pii.id_card_15"
RULE_MOBILE: Final = "pii.mobile"
RULE_BANK_CARD: Final = "pii.bank_card"
RULE_SECRECY_MARKING: Final = "secret.marking"
RULE_ADDRESS: Final = "pii.address"
RULE_SUPERLATIVE: Final = "ad.absolute"
DETECTOR_RULES: Final = frozenset(
    {RULE_ID_CARD, RULE_ID_CARD_LEGACY, RULE_MOBILE, RULE_BANK_CARD, RULE_SECRECY_MARKING, RULE_ADDRESS, RULE_SUPERLATIVE}
)
"""Every rule a built-in detector reports: they exist whatever the lexicon files say."""

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


# -- reading numbers as people write them ------------------------------------------------

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


# Labels, longest first so 身份证号码 wins over 身份证. Their kind decides what a number is.
_LABEL_KINDS: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("公民身份号码", "身份证号码", "身份证号", "身份证", "身份号码", "证件号码", "证件号", "居民身份证", "idcard", "id card"),
        "id",
    ),
    **dict.fromkeys(
        ("银行卡号", "银行卡", "储蓄卡", "信用卡号", "信用卡", "借记卡", "卡号", "银行账号", "账号", "帐号", "账户", "帐户",
         "开户行", "开户银行", "户名", "收款码", "card"),
        "card",
    ),
    **dict.fromkeys(("转账", "汇款", "收款", "付款", "打款", "打钱", "支付"), "payment"),
    **dict.fromkeys(("示例", "样例", "例如", "为例", "举例", "比如", "格式为", "格式如"), "example"),
    **dict.fromkeys(
        ("手机号码", "手机号", "手机", "电话号码", "电话", "联系方式", "联系人", "微信号", "微信", "tel", "mobile", "致电", "拨打", "热线",
         "联系我", "联系", "电联", "打给我", "找我", "qq"),
        "phone",
    ),
    **dict.fromkeys(
        ("统一社会信用代码", "社会信用代码", "信用代码", "营业执照注册号", "注册号", "订单编号", "订单号", "订单", "快递单号",
         "运单号", "物流单号", "单号", "发票号码", "发票代码", "发票号", "合同编号", "合同号", "项目编号", "采购编号",
         "招标编号", "编号", "案号", "文号", "流水号", "交易单号", "交易号", "商户号", "序列号", "批准文号", "备案号",
         "许可证号", "许可证编号", "证书编号", "证书号", "税号", "纳税人识别号", "识别号", "登记号", "准考证号", "考号",
         "工号", "档案号", "批次号", "条形码", "条码", "车架号", "客户编号", "户号", "缴费号", "保单号", "工单号", "报名号",
         "报名序号", "序号", "代码", "账单号", "会员号", "预约号", "取件码", "验证码", "邮编", "邮政编码", "isbn", "issn"),
        "other",
    ),
}
_LABELS: Final = re.compile("|".join(re.escape(label) for label in sorted(_LABEL_KINDS, key=len, reverse=True)))
_EXAMPLE: Final = re.compile("示例|样例|例如|为例|举例|比如|格式为|格式如")
_LABELS_NEXT_NUMBER: Final = re.compile(r"[号码是为:：\s]{0,3}[0-9零〇一二三四五六七八九幺]")
_LABEL_BEFORE: Final = 24
_LABEL_AFTER: Final = 8


@dataclass(frozen=True, slots=True)
class _Label:
    text: str
    kind: str
    distance: int


def _nearest_label(folded: str, start: int, end: int) -> tuple[_Label | None, _Label | None]:
    """The label nearest to ``[start, end)`` and the nearest one of another kind, if any.

    Before the number counts from the label's end, after it from the label's start; a label
    after the number counts double, since labels are mostly written first.
    """
    found: list[_Label] = []
    lo = max(0, start - _LABEL_BEFORE)
    for match in _LABELS.finditer(folded, lo, start):
        found.append(_Label(match.group(), _LABEL_KINDS[match.group()], start - match.end()))
    for match in _LABELS.finditer(folded, end, min(len(folded), end + _LABEL_AFTER)):
        if _LABELS_NEXT_NUMBER.match(folded, match.end()):
            continue  # "卡号…，身份证4101…": the label after the number belongs to the next one
        found.append(_Label(match.group(), _LABEL_KINDS[match.group()], 2 * (match.start() - end) + 1))
    if not found:
        return None, None
    found.sort(key=lambda label: label.distance)
    nearest = found[0]
    other = next((label for label in found[1:] if label.kind != nearest.kind), None)
    return nearest, other


def _label_why(nearest: _Label | None, other: _Label | None) -> tuple[Why, ...]:
    if nearest is None:
        return ()
    if other is not None:
        return (Why("number.label_nearer", f"{nearest.text}|{other.text}"),)
    return (Why("number.label", nearest.text),)


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


def find_numbers(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Identity numbers, bank cards and mobile numbers in ``folded[pos:endpos]``, however written."""
    endpos = len(folded) if endpos is None else endpos
    return [
        *_find_digit_numbers(folded, pos, endpos),
        *find_chinese_numeral_phones(folded, pos=pos, endpos=endpos),
    ]


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


# -- home addresses ----------------------------------------------------------------------

# The part of an address that points at one home: a building and a flat (5栋2单元1703,
# 1栋14-3, 3单元602). A street number alone (建新北路88号) is how every office gives its address.
_FLAT: Final = re.compile(
    r"[0-9a-z]{0,3}[0-9]+(?:栋|幢|号楼|座)(?:[0-9]+单元)?(?:[0-9]+[-－][0-9]+(?:号|室)?|[0-9]{3,4}(?:号|室)?)?"
    r"|[0-9]+号(?:院)?[0-9]+单元[0-9]{3,4}(?:号|室)?"
    r"|(?<![月0-9])[0-9]+号(?:附[0-9]+号)?[0-9]+[-－][0-9]+(?:号|室)?(?![0-9点时日月天年期])"
    r"|[0-9]+单元[0-9]{3,4}(?:号|室)?"
)
# A building without a flat is a home only when the text says someone lives there.
_RESIDENCE: Final = re.compile("家住|住在|现住|现居|居住|住址|家庭地址|暂住|户籍地|租住|住于")
_OFFICE: Final = re.compile(
    "办公地址|办公地点|单位地址|服务地点|受理地点|办理地点|办事地点|咨询地点|报名地点|考点地址|活动地点|地址位于|门店地址|营业地址|服务中心"
)
_PLACE_BEFORE: Final = 24
_PLACE_STOPS: Final = frozenset("住在是于的了和与及为到从自主户")
ADDRESS_TRIGGERS: Final = ("单元", "栋", "幢", "号楼", "号")
_FLAT_REACH: Final = 24
"""Characters around a trigger word that can belong to one flat's address (18号附2号4-2)."""
"""Words without which no home address is read: the matcher watches for them."""


def windows_around(positions: list[int], *, length: int, reach: int) -> list[tuple[int, int]]:
    """Merged ``[position - reach, position + reach)`` windows around sorted ``positions``, clipped to the text."""
    windows: list[tuple[int, int]] = []
    for position in positions:
        lo, hi = max(0, position - reach), min(length, position + reach)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    return windows


def find_home_addresses(folded: str, *, near: list[int] | None = None) -> list[Detection]:
    """Home addresses down to the building and flat (鲤鱼池路68号3单元602, 东原D7区9栋 after 现住).

    Reported at medium severity and masked (digits hidden). A flat number is enough; a building
    alone needs a residence word before it; an office label (办公地址, 办理地点) nearer than any
    residence word means a public place, not a home. ``near``: offsets of the trigger words
    (:data:`ADDRESS_TRIGGERS`) when the caller knows them; only the text around them is read.
    """
    found: list[Detection] = []
    for match in _matches(_FLAT, folded, near, reach=_FLAT_REACH):
        text = match.group()
        has_flat = "单元" in text or "-" in text or "－" in text or re.search(r"(?:栋|幢|号楼|座)[0-9]{3,4}", text) is not None
        lo = max(0, match.start() - _PLACE_BEFORE)
        before = folded[lo : match.start()]
        residence = None
        for residence in _RESIDENCE.finditer(before):
            pass
        office = None
        for office in _OFFICE.finditer(before):
            pass
        if office is not None and (residence is None or office.end() > residence.end()):
            continue
        if not has_flat and residence is None:
            continue
        start = _place_start(folded, lo + (residence.end() if residence is not None else 0), match.start())
        span = folded[start : match.end()]
        found.append(
            Detection(
                start=start,
                end=match.end(),
                category=Category.PRIVACY,
                severity=Severity.MEDIUM,
                rule=RULE_ADDRESS,
                confidence=0.9 if residence is not None else 0.7,
                masked=re.sub("[0-9]", "*", span),
                why=(Why("address.residence", residence.group()),) if residence is not None else (Why("address.flat"),),
            )
        )
    return found


def _place_start(folded: str, lo: int, start: int) -> int:
    """Where the place name before a building number begins: after the last punctuation, space or
    word that ends a clause about a person (住, 在, 业主 …)."""
    index = start
    while index > lo and (folded[index - 1].isalnum() or folded[index - 1] in "-－") and folded[index - 1] not in _PLACE_STOPS:
        index -= 1
    return index


# -- absolute claims in a sales pitch -----------------------------------------------------

# Art. 9 of the Advertising Law forbids 最好的/最安全的 in an advertisement, not in a news story
# ("全市最大的城市公园"): superlatives count only in a text that sells something.
_SUPERLATIVE: Final = re.compile(
    "(?:(?:全城|全市|全国|全网|全省|全区|全县|全球|全世界|史上|业界|行业|同城|本地|本市|市面上)\\s*)?"
    "最(?:好吃|好喝|好用|好|佳|优|安全|便宜|实惠|低价|低|强|专业|权威|正宗|新鲜|放心|划算|靠谱|有效|先进|火|热销|畅销|齐全"
    "|[a-z]{2,6}(?=的))的?"  # 最hao的: one character spelt in pinyin
    # Number one: 销量全国第1, 通过率第一, 拉萨第一家, 行业no.1
    "|(?:销量|通过率|合格率|好评率|排名|口碑|品质|质量|行业|全国|全市|全网|全省|全区|本地|同城)[^，。！？；\\n]{0,4}?"
    "第[一1](?:名|家|品牌)?(?![0-9一二三四五六七八九十批季届次期个年轮阶部书责线梯])"
    "|[\\u4e00-\\u9fff]{2}第[一1](?:家|品牌)"
    "|(?:no\\.?\\s?|top\\s?)1(?![0-9])"
)
_STRONG_SALE: Final = re.compile(
    "本店|进店|欢迎选购|选购|下单|包邮|特价|特惠|买一送一|买二送一|售楼|扣1|品鉴|优惠价|限时|抢购|订购|批发|团购|秒杀|现货|"
    "专柜|旗舰店|促销|坐诊|首付|折扣|打折|购买方式|到店|门店|库存有限|限量|活动价|到手价|原价|现价|领券|爆款|热卖|"
    "好物推荐|直播间|小黄车|报名优惠|立减|交钱|包过|包拿证"
)
_WEAK_SALE: Final = re.compile("价格|优惠|购买|产品|品牌|顾客|销量|商家|店铺|招生|学费")
SUPERLATIVE_TRIGGERS: Final = ("最", "第一", "第1", "no.1", "no1", "top1", "top 1", "no. 1")
"""What every claim the sales detector reads contains: the matcher watches for them."""


def _matches(pattern: re.Pattern[str], folded: str, near: list[int] | None, *, reach: int) -> list[re.Match[str]]:
    """``pattern``'s matches in the whole text, or only in windows around ``near``, each once."""
    if near is None:
        return list(pattern.finditer(folded))
    seen: dict[tuple[int, int], re.Match[str]] = {}
    for lo, hi in windows_around(near, length=len(folded), reach=reach):
        for match in pattern.finditer(folded, lo, hi):
            seen.setdefault(match.span(), match)
    return [seen[span] for span in sorted(seen)]


_CLAIM_REACH: Final = 16


def find_superlative_claims(folded: str, *, near: list[int] | None = None) -> list[Detection]:
    """Superlatives (最好的, 全城最低价, 最安全的) in a text that sells something.

    A text sells when it has one unmistakable sales word (本店, 下单, 包邮, 特价 …) or two
    weaker ones (价格, 优惠, 产品 …). With a scope (全市, 全网, 史上) the claim is medium,
    without one low. ``near``: offsets of the trigger words (:data:`SUPERLATIVE_TRIGGERS`).
    """
    claims = _matches(_SUPERLATIVE, folded, near, reach=_CLAIM_REACH)
    if not claims:
        return []
    sale = _STRONG_SALE.search(folded)
    if sale is None:
        weak = {match.group() for match in _WEAK_SALE.finditer(folded)}
        if len(weak) < 2:
            return []
        cue = "、".join(sorted(weak)[:2])
    else:
        cue = sale.group()
    found: list[Detection] = []
    for match in claims:
        scoped = not match.group().startswith("最") or match.group()[1:2].isascii()
        found.append(
            Detection(
                start=match.start(),
                end=match.end(),
                category=Category.ADVERTISING,
                severity=Severity.MEDIUM if scoped else Severity.LOW,
                rule=RULE_SUPERLATIVE,
                confidence=0.8 if scoped else 0.6,
                why=(Why("ad.in_sales_text", cue),),
            )
        )
    return found


# -- secrecy markings --------------------------------------------------------------------

_MAX_MARKINGS: Final = 64
"""Markings read per text: a text with more is a leak or a test page either way."""


@functools.cache
def marking_stars() -> str:
    """The star of a marking as people type it: ★ and every star-like symbol, in any font —
    every character whose Unicode name says STAR or ASTERISK (✦ ⭑ ⚝ ﹡ ∗ ⁎ 🌠 …), but the
    plain asterisk, which a marking accepts only before a period (绝密*长期). Built once."""
    import unicodedata

    found = []
    for first, last in ((0x0000, 0xFFFF), (0x1F300, 0x1F7FF)):
        for code in range(first, last + 1):
            name = unicodedata.name(chr(code), "")
            if ("STAR" in name.split() or "ASTERISK" in name or name.endswith(" STAR")) and "STAR OF DAVID" not in name:
                found.append(chr(code))
    return "".join(dict.fromkeys("★☆⭐" + "".join(found))).replace("*", "").replace("\uff0a", "")
# 保密期限 (10年, 6个月, 长期) or 解密时间 (2028年12月31日).
_DURATION: Final = (
    r"(?:[0-9]{4}年[0-9]{1,2}月(?:[0-9]{1,2}日)?|(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})[ ]{0,2}(?:年|个月)|长期)"
)


@functools.cache
def _marking() -> re.Pattern[str]:
    noise = "".join(re.escape(char) for char in sorted(noise_chars()) if ord(char) <= 0xFFFF and char not in "\n")
    stars = re.escape(marking_stars())
    # A character of the level may be spelt in pinyin (机mi★, jue密★): the star still gives it away.
    return re.compile(
        f"(?:绝|机|秘|jue|ji|mi)[{noise}]{{0,3}}(?:密|mi)[{noise}\\t]{{0,6}}"
        f"(?:[{stars}](?:[{noise}]{{0,3}}{_DURATION})?|\\*[{noise}]{{0,3}}{_DURATION})"
    )


def find_secrecy_markings(folded: str) -> list[Detection]:
    """Secrecy markings as printed on classified documents: 绝密★, 机密★10年, 秘密★, whatever the star."""
    found: list[Detection] = []
    for match in itertools.islice(_marking().finditer(folded), _MAX_MARKINGS):
        star = next((char for char in match.group() if char in marking_stars()), "★")
        why = (Why("marking"), *((Why("marking.star", star),) if star != "★" else ()))
        found.append(
            Detection(
                start=match.start(),
                end=match.end(),
                category=Category.SECRET,
                severity=Severity.HIGH,
                rule=RULE_SECRECY_MARKING,
                confidence=1.0,
                why=why,
            )
        )
    return found



_DIGITS: Final = frozenset("0123456789")
# Every number the digit detectors accept holds at least ten digits (an identity number's x aside,
# a phone has eleven), however separated.
# Finding where digits cluster first and running the detectors only around them is several
# times faster than running them over the whole post.
_DIGIT_CLUSTER: Final = re.compile(r"[0-9](?:[^0-9]{0,4}[0-9]){9,}")
_CLUSTER_TAIL: Final = 5  # room after a cluster's last digit for a gap and an identity number's x


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
    """:func:`find_numbers` (digits only) around ``digits``, the sorted offsets of every ASCII digit.

    The matcher's automaton reports the digits; clusters of ten or more, at most four other
    characters apart, are where a number can be.
    """
    found: list[Detection] = []
    first = previous = -1
    count = 0
    for position in [*digits, -100]:
        if previous >= 0 and 0 <= position - previous <= 5:
            count += 1
        else:
            if count >= 10:
                found.extend(_find_digit_numbers(folded, first, min(len(folded), previous + 1 + _CLUSTER_TAIL)))
            first, count = position, 1
        previous = position
    return _among_ids(found)


def find_numbers_around_digits(folded: str, *, pos: int = 0, endpos: int | None = None) -> list[Detection]:
    """Numbers written with digits, looked for only where at least ten digits cluster."""
    endpos = len(folded) if endpos is None else endpos
    found: list[Detection] = []
    for cluster in _DIGIT_CLUSTER.finditer(folded, pos, endpos):
        found.extend(_find_digit_numbers(folded, cluster.start(), min(len(folded), cluster.end() + _CLUSTER_TAIL)))
    return _among_ids(found)


def _find_digit_numbers(folded: str, pos: int, endpos: int) -> list[Detection]:
    found: list[Detection] = []
    for run in _number_run().finditer(folded, pos, endpos):
        start, end = run.span()
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
    return found
