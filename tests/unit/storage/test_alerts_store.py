"""Alerts in the database: once per item and rule, filters and paging, acknowledgement, resolution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.domain.alerts import AlertFilter
from jb_watchdesk.domain.errors import InputError, NotFound
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.domain.sensitive import Severity
from jb_watchdesk.storage import alerts
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.alerts import AlertDraft, AlertState, ItemKind
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
REPEAT = timedelta(minutes=10)


def draft(item_id: int = 1, *, rule: str = "secret.marking", category: str = "secret", severity: Severity = Severity.HIGH,
          kind: ItemKind = ItemKind.POST, text: str = "绝密★") -> AlertDraft:
    return AlertDraft(account_id=1, item_kind=kind, item_id=item_id, category=category, severity=severity, rule=rule,
                      text=text, context=f"……{text}……", item_field="body", span_start=3, span_end=6,
                      span_start_utf16=4, span_end_utf16=7, confidence=0.9, occurrences=2)


@pytest.fixture
def store():
    with Store(None) as store:
        store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1")], now=NOW)
        yield store


def test_an_alert_is_raised_once_per_item_and_rule(store: Store) -> None:
    first = store.call(alerts.record_alerts, [draft(1), draft(1, rule="ad.absolute", category="advertising")], now=NOW)
    again = store.call(alerts.record_alerts, [draft(1), draft(1, rule="ad.absolute", category="advertising")], now=NOW)
    other_kind = store.call(alerts.record_alerts, [draft(1, kind=ItemKind.COMMENT)], now=NOW)
    assert len(first) == 2 and again == [] and len(other_kind) == 1
    stored = store.call(alerts.get_alert, first[0])
    assert (stored.state, stored.item_field, stored.span_start_utf16, stored.occurrences, stored.confidence) == (
        AlertState.NEW, "body", 4, 2, 0.9
    )
    assert stored.raised_at == NOW


def test_list_filters_and_pages_newest_first(store: Store) -> None:
    for index in range(5):
        store.call(alerts.record_alerts, [draft(index + 1, severity=Severity.HIGH if index % 2 else Severity.LOW)],
                   now=NOW + timedelta(minutes=index))
    newest = store.call(alerts.list_alerts, limit=2)
    assert [a.item_id for a in newest] == [5, 4]
    assert [a.item_id for a in store.call(alerts.list_alerts, limit=2, offset=2)] == [3, 2]
    high = AlertFilter(severities=frozenset({Severity.HIGH}))
    assert [a.item_id for a in store.call(alerts.list_alerts, high)] == [4, 2]
    assert store.call(alerts.count_selected, high) == 2
    assert [a.item_id for a in store.call(alerts.list_alerts, AlertFilter(item=(ItemKind.POST, 3)))] == [3]
    assert len(store.call(alerts.list_alerts, AlertFilter(raised_since=NOW + timedelta(minutes=3)))) == 2
    store.call(alerts.acknowledge, 1, officer="张三", note="已核实", now=NOW)
    acknowledged = AlertFilter(states=frozenset({AlertState.ACKNOWLEDGED}))
    assert [a.id for a in store.call(alerts.list_alerts, acknowledged)] == [1]


def test_acknowledge_records_officer_note_and_time_once(store: Store) -> None:
    (alert_id,) = store.call(alerts.record_alerts, [draft()], now=NOW)
    later = NOW + timedelta(minutes=7)
    acked = store.call(alerts.acknowledge, alert_id, officer="张三", note="已通知发布单位删除", now=later)
    assert (acked.state, acked.ack_by, acked.ack_note, acked.ack_at) == (AlertState.ACKNOWLEDGED, "张三", "已通知发布单位删除", later)
    with pytest.raises(InputError) as raised:
        store.call(alerts.acknowledge, alert_id, officer="李四", note="again", now=later)
    assert raised.value.key == "alert.not_new"
    with pytest.raises(NotFound):
        store.call(alerts.acknowledge, 999, officer="张三", note="x", now=later)


def test_resolve_keeps_the_acknowledgement(store: Store) -> None:
    (alert_id,) = store.call(alerts.record_alerts, [draft()], now=NOW)
    store.call(alerts.acknowledge, alert_id, officer="张三", note="已删除", now=NOW)
    done = store.call(alerts.resolve, alert_id, officer="李四", now=NOW + timedelta(hours=1))
    assert (done.state, done.ack_by, done.ack_note, done.resolved_by, done.resolve_reason) == (
        AlertState.RESOLVED, "张三", "已删除", "李四", alerts.RESOLVED_BY_OFFICER
    )
    with pytest.raises(InputError):
        store.call(alerts.resolve, alert_id, officer="李四", now=NOW)


def test_removed_rules_resolve_only_new_alerts_of_the_given_categories(store: Store) -> None:
    ids = store.call(
        alerts.record_alerts,
        [
            draft(1, rule="old.rule"),
            draft(2, rule="old.rule"),
            draft(3, rule="kept.rule"),
            draft(4, rule="lifecycle.closed_account_posting", category="lifecycle", severity=Severity.MEDIUM),
        ],
        now=NOW,
    )
    store.call(alerts.acknowledge, ids[1], officer="张三", note="已处理", now=NOW)
    resolved = store.call(
        alerts.resolve_removed_rules, active_rules={"kept.rule"}, categories={"secret", "privacy"}, now=NOW + timedelta(hours=1)
    )
    assert resolved == [ids[0]]
    states = {a.id: (a.state, a.resolve_reason) for a in store.call(alerts.list_alerts)}
    assert states[ids[0]] == (AlertState.RESOLVED, alerts.RESOLVED_RULE_REMOVED)
    assert states[ids[1]] == (AlertState.ACKNOWLEDGED, None)
    assert states[ids[2]] == (AlertState.NEW, None)
    assert states[ids[3]] == (AlertState.NEW, None)


def test_an_alert_resolved_for_a_removed_rule_is_raised_again_when_the_rule_returns(store: Store) -> None:
    (alert_id,) = store.call(alerts.record_alerts, [draft(rule="old.rule")], now=NOW)
    store.call(alerts.resolve_removed_rules, active_rules=set(), categories={"secret"}, now=NOW)
    back = NOW + timedelta(days=1)
    assert store.call(alerts.record_alerts, [draft(rule="old.rule")], now=back) == [alert_id]
    alert = store.call(alerts.get_alert, alert_id)
    assert (alert.state, alert.raised_at, alert.resolved_at, alert.resolve_reason) == (AlertState.NEW, back, None, None)
    # an officer's resolution is final
    store.call(alerts.resolve, alert_id, officer="张三", now=back)
    assert store.call(alerts.record_alerts, [draft(rule="old.rule")], now=back) == []


def test_notification_bookkeeping(store: Store) -> None:
    ids = store.call(alerts.record_alerts, [draft(1), draft(2)], now=NOW)
    store.call(alerts.mark_notified, [ids[0]], now=NOW)
    store.call(alerts.mark_notified, [ids[0]], now=NOW + timedelta(minutes=10))
    first = store.call(alerts.get_alert, ids[0])
    assert (first.notify_count, first.last_notified_at) == (2, NOW + timedelta(minutes=10))
    store.call(alerts.acknowledge, ids[0], officer="张三", note="已处理", now=NOW)
    later = NOW + timedelta(hours=1)
    # the acknowledged one is no candidate; its item counts as just shown
    assert [a.id for a in store.call(alerts.notification_candidates, now=later, repeat_after=REPEAT)] == [ids[1]]
    shown = store.call(alerts.recently_shown, since=NOW + timedelta(minutes=5))
    assert shown == {(ItemKind.POST, 1): NOW + timedelta(minutes=10)}
    assert store.call(alerts.recently_shown, since=later) == {}


def test_a_shown_high_alert_is_a_candidate_again_after_the_repeat_or_its_deferral(store: Store) -> None:
    (alert_id,) = store.call(alerts.record_alerts, [draft(1)], now=NOW)
    store.call(alerts.mark_notified, [alert_id], now=NOW)
    assert store.call(alerts.notification_candidates, now=NOW + timedelta(minutes=9), repeat_after=REPEAT) == []
    assert len(store.call(alerts.notification_candidates, now=NOW + REPEAT, repeat_after=REPEAT)) == 1
    store.call(alerts.defer_selected, AlertFilter(item=(ItemKind.POST, 1)), until=NOW + timedelta(minutes=3),
               officer="张三", note="", now=NOW + timedelta(minutes=1))
    assert store.call(alerts.notification_candidates, now=NOW + timedelta(minutes=2), repeat_after=timedelta(hours=1)) == []
    assert len(store.call(alerts.notification_candidates, now=NOW + timedelta(minutes=3), repeat_after=timedelta(hours=1))) == 1


def test_get_alerts_keeps_the_order_given(store: Store) -> None:
    ids = store.call(alerts.record_alerts, [draft(1), draft(2), draft(3)], now=NOW)
    assert [a.id for a in store.call(alerts.get_alerts, [ids[2], 999, ids[0]])] == [ids[2], ids[0]]


# -- one alert per item and category ------------------------------------------------------


def test_hits_of_one_item_and_category_are_one_alert_showing_the_most_serious(store: Store) -> None:
    cue = draft(1, rule="privacy.cue", category="privacy", severity=Severity.MEDIUM, text="身份证号码")
    number = draft(1, rule="pii.id_card", category="privacy", severity=Severity.HIGH, text="110101********4514")
    ad = draft(1, rule="ad.absolute", category="advertising", severity=Severity.LOW, text="最好")
    ids = store.call(alerts.record_alerts, [cue, number, ad], now=NOW)
    assert len(ids) == 2
    privacy = next(a for a in store.call(alerts.get_alerts, ids) if a.category == "privacy")
    assert (privacy.rule, privacy.severity, privacy.text) == ("pii.id_card", Severity.HIGH, "110101********4514")
    assert [hit.rule for hit in privacy.hits] == ["pii.id_card", "privacy.cue"]
    assert privacy.to_json()["hits"][1]["rule"] == "privacy.cue"
    # the same scan again changes nothing; the same hits in another order neither
    assert store.call(alerts.record_alerts, [number, cue, ad], now=NOW + timedelta(minutes=1)) == []


def test_a_new_alert_takes_the_scans_hits_and_is_shown_again_only_when_worse(store: Store) -> None:
    low = draft(1, rule="privacy.cue", category="privacy", severity=Severity.MEDIUM)
    (alert_id,) = store.call(alerts.record_alerts, [low], now=NOW)
    store.call(alerts.mark_notified, [alert_id], now=NOW)
    worse = draft(1, rule="pii.id_card", category="privacy", severity=Severity.HIGH)
    assert store.call(alerts.record_alerts, [low, worse], now=NOW + timedelta(minutes=1)) == [alert_id]
    alert = store.call(alerts.get_alert, alert_id)
    assert (alert.severity, alert.last_notified_at, alert.raised_at) == (Severity.HIGH, None, NOW)
    assert {hit.rule for hit in alert.hits} == {"privacy.cue", "pii.id_card"}


def test_an_acknowledged_alert_is_history_and_a_new_rule_raises_a_new_one(store: Store) -> None:
    (first,) = store.call(alerts.record_alerts, [draft(1, rule="secret.marking")], now=NOW)
    store.call(alerts.acknowledge, first, officer="张三", note="已核实", now=NOW)
    assert store.call(alerts.record_alerts, [draft(1, rule="secret.marking")], now=NOW) == []
    (second,) = store.call(alerts.record_alerts, [draft(1, rule="secret.marking"), draft(1, rule="secret.state")], now=NOW)
    assert second != first
    fresh = store.call(alerts.get_alert, second)
    assert [hit.rule for hit in fresh.hits] == ["secret.state"]
    assert store.call(alerts.get_alert, first).state is AlertState.ACKNOWLEDGED


def test_bulk_acknowledge_by_item_writes_one_ledger_row_per_alert(store: Store) -> None:
    from jb_watchdesk.storage import audit

    ids = store.call(
        alerts.record_alerts,
        [draft(1), draft(1, rule="ad.absolute", category="advertising"), draft(2)],
        now=NOW,
    )
    before = store.query(lambda db: audit.anchor(db).seq)
    done = store.call(
        alerts.acknowledge_selected, AlertFilter(item=(ItemKind.POST, 1)), officer="张三", note="已通知删除", now=NOW
    )
    assert sorted(a.id for a in done) == sorted(ids[:2])
    assert all(a.state is AlertState.ACKNOWLEDGED and a.ack_note == "已通知删除" for a in done)
    assert store.query(lambda db: audit.anchor(db).seq) == before + 2
    assert store.call(alerts.get_alert, ids[2]).state is AlertState.NEW
    # nothing left new of that post: acknowledging it again does nothing and writes nothing
    assert store.call(alerts.acknowledge_selected, AlertFilter(item=(ItemKind.POST, 1)), officer="张三", note="x", now=NOW) == []
    assert store.query(lambda db: audit.anchor(db).seq) == before + 2


def test_a_deferred_alert_is_no_candidate_until_its_time(store: Store) -> None:
    (alert_id,) = store.call(alerts.record_alerts, [draft(1)], now=NOW)
    until = NOW + timedelta(minutes=15)
    (deferred,) = store.call(
        alerts.defer_selected, AlertFilter(item=(ItemKind.POST, 1)), until=until, officer="张三", note="", now=NOW
    )
    assert deferred.deferred_until == until
    assert store.call(alerts.notification_candidates, now=NOW, repeat_after=REPEAT) == []
    assert store.call(alerts.count_alerts, now=NOW).deferred == 1
    later = until + timedelta(seconds=1)
    assert [a.id for a in store.call(alerts.notification_candidates, now=later, repeat_after=REPEAT)] == [alert_id]


def test_backlog_alerts_are_counted_and_listed_but_never_candidates(store: Store) -> None:
    from dataclasses import replace

    ids = store.call(alerts.record_alerts, [replace(draft(1), backlog=True), draft(2), replace(draft(3), severity=Severity.LOW)], now=NOW)
    counts = store.call(alerts.count_alerts, now=NOW)
    assert (counts.open, counts.open_backlog, counts.open_live, counts.open_high, counts.open_high_live) == (3, 1, 2, 2, 1)
    # the backlog one never; the low one is listed, never pushed
    assert [a.id for a in store.call(alerts.notification_candidates, now=NOW, repeat_after=REPEAT)] == [ids[1]]
    assert [a.id for a in store.call(alerts.list_alerts, AlertFilter(backlog=True))] == [ids[0]]
    assert store.call(alerts.count_selected, AlertFilter(backlog=False)) == 2


def test_a_rescan_after_an_acknowledgement_never_trips_over_the_shown_rule(store: Store) -> None:
    # r1 acknowledged; an edit adds r2 (a new alert); a rescan then reads both hits: r1 is covered
    # by history and stays out of the new alert, which keeps r2 (no collision, no stuck scan).
    (first,) = store.call(alerts.record_alerts, [draft(1, rule="secret.r1")], now=NOW)
    store.call(alerts.acknowledge, first, officer="张三", note="已核实", now=NOW)
    (second,) = store.call(
        alerts.record_alerts, [draft(1, rule="secret.r1"), draft(1, rule="secret.r2", severity=Severity.MEDIUM)], now=NOW
    )
    again = store.call(
        alerts.record_alerts, [draft(1, rule="secret.r1"), draft(1, rule="secret.r2", severity=Severity.MEDIUM)], now=NOW
    )
    assert again == []
    fresh = store.call(alerts.get_alert, second)
    assert [hit.rule for hit in fresh.hits] == ["secret.r2"] and fresh.rule == "secret.r2"
    # r1 made worse later joins the open alert, which shows it now; the acknowledgement is untouched
    assert store.call(alerts.record_alerts, [draft(1, rule="secret.r1", severity=Severity.HIGH),
                                             draft(1, rule="secret.r2", severity=Severity.MEDIUM)], now=NOW) == []
    old = store.call(alerts.get_alert, first)
    assert (old.state, old.ack_by, old.raised_at) == (AlertState.ACKNOWLEDGED, "张三", NOW)


def test_an_acknowledgement_is_never_rewritten_when_a_hit_gets_worse(store: Store) -> None:
    (first,) = store.call(alerts.record_alerts, [draft(1, rule="paid.fraud", severity=Severity.LOW)], now=NOW)
    store.call(alerts.acknowledge, first, officer="张三", note="反诈提醒", now=NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=3)
    (second,) = store.call(alerts.record_alerts, [draft(1, rule="paid.fraud", severity=Severity.HIGH)], now=later)
    assert second != first
    old = store.call(alerts.get_alert, first)
    assert (old.state, old.ack_by, old.ack_note, old.ack_at, old.raised_at) == (
        AlertState.ACKNOWLEDGED, "张三", "反诈提醒", NOW + timedelta(hours=1), NOW
    )
    assert store.call(alerts.get_alert, second).raised_at == later


def test_a_bulk_action_on_handled_states_takes_no_new_alert(store: Store) -> None:
    ids = store.call(alerts.record_alerts, [draft(1), draft(2)], now=NOW)
    resolved_only = AlertFilter(states=frozenset({AlertState.RESOLVED}))
    assert store.call(alerts.acknowledge_selected, resolved_only, officer="张三", note="x", now=NOW) == []
    until = NOW + timedelta(hours=1)
    assert store.call(alerts.defer_selected, resolved_only, until=until, officer="张三", note="", now=NOW) == []
    assert all(a.state is AlertState.NEW and a.deferred_until is None for a in store.call(alerts.get_alerts, ids))


def test_an_alert_that_gets_worse_is_no_longer_deferred(store: Store) -> None:
    medium = draft(1, rule="privacy.cue", category="privacy", severity=Severity.MEDIUM)
    (alert_id,) = store.call(alerts.record_alerts, [medium], now=NOW)
    store.call(alerts.defer_selected, AlertFilter(item=(ItemKind.POST, 1)), until=NOW + timedelta(hours=12),
               officer="张三", note="", now=NOW)
    high = draft(1, rule="pii.id_card", category="privacy", severity=Severity.HIGH)
    assert store.call(alerts.record_alerts, [medium, high], now=NOW) == [alert_id]
    assert store.call(alerts.get_alert, alert_id).deferred_until is None


def test_only_one_alert_per_item_and_category_can_be_new() -> None:
    import sqlite3

    with Store(None) as store:
        store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1")], now=NOW)
        store.call(alerts.record_alerts, [draft(1)], now=NOW)
        with pytest.raises(Exception) as refused:  # noqa: PT011 - the store wraps the constraint error
            store.call(lambda db: db["alerts"].insert(
                {"account_id": 1, "item_kind": "post", "item_id": 1, "category": "secret", "severity": "high",
                 "rule": "secret.other", "raised_at": "2026-11-25T02:00:00+00:00", "state": "new"}))
        assert isinstance(refused.value, sqlite3.IntegrityError) or "UNIQUE" in str(refused.value)
