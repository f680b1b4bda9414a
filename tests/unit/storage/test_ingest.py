from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.connectors.base import FetchedComment, FetchedPost
from jb_watchdesk.domain import rules
from jb_watchdesk.domain.models import CONTENT_ID_PREFIX, AccountSpec, Health, Platform, Visibility
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.domain.workdays import DEFAULT_CALENDAR
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage.accounts import apply_register, get_account
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

DEADLINES = functools.partial(rules.comment_sla, calendar=DEFAULT_CALENDAR)

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def post(external_id: str, *, title: str = "标题", body: str = "正文", deleted: bool = False, hours_ago: int = 1) -> FetchedPost:
    return FetchedPost(
        external_id=external_id, title=title, body=body, digest="", url="https://example.gov.cn/p",
        published_at=NOW - timedelta(hours=hours_ago), deleted=deleted,
    )


def comment(external_id: str, *, replied: bool = False, text: str = "请问办事时间？") -> FetchedComment:
    return FetchedComment(
        external_id=external_id, post_external_id="p1", author="市民", text=text,
        created_at=datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI), replied=replied,
        replied_at=datetime(2026, 9, 30, 15, 30, tzinfo=SHANGHAI) if replied else None,
    )


@pytest.fixture
def store():
    with Store(None) as store:
        store.call(apply_register, [AccountSpec(name="平安江北", platform=Platform.WEIBO, source="1234567890")], now=NOW)
        yield store


def rows(store: Store, sql: str) -> list[dict]:
    return store.call(lambda db: list(db.query(sql)))


def test_refetching_updates_never_duplicates(store: Store) -> None:
    first = store.call(ingest.record_success, account_id=1, posts=[post("p1"), post("p2")], comments=[], now=NOW)
    again = store.call(ingest.record_success, account_id=1, posts=[post("p1"), post("p2")], comments=[], now=NOW)
    assert len(first.new_posts) == 2 and again.new_posts == [] and again.edited_posts == []
    assert len(rows(store, "SELECT id FROM posts")) == 2


def test_edits_are_kept_as_versions(store: Store) -> None:
    store.call(ingest.record_success, account_id=1, posts=[post("p1", body="原文")], comments=[], now=NOW)
    write = store.call(ingest.record_success, account_id=1, posts=[post("p1", body="改后")], comments=[], now=NOW)
    assert write.edited_posts == [1]
    assert rows(store, "SELECT body, edit_count FROM posts") == [{"body": "改后", "edit_count": 1}]
    assert [r["body"] for r in rows(store, "SELECT body FROM post_versions")] == ["原文"]


def test_deleted_posts_are_marked_not_removed(store: Store) -> None:
    store.call(ingest.record_success, account_id=1, posts=[post("p1")], comments=[], now=NOW)
    write = store.call(ingest.record_success, account_id=1, posts=[post("p1", deleted=True)], comments=[], now=NOW)
    assert write.deleted_posts == [1]
    assert rows(store, "SELECT deleted_at IS NOT NULL AS gone FROM posts") == [{"gone": 1}]


def test_comments_get_their_deadlines_and_platform_replies_close_them(store: Store) -> None:
    store.call(
        ingest.record_success, account_id=1, posts=[post("p1")], comments=[comment("c1"), comment("c2", replied=True)], now=NOW,
        deadlines=DEADLINES,
    )
    found = {r["external_id"]: r for r in rows(store, "SELECT * FROM comments")}
    assert found["c1"]["post_id"] == 1
    assert found["c1"]["ack_due"] == "2026-09-30T08:00:00.000000+00:00"  # 16:00 Shanghai
    assert found["c1"]["result_due"] == "2026-10-13T07:00:00.000000+00:00"  # after National Day, 15:00 Shanghai
    assert found["c1"]["done_at"] is None
    assert found["c2"]["done_by"] == ingest.PLATFORM_REPLY and found["c2"]["acked_at"] == "2026-09-30T07:30:00.000000+00:00"
    # a later reply on the platform closes the first one too
    store.call(ingest.record_success, account_id=1, posts=[], comments=[comment("c1", replied=True)], now=NOW, deadlines=DEADLINES)
    assert rows(store, "SELECT done_by FROM comments WHERE external_id = 'c1'") == [{"done_by": ingest.PLATFORM_REPLY}]


