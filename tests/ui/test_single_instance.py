"""One desk per workspace: a second launch hands over to the first and exits; a lock left by a crash
or a power loss is taken over; a desk that holds the lock but does not answer is named, not waited on."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDir, QLockFile, Qt
from PySide6.QtWidgets import QApplication

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import EnvironmentProblem
from jb_watchdesk.services.instance_lock import PollerBusy, PollerLock, read_holder
from jb_watchdesk.ui.single_instance import ACKNOWLEDGED, ACTIVATE, LOCK_FILENAME, claim, one_desk, server_name

# The first desk, reduced to its claim: prints once it listens, and again when a later launch asks.
FIRST_DESK = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QTimer
from jb_watchdesk.ui.single_instance import claim
app = QCoreApplication([])
desk = claim(Path(sys.argv[1]))
def activated():
    print("activated", flush=True)
    app.quit()
desk.activated.connect(activated)
QTimer.singleShot(30_000, app.quit)
print("listening" if desk.listening else "deaf", flush=True)
app.exec()
desk.close()
"""

# A desk that crashes: it takes the lock and listens, then is killed before it can clean up.
CRASHING_DESK = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from jb_watchdesk.ui.single_instance import claim
app = QCoreApplication([])
desk = claim(Path(sys.argv[1]))
print("listening" if desk.listening else "deaf", flush=True)
time.sleep(60)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def test_a_second_launch_brings_the_first_forward_and_exits(tmp_path: Path) -> None:
    """Two real processes; the second is the real entry point (about 2 s: it loads the whole desk before
    it asks, as a double-click does)."""
    root = tmp_path / "ws"
    first = subprocess.Popen([sys.executable, "-c", FIRST_DESK, str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=_env())
    try:
        assert first.stdout is not None
        assert first.stdout.readline() == "listening\n", first.stderr.read() if first.stderr else ""
        second = subprocess.run([sys.executable, "-m", "jb_watchdesk", "--lang", "en", "--data-dir", str(root)],
                                capture_output=True, text=True, env=_env(), timeout=60)
        out, err = first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert second.returncode == 0, second.stderr
    assert second.stdout == f"the desk is already open on this workspace ({root}): its window was brought to the front\n"
    assert second.stderr == ""
    assert out == "activated\n", err
    assert first.returncode == 0, err
    assert read_holder(root) is None  # the second launch never took the poller lock


def test_a_crashed_desk_leaves_its_lock_and_socket_and_the_next_start_takes_both_over(tmp_path: Path, qapp: QApplication) -> None:
    root = tmp_path / "ws"
    crashed = subprocess.Popen([sys.executable, "-c", CRASHING_DESK, str(root)], stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert crashed.stdout is not None and crashed.stdout.readline() == "listening\n"
    finally:
        crashed.send_signal(signal.SIGKILL)
        crashed.communicate()
    assert (root / LOCK_FILENAME).read_text(encoding="utf-8").split("\n")[0] == str(crashed.pid)
    if sys.platform != "win32":
        assert Path(QDir.tempPath(), server_name(root)).exists()  # a socket nobody serves
    desk = claim(root, within_s=5)
    try:
        assert desk is not None and desk.listening
        assert (root / LOCK_FILENAME).read_text(encoding="utf-8").split("\n")[0] == str(os.getpid())
    finally:
        desk.close()  # type: ignore[union-attr]
    assert not (root / LOCK_FILENAME).exists()


def _lock_of_a_dead_process(root: Path) -> int:
    """Leave ``desk.lock`` as a power loss would: written in Qt's format, naming a process that is gone."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK_FILENAME
    genuine = QLockFile(str(path))
    assert genuine.tryLock(0)
    contents = path.read_text(encoding="utf-8").split("\n")
    genuine.unlock()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    pid = int(gone.stdout)
    path.write_text("\n".join([str(pid), *contents[1:]]), encoding="utf-8")
    return pid


def test_a_lock_naming_a_dead_process_is_taken_over(tmp_path: Path, qapp: QApplication) -> None:
    root = tmp_path / "ws"
    dead = _lock_of_a_dead_process(root)
    assert dead != os.getpid()
    desk = claim(root, within_s=5)
    assert desk is not None
    try:
        assert desk.listening
        assert (root / LOCK_FILENAME).read_text(encoding="utf-8").startswith(f"{os.getpid()}\n")
    finally:
        desk.close()


def test_an_empty_lock_file_left_by_a_power_loss_is_taken_over(tmp_path: Path, qapp: QApplication) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / LOCK_FILENAME).write_bytes(b"")  # created, never written: Qt cannot tell whose it is
    desk = claim(root, within_s=5)
    assert desk is not None
    desk.close()


def test_a_desk_that_holds_the_lock_but_does_not_answer_is_named(tmp_path: Path, qapp: QApplication) -> None:
    messages.set_language("en")
    root = tmp_path / "ws"
    root.mkdir()
    holder = QLockFile(str(root / LOCK_FILENAME))  # held, and nobody listens
    assert holder.tryLock(0)
    try:
        with pytest.raises(EnvironmentProblem) as refused:
            claim(root, within_s=0.3)
    finally:
        holder.unlock()
    assert refused.value.exit_code == 3
    assert str(refused.value).startswith(f"the desk is already open on this workspace ({root}, pid {os.getpid()}) but does not answer")


def test_the_window_is_refused_while_a_headless_poller_runs_and_lets_go_of_the_desk_lock(tmp_path: Path, qapp: QApplication) -> None:
    messages.set_language("en")
    root = tmp_path / "ws"
    out = io.StringIO()
    with PollerLock(root, command="run --headless"), pytest.raises(PollerBusy) as refused, one_desk(root, out=out):
        pytest.fail("the window must not start beside a poller")
    assert str(refused.value).startswith(f"{root} is already polled by run --headless (pid {os.getpid()}")
    assert out.getvalue() == ""
    desk = claim(root, within_s=0.3)  # the refused window did not keep the desk lock
    assert desk is not None
    desk.close()


def test_the_window_holds_the_poller_lock_while_it_runs(tmp_path: Path, qapp: QApplication) -> None:
    root = tmp_path / "ws"
    with one_desk(root, out=io.StringIO()) as desk:
        assert desk is not None and desk.listening
        holder = read_holder(root)
        assert holder is not None and holder.command == "window" and holder.pid == os.getpid()
        with pytest.raises(PollerBusy):
            PollerLock(root, command="poll").acquire()
    assert read_holder(root) is None
    with PollerLock(root, command="poll"):
        pass


def test_the_server_name_is_per_workspace_and_user(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") == server_name(tmp_path / "b" / ".." / "a")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a").startswith("jb-watchdesk-")
    assert len(str(Path(QDir.tempPath(), server_name(tmp_path)))) < 100


def test_a_windowed_build_without_stdout_still_hands_over(tmp_path: Path, qapp: QApplication) -> None:
    """A windowed Windows build has ``sys.stdout = None``: the hand-over must not fail on printing."""
    root = tmp_path / "ws"
    first = subprocess.Popen([sys.executable, "-c", FIRST_DESK, str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=_env())
    try:
        assert first.stdout is not None and first.stdout.readline() == "listening\n"
        with one_desk(root, out=None) as desk:
            assert desk is None
        out, err = first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert out == "activated\n", err


def _ask_over_unix_socket(name: str) -> bytes:
    with socket.socket(socket.AF_UNIX) as connection:
        connection.settimeout(5)
        connection.connect(str(Path(QDir.tempPath(), name)))
        connection.sendall(ACTIVATE)
        answer = b""
        while not answer.endswith(b"\n") and (chunk := connection.recv(16)):
            answer += chunk
        return answer


@pytest.mark.skipif(sys.platform == "win32", reason="asks over the Unix socket QLocalServer makes")
def test_the_running_window_comes_forward_from_the_tray_and_from_minimised(tmp_path: Path, qloop, until, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    from jb_watchdesk.app import App
    from jb_watchdesk.paths import Workspace
    from jb_watchdesk.storage.secrets import SecretStore
    from jb_watchdesk.ui import desktop
    from jb_watchdesk.ui.main_window import MainWindow

    root = tmp_path / "ws"
    app = App(workspace=Workspace(root), secret_store=SecretStore(memory_keyring))

    async def ask(name: str) -> bool:
        # Another process's launch, as plain bytes over the server's Unix socket: a QLocalSocket in this
        # process would block the window's thread (PySide6 keeps the GIL in waitForReadyRead).
        return await asyncio.to_thread(_ask_over_unix_socket, name) == ACKNOWLEDGED

    earlier = set(QApplication.topLevelWidgets())  # windows other tests left for deletion

    def window() -> MainWindow | None:
        return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w not in earlier), None)

    async def scenario(desk) -> tuple[bool, bool, bool, bool]:  # type: ignore[no-untyped-def]
        served = asyncio.ensure_future(desktop.serve(app, desk=desk))
        await until(lambda: (found := window()) is not None and found.isVisible())
        shown = window()
        assert shown is not None
        shown.hide()  # closed to the tray
        answered = await ask(desk.name)
        visible = shown.isVisible()
        shown.showMinimized()
        answered_again = await ask(desk.name)
        unminimised = not shown.isMinimized() and shown.isVisible()
        # minimised from maximised: it comes back maximised, as it was left
        shown.setWindowState(Qt.WindowState.WindowMaximized | Qt.WindowState.WindowMinimized)
        answered_third = await ask(desk.name)
        unminimised = unminimised and answered_third and shown.isMaximized() and not shown.isMinimized()
        shown.quitRequested.emit()
        assert await asyncio.wait_for(served, timeout=10) == 0
        return answered, visible, answered_again, unminimised

    try:
        with one_desk(root, out=io.StringIO()) as desk:
            assert desk is not None
            assert qloop.run_until_complete(scenario(desk)) == (True, True, True, True)
    finally:
        app.close()


def test_a_desk_shutting_down_answers_no_launch_but_keeps_its_lock(tmp_path: Path, qapp: QApplication) -> None:
    messages.set_language("en")
    root = tmp_path / "ws"
    root.mkdir()
    desk = claim(root)
    assert desk is not None
    try:
        desk.stop_answering()  # what the window does first when it quits
        with pytest.raises(EnvironmentProblem) as refused:  # not "came forward" from a desk that is going
            claim(root, within_s=0.3)
        assert "does not answer" in str(refused.value)
    finally:
        desk.close()
    again = claim(root)  # once it is gone, the next start is the desk
    assert again is not None
    again.close()
