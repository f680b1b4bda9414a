"""Linux without the Qt xcb libraries: one line naming the Debian packages, exit 3, before Qt aborts."""

from __future__ import annotations

import io

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.ui import desktop


def _without(missing: set[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desktop, "library_loadable", lambda soname: soname not in missing)
    monkeypatch.setattr(desktop.sys, "platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":0")


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "the window cannot start: Qt's X11 (xcb) platform lacks libxcb-cursor.so.0"), ("zh", "窗口无法启动")],
)
def test_missing_xcb_library_is_one_line_and_exit_3(
    language: str, words: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    _without({"libxcb-cursor.so.0"}, monkeypatch)
    started = []
    monkeypatch.setattr(desktop, "application", lambda *args, **kwargs: started.append(args))
    out, err = io.StringIO(), io.StringIO()
    code = main(["--lang", language, "--data-dir", str(tmp_path / "ws")], out=out, err=err)
    assert code == 3
    assert started == []  # refused before any QApplication
    lines = err.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert words in lines[0]
    assert "sudo apt-get install " + " ".join(desktop.XCB_PACKAGES) in lines[0]


def test_packages_beyond_the_usual_list_are_named_too(monkeypatch: pytest.MonkeyPatch) -> None:
    _without({"libxcb-cursor.so.0", "libX11-xcb.so.1"}, monkeypatch)
    with pytest.raises(desktop.EnvironmentProblem) as raised:
        desktop.check_platform_libraries()
    assert raised.value.exit_code == 3
    assert raised.value.params["missing"] == "libX11-xcb.so.1, libxcb-cursor.so.0"
    assert str(raised.value.params["packages"]).endswith("libxcb-xinerama0 libx11-xcb1")


def test_all_libraries_present_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(set(), monkeypatch)
    desktop.check_platform_libraries()


@pytest.mark.parametrize(
    ("platform", "qpa", "wayland", "expected"),
    [
        ("linux", "", "", True),
        ("linux", "xcb", "wayland-0", True),
        ("linux", "xcb:nograb", "", True),
        ("linux", "", "wayland-0", False),  # Qt 6 starts on Wayland first
        ("linux", "offscreen", "", False),
        ("linux", "wayland;xcb", "", False),
        ("win32", "", "", False),
    ],
)
def test_which_platform_qt_starts_on(platform: str, qpa: str, wayland: str, expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(desktop.sys, "platform", platform)
    monkeypatch.setenv("QT_QPA_PLATFORM", qpa)
    monkeypatch.setenv("WAYLAND_DISPLAY", wayland)
    assert desktop.uses_xcb() is expected


def test_probe_loads_a_library_that_exists_and_refuses_one_that_does_not() -> None:
    assert desktop.library_loadable("libc.so.6")
    assert not desktop.library_loadable("libjb-watchdesk-no-such-library.so.0")
