"""Registers in an encoding that is neither UTF-8 nor plausible GB18030 are refused, naming the
line where reading went wrong: GB18030 decodes almost any bytes, so decoding alone proves nothing.

The samples in tests/data/register/ were written by Python's own codecs (shift_jis, euc_kr,
big5, latin-1, gbk) from Japanese, Korean, Traditional Chinese, French and the notice's registers;
register_gbk_jiangbei_*.csv are Jiangbei district registers as Excel on a Chinese Windows saves
them (GBK): towns and streets (鱼嘴镇, 复盛镇, 五宝镇, 铁山坪街道, 大石坝街道), owners with rare
characters in their names (王喆, 李堃玥, 闫鑫淼, 余杰桂), notes with ㎡, ﹝2021﹞ and full-width
punctuation; *_late.csv have a plain ASCII first account, so the text goes wrong on line 3.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.paths import resources_dir
from jb_watchdesk.services.files import decode_office_text, plausible_gb18030
from jb_watchdesk.services.register import read_register

CASES = Path(__file__).resolve().parents[2] / "data" / "register"
SHIPPED = resources_dir() / "accounts" / "jiangbei-2021.csv"


@pytest.mark.parametrize("name", ["sjis", "euckr", "big5", "latin1"])
def test_a_register_in_a_foreign_encoding_is_refused_naming_its_first_bad_line(name: str) -> None:
    path = CASES / f"register_{name}.csv"
    assert path.read_bytes().decode("gb18030", errors="replace")  # GB18030 alone would read something
    with pytest.raises(InputError) as caught:
        read_register(path)
    error = caught.value
    assert error.key == "register.wrong_encoding" and error.exit_code == 2
    assert error.params["line"] == 2  # the header is ASCII; the first account's name is where it breaks
    english = error.message("en")
    assert str(path) in english and "line 2" in english and "CSV UTF-8" in english
    assert "\n" not in english and "第 2 行" in error.message("zh")


@pytest.mark.parametrize("name", ["sjis_late", "latin1_late"])
def test_the_line_named_is_where_the_text_first_goes_wrong(name: str) -> None:
    with pytest.raises(InputError) as caught:
        read_register(CASES / f"register_{name}.csv")
    assert caught.value.key == "register.wrong_encoding" and caught.value.params["line"] == 3
    assert "CSV UTF-8" in caught.value.message("en")


JIANGBEI = {
    "towns": ["魅力鱼嘴", "幸福复盛", "五宝镇", "铁山坪街道", "大石坝街道", "复盛镇"],
    "names": ["五宝发布", "铁山坪发布"],
    "notes": ["江北宣传", "鱼嘴镇便民服务", "铁山坪发布", "五宝发布"],
}


@pytest.mark.parametrize("name", sorted(JIANGBEI))
def test_jiangbei_registers_saved_as_gbk_import_whole(name: str) -> None:
    path = CASES / f"register_gbk_jiangbei_{name}.csv"
    specs = read_register(path)
    assert [spec.name for spec in specs] == JIANGBEI[name]
    text = path.read_bytes().decode("gbk")
    assert decode_office_text(path.read_bytes()) == text  # every character as written, none replaced
    assert {"王喆", "李堃玥"} <= {part for row in text.splitlines() for part in row.split(",")}


def test_each_jiangbei_row_imports_on_its_own_too() -> None:
    """A one-account register is too short to judge by character frequencies: each row alone."""
    for name in JIANGBEI:
        header, *rows = (CASES / f"register_gbk_jiangbei_{name}.csv").read_bytes().decode("gbk").splitlines(keepends=True)
        for row in rows:
            assert decode_office_text((header + row).encode("gbk")) == header + row


def test_the_notices_register_saved_by_excel_as_gbk_still_imports() -> None:
    gbk = CASES / "register_gbk.csv"
    assert gbk.read_bytes() == SHIPPED.read_text(encoding="utf-8").encode("gbk")
    assert [spec.name for spec in read_register(gbk)] == [spec.name for spec in read_register(SHIPPED)]


@pytest.mark.parametrize(
    "text",
    [
        "账号名称,平台\n江北发布,rss\n",  # short: too little to judge frequencies, judged by the characters
        "账号名称,平台,主办单位,负责人\n江北政务,wechat_mp,区政府办公室,王堃\n平安江北,douyin,区公安分局,李喆\n",  # rare GBK names
        "名称,备注\n观音桥★商圈,第①期（试运行）——请于 5 月 1 日前核实 Jiāngběi\n",  # GB2312 symbols and pinyin
        "名称,备注\n鱼嘴镇,办公用房 200㎡（江北府办﹝2021﹞15号）\n",  # GBK symbols outside GB2312
        "名称,负责人\n五宝发布,王喆\n铁山坪发布,李堃玥\n",  # three rare characters in five names
        "名称,平台\n江北發布,rss\n",  # Traditional forms GBK encodes
    ],
)
def test_plausible_chinese_in_gbk_is_accepted(text: str) -> None:
    assert decode_office_text(text.encode("gbk")) == text


def test_plausibility_names_the_line_where_chinese_stops() -> None:
    assert plausible_gb18030("名称\n江北发布\n") is None
    assert plausible_gb18030("名称\n江北发布\nアカウント\n") == 3  # kana: Shift-JIS read as GBK gives such
    assert plausible_gb18030("plain ascii\nonly\n") is None


def test_bytes_gb18030_cannot_decode_name_their_line() -> None:
    with pytest.raises(InputError) as caught:
        decode_office_text("名称\n江北\n".encode() + b"Caf\xe9 ok\n")
    assert (caught.value.key, caught.value.params["line"]) == ("file.wrong_encoding", 3)
