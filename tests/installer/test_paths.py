"""Resources in the source tree and in a frozen bundle; the data dir where Windows keeps local data."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs.windows
import pytest

from jb_watchdesk import paths
from jb_watchdesk.paths import Workspace, default_data_dir, resources_dir

ROOT = Path(__file__).resolve().parents[2]


def test_resources_in_the_source_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert resources_dir() == ROOT / "resources"
    assert (resources_dir() / "lexicon" / "paid_service.csv").is_file()


def test_resources_in_a_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A PyInstaller bundle unpacks its data under ``sys._MEIPASS`` (``_internal`` of a one-folder build)."""
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert resources_dir() == tmp_path / "_internal" / "resources"


def test_windows_data_dir_is_local_not_roaming(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """On Windows the workspace (database, backups, logs) is under %LOCALAPPDATA%, never the roaming
    profile that a domain may copy to a network share at logoff."""
    local, roaming = tmp_path / "Local", tmp_path / "Roaming"
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.setenv("APPDATA", str(roaming))
    monkeypatch.delenv("JB_WATCHDESK_HOME", raising=False)
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", platformdirs.windows.get_win_folder_from_env_vars)

    def windows_user_data_dir(appname: str, appauthor: bool, roaming: bool) -> str:
        return platformdirs.windows.Windows(appname=appname, appauthor=appauthor, roaming=roaming).user_data_dir

    monkeypatch.setattr(paths, "user_data_dir", windows_user_data_dir)
    workspace = Workspace.resolve(None)
    assert default_data_dir() == workspace.root
    assert workspace.root == Path(str(local)) / "jb-watchdesk"
    assert workspace.logs == workspace.root / "logs"


def test_data_dir_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JB_WATCHDESK_HOME", str(tmp_path / "ws"))
    assert Workspace.resolve(None).root == tmp_path / "ws"
    assert Workspace.resolve(str(tmp_path / "other")).root == tmp_path / "other"
