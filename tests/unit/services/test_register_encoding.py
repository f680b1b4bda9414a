"""Registers in an encoding that is neither UTF-8 nor plausible GB18030 are refused, naming the
line where reading went wrong: GB18030 decodes almost any bytes, so decoding alone proves nothing.

The samples in tests/data/register/ were written by Python's own codecs (shift_jis, euc_kr,
big5, latin-1, gbk) from Japanese, Korean, Traditional Chinese, French and the notice's registers.
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
    assert str(path) in english and "line 2" in english and "UTF-8" in english
    assert "\n" not in english and "第 2 行" in error.message("zh")


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
