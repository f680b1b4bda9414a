"""Shifts, the handover, inspections with the four checks, and the emergency clock."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.domain.errors import InputError, NotFound
from jb_watchdesk.domain.models import AccountSpec, Freshness, Health, Platform
from jb_watchdesk.services import emergencies, inspections, shifts
from jb_watchdesk.services.inspections import Check
from jb_watchdesk.storage import audit
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # 08:00 Shanghai


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(None) as s:
        s.call(
            apply_register,
            [AccountSpec(name=f"账号{i}", platform=Platform.RSS, unit="区公安分局", source=f"https://f/{i}") for i in range(3)],
            now=NOW - timedelta(days=30),
        )
        yield s


def add_post(store: Store, *, account_id: int, title: str, body: str = "", at: datetime) -> int:
    def insert(db) -> int:  # type: ignore[no-untyped-def]
        with db.atomic():
            cursor = db.execute(
                "INSERT INTO posts (account_id, external_id, title, body, published_at, first_seen_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [account_id, f"p{title}{at.timestamp()}", title, body, to_db(at), to_db(at), to_db(at)],
            )
        return int(cursor.lastrowid)

    return store.call(insert)


def add_alert(store: Store, *, account_id: int, at: datetime, text: str = "身份证号 11010519491231002X") -> int:
    def insert(db) -> int:  # type: ignore[no-untyped-def]
        with db.atomic():
            cursor = db.execute(
                "INSERT INTO alerts (account_id, item_kind, item_id, category, severity, rule, text, context, raised_at)"
                " VALUES (?, 'post', ?, 'privacy', 'high', 'pii.id_card', ?, ?, ?)",
                [account_id, int(at.timestamp()), text, text, to_db(at)],
            )
        return int(cursor.lastrowid)

    return store.call(insert)


def add_comment(store: Store, *, account_id: int, at: datetime, author: str = "王小明", text: str = "请问办事时间？") -> int:
    def insert(db) -> int:  # type: ignore[no-untyped-def]
        with db.atomic():
            cursor = db.execute(
                "INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due,"
                " first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [account_id, f"c{at.timestamp()}", author, text, to_db(at), to_db(at + timedelta(hours=1)),
                 to_db(at + timedelta(days=7)), to_db(at), to_db(at)],
            )
        return int(cursor.lastrowid)

    return store.call(insert)


# -- shifts ------------------------------------------------------------------------------------


def test_a_second_shift_cannot_start_while_one_is_open(store: Store) -> None:
    first = shifts.start_shift(store, officer=" 张三 ", now=NOW)
    assert first.officer == "张三" and first.is_open
    with pytest.raises(InputError) as caught:
        shifts.start_shift(store, officer="李四", now=NOW + timedelta(hours=1))
    assert caught.value.key == "shift.already_open" and caught.value.exit_code == 2
    ended = shifts.end_shift(store, now=NOW + timedelta(hours=12), note="平安江北凭据周五到期")
    assert ended.ended_at == NOW + timedelta(hours=12) and ended.end_note == "平安江北凭据周五到期"
    second = shifts.start_shift(store, officer="李四", now=NOW + timedelta(hours=12))
    assert second.id == first.id + 1 and shifts.current_shift(store) == second


def test_force_close_records_the_reason(store: Store) -> None:
    shifts.start_shift(store, officer="张三", now=NOW)
    with pytest.raises(InputError):
        shifts.end_shift(store, now=NOW + timedelta(hours=13), force_reason="  ")
    closed = shifts.end_shift(store, now=NOW + timedelta(hours=13), force_reason="张三因病离岗，值班长代为结班")
    assert closed.force_closed_reason == "张三因病离岗，值班长代为结班"
    entries = store.call(audit.rows_for, ref_table="shifts", ref_id=closed.id)
    assert [e.kind for e in entries] == ["shift_start", "shift_end"]
    assert entries[1].data()["force_closed_reason"] == "张三因病离岗，值班长代为结班"


def test_ending_needs_an_open_shift_and_a_sane_time(store: Store) -> None:
    with pytest.raises(InputError) as caught:
        shifts.end_shift(store, now=NOW)
    assert caught.value.key == "shift.none_open"
    shifts.start_shift(store, officer="张三", now=NOW)
    with pytest.raises(InputError) as caught:
        shifts.end_shift(store, now=NOW - timedelta(minutes=1))
    assert caught.value.key == "shift.end_before_start"


def test_officer_names_are_checked(store: Store) -> None:
    for bad in ("", "   ", "张\x1b[2J三", "长" * 41):
        with pytest.raises(InputError):
            shifts.start_shift(store, officer=bad, now=NOW)


def test_the_handover_carries_open_items_over_and_the_incoming_officer_confirms(store: Store) -> None:
    shifts.start_shift(store, officer="张三", now=NOW)
    alert_id = add_alert(store, account_id=1, at=NOW + timedelta(hours=2))
    comment_id = add_comment(store, account_id=2, at=NOW + timedelta(hours=3))
    store.call(lambda db: db.execute("UPDATE accounts SET health = 'failing', health_reason = 'HTTP 500' WHERE id = 3"))
    # account 1 has been read for a month without a single post: a two-week veto
    store.call(lambda db: db.execute("UPDATE accounts SET first_polled_at = ? WHERE id = 1", [to_db(NOW - timedelta(days=30))]))
    end = NOW + timedelta(hours=12)
    shifts.end_shift(store, now=end, note="交班")

    view = shifts.handover(store, now=end)
    assert view.awaiting_confirmation and view.previous is not None and view.on_duty is None
    carry = view.carry_over
    assert [a.id for a in carry.open_alerts] == [alert_id]
    assert [c.id for c in carry.overdue_comments] == [comment_id]
    # account 2 was never read: its freshness is unknown, not a veto
    assert {r.account.id for r in carry.accounts_at_risk} == {1, 3}
    assert carry.summary()["alerts"] == [alert_id]

    shifts.start_shift(store, officer="李四", now=end)
    with pytest.raises(InputError) as caught:
        shifts.confirm_handover(store, officer="王五", now=end + timedelta(minutes=5))
    assert caught.value.key == "handover.not_on_duty"
    confirmed = shifts.confirm_handover(store, officer="李四", now=end + timedelta(minutes=5))
    assert confirmed.handover_confirmed_by == "李四" and confirmed.handover_confirmed_at == end + timedelta(minutes=5)
    entry = store.call(audit.rows_for, ref_table="shifts", ref_id=confirmed.id)[-1]
    assert entry.kind == "handover_confirm" and entry.data()["carry_over"]["comments"] == [comment_id]
    with pytest.raises(InputError) as caught:
        shifts.confirm_handover(store, officer="李四", now=end + timedelta(minutes=6))
    assert caught.value.key == "handover.nothing_to_confirm"
    assert store.call(audit.verify).ok


def test_an_acknowledged_alert_is_not_carried_over(store: Store) -> None:
    alert_id = add_alert(store, account_id=1, at=NOW)
    store.call(
        lambda db: db.execute(
            "UPDATE alerts SET state = 'acknowledged', ack_at = ? WHERE id = ?", [to_db(NOW + timedelta(hours=1)), alert_id]
        )
    )
    assert shifts.carry_over(store, now=NOW + timedelta(minutes=30)).open_alerts
    assert not shifts.carry_over(store, now=NOW + timedelta(hours=2)).open_alerts


# -- inspections --------------------------------------------------------------------------------


def test_parse_checks_in_english_and_chinese() -> None:
    checks = inspections.parse_checks(["operation=ok", "栏目更新=“通知公告”栏目两周未更新", "安全防护=正常"])
    assert checks == {
        Check.OPERATION: "ok",
        Check.COLUMN_UPDATES: "“通知公告”栏目两周未更新",
        Check.CONTENT_QUALITY: "ok",
        Check.SECURITY: "ok",
    }
    for bad in ("operation", "speed=ok", "security=", "=ok"):
        with pytest.raises(InputError) as caught:
            inspections.parse_checks([bad])
        assert caught.value.key == "inspect.bad_check"


def test_a_manual_inspection_records_the_four_checks_and_the_action(store: Store) -> None:
    with pytest.raises(InputError) as caught:
        inspections.record_inspection(store, account_id=1, checks={}, now=NOW)
    assert caught.value.key == "inspect.no_shift"
    shifts.start_shift(store, officer="张三", now=NOW)
    with pytest.raises(InputError) as caught:
        inspections.record_inspection(store, account_id=1, checks={Check.SECURITY: "后台弱口令"}, now=NOW)
    assert caught.value.key == "inspect.needs_action"
    with pytest.raises(NotFound):
        inspections.record_inspection(store, account_id=99, checks={}, now=NOW)

    clean = inspections.record_inspection(store, account_id=1, checks={}, now=NOW + timedelta(minutes=5))
    assert clean.kind == "manual" and clean.officer == "张三" and set(clean.checks.values()) == {"ok"}
    found = inspections.record_inspection(
        store, account_id=2, checks={Check.SECURITY: "后台弱口令"}, action="已通知主办单位修改密码", now=NOW + timedelta(minutes=9)
    )
    assert found.checks == {"operation": "ok", "column_updates": "ok", "content_quality": "ok", "security": "后台弱口令"}
    assert found.action == "已通知主办单位修改密码" and found.shift_id == 1
    entry = store.call(audit.rows_for, ref_table="inspections", ref_id=found.id)[0]
    assert entry.kind == "inspection" and entry.hash == found.hash and entry.data()["checks"]["security"] == "后台弱口令"


def test_a_correction_is_a_new_row_that_references_the_old_one(store: Store) -> None:
    shifts.start_shift(store, officer="张三", now=NOW)
    wrong = inspections.record_inspection(store, account_id=1, checks={Check.OPERATION: "无法打开"}, action="已报告", now=NOW)
    with pytest.raises(InputError) as caught:
        inspections.record_inspection(store, account_id=2, checks={}, corrects_id=wrong.id, now=NOW)
    assert caught.value.key == "inspect.wrong_account"
    fixed = inspections.record_inspection(
        store,
        account_id=1,
        checks={},
        finding="误报：平台短暂维护",
        action="无需整改",
        corrects_id=wrong.id,
        now=NOW + timedelta(minutes=1),
    )
    assert fixed.kind == "correction" and fixed.corrects_id == wrong.id
    original = store.call(audit.rows_for, ref_table="inspections", ref_id=wrong.id)[0]
    correction = store.call(audit.rows_for, ref_table="inspections", ref_id=fixed.id)[0]
    assert correction.kind == "correction" and correction.corrects_seq == original.seq
    assert store.call(lambda db: db.execute("SELECT checks FROM inspections WHERE id = ?", [wrong.id]).fetchone()[0]) == json.dumps(
        wrong.checks, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def test_automatic_inspections_map_the_poll_results_onto_the_four_checks(store: Store) -> None:
    shift = shifts.start_shift(store, officer="张三", now=NOW)
    summary = [
        inspections.AutoCheck(1, Freshness.OK, Health.OK),
        inspections.AutoCheck(2, Freshness.VETO, Health.FAILING, "HTTP 500", new_alerts=2),
        inspections.AutoCheck(3, Freshness.WARN, Health.AUTH_EXPIRED, "token expired"),
    ]
    written = inspections.record_auto_inspections(store, now=NOW + timedelta(minutes=10), changes_summary=summary)
    assert written == 3
    rows = store.call(lambda db: list(inspection_store.iter_inspections(db, start=NOW, end=NOW, shift_id=shift.id)))
    assert [(r.kind, r.account_id) for r in rows] == [("auto", 1), ("auto", 2), ("auto", 3)]
    assert json.loads(rows[1].checks) == {"freshness": "veto", "health": "failing", "health_reason": "HTTP 500", "new_alerts": 2}
    checks, findings = zip(*(inspections.auto_checks(item) for item in summary), strict=True)
    assert {checks[0][c.value] for c in Check} == {"ok"}
    assert "failing" in checks[1]["operation"] and "HTTP 500" in checks[1]["operation"]
    assert "veto" in checks[1]["column_updates"] and checks[1]["content_quality"] == "新告警 2 条"
    assert checks[2]["operation"] == "ok" and "auth_expired" in checks[2]["security"]
    assert findings[0] == "" and "安全防护" in findings[2]
    assert store.call(audit.verify).ok


def test_automatic_inspections_off_the_event_loop(store: Store) -> None:
    """The watch loop records them from a worker thread (asyncio.to_thread), without a shift open."""
    summary = [inspections.AutoCheck(1, Freshness.OK, Health.OK)]
    assert asyncio.run(asyncio.to_thread(inspections.record_auto_inspections, store, now=NOW, changes_summary=summary)) == 1
    assert store.call(lambda db: db.execute("SELECT shift_id FROM inspection_cycles").fetchone()[0]) is None


# -- emergencies ------------------------------------------------------------------------------


def test_the_first_matching_post_stops_the_clock(store: Store) -> None:
    status = emergencies.start_emergency(store, title="观音桥暴雨内涝", keywords=["暴雨", "内涝"], now=NOW)
    assert status.state == "waiting" and status.clock.due == NOW + timedelta(hours=2)
    unrelated = add_post(store, account_id=1, title="周末文化活动", at=NOW + timedelta(minutes=20))
    assert emergencies.match_posts(store, post_ids=[unrelated], now=NOW + timedelta(minutes=21)) == []
    related = add_post(store, account_id=2, title="关于观音桥片区积水", body="受暴雨影响，部分路段封闭", at=NOW + timedelta(minutes=50))
    later = add_post(store, account_id=3, title="内涝最新情况", at=NOW + timedelta(minutes=70))
    met = emergencies.match_posts(store, post_ids=[later, related], now=NOW + timedelta(minutes=75))
    assert [m.emergency.first_post_id for m in met] == [related]
    assert met[0].state == "met" and met[0].emergency.first_post_at == NOW + timedelta(minutes=50)
    assert emergencies.match_posts(store, post_ids=[later], now=NOW + timedelta(minutes=80)) == []
    (final,) = emergencies.emergency_status(store, now=NOW + timedelta(hours=5))
    assert final.state == "met" and not final.clock.missed
    assert store.call(audit.verify).ok


def test_a_missed_deadline_is_reported(store: Store) -> None:
    emergencies.start_emergency(store, title="化工厂火情", keywords=[], now=NOW)
    (waiting,) = emergencies.emergency_status(store, now=NOW + timedelta(minutes=90))
    assert waiting.state == "waiting" and waiting.clock.remaining == timedelta(minutes=30)
    (missed,) = emergencies.emergency_status(store, now=NOW + timedelta(hours=2, minutes=1))
    assert missed.state == "missed" and missed.clock.remaining == timedelta(minutes=-1)
    late = add_post(store, account_id=1, title="化工厂火情通报", at=NOW + timedelta(hours=3))
    (met_late,) = emergencies.match_posts(store, post_ids=[late], now=NOW + timedelta(hours=3))
    assert met_late.state == "missed" and met_late.to_json()["first_post_id"] == late


def test_posts_before_the_activation_do_not_count_and_stored_ones_are_matched_at_start(store: Store) -> None:
    add_post(store, account_id=1, title="暴雨预警", at=NOW - timedelta(minutes=5))
    after = add_post(store, account_id=2, title="ＢＵＳ 停运：暴雨", at=NOW + timedelta(minutes=3))
    status = emergencies.start_emergency(store, title="暴雨", keywords=["bus 停运"], now=NOW)
    assert status.emergency.first_post_id == after and status.state == "met"


def test_keywords_are_split_on_ascii_and_chinese_commas() -> None:
    assert emergencies.parse_keywords("暴雨，内涝,积水、暴雨, ") == ["暴雨", "内涝", "积水"]
    assert emergencies.parse_keywords(None) == []
