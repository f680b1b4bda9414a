"""Shared connector values and helpers: errors, dates, HTML stripping, redaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from jb_watchdesk.connectors import douyin, wechat_mp, weibo
from jb_watchdesk.connectors.base import (
    MAX_REASON_CHARS,
    SHANGHAI,
    ConnectorError,
    ErrorKind,
    FetchedComment,
    FetchedPost,
    platform_detail,
)
from jb_watchdesk.connectors.dates import parse_date_text
from jb_watchdesk.connectors.html_text import html_to_text
from jb_watchdesk.domain.models import Health

CST = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 01 May 2024 08:00:00 +0800", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("Wed, 01 May 2024 08:00:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("Wed, 01 May 2024 08:00:00 GMT", datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
        ("Wed, 01 May 2024 08:00:00 -0000", datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
        ("Wed, 01 May 2024 08:00:00 CST", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("Wed, 01 May 2024 08:00:00 EST", datetime(2024, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5)))),
        ("2024年5月1日 08:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("2024年05月01日", datetime(2024, 5, 1, 0, 0, tzinfo=SHANGHAI)),
        ("2024年5月1日 8时30分", datetime(2024, 5, 1, 8, 30, tzinfo=SHANGHAI)),
        ("2024-05-01 08:00:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("2024/5/1 8:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("2024-05-01T08:00:00Z", datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
        ("2024-05-01T08:00:00.123+0800", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("Tue May 31 17:46:55 +0800 2011", datetime(2011, 5, 31, 17, 46, 55, tzinfo=CST)),
        ("Wed May 01 08:00:00 CST 2024", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
    ],
)
def test_dates_are_read_with_shanghai_as_the_default_zone(text: str, expected: datetime) -> None:
    parsed = parse_date_text(text)

    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text", ["", "garbage", "2024-02-31 08:00:00", "1970-01-01", "9" * 500, "2024年13月1日"])
def test_unusable_dates_are_none(text: str) -> None:
    assert parse_date_text(text) is None


def test_html_to_text_drops_markup_and_keeps_text() -> None:
    html = "<p>第一段&nbsp;<b>加粗</b></p><script>alert(1)</script><style>p{}</style><div>第二段 &amp; 更多</div>"

    assert html_to_text(html) == "第一段 加粗\n\n第二段 & 更多"


def test_html_to_text_is_bounded() -> None:
    huge = "<p>" + "字" * 3_000_000 + "</p>"
    started = time.perf_counter()

    text = html_to_text(huge, 1_000)

    assert len(text) == 1_000
    assert time.perf_counter() - started < 2.0


def test_an_unclosed_script_gives_the_rest_back_so_the_scanner_sees_it() -> None:
    assert html_to_text("可见<script>var a = 1; 后文绝密") == "可见var a = 1; 后文绝密"


def test_platform_detail_redacts_token_like_runs_and_control_characters() -> None:
    token = "81_" + "A" * 120
    detail = platform_detail(f"invalid credential {token}\r\nrid: 6630a1b2-1c2d3e4f")

    assert token not in detail
    assert "[redacted]" in detail
    assert "\n" not in detail
    assert detail.endswith("rid: 6630a1b2-1c2d3e4f")


def test_connector_error_reason_is_clipped_and_str_has_code() -> None:
    error = ConnectorError(ErrorKind.TRANSIENT, "x" * 1_000, code="rss.test")

    assert len(error.reason) == MAX_REASON_CHARS
    assert str(error).startswith("rss.test: ")


@pytest.mark.parametrize(
    ("kind", "health"),
    [
        (ErrorKind.TRANSIENT, Health.DEGRADED),
        (ErrorKind.RATE_LIMITED, Health.DEGRADED),
        (ErrorKind.AUTH_EXPIRED, Health.AUTH_EXPIRED),
        (ErrorKind.QUOTA, Health.FAILING),
        (ErrorKind.CONFIG, Health.FAILING),
        (ErrorKind.BAD_PAYLOAD, Health.FAILING),
        (ErrorKind.NOT_A_FEED, Health.FAILING),
    ],
)
def test_every_error_kind_maps_to_a_health(kind: ErrorKind, health: Health) -> None:
    assert ConnectorError(kind, "r", code="c").health is health


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        FetchedPost(external_id="1", title="t", body="", digest="", url="", published_at=datetime(2024, 5, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        FetchedComment(external_id="1", post_external_id="p", author="a", text="t", created_at=datetime(2024, 5, 1))


@pytest.mark.parametrize(
    ("classify", "platform"),
    [(douyin.classify_error, "douyin"), (weibo.classify_error, "weibo"), (wechat_mp.classify_error, "wechat")],
)
def test_classify_error_returns_bad_payload_for_malformed_json(
    classify: Callable[[bytes], ConnectorError | None], platform: str
) -> None:
    error = classify(b'{"errcode": 4')

    assert error is not None
    assert (error.kind, error.code) == (ErrorKind.BAD_PAYLOAD, f"{platform}.bad_payload")
