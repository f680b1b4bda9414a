"""The escalation rule (pure), channel masking, the message's words, and what the store offers it:
comments past their hour and emergencies past their two hours, backlog left out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.services.escalation import (
    EscalationPolicy,
    EscalationService,
    Step,
    Subject,
    compose,
    mask_channel,
    parse_channels,
    scrub,
)
from jb_watchdesk.storage import escalations as escalation_store
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.escalations import Open

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
N = timedelta(minutes=10)
POLICY = EscalationPolicy(after=N)


def thing(subject: str = "alert", *, step: int = 0, step_at: datetime | None = None, started: datetime = T0) -> Open:
    return Open(subject=subject, ref_id=1, started=started, step=step, step_at=step_at, since=started,
                account="江北发布", platform="weibo", what="privacy", severity="high")


def test_alert_steps_fall_due_at_n_then_n_after_the_sound() -> None:
    assert POLICY.next_step(thing(), now=T0 + N - timedelta(seconds=1)) is None
    assert POLICY.next_step(thing(), now=T0 + N) is Step.SOUND
    sounded = thing(step=1, step_at=T0 + N)
    assert POLICY.next_step(sounded, now=T0 + 2 * N - timedelta(seconds=1)) is None
    assert POLICY.next_step(sounded, now=T0 + 2 * N) is Step.MESSAGE
    assert POLICY.next_step(thing(step=2, step_at=T0 + N), now=T0 + timedelta(days=1)) is None


def test_a_desk_closed_past_both_deadlines_still_sounds_first() -> None:
    late = T0 + timedelta(hours=5)
    assert POLICY.next_step(thing(), now=late) is Step.SOUND
    assert POLICY.next_step(thing(step=1, step_at=late), now=late) is None


def test_comment_and_emergency_deadlines() -> None:
    assert POLICY.deadline(thing("comment")) == T0 + timedelta(hours=1)
    assert POLICY.deadline(thing("emergency")) == T0 + timedelta(hours=2)
    assert POLICY.next_step(thing("comment"), now=T0 + timedelta(minutes=59)) is None
    assert POLICY.next_step(thing("comment"), now=T0 + timedelta(hours=1)) is Step.SOUND


def test_the_sound_lasts_until_acknowledged_for_alerts_and_comments_until_told_for_plans() -> None:
    assert POLICY.sounds_for(thing(), step=2) and POLICY.sounds_for(thing("comment"), step=2)
    assert POLICY.sounds_for(thing("emergency"), step=1) and not POLICY.sounds_for(thing("emergency"), step=2)
    assert not POLICY.sounds_for(thing(), step=0)
    assert not EscalationPolicy(after=N, sound=False).sounds_for(thing(), step=1)


@given(minutes=st.integers(min_value=1, max_value=600), offset=st.integers(min_value=0, max_value=100_000))
def test_never_two_steps_in_one_turn_and_never_a_message_before_2n(minutes: int, offset: int) -> None:
    policy = EscalationPolicy(after=timedelta(minutes=minutes))
    now = T0 + timedelta(seconds=offset)
    first = policy.next_step(thing(), now=now)
    if first is Step.SOUND:
        assert policy.next_step(thing(step=1, step_at=now), now=now) is None
    assert policy.next_step(thing(step=1, step_at=now), now=now + policy.after) is Step.MESSAGE
    assert now + policy.after >= T0 + 2 * policy.after or first is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("wecombot://Zq9secretTOKEN42", "wecombot://Zq***"),
        ("dingtalk://abc", "dingtalk://***"),
        ("json://user:pw@127.0.0.1:8080/hook/KEY", "json://***@127.0.0.1:8080/***"),
        ("mailtos://me:pass@smtp.example.com?to=leader@example.com", "mailtos://***@smtp.example.com/***"),
        ("feishu://TOKEN12345/SECRET", "feishu://TO***/***"),
        ("not a url", "***"),
    ],
)
def test_channels_are_shown_with_keys_masked(url: str, shown: str) -> None:
    assert mask_channel(url) == shown


def test_a_reason_is_scrubbed_of_the_address_keys() -> None:
    url = "json://ops:Pw0rdSecret@127.0.0.1:8080/hook/KEY123"
    text = scrub("failed to post to 127.0.0.1:8080/hook/KEY123 as ops:Pw0rdSecret", url)
    assert "KEY123" not in text and "Pw0rdSecret" not in text and "127.0.0.1" in text


def test_parse_skips_blanks_and_comments_and_names_a_bad_line() -> None:
    assert parse_channels("# group\n\n wecombot://abcdef \nwecombot://abcdef\n") == ["wecombot://abcdef"]
    with pytest.raises(InputError) as refused:
        parse_channels("wecombot://abcdef\nhttp//oops-SECRET\n")
    assert refused.value.params["line"] == 2 and "SECRET" not in str(refused.value)


def test_a_message_names_what_where_since_when_and_counts_the_rest() -> None:
    things = [thing(), thing("comment"), *[thing() for _ in range(11)]]
    title, body = compose(things, policy=POLICY, language="en")
    assert "13" in title
    assert "high alert (personal data): 江北发布 (Weibo), published 2026-11-25 10:00" in body
    assert "2026-11-25 10:00" in body and "and 3 more" in body and body.endswith("The duty desk is waiting for someone to act.")
    _, chinese = compose(things[:1], policy=POLICY, language="zh")
    assert "值班台正在等待处理" in chinese and "新浪微博" in chinese


# -- what the store offers ------------------------------------------------------------------------


@pytest.fixture
def store():  # type: ignore[no-untyped-def]
    with Store(None) as store:
        store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1")], now=T0)
        store.call(lambda db: db.execute("UPDATE accounts SET first_polled_at = ?", [(T0 - timedelta(days=3)).isoformat()]))
        yield store


def add_comment(store: Store, external_id: str, *, created: datetime, seen: datetime, acked: datetime | None = None) -> int:
    def insert(db) -> int:  # type: ignore[no-untyped-def]
        cursor = db.execute(
            "INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due, first_seen_at, "
            "updated_at, acked_at) VALUES (1, ?, '市民', '路灯坏了', ?, ?, ?, ?, ?, ?)",
            [external_id, created.isoformat(), (created + timedelta(hours=1)).isoformat(),
             (created + timedelta(days=7)).isoformat(), seen.isoformat(), seen.isoformat(), acked and acked.isoformat()],
        )
        return int(cursor.lastrowid)

    return store.call(insert)


def test_overdue_comments_escalate_unless_acknowledged_or_backlog(store: Store) -> None:
    live = add_comment(store, "live", created=T0, seen=T0 + timedelta(minutes=5))
    add_comment(store, "acked", created=T0, seen=T0 + timedelta(minutes=5), acked=T0 + timedelta(minutes=30))
    add_comment(store, "old", created=T0 - timedelta(days=3), seen=T0)  # over a day old when first seen
    add_comment(store, "first", created=T0 - timedelta(days=3, minutes=10), seen=T0 - timedelta(days=3))  # the first poll
    assert store.call(escalation_store.open_comments, due_by=T0 + timedelta(minutes=59)) == []
    assert [c.ref_id for c in store.call(escalation_store.open_comments, due_by=T0 + timedelta(hours=1))] == [live]


def test_an_emergency_without_its_first_post_escalates_and_stops_sounding_once_told(store: Store) -> None:
    @dataclass
    class Clock:
        at: datetime

        def now(self) -> datetime:
            return self.at

    emergency = store.call(
        lambda db: int(db.execute("INSERT INTO emergencies (title, activated_at) VALUES ('观音桥暴雨内涝', ?)", [T0.isoformat()]).lastrowid)
    )
    clock = Clock(T0 + timedelta(hours=2) - timedelta(seconds=1))
    sent: list[list[str]] = []
    service = EscalationService(store=store, clock=clock, channels=lambda: sent.append([]) or [], policy=POLICY)
    assert asyncio.run(service.check()).taken == ()
    clock.at = T0 + timedelta(hours=2)
    report = asyncio.run(service.check())
    assert [(t.subject, t.ref_id, t.step) for t in report.taken] == [(Subject.EMERGENCY, emergency, Step.SOUND)]
    assert report.sounding == ((Subject.EMERGENCY, emergency),) and "观音桥暴雨内涝" in report.taken[0].line
    clock.at = T0 + timedelta(hours=2) + N
    report = asyncio.run(service.check())
    assert [t.step for t in report.taken] == [Step.MESSAGE] and report.sounding == () and report.problem
    assert len(sent) == 1
