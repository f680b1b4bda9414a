"""The scan service: changed items become alerts, masked, once, off the event loop; lexicon changes."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.connectors.base import FetchedComment, FetchedPost
from jb_watchdesk.domain import rules
from jb_watchdesk.domain.alerts import Alert
from jb_watchdesk.domain.models import AccountSpec, AccountStatus, AlertState, ItemKind, Platform, Visibility
from jb_watchdesk.domain.sensitive import Category, Hit, Scanner, Severity
from jb_watchdesk.domain.workdays import DEFAULT_CALENDAR
from jb_watchdesk.services.poller import PollResult
from jb_watchdesk.services.scanner import (
    LIFECYCLE_RULE,
    PLATFORM_REJECTED_RULE,
    ScanOutcome,
    ScanService,
    lexicon_locations,
    masked_excerpt,
)
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store

DEADLINES = functools.partial(rules.comment_sla, calendar=DEFAULT_CALENDAR)

REGISTERED = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
ID_NUMBER = "11010519491231002X"
LEXICON = """term,category,severity,rule,note
国家秘密,secret,high,secret.state,
代办证件,paid_service,medium,paid.agency,
最高级,advertising,low,ad.grade,
"""


class FixedClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def post(external_id: str, *, title: str = "通知", body: str = "", published: datetime = NOW) -> FetchedPost:
    return FetchedPost(external_id=external_id, title=title, body=body, digest="", url="", published_at=published)


def comment(external_id: str, text: str) -> FetchedComment:
    return FetchedComment(external_id=external_id, post_external_id="", author="市民", text=text, created_at=NOW)


@pytest.fixture
def lexicon_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lexicon"
    folder.mkdir()
    (folder / "office.csv").write_text(LEXICON, encoding="utf-8")
    return folder


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(None) as store:
        store.call(
            apply_register,
            [
                AccountSpec(name="江北发布", platform=Platform.WEIBO, source="1"),
                AccountSpec(name="旧账号", platform=Platform.WEIBO, source="2", status=AccountStatus.CLOSED),
            ],
            now=REGISTERED,
        )
        yield store


@pytest.fixture
def service(store: Store, lexicon_dir: Path) -> Iterator[ScanService]:
    with ScanService(store=store, clock=FixedClock(), locations=[lexicon_dir]) as service:
        yield service


def write(store: Store, *, account_id: int = 1, posts: list[FetchedPost] = (), comments: list[FetchedComment] = ()) -> PollResult:
    result = store.call(
        ingest.record_success, account_id=account_id, posts=list(posts), comments=list(comments), now=NOW, deadlines=DEADLINES
    )
    return PollResult(
        new_posts=tuple(result.new_posts), edited_posts=tuple(result.edited_posts),
        new_comments=tuple(result.new_comments), edited_comments=tuple(result.edited_comments),
    )


def scan(service: ScanService, changes: PollResult) -> ScanOutcome:
    """Scan what is waiting after ``changes`` were written (the marks, not the ids, decide)."""
    del changes
    return asyncio.run(service.scan_pending())


def stored(store: Store) -> dict[str, Alert]:
    return {alert.rule: alert for alert in store.call(alert_store.list_alerts)}


def test_a_post_with_an_id_number_and_a_secrecy_marking_becomes_masked_alerts(store: Store, service: ScanService) -> None:
    changes = write(store, posts=[post("p1", title="绝密★ 会议纪要", body=f"经办人身份证号{ID_NUMBER}，请核对。")])
    outcome = scan(service, changes)
    by_rule = {alert.rule: alert for alert in outcome.raised}
    assert set(by_rule) == {"secret.marking", "pii.id_card"}
    marking, identity = by_rule["secret.marking"], by_rule["pii.id_card"]
    assert (marking.text, marking.severity.value, marking.item_field, marking.span_start, marking.span_end) == (
        "绝密★", "high", "title", 0, 3
    )
    assert identity.text == "110105********002X" and identity.masked
    assert (identity.item_field, identity.span_start, identity.span_end) == ("body", 7, 25)
    assert "110105********002X" in identity.context and ID_NUMBER not in identity.context
    for alert in stored(store).values():
        assert ID_NUMBER not in alert.text + alert.context


def test_reprocessing_the_same_changes_adds_no_duplicates(store: Store, service: ScanService) -> None:
    changes = write(store, posts=[post("p1", body="国家秘密，代办证件")])
    first = scan(service, changes)
    second = scan(service, changes)
    assert len(first.raised) == 2 and second.raised == () and second.items_scanned == 0
    assert len(stored(store)) == 2


def test_an_edited_post_adds_only_its_new_hits(store: Store, service: ScanService) -> None:
    scan(service, write(store, posts=[post("p1", body="国家秘密")]))
    before = stored(store)["secret.state"]
    edited = write(store, posts=[post("p1", body="国家秘密和国家秘密；另可代办证件")])
    assert edited.edited_posts == (1,)
    outcome = scan(service, edited)
    assert [alert.rule for alert in outcome.raised] == ["paid.agency"]
    after = stored(store)["secret.state"]
    # the same alert, not shown again: it now counts what the edited text holds
    assert (after.id, after.raised_at, after.state, after.occurrences) == (before.id, before.raised_at, before.state, 2)


def test_comments_are_scanned_with_utf16_spans(store: Store, service: ScanService) -> None:
    changes = write(store, comments=[comment("c1", "😀😀 你们这是国家秘密吗")])
    (alert,) = scan(service, changes).raised
    assert alert.item_kind is ItemKind.COMMENT and alert.item_field == "text"
    assert (alert.span_start, alert.span_end) == (7, 11)
    assert (alert.span_start_utf16, alert.span_end_utf16) == (9, 13)


def test_the_most_serious_hit_of_a_rule_is_the_one_shown_with_the_count(store: Store, lexicon_dir: Path) -> None:
    (lexicon_dir / "more.csv").write_text("保密文件,secret,high,secret.state,\n", encoding="utf-8")
    with ScanService(store=store, clock=FixedClock(), locations=[lexicon_dir]) as service:
        changes = write(store, posts=[post("p1", title="国 家 秘 密", body="见保密文件")])
        (alert,) = scan(service, changes).raised
    assert (alert.text, alert.item_field, alert.confidence, alert.occurrences) == ("保密文件", "body", 1.0, 2)


def test_the_scan_runs_on_a_worker_thread_not_the_event_loop(
    store: Store, service: ScanService, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    original = Scanner.scan

    def spy(self: Scanner, text: str) -> list[Hit]:
        threads.append(threading.current_thread().name)
        return original(self, text)

    monkeypatch.setattr(Scanner, "scan", spy)
    write(store, posts=[post("p1", body="国家秘密")])

    async def scan() -> str:
        await service.scan_pending()
        return threading.current_thread().name

    loop_thread = asyncio.run(scan())
    assert threads and all(name.startswith("jb-scan") for name in threads)
    assert loop_thread not in threads


def test_a_lexicon_change_resolves_removed_rules_but_keeps_acknowledged_history(
    store: Store, service: ScanService, lexicon_dir: Path
) -> None:
    scan(service, write(store, posts=[post("p1", body="国家秘密"), post("p2", body="代办证件，最高级")]))
    alerts = stored(store)
    acknowledged = store.call(alert_store.acknowledge, alerts["secret.state"].id, officer="张三", note="已核实", now=NOW)
    (lexicon_dir / "office.csv").write_text(
        "term,category,severity,rule,note\n代办证件,paid_service,medium,paid.agency,\n通知,misstatement,low,misc.notice,\n",
        encoding="utf-8",
    )
    assert service.reload() == []
    outcome = asyncio.run(service.rescan_all())
    after = stored(store)
    assert outcome.items_scanned == 2
    assert {alert.rule for alert in outcome.raised} == {"misc.notice"}  # both posts are titled 通知
    assert outcome.resolved == (alerts["ad.grade"].id,)
    assert after["ad.grade"].state is AlertState.RESOLVED
    assert after["secret.state"] == acknowledged
    assert after["paid.agency"].state is AlertState.NEW
    assert asyncio.run(service.rescan_all()).raised == ()


def test_a_new_post_of_a_closed_account_raises_a_lifecycle_alert(store: Store, service: ScanService) -> None:
    changes = write(store, account_id=2, posts=[post("p1", title="联系13800138000 办理", body="")])
    outcome = scan(service, changes)
    (finding,) = [alert for alert in outcome.raised if alert.rule == LIFECYCLE_RULE]
    assert (finding.category, finding.severity.value, finding.account_id, finding.item_id) == ("lifecycle", "medium", 2, 1)
    assert "138****8000" in finding.text and "13800138000" not in finding.text
    # an edit is not a new post, and a post from before the account closed is not a finding
    edited = write(store, account_id=2, posts=[post("p1", title="改过的标题")])
    assert all(alert.rule != LIFECYCLE_RULE for alert in scan(service, edited).raised)
    old = write(store, account_id=2, posts=[post("p0", published=REGISTERED - timedelta(days=1))])
    assert scan(service, old).raised == ()


def test_the_workspace_lexicon_adds_to_the_shipped_one_and_bad_lines_are_reported(store: Store, tmp_path: Path) -> None:
    data_dir = tmp_path / "ws"
    (data_dir / "lexicon").mkdir(parents=True)
    (data_dir / "lexicon" / "mine.csv").write_text("江北特供,advertising,medium,ad.local,\n单,advertising,low,ad.x,\n", encoding="utf-8")
    with ScanService(store=store, clock=FixedClock(), locations=lexicon_locations(data_dir)) as service:
        problems = service.reload()
        assert [(Path(p.file).name, p.line) for p in problems] == [("mine.csv", 2)]
        rules = {hit.rule for hit in service.scanner.scan("江北特供，绝密文件")}
    assert {"ad.local", "secret.document"} <= rules
    assert "ad.local" in service.active_rules and "pii.mobile" in service.active_rules


def test_a_missing_workspace_lexicon_folder_is_not_a_problem(store: Store, tmp_path: Path) -> None:
    with ScanService(store=store, clock=FixedClock(), locations=lexicon_locations(tmp_path / "none")) as service:
        assert asyncio.run(asyncio.to_thread(service.reload)) == []
        assert len(service.scanner.lexicon.terms) > 100


def test_masked_excerpt_never_cuts_personal_data_at_an_edge() -> None:
    text = f"前文{ID_NUMBER}后文\n下一行"
    hit = Hit(start=2, end=20, text=ID_NUMBER, category=Category.PRIVACY, severity=Severity.HIGH, rule="pii.id_card",
              confidence=1.0, masked="110105********002X")
    assert masked_excerpt(text, hits=[hit], start=10, end=12) == "…110105********002X…"
    assert masked_excerpt(text, hits=[hit], start=0, end=4) == "前文110105********002X…"
    assert masked_excerpt(text, hits=[hit], start=0, end=len(text)) == "前文110105********002X后文 下一行"


def test_items_stored_before_a_restart_are_scanned_once_by_the_next_scanner(store: Store, lexicon_dir: Path) -> None:
    # stored, then the process died before the scan: the marks are in the database, not in memory
    write(store, posts=[post("p1", body="国家秘密"), post("p2", body="代办证件")], comments=[comment("c1", "国家秘密吗")])
    with ScanService(store=store, clock=FixedClock(), locations=[lexicon_dir]) as restarted:
        first = asyncio.run(restarted.scan_pending())
        second = asyncio.run(restarted.scan_pending())
    assert first.items_scanned == 3 and len(first.raised) == 3
    assert second.items_scanned == 0 and second.raised == ()
    assert store.call(lambda db: db.execute("SELECT COUNT(*) FROM posts WHERE scanned_at IS NULL").fetchone()[0]) == 0


@pytest.mark.allow_error_log
def test_one_item_whose_scan_fails_stays_marked_and_the_others_go_on(
    store: Store, service: ScanService, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    write(store, posts=[post("p1", body="国家秘密"), post("p2", body="炸了"), post("p3", body="代办证件")])
    original = Scanner.scan

    def fragile(self: Scanner, text: str) -> list[Hit]:
        if text == "炸了":
            raise ValueError("a detector met text nobody foresaw")
        return original(self, text)

    monkeypatch.setattr(Scanner, "scan", fragile)
    with caplog.at_level("ERROR"):
        outcome = asyncio.run(service.scan_pending())
    assert outcome.items_scanned == 2 and {a.rule for a in outcome.raised} == {"secret.state", "paid.agency"}
    assert "post 2" in caplog.text
    left = store.call(lambda db: [r[0] for r in db.execute("SELECT external_id FROM posts WHERE scanned_at IS NULL")])
    assert left == ["p2"]
    monkeypatch.setattr(Scanner, "scan", original)
    assert asyncio.run(service.scan_pending()).items_scanned == 1


def test_an_edit_stored_while_the_old_text_was_scanned_keeps_its_mark(store: Store, service: ScanService) -> None:
    write(store, posts=[post("p1", body="旧文")])
    (item,) = store.call(alert_store.pending_scan_items, kind=ItemKind.POST, limit=10)
    store.call(ingest.record_success, account_id=1, posts=[post("p1", body="国家秘密")], comments=[], now=NOW + timedelta(minutes=1))
    store.call(alert_store.store_scan, [], scanned=[item], now=NOW)
    (raised,) = asyncio.run(service.scan_pending()).raised
    assert raised.rule == "secret.state"


def test_a_post_the_platform_judged_unfit_for_the_public_raises_an_alert(store: Store, service: ScanService) -> None:
    rejected = FetchedPost(
        external_id="v2", title="视频标题", body="", digest="", url="", published_at=NOW, visibility=Visibility.REJECTED
    )
    private = FetchedPost(external_id="v4", title="私密视频", body="", digest="", url="", published_at=NOW, visibility=Visibility.PRIVATE)
    write(store, posts=[rejected, private])
    (alert,) = asyncio.run(service.scan_pending()).raised
    assert (alert.rule, alert.category, alert.severity.value, alert.item_id) == (PLATFORM_REJECTED_RULE, "platform", "medium", 1)
    assert alert.text == "视频标题"


def test_a_rescan_keeps_the_alerts_of_every_detector(store: Store, service: ScanService) -> None:
    scan(service, write(store, posts=[post("p1", body="我家住鲤鱼池路68号3单元602，本店特价，全城最低价")]))
    before = stored(store)
    assert {"pii.address", "ad.absolute"} <= set(before)
    outcome = asyncio.run(service.rescan_all())
    assert outcome.resolved == ()
    assert all(alert.state is AlertState.NEW for alert in stored(store).values())


def test_an_edit_that_makes_a_hit_worse_raises_a_new_alert(store: Store, lexicon_dir: Path) -> None:
    (lexicon_dir / "office.csv").write_text("term,category,severity,rule,note\n刷单返利,paid_service,high,paid.fraud,\n", encoding="utf-8")
    with ScanService(store=store, clock=FixedClock(), locations=[lexicon_dir]) as service:
        scan(service, write(store, posts=[post("p1", body="警惕刷单返利骗局。")]))
        (warned,) = stored(store).values()
        assert warned.severity is Severity.LOW and "降级" in warned.reason
        store.call(alert_store.acknowledge, warned.id, officer="张三", note="反诈提醒，无需处理", now=NOW)
        outcome = scan(service, write(store, posts=[post("p1", body="兼职刷单返利，日结，有意者私聊。")]))
    (raised,) = outcome.raised
    # a new alert: the acknowledged one is history and keeps what the officer signed for
    assert raised.id != warned.id
    assert (raised.severity, raised.state, raised.ack_by) == (Severity.HIGH, AlertState.NEW, None)
    assert "降级" not in raised.reason
    kept = store.call(alert_store.get_alert, warned.id)
    assert (kept.state, kept.ack_by, kept.ack_note) == (AlertState.ACKNOWLEDGED, "张三", "反诈提醒，无需处理")


# -- backlog and one hit per thing ----------------------------------------------------------


def _write_at(store: Store, when: datetime, posts: list[FetchedPost]) -> None:
    store.call(ingest.record_success, account_id=1, posts=posts, comments=[], now=when, deadlines=DEADLINES)


def test_the_first_poll_and_old_items_raise_backlog_and_new_items_on_a_known_account_live(
    store: Store, service: ScanService
) -> None:
    first = NOW - timedelta(hours=2)
    _write_at(store, first, [post("old", body="国家秘密", published=NOW - timedelta(days=60))])
    _write_at(store, NOW, [post("new", body="国家秘密", published=NOW - timedelta(minutes=5)),
                           post("stale", body="国家秘密", published=NOW - timedelta(hours=30))])
    asyncio.run(service.scan_pending())
    by_post = {alert.item_id: alert for alert in store.call(alert_store.list_alerts)}
    assert {item_id: alert.backlog for item_id, alert in by_post.items()} == {1: True, 2: False, 3: True}
    live = by_post[2]
    assert (live.published_at, live.seen_at) == (NOW - timedelta(minutes=5), NOW)


def test_a_label_and_the_number_it_names_are_one_hit_of_one_alert(store: Store, service: ScanService) -> None:
    scan(service, write(store, posts=[post("p1", body=f"联系人张三，身份证号码{ID_NUMBER}，电话13812345678")]))
    (alert,) = store.call(alert_store.list_alerts)
    assert (alert.category, alert.rule, alert.severity) == ("privacy", "pii.id_card", Severity.HIGH)
    assert ID_NUMBER not in alert.text and all(ID_NUMBER not in hit.text for hit in alert.hits)
    assert "privacy.cue" not in {hit.rule for hit in alert.hits}
    assert {hit.rule for hit in alert.hits} == {"pii.id_card", "pii.mobile"}


def test_fold_cues_keeps_a_label_far_from_any_number_and_other_categories() -> None:
    from jb_watchdesk.services.scanner import fold_cues

    def hit(start: int, end: int, *, rule: str, term: str | None, category: Category = Category.PRIVACY) -> Hit:
        return Hit(start=start, end=end, text="x" * (end - start), category=category, severity=Severity.MEDIUM,
                   rule=rule, confidence=1.0, term=term)

    number = hit(11, 29, rule="pii.id_card", term=None)
    touching = hit(6, 11, rule="privacy.cue", term="身份证号码")
    colon = hit(4, 9, rule="privacy.cue", term="身份证号")  # "身份证号：" then the number
    far = hit(40, 45, rule="privacy.cue", term="身份证号码")
    advert = hit(8, 11, rule="ad.grade", term="最高级", category=Category.ADVERTISING)
    assert fold_cues([touching, number, far, advert]) == [number, far, advert]
    assert fold_cues([colon, number]) == [number]
    assert fold_cues([touching, far]) == [touching, far]
    chained = hit(3, 6, rule="privacy.cue", term="联系人")  # "联系人身份证号码1101…": labels in a row
    assert fold_cues([chained, touching, number]) == [number]


def test_an_edit_seen_live_on_an_old_post_is_news_and_a_lexicon_rescan_of_old_posts_is_not(
    store: Store, service: ScanService
) -> None:
    _write_at(store, NOW - timedelta(days=3), [post("p1", body="国家秘密", published=NOW - timedelta(days=40))])
    asyncio.run(service.scan_pending())
    (old,) = store.call(alert_store.list_alerts)
    assert old.backlog
    _write_at(store, NOW, [post("p1", body="国家秘密；另可代办证件", published=NOW - timedelta(days=40))])
    asyncio.run(service.scan_pending())
    by_rule = stored(store)
    assert by_rule["paid.agency"].backlog is False  # the edit added it today: news
    assert by_rule["secret.state"].backlog is True
    # a week later a rescan (a lexicon change) finds nothing new; had it found a hit, a post a week
    # old is not news
    service._clock.current = NOW + timedelta(days=7)  # type: ignore[attr-defined]  # noqa: SLF001
    outcome = asyncio.run(service.rescan_all())
    assert all(alert.backlog for alert in outcome.raised)


def test_is_backlog_rules() -> None:
    from jb_watchdesk.domain.alerts import is_backlog

    first = NOW - timedelta(days=2)
    assert is_backlog(published_at=NOW, seen_at=first, first_polled_at=first, now=NOW)  # read by the first poll
    assert is_backlog(published_at=NOW, seen_at=NOW, first_polled_at=None, now=NOW)  # the first poll itself
    assert not is_backlog(published_at=NOW - timedelta(hours=1), seen_at=NOW, first_polled_at=first, now=NOW)
    assert is_backlog(published_at=NOW - timedelta(hours=25), seen_at=NOW, first_polled_at=first, now=NOW)
    assert is_backlog(published_at=NOW - timedelta(hours=1), seen_at=NOW, first_polled_at=first, now=NOW + timedelta(hours=25))
    edited = NOW - timedelta(minutes=5)
    assert not is_backlog(published_at=NOW - timedelta(days=30), seen_at=first, first_polled_at=first, now=NOW, changed_at=edited)
