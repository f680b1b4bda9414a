"""log verify covers monitoring gaps and emergency cancellations, and a deferred alert whose shown
hit changes is no tampering."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.domain.alerts import AlertDraft, AlertFilter
from jb_watchdesk.domain.models import AccountSpec, ItemKind, Platform
from jb_watchdesk.domain.sensitive import Severity
from jb_watchdesk.services import emergencies
from jb_watchdesk.storage import alerts, audit, gaps
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(None) as store:
        store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1")], now=NOW)
        yield store


def verify(store: Store) -> audit.VerifyResult:
    return store.call(audit.verify)


def test_an_edited_or_deleted_gap_is_tampering(store: Store) -> None:
    store.call(gaps.add_gap, started_at=NOW, ended_at=None, cause="quit", reason="换电脑", officer="张三", now=NOW)
    store.call(gaps.close_open_gaps, at=NOW + timedelta(hours=2), now=NOW + timedelta(hours=2))
    assert verify(store).ok
    store.call(lambda db: db.execute("UPDATE gaps SET reason = '计划维护'"))
    assert verify(store).tampered
    store.call(lambda db: db.execute("UPDATE gaps SET reason = '换电脑'"))
    assert verify(store).ok
    store.call(lambda db: db.execute("UPDATE gaps SET ended_at = started_at"))
    assert verify(store).tampered
    store.call(lambda db: db.execute("DELETE FROM gaps"))
    assert verify(store).tampered


def test_an_unrecorded_cancellation_of_an_emergency_is_tampering(store: Store) -> None:
    status = emergencies.start_emergency(store, title="观音桥暴雨", keywords=[], now=NOW)
    assert verify(store).ok
    store.call(lambda db: db.execute("UPDATE emergencies SET cancelled_at = activated_at, cancel_reason = '误报'"))
    assert verify(store).tampered
    store.call(lambda db: db.execute("UPDATE emergencies SET cancelled_at = NULL, cancel_reason = ''"))
    emergencies.cancel_emergency(store, status.emergency.id, reason="误录", now=NOW + timedelta(minutes=5), officer="张三")
    assert verify(store).ok
    store.call(lambda db: db.execute("UPDATE emergencies SET cancel_reason = '其他'"))
    assert verify(store).tampered


def test_a_deferred_alert_whose_shown_hit_changes_still_verifies(store: Store) -> None:
    cue = AlertDraft(account_id=1, item_kind=ItemKind.POST, item_id=1, category="privacy", severity=Severity.MEDIUM,
                     rule="privacy.cue", text="电话")
    store.call(alerts.record_alerts, [cue], now=NOW)
    store.call(alerts.defer_selected, AlertFilter(item=(ItemKind.POST, 1)), until=NOW + timedelta(hours=1),
               officer="张三", note="", now=NOW)
    number = AlertDraft(account_id=1, item_kind=ItemKind.POST, item_id=1, category="privacy", severity=Severity.HIGH,
                        rule="pii.id_card", text="110105********002X")
    store.call(alerts.record_alerts, [cue, number], now=NOW + timedelta(minutes=1))
    assert verify(store).ok
