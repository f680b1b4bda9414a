"""What reaches the terminal: no control, bidi or line-separator character in a table or a line;
``--json`` escapes them, and a closed pipe ends the command quietly."""

from __future__ import annotations

import csv
import errno
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.cli.output import dump_json, json_text, plain, print_table

# Every character a terminal would act on rather than show: C0/C1 controls (U+0085 NEXT LINE
# included), bidi embeddings, overrides, isolates and marks, line and paragraph separators.
HOSTILE = [
    "\x00", "\x07", "\x1b", "\r", "\n", "\t", "\x7f", "\x85", "\x9b",
    "\u061c", "\u200e", "\u200f",
    *(chr(c) for c in range(0x202A, 0x202F)),
    *(chr(c) for c in range(0x2066, 0x206A)),
    "\u2028", "\u2029", "\ufeff", "\ud83d",
]


@pytest.mark.parametrize("ch", HOSTILE, ids=lambda ch: f"U+{ord(ch):04X}")
def test_plain_turns_each_hostile_character_into_one_space(ch: str) -> None:
    assert plain(f"江北{ch}发布") == "江北 发布"


def test_plain_keeps_chinese_emoji_and_their_joiners() -> None:
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    text = f"江北发布 {family} 👍🏽 ¥100 「通知」"
    assert plain(text) == text


def test_a_table_row_stays_one_line_whatever_the_cells_hold() -> None:
    out = io.StringIO()
    print_table([["1", "评论\u2028第二行\u2029第三行\x85第四行"], ["2", "\u202e抗议\u2066x\u2069"]], headers=["id", "text"], out=out)
    lines = out.getvalue().split("\n")
    assert len(lines) == 4 and lines[-1] == ""  # header, two rows, final newline
    assert not any(ch in out.getvalue() for ch in HOSTILE if ch != "\n")


@pytest.mark.parametrize("ch", HOSTILE, ids=lambda ch: f"U+{ord(ch):04X}")
def test_json_escapes_each_hostile_character_and_reads_back_the_same(ch: str) -> None:
    data = [{"text": f"江北{ch}发布", "n": 1}]
    text = json_text(data)
    assert ch not in text.replace("\n", "")  # the indent's own newlines aside
    assert f"\\u{ord(ch):04x}" in text or ch in "\r\n\t"  # json's own short escapes: \r \n \t
    assert json.loads(text) == data


# Not text at all: tag characters (invisible language tags), noncharacters of the BMP and of
# every supplementary plane, private-use characters of the BMP and of planes 15 and 16.
NOT_TEXT = [
    "\U000e0001", "\U000e0041", "\U000e007f",
    "\ufdd0", "\ufdef", "\ufffe", "\U0001fffe", "\U0010ffff",
    "\ue000", "\uf8ff", "\U000f0000", "\U0010fffd",
]


@pytest.mark.parametrize("ch", NOT_TEXT, ids=lambda ch: f"U+{ord(ch):04X}")
def test_json_escapes_tags_noncharacters_and_private_use_as_utf16_escapes(ch: str) -> None:
    data = {"text": f"江北{ch}发布"}
    text = json_text(data, indent=None)
    assert ch not in text
    escaped = json.dumps(ch)[1:-1]  # json's own ASCII escape: \\uXXXX, or a surrogate pair above U+FFFF
    assert text == '{"text": "江北' + escaped + '发布"}'
    assert json.loads(text) == data


def test_json_keeps_chinese_readable_and_one_line_mode_is_one_line() -> None:
    data = {"name": "江北发布\u2028第二行", "emoji": "👍"}
    assert "江北发布" in json_text(data) and "👍" in json_text(data)
    single = json_text(data, indent=None)
    assert "\n" not in single and json.loads(single) == data
    out = io.StringIO()
    dump_json(data, out)
    assert out.getvalue().endswith("}\n") and json.loads(out.getvalue()) == data


# -- end to end: stored text with every hostile character, listed as a table and as JSON ----------


