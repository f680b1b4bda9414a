"""The duty record's ledger: appends chain, and verify() catches edits, deletions and insertions made behind the app's back."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jb_watchdesk.domain.models import AccountSpec, Freshness, Health, Platform
from jb_watchdesk.domain.record import NewInspection
from jb_watchdesk.services import emergencies, inspections, shifts
from jb_watchdesk.storage import audit
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    """A workspace file with a shift, automatic and manual inspections and an emergency on record.

    The automatic ones are in the form workspaces from before migration 0009 hold (a row and a
    ledger row each), which must stay verifiable; tests/unit/storage/test_inspection_growth.py
    covers the cycle form written since."""
    path = tmp_path / "w.sqlite3"
    with Store(path) as store:
        specs = [AccountSpec(name=f"账号{i}", platform=Platform.RSS, source=f"https://f/{i}") for i in range(3)]
        store.call(apply_register, specs, now=NOW)
        shift = shifts.start_shift(store, officer="张三", now=NOW)
        for cycle in range(3):
            items = [
                NewInspection(i + 1, "auto", *inspections.auto_checks(inspections.AutoCheck(i + 1, Freshness.OK, Health.OK)))
                for i in range(3)
            ]
            store.call(inspection_store.add_inspections, items, shift_id=shift.id, now=NOW + timedelta(minutes=10 * cycle))
        inspections.record_inspection(
            store, account_id=2, checks={inspections.Check.SECURITY: "弱口令"}, action="已改密码", now=NOW + timedelta(hours=1)
        )
        emergencies.start_emergency(store, title="暴雨", keywords=["暴雨"], now=NOW + timedelta(hours=2))
    yield path


def verify(path: Path, anchor: audit.Anchor | None = None) -> audit.VerifyResult:
    with Store(path) as store:
        return store.call(audit.verify, anchor_point=anchor)


def tamper(path: Path, *statements: str) -> None:
    """What someone with the file and the sqlite3 module can do: drop the guards, then change rows."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("DROP TRIGGER IF EXISTS ledger_no_update")
        conn.execute("DROP TRIGGER IF EXISTS ledger_no_delete")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def test_an_intact_record_verifies(db_path: Path) -> None:
    result = verify(db_path)
    # 1 shift start + 9 automatic + 1 manual inspection + 1 emergency
    assert result.ok and result.rows_checked == 12 and result.first_broken is None
    assert result.head.seq == 12 and len(result.head.head_hash) == 64


def test_the_empty_ledger_verifies() -> None:
    with Store(None) as store:
        result = store.call(audit.verify)
    assert result.ok and result.rows_checked == 0 and result.head.head_hash == audit.GENESIS_HASH


