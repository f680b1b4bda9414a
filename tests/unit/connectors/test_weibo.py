"""Weibo parsers on saved open-API responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.weibo import classify_error, parse_comments, parse_user_timeline
from jb_watchdesk.domain.models import Health

DATA = Path(__file__).resolve().parents[2] / "data" / "weibo"
CST = timezone(timedelta(hours=8))
ACCOUNT_UID = "1234567890"


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_timeline_reads_idstr_beyond_2_pow_53() -> None:
    page = parse_user_timeline(raw("user_timeline.json"))

    assert [post.external_id for post in page.items] == ["5030000000000000123", "5029999999999999999"]
    # A double cannot hold this id: reading the numeric field would have changed it.
    assert int(float(page.items[0].external_id)) != int(page.items[0].external_id)
    assert page.skipped == 1  # the status with only a numeric id


def test_timeline_status_fields() -> None:
    first, second = parse_user_timeline(raw("user_timeline.json")).items

    assert first.published_at == datetime(2024, 5, 2, 9, 15, tzinfo=CST)
    assert first.published_at.astimezone(UTC) == datetime(2024, 5, 2, 1, 15, tzinfo=UTC)
    assert first.body == "【暴雨蓝色预警】区气象台5月2日9时发布暴雨蓝色预警信号，请注意防范。网页链接"
    assert first.title == "【暴雨蓝色预警】区气象台5月2日9时发布暴雨蓝色预警信号，请注意防范。网页链接"[:60]
    assert first.url == "https://weibo.com/1234567890/5030000000000000123"
    assert first.author == "江北发布"
    assert not first.deleted
    assert second.deleted


def test_timeline_paging_state() -> None:
    page = parse_user_timeline(raw("user_timeline.json"), since_id="5029999999999990000")

    assert page.next_since_id == "5030000000000000123"
    assert page.next_cursor == "5029999999999989999"
    assert page.has_more
    assert page.total == 1287


def test_empty_timeline_keeps_since_id() -> None:
    page = parse_user_timeline(raw("user_timeline_empty.json"), since_id="5030000000000000123")

    assert page.items == ()
    assert page.next_since_id == "5030000000000000123"
    assert not page.has_more and page.next_cursor is None


def test_since_id_is_compared_numerically_not_as_text() -> None:
    payload = {"statuses": [{"idstr": "999", "created_at": "Thu May 02 09:15:00 +0800 2024"}], "next_cursor": 0}

    page = parse_user_timeline(payload, since_id="1000")

    assert page.next_since_id == "1000"


def test_comments_exclude_the_accounts_own_replies_and_mark_the_answered_comment() -> None:
    page = parse_comments(raw("comments_timeline.json"), account_uid=ACCOUNT_UID)

    assert [comment.external_id for comment in page.items] == ["5030000000000100001", "5030000000000100003"]
    answered, open_comment = page.items
    assert answered.post_external_id == "5030000000000000123"
    assert answered.author == "江北居民小王"
    assert answered.text == "我们小区已经积水了，有人管吗？"
    assert answered.created_at == datetime(2024, 5, 2, 10, 0, tzinfo=CST)
    assert answered.replied
    assert answered.reply_text == "回复@江北居民小王:您好，已通知街道应急队前往处置。"
    assert answered.replied_at == datetime(2024, 5, 2, 10, 20, tzinfo=CST)
    assert not open_comment.replied
    assert open_comment.text == "@某人 这个预警来得及时"
    assert not page.has_more


def test_comments_without_account_uid_keep_every_comment() -> None:
    page = parse_comments(raw("comments_timeline.json"))

    assert len(page.items) == 3
    assert not any(comment.replied for comment in page.items)


@pytest.mark.parametrize(
    ("name", "kind", "code"),
    [
        ("error_21327_expired_token.json", ErrorKind.AUTH_EXPIRED, "weibo.21327"),
        ("error_21332_invalid_token_string_code.json", ErrorKind.AUTH_EXPIRED, "weibo.21332"),
        ("error_10023_rate_limit.json", ErrorKind.RATE_LIMITED, "weibo.10023"),
        ("error_10022_ip_rate_limit.json", ErrorKind.RATE_LIMITED, "weibo.10022"),
        ("error_10001_system.json", ErrorKind.TRANSIENT, "weibo.10001"),
    ],
)
def test_error_codes_int_or_string_are_classified(name: str, kind: ErrorKind, code: str) -> None:
    error = classify_error(raw(name))

    assert error is not None
    assert (error.kind, error.code) == (kind, code)
    assert not error.refresh_token_once


def test_expired_token_tells_the_officer_to_reauthorise() -> None:
    error = classify_error(raw("error_21327_expired_token.json"))

    assert error is not None
    assert error.health is Health.AUTH_EXPIRED
    assert "re-authorise" in error.reason
    assert "open.weibo.com" in error.reason


def test_error_inside_a_data_call_raises() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_comments(raw("error_21332_invalid_token_string_code.json"))

    assert caught.value.kind is ErrorKind.AUTH_EXPIRED


def test_malformed_json_is_bad_payload() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_user_timeline(raw("malformed.json"))

    assert caught.value.kind is ErrorKind.BAD_PAYLOAD
    assert caught.value.code == "weibo.bad_payload"


def test_statuses_not_a_list_is_bad_payload() -> None:
    with pytest.raises(ConnectorError):
        parse_user_timeline({"statuses": {"0": {}}})


def test_successful_payload_is_not_an_error() -> None:
    assert classify_error(json.loads(raw("user_timeline_empty.json"))) is None