@pytest.fixture
def hostile_ws(tmp_path: Path) -> str:
    register = tmp_path / "register.csv"
    with register.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "platform", "unit", "status", "source", "note"])
        unit = "区委\u202e宣传部\u2028第二行\u0085"
        writer.writerow(["江北发布", "rss", unit, "active", "https://example.org/feed.xml", "备注\u2066x\u2069"])
    root = str(tmp_path / "ws")
    code = main(["--data-dir", root, "accounts", "import", str(register)], out=io.StringIO(), err=io.StringIO())
    assert code == 0
    return root


def test_accounts_list_table_and_json_carry_no_raw_hostile_character(hostile_ws: str) -> None:
    out = io.StringIO()
    assert main(["--lang", "en", "--data-dir", hostile_ws, "accounts", "list"], out=out, err=io.StringIO()) == 0
    table = out.getvalue()
    assert "宣传部" in table and not any(ch in table for ch in ("\u202e", "\u2028", "\x85", "\u2066"))
    assert len(table.splitlines()) == 2
    out = io.StringIO()
    assert main(["--data-dir", hostile_ws, "accounts", "list", "--json"], out=out, err=io.StringIO()) == 0
    text = out.getvalue()
    assert not any(ch in text for ch in ("\u202e", "\u2028", "\x85", "\u2066"))
    assert json.loads(text)[0]["unit"].startswith("区委")


# -- a closed pipe -----------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["table", "json"])
def test_a_reader_that_stops_early_ends_the_command_quietly(hostile_ws: str, extra: list[str]) -> None:
    """``accounts list | head -c1``: the reader goes away; no traceback, no "Exception ignored"."""
    # Enough rows that the output outgrows the pipe's buffer, whatever the reader does.
    register = Path(hostile_ws).parent / "many.csv"
    with register.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "platform", "unit", "status", "source"])
        writer.writerows([f"账号{n:04d}" + "长" * 40, "rss", "区委宣传部", "active", f"https://example.org/{n}.xml"] for n in range(1500))
    assert main(["--data-dir", hostile_ws, "accounts", "import", str(register)], out=io.StringIO(), err=io.StringIO()) == 0
    command = [sys.executable, "-m", "jb_watchdesk", "--data-dir", hostile_ws, "accounts", "list", *extra]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(1)
        process.stdout.close()  # the reader is gone: the next write meets EPIPE
        err = process.stderr.read().decode("utf-8", "replace")
        code = process.wait(timeout=60)
    assert err == ""
    assert code in (0, 141)


class _ClosedOnWindows(io.StringIO):
    """stdout after the reader went away, as Windows often reports it: OSError EINVAL (CPython
    issue #79935), not BrokenPipeError; fails from the first write or the final flush."""

    def __init__(self, *, fail_on: str) -> None:
        super().__init__()
        self.fail_on = fail_on

    def write(self, text: str) -> int:
        if self.fail_on == "write":
            raise OSError(errno.EINVAL, "Invalid argument")
        return super().write(text)

    def flush(self) -> None:
        if self.fail_on == "flush":
            raise OSError(errno.EINVAL, "Invalid argument")


@pytest.mark.parametrize("fail_on", ["write", "flush"])
def test_einval_writing_the_output_is_a_closed_pipe_too(hostile_ws: str, fail_on: str) -> None:
    err = io.StringIO()
    code = main(["--data-dir", hostile_ws, "accounts", "list"], out=_ClosedOnWindows(fail_on=fail_on), err=err)
    assert (code, err.getvalue()) == (141, "")


@pytest.mark.allow_error_log  # the internal error is logged with its traceback
def test_einval_from_anything_but_the_output_is_not_taken_for_a_closed_pipe(hostile_ws: str) -> None:
    def refuse(*_args: object) -> None:
        raise OSError(errno.EINVAL, "Invalid argument")

    err = io.StringIO()
    code = main(["--data-dir", hostile_ws, "accounts", "list"], out=io.StringIO(), err=err, app_factory=refuse)
    assert code == 1 and "OSError" in err.getvalue()