def test_triggers_refuse_updates_and_deletes_through_the_app(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE ledger SET payload = '{}' WHERE seq = 2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM ledger WHERE seq = 2")
    finally:
        conn.close()


def test_an_edited_row_is_named(db_path: Path) -> None:
    tamper(db_path, "UPDATE ledger SET payload = replace(payload, '弱口令', '正常') WHERE seq = 11")
    result = verify(db_path)
    assert not result.ok and result.first_broken == 11 and "hash" in result.reason


def test_an_edited_timestamp_is_caught(db_path: Path) -> None:
    tamper(db_path, "UPDATE ledger SET recorded_at = '2026-11-24T00:00:00.000000+00:00' WHERE seq = 5")
    assert verify(db_path).first_broken == 5


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_next_link(db_path: Path) -> None:
    with Store(db_path) as store:
        row = store.call(audit.get, 4)
    assert row is not None
    forged_payload = row.payload.replace('"kind":"auto"', '"kind":"manual"')
    forged = audit.row_hash(
        prev_hash=row.prev_hash, seq=4, kind=row.kind, ref_table=row.ref_table, ref_id=row.ref_id,
        corrects_seq=row.corrects_seq, recorded_at=row.recorded_at, payload=forged_payload,
    )
    tamper(db_path, f"UPDATE ledger SET payload = '{forged_payload}', hash = '{forged}' WHERE seq = 4")  # noqa: S608 - the forgery under test
    result = verify(db_path)
    assert not result.ok and result.first_broken == 4 and "replaced" in result.reason


def test_a_deleted_row_is_named(db_path: Path) -> None:
    tamper(db_path, "DELETE FROM ledger WHERE seq = 7")
    result = verify(db_path)
    assert not result.ok and result.first_broken == 7 and "missing" in result.reason


def test_deleting_the_first_row_is_caught(db_path: Path) -> None:
    tamper(db_path, "DELETE FROM ledger WHERE seq = 1")
    assert verify(db_path).first_broken == 1


def test_deleting_the_newest_rows_is_caught(db_path: Path) -> None:
    tamper(db_path, "DELETE FROM ledger WHERE seq >= 11", "DELETE FROM emergencies", "DELETE FROM inspections WHERE kind = 'manual'")
    result = verify(db_path)
    assert not result.ok and result.first_broken == 11 and "deleted from the end" in result.reason


def test_an_inserted_row_with_a_made_up_hash_is_named(db_path: Path) -> None:
    tamper(
        db_path,
        "INSERT INTO ledger (seq, kind, ref_table, ref_id, payload, recorded_at, prev_hash, hash) "  # noqa: S608 - the forgery under test
        f"SELECT 13, 'inspection', 'x', 1, '{{}}', '2026-11-25T05:00:00.000000+00:00', hash, '{'ab' * 32}' FROM ledger WHERE seq = 12",
    )
    result = verify(db_path)
    assert not result.ok and result.first_broken == 13


def test_an_inserted_row_with_a_correct_hash_is_caught_by_an_earlier_anchor(db_path: Path) -> None:
    """Someone who knows the algorithm can extend or rewrite the chain; an exported anchor still shows it."""
    with Store(db_path) as store:
        anchor = store.call(audit.anchor)
        head = store.call(audit.get, 12)
    assert head is not None
    # rewrite the last row consistently: the chain verifies, the anchor does not
    payload = head.payload.replace("暴雨", "演练")
    forged = audit.row_hash(
        prev_hash=head.prev_hash, seq=12, kind=head.kind, ref_table=head.ref_table, ref_id=head.ref_id,
        corrects_seq=None, recorded_at=head.recorded_at, payload=payload,
    )
    tamper(
        db_path,
        f"UPDATE ledger SET payload = '{payload}', hash = '{forged}' WHERE seq = 12",  # noqa: S608 - the forgery under test
        "UPDATE emergencies SET title = '演练', keywords = '[\"演练\"]'",
    )
    assert verify(db_path).ok
    result = verify(db_path, anchor)
    assert not result.ok and result.first_broken == 12 and "anchor" in result.reason


def test_an_inspection_edited_in_its_table_is_named(db_path: Path) -> None:
    tamper(db_path, "UPDATE inspections SET checks = json_set(checks, '$.security', 'ok') WHERE kind = 'manual'")
    result = verify(db_path)
    assert not result.ok and result.where == "inspections#10" and result.first_broken == 11


def test_an_inspection_deleted_from_its_table_is_named(db_path: Path) -> None:
    tamper(db_path, "DELETE FROM inspections WHERE id = 3")
    result = verify(db_path)
    assert not result.ok and result.where == "inspections#3"


def test_an_inspection_inserted_into_its_table_is_named(db_path: Path) -> None:
    tamper(
        db_path,
        "INSERT INTO inspections (id, account_id, kind, recorded_at, officer, checks) "
        "VALUES (99, 1, 'manual', '2026-11-25T03:00:00.000000+00:00', '张三', '{}')",
    )
    result = verify(db_path)
    assert not result.ok and result.where == "inspections#99" and result.first_broken is None
    assert "not in the ledger" in result.reason


def test_a_shift_edited_in_its_table_is_named(db_path: Path) -> None:
    tamper(db_path, "UPDATE shifts SET officer = '李四'")
    result = verify(db_path)
    assert not result.ok and result.where == "shifts#1" and result.first_broken == 1


def test_an_emergency_moved_in_time_is_named(db_path: Path) -> None:
    tamper(db_path, "UPDATE emergencies SET activated_at = '2026-11-25T02:30:00.000000+00:00'")
    assert verify(db_path).where == "emergencies#1"


def test_append_joins_the_callers_transaction() -> None:
    """A failure after the append rolls back both the action and its ledger row."""
    with Store(None) as store:

        def failing(db) -> None:  # type: ignore[no-untyped-def]
            with db.atomic():
                audit.append(db, audit.Entry("correction", {"x": 1}), now=NOW)
                raise RuntimeError("disk full")

        with pytest.raises(RuntimeError):
            store.call(failing)
        assert store.call(audit.anchor).count == 0


def test_anchor_round_trips_through_text() -> None:
    anchor = audit.Anchor(seq=42, count=42, head_hash="a" * 64)
    assert audit.Anchor.parse(anchor.text()) == anchor
    for bad in ("42", "x:" + "a" * 64, "42:" + "g" * 64, "42:abc"):
        with pytest.raises(ValueError):
            audit.Anchor.parse(bad)


def test_bad_kinds_are_refused() -> None:
    with Store(None) as store, pytest.raises(ValueError):
        store.call(audit.append, audit.Entry("Bad Kind", {}), now=NOW)


@given(st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.integers(), st.text(max_size=20)), max_size=5))
def test_canonical_json_is_one_line_and_reads_back(payload: dict[str, object]) -> None:
    text = audit.canonical_json(payload)
    assert "\n" not in text and json.loads(text) == payload
    assert audit.canonical_json(dict(reversed(list(payload.items())))) == text


