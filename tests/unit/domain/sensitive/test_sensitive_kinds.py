"""The kinds of mistake real government prose and evasive comments provoke, several cases each.

Scanned with the shipped lexicon, as the desk scans: vocabulary is not a breach, words are
matched at word boundaries, numbers that only look like personal data are not reported as it,
evasions in numbers and words are still found, and every hit says why.
"""

from __future__ import annotations

import pytest

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.sensitive import Scanner, Severity
from jb_watchdesk.services.lexicon_files import default_lexicon_dir, load_scanner


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    built, problems = load_scanner([default_lexicon_dir()])
    assert problems == []
    return built


def _hits(scanner: Scanner, text: str) -> dict[str, tuple[str, Severity]]:
    return {hit.text: (hit.rule, hit.severity) for hit in scanner.scan(text)}


def _severity_of(scanner: Scanner, text: str, span: str) -> Severity | None:
    hits = [hit for hit in scanner.scan(text) if hit.text == span]
    return max((hit.severity for hit in hits), key=lambda severity: severity.rank, default=None)


# -- 1. the vocabulary of a rule is not a breach of it --------------------------------------


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("国家秘密的密级分为绝密、机密、秘密三级。", "国家秘密"),
        ("认真学习贯彻新修订的保守国家秘密法。", "国家秘密"),
        ("“刷单返利”就是诈骗，请广大市民提高警惕。", "刷单返利"),
        ("网上所谓代办驾照均为诈骗，切勿轻信。", "代办驾照"),
        ("警惕有偿删帖，网信部门将依法查处。", "有偿删帖"),
        ("考生不得替考，一经查实取消成绩。", "替考"),
        ("市场监管局责令该店删除“全网最低价”等绝对化用语。", "全网最低价"),
        ("近日，民警抓获一个从事刷单返利诈骗的团伙。", "刷单返利"),
    ],
)
def test_warnings_rules_and_explanations_do_not_raise_high(scanner: Scanner, text: str, span: str) -> None:
    severity = _severity_of(scanner, text, span)
    assert severity is not None, "still listed for the officer"
    assert severity is not Severity.HIGH


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("机密★10年\n关于重点项目推进情况的通报", "机密★10年"),
        ("秘密★6个月 关于拆迁补偿标准的通知（此件发至街道）", "秘密★6个月"),
        ("兼职刷单返利，日结，有意者私聊。", "刷单返利"),
        ("专业有偿删帖，先删后付，联系QQ。", "有偿删帖"),
        ("招聘网络兼职，刷单一单一结，有意者扫码进群。", "刷单"),
    ],
)
def test_an_actual_marking_or_offer_is_high(scanner: Scanner, text: str, span: str) -> None:
    assert _severity_of(scanner, text, span) is Severity.HIGH


def test_a_quoted_scam_in_a_warning_stays_low_despite_its_offer_words(scanner: Scanner) -> None:
    text = "骗子常说“刷单返利，日结，有意者私聊”，这就是诈骗。"
    assert _severity_of(scanner, text, "刷单返利") is Severity.LOW


# -- 2. word boundaries ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("考试时不得由他人代替考生签字。", "替考"),
        ("建设社会主义法治国家，以法治国家建设为引领。", "以法治国"),
        ("交巡警支队第十九大队开展夜查。", "第十九大"),
        ("金源时代购物中心周末人流量大。", "代购"),
        ("街道组织开展“法治学习进平安社区”活动。", "习进平"),
    ],
)
def test_a_term_across_a_word_boundary_is_not_reported(scanner: Scanner, text: str, term: str) -> None:
    assert term not in _hits(scanner, text)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("有人在群里找人替考，价格私聊。", "替考"),
        ("坚持以法治国，推进法治政府建设。", "以法治国"),
        ("科目一科目四代考，本人不用到场。", "代考"),
        ("热烈庆祝第十九大胜利召开", "第十九大"),
    ],
)
def test_a_term_that_is_a_word_of_its_own_is_reported(scanner: Scanner, text: str, term: str) -> None:
    assert term in _hits(scanner, text)


# -- 3. numbers that only look like personal data ---------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "中标供应商：某某科技有限公司，统一社会信用代码：511101198501023454。",
        "付款成功，订单号6217000012345678907，请留意发货。",
        "您的快递单号为500103910128318，请注意查收。",
        "营业执照注册号500103910128318已注销。",
        "发票号码：6217000012345678907",
    ],
)
def test_number_look_alikes_are_not_high_personal_data(scanner: Scanner, text: str) -> None:
    assert all(
        not (hit.category.value == "privacy" and hit.severity is Severity.HIGH) for hit in scanner.scan(text)
    ), scanner.scan(text)


def test_the_nearest_label_wins_and_says_so(scanner: Scanner) -> None:
    (hit,) = [hit for hit in scanner.scan("收款人：张某，卡号：6217000012345678907") if hit.rule == "pii.bank_card"]
    assert hit.severity is Severity.HIGH
    assert "卡号" in hit.reason("zh")
    assert scanner.scan("付款后凭订单号6217000012345678907取货") == []


