"""The poller lock: one poller per workspace, the refusal names the holder, a crash leaves nothing stale."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import EnvironmentProblem
from jb_watchdesk.services.instance_lock import WINDOW, Holder, PollerBusy, PollerLock, holder_path, read_holder

SINCE = datetime(2026, 11, 24, 18, 10, tzinfo=UTC)  # 02:10 in Shanghai


def test_the_holder_is_recorded_while_held_and_forgotten_on_release(tmp_path: Path) -> None:
    lock = PollerLock(tmp_path, command="run --headless")
    with lock:
        holder = read_holder(tmp_path)
        assert holder == lock.holder
        assert holder is not None and holder.pid == os.getpid() and holder.command == "run --headless"
        assert holder.since.tzinfo is not None
        assert json.loads(holder_path(tmp_path).read_text(encoding="utf-8"))["command"] == "run --headless"
    assert not lock.held
    assert read_holder(tmp_path) is None
    with PollerLock(tmp_path, command="poll"):  # free again
        pass


def test_a_second_poller_is_refused_naming_the_first(tmp_path: Path) -> None:
    messages.set_language("en")
    first = PollerLock(tmp_path, command="run --headless")
    first.acquire(now=SINCE)
    try:
        with pytest.raises(PollerBusy) as refused:
            PollerLock(tmp_path, command="poll").acquire()
    finally:
        first.release()
    error = refused.value
    assert error.exit_code == 3
    assert error.holder is not None and error.holder.command == "run --headless"
    said = str(error)
    assert "\n" not in said
    assert f"run --headless (pid {os.getpid()}" in said
    assert "11-25 02:10" in said
    assert "Ctrl+C" in said and "read-only" in said
    assert "（" in error.message("zh") and "run --headless" in error.message("zh")


def test_the_window_as_holder_is_named_so_with_what_to_do(tmp_path: Path) -> None:
    messages.set_language("en")
    with PollerLock(tmp_path, command=WINDOW), pytest.raises(PollerBusy) as refused:
        PollerLock(tmp_path, command="run --headless").acquire()
    assert str(refused.value).startswith("the desk window already polls")
    assert "tray menu" in str(refused.value)


def test_a_holder_without_a_readable_record_is_still_refused(tmp_path: Path) -> None:
    messages.set_language("en")
    with PollerLock(tmp_path, command="poll"):
        holder_path(tmp_path).write_text("{\"pid\": ", encoding="utf-8")  # torn by a power loss
        with pytest.raises(PollerBusy) as refused:
            PollerLock(tmp_path, command="poll").acquire()
    assert refused.value.holder is None
    assert "left no record" in str(refused.value)


def test_a_crashed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    """The OS drops the lock with its process: a poller killed outright is no obstacle, and the record
    it left behind is replaced."""
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, pathlib\n"
         "from jb_watchdesk.services.instance_lock import PollerLock\n"
         "lock = PollerLock(pathlib.Path(sys.argv[1]), command='run --headless')\n"
         "lock.acquire()\n"
         "print('held', flush=True)\n"
         "sys.stdin.read()\n",
         str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == "held\n"
        with pytest.raises(PollerBusy) as refused:
            PollerLock(tmp_path, command="poll").acquire()
        assert refused.value.holder is not None and refused.value.holder.pid == child.pid
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate()
    left = read_holder(tmp_path)
    assert left is not None and left.pid == child.pid  # the crash left its record behind
    with PollerLock(tmp_path, command="poll") as lock:
        assert read_holder(tmp_path) == lock.holder
        assert lock.holder is not None and lock.holder.pid == os.getpid()


def test_a_data_dir_that_cannot_hold_the_lock_is_an_environment_problem(tmp_path: Path) -> None:
    messages.set_language("en")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    with pytest.raises(EnvironmentProblem) as failed:
        PollerLock(not_a_folder, command="poll").acquire()
    assert failed.value.key == "instance.lock_failed"
    assert failed.value.exit_code == 3
    assert str(not_a_folder / "poller.lock") in str(failed.value)


@pytest.mark.parametrize("data", [[], {"pid": "1", "host": "h", "command": "poll", "since": SINCE.isoformat()},
                                  {"pid": 1, "host": "h", "command": "poll", "since": "2026-11-24T18:10:00"}])
def test_a_record_of_the_wrong_shape_is_refused(data: object) -> None:
    with pytest.raises(ValueError):
        Holder.from_json(data)


def test_the_record_round_trips() -> None:
    holder = Holder(pid=1234, host="DUTY-PC", command="run --headless", since=SINCE)
    assert Holder.from_json(json.loads(json.dumps(holder.to_json()))) == holder