# -- alerts and comments: the officer's actions on them are in the ledger too --------------------


@pytest.fixture
def acted(db_path: Path) -> Path:
    """Two alerts (one acknowledged, one resolved) and three comments (acknowledged, closed, replied on the platform)."""
    from jb_watchdesk.domain.sensitive import Severity
    from jb_watchdesk.storage import alerts, comment_actions
    from jb_watchdesk.storage.alerts import AlertDraft, ItemKind
    from jb_watchdesk.storage.codec import to_db

    def draft(item_id: int) -> AlertDraft:
        return AlertDraft(account_id=1, item_kind=ItemKind.COMMENT, item_id=item_id, category="privacy", severity=Severity.HIGH,
                          rule="privacy.id_number", text="1101**********002X", context="……", item_field="text", span_start=0,
                          span_end=4, span_start_utf16=0, span_end_utf16=4, confidence=0.9, occurrences=1)  # fmt: skip

    with Store(db_path) as store:
        def comments(db) -> None:  # type: ignore[no-untyped-def]
            for n, replied in ((1, None), (2, None), (3, to_db(NOW))):
                db.execute(
                    "INSERT INTO comments (id, account_id, external_id, created_at, ack_due, result_due, first_seen_at, updated_at,"
                    " acked_at, acked_by, done_at, done_by, replied_on_platform_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [n, f"c{n}", to_db(NOW), to_db(NOW + timedelta(hours=1)), to_db(NOW + timedelta(days=7)), to_db(NOW), to_db(NOW),
                     replied, "platform reply" if replied else None, replied, "platform reply" if replied else None, replied],
                )  # fmt: skip

        store.call(comments)
        store.call(alerts.raise_alerts, [draft(1), draft(2)], now=NOW)
        later = NOW + timedelta(hours=3)
        store.call(alerts.acknowledge, 1, officer="张三", note="已通知删帖", now=later)
        store.call(alerts.resolve, 2, officer="张三", now=later)
        store.call(comment_actions.acknowledge, 1, officer="张三", note="已转交区民政局", now=later)
        store.call(comment_actions.mark_done, 2, officer="张三", note="已答复", now=later)
    return db_path


