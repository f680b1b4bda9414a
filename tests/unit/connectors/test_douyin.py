"""Douyin open-platform parsers on saved responses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.connectors.base import ConnectorError, ErrorKind
from jb_watchdesk.connectors.douyin import (
    classify_error,
    parse_access_token,
    parse_client_token,
    parse_comment_list,
    parse_video_list,
)
from jb_watchdesk.domain.models import Health

DATA = Path(__file__).resolve().parents[2] / "data" / "douyin"
NOW = datetime(2024, 5, 2, 2, 0, tzinfo=UTC)


def raw(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_client_token() -> None:
    token = parse_client_token(raw("client_token.json"), now=NOW)

    assert token.access_token.startswith("clt.")
    assert token.expires_at == NOW + timedelta(seconds=7140)
    assert token.refresh_token is None
    assert "clt." not in repr(token)


def test_user_access_token_with_refresh_token_and_open_id() -> None:
    token = parse_access_token(raw("access_token.json"), now=NOW)

    assert token.open_id == "ba253642-0590-40bc-9bdf-9a1334b94059"
    assert token.refresh_token is not None and token.refresh_token.startswith("rft.")
    assert token.expires_at == NOW + timedelta(days=15, seconds=-60)
    assert token.refresh_expires_at == NOW + timedelta(days=30, seconds=-60)
    assert token.scope == "user_info,video.list.bind,item.comment"
    assert "rft." not in repr(token) and "act." not in repr(token)


def test_refresh_response_with_numbers_as_strings() -> None:
    token = parse_access_token(raw("refresh_token_string_numbers.json"), now=NOW)

    assert token.expires_at == NOW + timedelta(seconds=86340)
    assert token.refresh_expires_at == NOW + timedelta(seconds=86340)


def test_expired_refresh_token_means_reauthorise_not_refresh() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_access_token(raw("error_10010_refresh_expired.json"), now=NOW)

    assert caught.value.kind is ErrorKind.AUTH_EXPIRED
    assert caught.value.code == "douyin.10010"
    assert not caught.value.refresh_token_once
    assert "authorise the app again" in caught.value.reason
    assert caught.value.health is Health.AUTH_EXPIRED


def test_video_list_page() -> None:
    page = parse_video_list(raw("video_list.json"))

    pinned, recent = page.items
    assert pinned.external_id.startswith("@9VxS1/qCUc80K2etd8wkU83a9SXhO/+FPZ53ogOoLFscbPr560")
    assert pinned.title == "置顶｜江北区2024年政府工作报告一图读懂 #江北"
    assert pinned.published_at == datetime(2024, 1, 1, 0, 0, tzinfo=UTC)
    assert recent.published_at == datetime(2024, 5, 1, 7, 20, tzinfo=UTC)
    assert recent.url == "https://www.iesdouyin.com/share/video/7364000000000000002/?region=CN&mid=2"
    assert page.has_more
    assert page.next_cursor == "1714521600000"


def test_video_list_last_page() -> None:
    page = parse_video_list(raw("video_list_last_page.json"))

    assert page.items == ()
    assert not page.has_more
    assert page.next_cursor == "0"


def test_comment_list() -> None:
    page = parse_comment_list(raw("comment_list.json"), post_external_id="video-1")

    first, second = page.items
    assert first.external_id.endswith("TUE=")
    assert first.post_external_id == "video-1"
    assert first.text == "景区停车场还有位置吗？"
    assert first.created_at == datetime(2024, 5, 1, 7, 53, 20, tzinfo=UTC)
    assert first.author.startswith("@9VxS1/")
    # The list cannot tell whether the account itself answered.
    assert not first.replied and not second.replied
    assert not page.has_more


def test_video_list_error_raises() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_video_list(raw("error_2190008_access_expired.json"))

    assert caught.value.refresh_token_once


@pytest.mark.parametrize("name", ["malformed.json", "gateway_html.txt"])
def test_malformed_responses_are_bad_payload(name: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_video_list(raw(name))

    assert caught.value.kind is ErrorKind.BAD_PAYLOAD
    assert caught.value.code == "douyin.bad_payload"


def test_non_numeric_error_code_is_bad_payload() -> None:
    error = classify_error({"extra": {"error_code": "oops"}, "data": {}})

    assert error is not None
    assert error.kind is ErrorKind.BAD_PAYLOAD


def test_items_without_id_or_time_are_skipped() -> None:
    payload = {
        "data": {
            "cursor": 0,
            "has_more": False,
            "list": [{"title": "no id", "create_time": 1714548000}, {"item_id": "x1"}, 7],
        },
        "extra": {"error_code": 0},
    }

    page = parse_video_list(payload)

    assert page.items == ()
    assert page.skipped == 3


def test_success_envelope_is_not_an_error() -> None:
    assert classify_error(raw("video_list.json")) is None


def test_only_public_videos_count_and_unfit_ones_are_flagged() -> None:
    from jb_watchdesk.connectors.douyin import parse_video_list
    from jb_watchdesk.domain.models import Visibility

    page = parse_video_list((DATA / "douyin_video_list_statuses.json").read_bytes())

    assert [(p.external_id[-4:], p.visibility) for p in page.items] == [
        ("0001", Visibility.PUBLIC),  # 5 public
        ("0002", Visibility.REVIEWING),  # 4 under review
        ("0003", Visibility.PRIVATE),  # 7 private
        ("0004", Visibility.REJECTED),  # 2 not fit for the public
    ]
    assert sum(p.visibility is Visibility.PUBLIC for p in page.items) == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (1, "public"), (5, "public"), ("5", "public"), (6, "private"), (7, "private"), (4, "reviewing"), (2, "rejected"), (None, "public"),
        (3, "reviewing"),
    ],
)
def test_video_status_table(status: object, expected: str) -> None:
    from jb_watchdesk.connectors.douyin import video_visibility

    assert video_visibility(status).value == expected


def test_a_failed_comment_read_keeps_the_videos_and_is_owed_to_the_next_round(sequence_server, memory_secrets) -> None:  # type: ignore[no-untyped-def]
    """Like WeChat's comment quota: one video's comments failing must not cost the account its videos."""
    import asyncio
    from datetime import timedelta, timezone

    from jb_watchdesk.connectors.douyin import DouyinConnector
    from jb_watchdesk.connectors.fetching import AccountRef, FetchState
    from jb_watchdesk.connectors.http import HttpClient, HttpSettings
    from jb_watchdesk.domain.models import Platform

    now = datetime(2024, 5, 3, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    case = {
        "/oauth/refresh_token/": [{"json": json.loads((DATA / "access_token.json").read_text(encoding="utf-8"))}],
        "/video/list/": [{"json": json.loads((DATA / "douyin_video_list_statuses.json").read_text(encoding="utf-8"))}],
        "/item/comment/list/": [{"json": json.loads((DATA / "error_28003018_rate.json").read_text(encoding="utf-8"))}],
    }

    async def run():  # type: ignore[no-untyped-def]
        async with sequence_server(case).running() as server:
            http = HttpClient(HttpSettings(trust_env=False, total_timeout=5.0))
            try:
                secrets = memory_secrets({(1, "client_key"): "key", (1, "refresh_token"): "refresh"})
                account = AccountRef(id=1, name="平安江北", platform=Platform.DOUYIN, source="open-id", api_base=server.base_url)
                state = FetchState()
                return await DouyinConnector(http, secrets).fetch(account, state=state, with_comments=True, now=now), state
            finally:
                await http.aclose()

    result, state = asyncio.run(run())
    assert len(result.posts) == 4
    assert result.problems and all(p.code.endswith(".comments") for p in result.problems)
    assert state.comments_owed == {p.external_id for p in result.posts}
