"""The handover's alert queries: open alerts at an instant counted as the screens count them, and
escalations and deferrals in a window read back from the store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jb_watchdesk.domain.alerts import AlertCounts, AlertDraft, AlertFilter
from jb_watchdesk.domain.models import AccountSpec, ItemKind, Platform
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage import reports as report_store
from jb_watchdesk.storage import shifts as shift_store
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

T0 = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


def new_store() -> Store:
    store = Store(None)
    store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="https://f/1")], now=T0 - timedelta(days=1))
    return store


@pytest.fixture
def store() -> Iterator[Store]:
    with new_store() as s:
        yield s


def draft(item_id: int, *, severity: Severity = Severity.HIGH, backlog: bool = False, rule: str = "pii.id_card") -> AlertDraft:
    return AlertDraft(
        account_id=1, item_kind=ItemKind.POST, item_id=item_id, category="privacy", severity=severity, rule=rule,
        text="110105********002X", masked=True, published_at=T0 - timedelta(hours=1), seen_at=T0, backlog=backlog,
    )


# Each operation happens one minute after the one before; after each, the counts every screen
# shows (count_alerts) are noted. Rebuilt later at those instants, they must be the same.
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("raise"), st.sampled_from(list(Severity)), st.booleans()),
        st.tuples(st.just("ack"), st.integers(0, 30)),
        st.tuples(st.just("resolve"), st.integers(0, 30)),
        st.tuples(st.just("defer"), st.integers(0, 30), st.integers(1, 90)),
        st.tuples(st.just("escalate"), st.integers(0, 30)),
        st.tuples(st.just("shift"),),
    ),
    min_size=1,
    max_size=25,
)


def apply(store: Store, operation: tuple[object, ...], *, at: datetime, raised: list[int]) -> None:
    kind = operation[0]
    if kind == "raise":
        severity, backlog = operation[1], operation[2]
        assert isinstance(severity, Severity) and isinstance(backlog, bool)
        raised.extend(store.call(alert_store.record_alerts, [draft(len(raised) + 1, severity=severity, backlog=backlog)], now=at))
        return
    if kind == "shift":
        shift = store.call(shift_store.open_shift)
        if shift is None:
            store.call(shift_store.start_shift, officer="张三", now=at)
        else:
            store.call(shift_store.end_shift, shift_id=shift.id, now=at, note="", force_reason=None, carry_over={})
        return
    if not raised:
        return
    index = operation[1]
    assert isinstance(index, int)
    alert_id = raised[index % len(raised)]
    alert = store.call(alert_store.get_alert, alert_id)
    if kind == "ack" and alert.state.value == "new":
        store.call(alert_store.acknowledge, alert_id, officer="张三", note="已核", now=at)
    elif kind == "resolve" and alert.state.value != "resolved":
        store.call(alert_store.resolve, alert_id, officer="张三", now=at)
    elif kind == "defer":
        minutes = operation[2]
        assert isinstance(minutes, int)
        store.call(alert_store.defer_selected, AlertFilter(item=(ItemKind.POST, alert.item_id)), until=at + timedelta(minutes=minutes),
                   officer="张三", note="稍后", now=at)
    elif kind == "escalate" and alert.escalated_at is None and alert.state.value == "new" and not alert.backlog:
        store.call(lambda db: db.execute("UPDATE alerts SET escalated_at = ? WHERE id = ?", [to_db(at), alert_id]))


@settings(max_examples=80)
@given(OPERATIONS)
def test_counts_rebuilt_at_an_earlier_instant_are_the_counts_shown_then(operations: list[tuple[object, ...]]) -> None:
    with new_store() as store:
        raised: list[int] = []
        shown: list[tuple[datetime, AlertCounts, list[int]]] = []
        for step, operation in enumerate(operations, start=1):
            at = T0 + timedelta(minutes=step)
            apply(store, operation, at=at, raised=raised)
            live = store.call(alert_store.selected_ids, AlertFilter(states=frozenset({alert_store.AlertState.NEW}), backlog=False))
            shown.append((at, store.call(alert_store.count_alerts, now=at), sorted(live)))
        for at, counts, live in shown:
            assert store.call(report_store.alert_counts_at, at=at) == counts, at
            assert sorted(a.id for a in store.call(report_store.open_alerts_at, at=at)) == live, at


def test_a_deferral_rebuilt_ends_with_its_time_or_with_the_shift(store: Store) -> None:
    store.call(alert_store.record_alerts, [draft(1), draft(2)], now=T0)
    store.call(shift_store.start_shift, officer="张三", now=T0)
    store.call(alert_store.defer_selected, AlertFilter(item=(ItemKind.POST, 1)), until=T0 + timedelta(minutes=15), officer="张三",
               note="稍后", now=T0 + timedelta(minutes=1))
    store.call(alert_store.defer_selected, AlertFilter(item=(ItemKind.POST, 2)), until=T0 + timedelta(hours=12), officer="张三",
               note="本班次内", now=T0 + timedelta(minutes=2))
    store.call(shift_store.end_shift, shift_id=1, now=T0 + timedelta(hours=1), note="", force_reason=None, carry_over={})
    store.call(alert_store.record_alerts, [draft(3)], now=T0 + timedelta(hours=2))  # later events: rebuilt from here on

    def deferred(minutes: int) -> int:
        return store.call(report_store.alert_counts_at, at=T0 + timedelta(minutes=minutes)).deferred

    assert [deferred(m) for m in (0, 1, 2, 14, 15, 59, 60, 61)] == [0, 1, 2, 2, 1, 1, 0, 0]


def test_a_settled_instant_is_counted_by_count_alerts_itself(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store.call(alert_store.record_alerts, [draft(1), draft(2, backlog=True)], now=T0)
    assert store.call(report_store.settled, at=T0)
    assert not store.call(report_store.settled, at=T0 - timedelta(seconds=1))
    calls: list[datetime] = []
    real = alert_store.count_alerts

    def spy(db, *, now):  # type: ignore[no-untyped-def]
        calls.append(now)
        return real(db, now=now)

    monkeypatch.setattr(alert_store, "count_alerts", spy)
    counts = store.call(report_store.alert_counts_at, at=T0 + timedelta(hours=1))
    assert calls == [T0 + timedelta(hours=1)]
    assert (counts.open, counts.open_live, counts.open_backlog) == (2, 1, 1)
    store.call(report_store.alert_counts_at, at=T0 - timedelta(minutes=1))
    assert len(calls) == 1, "an instant with later events is rebuilt, not read from the state"


def test_open_live_alerts_most_serious_first_then_longest_waiting(store: Store) -> None:
    store.call(alert_store.record_alerts, [draft(1, severity=Severity.LOW)], now=T0)
    store.call(alert_store.record_alerts, [draft(2, severity=Severity.HIGH)], now=T0 + timedelta(minutes=1))
    store.call(alert_store.record_alerts, [draft(3, severity=Severity.MEDIUM)], now=T0 + timedelta(minutes=2))
    store.call(alert_store.record_alerts, [draft(4, severity=Severity.HIGH)], now=T0 + timedelta(minutes=3))
    store.call(alert_store.record_alerts, [draft(5, severity=Severity.HIGH, backlog=True)], now=T0 + timedelta(minutes=3))
    # a scan reads the whole item: both of its hits
    store.call(alert_store.record_alerts, [draft(4), draft(4, severity=Severity.MEDIUM, rule="pii.mobile")], now=T0 + timedelta(minutes=4))
    rows = store.call(report_store.open_alerts_at, at=T0 + timedelta(hours=1))
    assert [(a.id, a.severity) for a in rows] == [(2, Severity.HIGH), (4, Severity.HIGH), (3, Severity.MEDIUM), (1, Severity.LOW)]
    assert [a.hits for a in rows] == [1, 2, 1, 1]
    assert rows[0].platform == "weibo" and rows[0].published_at == T0 - timedelta(hours=1) and not rows[0].backlog
    assert [a.id for a in store.call(report_store.open_alerts_at, at=T0 + timedelta(hours=1), backlog=True)] == [5]
    assert len(store.call(report_store.unacknowledged_alerts, now=T0 + timedelta(hours=1))) == 5


def test_escalations_in_a_window_with_what_they_were_about(store: Store) -> None:
    store.call(alert_store.record_alerts, [draft(1)], now=T0)

    def seed(db) -> None:  # type: ignore[no-untyped-def]
        with db.atomic():
            db.execute(
                "INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due, first_seen_at, updated_at)"
                " VALUES (1, 'c1', '王小明', '路灯坏了', ?, ?, ?, ?, ?)",
                [to_db(T0), to_db(T0 + timedelta(hours=1)), to_db(T0 + timedelta(days=7)), to_db(T0), to_db(T0)],
            )
            db.execute("INSERT INTO emergencies (title, activated_at) VALUES ('暴雨内涝', ?)", [to_db(T0)])
            rows = [
                ("alert", 1, 1, T0 + timedelta(minutes=10), "[]"),
                ("alert", 1, 2, T0 + timedelta(minutes=20),
                 json.dumps([{"channel": "wecombot://ab****", "ok": True}, {"channel": "mailto://a****", "ok": False, "error": "超时"}])),
                ("comment", 1, 2, T0 + timedelta(minutes=30), "not json"),
                ("emergency", 1, 2, T0 + timedelta(minutes=40), json.dumps([{"channel": "x"}, "stray", 3])),
                ("alert", 1, 3, T0 + timedelta(hours=2), "[]"),  # outside the window
            ]
            for subject, ref_id, step, at, outcome in rows:
                db.execute("INSERT INTO escalations (subject, ref_id, step, at, outcome) VALUES (?, ?, ?, ?, ?)",
                           [subject, ref_id, step, to_db(at), outcome])

    store.call(seed)
    found = store.call(report_store.escalations_in_window, start=T0, end=T0 + timedelta(hours=1))
    assert [(e.subject, e.step) for e in found] == [("alert", 1), ("alert", 2), ("comment", 2), ("emergency", 2)]
    first, second, comment, emergency = found
    assert first.channels == () and first.account_name == "江北发布" and first.category == "privacy" and first.severity is Severity.HIGH
    assert [(c.channel, c.ok, c.error) for c in second.channels] == [("wecombot://ab****", True, ""), ("mailto://a****", False, "超时")]
    assert [c.channel for c in second.failed] == ["mailto://a****"]
    assert comment.channels == () and comment.text == "路灯坏了" and comment.account_name == "江北发布" and comment.category is None
    assert emergency.text == "暴雨内涝" and emergency.account_name == ""
    assert [(c.channel, c.ok) for c in emergency.channels] == [("x", False)]


def test_deferrals_in_a_window_one_entry_per_action(store: Store) -> None:
    store.call(alert_store.record_alerts, [draft(1), draft(2), draft(3)], now=T0)
    until = T0 + timedelta(hours=1)
    store.call(alert_store.defer_selected, AlertFilter(item=(ItemKind.POST, 1)), until=until, officer="张三", note="等回复", now=T0)
    store.call(alert_store.defer_selected, AlertFilter(account_ids=frozenset({1})), until=until + timedelta(minutes=5), officer="李四",
               note="统一处理", now=T0 + timedelta(minutes=5))
    store.call(alert_store.defer_selected, AlertFilter(item=(ItemKind.POST, 3)), until=until, officer="张三", note="later",
               now=T0 + timedelta(hours=3))
    actions = store.call(report_store.deferrals_in_window, start=T0, end=T0 + timedelta(hours=1))
    assert [(a.at, a.officer, a.note, a.until, a.alert_ids) for a in actions] == [
        (T0, "张三", "等回复", until, (1,)),
        (T0 + timedelta(minutes=5), "李四", "统一处理", until + timedelta(minutes=5), (1, 2, 3)),
    ]