def test_an_account_is_written_all_or_nothing(store: Store) -> None:
    class Exploding:
        external_id = "boom"
        title = body = digest = url = ""
        deleted = date_estimated = False
        visibility = "public"

        @property
        def published_at(self) -> datetime:
            raise RuntimeError("the process died halfway")

    with pytest.raises(RuntimeError):
        store.call(ingest.record_success, account_id=1, posts=[post("p1"), Exploding()], comments=[], now=NOW)
    assert rows(store, "SELECT COUNT(*) AS n FROM posts") == [{"n": 0}]
    assert store.call(get_account, 1).health is Health.NEVER_POLLED


def test_health_changes_are_recorded_with_their_start(store: Store) -> None:
    failed = store.call(ingest.record_failure, account_id=1, health=Health.AUTH_EXPIRED, reason="weibo.21327: expired", now=NOW)
    assert (failed.previous_health, failed.health) == (Health.NEVER_POLLED, Health.AUTH_EXPIRED)
    account = store.call(get_account, 1)
    assert account.health is Health.AUTH_EXPIRED and account.health_since == NOW and account.first_polled_at is None
    later = NOW + timedelta(minutes=10)
    store.call(ingest.record_failure, account_id=1, health=Health.AUTH_EXPIRED, reason="again", now=later)
    assert store.call(get_account, 1).health_since == NOW  # still the same episode
    store.call(ingest.record_success, account_id=1, posts=[], comments=[], now=later)
    account = store.call(get_account, 1)
    assert account.health is Health.OK and account.health_since == later and account.first_polled_at == later


def dated(external_id: str, published_at: datetime, *, estimated: bool = False, **kwargs: object) -> FetchedPost:
    return FetchedPost(
        external_id=external_id, title=str(kwargs.get("title", "标题")), body="正文", digest="",
        url="https://example.gov.cn/p", published_at=published_at, date_estimated=estimated,
        visibility=kwargs.get("visibility", Visibility.PUBLIC),  # type: ignore[arg-type]
    )


def test_a_batch_that_repeats_an_id_is_stored_once(store: Store) -> None:
    # page- and offset-paged APIs repeat items when new ones arrive during paging
    batch = [post("p1"), post("p2"), post("p1", body="正文（第二页）"), post("p2")]
    write = store.call(
        ingest.record_success, account_id=1, posts=batch, comments=[comment("c1"), comment("c1", replied=True), comment("c1")], now=NOW,
        deadlines=DEADLINES,
    )
    assert len(write.new_posts) == 2 and len(write.new_comments) == 1
    assert rows(store, "SELECT external_id, body FROM posts ORDER BY id") == [
        {"external_id": "p1", "body": "正文（第二页）"}, {"external_id": "p2", "body": "正文"}
    ]
    # the copy that shows the account's reply wins over the ones read before the reply
    assert rows(store, "SELECT done_by FROM comments") == [{"done_by": ingest.PLATFORM_REPLY}]


def test_a_real_date_beats_an_estimated_copy_in_the_same_batch(store: Store) -> None:
    real = NOW - timedelta(days=3)
    store.call(ingest.record_success, account_id=1, posts=[dated("p1", real), dated("p1", NOW, estimated=True)], comments=[], now=NOW)
    assert rows(store, "SELECT published_at, date_estimated FROM posts") == [{"published_at": to_db(real), "date_estimated": 0}]


