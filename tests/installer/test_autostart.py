"""Start at login on Windows: the ``Run`` value, and the installer script writing the same one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jb_watchdesk.services.autostart import DESK_EXE, RUN_KEY, VALUE_NAME, run_entry

ISS = Path(__file__).resolve().parents[2] / "installer" / "jb-watchdesk.iss"


def test_entry_starts_the_windowed_desk_quoted() -> None:
    entry = run_entry(install_dir=r"C:\Users\值班员\AppData\Local\Programs\JB WatchDesk")
    assert entry.key == r"Software\Microsoft\Windows\CurrentVersion\Run"
    assert entry.name == "JB WatchDesk"
    assert entry.command == r'"C:\Users\值班员\AppData\Local\Programs\JB WatchDesk\jb-watchdesk-desk.exe"'
    assert entry.executable == r"C:\Users\值班员\AppData\Local\Programs\JB WatchDesk\jb-watchdesk-desk.exe"
    assert entry.arguments == ""


def test_arguments_follow_the_windows_quoting_rules() -> None:
    entry = run_entry(install_dir="C:\\JB\\", arguments=["--data-dir", r"D:\值班 数据\ws", "--lang", "en"])
    assert entry.command == r'"C:\JB\jb-watchdesk-desk.exe" --data-dir "D:\值班 数据\ws" --lang en'
    assert entry.arguments == r'--data-dir "D:\值班 数据\ws" --lang en'


@pytest.mark.parametrize("install_dir", ["", 'C:\\a"b'])
def test_not_a_windows_folder(install_dir: str) -> None:
    with pytest.raises(ValueError, match="not a Windows folder"):
        run_entry(install_dir=install_dir)


def _iss_registry_entries() -> list[dict[str, str]]:
    """The [Registry] lines of the Inno Setup script as {parameter: value}, Inno's "" unescaped."""
    text = ISS.read_text(encoding="utf-8-sig")
    section = re.search(r"^\[Registry\]\s*$(.*?)^\[", text, re.S | re.M)
    assert section, "no [Registry] section"
    entries = []
    for line in section.group(1).splitlines():
        if not line.strip() or line.lstrip().startswith(";"):
            continue
        fields = re.findall(r'(\w+):\s*("(?:[^"]|"")*"|[^;]+)', line)
        entries.append({k: (v[1:-1].replace('""', '"') if v.startswith('"') else v.strip()) for k, v in fields})
    return entries


def test_installer_writes_the_same_run_value() -> None:
    """The optional task's registry value is what the desk itself would write for the install folder."""
    entry = run_entry(install_dir="{app}")
    (registry,) = _iss_registry_entries()
    assert registry["Root"] == "HKCU"
    assert registry["Subkey"] == entry.key == RUN_KEY
    assert registry["ValueName"] == entry.name == VALUE_NAME
    assert registry["ValueData"] == entry.command == '"{app}\\' + DESK_EXE + '"'
    assert registry["Tasks"] == "autostart"
    assert "uninsdeletevalue" in registry["Flags"]


def test_installer_keeps_the_data_dir_and_ships_both_programs() -> None:
    text = re.sub(r"(?m)^\s*;.*$", "", ISS.read_text(encoding="utf-8-sig"))  # whole-line comments out
    assert "[UninstallDelete]" not in text  # uninstall removes only what [Files] installed under {app}
    assert "localappdata" not in text.lower()  # the installer never touches the data dir
    assert 'Source: "dist\\jb-watchdesk\\*"; DestDir: "{app}"' in text
    assert re.search(r'Name: "autostart";.*Flags: unchecked', text)  # start at login is opt-in
    assert "{group}" in text and DESK_EXE.removesuffix(".exe") in text
