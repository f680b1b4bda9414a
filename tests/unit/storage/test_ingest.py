from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.connectors.base import FetchedComment, FetchedPost
from jb_watchdesk.domain.models import AccountSpec, Health, Platform
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage.accounts import apply_register, get_account
from jb_watchdesk.storage.db import Store

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
    store.call(ingest.record_success, account_id=1, posts=[post("p1")], comments=[comment("c1"), comment("c2", replied=True)], now=NOW)
    found = {r["external_id"]: r for r in rows(store, "SELECT * FROM comments")}
    assert found["c1"]["post_id"] == 1
    assert found["c1"]["ack_due"] == "2026-09-30T08:00:00.000000+00:00"  # 16:00 Shanghai
    assert found["c1"]["result_due"] == "2026-10-13T07:00:00.000000+00:00"  # after National Day, 15:00 Shanghai
    assert found["c1"]["done_at"] is None
    assert found["c2"]["done_by"] == ingest.PLATFORM_REPLY and found["c2"]["acked_at"] == "2026-09-30T07:30:00.000000+00:00"
    # a later reply on the platform closes the first one too
    store.call(ingest.record_success, account_id=1, posts=[], comments=[comment("c1", replied=True)], now=NOW)
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
