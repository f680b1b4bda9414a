from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from jb_watchdesk.domain.errors import EnvironmentProblem, ImportRejected, InputError
from jb_watchdesk.paths import resources_dir
from jb_watchdesk.services.register import export_register, import_register, read_register
from jb_watchdesk.storage.accounts import list_accounts
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SHIPPED = resources_dir() / "accounts" / "jiangbei-2021.csv"
CSV_ZH = "账号名称,平台,主办单位,状态,来源\n江北政务,微信公众号,区政府办公室,运营中,wx0123456789abcdef\n平安江北,新浪微博,区公安分局,active,https://rsshub.example/weibo/user/1\n"


@pytest.fixture
def store():
    with Store(None) as store:
        yield store


def test_shipped_register_has_the_nine_accounts_of_the_notice() -> None:
    specs = read_register(SHIPPED)
    assert len(specs) == 9
    assert {(s.name, s.platform.value) for s in specs} >= {
        ("江北政务", "wechat_mp"),
        ("重庆江北嘴", "wechat_mp"),
        ("平安江北", "douyin"),
        ("平安江北", "weishi"),
        ("江北警视线", "kuaishou"),
        ("平安江北", "weibo"),
        ("江北公安在线", "wechat_mp"),
        ("江北警视线", "shangyou"),
        ("平安江北", "toutiao"),
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path: Path, store: Store, encoding: str) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(CSV_ZH.encode(encoding))
    changes = import_register(store, path, now=NOW)
    assert changes.created == 2
    names = [a.name for a in store.call(list_accounts)]
    assert names == ["江北政务", "平安江北"]


def test_csv_that_is_neither_utf8_nor_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"name,platform\n\x81\x20,rss\n")
    with pytest.raises(InputError) as caught:
        read_register(path)
    assert (caught.value.key, caught.value.params["line"]) == ("register.wrong_encoding", 2)


