"""The layers hold: only ui/ imports Qt; domain/ does no I/O; lower layers never import upper ones; the front
ends (ui/ and the command line) reach storage and connectors only through services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "jb_watchdesk"
QT_MODULES = {"PySide6", "qasync", "shiboken6", "PyQt5", "PyQt6"}
IO_MODULES = {
    "os", "io", "pathlib", "shutil", "tempfile", "glob", "socket", "ssl", "select", "selectors",
    "subprocess", "sqlite3", "sqlite_utils", "httpx", "requests", "urllib.request", "http",
    "asyncio", "threading", "concurrent", "multiprocessing", "keyring", "plyer", "openpyxl",
    "feedparser", "platformdirs", "logging", "time", "random", "zipfile", "pickle", "shelve",
}
# layer → packages it must not import (upper layers)
FORBIDDEN_UPWARD = {
    "domain": {"jb_watchdesk.storage", "jb_watchdesk.connectors", "jb_watchdesk.services", "jb_watchdesk.ui",
               "jb_watchdesk.app", "jb_watchdesk.cli", "jb_watchdesk.paths", "jb_watchdesk.simulator"},
    "storage": {"jb_watchdesk.connectors", "jb_watchdesk.services", "jb_watchdesk.ui", "jb_watchdesk.app", "jb_watchdesk.cli"},
    "connectors": {"jb_watchdesk.storage", "jb_watchdesk.services", "jb_watchdesk.ui", "jb_watchdesk.app", "jb_watchdesk.cli"},
    "services": {"jb_watchdesk.ui", "jb_watchdesk.app", "jb_watchdesk.cli"},
}
# front end → packages it must not import: it calls services (operations), which own the store and connectors
FORBIDDEN_BELOW = {
    "ui": {"jb_watchdesk.storage", "jb_watchdesk.connectors"},
    "cli": {"jb_watchdesk.storage", "jb_watchdesk.connectors"},
}


def _imports(path: Path, package: tuple[str, ...] = ()) -> list[tuple[int, str]]:
    """Every module ``path`` imports, at any depth; ``package`` (the dotted parts of the package the
    file is in) resolves relative imports, which are skipped without it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.level == 0 or package):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            if not module:
                continue
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"open", "__import__"}:
            found.append((node.lineno, f"builtins.{node.func.id}"))
    return found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _matches(name: str, forbidden: set[str]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


def _layer(relative: Path) -> str:
    """The package a module belongs to; the command line is ``cli`` whether one module, several
    ``cli_*.py`` modules or a ``cli/`` package."""
    if len(relative.parts) > 1:
        return relative.parts[0]
    return "cli" if relative.stem == "cli" or relative.stem.startswith("cli_") else ""


def _package(relative: Path) -> tuple[str, ...]:
    return (PACKAGE.name, *relative.parts[:-1])


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layering(path: Path) -> None:
    relative = path.relative_to(PACKAGE)
    layer = _layer(relative)
    problems: list[str] = []
    for line, name in _imports(path, _package(relative)):
        if layer != "ui" and _matches(name, QT_MODULES):
            problems.append(f"{relative}:{line}: imports {name}; only jb_watchdesk/ui/ may import Qt")
        if layer == "domain" and (_matches(name, IO_MODULES) or name.startswith("builtins.")):
            problems.append(f"{relative}:{line}: domain/ must stay pure but uses {name}")
        if _matches(name, FORBIDDEN_UPWARD.get(layer, set())):
            problems.append(f"{relative}:{line}: {layer}/ must not import {name} (upper layer)")
        if _matches(name, FORBIDDEN_BELOW.get(layer, set())):
            problems.append(f"{relative}:{line}: {layer} must not import {name}; it goes through services")
    assert not problems, "\n".join(problems)


def test_the_check_sees_violations(tmp_path: Path) -> None:
    """Guard against a check that cannot fail: a Qt import and an open() are both found."""
    sample = tmp_path / "sample.py"
    sample.write_text("from PySide6.QtCore import QObject\nimport sqlite3\nopen('x')\n", encoding="utf-8")
    names = {name for _, name in _imports(sample)}
    assert _matches("PySide6.QtCore", QT_MODULES) and "PySide6.QtCore" in names
    assert "sqlite3" in names and "builtins.open" in names


def test_the_check_sees_a_front_end_reaching_past_services(tmp_path: Path) -> None:
    """A window or command-line module importing storage or a connector is found, whether the import is
    absolute, relative or inside a function, and whether the command line is a module or a package."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from jb_watchdesk.storage import audit\n"
        "from ...connectors.http import HttpClient\n"
        "def run():\n    import jb_watchdesk.storage.secrets\n",
        encoding="utf-8",
    )
    names = {name for _, name in _imports(sample, _package(Path("ui/views/sample.py")))}
    assert {"jb_watchdesk.storage.audit", "jb_watchdesk.connectors.http", "jb_watchdesk.storage.secrets"} <= names
    assert all(_matches(name, FORBIDDEN_BELOW["ui"]) for name in names)
    assert not _matches("jb_watchdesk.storage_tools", FORBIDDEN_BELOW["ui"])
    for module in ("cli.py", "cli_duty.py", "cli/parser.py", "cli/__init__.py"):
        assert _layer(Path(module)) == "cli", module
    assert _layer(Path("app.py")) == "" and _layer(Path("ui/views/duty.py")) == "ui"
