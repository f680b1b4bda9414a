"""The desk's log: rotating, size-capped, owner-only files; tracebacks in the file, one line on the terminal."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.services import logs
from jb_watchdesk.services.poller import PollResult
from jb_watchdesk.services.watch import log_cycle


@pytest.fixture(autouse=True)
def _closed() -> Iterator[None]:
    yield
    logs.close()


def test_the_files_rotate_at_their_cap_and_are_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    path = logs.configure(logs_dir=tmp_path / "logs")
    assert path == tmp_path / "logs" / "watchdesk.log"
    for number in range(400):
        logging.getLogger("jb_watchdesk.test").info("line %d 江北发布", number)
    files = sorted((tmp_path / "logs").iterdir())
    assert [f.name for f in files] == ["watchdesk.log", *(f"watchdesk.log.{n}" for n in range(1, logs.BACKUP_COUNT + 1))]
    assert all(f.stat().st_size <= 2_100 and f.stat().st_mode & 0o777 == 0o600 for f in files)
    assert "line 399 江北发布" in path.read_text(encoding="utf-8")


def test_a_traceback_goes_to_the_file_and_one_line_to_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = logs.configure(logs_dir=tmp_path / "logs")
    assert path is not None
    try:
        raise ValueError("bad payload")
    except ValueError:
        logging.getLogger("jb_watchdesk.test").warning("storing account 3 failed", exc_info=True)
    logs.close()
    assert capsys.readouterr().err == "WARNING jb_watchdesk.test: storing account 3 failed\n"
    written = path.read_text(encoding="utf-8")
    assert "storing account 3 failed" in written and "Traceback" in written and "ValueError: bad payload" in written


def test_configuring_again_replaces_the_earlier_handlers(tmp_path: Path) -> None:
    logs.configure(logs_dir=tmp_path / "a")
    logs.configure(logs_dir=tmp_path / "b")
    logging.getLogger("jb_watchdesk.test").info("only in b")
    logs.close()
    assert not (tmp_path / "a" / "watchdesk.log").exists()
    assert "only in b" in (tmp_path / "b" / "watchdesk.log").read_text(encoding="utf-8")


def test_a_poll_cycle_is_one_line(caplog: pytest.LogCaptureFixture) -> None:
    start = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    poll = PollResult(run_id=7, started_at=start, finished_at=start + timedelta(seconds=11.5), polled=(1, 2, 3), new_posts=(4, 5),
                      new_comments=(9,))
    log_cycle(poll, alerts_raised=2)
    (record,) = [r for r in caplog.records if r.name == "jb_watchdesk.services.watch"]
    assert record.getMessage() == "poll cycle 7: 3 accounts polled, 0 failed, 3 new items, 2 alerts raised, 11.5 s"


@pytest.mark.parametrize(("failure", "said"), [(errno.EROFS, False), (errno.ENOSPC, True)])
def test_a_log_file_that_cannot_be_written_stops_the_file_not_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, failure: int, said: bool
) -> None:
    path = logs.configure(logs_dir=tmp_path / "logs")
    assert path is not None

    def refused(*args: object, **kwargs: object) -> int:
        raise OSError(failure, os.strerror(failure))

    monkeypatch.setattr(logs.os, "open", refused)  # a read-only archive, a full disk
    for number in range(3):
        logging.getLogger("jb_watchdesk.test").info("opened read-only %d", number)
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    # a read-only workspace is read without a word; a full disk is said once
    assert err.count("cannot write the log") == (1 if said else 0), err


@pytest.mark.allow_error_log
def test_uncaught_exceptions_in_any_thread_are_logged_masked_instead_of_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys
    import threading

    from jb_watchdesk.services import redaction

    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)  # what a desk process starts with
    monkeypatch.setattr(threading, "excepthook", threading.__excepthook__)
    redaction.register("Pa55wordSecret")
    try:
        path = logs.configure(logs_dir=tmp_path / "logs")
        assert path is not None

        def fail() -> None:
            raise RuntimeError("proxy ftp://u:Pa55wordSecret@h refused")

        worker = threading.Thread(target=fail, name="scan")
        worker.start()
        worker.join()
        try:
            fail()
        except RuntimeError as error:
            sys.excepthook(RuntimeError, error, error.__traceback__)  # as Python, or PySide6 for a slot, does
        logs.close()
        assert sys.excepthook is sys.__excepthook__ and threading.excepthook is threading.__excepthook__
    finally:
        logs.close()
        redaction.forget_all()
    terminal = capsys.readouterr().err
    assert terminal == "ERROR jb_watchdesk: uncaught RuntimeError in thread scan\nCRITICAL jb_watchdesk: uncaught RuntimeError\n"
    written = path.read_text(encoding="utf-8")
    assert written.count("Traceback") == 2 and "ftp://u:[redacted]@h" in written and "Pa55wordSecret" not in written


def test_file_times_carry_their_utc_offset(tmp_path: Path) -> None:
    import re

    path = logs.configure(logs_dir=tmp_path / "logs")
    assert path is not None
    logging.getLogger("jb_watchdesk.test").info("a line")
    logs.close()
    stamp = path.read_text(encoding="utf-8").split(" ", 1)[0]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}", stamp)
    assert datetime.fromisoformat(stamp).utcoffset() is not None


def test_a_rotation_another_process_blocks_keeps_the_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 500)
    path = logs.configure(logs_dir=tmp_path / "logs")
    assert path is not None

    def in_use(source: str, target: str) -> None:  # Windows: the file is open in another process
        raise PermissionError(32, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(logs.os, "rename", in_use)
    for number in range(40):
        logging.getLogger("jb_watchdesk.test").info("line %d", number)
    logs.close()
    written = path.read_text(encoding="utf-8")
    assert "line 0" in written and "line 39" in written  # kept in the current file, none lost


def test_a_line_logged_after_the_command_ended_is_masked_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the command's handlers gone, Python prints a daemon thread's late warning through its
    handler of last resort: that one masks secrets as well."""
    import io
    import sys

    from jb_watchdesk.services import redaction

    redaction.register("Pa55wordSecret")
    logs.configure(logs_dir=tmp_path / "logs")
    logs.close()
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as in a desk process after close (pytest's own are out of the way)
    assert logging.lastResort is not None
    printed = io.StringIO()
    monkeypatch.setattr(sys, "stderr", printed)  # where the handler of last resort writes
    logging.getLogger("jb_watchdesk.storage.secrets").warning("keyring call gave up: token %s", "Pa55wordSecret")
    assert printed.getvalue() == "keyring call gave up: token [redacted]\n"
