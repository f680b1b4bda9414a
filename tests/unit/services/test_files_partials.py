"""Partial files: 0600 from creation, recorded in the workspace while under way, removed at the next
start when the process that wrote them is gone; every export ends 0600; a full disk is exit 3."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.domain.errors import EnvironmentProblem
from jb_watchdesk.paths import resources_dir
from jb_watchdesk.services import files

SHIPPED = str(resources_dir() / "accounts" / "jiangbei-2021.csv")
MORNING = "2026-11-25T08:00:00+08:00"
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def _no_record_kept():
    yield
    files.record_partials_in(None)


def _dead_pid() -> int:
    """The id of a process that has ended (and was reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_the_partial_is_0600_from_creation_and_recorded_until_done(tmp_path: Path) -> None:
    journal = tmp_path / "ws" / "partials"
    journal.parent.mkdir()
    files.record_partials_in(journal)
    old = os.umask(0o022)
    try:
        with files.atomic_output(tmp_path / "report.csv") as temp:
            assert mode(temp) == 0o600 and temp.name.startswith(".report.csv.partial-")
            (entry,) = journal.iterdir()
            assert Path(os.fsdecode(entry.read_bytes())) == temp.absolute()
            temp.write_text("a,b\n", encoding="utf-8")
            os.chmod(temp, 0o644)  # as a writer that makes its own file would leave it
    finally:
        os.umask(old)
    assert mode(tmp_path / "report.csv") == 0o600
    assert not journal.exists()  # the record is gone with the last entry
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv", "ws"]


def test_partials_of_a_process_that_died_are_removed_at_the_next_start(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert main(["--data-dir", str(root), "accounts", "import", SHIPPED], out=io.StringIO(), err=io.StringIO()) == 0
    exports = tmp_path / "share"
    exports.mkdir()
    dead, token = _dead_pid(), "0123456789abcdef"
    partial = exports / f".handover.xlsx.partial-{dead}-{token}"
    partial.write_bytes(b"PK half a workbook")
    (exports / f"{partial.name}.rows").write_bytes(b"staging")
    (root / "partials").mkdir()
    (root / "partials" / f"{dead}-{token}").write_bytes(os.fsencode(partial))
    backup_partial = root / "backups" / f".watchdesk-before-7.sqlite3.partial-{dead}"
    backup_partial.parent.mkdir(exist_ok=True)
    backup_partial.write_bytes(b"SQLite format 3\x00 half")
    keep = exports / "handover.xlsx"  # the officer's own files are never touched
    keep.write_bytes(b"yesterday's export")
    alive = exports / f".other.csv.partial-{os.getppid()}-fedcba9876543210"  # a process still running
    alive.write_bytes(b"being written")
    (root / "partials" / f"{os.getppid()}-fedcba9876543210").write_bytes(os.fsencode(alive))

    assert main(["--data-dir", str(root), "accounts", "list"], out=io.StringIO(), err=io.StringIO()) == 0
    assert sorted(p.name for p in exports.iterdir()) == sorted([keep.name, alive.name])
    assert not backup_partial.exists()
    assert [p.name for p in (root / "partials").iterdir()] == [f"{os.getppid()}-fedcba9876543210"]


def test_a_damaged_record_never_points_the_cleaning_at_another_file(tmp_path: Path) -> None:
    victim = tmp_path / "notes.txt"
    victim.write_text("the officer's notes", encoding="utf-8")
    journal = tmp_path / "partials"
    journal.mkdir()
    (journal / f"{_dead_pid()}-0123456789abcdef").write_bytes(os.fsencode(victim))
    assert files.clean_partials(journal) == 0
    assert victim.read_text(encoding="utf-8") == "the officer's notes"


# -- the mode of every export ------------------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_export_and_backup_ends_0600(tmp_path: Path, fmt: str) -> None:
    root = str(tmp_path / "ws")
    assert main(["--data-dir", root, "accounts", "import", SHIPPED], out=io.StringIO(), err=io.StringIO()) == 0
    old = os.umask(0o022)
    try:
        handover = tmp_path / f"handover.{fmt}"
        argv = ["--now", MORNING, "--data-dir", root, "handover", "export", "--from", "2026-11-24T08:00+08:00", "--to", MORNING,
                "--format", fmt, "-o", str(handover)]
        assert main(argv, out=io.StringIO(), err=io.StringIO()) == 0
        register = tmp_path / f"register.{fmt}"
        assert main(["--data-dir", root, "accounts", "export", str(register)], out=io.StringIO(), err=io.StringIO()) == 0
        backup = tmp_path / "copy.sqlite3"
        assert main(["--data-dir", root, "db", "backup", str(backup)], out=io.StringIO(), err=io.StringIO()) == 0
    finally:
        os.umask(old)
    assert {p.name: mode(p) for p in (handover, register, backup)} == {p.name: 0o600 for p in (handover, register, backup)}


# -- a full disk ---------------------------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path):
    """A 1 MB tmpfs, filled; root only (mount)."""
    if os.name == "nt" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    point = tmp_path / f"full-{uuid.uuid4().hex[:6]}"
    point.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        with open(point / "filler", "wb") as handle:
            try:
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
            except OSError:
                pass
        yield point
    finally:
        subprocess.run(["umount", str(point)], check=False)


# Two cases, each a child process (some 4 s here): the XLSX writer (openpyxl's unclosed ZipFile) and a plain file.
@pytest.mark.parametrize("target", ["handover.xlsx", "register.json"])
def test_a_full_disk_is_disk_full_exit_3_with_one_line(tmp_path: Path, full_disk: Path, target: str) -> None:
    root = str(tmp_path / "ws")
    assert main(["--data-dir", root, "accounts", "import", SHIPPED], out=io.StringIO(), err=io.StringIO()) == 0
    path = full_disk / target
    if target.startswith("handover"):
        argv = ["handover", "export", "--from", "2026-11-24T08:00+08:00", "--to", MORNING, "--format", path.suffix[1:], "-o", str(path)]
    else:
        argv = ["accounts", "export", str(path)]
    # In a child process: "Exception ignored" goes to the real stderr at collection, not to a StringIO.
    done = subprocess.run([sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--now", MORNING, "--data-dir", root, *argv],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert done.stderr.count("\n") == 1 and "disk full" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in full_disk.iterdir()) == ["filler"]


def test_sqlite_and_os_disk_full_errors_read_alike() -> None:
    import sqlite3

    for error in (OSError(28, "No space left on device", "/mnt/x"), sqlite3.OperationalError("database or disk is full")):
        problem = files.disk_full_problem(error)
        assert isinstance(problem, EnvironmentProblem) and problem.exit_code == 3
        assert problem.message("en").startswith("disk full")
    assert files.disk_full_problem(OSError(13, "Permission denied")) is None
