"""Escalation end to end: a real webhook receiver on loopback, Apprise posting to it, an injected clock.

Nothing before the deadline; the sound step at N minutes (no message); one message at 2N with
what, where and since when, no personal data and no key; nothing more on later ticks, after a
restart, or after the acknowledgement. Backlog and promptly acknowledged alerts never escalate;
a channel that fails is reported and the good one still receives.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jb_watchdesk.domain.alerts import AlertDraft
from jb_watchdesk.domain.models import AccountSpec, ItemKind, Platform
from jb_watchdesk.domain.sensitive import Severity
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.escalation import EscalationPolicy, EscalationReport, EscalationService, Step, Subject
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store

RAISED = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
N = timedelta(minutes=10)
KEY = "hookKEY7f3a9c1e"
LEAKED = "11010519491231002X"


class Webhook:
    """A loopback HTTP server that records every POST (path and JSON body)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, object]]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                received.append((self.path, json.loads(body or b"{}")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook/{KEY}"

    def __enter__(self) -> Webhook:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class FakeClock:
    at: datetime

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with Webhook() as hook:
        yield hook


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(None) as store:
        store.call(apply_register, [AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1")], now=RAISED)
        yield store


def raise_alert(store: Store, item_id: int, *, backlog: bool = False, severity: Severity = Severity.HIGH, at: datetime = RAISED) -> int:
    draft = AlertDraft(
        account_id=1, item_kind=ItemKind.POST, item_id=item_id, category="privacy", severity=severity, rule="pii.id_card",
        text="110105********002X", context="经办人110105********002X", item_field="body", span_start=3, span_end=21,
        masked=True, published_at=at - timedelta(minutes=5), seen_at=at, backlog=backlog,
    )
    (alert_id,) = store.call(alert_store.record_alerts, [draft], now=at)
    return alert_id


def service(store: Store, clock: FakeClock, *urls: str, sound: bool = True) -> EscalationService:
    return EscalationService(
        store=store, clock=clock, channels=lambda: list(urls), policy=EscalationPolicy(after=N, sound=sound), language="zh", timeout_s=10
    )


def check(escalation: EscalationService, clock: FakeClock, at: datetime) -> EscalationReport:
    clock.at = at
    return asyncio.run(escalation.check())


def ledger_escalations(store: Store) -> list[dict[str, object]]:
    start, end = RAISED - timedelta(days=1), RAISED + timedelta(days=1)
    return [row.data() for row in store.call(lambda db: list(audit.rows_between(db, start=start, end=end, kinds=[audit.ESCALATION])))]


def test_an_unacknowledged_high_alert_sounds_then_reaches_the_leader_once(store: Store, webhook: Webhook) -> None:
    alert_id = raise_alert(store, 1)
    clock = FakeClock(RAISED)
    escalation = service(store, clock, webhook.url())

    early = check(escalation, clock, RAISED + N - timedelta(seconds=1))
    assert early.taken == () and early.sounding == () and webhook.received == []

    sound = check(escalation, clock, RAISED + N)
    assert [(t.subject, t.ref_id, t.step) for t in sound.taken] == [(Subject.ALERT, alert_id, Step.SOUND)]
    assert sound.sounding == ((Subject.ALERT, alert_id),)
    assert webhook.received == []
    alert = store.call(alert_store.get_alert, alert_id)
    assert (alert.escalated_at, alert.escalation_step) == (RAISED + N, 1)

    assert check(escalation, clock, RAISED + 2 * N - timedelta(seconds=1)).taken == ()
    message = check(escalation, clock, RAISED + 2 * N)
    assert [(t.ref_id, t.step) for t in message.taken] == [(alert_id, Step.MESSAGE)]
    assert message.failures == () and message.problem == ""
    assert len(webhook.received) == 1
    path, body = webhook.received[0]
    assert path == f"/hook/{KEY}"
    text = f"{body['title']}\n{body['message']}"
    assert "江北发布" in text and "微博" in text  # where
    assert "隐私" in text or "个人信息" in text  # what: the category, named
    assert "2026-11-25 09:55" in text and "2026-11-25 10:00" in text  # published, raised (Shanghai time)
    assert "等待" in text  # the desk is waiting
    assert "002X" not in text and "110105" not in text and LEAKED not in text  # no personal data, masked or not
    assert KEY not in json.dumps(ledger_escalations(store), ensure_ascii=False)

    assert check(escalation, clock, RAISED + 3 * N).taken == ()
    assert check(service(store, clock, webhook.url()), clock, RAISED + 4 * N).taken == ()  # a restart remembers
    assert len(webhook.received) == 1
    steps = ledger_escalations(store)
    assert [(row["subject"], row["ref_id"], row["step"]) for row in steps] == [("alert", alert_id, 1), ("alert", alert_id, 2)]
    assert steps[1]["channels"] == [{"channel": f"json://127.0.0.1:{webhook.port}/***", "ok": True, "error": ""}]

    ops.acknowledge_alert(store, alert_id, officer="张三", note="已通知删除", now=RAISED + 5 * N)
    after_ack = check(escalation, clock, RAISED + 6 * N)
    assert after_ack.taken == () and after_ack.sounding == ()
    assert len(webhook.received) == 1
    assert ops.verify_ledger(store).ok


def test_acknowledged_in_time_backlog_and_medium_alerts_never_escalate(store: Store, webhook: Webhook) -> None:
    prompt = raise_alert(store, 1)
    raise_alert(store, 2, backlog=True)
    raise_alert(store, 3, severity=Severity.MEDIUM)
    clock = FakeClock(RAISED)
    escalation = service(store, clock, webhook.url())
    ops.acknowledge_alert(store, prompt, officer="张三", note="已核实", now=RAISED + N - timedelta(minutes=1))
    for minutes in (10, 20, 30, 60):
        report = check(escalation, clock, RAISED + timedelta(minutes=minutes))
        assert report.taken == () and report.sounding == ()
    assert webhook.received == []
    assert ledger_escalations(store) == []


def test_acknowledging_between_sound_and_message_stops_the_message(store: Store, webhook: Webhook) -> None:
    alert_id = raise_alert(store, 1)
    clock = FakeClock(RAISED)
    escalation = service(store, clock, webhook.url())
    assert check(escalation, clock, RAISED + N).sounding
    ops.acknowledge_alert(store, alert_id, officer="张三", note="已处理", now=RAISED + N + timedelta(minutes=1))
    report = check(escalation, clock, RAISED + 2 * N)
    assert report.taken == () and report.sounding == () and webhook.received == []


def test_deferring_does_not_stop_the_clock(store: Store, webhook: Webhook) -> None:
    alert_id = raise_alert(store, 1)
    ops.defer_alerts(store, ops_selection(alert_id), choice="1h", officer="张三", now=RAISED + timedelta(minutes=1))
    clock = FakeClock(RAISED)
    escalation = service(store, clock, webhook.url())
    assert [t.step for t in check(escalation, clock, RAISED + N).taken] == [Step.SOUND]
    assert [t.step for t in check(escalation, clock, RAISED + 2 * N).taken] == [Step.MESSAGE]
    assert len(webhook.received) == 1


def ops_selection(alert_id: int):  # type: ignore[no-untyped-def]
    from jb_watchdesk.domain.alerts import AlertFilter

    return AlertFilter(item=(ItemKind.POST, alert_id))


def test_a_failing_channel_is_reported_and_the_good_one_still_receives(store: Store, webhook: Webhook) -> None:
    raise_alert(store, 1)
    clock = FakeClock(RAISED)
    dead = f"json://127.0.0.1:{closed_port()}/hook/{KEY}"
    escalation = service(store, clock, dead, webhook.url())
    check(escalation, clock, RAISED + N)
    report = check(escalation, clock, RAISED + 2 * N)
    assert len(webhook.received) == 1
    assert [failure.channel for failure in report.failures] == [f"json://127.0.0.1:{dead.split(':')[2].split('/')[0]}/***"]
    assert report.failures[0].error and KEY not in report.failures[0].error
    assert any("发送失败" in line for line in report.lines("zh"))
    (step,) = [row for row in ledger_escalations(store) if row["step"] == 2]
    assert [channel["ok"] for channel in step["channels"]] == [False, True]  # type: ignore[union-attr, index]
    last = ops_last_message(store)
    assert last is not None and len(last.failed) == 1


def ops_last_message(store: Store):  # type: ignore[no-untyped-def]
    from jb_watchdesk.services.escalation import last_message

    return last_message(store)


def test_without_channels_the_message_step_says_so(store: Store) -> None:
    raise_alert(store, 1)
    clock = FakeClock(RAISED)
    escalation = service(store, clock)
    check(escalation, clock, RAISED + N)
    report = check(escalation, clock, RAISED + 2 * N)
    assert report.problem and "未配置" in report.problem
    assert [t.step for t in report.taken] == [Step.MESSAGE]
    assert check(escalation, clock, RAISED + 3 * N).taken == ()  # once: the leader is not chased every tick


def test_the_sound_switch_silences_but_still_escalates(store: Store, webhook: Webhook) -> None:
    raise_alert(store, 1)
    clock = FakeClock(RAISED)
    escalation = service(store, clock, webhook.url(), sound=False)
    report = check(escalation, clock, RAISED + N)
    assert [t.step for t in report.taken] == [Step.SOUND] and report.sounding == ()
    check(escalation, clock, RAISED + 2 * N)
    assert len(webhook.received) == 1


def test_an_alert_raised_again_after_its_acknowledgement_escalates_afresh(store: Store, webhook: Webhook) -> None:
    alert_id = raise_alert(store, 1)
    clock = FakeClock(RAISED)
    escalation = service(store, clock, webhook.url())
    check(escalation, clock, RAISED + N)
    check(escalation, clock, RAISED + 2 * N)
    ops.acknowledge_alert(store, alert_id, officer="张三", note="已处理", now=RAISED + 3 * N)
    again = RAISED + timedelta(hours=2)
    store.call(lambda db: db.execute(
        "UPDATE alerts SET state = 'new', raised_at = ?, ack_by = NULL, ack_note = NULL, ack_at = NULL, "
        "escalated_at = NULL, escalation_step = 0 WHERE id = ?", [again.isoformat(), alert_id]))  # as storage.alerts reopens one
    assert [t.step for t in check(escalation, clock, again + N).taken] == [Step.SOUND]
    assert [t.step for t in check(escalation, clock, again + 2 * N).taken] == [Step.MESSAGE]
    assert len(webhook.received) == 2


def test_a_message_no_channel_took_is_tried_again_until_one_does(store: Store, webhook: Webhook) -> None:
    alert_id = raise_alert(store, 1)
    clock = FakeClock(RAISED)
    urls: list[str] = [f"json://127.0.0.1:{closed_port()}/hook/{KEY}"]
    escalation = EscalationService(
        store=store, clock=clock, channels=lambda: list(urls), policy=EscalationPolicy(after=N), language="zh", timeout_s=10
    )
    check(escalation, clock, RAISED + N)
    failed = check(escalation, clock, RAISED + 2 * N)
    assert [t.step for t in failed.taken] == [Step.MESSAGE] and failed.failures and webhook.received == []
    # not before another N minutes; then through the channel the officer fixed meanwhile
    urls.append(webhook.url())
    assert check(escalation, clock, RAISED + 2 * N + timedelta(minutes=5)).taken == ()
    assert webhook.received == []
    check(escalation, clock, RAISED + 3 * N)
    assert len(webhook.received) == 1
    # delivered: no more tries; the ledger holds the step and the retry
    check(escalation, clock, RAISED + 5 * N)
    assert len(webhook.received) == 1
    payloads = store.query(lambda db: [json.loads(row[0]) for row in db.execute("SELECT payload FROM ledger WHERE kind = 'escalation'")])
    assert [p["step"] for p in payloads] == [1, 2, 2] and [p.get("retry", False) for p in payloads] == [False, False, True]
    assert any(channel["ok"] for channel in payloads[-1]["channels"])
    assert store.call(alert_store.get_alert, alert_id).escalation_step == Step.MESSAGE


def test_two_checks_at_once_message_the_leader_once(store: Store, webhook: Webhook) -> None:
    raise_alert(store, 1)
    clock = FakeClock(RAISED + N)
    escalation = service(store, clock, webhook.url())
    asyncio.run(escalation.check())
    clock.at = RAISED + 2 * N

    async def both() -> None:
        await asyncio.gather(escalation.check(), escalation.check())

    asyncio.run(both())
    assert len(webhook.received) == 1
