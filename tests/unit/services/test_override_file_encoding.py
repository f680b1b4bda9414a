"""The holiday override file as Notepad saves it on a Chinese Windows ("ANSI", i.e. GBK) is read;
a file that cannot be decoded makes every year it names doubtful."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jb_watchdesk.app import load_calendar
from jb_watchdesk.paths import Workspace


def _workspace(tmp_path: Path, data: bytes) -> Workspace:
    workspace = Workspace(tmp_path / "ws")
    workspace.workday_overrides.parent.mkdir(parents=True, exist_ok=True)
    workspace.workday_overrides.write_bytes(data)
    return workspace


def test_a_gbk_override_file_is_read(tmp_path: Path) -> None:
    calendar = load_calendar(_workspace(tmp_path, "2026-05-06 off  区里停电，全天休息\n".encode("gbk")))
    assert calendar.problems == ()
    assert not calendar.is_workday(date(2026, 5, 6))  # a Wednesday, made a day off


def test_an_undecodable_override_file_makes_the_years_it_names_doubtful(tmp_path: Path) -> None:
    calendar = load_calendar(_workspace(tmp_path, b"2026-05-06 off \x80\x80\n2027-01-04 off\n"))
    assert [p.line for p in calendar.problems] == [0]
    assert not calendar.is_known(date(2026, 5, 6)) and not calendar.is_known(date(2027, 3, 1))
    assert calendar.is_known(date(2025, 5, 6))
