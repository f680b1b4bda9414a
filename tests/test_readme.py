"""The README documents every command, and every command's help shows an example."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from jb_watchdesk.cli import build_parser, command_names, main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_commands_are_discovered() -> None:
    names = command_names(build_parser())
    assert {"accounts import", "accounts set-secret", "status", "doctor", "db backup"} <= set(names)


@pytest.mark.parametrize("command", command_names(build_parser()))
def test_readme_documents_command(command: str) -> None:
    assert f"jb-watchdesk {command}" in README or f"`{command}" in README, f"README does not document `{command}`"


@pytest.mark.parametrize("command", command_names(build_parser()))
def test_help_has_an_example(command: str) -> None:
    out = io.StringIO()
    assert main([*command.split(), "--help"], out=out) == 0
    assert "示例：" in out.getvalue() and "jb-watchdesk" in out.getvalue()  # Chinese by default
    out = io.StringIO()
    assert main(["--lang", "en", *command.split(), "--help"], out=out) == 0
    assert "example:" in out.getvalue() and "jb-watchdesk" in out.getvalue()


def test_readme_quick_start_is_two_commands() -> None:
    assert "make demo" in README and "make test" in README