def test_a_later_better_date_corrects_the_stored_one(store: Store) -> None:
    store.call(ingest.record_success, account_id=1, posts=[dated("p1", NOW, estimated=True)], comments=[], now=NOW)
    assert rows(store, "SELECT date_estimated FROM posts") == [{"date_estimated": 1}]
    later = NOW + timedelta(hours=1)
    # an undated re-read leaves the estimate as it was
    store.call(ingest.record_success, account_id=1, posts=[dated("p1", later, estimated=True)], comments=[], now=later)
    assert rows(store, "SELECT published_at FROM posts") == [{"published_at": to_db(NOW)}]
    real = NOW - timedelta(days=2)
    write = store.call(ingest.record_success, account_id=1, posts=[dated("p1", real)], comments=[], now=later)
    assert write.edited_posts == []  # a date is not an edit of the text
    assert rows(store, "SELECT published_at, date_estimated FROM posts") == [{"published_at": to_db(real), "date_estimated": 0}]
    corrected = real + timedelta(hours=8)
    store.call(ingest.record_success, account_id=1, posts=[dated("p1", corrected)], comments=[], now=later)
    assert rows(store, "SELECT published_at FROM posts") == [{"published_at": to_db(corrected)}]
    # and an estimate never replaces a real date
    store.call(ingest.record_success, account_id=1, posts=[dated("p1", later, estimated=True)], comments=[], now=later)
    assert rows(store, "SELECT published_at, date_estimated FROM posts") == [{"published_at": to_db(corrected), "date_estimated": 0}]


def test_a_post_is_never_published_after_the_desk_first_saw_it(store: Store) -> None:
    # Beijing time labelled GMT: the newest post looks 8 hours in the future
    future = NOW + timedelta(hours=8)
    store.call(ingest.record_success, account_id=1, posts=[dated("p1", future)], comments=[], now=NOW)
    assert rows(store, "SELECT published_at, first_seen_at FROM posts") == [{"published_at": to_db(NOW), "first_seen_at": to_db(NOW)}]
    # once the stated time has passed, re-reading it must not move the post later than first seen
    store.call(ingest.record_success, account_id=1, posts=[dated("p1", future)], comments=[], now=NOW + timedelta(hours=9))
    assert rows(store, "SELECT published_at FROM posts") == [{"published_at": to_db(NOW)}]


def test_every_new_or_changed_item_is_marked_to_scan(store: Store) -> None:
    store.call(ingest.record_success, account_id=1, posts=[post("p1")], comments=[comment("c1")], now=NOW, deadlines=DEADLINES)
    assert rows(store, "SELECT scanned_at FROM posts UNION ALL SELECT scanned_at FROM comments") == [{"scanned_at": None}] * 2
    store.call(lambda db: db.execute("UPDATE posts SET scanned_at = updated_at"))
    store.call(lambda db: db.execute("UPDATE comments SET scanned_at = updated_at"))
    store.call(ingest.record_success, account_id=1, posts=[post("p1")], comments=[comment("c1")], now=NOW, deadlines=DEADLINES)
    assert rows(store, "SELECT COUNT(*) AS n FROM posts WHERE scanned_at IS NULL") == [{"n": 0}]  # unchanged: not again
    store.call(
        ingest.record_success, account_id=1, posts=[post("p1", body="改了")], comments=[comment("c1", text="改了")], now=NOW,
        deadlines=DEADLINES,
    )
    assert rows(store, "SELECT scanned_at FROM posts UNION ALL SELECT scanned_at FROM comments") == [{"scanned_at": None}] * 2


def test_visibility_is_stored_and_a_change_is_scanned_again(store: Store) -> None:
    store.call(ingest.record_success, account_id=1, posts=[dated("v1", NOW, visibility=Visibility.REVIEWING)], comments=[], now=NOW)
    store.call(lambda db: db.execute("UPDATE posts SET scanned_at = updated_at"))
    store.call(ingest.record_success, account_id=1, posts=[dated("v1", NOW, visibility=Visibility.REJECTED)], comments=[], now=NOW)
    assert rows(store, "SELECT visibility, scanned_at FROM posts") == [{"visibility": "rejected", "scanned_at": None}]


