"""Automatic inspections kept per poll cycle (migration 0009): the same counts, rows and exports as
the per-account rows they replace, proven by ``log verify``, and a bounded growth per cycle."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import AccountSpec, Freshness, Health, Platform
from jb_watchdesk.domain.record import NewInspection
from jb_watchdesk.services import inspections, shifts
from jb_watchdesk.services.reports import inspection_log
from jb_watchdesk.storage import audit
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store
from tests.unit.storage.test_audit import tamper

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
ACCOUNTS = 12
CYCLES = 6


def _summaries(seed: int = 3) -> list[list[inspections.AutoCheck]]:
    """Cycles over ``ACCOUNTS`` accounts with every freshness and health, reasons and new alerts;
    not every account is polled every cycle, and not in id order."""
    rng = random.Random(seed)
    cycles = []
    for _ in range(CYCLES):
        polled = rng.sample(range(1, ACCOUNTS + 1), k=rng.randint(ACCOUNTS - 4, ACCOUNTS))
        cycles.append(
            [
                inspections.AutoCheck(
                    account_id=a,
                    freshness=rng.choice(list(Freshness)),
                    health=rng.choice(list(Health)),
                    health_reason=rng.choice(["", "HTTP 500", "令牌过期", "a,b-c"]),
                    new_alerts=rng.choice([0, 0, 1, 3]),
                )
                for a in polled
            ]
        )
    return cycles


def _at(cycle: int) -> datetime:
    return NOW + timedelta(minutes=10 * cycle + 1)


def _workspace(store: Store) -> int:
    specs = [AccountSpec(name=f"账号{i}", platform=Platform.RSS, unit=f"单位{i % 3}", source=f"https://f/{i}") for i in range(ACCOUNTS)]
    store.call(apply_register, specs, now=NOW - timedelta(days=1))
    return shifts.start_shift(store, officer="张三", now=NOW).id


def _record_per_row(store: Store, summary: list[inspections.AutoCheck], *, shift_id: int, now: datetime) -> None:
    """The form written before migration 0009: an inspections row and a ledger row per account."""
    items = [NewInspection(item.account_id, "auto", *inspections.auto_checks(item)) for item in summary]
    store.call(inspection_store.add_inspections, items, shift_id=shift_id, now=now)


@pytest.fixture
def both() -> Iterator[tuple[Store, Store, int]]:
    """The same cycles recorded in the old form and in the cycle form, a manual inspection after each."""
    with Store(None) as old, Store(None) as new:
        shift_id = _workspace(old)
        assert _workspace(new) == shift_id
        for n, summary in enumerate(_summaries()):
            _record_per_row(old, summary, shift_id=shift_id, now=_at(n))
            assert inspections.record_auto_inspections(new, now=_at(n), changes_summary=summary) == len(summary)
            for store in (old, new):
                inspections.record_inspection(store, account_id=1, checks={}, now=_at(n) + timedelta(minutes=1))
        yield old, new, shift_id


def test_counts_rows_and_exports_equal_the_per_row_form(both: tuple[Store, Store, int]) -> None:
    old, new, shift_id = both
    windows = [(NOW, _at(CYCLES)), (_at(1), _at(3)), (_at(2) + timedelta(seconds=30), _at(4))]
    for start, end in windows:
        counts = [s.call(inspection_store.count_inspections, start=start, end=end) for s in (old, new)]
        assert counts[0] == counts[1] and counts[0]["auto"] > 0
    by_shift = [s.call(inspection_store.count_inspections, start=NOW, end=NOW, shift_id=shift_id) for s in (old, new)]
    assert by_shift[0] == by_shift[1] == {"auto": sum(len(c) for c in _summaries()), "manual": CYCLES}

    def listed(store: Store) -> list[inspection_log.RenderedInspection]:
        return store.call(lambda db: inspection_log.render(inspection_store.iter_inspections(db, start=NOW, end=_at(CYCLES))))

    rendered_old, rendered_new = listed(old), listed(new)
    assert len(rendered_old) == len(rendered_new)
    # Within a cycle the old rows follow the poll's order and the new ones the account order.
    def key(r: inspection_log.RenderedInspection) -> tuple[str, str, str]:
        return (r.recorded_at, r.kind, r.account_id)

    for a, b in zip(sorted(rendered_old, key=key), sorted(rendered_new, key=key), strict=True):
        assert (a.kind, a.account_id, a.account_name, a.recorded_at, a.checks, a.finding) == (
            b.kind, b.account_id, b.account_name, b.recorded_at, b.checks, b.finding
        )
        assert a.cells[2:] == b.cells[2:]  # all but the id and the time's position in the cycle
    ids = [int(r.cells[0]) for r in rendered_new]
    assert len(set(ids)) == len(ids), "every inspection keeps an id of its own"
    assert new.call(audit.verify).ok and old.call(audit.verify).ok


def test_an_automatic_inspection_is_found_by_its_id_and_cannot_be_corrected(both: tuple[Store, Store, int]) -> None:
    _old, new, shift_id = both
    rows = new.call(lambda db: list(inspection_store.iter_inspections(db, start=NOW, end=NOW, shift_id=shift_id)))
    auto = [r for r in rows if r.kind == "auto"]
    for row in (auto[0], auto[len(auto) // 2], auto[-1]):
        found = new.call(inspection_store.get_inspection, row.id)
        assert (found.kind, found.account_id, found.shift_id, found.checks) == ("auto", row.account_id, shift_id, json.loads(row.checks))
    with pytest.raises(InputError) as refused:
        inspections.record_inspection(new, account_id=auto[0].account_id or 0, checks={}, corrects_id=auto[0].id, now=_at(CYCLES))
    assert refused.value.key == "inspect.corrects_auto"


def test_one_ledger_row_per_cycle(both: tuple[Store, Store, int]) -> None:
    old, new, _shift = both
    kinds = [s.call(lambda db: dict(db.execute("SELECT kind, COUNT(*) FROM ledger GROUP BY kind").fetchall())) for s in (old, new)]
    assert kinds[0]["inspection"] == CYCLES * 2 + sum(len(c) for c in _summaries()) - CYCLES
    assert kinds[1][audit.AUTO_INSPECTIONS] == CYCLES and kinds[1]["inspection"] == CYCLES


def test_old_rows_and_cycles_side_by_side_verify_and_count_once() -> None:
    """A workspace upgraded mid-shift: per-row inspections before, cycles after."""
    with Store(None) as store:
        shift_id = _workspace(store)
        summaries = _summaries(seed=9)
        for n, summary in enumerate(summaries):
            if n < CYCLES // 2:
                _record_per_row(store, summary, shift_id=shift_id, now=_at(n))
            else:
                inspections.record_auto_inspections(store, now=_at(n), changes_summary=summary)
        counts = store.call(inspection_store.count_inspections, start=NOW, end=NOW, shift_id=shift_id)
        assert counts == {"auto": sum(len(c) for c in summaries)}
        rows = store.call(lambda db: list(inspection_store.iter_inspections(db, start=NOW, end=_at(CYCLES))))
        assert len(rows) == counts["auto"] and len({r.id for r in rows}) == len(rows)
        assert [r.recorded_at for r in rows] == sorted(r.recorded_at for r in rows)
        assert store.call(audit.verify).ok


@given(st.sets(st.integers(min_value=1, max_value=5_000), max_size=60))
def test_id_ranges_round_trip(ids: set[int]) -> None:
    text = inspection_store.encode_ids(ids)
    assert inspection_store.decode_ids(text) == sorted(ids)
    assert len(text) <= len(",".join(map(str, sorted(ids))))


def test_the_last_result_given_for_an_account_counts() -> None:
    given_twice = [
        inspection_store.AutoResult(2, "ok", "ok"),
        inspection_store.AutoResult(1, "warn", "ok"),
        inspection_store.AutoResult(2, "veto", "failing", "HTTP 500"),
    ]
    decoded = inspection_store.decode_results(inspection_store.encode_results(given_twice))
    assert decoded == [inspection_store.AutoResult(1, "warn", "ok"), inspection_store.AutoResult(2, "veto", "failing", "HTTP 500")]


# -- tampering ------------------------------------------------------------------------------


@pytest.fixture
def recorded(tmp_path: Path) -> Path:
    path = tmp_path / "w.sqlite3"
    with Store(path) as store:
        _workspace(store)
        for n, summary in enumerate(_summaries()):
            inspections.record_auto_inspections(store, now=_at(n), changes_summary=summary)
        assert store.call(audit.verify).ok
    return path


def _tamper(path: Path, *statements: str) -> audit.VerifyResult:
    """``tamper`` (drop the guards, change rows), then what ``log verify`` finds."""
    tamper(path, *statements)
    with Store(path) as store:
        return store.call(audit.verify)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE inspection_cycles SET accounts = accounts - 1 WHERE id = 3",
        "UPDATE inspection_cycles SET shift_id = NULL WHERE id = 3",
        "UPDATE inspection_cycles SET first_id = first_id + 1 WHERE id = 3",
        "UPDATE inspection_cycles SET recorded_at = replace(recorded_at, '00:2', '00:3') WHERE id = 3",
        "DELETE FROM inspection_cycles WHERE id = 3",
    ],
)
def test_a_cycle_row_changed_or_removed_is_named(recorded: Path, statement: str) -> None:
    result = _tamper(recorded, statement)
    assert not result.ok and result.tampered and result.where == "inspection_cycles#3"
    assert result.first_broken == 4  # shift start, then cycles 1, 2, 3


def test_a_cycle_row_made_up_is_named(recorded: Path) -> None:
    result = _tamper(
        recorded,
        "INSERT INTO inspection_cycles (id, recorded_at, shift_id, first_id, accounts)"
        " VALUES (99, '2026-11-25T03:00:00.000000+00:00', 1, 9000, 5)",
    )
    assert not result.ok and result.where == "inspection_cycles#99" and result.first_broken is None


def test_a_result_edited_in_the_ledger_is_named(recorded: Path) -> None:
    """What an inspection found is only in the ledger row: an edit there breaks the chain."""
    result = _tamper(recorded, """UPDATE ledger SET payload = replace(payload, '"new_alerts":', '"new_alerts":1') WHERE seq = 4""")
    assert not result.ok and result.first_broken == 4 and result.code == "edited"


# -- growth ---------------------------------------------------------------------------------


def test_growth_per_cycle_is_bounded(tmp_path: Path) -> None:
    """500 accounts, some in trouble: the per-row form took ~1.2 KB per account, ~600 KB a cycle;
    the cycle form must stay far below (measured ~3 KB; the bound is generous)."""
    accounts, cycles = 500, 12
    path = tmp_path / "g.sqlite3"
    rng = random.Random(5)
    states = {a: (rng.choice(list(Freshness)), rng.choice([Health.OK] * 8 + [Health.FAILING])) for a in range(1, accounts + 1)}

    def pages() -> int:
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return int(conn.execute("PRAGMA page_count").fetchone()[0]) * int(conn.execute("PRAGMA page_size").fetchone()[0])
        finally:
            conn.close()

    with Store(path) as store:
        specs = [AccountSpec(name=f"账号{i:04d}", platform=Platform.RSS, source=f"https://f/{i}") for i in range(accounts)]
        store.call(apply_register, specs, now=NOW)
        shifts.start_shift(store, officer="张三", now=NOW)
        inspections.record_auto_inspections(store, now=_at(0), changes_summary=[inspections.AutoCheck(1, Freshness.OK, Health.OK)])
        before = pages()
        for n in range(1, cycles + 1):
            for a in rng.sample(sorted(states), k=5):
                states[a] = (rng.choice(list(Freshness)), rng.choice([Health.OK, Health.DEGRADED]))
            summary = [inspections.AutoCheck(a, f, h, "" if h is Health.OK else "HTTP 500") for a, (f, h) in states.items()]
            inspections.record_auto_inspections(store, now=_at(n), changes_summary=summary)
        grown = pages() - before
        counts = store.call(inspection_store.count_inspections, start=NOW, end=_at(cycles + 1))
        assert counts["auto"] == accounts * cycles + 1
        assert store.call(audit.verify).ok
    assert grown / cycles < 20_000, f"{grown / cycles:.0f} bytes per cycle of {accounts} accounts"


def test_failures_differing_only_in_their_next_try_share_one_group_of_the_cycles_ledger_row() -> None:
    with Store(None) as store:
        _workspace(store)
        reasons = [f"network.timeout: the server did not answer (next try {9 + i}:{i:02d})" for i in range(ACCOUNTS)]
        summary = [
            inspections.AutoCheck(account_id=i + 1, freshness=Freshness.WARN, health=Health.DEGRADED, health_reason=reason, new_alerts=0)
            for i, reason in enumerate(reasons)
        ]
        inspections.record_auto_inspections(store, now=_at(1), changes_summary=summary)
        (payload,) = store.call(lambda db: [json.loads(r[0]) for r in db.execute(
            "SELECT payload FROM ledger WHERE kind = ?", [audit.AUTO_INSPECTIONS])])
    assert [group["reason"] for group in payload["results"]] == ["network.timeout: the server did not answer"]
