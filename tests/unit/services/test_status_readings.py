"""``status`` for accounts read by the officer: last post, freshness, source, who read and when."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from jb_watchdesk.domain.models import AccountSpec, Freshness, Platform
from jb_watchdesk.services import inspections, shifts, status
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store(None) as s:
        s.call(
            apply_register,
            [
                AccountSpec(name="江北快手", platform=Platform.KUAISHOU, source="3xjbq"),
                AccountSpec(name="江北头条", platform=Platform.TOUTIAO),
                AccountSpec(name="江北发布", platform=Platform.RSS, source="https://f/1"),
            ],
            now=NOW - 30 * DAY,
        )
        shifts.start_shift(s, officer="张三", now=NOW - 10 * DAY)
        yield s


def _rows(store: Store, now: datetime = NOW) -> dict[int, dict[str, object]]:
    return {r.account.id: r.to_json() for r in status.account_status(store, now=now)}


def _add_post(store: Store, *, account_id: int, at: datetime) -> None:
    def insert(db) -> None:  # type: ignore[no-untyped-def]
        with db.atomic():
            db.execute(
                "INSERT INTO posts (account_id, external_id, title, body, published_at, first_seen_at, updated_at)"
                " VALUES (?, ?, '标题', '', ?, ?, ?)",
                [account_id, f"p{at.timestamp()}", to_db(at), to_db(at), to_db(at)],
            )

    store.call(insert)


def test_an_account_not_yet_read_waits_for_the_officer(store: Store) -> None:
    rows = _rows(store)
    assert rows[2]["source"] == "manual" and rows[2]["read_by"] is None and rows[2]["read_at"] is None
    assert rows[2]["freshness"] == "unknown" and rows[2]["freshness_reasons"] == ["awaiting_reading"]
    assert rows[2]["health_reason"] == "awaiting a reading by the officer"
    assert rows[3]["source"] == "machine" and rows[3]["health_reason"] == "not polled yet"


def test_a_reading_gives_the_last_post_freshness_and_who_read(store: Store) -> None:
    inspections.record_reading(
        store, account_id=1, latest_post_at=NOW - 5 * HOUR, posts_seen=4, comments_waiting=3, now=NOW - HOUR,
    )
    row = _rows(store)[1]
    assert row["source"] == "manual"
    assert row["last_post_at"] == (NOW - 5 * HOUR).isoformat()
    assert row["read_by"] == "张三" and row["read_at"] == (NOW - HOUR).isoformat()
    assert row["freshness"] == "ok" and row["posts_7d"] == 4 and row["days_silent"] == 0
    assert row["comments_waiting"] == 3 and row["pending_comments"] == 3


def test_a_reading_of_too_few_posts_is_under_three_a_week(store: Store) -> None:
    inspections.record_reading(store, account_id=1, latest_post_at=NOW - 2 * DAY, posts_seen=2, now=NOW - HOUR)
    row = _rows(store)[1]
    assert row["freshness"] == "warn" and row["freshness_reasons"] == ["under_3_per_week"] and row["posts_7d"] == 2


def test_a_reading_of_a_silent_account_is_a_veto(store: Store) -> None:
    inspections.record_reading(store, account_id=2, latest_post_at=NOW - 15 * DAY, posts_seen=0, now=NOW - HOUR)
    row = _rows(store)[2]
    assert row["freshness"] == "veto" and row["days_silent"] == 15


def test_the_machine_wins_when_it_has_a_newer_post(store: Store) -> None:
    _add_post(store, account_id=3, at=NOW - 2 * HOUR)
    inspections.record_reading(store, account_id=3, latest_post_at=NOW - DAY, now=NOW - HOUR)
    row = _rows(store)[3]
    assert row["source"] == "machine" and row["last_post_at"] == (NOW - 2 * HOUR).isoformat()
    assert row["read_by"] == "张三"  # the reading is still shown
    assert row["comments_waiting"] is None  # a machine-read account's comments come from the machine
    # a reading newer than anything the machine stored is what the account shows
    inspections.record_reading(store, account_id=3, latest_post_at=NOW - HOUR, now=NOW - HOUR / 2)
    row = _rows(store)[3]
    assert row["source"] == "manual" and row["last_post_at"] == (NOW - HOUR).isoformat()


def test_a_corrected_reading_no_longer_counts(store: Store) -> None:
    wrong = inspections.record_reading(store, account_id=1, latest_post_at=NOW - 2 * HOUR, posts_seen=40, now=NOW - HOUR)
    inspections.record_reading(
        store, account_id=1, latest_post_at=NOW - 9 * DAY, posts_seen=0, now=NOW - HOUR / 2, corrects_id=wrong.id,
    )
    row = _rows(store)[1]
    assert row["last_post_at"] == (NOW - 9 * DAY).isoformat() and row["posts_7d"] == 0
    assert row["freshness"] == "warn" and row["read_at"] == (NOW - HOUR / 2).isoformat()


def test_status_as_of_before_a_reading_ignores_it(store: Store) -> None:
    inspections.record_reading(store, account_id=1, latest_post_at=NOW - 5 * HOUR, posts_seen=4, now=NOW - HOUR)
    earlier = _rows(store, NOW - 2 * HOUR)[1]
    assert earlier["read_at"] is None and earlier["freshness_reasons"] == ["awaiting_reading"]
    rows = status.account_status(store, now=NOW)
    assert next(r for r in rows if r.account.id == 1).freshness is Freshness.OK
