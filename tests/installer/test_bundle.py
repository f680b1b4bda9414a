"""The frozen bundle runs on its own: the command line, the bundled lexicon and register, a PDF with its
fonts, and the window (offscreen) up to its first paint.

Each command runs the built executable in a fresh home and data dir, from a folder outside the source
tree, with the fail keyring (never a real one). The build itself is in ``conftest.py`` (once per run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from jb_watchdesk import __version__
from tests.installer.frozen import Bundle

RUN_TIMEOUT_S = 180


def run(
    bundle: Bundle, tmp_path: Path, *args: str, stdin: str = "", extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV", "XDG_"))
    }
    env.update(
        HOME=str(home),
        JB_WATCHDESK_HOME=str(tmp_path / "workspace"),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        QT_QPA_PLATFORM="offscreen",
        JB_WATCHDESK_LANG="en",
        **(extra_env or {}),
    )
    return subprocess.run(
        [str(bundle.executable), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=tmp_path,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


def test_version(bundle: Bundle, tmp_path: Path) -> None:
    result = run(bundle, tmp_path, "--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"jb-watchdesk {__version__}"), result.stderr


def test_doctor_on_a_fresh_machine(bundle: Bundle, tmp_path: Path) -> None:
    """Every check runs in the frozen program; the lexicon is the bundle's own. The fail keyring is a
    failed check (exit 1), reported, not a crash."""
    result = run(bundle, tmp_path, "doctor")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "internal error" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("[ok] lexicon") for line in lines), result.stdout
    assert any(line.startswith("[fail]") for line in lines), result.stdout
    assert "keyring.backends.fail.Keyring" in result.stdout  # named, so the officer knows what to fix
    assert not (tmp_path / "workspace").exists()  # doctor creates nothing


def test_scan_with_the_bundled_lexicon(bundle: Bundle, tmp_path: Path) -> None:
    sample = tmp_path / "post.txt"
    sample.write_text("本店长期代写论文，价格优惠。\n", encoding="utf-8")
    result = run(bundle, tmp_path, "scan", str(sample), "--json")
    hits = json.loads(result.stdout)
    assert [(hit["text"], hit["category"]) for hit in hits] == [("代写论文", "paid_service")], result.stderr
    assert hits[0]["reason"].startswith("lexicon paid_service.csv:")


def test_weekly_report_pdf_has_chinese_text(bundle: Bundle, tmp_path: Path) -> None:
    """The bundled sample register imports; the PDF's text layer gives the Chinese back (a font was found)."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed to read the PDF back"
    register = bundle.internal / "resources" / "accounts" / "jiangbei-2021.csv"
    imported = run(bundle, tmp_path, "accounts", "import", str(register))
    assert imported.returncode == 0, imported.stderr
    pdf = tmp_path / "weekly.pdf"
    week = ("--week", "2026-W48", "--format", "pdf", "-o", str(pdf))
    report = run(bundle, tmp_path, "--now", "2026-11-25T10:00:00+08:00", "report", "weekly", *week)
    assert report.returncode == 0, report.stderr
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, check=True).stdout.decode("utf-8")
    assert "江北政务" in text, text[:2000]


def test_window_starts_and_paints(bundle: Bundle, tmp_path: Path) -> None:
    """``--demo`` offscreen: the window paints (its PNG saved by the first-paint hook) and quits cleanly."""
    shot = tmp_path / "window.png"
    result = run(bundle, tmp_path, "--demo", extra_env={"JB_WATCHDESK_QUIT_AFTER_PAINT": str(shot)})
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "could not load the Qt platform plugin" not in result.stderr


@pytest.mark.parametrize("name", ["resources/lexicon/paid_service.csv", "resources/accounts/jiangbei-2021.csv"])
def test_bundle_carries_resources(bundle: Bundle, name: str) -> None:
    assert (bundle.internal / name).is_file()