def test_text_arrives_clean_whatever_the_platform_sent(store: Store) -> None:
    broken = FetchedPost(
        external_id="5030000000000101", title="暴雨预警\ud83d", body="请注意\ufffe出行安全\x00\ud83d", digest="",
        url="https://weibo.com/1/5030000000000101", published_at=NOW,
    )
    store.call(
        ingest.record_success, account_id=1, posts=[broken], comments=[comment("c1", text="问\ud83d\x07")], now=NOW, deadlines=DEADLINES
    )
    assert rows(store, "SELECT title, body FROM posts") == [{"title": "暴雨预警\ufffd", "body": "请注意出行安全\ufffd"}]
    assert rows(store, "SELECT text FROM comments") == [{"text": "问\ufffd"}]


def hashed(title: str, *, url: str, published_at: datetime, suffix: str) -> FetchedPost:
    return FetchedPost(
        external_id=f"{CONTENT_ID_PREFIX}{suffix}", title=title, body="正文", digest="", url=url, published_at=published_at,
    )


def test_a_feed_item_whose_content_id_changes_is_still_one_post(store: Store) -> None:
    day = NOW - timedelta(days=2)
    # a feed without guids, with every item's link pointing at the channel, and Beijing time labelled GMT
    first = [
        hashed("防汛通知", url="https://x.gov.cn/index.html", published_at=day + timedelta(hours=8), suffix="a"),
        hashed("今日天气", url="https://x.gov.cn/index.html", published_at=day + timedelta(hours=8), suffix="b"),
    ]
    store.call(ingest.record_success, account_id=1, posts=first, comments=[], now=NOW)
    # the site mends its feed: real guids, real links, real times
    mended = [
        FetchedPost(external_id="guid-1", title="防汛通知", body="正文", digest="", url="https://x.gov.cn/1.html", published_at=day),
        FetchedPost(external_id="guid-2", title="今日天气", body="正文", digest="", url="https://x.gov.cn/2.html", published_at=day),
        # the same title a day later is another post
        FetchedPost(
            external_id="guid-3", title="今日天气", body="正文", digest="", url="https://x.gov.cn/3.html",
            published_at=day + timedelta(days=1),
        ),
    ]
    write = store.call(ingest.record_success, account_id=1, posts=mended, comments=[], now=NOW)
    assert len(write.new_posts) == 1
    assert rows(store, "SELECT external_id, url, published_at FROM posts ORDER BY id") == [
        {"external_id": "guid-1", "url": "https://x.gov.cn/1.html", "published_at": to_db(day)},
        {"external_id": "guid-2", "url": "https://x.gov.cn/2.html", "published_at": to_db(day)},
        {"external_id": "guid-3", "url": "https://x.gov.cn/3.html", "published_at": to_db(day + timedelta(days=1))},
    ]


def test_posts_with_real_ids_are_never_merged_by_title(store: Store) -> None:
    day = NOW - timedelta(days=2)
    posts = [
        FetchedPost(external_id=f"id-{n}", title="每日播报", body="", digest="", url="https://x.gov.cn/", published_at=day)
        for n in range(3)
    ]
    store.call(ingest.record_success, account_id=1, posts=posts[:1], comments=[], now=NOW)
    # the first one is still in the feed: the others are other posts, however alike
    store.call(ingest.record_success, account_id=1, posts=posts, comments=[], now=NOW)
    assert rows(store, "SELECT COUNT(*) AS n FROM posts") == [{"n": 3}]
    later = [
        FetchedPost(
            external_id=f"id-{n}", title="每日播报", body="", digest="", url="https://x.gov.cn/", published_at=day + timedelta(hours=n)
        )
        for n in (3, 4)
    ]
    # a day's later editions under the same title and link are new posts, not renamed old ones
    write = store.call(ingest.record_success, account_id=1, posts=later, comments=[], now=NOW)
    assert len(write.new_posts) == 2


