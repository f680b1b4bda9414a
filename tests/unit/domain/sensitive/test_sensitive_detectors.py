"""Identity numbers, mobile numbers, bank cards and secrecy markings, with real valid and invalid examples."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jb_watchdesk.domain.sensitive.detectors import (
    PROVINCE_CODES,
    RULE_BANK_CARD,
    RULE_ID_CARD,
    RULE_ID_CARD_LEGACY,
    RULE_MOBILE,
    RULE_SECRECY_MARKING,
    detect_all,
    find_bank_cards,
    find_id_numbers,
    find_mobile_numbers,
    find_secrecy_markings,
    id_check_char,
    is_valid_id_number,
    is_valid_legacy_id_number,
    luhn_ok,
    mask_bank_card,
    mask_id_number,
    mask_phone,
)
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.domain.sensitive.normalize import fold


def _rules(text: str) -> list[tuple[str, str]]:
    folded = fold(text)
    return sorted((found.rule, text[found.start : found.end]) for found in detect_all(folded))


# The two worked examples of GB 11643-1999, and numbers whose check digit was computed by hand.
@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "11010519491231002x", "320102199003071239", "44030419851231002X", "620102200002290014"],
)
def test_valid_id_numbers(number: str) -> None:
    assert is_valid_id_number(number)


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("110105194912310021", "wrong check digit"),
        ("320102199003071238", "wrong check digit"),
        ("110105200102290010", "29 February 2001 does not exist"),
        ("440524188001010014", "GB 11643 example, but born 1880: no living person"),
        ("990105194912310027", "99 is no province"),
        ("1101051949123100", "too short"),
    ],
)
def test_invalid_id_numbers(number: str, why: str) -> None:
    assert not is_valid_id_number(number), why


def test_check_character_of_the_standards_example() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


def test_id_number_in_text_is_found_and_masked() -> None:
    text = "申请人身份证号：11010519491231002X，请核实"
    (found,) = detect_all(fold(text))
    assert (found.rule, text[found.start : found.end]) == (RULE_ID_CARD, "11010519491231002X")
    assert found.masked == "110105********002X"


def test_id_number_full_width_and_grouped() -> None:
    assert _rules("１１０１０５１９４９１２３１００２Ｘ") == [(RULE_ID_CARD, "１１０１０５１９４９１２３１００２Ｘ")]
    assert _rules("号码 110105 19491231 002X") == [(RULE_ID_CARD, "110105 19491231 002X")]


def test_id_number_with_wrong_check_digit_is_not_reported_as_an_id() -> None:
    assert RULE_ID_CARD not in {rule for rule, _ in _rules("110105194912310021")}


def test_id_number_inside_a_longer_number_is_ignored() -> None:
    assert _rules("订单号 911010519491231002X") == []


def test_legacy_fifteen_digit_id() -> None:
    assert is_valid_legacy_id_number("110105491231002")
    assert not is_valid_legacy_id_number("110105491331002")  # month 13
    assert _rules("老身份证 110105491231002 已过期") == [(RULE_ID_CARD_LEGACY, "110105491231002")]


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    region = draw(st.integers(0, 9999))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
    sequence = draw(st.integers(0, 999))
    first17 = f"{province:02d}{region:04d}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


@settings(max_examples=100)
@given(id_numbers(), st.sampled_from(["", "身份证号", "电话 ", "。"]))
def test_every_valid_id_is_found_and_its_mask_hides_it(number: str, before: str) -> None:
    assert is_valid_id_number(number)
    text = before + number + "，"
    found = [found for found in detect_all(fold(text)) if found.rule == RULE_ID_CARD]
    assert len(found) == 1
    masked = found[0].masked
    assert masked is not None and number not in masked and len(masked) == 18
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:]
    assert number[6:14] not in masked


@pytest.mark.parametrize(
    "text",
    [
        "13812345678",
        "+86 138-1234-5678",
        "+8613812345678",
        "0086 13812345678",
        "(+86)138 1234 5678",
        "138 1234 5678",
        "１３８１２３４５６７８",
        "19912345678",
        "16612345678",
    ],
)
def test_mobile_numbers(text: str) -> None:
    assert _rules("联系人 " + text + "。") == [(RULE_MOBILE, text)]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("213812345678", "digit directly before"),
        ("138123456789", "digit directly after"),
        ("12345678901", "123 is no mobile range"),
        ("14012345678", "140 is a 13-digit IoT range"),
        ("15412345678", "154 is not allocated"),
        ("1381234567", "ten digits"),
        ("12345", "a hotline"),
    ],
)
def test_not_mobile_numbers(text: str, why: str) -> None:
    assert RULE_MOBILE not in {rule for rule, _ in _rules("电话" + text + "。")}, why


def test_phone_mask() -> None:
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    (found,) = detect_all("电话13812345678")
    assert found.masked == "138****5678"


def test_luhn() -> None:
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")
    assert luhn_ok("4111111111111111")
    assert luhn_ok("6222021234567894")


def test_bank_card_with_context_and_valid_luhn() -> None:
    text = "收款账号：6222 0212 3456 7894，户名张三"
    (found,) = detect_all(fold(text))
    assert (found.rule, text[found.start : found.end]) == (RULE_BANK_CARD, "6222 0212 3456 7894")
    assert found.confidence > 0.9
    assert found.masked == "6222********7894"


def test_bank_card_luhn_failure_lowers_confidence_instead_of_discarding() -> None:
    (found,) = detect_all(fold("银行卡号 6222021234567890"))
    assert found.rule == RULE_BANK_CARD
    assert found.confidence < 0.5


def test_bank_card_without_a_label_needs_luhn_and_stays_medium() -> None:
    assert [(found.rule, found.severity) for found in detect_all("见6217000012345678907")] == [(RULE_BANK_CARD, Severity.MEDIUM)]
    assert detect_all("见6217000012345678900") == []
    assert detect_all("编号6217000012345678907") == []  # the nearest label says what it is


def test_bank_card_needs_a_known_issuer_prefix() -> None:
    assert detect_all(fold("卡号 1111 1111 1111 1117")) == []


def test_bank_card_mask() -> None:
    assert mask_bank_card("6217 0000 1234 5678 907") == "6217***********8907"
    assert mask_id_number("110105491231002") == "110105*****1002"


@pytest.mark.parametrize("marking", ["绝密★", "机密★10年", "秘密★", "机密★一年", "绝密 ★ 长期", "機密★"])
def test_secrecy_markings(marking: str) -> None:
    assert _rules("文件标注" + marking + "字样") == [(RULE_SECRECY_MARKING, marking)]


def test_secrecy_word_without_star_is_no_marking() -> None:
    assert _rules("神秘密码箱里的秘密") == []


NUMBERISH = st.lists(
    st.sampled_from(
        ["1", "3", "8", "6", "2", "0", "9", "x", " ", "-", "+86", "0086", "（", "）", "卡号", "电话", "，", "★", "机密",
         "13812345678", "11010519491231002X", "6222021234567894", "110105491231002"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300)
@given(NUMBERISH)
@example("11010519491231002Xx xx1")  # a run the cluster's window cut short, after the identity number's x
@example("11010519491231002Xx xx1" + "3812345678")  # the cut run, then a cluster of its own inside it
def test_detecting_around_digit_runs_finds_what_whole_text_detection_finds(text: str) -> None:
    folded = fold(text)
    whole = [
        *find_secrecy_markings(folded),
        *find_id_numbers(folded),
        *find_mobile_numbers(folded),
        *find_bank_cards(folded),
    ]
    assert sorted(detect_all(folded), key=repr) == sorted(whole, key=repr)
