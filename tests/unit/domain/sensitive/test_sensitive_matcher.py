"""The scanner end to end: evasions, classic false positives, allow-list, longest match, offsets."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jb_watchdesk.domain.sensitive import (
    Category,
    Hit,
    Lexicon,
    Scanner,
    Severity,
    merge_lexicons,
    parse_lexicon,
    utf16_spans,
)
from jb_watchdesk.domain.sensitive.matcher import CONFIDENCE_EXACT, CONFIDENCE_FOLDED, CONFIDENCE_NOISE
from jb_watchdesk.domain.sensitive.normalize import fold_term

LEXICON_CSV = """term,category,severity,rule,note
市长,misstatement,low,test.mayor,
长江大桥,misstatement,low,test.bridge,
南京市长江大桥,allow,,,
秘密,secret,low,secret.word,
秘密文件,secret,high,secret.document,
神秘密码箱,allow,,,
代办,paid_service,low,paid.agent,
有偿代办,paid_service,high,paid.agent,
帮办代办,allow,,,
av,advertising,low,ad.av,
69,advertising,low,ad.69,
国家级,advertising,medium,ad.absolute,
全网最低价,advertising,high,ad.absolute,
点击购买,advertising,medium,ad.call,
绝密,secret,medium,secret.level,
"""


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    parsed = parse_lexicon(LEXICON_CSV, name="test.csv")
    assert parsed.problems == ()
    return Scanner.build(parsed.lexicon)


def _found(scanner: Scanner, text: str) -> list[tuple[str, str]]:
    return [(hit.text, hit.rule) for hit in scanner.scan(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本店商品全网最低价，点击购买", [("全网最低价", "ad.absolute"), ("点击购买", "ad.call")]),
        ("我们提供有偿代办", [("有偿代办", "paid.agent")]),
        ("本文件为秘密文件", [("秘密文件", "secret.document")]),
        ("国家级荣誉", [("国家级", "ad.absolute")]),
    ],
)
def test_labelled_examples(scanner: Scanner, text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(scanner, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "南京市长江大桥今天通车",  # 市长 and 长江大桥 covered by the allow phrase
        "这是一个神秘密码箱",  # 秘密 covered by the allow phrase
        "we have a very nice day",  # av inside have, a very
        "编号695的档案",  # 69 inside 695
        "街道开展帮办代办服务",  # a legitimate government service
        "秘密。文件",  # punctuation is never deleted: no 秘密文件
    ],
)
def test_classic_false_positives(scanner: Scanner, text: str) -> None:
    assert [hit for hit in scanner.scan(text) if hit.rule != "secret.word"] == []


def test_allow_list_covers_only_what_it_spans(scanner: Scanner) -> None:
    assert _found(scanner, "南京市长江大桥通车后，市长讲话") == [("市长", "test.mayor")]


def test_longest_match_wins(scanner: Scanner) -> None:
    assert _found(scanner, "秘密文件") == [("秘密文件", "secret.document")]
    assert _found(scanner, "av69") == []  # glued Latin and digits are one word


def test_partial_overlaps_are_all_kept() -> None:
    lexicon = parse_lexicon("有偿代办,paid_service,high,a\n代办服务费,paid_service,medium,b\n", name="t.csv").lexicon
    assert _found(Scanner.build(lexicon), "有偿代办服务费") == [("有偿代办", "a"), ("代办服务费", "b")]


def test_detector_absorbs_a_shorter_term(scanner: Scanner) -> None:
    hits = scanner.scan("标注绝密★字样")
    assert [(hit.text, hit.rule, hit.category) for hit in hits] == [("绝密★", "secret.marking", Category.SECRET)]


@pytest.mark.parametrize(
    ("text", "matched"),
    [("秘*密文件", "秘*密文件"), ("有偿代·办", "有偿代·办"), ("代\u200b办", "代\u200b办"), ("有 偿 代 办", "有 偿 代 办")],
)
def test_noise_evasions_are_found_with_lower_confidence(scanner: Scanner, text: str, matched: str) -> None:
    (hit,) = scanner.scan(text)
    assert hit.text == matched
    assert hit.confidence == CONFIDENCE_NOISE


def test_variants_are_found_with_slightly_lower_confidence(scanner: Scanner) -> None:
    (traditional,) = scanner.scan("榮獲國家級稱號")
    assert (traditional.text, traditional.rule, traditional.confidence) == ("國家級", "ad.absolute", CONFIDENCE_FOLDED)
    (full_width,) = scanner.scan("ＡＶ")
    assert full_width.confidence == CONFIDENCE_FOLDED
    (exact,) = scanner.scan("国家级")
    assert exact.confidence == CONFIDENCE_EXACT


def test_personal_data_is_masked_in_the_hit(scanner: Scanner) -> None:
    text = "联系 138 1234 5678，身份证 11010519491231002X"
    hits = scanner.scan(text)
    assert [(hit.rule, hit.display) for hit in hits] == [
        ("pii.mobile", "138****5678"),
        ("pii.id_card", "110105********002X"),
    ]
    assert all(text[hit.start : hit.end] == hit.text for hit in hits)
    assert hits[1].as_json()["text"] == "110105********002X"
    assert hits[1].severity is Severity.HIGH


def test_emoji_before_a_hit_shifts_utf16_but_not_code_point_offsets(scanner: Scanner) -> None:
    text = "😀😀 全网最低价"
    (hit,) = scanner.scan(text)
    assert (hit.start, hit.end) == (3, 8)
    assert utf16_spans(text, spans=[(hit.start, hit.end)]) == [(5, 10)]


def test_empty_lexicon_still_runs_detectors() -> None:
    scanner = Scanner.build(Lexicon())
    assert [hit.rule for hit in scanner.scan("13812345678")] == ["pii.mobile"]
    assert scanner.scan("") == []


def test_an_allow_phrase_equal_to_a_term_switches_it_off(scanner: Scanner) -> None:
    office = parse_lexicon("国家级,allow,,,本单位不提示\n", name="office.csv").lexicon
    rebuilt = Scanner.build(merge_lexicons([scanner.lexicon, office]))
    assert rebuilt.scan("国家级荣誉") == []
    assert _found(scanner, "国家级荣誉") == [("国家级", "ad.absolute")]


def test_scanner_is_immutable_and_shared_between_threads(scanner: Scanner) -> None:
    with pytest.raises(AttributeError):
        scanner.lexicon = Lexicon()  # type: ignore[misc]
    results: list[list[Hit]] = []

    def work() -> None:
        results.append(scanner.scan("全网最低价，有偿代·办，13812345678" * 50))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(result == results[0] for result in results)


TOKENS = st.sampled_from(
    [*"秘密文件代办有偿国家级全网最低价点击购买市长江大桥南京神码箱绝★avh69 5。，*·_-\u200b", "😀", "國", "級", "Ａ", "１", "\n",
     "138", "12345678", "11010519491231002X"]
)
SHARED = Scanner.build(parse_lexicon(LEXICON_CSV, name="test.csv").lexicon)


@settings(max_examples=300)
@given(st.lists(TOKENS, max_size=40).map("".join))
def test_every_hit_span_slices_its_text_and_contains_the_term(text: str) -> None:
    hits = SHARED.scan(text)
    assert hits == sorted(hits, key=lambda hit: (hit.start, hit.end, hit.rule))
    for hit in hits:
        assert 0 <= hit.start < hit.end <= len(text)
        assert text[hit.start : hit.end] == hit.text
        assert 0.0 < hit.confidence <= 1.0
        if hit.term is not None:
            assert fold_term(hit.text) == fold_term(hit.term)
    for first in hits:
        for second in hits:
            longer = (second.end - second.start) > (first.end - first.start)
            assert not (longer and second.start <= first.start and first.end <= second.end)
