"""Officers' readings of accounts no machine source reads: who needs one, recording one, the
carry-over of the accounts not read this shift, and the ledger covering the reading's facts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import Account, AccountSpec, AccountStatus, Health, Platform
from jb_watchdesk.services import inspections, shifts
from jb_watchdesk.services.inspections import Check
from jb_watchdesk.services.status import needs_reading, read_by_machine
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # 08:00 Shanghai

# id 1..5 in this order
REGISTER = (
    AccountSpec(name="江北快手", platform=Platform.KUAISHOU, source="kuaishou:3xjbq"),
    AccountSpec(name="江北头条", platform=Platform.TOUTIAO),
    AccountSpec(name="江北微视", platform=Platform.WEISHI, source="https://rsshub.example/weishi/1"),
    AccountSpec(name="平安江北", platform=Platform.WECHAT_MP, source="wx1234567890"),
    AccountSpec(name="已注销号", platform=Platform.SHANGYOU, status=AccountStatus.CLOSED),
)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(None) as s:
        s.call(apply_register, list(REGISTER), now=NOW - timedelta(days=30))
        yield s


def _account(platform: Platform, source: str = "", **kwargs: object) -> Account:
    return Account(id=1, name="x", platform=platform, source=source, **kwargs)  # type: ignore[arg-type]


# -- who reads an account ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "machine"),
    [
        (_account(Platform.WECHAT_MP, "wx123"), True),
        (_account(Platform.WEIBO, "https://rsshub.example/weibo/1"), True),
        (_account(Platform.DOUYIN), False),
        (_account(Platform.KUAISHOU, "3xjbq"), False),
        (_account(Platform.KUAISHOU, "https://rsshub.example/kuaishou/3xjbq"), True),
        (_account(Platform.TOUTIAO), False),
        (_account(Platform.SHANGYOU, "上游号:江北"), False),
        (_account(Platform.WEBSITE, "https://www.jiangbei.gov.cn/rss.xml"), True),
        (_account(Platform.WEBSITE, "www.jiangbei.gov.cn"), False),
        # a home page that serves no feed: read by the officer until a feed is read there
        (
            _account(
                Platform.WEBSITE, "https://www.jiangbei.gov.cn/", health=Health.FAILING,
                health_reason="rss.not_a_feed: the address returned an HTML page, not a feed",
            ),
            False,
        ),
        # a feed that timed out is still a machine source
        (_account(Platform.RSS, "https://f/1", health=Health.FAILING, health_reason="rss.timeout: no answer in 20 s"), True),
    ],
)
def test_which_accounts_a_machine_reads(account: Account, machine: bool) -> None:
    assert read_by_machine(account) is machine
    assert needs_reading(account) is (not machine)


def test_a_closed_account_needs_no_reading() -> None:
    assert not needs_reading(_account(Platform.TOUTIAO, status=AccountStatus.CLOSED))
    assert needs_reading(_account(Platform.TOUTIAO, status=AccountStatus.TO_CLOSE))


# -- recording a reading -------------------------------------------------------------------------


def test_a_reading_is_a_manual_inspection_carrying_what_was_seen(store: Store) -> None:
    shifts.start_shift(store, officer="张三", now=NOW)
    reading = inspections.record_reading(
        store, account_id=1, latest_post_at=NOW - timedelta(hours=5), posts_seen=3, comments_waiting=2,
        link=" https://www.kuaishou.com/profile/3xjbq ", now=NOW + timedelta(hours=2),
    )
    assert reading.kind == "manual" and reading.officer == "张三" and reading.shift_id == 1
    assert reading.reading is not None
    assert reading.reading.latest_post_at == NOW - timedelta(hours=5)
    assert (reading.reading.posts_seen, reading.reading.comments_waiting) == (3, 2)
    assert reading.reading.link == "https://www.kuaishou.com/profile/3xjbq"
    assert all(reading.checks[c.value] == inspections.OK for c in Check)
    row = store.query(lambda db: db.execute("SELECT kind, payload FROM ledger ORDER BY seq DESC LIMIT 1").fetchone())
    assert row[0] == audit.READING
    assert '"posts_seen":3' in row[1] and '"comments_waiting":2' in row[1] and "kuaishou.com/profile" in row[1]
    assert store.query(audit.verify).ok


@pytest.mark.parametrize(
    ("column", "value"),
    [("posts_seen", "4"), ("comments_waiting", "0"), ("latest_post_at", "'2026-11-24T00:00:00.000000+00:00'"), ("link", "'https://evil'")],
)
def test_log_verify_catches_an_edited_reading(store: Store, column: str, value: str) -> None:
    shifts.start_shift(store, officer="张三", now=NOW)
    inspections.record_reading(
        store, account_id=1, latest_post_at=NOW - timedelta(hours=5), posts_seen=3, comments_waiting=2,
        link="https://k.example/1", now=NOW + timedelta(hours=1),
    )

    def tamper(db) -> None:  # type: ignore[no-untyped-def]
        db.execute(f"UPDATE inspections SET {column} = {value} WHERE id = 1")  # noqa: S608 - test constants
        db.conn.commit()

    store.call(tamper)
    result = store.query(audit.verify)
    assert not result.ok and result.where.endswith("#1")


def test_without_a_shift_a_reading_names_its_officer(store: Store) -> None:
    with pytest.raises(InputError) as refused:
        inspections.record_reading(store, account_id=1, latest_post_at=NOW - timedelta(hours=1), now=NOW)
    assert refused.value.key == "reading.no_officer"
    reading = inspections.record_reading(store, account_id=1, latest_post_at=NOW - timedelta(hours=1), now=NOW, officer=" 李四 ")
    assert reading.officer == "李四" and reading.shift_id is None


def test_on_shift_only_the_officer_on_duty_records_readings(store: Store) -> None:
    shifts.start_shift(store, officer="张三", now=NOW)
    with pytest.raises(InputError) as refused:
        inspections.record_reading(store, account_id=1, latest_post_at=NOW, now=NOW, officer="李四")
    assert refused.value.key == "reading.not_on_duty"
    assert inspections.record_reading(store, account_id=1, latest_post_at=NOW, now=NOW, officer="张三").officer == "张三"


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"latest_post_at": NOW + timedelta(minutes=6)}, "reading.future"),
        ({"posts_seen": -1}, "reading.bad_count"),
        ({"posts_seen": 100_001}, "reading.bad_count"),
        ({"comments_waiting": 100_001}, "reading.bad_count"),
        ({"link": "javascript:alert(1)"}, "reading.bad_link"),
        ({"link": "ftp://k.example/1"}, "reading.bad_link"),
        ({"link": "https://"}, "reading.bad_link"),
        ({"link": "https://k.example/a b"}, "reading.bad_link"),
        ({"link": "https://k.example/" + "a" * 2_000}, "reading.bad_link"),
        ({"finding": "置顶内容过期"}, "inspect.needs_action"),
    ],
)
def test_bad_readings_are_refused(store: Store, kwargs: dict[str, object], key: str) -> None:
    shifts.start_shift(store, officer="张三", now=NOW - timedelta(hours=1))
    given: dict[str, object] = {"latest_post_at": NOW - timedelta(hours=1), **kwargs}
    with pytest.raises(InputError) as refused:
        inspections.record_reading(store, account_id=1, now=NOW, **given)  # type: ignore[arg-type]
    assert refused.value.key == key
    assert store.query(lambda db: db.execute("SELECT COUNT(*) FROM inspections").fetchone()[0]) == 0


def test_the_edges_of_what_a_reading_accepts(store: Store) -> None:
    shifts.start_shift(store, officer="张三", now=NOW - timedelta(hours=1))
    edge = inspections.record_reading(
        store, account_id=1, latest_post_at=NOW + timedelta(minutes=5), posts_seen=100_000, comments_waiting=0,
        link="HTTP://K.EXAMPLE", now=NOW,
    )
    assert edge.reading is not None
    assert edge.reading.latest_post_at == NOW  # a little clock skew is taken as now
    assert (edge.reading.posts_seen, edge.reading.comments_waiting) == (100_000, 0)


def test_parsing_what_the_officer_typed() -> None:
    assert inspections.parse_reading_time("2026-11-25T02:10") == datetime(2026, 11, 24, 18, 10, tzinfo=UTC)
    assert inspections.parse_reading_time("2026-11-25T02:10+00:00") == datetime(2026, 11, 25, 2, 10, tzinfo=UTC)
    with pytest.raises(InputError):
        inspections.parse_reading_time("昨天")
    assert inspections.parse_count(" 7 ", field_name="posts") == 7
    assert inspections.parse_count("", field_name="posts") is None
    for bad in ("7.5", "七", "1e3", True):
        with pytest.raises(InputError):
            inspections.parse_count(bad, field_name="posts")  # type: ignore[arg-type]


def test_a_reading_corrects_only_a_reading_of_the_same_account(store: Store) -> None:
    shifts.start_shift(store, officer="张三", now=NOW - timedelta(hours=1))
    first = inspections.record_reading(store, account_id=1, latest_post_at=NOW - timedelta(days=2), now=NOW)
    other = inspections.record_inspection(store, account_id=1, checks={}, now=NOW)
    with pytest.raises(InputError) as refused:
        inspections.record_reading(store, account_id=2, latest_post_at=NOW, now=NOW, corrects_id=first.id)
    assert refused.value.key == "inspect.wrong_account"
    with pytest.raises(InputError) as refused:
        inspections.record_reading(store, account_id=1, latest_post_at=NOW, now=NOW, corrects_id=other.id)
    assert refused.value.key == "reading.corrects_not_reading"
    fixed = inspections.record_reading(store, account_id=1, latest_post_at=NOW - timedelta(hours=2), now=NOW, corrects_id=first.id)
    assert fixed.kind == "correction" and fixed.corrects_id == first.id
    assert store.query(audit.verify).ok


# -- the carry-over ------------------------------------------------------------------------------


def test_accounts_not_read_this_shift_are_carried_over_never_read_first(store: Store) -> None:
    shifts.start_shift(store, officer="张三", now=NOW - timedelta(days=1))
    # 江北快手 read in the previous shift, 江北头条 never; 江北微视 and 平安江北 are machine-read;
    # the closed one needs nothing.
    inspections.record_reading(store, account_id=1, latest_post_at=NOW - timedelta(days=1), now=NOW - timedelta(hours=20))
    shifts.end_shift(store, now=NOW - timedelta(hours=12), note="")
    shifts.start_shift(store, officer="李四", now=NOW - timedelta(hours=12))
    carry = shifts.carry_over(store, now=NOW)
    assert [a.name for a in carry.unread_accounts] == ["江北头条", "江北快手"]
    assert all(isinstance(a, Account) for a in carry.unread_accounts)
    assert not carry.empty
    assert carry.summary()["unread_accounts"] == [2, 1]

    inspections.record_reading(store, account_id=2, latest_post_at=NOW - timedelta(days=3), now=NOW + timedelta(minutes=1))
    later = shifts.carry_over(store, now=NOW + timedelta(minutes=2))
    assert [a.name for a in later.unread_accounts] == ["江北快手"]
    # as of before that reading, it is still missing
    assert [a.id for a in shifts.carry_over(store, now=NOW).unread_accounts] == [2, 1]


def test_with_no_shift_the_last_twelve_hours_count(store: Store) -> None:
    inspections.record_reading(store, account_id=1, latest_post_at=NOW - timedelta(days=1), now=NOW - timedelta(hours=11), officer="张三")
    inspections.record_reading(store, account_id=2, latest_post_at=NOW - timedelta(days=1), now=NOW - timedelta(hours=13), officer="张三")
    assert [a.id for a in shifts.unread_accounts(store, now=NOW)] == [2]


def test_ending_a_shift_records_the_unread_accounts_in_the_ledger(store: Store) -> None:
    shifts.start_shift(store, officer="张三", now=NOW - timedelta(hours=12))
    shifts.end_shift(store, now=NOW, note="")
    payload = store.query(lambda db: db.execute("SELECT payload FROM ledger WHERE kind = 'shift_end'").fetchone()[0])
    assert '"unread_accounts":[2,1]' in payload  # both never read: by name