def test_a_credit_code_that_is_also_an_id_number_is_medium_without_an_id_label(scanner: Scanner) -> None:
    (hit,) = scanner.scan("对象：511101198501023454")
    assert (hit.rule, hit.severity) == ("pii.id_card", Severity.MEDIUM)
    assert "统一社会信用代码" in hit.reason("zh")
    (labelled,) = [hit for hit in scanner.scan("身份证号码：511101198501023454") if hit.rule == "pii.id_card"]
    assert labelled.severity is Severity.HIGH


def test_fifteen_digits_need_an_id_label_to_be_high(scanner: Scanner) -> None:
    assert _hits(scanner, "号码500103910128318")["500103910128318"][1] is Severity.MEDIUM
    assert _hits(scanner, "身份证500103910128318")["500103910128318"][1] is Severity.HIGH


# -- 4. evasions in numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "rule"),
    [
        ("联系我138.2345.6789", "138.2345.6789", "pii.mobile"),
        ("电话136–2738–4519", "136–2738–4519", "pii.mobile"),
        ("手机 1 3 8 2 3 4 5 6 7 8 9 找我", "1 3 8 2 3 4 5 6 7 8 9", "pii.mobile"),
        ("身份证5001 0319 9101 2831 8X号", "5001 0319 9101 2831 8X", "pii.id_card"),
        ("电话1380\u200b0138\u200b000", "1380\u200b0138\u200b000", "pii.mobile"),
        ("号码166🔸2378🔸4059", "166🔸2378🔸4059", "pii.mobile"),
        ("卡号6222.0212.3456.7894", "6222.0212.3456.7894", "pii.bank_card"),
        ("身份证500112199811\n012348", "500112199811\n012348", "pii.id_card"),
        ("联系幺三八二三四五六七八九", "幺三八二三四五六七八九", "pii.mobile"),
        ("微信1五7三0四6八2九1", "1五7三0四6八2九1", "pii.mobile"),
    ],
)
def test_numbers_however_written_are_found_at_their_exact_span(scanner: Scanner, text: str, number: str, rule: str) -> None:
    hits = {(hit.start, hit.end): hit for hit in scanner.scan(text)}
    start = text.index(number)
    hit = hits[(start, start + len(number))]
    assert hit.rule == rule and hit.text == number
    assert hit.masked is not None and "*" in hit.masked


def test_an_id_and_a_phone_glued_together_are_both_found(scanner: Scanner) -> None:
    rules = sorted(hit.rule for hit in scanner.scan("资料：50010319910128318X13812345678"))
    assert rules == ["pii.id_card", "pii.mobile"]


# -- 5. evasions in words and markings --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "刷※单返利，日结",
        "代🔥办驾照，包拿证",
        "有￥偿删帖，先删后付",
        "有\u3164偿删帖",
        "有\u2800偿删帖",
        "代\ufe0f办驾照",
        "代\u0336办驾照",
        "刷#单返利",
        "刷@单返利",
        "代◆办驾照",
    ],
)
def test_decorative_or_invisible_characters_inside_a_term_do_not_hide_it(scanner: Scanner, text: str) -> None:
    hits = [hit for hit in scanner.scan(text) if hit.category.value == "paid_service"]
    assert hits, text
    hit = max(hits, key=lambda found: found.end - found.start)
    assert hit.text == text[hit.start : hit.end]
    assert "干扰字符" in hit.reason("zh")


@pytest.mark.parametrize("marking", ["机密⭐10年", "秘密☆1年", "绝密✱长期", "秘\u200b密★", "机密★\u200b5年", "机 密 ★ 10 年"])
def test_secrecy_markings_with_any_star_or_hidden_characters(scanner: Scanner, marking: str) -> None:
    text = f"{marking}\n关于重点项目的情况汇报"
    (hit,) = [hit for hit in scanner.scan(text) if hit.rule == "secret.marking"]
    assert (hit.start, hit.end, hit.severity) == (0, len(marking), Severity.HIGH)


# -- 6. lexicon gaps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("认真学习习近平总书计重要讲话精神", "misstatement"),
        ("坚持和发展中国特色社会主议", "misstatement"),
        ("本店服务全国最好，欢迎选购", "advertising"),
        ("史上最强优惠，效果最好", "advertising"),
    ],
)
def test_common_misspellings_and_absolute_claims_are_in_the_lexicon(scanner: Scanner, text: str, category: str) -> None:
    assert any(hit.category.value == category for hit in scanner.scan(text))


# -- every hit explains itself -------------------------------------------------------------------------


