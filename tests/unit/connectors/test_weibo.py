"""Weibo parsers on saved open-API responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.weibo_parsing import classify_error, parse_comments, parse_user_timeline
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


# ---------------------------------------------------------------- the fetch, on saved sequences

import asyncio  # noqa: E402

from jb_watchdesk.connectors.fetching import AccountRef, FetchResult, FetchState  # noqa: E402
from jb_watchdesk.connectors.http import HttpClient, HttpSettings  # noqa: E402
from jb_watchdesk.connectors.weibo import WeiboConnector  # noqa: E402
from jb_watchdesk.domain.models import Platform  # noqa: E402

CASE_NOW = datetime(2024, 5, 3, 10, 0, tzinfo=CST)
CASE_UID = "1000000001"


def load(name: str) -> dict:
    return json.loads(raw(name))


def fetch_polls(server_class, secrets_class, case: dict, *, polls: int = 1) -> tuple[object, list[FetchResult]]:  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        async with server_class(case).running() as server:
            http = HttpClient(HttpSettings(trust_env=False, total_timeout=5.0))
            try:
                connector = WeiboConnector(http, secrets_class({(1, "access_token"): "2.00token"}))
                account = AccountRef(id=1, name="江北发布", platform=Platform.WEIBO, source=CASE_UID, api_base=server.base_url)
                state = FetchState()
                results = [await connector.fetch(account, state=state, with_comments=True, now=CASE_NOW) for _ in range(polls)]
                return server, results
            finally:
                await http.aclose()

    return asyncio.run(run())


def test_a_reply_on_one_page_acknowledges_the_comment_on_the_next(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    case = load("weibo_comments_reply_on_other_page.json")

    server, (result,) = fetch_polls(sequence_server, memory_secrets, case)

    by_id = {c.external_id: c for c in result.comments}
    assert set(by_id) == {"5030000000100001", "5030000000100002", "5030000000100003"}
    asked = by_id["5030000000100001"]
    assert asked.replied and asked.reply_text == "回复@热心市民甲:预计今天18点前恢复供水。"
    assert asked.replied_at == datetime(2024, 5, 3, 8, 40, tzinfo=CST)
    assert not by_id["5030000000100002"].replied and not by_id["5030000000100003"].replied
    assert len(server.calls("/2/comments/show.json")) == 2  # both pages read
    assert result.problems == ()


def test_a_page_of_only_the_accounts_replies_does_not_end_paging(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    case = load("weibo_comments_reply_on_other_page.json")
    first_page = case["/2/comments/show.json"][0]["json"]
    first_page["comments"] = [row for row in first_page["comments"] if row["user"]["idstr"] == CASE_UID]

    _, (result,) = fetch_polls(sequence_server, memory_secrets, case)

    replied = {c.external_id for c in result.comments if c.replied}
    assert replied == {"5030000000100001"}


def _feed_row(comment_id: int, text: str, *, uid: str, minute: int, reply_to: int | None = None) -> dict:
    row = {
        "created_at": f"Fri May 03 09:{minute:02d}:00 +0800 2024",
        "id": comment_id,
        "idstr": str(comment_id),
        "text": text,
        "user": {"id": int(uid), "idstr": uid, "screen_name": "江北发布" if uid == CASE_UID else "市民"},
        "status": {"id": 5030000000000001, "idstr": "5030000000000001"},
    }
    if reply_to is not None:
        row["reply_comment"] = {"id": reply_to, "idstr": str(reply_to), "text": "请问几点来水？"}
    return row


def test_the_account_wide_feed_marks_a_comment_read_by_an_earlier_poll(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    case = load("weibo_comments_reply_on_other_page.json")
    question = _feed_row(5030000000200001, "请问几点来水？", uid="2000000002", minute=5)
    elsewhere = _feed_row(5030000000200002, "路过", uid="2000000003", minute=6)
    elsewhere["status"] = {"id": 4999, "idstr": "4999"}  # someone else's post: not ours to answer
    answer = _feed_row(5030000000200003, "回复@市民:18点前恢复。", uid=CASE_UID, minute=30, reply_to=5030000000200001)
    case["/2/comments/timeline.json"] = [
        {"json": {"comments": [elsewhere, question], "next_cursor": 0, "total_number": 2}},
        {"json": {"comments": [answer], "next_cursor": 0, "total_number": 3}},
    ]

    server, (first, second) = fetch_polls(sequence_server, memory_secrets, case, polls=2)

    assert [(c.external_id, c.replied) for c in first.comments] == [("5030000000200001", False)]
    (again,) = second.comments
    assert again.external_id == "5030000000200001" and again.text == "请问几点来水？" and again.author == "市民"
    assert again.replied and again.replied_at == datetime(2024, 5, 3, 9, 30, tzinfo=CST)
    feed = server.calls("/2/comments/timeline.json")
    assert "since_id" not in feed[0].query and feed[1].query["since_id"] == "5030000000200002"
    assert server.calls("/2/comments/show.json") == []  # the feed replaces per-post reads


def test_long_posts_are_read_in_full(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    case = load("weibo_comments_reply_on_other_page.json")
    status = case["/2/statuses/user_timeline.json"][0]["json"]["statuses"][0]
    status["isLongText"] = True
    status["text"] = "【通知】观音桥片区今日停水检修 ...全文： http://m.weibo.cn/1000000001/5030000000000001"
    full = "【通知】观音桥片区今日停水检修。" + "受管网改造影响，" * 40 + "联系人王某，电话 138 0000 0000。"
    case["/2/statuses/show.json"] = [
        {"json": {"idstr": "5030000000000001", "text": status["text"], "isLongText": True, "longText": {"longTextContent": full}}}
    ]

    server, (result,) = fetch_polls(sequence_server, memory_secrets, case)

    (post,) = result.posts
    assert post.body == full and "138 0000 0000" in post.body
    (call,) = server.calls("/2/statuses/show.json")
    assert call.query["id"] == "5030000000000001" and call.query["isGetLongText"] == "1"


def test_a_failed_long_text_read_keeps_the_cut_text_and_retries(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    case = load("weibo_comments_reply_on_other_page.json")
    status = case["/2/statuses/user_timeline.json"][0]["json"]["statuses"][0]
    status["isLongText"] = True
    case["/2/statuses/show.json"] = [
        {"status": 403, "json": {"error": "User requests out of rate limit!", "error_code": 10023, "request": "/2/statuses/show.json"}},
        {"json": {"idstr": "5030000000000001", "longText": {"longTextContent": "【通知】全文"}}},
    ]
    case["/2/statuses/user_timeline.json"].append({"json": {"statuses": [], "next_cursor": 0}})

    _, (first, second) = fetch_polls(sequence_server, memory_secrets, case, polls=2)

    assert first.posts[0].body == "【通知】观音桥片区今日停水检修"
    (problem,) = first.problems
    assert problem.code == "weibo.10023.long_text" and "5030000000000001" in problem.reason
    assert [p.body for p in second.posts] == ["【通知】全文"]  # retried on the next poll
    assert second.problems == ()


def test_a_post_ending_in_half_an_emoji_is_read_with_a_replacement_character() -> None:
    page = parse_user_timeline(raw("weibo_timeline_lone_surrogate.json"))

    (post,) = page.items
    assert post.body == "暴雨预警，请注意出行安全\ufffd"
    post.body.encode("utf-8")  # storable: no lone surrogate left
    assert post.external_id == "5030000000000101"


def test_a_repost_carries_the_reposted_text_so_it_is_scanned() -> None:
    payload = {
        "statuses": [
            {
                "created_at": "Fri May 03 09:00:00 +0800 2024", "idstr": "5030000000000201", "text": "转发微博",
                "user": {"idstr": "1000000009", "screen_name": "江北发布"},
                "retweeted_status": {
                    "created_at": "Fri May 03 08:00:00 +0800 2024", "idstr": "5030000000000200",
                    "text": "内部通知 绝密 联系人手机13800138000", "user": {"idstr": "1000000001", "screen_name": "某单位"},
                },
            }
        ],
        "next_cursor": 0,
    }
    (post,) = parse_user_timeline(json.dumps(payload).encode()).items
    assert post.body.startswith("转发微博") and "内部通知 绝密 联系人手机13800138000" in post.body and "@某单位" in post.body


def test_a_long_text_that_never_comes_is_given_up_after_a_few_polls(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    from jb_watchdesk.connectors.fetching import MAX_FULL_TEXT_TRIES

    case = load("weibo_comments_reply_on_other_page.json")
    status = case["/2/statuses/user_timeline.json"][0]["json"]["statuses"][0]
    status["isLongText"] = True
    # the post was deleted after it was listed: its full text never comes
    case["/2/statuses/show.json"] = [{"status": 400, "json": {"error": "target weibo does not exist!", "error_code": 20101}}]
    case["/2/statuses/user_timeline.json"].append({"json": {"statuses": [], "next_cursor": 0}})

    server, results = fetch_polls(sequence_server, memory_secrets, case, polls=MAX_FULL_TEXT_TRIES + 2)

    assert all(r.problems for r in results[:MAX_FULL_TEXT_TRIES])
    assert "stops asking" in results[MAX_FULL_TEXT_TRIES - 1].problems[0].reason
    assert [r.problems for r in results[MAX_FULL_TEXT_TRIES:]] == [(), ()]  # no longer degraded, no more calls
    assert len(server.calls("/2/statuses/show.json")) == MAX_FULL_TEXT_TRIES
