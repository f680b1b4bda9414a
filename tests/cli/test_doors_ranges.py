"""Every whole number and time typed at the door is range-checked: one line, exit 2, never
"internal error: OverflowError"."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from jb_watchdesk.cli import main

HUGE = str(2**70)
EARLY = "0001-01-01T00:00:00+08:00"
LATE = "9999-12-31T23:59:59-14:00"
SHIPPED_ARGS = ["accounts", "import", str(Path(__file__).resolve().parents[2] / "resources" / "accounts" / "jiangbei-2021.csv")]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--lang", "en", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def refused_in_one_line(code: int, err: str) -> None:
    assert code == 2, err
    assert err.count("\n") == 1 and "internal error" not in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--port", "70000"), ("--port", "-1"), ("--port", HUGE),
        ("--accounts", "0"), ("--accounts", HUGE), ("--accounts", "-1"),
        ("--seed", "-1"), ("--seed", HUGE),
        ("--latency-ms", "-1"), ("--latency-ms", HUGE), ("--latency-ms", "3600001"),
        ("--port", "80a"),
    ],
)
def test_simulator_numbers_out_of_range_are_refused_before_anything_starts(option: str, value: str) -> None:
    code, out, err = run("simulator", option, value)
    refused_in_one_line(code, err)
    assert option in err and value in err and out == ""


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = str(tmp_path_factory.mktemp("doors") / "ws")
    assert run("--data-dir", root, *SHIPPED_ARGS)[0] == 0
    return root


@pytest.mark.parametrize("moment", [EARLY, LATE, "0001-01-01", "9999-12-31T23:59:59"])
@pytest.mark.parametrize(
    ("option", "command"),
    [
        ("--now", ["--now", "{}", "status"]),
        ("--from", ["gaps", "--from", "{}"]),
        ("--to", ["gaps", "--to", "{}"]),
        ("--to", ["handover", "export", "--from", "2026-11-20T00:00+08:00", "--to", "{}", "--format", "csv", "-o", "{out}"]),
        ("latest post", ["inspect", "1", "--latest-post", "{}"]),
    ],
)
def test_times_out_of_range_name_their_option(ws: str, tmp_path: Path, moment: str, option: str, command: list[str]) -> None:
    argv = [part.replace("{}", moment).replace("{out}", str(tmp_path / "h.csv")) for part in command]
    code, _, err = run("--data-dir", ws, *argv)
    refused_in_one_line(code, err)
    assert option in err and moment in err
    assert not (tmp_path / "h.csv").exists()


@pytest.mark.parametrize("week", ["0001-W01", "0000-W01", "2026-W99"])
def test_a_week_out_of_range_is_refused(ws: str, tmp_path: Path, week: str) -> None:
    code, _, err = run("--data-dir", ws, "report", "weekly", "--week", week, "--format", "xlsx", "-o", str(tmp_path / "w.xlsx"))
    refused_in_one_line(code, err)
    assert week in err


@pytest.mark.parametrize(
    "argv",
    [
        ["alerts", "ack", HUGE, "--note", "x"],
        ["inspect", HUGE],
        ["inspect", "1", "--corrects", HUGE],
        ["handover", "export", "--shift", HUGE, "--format", "csv", "-o", "x.csv"],
        ["inspect", "1", "--latest-post", "2026-11-25T08:00+08:00", "--posts", HUGE],
        ["inspect", "1", "--latest-post", "2026-11-25T08:00+08:00", "--comments-waiting", "-1"],
    ],
)
def test_ids_and_counts_out_of_range_are_one_line(ws: str, argv: list[str]) -> None:
    refused_in_one_line(*run("--data-dir", ws, *argv)[::2])