def test_a_route_update_that_renames_every_guid_keeps_one_post_each(store: Store) -> None:
    day = NOW - timedelta(days=1)
    before = [
        FetchedPost(
            external_id=f"mp-{n}", title=f"第{n}篇", body="正文", digest="", url=f"https://mp.weixin.qq.com/s/{n}", published_at=day
        )
        for n in (1, 2)
    ]
    after = [
        FetchedPost(
            external_id=f"https://mp.weixin.qq.com/s/{n}", title=f"第{n}篇", body="正文", digest="",
            url=f"https://mp.weixin.qq.com/s/{n}", published_at=day,
        )
        for n in (1, 2)
    ]
    store.call(ingest.record_success, account_id=1, posts=before, comments=[], now=NOW)
    write = store.call(ingest.record_success, account_id=1, posts=after, comments=[], now=NOW)
    assert write.new_posts == [] and write.edited_posts == []
    assert [r["external_id"] for r in rows(store, "SELECT external_id FROM posts ORDER BY id")] == [p.external_id for p in after]


def test_a_new_day_under_the_same_title_and_homepage_link_is_a_new_post(store: Store) -> None:
    # a feed without guids whose items all link to the homepage under one title: yesterday's item left the feed
    yesterday = hashed("每日播报", url="https://x.gov.cn/", published_at=NOW - timedelta(days=1), suffix="y")
    today = hashed("每日播报", url="https://x.gov.cn/", published_at=NOW - timedelta(hours=1), suffix="t")
    store.call(ingest.record_success, account_id=1, posts=[yesterday], comments=[], now=NOW)
    write = store.call(ingest.record_success, account_id=1, posts=[today], comments=[], now=NOW)
    assert len(write.new_posts) == 1 and write.edited_posts == []
    assert rows(store, "SELECT COUNT(*) AS n FROM posts") == [{"n": 2}]


def test_a_link_that_changes_on_every_read_is_not_an_edit(store: Store) -> None:
    for n in range(3):
        tracked = FetchedPost(external_id="p1", title="标题", body="正文", digest="", url=f"https://x.gov.cn/a?t={n}", published_at=NOW)
        write = store.call(ingest.record_success, account_id=1, posts=[tracked], comments=[], now=NOW)
        assert write.edited_posts == []
    assert rows(store, "SELECT url, edit_count FROM posts") == [{"url": "https://x.gov.cn/a?t=2", "edit_count": 0}]
    assert rows(store, "SELECT COUNT(*) AS n FROM post_versions") == [{"n": 0}]


def test_rows_hashed_with_their_link_before_are_not_edits_after_the_upgrade(store: Store) -> None:
    store.call(ingest.record_success, account_id=1, posts=[post("p1")], comments=[], now=NOW)
    legacy = ingest.content_hash("标题", "正文", "", "https://example.gov.cn/p")
    store.call(lambda db: db.execute("UPDATE posts SET content_hash = ?", [legacy]))
    write = store.call(ingest.record_success, account_id=1, posts=[post("p1")], comments=[], now=NOW)
    assert write.edited_posts == []
    assert rows(store, "SELECT content_hash FROM posts") == [{"content_hash": ingest.content_hash("标题", "正文", "")}]


def test_a_comment_without_a_time_is_stored_with_its_clocks_from_first_sight(store: Store) -> None:
    undated = FetchedComment(
        external_id="c9", post_external_id="p1", author="市民", text="请问几点开门？", created_at=NOW, date_estimated=True
    )
    store.call(ingest.record_success, account_id=1, posts=[post("p1")], comments=[undated], now=NOW, deadlines=DEADLINES)
    assert rows(store, "SELECT created_at, created_estimated FROM comments") == [{"created_at": to_db(NOW), "created_estimated": 1}]
