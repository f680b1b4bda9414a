"""WeChat official account parsers on saved API responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.wechat_mp import classify_error, parse_comments, parse_publications, parse_stable_token
from jb_watchdesk.domain.models import Health

DATA = Path(__file__).resolve().parents[2] / "data" / "wechat"


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def load(name: str) -> dict[str, object]:
    return json.loads(raw(name))


def test_stable_token_expiry_is_a_minute_early_and_secret_not_in_repr() -> None:
    now = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)

    token = parse_stable_token(raw("stable_token.json"), now=now)

    assert token.access_token.startswith("81_TestOnlyToken")
    assert token.expires_at == datetime(2024, 5, 1, 1, 59, tzinfo=UTC)
    assert "81_TestOnlyToken" not in repr(token)


def test_stable_token_error_raises_classified_error() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_stable_token(load("error_40125_appsecret.json"), now=datetime(2024, 5, 1, tzinfo=UTC))

    assert caught.value.kind is ErrorKind.CONFIG
    assert caught.value.code == "wechat.40125"


def test_stable_token_without_token_is_bad_payload() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_stable_token({"expires_in": 7200}, now=datetime(2024, 5, 1, tzinfo=UTC))

    assert caught.value.kind is ErrorKind.BAD_PAYLOAD


def test_batchget_page_gives_one_post_per_article_with_offset_paging() -> None:
    page = parse_publications(load("batchget_page1.json"), offset=0)

    assert [post.external_id for post in page.items] == [
        "Dg3F2hVqIzrVxo2Xy1NIbcAbCdEf_0001:1",
        "Dg3F2hVqIzrVxo2Xy1NIbcAbCdEf_0001:2",
        "Dg3F2hVqIzrVxo2Xy1NIbcAbCdEf_0002:1",
    ]
    assert page.total == 3
    assert page.next_offset == 2
    assert page.has_more
    first = page.items[0]
    assert first.title == "江北区2024年民生实事项目进展通报"
    assert first.digest == "截至4月底，15件民生实事已完成年度目标的38%。"
    assert first.body == "民生实事\n\n截至4月底，15件民生实事已完成年度目标的38%。\n\n详情请点击阅读原文。"
    assert first.url == "https://mp.weixin.qq.com/s?__biz=MzA5NjAwMDAwMA==&mid=2650000001&idx=1&sn=abc"
    assert first.author == "江北发布"
    assert first.published_at == datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
    assert first.raw_updated_at == datetime(2024, 5, 1, 1, 0, tzinfo=UTC)
    assert page.items[1].author is None
    assert not first.deleted


def test_both_spellings_of_the_deletion_flag_are_read() -> None:
    page = parse_publications(load("batchget_page1.json"), offset=0)
    assert page.items[2].deleted  # "is_delete": 1

    payload = load("batchget_page1.json")
    payload["item"][0]["content"]["news_item"][0]["is_deleted"] = True  # type: ignore[index]
    assert parse_publications(payload, offset=0).items[0].deleted


def test_last_page_has_no_more() -> None:
    page = parse_publications(load("batchget_page1.json"), offset=1)

    assert page.next_offset == 3
    assert not page.has_more


def test_empty_page() -> None:
    page = parse_publications(load("batchget_empty.json"), offset=0)

    assert page.items == ()
    assert page.total == 0
    assert not page.has_more


def test_truncated_json_is_bad_payload() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_publications(raw("batchget_truncated.json"), offset=0)

    assert caught.value.kind is ErrorKind.BAD_PAYLOAD
    assert caught.value.code == "wechat.bad_payload"


@pytest.mark.parametrize("payload", [[1, 2], {"item": "oops"}, "text"])
def test_wrong_shapes_are_bad_payload(payload: object) -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_publications(payload, offset=0)  # type: ignore[arg-type]

    assert caught.value.kind is ErrorKind.BAD_PAYLOAD


def test_unusable_messages_are_skipped_and_counted() -> None:
    payload = {
        "total_count": 4,
        "item": [
            "not an object",
            {"article_id": "", "content": {"news_item": []}},
            {"article_id": "A1", "content": {"news_item": [{"title": "无时间"}]}},
            {"article_id": "A2", "content": {"news_item": [{"title": "有时间"}], "create_time": 1714521600}},
        ],
    }

    page = parse_publications(payload, offset=0)

    assert [post.external_id for post in page.items] == ["A2:1"]
    assert page.skipped == 3


def test_comments_with_reply_state_and_per_article_ids() -> None:
    page = parse_comments(load("comment_list.json"), post_external_id="2650000001:1", begin=0)

    first, second = page.items
    assert first.external_id == "2650000001:1:1"
    assert second.external_id == "2650000001:1:2"
    assert first.post_external_id == "2650000001:1"
    assert first.author == "oXy1A0TestOpenIdAAAAAAAAAAA"
    assert first.text == "请问民生实事里的老旧小区改造什么时候到我们小区？"
    assert first.created_at == datetime(2024, 5, 1, 5, 6, 40, tzinfo=UTC)
    assert first.replied
    assert first.reply_text == "您好，已转区住建委，将于3个工作日内答复。"
    assert first.replied_at == datetime(2024, 5, 1, 6, 6, 40, tzinfo=UTC)
    assert not second.replied
    assert second.reply_text is None and second.replied_at is None
    assert page.total == 3
    assert page.next_offset == 2
    assert page.has_more


def test_ip_whitelist_error_names_the_ip_and_what_to_do() -> None:
    error = classify_error(raw("error_40164_ip_whitelist.json"))

    assert error is not None
    assert "203.0.113.45" in error.reason
    assert "IP白名单" in error.reason
    assert error.health is Health.FAILING


def test_quota_and_auth_map_to_health() -> None:
    quota = classify_error(load("error_45009_quota.json"))
    auth = classify_error(load("error_42001_token_expired.json"))

    assert quota is not None and quota.health is Health.FAILING and quota.retry_after is None
    assert auth is not None and auth.health is Health.AUTH_EXPIRED
    frequency = classify_error(load("error_45011_frequency.json"))
    assert frequency is not None and frequency.retry_after == 60.0


def test_echoed_token_never_reaches_the_message() -> None:
    error = classify_error(load("error_unknown_code.json"))

    assert error is not None
    assert "81_TestOnlyToken" not in str(error)
    assert "[redacted]" in error.reason


def test_errors_inside_data_calls_raise() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_comments(load("error_48001_unauthorized.json"), post_external_id="x", begin=0)

    assert caught.value.code == "wechat.48001"


# ---------------------------------------------------------------- the fetch, on saved sequences

import asyncio  # noqa: E402
import copy  # noqa: E402
from datetime import timedelta, timezone  # noqa: E402

from jb_watchdesk.connectors.fetching import AccountRef, FetchResult, FetchState  # noqa: E402
from jb_watchdesk.connectors.http import HttpClient, HttpSettings  # noqa: E402
from jb_watchdesk.connectors.wechat_mp import WechatConnector, comment_ref  # noqa: E402
from jb_watchdesk.domain.models import Platform  # noqa: E402

CASE_NOW = datetime(2024, 5, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def _fetch_twice(server_class, secrets_class, case: dict, *, second_at: datetime = CASE_NOW):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        async with server_class(case).running() as server:
            http = HttpClient(HttpSettings(trust_env=False, total_timeout=5.0))
            try:
                connector = WechatConnector(http, secrets_class({(1, "app_secret"): "secret"}))
                account = AccountRef(id=1, name="江北发布", platform=Platform.WECHAT_MP, source="wx0000", api_base=server.base_url)
                state = FetchState()
                first = await connector.fetch(account, state=state, with_comments=True, now=CASE_NOW)
                calls = len(server.calls("/cgi-bin/comment/list"))
                second = await connector.fetch(account, state=state, with_comments=True, now=second_at)
                return server, first, second, calls
            finally:
                await http.aclose()

    return asyncio.run(run())


def test_comment_quota_keeps_the_articles_and_names_the_problem(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    case = load("wechat_comment_list_quota_error.json")

    server, first, second, calls = _fetch_twice(sequence_server, memory_secrets, case)

    assert isinstance(first, FetchResult)
    assert [p.external_id for p in first.posts] == [
        "Dg3F2hVqIzrVxo2Xy1NIbcAbCdEf_0001:1",
        "Dg3F2hVqIzrVxo2Xy1NIbcAbCdEf_0001:2",
        "Dg3F2hVqIzrVxo2Xy1NIbcAbCdEf_0002:1",
    ]
    (problem,) = first.problems
    assert problem.kind is ErrorKind.QUOTA
    assert problem.code == "wechat.45009.comments"
    assert "quota" in problem.reason and "posts are still read" in problem.reason
    assert "05-04 00:01" in problem.reason  # when comment reads resume, Beijing time
    # comment/list got the mass send's numeric id from the article URL, never the article_id
    asked = server.calls("/cgi-bin/comment/list")
    assert 1 <= calls <= 2
    assert {(r.body["msg_data_id"], r.body["index"]) for r in asked} <= {(2650000001, 0), (2650000001, 1)}
    # the next poll reads the posts again but does not spend calls on a quota that is used up
    assert len(second.posts) == 3
    assert len(asked) == calls
    assert [p.code for p in second.problems] == ["wechat.45009.comments"]


def test_comment_reads_resume_after_the_quota_resets(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    case = load("wechat_comment_list_quota_error.json")
    case["/cgi-bin/comment/list"].append({"json": load("comment_list.json") | {"total": 2}})
    # published an hour before the first poll, so the next day's poll is still in the every-cycle tier
    case["/cgi-bin/freepublish/batchget"][0]["json"]["item"][0]["content"]["create_time"] = int(CASE_NOW.timestamp()) - 3600

    server, first, second, calls = _fetch_twice(
        sequence_server, memory_secrets, case, second_at=CASE_NOW + timedelta(days=1)
    )

    assert first.problems and not second.problems
    assert len(server.calls("/cgi-bin/comment/list")) > calls
    assert {c.text for c in second.comments} >= {"路灯坏了一个月没人修"}


def test_rejected_comment_arguments_name_each_post(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    case = load("wechat_comment_list_quota_error.json")
    case["/cgi-bin/comment/list"] = [{"json": {"errcode": 40097, "errmsg": "invalid args rid: 1"}}]

    _, first, _, _ = _fetch_twice(sequence_server, memory_secrets, case)

    assert len(first.posts) == 3
    codes = sorted(p.code for p in first.problems)
    assert codes == ["wechat.40097.comments", "wechat.40097.comments"]
    reasons = " ".join(p.reason for p in first.problems)
    assert "江北区2024年民生实事项目进展通报" in reasons and "五一假期出行提示" in reasons
    assert "Dg3F2hVqIzrVxo2Xy1NIbcAbCdEf_0001:1" in reasons


@pytest.mark.parametrize(
    ("url", "ref"),
    [
        ("https://mp.weixin.qq.com/s?__biz=MzA5NjAwMDAwMA==&mid=2650000001&idx=2&sn=def", "2650000001:1"),
        ("https://mp.weixin.qq.com/s?__biz=x&mid=2650000001&sn=def", "2650000001:0"),
        ("https://mp.weixin.qq.com/s/Net3GOTwh-cZDns8InDKAw", None),
        ("https://mp.weixin.qq.com/s?mid=Dg3F&idx=1", None),
        ("https://evil.example.com/s?mid=1&idx=1", None),
        ("", None),
    ],
)
def test_comment_ref_comes_from_the_article_url(url: str, ref: str | None) -> None:
    assert comment_ref(url) == ref


def test_case_copy_is_untouched() -> None:
    # the case file is loaded fresh by each test: editing one copy never leaks into another
    assert copy.deepcopy(load("wechat_comment_list_quota_error.json")) == load("wechat_comment_list_quota_error.json")


def test_a_quota_on_the_second_page_keeps_the_first_pages_articles(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    case = load("batchget_quota_on_page_2.json")
    pages = case["/cgi-bin/freepublish/batchget"]
    case["/cgi-bin/freepublish/batchget"] = pages * 2  # the next poll meets the same quota

    _, first, second, _ = _fetch_twice(sequence_server, memory_secrets, case)

    assert len(first.posts) == len(second.posts) == 20
    assert any(p.code == "wechat.45009.page" and "page 2" in p.reason for p in first.problems)
