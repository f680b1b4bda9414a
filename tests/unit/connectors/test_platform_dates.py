"""Every platform parser gates dates against the fetch time and never drops an undated post silently."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.connectors import douyin, wechat_mp, weibo_parsing
from jb_watchdesk.connectors.fetching import AccountRef, FetchState
from jb_watchdesk.connectors.http import HttpClient, HttpSettings
from jb_watchdesk.domain.models import Platform

DATA = Path(__file__).resolve().parents[2] / "data"
FETCHED = datetime(2024, 5, 2, 2, 0, tzinfo=UTC)
FAR_AHEAD = FETCHED + timedelta(days=3)  # a wrong date, not a clock or zone slip
SLIGHTLY_AHEAD = FETCHED + timedelta(hours=8)  # Beijing time labelled UTC: kept as given


def load(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((DATA / name).read_bytes())


# ---------------------------------------------------------------- WeChat


def _wechat_page(create_time: object) -> dict:  # type: ignore[type-arg]
    return {
        "total_count": 1,
        "item": [{"article_id": "A1", "content": {"news_item": [{"title": "通知"}], "create_time": create_time}}],
    }


def test_wechat_post_dated_days_after_the_fetch_is_estimated() -> None:
    (post,) = wechat_mp.parse_publications(_wechat_page(int(FAR_AHEAD.timestamp())), offset=0, fetched_at=FETCHED).items

    assert (post.published_at, post.date_estimated) == (FETCHED, True)


def test_wechat_post_hours_ahead_keeps_its_date() -> None:
    (post,) = wechat_mp.parse_publications(
        _wechat_page(int(SLIGHTLY_AHEAD.timestamp())), offset=0, fetched_at=FETCHED
    ).items

    assert (post.published_at, post.date_estimated) == (SLIGHTLY_AHEAD, False)


def test_wechat_post_without_a_date_is_kept_estimated_when_the_fetch_time_is_known() -> None:
    page = wechat_mp.parse_publications(_wechat_page(None), offset=0, fetched_at=FETCHED)

    (post,) = page.items
    assert post.external_id == "A1:1" and post.date_estimated and post.published_at == FETCHED
    assert page.skipped == 0
    # without the fetch time there is nothing to estimate from: skipped, and counted
    assert wechat_mp.parse_publications(_wechat_page(None), offset=0).skipped == 1


def test_wechat_update_time_stands_in_for_a_wrong_create_time() -> None:
    payload = _wechat_page(int(FAR_AHEAD.timestamp()))
    payload["item"][0]["update_time"] = 1714500000

    (post,) = wechat_mp.parse_publications(payload, offset=0, fetched_at=FETCHED).items

    assert post.published_at == datetime.fromtimestamp(1714500000, UTC) and not post.date_estimated


def test_wechat_comment_from_the_future_is_kept_with_the_fetch_time() -> None:
    payload = load("wechat/comment_list.json")
    payload["comment"][0]["create_time"] = int(FAR_AHEAD.timestamp())

    page = wechat_mp.parse_comments(payload, post_external_id="p", begin=0, fetched_at=FETCHED)

    first, second = page.items
    assert (first.external_id, first.created_at, first.date_estimated) == ("p:1", FETCHED, True)
    assert not second.date_estimated and page.skipped == 0


# ---------------------------------------------------------------- Weibo

AHEAD_TEXT = "Sun May 05 10:00:00 +0800 2024"  # three days after FETCHED


def test_weibo_status_dated_days_ahead_is_estimated_and_undated_one_kept() -> None:
    payload = load("weibo/user_timeline.json")
    payload["statuses"][0]["created_at"] = AHEAD_TEXT
    payload["statuses"][1]["created_at"] = "not a date"

    page = weibo_parsing.parse_user_timeline(payload, fetched_at=FETCHED)

    first, second = page.items
    assert (first.published_at, first.date_estimated) == (FETCHED, True)
    assert (second.published_at, second.date_estimated) == (FETCHED, True)
    assert page.skipped == 1  # only the status without a string id
    # the same page without the fetch time: the far date passes the absolute gate, the
    # missing one is skipped and counted
    unbounded = weibo_parsing.parse_user_timeline(payload)
    assert [p.date_estimated for p in unbounded.items] == [False] and unbounded.skipped == 2


def test_weibo_comment_from_the_future_is_kept_with_the_fetch_time() -> None:
    payload = load("weibo/comments_timeline.json")
    payload["comments"][0]["created_at"] = AHEAD_TEXT

    page = weibo_parsing.parse_comment_page(payload, account_uid="1234567890", fetched_at=FETCHED)

    kept = {c.external_id: c for c in page.comments}["5030000000000100001"]
    assert (kept.created_at, kept.date_estimated) == (FETCHED, True)
    assert page.skipped == 0


# ---------------------------------------------------------------- Douyin


def test_douyin_video_without_a_usable_time_is_estimated() -> None:
    payload = load("douyin/video_list.json")
    payload["data"]["list"][0]["create_time"] = int(FAR_AHEAD.timestamp())
    del payload["data"]["list"][1]["create_time"]

    page = douyin.parse_video_list(payload, fetched_at=FETCHED)

    assert [(p.published_at, p.date_estimated) for p in page.items] == [(FETCHED, True), (FETCHED, True)]
    assert page.skipped == 0
    assert douyin.parse_video_list(payload).skipped == 1


def test_douyin_comment_from_the_future_is_kept_with_the_fetch_time() -> None:
    payload = load("douyin/comment_list.json")
    payload["data"]["list"][0]["create_time"] = int(FAR_AHEAD.timestamp())

    page = douyin.parse_comment_list(payload, post_external_id="v", fetched_at=FETCHED)

    assert [c.date_estimated for c in page.items] == [True, False] and page.skipped == 0


# ---------------------------------------------------------------- through a connector's fetch


def test_the_fetch_passes_its_now_to_the_parsers(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    now = datetime(2024, 5, 3, 2, 0, tzinfo=UTC)
    videos = load("douyin/video_list.json")
    videos["data"]["has_more"] = False
    videos["data"]["list"][1]["create_time"] = int((now + timedelta(days=2)).timestamp())
    case = {
        "/oauth/refresh_token": [{"json": load("douyin/access_token.json")}],
        "/video/list": [{"json": videos}],
    }

    async def run():  # type: ignore[no-untyped-def]
        async with sequence_server(case).running() as server:
            http = HttpClient(HttpSettings(trust_env=False, total_timeout=5.0))
            try:
                connector = douyin.DouyinConnector(
                    http, memory_secrets({(1, "client_key"): "ck", (1, "refresh_token"): "rft.x"})
                )
                account = AccountRef(id=1, name="江北发布", platform=Platform.DOUYIN, source="open-id", api_base=server.base_url)
                return await connector.fetch(account, state=FetchState(), with_comments=False, now=now)
            finally:
                await http.aclose()

    result = asyncio.run(run())

    assert [(p.date_estimated, p.published_at == now) for p in result.posts] == [(False, False), (True, True)]
    assert result.requests == 1


def test_a_comment_without_a_usable_time_is_kept_with_the_fetch_time_on_every_platform() -> None:
    fetched = datetime(2024, 5, 3, 2, 0, tzinfo=UTC)
    wb = weibo_parsing.parse_comments(
        json.dumps(
            {
                "comments": [
                    {"idstr": "9005", "created_at": "", "text": "请问几点开门？", "user": {"idstr": "1"}, "status": {"idstr": "501"}}
                ]
            }
        ).encode(),
        fetched_at=fetched,
    )
    wx = wechat_mp.parse_comments(
        json.dumps({"errcode": 0, "total": 1, "comment": [{"user_comment_id": 7, "content": "路灯坏了", "comment_type": 0}]}).encode(),
        post_external_id="A:1", begin=0, fetched_at=fetched,
    )
    dy = douyin.parse_comment_list(
        json.dumps(
            {"data": {"list": [{"comment_id": "c1", "content": "什么时候修？"}], "error_code": 0}, "extra": {"error_code": 0}}
        ).encode(),
        post_external_id="v1", fetched_at=fetched,
    )
    for page in (wb, wx, dy):
        (comment,) = page.items
        assert comment.created_at == fetched and comment.date_estimated


@pytest.mark.parametrize("value", [1714521600000, "1714521600000", 1714521600.5, 1714521600])
def test_epoch_milliseconds_and_fractions_are_read(value: object) -> None:
    from jb_watchdesk.connectors.dates import epoch_to_datetime

    assert epoch_to_datetime(value).replace(microsecond=0) == datetime(2024, 5, 1, tzinfo=UTC)  # type: ignore[union-attr]
