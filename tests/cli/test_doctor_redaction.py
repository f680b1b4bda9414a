"""doctor prints no secret the process knows, in its lines or its JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from jb_watchdesk.cli import main
from jb_watchdesk.services import doctor, redaction
from tests.cli.handlers import shipped_workspace

SECRET = "Pa55wordSecret"


@pytest.mark.parametrize("as_json", [False, True])
def test_doctor_masks_a_secret_a_check_quotes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool) -> None:
    root = shipped_workspace(tmp_path / "ws")

    def checks(**_kwargs: object) -> list[doctor.Check]:
        redaction.register(SECRET)
        quoted = f"ftp://officeuser:{SECRET}@proxy.example.org refused"
        return [doctor.Check("proxy", doctor.Level.FAIL, quoted, f"fix {SECRET}")]

    monkeypatch.setattr(doctor, "run_checks", checks)
    monkeypatch.setattr(doctor, "maintenance_checks", lambda _workspace: [])
    out = io.StringIO()
    main(["--data-dir", str(root), "doctor", *(["--json"] if as_json else [])], out=out, err=io.StringIO())
    printed = out.getvalue()
    assert SECRET not in printed and "officeuser:[redacted]@proxy.example.org" in printed
    if as_json:
        assert json.loads(printed)[0]["advice"] == "fix [redacted]"
