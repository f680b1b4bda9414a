"""The shipped default lexicon loads cleanly and follows its own policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from jb_watchdesk.domain.sensitive import Category, Lexicon, Scanner, Severity
from jb_watchdesk.services.lexicon_files import default_lexicon_dir, load_lexicons, load_scanner

UNAMBIGUOUS_TWO_CHARACTER_TERMS = {"绝密", "代考", "替考", "刷单", "控评", "刷粉", "消分", "买分", "卖分"}


@pytest.fixture(scope="module")
def shipped() -> Lexicon:
    lexicon, problems = load_lexicons([default_lexicon_dir()])
    assert [problem.format("en") for problem in problems] == []
    return lexicon


def test_every_category_is_covered(shipped: Lexicon) -> None:
    assert {term.category for term in shipped.terms} == set(Category)
    assert len(shipped.terms) > 200
    assert shipped.allow


def test_policy_no_single_character_and_two_characters_only_low_unless_unambiguous(shipped: Lexicon) -> None:
    assert all(len(term.key) >= 2 for term in shipped.terms)
    loud_pairs = {term.term for term in shipped.terms if len(term.key) == 2 and term.severity is not Severity.LOW}
    assert loud_pairs == UNAMBIGUOUS_TWO_CHARACTER_TERMS


def test_every_misstatement_says_the_correct_form(shipped: Lexicon) -> None:
    assert all(term.note for term in shipped.terms if term.category is Category.MISSTATEMENT)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("本品全网最低价，扫码领取优惠", "ad.absolute"),
        ("提供有偿代·办服务", "paid.agent"),
        ("中华人名共和国", "misstatement.state_name"),
        ("本材料属国家秘密", "secret.state"),
        ("请勿泄露家庭住址", "privacy.cue"),
    ],
)
def test_shipped_lexicon_finds(shipped: Lexicon, text: str, rule: str) -> None:
    assert rule in {hit.rule for hit in Scanner.build(shipped).scan(text)}


@pytest.mark.parametrize(
    "text",
    ["南京市长江大桥", "神秘密码箱", "申报国家级非物质文化遗产", "村级代办员上门服务", "中华人民共和国国务院", "党的二十大"],
)
def test_shipped_lexicon_ignores(shipped: Lexicon, text: str) -> None:
    assert Scanner.build(shipped).scan(text) == []


def test_files_merge_in_order_and_a_bad_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    office = tmp_path / "office.csv"
    office.write_text("term,category,severity,rule,note\n国家级,allow,,,本单位不提示\n坏行,nonsense,high,x,\n", encoding="utf-8")
    user = tmp_path / "user.csv"
    user.write_text("\ufeff代写论文,paid_service,low,user.rule\n", encoding="utf-8")
    missing = tmp_path / "missing.csv"
    lexicon, problems = load_lexicons([default_lexicon_dir(), office, missing, user])
    assert [(Path(problem.file).name, problem.line, problem.key) for problem in problems] == [
        ("office.csv", 3, "unknown_category"),
        ("missing.csv", 0, "unreadable"),
    ]
    scanner = Scanner.build(lexicon)
    assert scanner.scan("国家级荣誉") == []
    (hit,) = scanner.scan("代写论文")
    assert (hit.rule, hit.severity) == ("user.rule", Severity.LOW)


def test_the_generated_variant_files_are_what_their_tool_writes() -> None:
    """misstatement_homophones.csv and evasion_pinyin.csv are generated; a hand edit would be lost."""
    import importlib.util
    from pathlib import Path

    tool = Path(__file__).resolve().parents[4] / "tools" / "gen_variants.py"
    spec = importlib.util.spec_from_file_location("gen_variants", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check"]) == 0


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("学习习近平总书计重要讲话", "misstatement.leader_name"),
        ("中华人民共合国成立75周年", "misstatement.state_name"),
        ("坚持依法制国", "misstatement.doctrine"),
        ("习近萍同志", "misstatement.leader_name"),
    ],
)
def test_homophone_misspellings_of_official_names_are_found(text: str, rule: str) -> None:
    scanner, _ = load_scanner([default_lexicon_dir()])
    assert rule in {hit.rule for hit in scanner.scan(text)}
