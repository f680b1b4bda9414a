"""Lexicon parsing: bad lines are reported as FILE:LINE: reason and the rest still loads."""

from __future__ import annotations

from jb_watchdesk.domain.sensitive.lexicon import (
    Category,
    Severity,
    merge_lexicons,
    parse_lexicon,
)

GOOD = """# a comment
term,category,severity,rule,note
全网最低价,advertising,high,ad.absolute,绝对化用语

南京市长江大桥,allow,,,地名
國家級,广告,中,ad.absolute,"with, comma"
"""


def test_parses_terms_allow_phrases_and_chinese_aliases() -> None:
    parsed = parse_lexicon(GOOD, name="office.csv")
    assert parsed.problems == ()
    terms = {term.term: term for term in parsed.lexicon.terms}
    assert terms["全网最低价"].severity is Severity.HIGH
    assert terms["國家級"].key == "国家级"
    assert terms["國家級"].category is Category.ADVERTISING
    assert terms["國家級"].note == "with, comma"
    assert terms["國家級"].line == 6
    assert [phrase.phrase for phrase in parsed.lexicon.allow] == ["南京市长江大桥"]


def test_header_is_optional_and_rule_defaults_to_category() -> None:
    parsed = parse_lexicon("代写论文,paid_service,high\n", name="mine.csv")
    assert parsed.problems == ()
    (term,) = parsed.lexicon.terms
    assert term.rule == "paid_service"


def test_bad_lines_are_reported_and_the_rest_loads() -> None:
    text = "\n".join(
        [
            "term,category,severity,rule,note",
            "代办,paid_service,low,paid.agent,",
            "密,secret,high,x,",
            "广告词,bogus,high,x,",
            "广告词,advertising,extreme,x,",
            "广告词,advertising,high,Bad Rule,",
            ",advertising,high,x,",
            "代·办,paid_service,high,paid.agent,",
            "a,b,c,d,e,f",
            "有偿服务,paid_service,medium,paid.agent,",
        ]
    )
    parsed = parse_lexicon(text, name="office.csv")
    reported = [problem.format("en") for problem in parsed.problems]
    assert reported == [
        "office.csv:3: term '密' is a single character: it would match far too much",
        "office.csv:4: unknown category 'bogus' (expected one of: secret, advertising, paid_service, privacy, misstatement, allow)",
        "office.csv:5: unknown severity 'extreme' (expected high/medium/low)",
        "office.csv:6: bad rule id 'Bad Rule' (lower-case letters, digits, dots, underscores, hyphens)",
        "office.csv:7: empty term",
        "office.csv:8: duplicate term '代·办', already on line 2",
        "office.csv:9: too many fields (6, at most 5; quote text that contains commas)",
    ]
    assert [term.term for term in parsed.lexicon.terms] == ["代办", "有偿服务"]
    assert parsed.problems[0].format("zh").startswith("office.csv:3: 词条“密”只有一个字")


def test_later_files_override_earlier_terms() -> None:
    shipped = parse_lexicon("最佳,advertising,low,ad.absolute,\n", name="shipped.csv").lexicon
    office = parse_lexicon("最佳,advertising,high,office.rule,\n", name="office.csv").lexicon
    merged = merge_lexicons([shipped, office])
    (term,) = merged.terms
    assert (term.severity, term.rule, term.source) == (Severity.HIGH, "office.rule", "office.csv")


def test_malformed_csv_and_bad_header_are_reported() -> None:
    parsed = parse_lexicon('term,category,level\n"unterminated,advertising,low\n最佳,advertising,low\n', name="x.csv")
    assert [problem.line for problem in parsed.problems] == [1, 2]
    assert [problem.key for problem in parsed.problems] == ["bad_header", "bad_csv"]
    assert [term.term for term in parsed.lexicon.terms] == ["最佳"]
