"""One rule for which posts count, wherever posts are counted: public, not deleted, with a real date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.connectors.base import FetchedPost
from jb_watchdesk.domain.models import AccountSpec, AccountStatus, Platform, Visibility
from jb_watchdesk.storage import emergencies as emergency_store
from jb_watchdesk.storage import ingest
from jb_watchdesk.storage import reports as duty
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.alerts import ItemKind, pending_scan_items
from jb_watchdesk.storage.dashboard import activity
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def store():
    with Store(None) as store:
        store.call(
            apply_register,
            [AccountSpec(name="平安江北", platform=Platform.DOUYIN, source="open-id", status=AccountStatus.TO_CLOSE)],
            now=NOW - timedelta(days=30),
        )
        posts = [
            FetchedPost(external_id="public", title="公开", body="", digest="", url="", published_at=NOW - timedelta(days=1)),
            FetchedPost(
                external_id="private", title="私密", body="", digest="", url="", published_at=NOW - timedelta(days=1),
                visibility=Visibility.PRIVATE,
            ),
            FetchedPost(
                external_id="rejected", title="不宜公开", body="", digest="", url="", published_at=NOW - timedelta(days=1),
                visibility=Visibility.REJECTED,
            ),
            FetchedPost(external_id="undated", title="无日期", body="", digest="", url="", published_at=NOW, date_estimated=True),
        ]
        store.call(ingest.record_success, account_id=1, posts=posts, comments=[], now=NOW)
        yield store


def test_the_weekly_report_counts_what_status_counts(store: Store) -> None:
    start, end = NOW - timedelta(days=7), NOW + timedelta(seconds=1)
    assert [(row.account_id, row.posts) for row in store.call(duty.posts_per_account, start=start, end=end)] == [(1, 1)]
    assert sum(row.posts for row in store.call(duty.posts_per_day_per_unit, start=start, end=end)) == 1
    counts = store.call(activity, now=NOW, week_start=start)[1]
    assert (counts.posts_7d, counts.closing_posts) == (1, 1)


def test_emergencies_match_only_counted_posts(store: Store) -> None:
    found = store.call(emergency_store.posts_for_matching, since=NOW - timedelta(days=7))
    assert [post["title"] for post in found] == ["公开"]


def test_the_scanner_knows_which_dates_are_estimated(store: Store) -> None:
    items = {item.texts[0][1]: item for item in store.call(pending_scan_items, kind=ItemKind.POST, limit=10)}
    assert items["无日期"].date_estimated and not items["公开"].date_estimated