def test_acted_alerts_and_comments_verify(acted: Path) -> None:
    assert verify(acted).ok


@pytest.mark.parametrize(
    ("statement", "where"),
    [
        ("UPDATE alerts SET ack_by = '李四' WHERE id = 1", "alerts#1"),
        ("UPDATE alerts SET state = 'new', ack_by = NULL, ack_note = NULL, ack_at = NULL WHERE id = 1", "alerts#1"),
        ("DELETE FROM alerts WHERE id = 2", "alerts#2"),
        ("UPDATE alerts SET resolved_at = '2026-11-25T01:00:00.000000+00:00' WHERE id = 2", "alerts#2"),
        ("UPDATE alerts SET state = 'acknowledged' WHERE id = 2", "alerts#2"),
        ("UPDATE comments SET ack_note = '已处理' WHERE id = 1", "comments#1"),
        ("UPDATE comments SET done_at = NULL, done_by = NULL, done_note = NULL WHERE id = 2", "comments#2"),
        ("DELETE FROM comments WHERE id = 1", "comments#1"),
    ],
)
def test_an_officers_alert_or_comment_action_changed_behind_the_apps_back_is_named(acted: Path, statement: str, where: str) -> None:
    tamper(acted, statement)
    result = verify(acted)
    assert not result.ok and result.where == where and result.first_broken is not None


@pytest.mark.parametrize(
    ("statement", "where"),
    [
        ("INSERT INTO alerts (id, account_id, item_kind, item_id, category, severity, rule, text, context, raised_at, state,"
         " ack_by, ack_note, ack_at) SELECT 8, account_id, item_kind, 4, category, severity, rule, text, context, raised_at,"
         " 'acknowledged', '张三', '已处理', raised_at FROM alerts WHERE id = 1", "alerts#8"),
        ("INSERT INTO alerts (id, account_id, item_kind, item_id, category, severity, rule, text, context, raised_at, state,"
         " resolved_at, resolved_by, resolve_reason) SELECT 9, account_id, item_kind, 3, category, severity, rule, text, context,"
         " raised_at, 'resolved', raised_at, '张三', 'officer' FROM alerts WHERE id = 1", "alerts#9"),
        ("UPDATE comments SET ack_note = '已受理' WHERE id = 3", "comments#3"),
        ("UPDATE comments SET done_note = '已答复', done_by = '张三' WHERE id = 3", "comments#3"),
    ],
)
def test_an_officers_action_made_up_in_the_tables_is_not_in_the_ledger(acted: Path, statement: str, where: str) -> None:
    tamper(acted, statement)
    result = verify(acted)
    assert not result.ok and result.where == where and "not in the ledger" in result.reason


# -- anchors as the exports print them, and what an anchor the record lacks means ------------------


HASH = "0123456789abcdef" * 4


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_anchor_reads_back_exactly_as_the_exports_print_it(language: str) -> None:
    from jb_watchdesk.domain import messages

    printed = messages.text("export.anchor_text", language, seq=490, count=490, hash=HASH)
    assert audit.Anchor.parse(printed) == audit.Anchor(seq=490, count=490, head_hash=HASH)
    footer = messages.text("export.footer", language, title="交接记录 第 12 班", when="2026-11-25 08:00", anchor=printed)
    assert audit.Anchor.parse(f"第 3 页    {footer}") == audit.Anchor(seq=490, count=490, head_hash=HASH)


@pytest.mark.parametrize(
    "text",
    [
        f"490:{HASH}",
        f" 490 : {HASH.upper()} ",
        f"490：{HASH}",
        f"seq=490 条数=490 SHA-256={HASH}",
        f"序号 490 条数 490 SHA-256 {HASH}",
        f"no. 490, 490 rows, SHA-256 {HASH}",
        f"记录链锚点 序号 490 条数 490 SHA-256 {HASH}",
    ],
)
def test_every_printed_form_of_an_anchor_is_read(text: str) -> None:
    assert audit.Anchor.parse(text) == audit.Anchor(seq=490, count=490, head_hash=HASH)


