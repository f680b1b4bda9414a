"""What the window says about its own start: skipped holiday override lines, and refusals to start
shown in a message box for a desk started without a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from jb_watchdesk.app import App
from jb_watchdesk.cli import main
from jb_watchdesk.domain import messages
from jb_watchdesk.paths import Workspace
from jb_watchdesk.services.instance_lock import PollerLock
from jb_watchdesk.storage.secrets import SecretStore
from jb_watchdesk.ui import startup
from jb_watchdesk.ui.bridge import Bridge
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui.main_window import MainWindow

HOSTILE = "<img src=file:///etc/passwd>"


def _window(root: Path, qtbot, memory_keyring) -> MainWindow:  # type: ignore[no-untyped-def]
    app = App(workspace=Workspace(root), secret_store=SecretStore(memory_keyring))
    window = MainWindow(DeskController(app, Bridge()), tray=None)
    qtbot.addWidget(window)
    return window


def test_a_bad_override_line_is_said_in_the_window_from_the_start(tmp_path: Path, qtbot, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "ws"
    root.mkdir()
    (root / "workday-overrides.txt").write_text(
        f"2027-01-01 off\n\n2027-02-30 work\nknown 2027\n{HOSTILE}\n", encoding="utf-8"
    )
    window = _window(root, qtbot, memory_keyring)
    warning = window.override_warning
    assert not warning.isHidden()
    assert warning.text.textFormat() == Qt.TextFormat.PlainText
    assert warning.text.text() == (
        "调休文件 workday-overrides.txt 第 3 行等 2 行无法识别：2027-02-30 work；其余各行已使用，涉及年份的期限标为估算"
    )
    tip = warning.toolTip()
    assert "<img" not in tip and "&lt;img" in tip  # the hostile line is quoted literally, never loaded
    assert f"{root / 'workday-overrides.txt'}:3:" in tip and f"{root / 'workday-overrides.txt'}:5:" in tip


def test_one_bad_line_in_english_and_no_line_without_problems(tmp_path: Path, qtbot, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    messages.set_language("en")
    root = tmp_path / "ws"
    root.mkdir()
    (root / "workday-overrides.txt").write_text("2027-01-01 holiday\n", encoding="utf-8")
    warning = _window(root, qtbot, memory_keyring).override_warning
    assert warning.text.text() == (
        "line 1 of the holiday override file workday-overrides.txt is not understood: 2027-01-01 holiday; "
        "the other lines are used, and deadlines in the years concerned are marked estimated"
    )
    (root / "workday-overrides.txt").write_text("2027-01-01 off\nknown 2027\n", encoding="utf-8")
    assert _window(root, qtbot, memory_keyring).override_warning.isHidden()


def test_an_unreadable_override_file_is_said_too(tmp_path: Path, qtbot, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "ws"
    root.mkdir()
    (root / "workday-overrides.txt").write_bytes(b"2027-01-01 off\n\xff\xfe\x81\n")
    text = _window(root, qtbot, memory_keyring).override_warning.text.text()
    assert text.startswith("调休文件 workday-overrides.txt 无法读取（") and "按官方节假日安排计算" in text


# -- refusals -------------------------------------------------------------------------------------


def test_the_refusal_box_is_critical_plain_text_and_closes(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup, "can_show_refusal", lambda: True)
    seen: list[tuple[str, Qt.TextFormat, QMessageBox.Icon, str]] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):  # not shown yet: look again
            QTimer.singleShot(20, read_and_close)
            return
        seen.append((box.text(), box.textFormat(), box.icon(), box.windowTitle()))
        box.button(QMessageBox.StandardButton.Ok).click()

    QTimer.singleShot(0, read_and_close)
    line = f"设置文件 settings.json 的 post_interval_s 无效 {HOSTILE}"
    assert startup.show_refusal(line) is True
    assert seen == [(line, Qt.TextFormat.PlainText, QMessageBox.Icon.Critical, "江北政务新媒体值班台未能启动")]


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, False),  # tests, the build check
        ({"QT_QPA_PLATFORM": "minimal", "DISPLAY": ":0"}, False),
        ({"QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}, False),  # no display at all
        ({"QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": "wayland-0"}, True),
        ({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"}, True),
    ],
)
def test_a_box_is_shown_only_where_a_person_can_see_it(
    environment: dict[str, str], expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jb_watchdesk.ui import desktop

    monkeypatch.setattr(startup.sys, "platform", "linux")
    monkeypatch.setattr(desktop, "library_loadable", lambda soname: True)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert startup.can_show_refusal() is expected


def test_no_box_on_x11_without_qts_xcb_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    from jb_watchdesk.ui import desktop

    monkeypatch.setattr(startup.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(desktop, "library_loadable", lambda soname: soname != "libxcb-cursor.so.0")
    assert startup.can_show_refusal() is False  # Qt would abort the process: the line on stderr is all


def _launch(root: Path, monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[int, str, list[str]]:
    shown: list[str] = []
    monkeypatch.setattr(startup, "show_refusal", lambda text: shown.append(text) or True)
    err = io.StringIO()
    code = main(["--data-dir", str(root), *argv], out=io.StringIO(), err=err)
    return code, err.getvalue(), shown


def test_a_bad_settings_key_refuses_the_window_in_a_box_and_on_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "settings.json").write_text(json.dumps({"post_interval_s": "abc"}), encoding="utf-8")
    code, err, shown = _launch(root, monkeypatch, "--lang", "en")
    assert code == 2
    assert len(shown) == 1 and "key post_interval_s" in shown[0]
    assert err == f"jb-watchdesk: {shown[0]}\n"  # the same line, still printed


def test_the_window_refused_beside_a_headless_poller_says_so_in_a_box(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    with PollerLock(root, command="run --headless"):
        code, err, shown = _launch(root, monkeypatch)
    assert code == 3
    assert len(shown) == 1 and "run --headless" in shown[0]
    assert err == f"jb-watchdesk: {shown[0]}\n"


def test_a_command_refused_is_never_a_box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, err, shown = _launch(tmp_path / "nowhere", monkeypatch, "poll", "--once")  # no workspace there
    assert code == 2 and "accounts import" in err and shown == []
