"""The command line's shape: small modules, operations only, one language layer, lazy imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parents[2] / "jb_watchdesk" / "cli"
MODULES = sorted(CLI.glob("*.py"))
HEAVY = ("sqlite_utils", "sqlite3", "httpx", "PySide6", "jb_watchdesk.storage", "jb_watchdesk.connectors", "jb_watchdesk.app")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_is_small_and_calls_operations_only(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 450
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert not {name for name in imported if name.startswith(("jb_watchdesk.storage", "jb_watchdesk.connectors"))}
    assert "_ZH" not in source and "zh()" not in source and "strftime" not in source


@pytest.mark.parametrize("argv", [["--version"], ["--lang", "en", "scan", "-"], ["scan", "--help"]])
def test_short_commands_load_no_database_network_or_window(argv: list[str], tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from jb_watchdesk.cli import main\n"
        f"code = main({argv!r})\n"
        f"heavy = sorted(m for m in sys.modules if m.startswith({HEAVY!r}))\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input="今天天气晴朗", capture_output=True, text=True, encoding="utf-8",
        cwd=tmp_path, timeout=60, check=False,
    )
    assert done.stdout.strip().splitlines()[-1].endswith(" []"), done.stdout + done.stderr
