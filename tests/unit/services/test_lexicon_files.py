"""Lexicon files as offices save them, what the officer is told about them, and allow phrases."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services.files import decode_office_text
from jb_watchdesk.services.lexicon_files import (
    ALLOW_FILENAME,
    USER_LEXICON_DIRNAME,
    LexiconReport,
    add_allow_phrase,
    check_lexicon,
    commas_for_tabs,
    lexicon_locations,
    lexicon_stamp,
    load_scanner,
    read_lexicon_file,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
OFFICE = "term,category,severity,rule,note\n江北特供,advertising,high,ad.local,本地绝对化用语\n代办落户,paid_service,medium,paid.hukou,\n"
TEXT = "本店江北特供好茶，另可代办落户。"


def _rules(folder: Path, text: str = TEXT) -> list[str]:
    scanner, problems = load_scanner([folder])
    assert problems == []
    return [hit.rule for hit in scanner.scan(text)]


# -- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-be"])
def test_office_text_decodes_as_excel_saves_it(encoding: str) -> None:
    data = OFFICE.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert decode_office_text(data) == OFFICE


def test_utf16_without_a_bom_is_not_read_as_gb18030_nonsense() -> None:
    assert decode_office_text(OFFICE.encode("utf-16-le")) == OFFICE


def test_bytes_nothing_decodes_raise_a_clear_error() -> None:
    with pytest.raises(InputError) as caught:
        decode_office_text(b"term\n\x81\x20\xff,secret\n")
    assert (caught.value.key, caught.value.params["line"]) == ("file.wrong_encoding", 2)  # where reading went wrong
    assert "GB18030" in caught.value.message("en") and "UTF-8" in caught.value.message("zh")


# -- reading lexicon files ----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-16"])
def test_a_lexicon_saved_by_chinese_excel_is_scanned(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "office.csv").write_bytes(OFFICE.encode(encoding))
    assert _rules(tmp_path) == ["ad.local", "paid.hukou"]


def test_excel_unicode_text_is_tab_separated_and_still_read(tmp_path: Path) -> None:
    tsv = OFFICE.replace(",", "\t").replace("本地绝对化用语", "本地, 绝对化用语")
    (tmp_path / "office.csv").write_bytes(tsv.encode("utf-16"))
    assert _rules(tmp_path) == ["ad.local", "paid.hukou"]


def test_tab_conversion_keeps_line_numbers_and_comma_files_alone() -> None:
    assert commas_for_tabs(OFFICE) == OFFICE
    converted = commas_for_tabs("# 注释\tA\nterm\tcategory\n\n坏\tsecret\thigh\n")
    assert converted.split("\n") == ["# 注释\tA", "term,category", "", "坏,secret,high", ""]


def test_an_undecodable_file_is_a_problem_naming_the_file_and_the_fix(tmp_path: Path) -> None:
    bad = tmp_path / "office.csv"
    bad.write_bytes("江北特供,advertising,high\n".encode("gb18030") + b"\x81\x20\xff\n")
    parsed = read_lexicon_file(bad)
    (problem,) = parsed.problems
    assert problem.key == "unreadable" and problem.file == str(bad)
    assert "GB18030" in problem.format("en") and str(bad) in problem.format("en")
    assert len(parsed.lexicon) == 0


def test_a_file_that_is_not_readable_at_all_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "office.csv").mkdir()  # a folder named like a lexicon file
    parsed = read_lexicon_file(tmp_path / "office.csv")
    assert [p.key for p in parsed.problems] == ["unreadable"]


# -- the report ------------------------------------------------------------------------------


def test_report_counts_terms_and_allow_phrases_when_all_is_well(tmp_path: Path) -> None:
    (tmp_path / "office.csv").write_text(OFFICE + "江北特供茶叶,allow,,,\n", encoding="utf-8")
    report = check_lexicon([tmp_path])
    assert (report.terms, report.allow, report.problems) == (2, 1, ())
    assert report.summary("en") == "lexicon loaded: 2 terms, 1 allow phrases"
    assert report.advice() == ""


def test_report_of_skipped_lines_names_the_first(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(OFFICE + "市,secret,high\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("代写论文,paid_service,urgent\n", encoding="utf-8")
    report = check_lexicon([tmp_path])
    assert len(report.skipped) == 2 and not report.unreadable
    assert report.summary("en").startswith("2 lexicon line(s) skipped in 2 file(s)")
    assert f"{tmp_path / 'a.csv'}:4:" in report.summary("en")
    assert "未载入" in report.summary("zh") and "lexicon check" in report.advice("en")


def test_report_of_an_unreadable_file_comes_first(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("市,secret,high\n", encoding="utf-8")
    (tmp_path / "b.csv").write_bytes(b"\x81\x20\xff")
    report = check_lexicon([tmp_path])
    line = report.summary("en")
    assert line.startswith("1 lexicon file(s) cannot be read") and str(tmp_path / "b.csv") in line
    assert line.endswith("; 1 more line(s) skipped")
    assert "UTF-8" in report.advice("zh")


def test_missing_locations_are_not_problems(tmp_path: Path) -> None:
    report = check_lexicon([tmp_path / "nowhere"])
    assert report == LexiconReport(terms=0, allow=0)


def test_the_stamp_changes_when_a_file_changes(tmp_path: Path) -> None:
    before = lexicon_stamp([tmp_path, tmp_path / "nowhere"])
    (tmp_path / "office.csv").write_text(OFFICE, encoding="utf-8")
    after = lexicon_stamp([tmp_path])
    assert before == () and len(after) == 1
    (tmp_path / "office.csv").write_text(OFFICE + "代写论文,paid_service,high\n", encoding="utf-8")
    assert lexicon_stamp([tmp_path]) != after


# -- allow phrases -------------------------------------------------------------------------


def _user_lexicon(data_dir: Path) -> Path:
    folder = data_dir / USER_LEXICON_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "office.csv").write_text(OFFICE, encoding="utf-8")
    return folder


def test_an_allow_phrase_cancels_the_hit_in_a_fresh_scanner(tmp_path: Path) -> None:
    _user_lexicon(tmp_path)
    text = "江北特供茶叶展销会今日开幕。"
    scanner, _ = load_scanner(lexicon_locations(tmp_path))
    assert "ad.local" in [hit.rule for hit in scanner.scan(text)]
    added = add_allow_phrase(tmp_path, " 江北特供茶叶展销会 ", note="展会名称, 非广告", officer="张三", now=NOW)
    assert added.added and added.phrase == "江北特供茶叶展销会"
    assert added.path == tmp_path / USER_LEXICON_DIRNAME / ALLOW_FILENAME
    written = added.path.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf")
    assert written.decode("utf-8-sig") == (
        "term,category,severity,rule,note\n" '江北特供茶叶展销会,allow,,,"展会名称, 非广告（张三 2026-11-25）"\n'
    )
    scanner, problems = load_scanner(lexicon_locations(tmp_path))
    assert problems == [] and "ad.local" not in [hit.rule for hit in scanner.scan(text)]
    assert "ad.local" in [hit.rule for hit in scanner.scan("江北特供好茶")]  # elsewhere the term still counts


def test_adding_the_same_phrase_again_writes_nothing(tmp_path: Path) -> None:
    first = add_allow_phrase(tmp_path, "江北特供茶叶", note="", officer="张三", now=NOW)
    content = first.path.read_bytes()
    again = add_allow_phrase(tmp_path, "江北特供茶叶", note="又一次", officer="李四", now=NOW)
    assert first.added and not again.added and first.path.read_bytes() == content
    shipped = add_allow_phrase(tmp_path, "南京市长江大桥", note="", officer="张三", now=NOW)  # in the shipped list
    assert not shipped.added and first.path.read_bytes() == content


@pytest.mark.parametrize(
    ("phrase", "key"),
    [
        ("市", "lexicon.bad_phrase"),
        ("", "lexicon.bad_phrase"),
        ("长" * 65, "lexicon.bad_phrase"),
        ("江北\x07特供", "lexicon.phrase_control_chars"),
        ("江北\n特供", "lexicon.phrase_control_chars"),
        ("=HYPERLINK(1)", "lexicon.phrase_formula"),
    ],
)
def test_a_bad_phrase_is_refused_and_nothing_is_written(tmp_path: Path, phrase: str, key: str) -> None:
    with pytest.raises(InputError) as caught:
        add_allow_phrase(tmp_path, phrase, note="", officer="张三", now=NOW)
    assert caught.value.key == key and caught.value.exit_code == 2
    assert not (tmp_path / USER_LEXICON_DIRNAME).exists()


def test_a_single_character_is_refused_with_the_lexicon_reason(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        add_allow_phrase(tmp_path, "市", note="", officer="张三", now=NOW)
    assert str(caught.value) == "白名单短语“市”无效：词条“市”只有一个字，误报太多，不予收录"


def test_an_office_allow_file_in_gb18030_is_kept_and_extended(tmp_path: Path) -> None:
    folder = tmp_path / USER_LEXICON_DIRNAME
    folder.mkdir()
    (folder / ALLOW_FILENAME).write_bytes("# 本单位白名单\n观音桥步行街,allow,,,地名".encode("gb18030"))
    add_allow_phrase(tmp_path, "江北特供茶叶", note="", officer="张三", now=NOW)
    text = (folder / ALLOW_FILENAME).read_text(encoding="utf-8-sig")
    assert text.startswith("# 本单位白名单\n观音桥步行街,allow,,,地名\n江北特供茶叶,allow,,,张三 2026-11-25\n")
    report = check_lexicon([folder])
    assert (report.allow, report.problems) == (2, ())


def test_an_unreadable_allow_file_is_not_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / USER_LEXICON_DIRNAME
    folder.mkdir()
    (folder / ALLOW_FILENAME).write_bytes(b"\x81\x20\xff")
    with pytest.raises(InputError) as caught:
        add_allow_phrase(tmp_path, "江北特供茶叶", note="", officer="张三", now=NOW)
    assert caught.value.key == "lexicon.allow_file_unreadable"
    assert (folder / ALLOW_FILENAME).read_bytes() == b"\x81\x20\xff"


def test_a_phrase_that_is_a_term_of_the_allow_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / USER_LEXICON_DIRNAME
    folder.mkdir()
    (folder / ALLOW_FILENAME).write_text("江北特供茶叶,advertising,low\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        add_allow_phrase(tmp_path, "江北特供茶叶", note="", officer="张三", now=NOW)
    assert caught.value.key == "lexicon.phrase_is_term"
