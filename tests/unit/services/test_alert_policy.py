"""The notification policy: high at once, no spam per item, repeat until acknowledged; the service's memory."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.domain.alerts import Alert, AlertDraft
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import AccountSpec, AlertState, ItemKind, Platform
from jb_watchdesk.domain.sensitive import Severity
from jb_watchdesk.services.alerts import AlertService, NotificationKind, NotificationPolicy, acknowledge
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
POLICY = NotificationPolicy(repeat_after=timedelta(minutes=10), item_window=timedelta(minutes=5))

_ids = iter(range(1, 10_000))


def alert(item_id: int = 1, *, severity: Severity = Severity.HIGH, rule: str = "secret.marking", raised: datetime = T0,
          notified: datetime | None = None, state: AlertState = AlertState.NEW, text: str = "绝密★") -> Alert:
    return Alert(
        id=next(_ids), account_id=1, item_kind=ItemKind.POST, item_id=item_id, category="secret", severity=severity,
        rule=rule, text=text, context="", item_field="body", span_start=0, span_end=3, span_start_utf16=0,
        span_end_utf16=3, confidence=1.0, masked=False, occurrences=1, raised_at=raised, state=state, ack_by=None,
        ack_note=None, ack_at=None, resolved_at=None, resolved_by=None, resolve_reason=None,
        last_notified_at=notified, notify_count=0 if notified is None else 1,
    )


def test_a_high_alert_is_raised_at_once_medium_ones_in_a_digest_low_ones_never() -> None:
    high, medium, low = alert(1), alert(2, severity=Severity.MEDIUM), alert(3, severity=Severity.LOW)
    due = POLICY.due_notifications([low, medium, high], now=T0)
    assert [(n.kind, n.alerts) for n in due] == [(NotificationKind.ALERT, (high,)), (NotificationKind.DIGEST, (medium,))]


def test_many_hits_on_one_item_make_one_notification() -> None:
    hits = [alert(1, rule=f"rule.{n}") for n in range(5)] + [alert(1, severity=Severity.MEDIUM, rule="ad.x")]
    (only,) = POLICY.due_notifications(hits, now=T0)
    assert only.kind is NotificationKind.ALERT and len(only.alerts) == 6
    assert only.alerts[-1].severity is Severity.MEDIUM  # the most serious first


def test_an_item_shown_within_the_window_stays_quiet_then_its_new_alerts_follow() -> None:
    shown = alert(1, notified=T0)
    later_hit = alert(1, rule="pii.id_card", raised=T0 + MINUTE)
    assert POLICY.due_notifications([shown, later_hit], now=T0 + 4 * MINUTE) == []
    (due,) = POLICY.due_notifications([shown, later_hit], now=T0 + 5 * MINUTE)
    assert due.kind is NotificationKind.ALERT and due.alerts == (later_hit,)
    # an acknowledged alert shown a moment ago still counts as "this item was just shown"
    acked = replace(shown, state=AlertState.ACKNOWLEDGED)
    assert POLICY.due_notifications([acked, later_hit], now=T0 + 2 * MINUTE) == []


def test_an_unacknowledged_high_alert_is_raised_again_after_the_interval() -> None:
    shown = alert(1, notified=T0)
    assert POLICY.due_notifications([shown], now=T0 + 9 * MINUTE) == []
    (again,) = POLICY.due_notifications([shown], now=T0 + 10 * MINUTE)
    assert again.kind is NotificationKind.REPEAT and again.alerts == (shown,)
    assert POLICY.due_notifications([replace(shown, state=AlertState.ACKNOWLEDGED)], now=T0 + 30 * MINUTE) == []
    assert POLICY.due_notifications([alert(2, severity=Severity.MEDIUM, notified=T0)], now=T0 + 60 * MINUTE) == []


def test_the_interval_is_configurable_and_must_be_positive() -> None:
    fast = NotificationPolicy(repeat_after=timedelta(minutes=2), item_window=timedelta(0))
    assert fast.due_notifications([alert(1, notified=T0)], now=T0 + 2 * MINUTE)[0].kind is NotificationKind.REPEAT
    with pytest.raises(ValueError):
        NotificationPolicy(repeat_after=timedelta(0))


def test_headline_is_one_safe_line() -> None:
    (note,) = POLICY.due_notifications([alert(1, text="-rf\n" + "长" * 500)], now=T0)
    line = note.headline("en")
    assert line.startswith("[high] secrets: ") and "\n" not in line and len(line) <= 200
    assert NotificationPolicy().due_notifications([alert(2, severity=Severity.MEDIUM)], now=T0)[0].headline("zh") == "1 条新告警待查看"


class Clock:
    def __init__(self) -> None:
        self.current = T0

    def now(self) -> datetime:
        return self.current


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(None) as store:
        store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1")], now=T0)
        yield store


def test_the_service_remembers_what_it_showed(store: Store) -> None:
    draft = AlertDraft(account_id=1, item_kind=ItemKind.POST, item_id=1, category="secret", severity=Severity.HIGH,
                       rule="secret.marking", text="绝密★")
    (alert_id,) = store.call(alert_store.record_alerts, [draft], now=T0)
    clock = Clock()
    service = AlertService(store=store, clock=clock, policy=POLICY)

    async def take() -> list[tuple[NotificationKind, tuple[int, ...]]]:
        return [(n.kind, n.alert_ids) for n in await service.take_due_notifications()]

    assert asyncio.run(take()) == [(NotificationKind.ALERT, (alert_id,))]
    assert asyncio.run(take()) == []
    clock.current = T0 + 10 * MINUTE
    assert asyncio.run(take()) == [(NotificationKind.REPEAT, (alert_id,))]
    acked = acknowledge(store, alert_id, officer=" 张三 ", note="已通知删除", now=clock.current)
    assert (acked.state, acked.ack_by, acked.ack_at) == (AlertState.ACKNOWLEDGED, "张三", clock.current)
    clock.current = T0 + 60 * MINUTE
    assert asyncio.run(take()) == []
    assert store.call(alert_store.get_alert, alert_id).notify_count == 2


def test_acknowledging_needs_an_officer_and_a_note(store: Store) -> None:
    draft = AlertDraft(account_id=1, item_kind=ItemKind.POST, item_id=1, category="secret", severity=Severity.HIGH, rule="r.x")
    (alert_id,) = store.call(alert_store.record_alerts, [draft], now=T0)
    for officer, note, key in [
        ("张三", "  ", "alert.empty_note"), ("", "已处理", "alert.empty_officer"), ("张三", "长" * 3000, "duty.too_long")
    ]:
        with pytest.raises(InputError) as raised:
            acknowledge(store, alert_id, officer=officer, note=note, now=T0)
        assert raised.value.key == key
    assert store.call(alert_store.get_alert, alert_id).state is AlertState.NEW


def test_notes_with_control_characters_are_refused() -> None:
    import pytest

    from jb_watchdesk.domain.errors import InputError
    from jb_watchdesk.services.alerts import _ack_args
    from jb_watchdesk.services.comments import _note

    for check in (lambda: _ack_args("张三", "已处理\x00"), lambda: _note("张三", "已答复\x1b[2J")):
        with pytest.raises(InputError) as caught:
            check()
        assert caught.value.key == "duty.control_chars"
    assert _note("张三", "第一行\n第二行") == ("张三", "第一行\n第二行")


def test_an_item_just_shown_stays_quiet_even_when_its_shown_alerts_are_not_passed() -> None:
    fresh = alert(1)
    recently = {(ItemKind.POST, 1): T0 - 2 * MINUTE}
    assert POLICY.due_notifications([fresh], now=T0, recently_shown=recently) == []
    assert len(POLICY.due_notifications([fresh], now=T0 + 3 * MINUTE, recently_shown=recently)) == 1


def test_a_high_alert_whose_deferral_ended_is_shown_again_before_its_repeat() -> None:
    shown = replace(alert(1, notified=T0), deferred_until=T0 + 6 * MINUTE)
    assert POLICY.due_notifications([shown], now=T0 + 5 * MINUTE) == []
    (again,) = POLICY.due_notifications([shown], now=T0 + 6 * MINUTE)
    assert again.kind is NotificationKind.REPEAT