@given(st.integers(min_value=1, max_value=2**62), st.integers(min_value=0, max_value=2**62),
       st.text(alphabet="0123456789abcdef", min_size=64, max_size=64), st.sampled_from(["zh", "en"]))
def test_any_printed_anchor_round_trips(seq: int, count: int, digest: str, language: str) -> None:
    from jb_watchdesk.domain import messages

    printed = messages.text("export.anchor_text", language, seq=seq, count=count, hash=digest)
    assert audit.Anchor.parse(printed) == audit.Anchor(seq=seq, count=count, head_hash=digest)


@pytest.mark.parametrize(
    "text",
    [
        "",
        HASH,  # no sequence number
        "序号 490",  # no hash
        f"序号 490 SHA-256 {HASH} {HASH[::-1]}",  # two different hashes
        f"序号 490 SHA-256 {HASH}0",  # 65 hex digits: not a SHA-256
        f"0:{HASH}",  # row 0 is the empty record: only the genesis hash
    ],
)
def test_a_malformed_anchor_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        audit.Anchor.parse(text)


def test_the_empty_records_anchor_verifies() -> None:
    with Store(None) as store:
        result = store.call(audit.verify, anchor_point=audit.Anchor.parse(f"序号 0 条数 0 SHA-256 {audit.GENESIS_HASH}"))
    assert result.ok


def test_an_anchor_beyond_the_head_says_so_and_is_not_called_tampering(db_path: Path) -> None:
    result = verify(db_path, audit.Anchor(seq=490, count=490, head_hash=HASH))
    assert not result.ok and not result.tampered
    assert result.code == "anchor_beyond" and dict(result.params) == {"seq": 490, "last": 12, "first": 13}
    assert "has no row 490" in result.describe("en") and "没有锚点中的第 490 条" in result.describe("zh")


def test_a_mistyped_sequence_number_with_a_real_hash_names_the_row_that_carries_it(db_path: Path) -> None:
    with Store(db_path) as store:
        row_7 = store.call(audit.get, 7)
    assert row_7 is not None
    for seq in (5, 70):  # an existing row and one beyond the head
        result = verify(db_path, audit.Anchor(seq=seq, count=seq, head_hash=row_7.hash))
        assert not result.ok and not result.tampered and result.code == "anchor_misnumbered"
        assert dict(result.params) == {"seq": seq, "found": 7}


def test_a_row_that_lost_the_anchors_hash_is_tampering(db_path: Path) -> None:
    result = verify(db_path, audit.Anchor(seq=5, count=5, head_hash=HASH))
    assert not result.ok and result.tampered and result.code == "anchor" and result.first_broken == 5


def test_rows_cut_from_the_end_with_the_counter_reset_are_named_by_the_anchor(db_path: Path) -> None:
    """Deleting the newest rows and SQLite's counter leaves a chain that verifies on its own; the
    anchor then names rows the record lacks, and says that they may have been removed."""
    with Store(db_path) as store:
        anchor = store.call(audit.anchor)
    tamper(db_path, "DELETE FROM ledger WHERE seq = 12", "DELETE FROM emergencies",
           "UPDATE sqlite_sequence SET seq = 11 WHERE name = 'ledger'")
    assert verify(db_path).ok
    result = verify(db_path, anchor)
    assert not result.ok and result.code == "anchor_beyond" and dict(result.params)["first"] == 12
    assert "rows 12–12 were removed" in result.describe("en")


def test_a_break_elsewhere_is_reported_before_an_anchor_the_record_lacks(db_path: Path) -> None:
    tamper(db_path, "UPDATE shifts SET officer = '李四'")
    result = verify(db_path, audit.Anchor(seq=490, count=490, head_hash=HASH))
    assert not result.ok and result.tampered and result.where == "shifts#1"