def test_one_bad_row_imports_nothing_and_names_the_line(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "r.csv"
    path.write_text(CSV_ZH + "坏账号,myspace,单位,active,\n区网站,website,,active,https://www.example.gov.cn/rss\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_register(store, path, now=NOW)
    assert [e.format("en") for e in caught.value.errors] == [
        f"{path}:4: unknown platform 'myspace'"
        " (expected one of: wechat_mp, weibo, douyin, kuaishou, toutiao, weishi, shangyou, rss, website)"
    ]
    assert caught.value.exit_code == 2
    assert store.call(list_accounts) == []


def test_multiline_cell_keeps_line_numbers_right(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text('name,platform,note\na,rss,"line one\nline two"\nb,nowhere,\n', encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        read_register(path)
    assert [e.line for e in caught.value.errors] == [4]


def test_xlsx_import(tmp_path: Path, store: Store) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "platform", "unit", "status", "source"])
    sheet.append(["江北政务", "wechat_mp", "区政府办公室", "active", "wx0123456789abcdef"])
    sheet.append([None, None, None, None, None])
    sheet.append(["平安江北", "抖音", "区公安分局", "待关停", None])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    import_register(store, path, now=NOW)
    assert [(a.name, a.status.value) for a in store.call(list_accounts)] == [("江北政务", "active"), ("平安江北", "to_close")]


def test_xlsx_errors_name_the_spreadsheet_row(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["账号名称", "平台"])
    sheet.append(["a", "rss"])
    sheet.append(["", "rss"])
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    with pytest.raises(ImportRejected) as caught:
        read_register(path)
    assert [(e.line, e.key) for e in caught.value.errors] == [(3, "register.missing_name")]


def test_not_really_an_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    path.write_text("name,platform\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_register(path)
    assert caught.value.key == "register.bad_xlsx"


def test_json_errors_carry_the_line_of_the_object(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(
        '[\n  {"name": "a", "platform": "rss"},\n  {"name": "b",\n   "platform": "nope"},\n  "oops"\n]\n',
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as caught:
        read_register(path)
    assert [(e.line, e.key) for e in caught.value.errors] == [(3, "register.unknown_platform"), (5, "register.json_row_shape")]


def test_malformed_json(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('[{"name": "a",\n "platform": }]', encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        read_register(path)
    assert caught.value.errors[0].line == 2 and caught.value.errors[0].key == "register.bad_json"


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_register(tmp_path / "r.txt")
    assert caught.value.key == "register.unsupported_format"
    with pytest.raises(InputError) as caught:
        read_register(tmp_path / "missing.csv")
    assert caught.value.key == "file.not_found"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_export_round_trips_with_import(tmp_path: Path, store: Store, suffix: str) -> None:
    import_register(store, SHIPPED, now=NOW)
    path = tmp_path / f"out{suffix}"
    assert export_register(store, path) == 9
    with Store(None) as other:
        import_register(other, path, now=NOW)
        assert [a.spec() for a in other.call(list_accounts)] == [a.spec() for a in store.call(list_accounts)]


def test_exports_neutralise_formulas(tmp_path: Path, store: Store) -> None:
    source = tmp_path / "evil.json"
    source.write_text(
        json.dumps([{"name": "=HYPERLINK(\"http://evil\",\"点我\")", "platform": "rss", "unit": "+1-2", "owner": "@SUM(A1)"}]),
        encoding="utf-8",
    )
    import_register(store, source, now=NOW)

    xlsx = tmp_path / "out.xlsx"
    export_register(store, xlsx)
    sheet = load_workbook(xlsx).active
    row = [c for c in sheet[2]]
    assert all(c.data_type != "f" for c in row)
    assert row[1].value == '=HYPERLINK("http://evil","点我")'
    assert sheet.freeze_panes == "A2"

    out_csv = tmp_path / "out.csv"
    export_register(store, out_csv)
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out_csv, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    assert records[1][1].startswith("'=") and records[1][3] == "'+1-2"
    # and the register still round-trips exactly
    with Store(None) as other:
        import_register(other, out_csv, now=NOW)
        assert other.call(list_accounts)[0].name == '=HYPERLINK("http://evil","点我")'


def test_a_failed_export_leaves_the_old_file(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import_register(store, SHIPPED, now=NOW)
    path = tmp_path / "out.json"
    path.write_text("previous good export", encoding="utf-8")

    def broken_dumps(*args: object, **kwargs: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("jb_watchdesk.services.register.json.dumps", broken_dumps)
    with pytest.raises(EnvironmentProblem) as caught:  # a full disk is the machine's trouble: exit 3
        export_register(store, path)
    assert caught.value.key == "file.disk_full" and caught.value.exit_code == 3
    assert path.read_text(encoding="utf-8") == "previous good export"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


CASES = Path(__file__).resolve().parents[2] / "data" / "register"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json"])
def test_a_noncharacter_in_a_unit_name_never_reaches_an_export(tmp_path: Path, store: Store, suffix: str) -> None:
    # U+FFFE in a cell makes Excel and openpyxl refuse the whole workbook
    import_register(store, CASES / "register_noncharacter.csv", now=NOW)
    (account,) = store.call(list_accounts)
    assert (account.name, account.unit) == ("江北发布", "区委宣传部")
    # a database written before the sanitiser may still hold one: the export cleans it too
    store.call(lambda db: db.execute("UPDATE accounts SET unit = '区委\ufffe宣传部\uffff'"))
    target = tmp_path / f"register{suffix}"
    export_register(store, target)
    if suffix == ".xlsx":
        sheet = load_workbook(target).active
        assert [c.value for c in sheet[2]][3] == "区委宣传部"
    else:
        text = target.read_text(encoding="utf-8-sig")
        assert "\ufffe" not in text and "\uffff" not in text and "区委宣传部" in text
    assert {s.unit for s in read_register(target)} == {"区委宣传部"}
