"""The reliability cases in a shortened form (the full ones: ``benchmarks/reliability_report.py``).

Each case drives the real desk against the real loopback simulator and counts what it survived;
here every case must survive every try with nothing lost and nothing leaked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability import harness as h


def assert_survived(outcome: h.Outcome) -> None:
    assert outcome.tried > 0, outcome
    assert outcome.notes == [], outcome.notes
    assert (outcome.survived, outcome.lost, outcome.leaked) == (outcome.tried, 0, 0), outcome


def test_fault_matrix(tmp_path: Path) -> None:
    assert_survived(h.fault_matrix(tmp_path, accounts=12, share=0.25))


def test_crash_loop(tmp_path: Path) -> None:
    assert_survived(h.crash_loop(tmp_path, kills=4, accounts=24, max_wait_s=6.0))


@pytest.mark.skipif(not h.can_mount(), reason="the read-only copy and the full disk need tmpfs mounts (root on Linux)")
def test_database_pressure(tmp_path: Path) -> None:
    assert_survived(h.database_pressure(tmp_path, lock_s=3.0, import_rows=5_000, accounts=12))


def test_soak(tmp_path: Path) -> None:
    outcome = h.soak(tmp_path, accounts=12, hours=3)
    assert_survived(outcome)


def test_hostile_content(tmp_path: Path) -> None:
    assert_survived(h.hostile_content(tmp_path, accounts=8))


def test_secret_canaries(tmp_path: Path) -> None:
    assert_survived(h.secret_canaries(tmp_path, accounts=8))


def test_keyring_trouble(tmp_path: Path) -> None:
    assert_survived(h.keyring_trouble(tmp_path))


def test_bad_input_at_every_door(tmp_path: Path) -> None:
    assert_survived(h.bad_input(tmp_path, accounts=4, child=False))
