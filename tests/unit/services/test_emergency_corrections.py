"""A mistyped emergency: cancelled with a reason (the clock stops, nothing escalates) or corrected by a
new activation that names it; new ledger rows, never an edit of the record."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.domain.errors import InputError, NotFound
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.domain.record import EmergencyState
from jb_watchdesk.services import emergencies, operations, shifts
from jb_watchdesk.storage import audit, escalations
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(None) as s:
        s.call(apply_register, [AccountSpec(name="江北应急", platform=Platform.RSS, unit="区应急管理局", source="https://f/1")],
               now=NOW - timedelta(days=30))
        yield s


def add_post(store: Store, *, title: str, at: datetime) -> int:
    def insert(db) -> int:  # type: ignore[no-untyped-def]
        with db.atomic():
            cursor = db.execute(
                "INSERT INTO posts (account_id, external_id, title, body, published_at, first_seen_at, updated_at)"
                " VALUES (1, ?, ?, '', ?, ?, ?)",
                [title, title, to_db(at), to_db(at), to_db(at)],
            )
            return int(cursor.lastrowid or 0)

    return store.call(insert)


def ledger_kinds(store: Store, emergency_id: int) -> list[str]:
    return [r.kind for r in store.call(audit.rows_for, ref_table="emergencies", ref_id=emergency_id)]


def test_a_cancelled_emergency_stops_its_clock_and_never_escalates(store: Store) -> None:
    shifts.start_shift(store, officer="张三", now=NOW - timedelta(hours=1))
    started = emergencies.start_emergency(store, title="观音桥暴雨", keywords=[], now=NOW)
    with pytest.raises(InputError):
        emergencies.cancel_emergency(store, started.emergency.id, reason="  ", now=NOW + timedelta(minutes=5))
    cancelled = emergencies.cancel_emergency(store, started.emergency.id, reason="演练通知误录", now=NOW + timedelta(minutes=5))
    e = cancelled.emergency
    assert cancelled.state is EmergencyState.CANCELLED
    assert (e.cancelled_by, e.cancel_reason, e.cancelled_at) == ("张三", "演练通知误录", NOW + timedelta(minutes=5))
    # hours later it is still cancelled, not missed, and its clock stands where it stopped
    later = emergencies.emergency_status(store, now=NOW + timedelta(hours=5))[0]
    assert later.state is EmergencyState.CANCELLED and later.clock.remaining == timedelta(hours=1, minutes=55)
    assert later.to_json()["cancel_reason"] == "演练通知误录"
    # the escalation check no longer sees it, and a related post does not meet it
    assert store.call(escalations.open_subjects, now=NOW + timedelta(hours=5), after=timedelta(minutes=10)) == []
    assert not store.call(escalations.still_open, escalations.EMERGENCY, e.id)
    post = add_post(store, title="观音桥暴雨最新情况", at=NOW + timedelta(minutes=30))
    assert emergencies.match_posts(store, post_ids=[post], now=NOW + timedelta(minutes=31)) == []
    # the record: the activation's row unchanged, a new row for the cancellation
    assert ledger_kinds(store, e.id) == [audit.EMERGENCY_START, audit.EMERGENCY_CANCEL]
    with pytest.raises(InputError):
        emergencies.cancel_emergency(store, e.id, reason="again", now=NOW + timedelta(hours=1))
    with pytest.raises(NotFound):
        emergencies.cancel_emergency(store, 99, reason="none", now=NOW)
    assert store.call(audit.verify).ok


def test_a_handover_does_not_carry_a_cancelled_emergency(store: Store) -> None:
    started = emergencies.start_emergency(store, title="误报", keywords=[], now=NOW)
    emergencies.cancel_emergency(store, started.emergency.id, reason="误报", now=NOW + timedelta(minutes=1), officer="王五")
    assert shifts.carry_over(store, now=NOW + timedelta(hours=3)).waiting_emergencies == []


def test_a_correction_replaces_the_activation_and_keeps_its_clock(store: Store) -> None:
    started = emergencies.start_emergency(store, title="观音挢暴雨", keywords=[], now=NOW)
    changes = operations.correct_emergency(
        store, started.emergency.id, title="观音桥暴雨", reason="标题错字", now=NOW + timedelta(minutes=20), officer="李四"
    )
    old, new = changes.result  # type: ignore[misc]
    assert changes.shift and changes.ledger
    assert old.state is EmergencyState.CANCELLED and old.emergency.cancel_reason == "标题错字"
    assert new.emergency.corrects_id == old.emergency.id
    assert new.emergency.activated_at == NOW and new.clock.due == NOW + timedelta(hours=2)
    assert new.emergency.keywords == ("观音桥暴雨",)  # the default keyword follows the new title
    assert new.state is EmergencyState.WAITING and new.emergency.activated_by == "李四"
    assert ledger_kinds(store, old.emergency.id) == [audit.EMERGENCY_START, audit.EMERGENCY_CANCEL]
    cancel_row = store.call(audit.rows_for, ref_table="emergencies", ref_id=old.emergency.id)[-1]
    assert json.loads(cancel_row.payload)["replaced_by"] == new.emergency.id
    start_row = store.call(audit.rows_for, ref_table="emergencies", ref_id=new.emergency.id)[0]
    assert json.loads(start_row.payload)["corrects_id"] == old.emergency.id
    # a related post published after the original activation meets the correction
    post = add_post(store, title="观音桥暴雨内涝提示", at=NOW + timedelta(minutes=40))
    (met,) = emergencies.match_posts(store, post_ids=[post], now=NOW + timedelta(minutes=41))
    assert met.emergency.id == new.emergency.id and met.state is EmergencyState.MET
    with pytest.raises(InputError):  # a cancelled activation is not corrected twice
        emergencies.correct_emergency(store, old.emergency.id, title="x", reason="y", now=NOW + timedelta(hours=1))
    assert store.call(audit.verify).ok


def test_a_correction_can_restart_the_clock_and_keeps_explicit_keywords(store: Store) -> None:
    started = emergencies.start_emergency(store, title="暴雨", keywords=["暴雨", "内涝"], now=NOW)
    _, new = emergencies.correct_emergency(
        store, started.emergency.id, title="鱼嘴暴雨", reason="实际启动晚于记录", now=NOW + timedelta(hours=1), restart_clock=True
    )
    assert new.emergency.activated_at == NOW + timedelta(hours=1)
    assert new.emergency.keywords == ("暴雨", "内涝")
    _, newer = emergencies.correct_emergency(
        store, new.emergency.id, title="鱼嘴暴雨", keywords=["鱼嘴"], reason="关键词过宽", now=NOW + timedelta(hours=1, minutes=5)
    )
    assert newer.emergency.keywords == ("鱼嘴",) and newer.emergency.activated_at == NOW + timedelta(hours=1)
    assert store.call(audit.verify).ok
