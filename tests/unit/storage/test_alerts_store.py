"""Alerts in the database: once per item and rule, filters and paging, acknowledgement, resolution."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.domain.errors import InputError, NotFound
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.domain.sensitive import Severity
from jb_watchdesk.storage import alerts
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.alerts import AlertDraft, AlertState, ItemKind
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


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
    assert [a.item_id for a in store.call(alerts.list_alerts, severities=[Severity.HIGH])] == [4, 2]
    assert [a.item_id for a in store.call(alerts.list_alerts, item=(ItemKind.POST, 3))] == [3]
    assert len(store.call(alerts.list_alerts, raised_since=NOW + timedelta(minutes=3))) == 2
    store.call(alerts.acknowledge, 1, officer="张三", note="已核实", now=NOW)
    assert [a.id for a in store.call(alerts.list_alerts, states=[AlertState.ACKNOWLEDGED])] == [1]


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
    recent = store.call(alerts.notification_candidates, notified_since=NOW + timedelta(minutes=5))
    assert sorted(a.id for a in recent) == ids  # the new one, and the acknowledged one shown recently
    assert [a.id for a in store.call(alerts.notification_candidates, notified_since=NOW + timedelta(hours=1))] == [ids[1]]


def test_get_alerts_keeps_the_order_given(store: Store) -> None:
    ids = store.call(alerts.record_alerts, [draft(1), draft(2), draft(3)], now=NOW)
    assert [a.id for a in store.call(alerts.get_alerts, [ids[2], 999, ids[0]])] == [ids[2], ids[0]]