def test_reasons_in_both_languages(scanner: Scanner) -> None:
    (hit,) = scanner.scan("警惕有偿删帖")
    assert hit.reason("zh") == "词库 paid_service.csv:42；降级：处于警示语境（警惕）".replace(":42", f":{_line_of('有偿删帖')}")
    assert hit.reason("en").endswith("; demoted: inside a warning (警惕)")
    previous = messages.current_language()
    messages.set_language("en")
    try:
        assert hit.as_json()["reason"] == hit.reason("en")
    finally:
        messages.set_language(previous)
    assert hit.as_json()["why"][-1] == ["context.warning", "警惕"]


def _line_of(term: str) -> int:
    lines = (default_lexicon_dir() / "paid_service.csv").read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines, start=1) if line.startswith(term + ","))


# -- found by trying to break it ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("身份证号：440304199001011233X，请核对", "440304199001011233"),
        ("手机13812345678x", "13812345678"),
        ("联系电话：13812345678 13987654321 13700001111 13600002222", "13600002222"),
        ("身份证号码：\n11010519491231002X\n440304199001011233\n320102199003071239\n620102200002290014", "320102199003071239"),
    ],
)
def test_numbers_in_lists_or_with_a_stray_letter_are_still_found(scanner: Scanner, text: str, number: str) -> None:
    assert number in {hit.text for hit in scanner.scan(text)}


@pytest.mark.parametrize(
    "text",
    [
        "高考首日，志愿者替考生撑伞遮阳。",
        "老师替考生们加油鼓劲。",
        "即日起由网格员小王接替考勤员岗位。",
    ],
)
def test_a_preposition_or_a_common_word_around_a_term_is_no_offer(scanner: Scanner, text: str) -> None:
    assert "替考" not in {hit.text for hit in scanner.scan(text)}


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("兼职刷单日结，宝妈学生均可。", "兼职刷单"),
        ("招聘网络兼职，刷单一单一结，有意者扫码进群。", "刷单"),
    ],
)
def test_a_rare_neighbouring_word_does_not_hide_a_term(scanner: Scanner, text: str, span: str) -> None:
    assert _severity_of(scanner, text, span) is Severity.HIGH


@pytest.mark.parametrize(
    "text",
    [
        "密级标志为“绝密★”“机密★”“秘密★”，如“机密★10年”。",
        "以下哪个是正确的密级标志？A.机密★10年 B.机密10年",
        "案情通报：某干部违规将标注“机密★10年”的文件拍照发群，被给予处分。",
        "【反诈预警】骗子常用话术：兼职刷单，日结工资，有意者私聊。请立即拉黑！",
        "典型案例：王某在网上发布“代写论文，包过，价格面议”信息，被依法查处。",
        "的示例：公民身份号码11010519491231002X，其中前六位为地址码。",
    ],
)
def test_guides_quizzes_and_case_reports_raise_no_high_alert(scanner: Scanner, text: str) -> None:
    assert all(hit.severity is not Severity.HIGH for hit in scanner.scan(text)), scanner.scan(text)


@pytest.mark.parametrize("marking", ["机密✦10年", "机密⭑10年", "机密﹡10年", "机密    ★10年", "秘密★2028年12月31日"])
def test_any_star_and_any_spacing_in_a_marking(scanner: Scanner, marking: str) -> None:
    (hit,) = [hit for hit in scanner.scan(marking + "\n关于某事项的通知") if hit.rule == "secret.marking"]
    assert hit.text == marking and hit.severity is Severity.HIGH


def test_half_an_emoji_does_not_stop_a_scan(scanner: Scanner) -> None:
    hits = scanner.scan("兼职刷单\ud83d日结")
    assert [hit.text for hit in hits][:1] == ["兼职刷单"]
    assert all("\ud83d" not in hit.text for hit in hits)


def test_phones_in_capital_numerals(scanner: Scanner) -> None:
    assert [hit.rule for hit in scanner.scan("电话壹叁捌壹贰叁肆伍陆柒捌")] == ["pii.mobile"]


def test_a_text_repeating_a_term_judges_only_its_first_occurrences(scanner: Scanner) -> None:
    """Work per text is bounded: 60,000 repeats of an offer give the officer the first few, at once."""
    from jb_watchdesk.domain.sensitive.matcher import MAX_OCCURRENCES

    hits = scanner.scan("兼职刷单日结" * 20_000)
    per_rule: dict[str, int] = {}
    for hit in hits:
        per_rule[hit.text] = per_rule.get(hit.text, 0) + 1
    assert max(per_rule.values()) == MAX_OCCURRENCES
    assert hits[0].start == 0 and hits[0].text == "兼职刷单"


@pytest.mark.parametrize("phone", ["幺\u200b三八二三四五六七八九", "幺三八🔥二三四五六七八九", "幺三八.一二三四.五六七八"])
def test_phones_in_numerals_with_hidden_or_decorative_separators(scanner: Scanner, phone: str) -> None:
    (hit,) = [hit for hit in scanner.scan("联系" + phone + "。") if hit.rule == "pii.mobile"]
    assert hit.text == phone and hit.masked is not None and hit.masked.startswith("138****")
