from __future__ import annotations

import pytest

from jb_watchdesk.domain.models import AccountStatus, Platform
from jb_watchdesk.domain.register import RawRow, map_header, valid_http_url, validate_rows


def rows(*cells: dict[str, str]) -> list[RawRow]:
    return [RawRow(line=n, cells=c) for n, c in enumerate(cells, start=2)]


def reasons(result) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    return [(e.line, e.key) for e in result.errors]


def test_good_rows_become_specs() -> None:
    result = validate_rows(
        rows(
            {"name": "江北政务", "platform": "微信公众号", "unit": "区政府办公室", "status": "", "source": "wx1234567890abcdef"},
            {"name": "平安江北", "platform": "weibo", "status": "待关停", "source": "https://rsshub.example/weibo/user/1"},
            {"name": "区网站", "platform": "网站", "status": "closed", "source": "http://www.example.gov.cn/feed.xml"},
        ),
        file="r.csv",
    )
    assert result.errors == ()
    assert [s.platform for s in result.specs] == [Platform.WECHAT_MP, Platform.WEIBO, Platform.WEBSITE]
    assert [s.status for s in result.specs] == [AccountStatus.ACTIVE, AccountStatus.TO_CLOSE, AccountStatus.CLOSED]


def test_every_bad_row_is_reported_and_nothing_is_returned() -> None:
    result = validate_rows(
        rows(
            {"name": "好账号", "platform": "douyin"},
            {"name": "", "platform": "douyin"},
            {"name": "x", "platform": "myspace"},
            {"name": "y", "platform": "weibo", "status": "sleeping"},
            {"name": "好账号", "platform": "抖音"},
            {"name": "z", "platform": "rss", "source": "file:///etc/passwd"},
            {"name": "w", "platform": "kuaishou", "source": "kuaishou-id-123"},
            {"name": "v", "platform": "weibo", "api_base": "javascript:alert(1)"},
        ),
        file="r.csv",
    )
    assert result.specs == ()
    assert reasons(result) == [
        (3, "register.missing_name"),
        (4, "register.unknown_platform"),
        (5, "register.bad_status"),
        (6, "register.duplicate"),
        (7, "register.bad_url"),
        (8, "register.needs_feed_url"),
        (9, "register.bad_url"),
    ]
    assert result.errors[3].format("en") == "r.csv:6: duplicate account: douyin '好账号' already on line 2"


def test_blank_rows_are_skipped() -> None:
    result = validate_rows(rows({"name": "a", "platform": "rss"}, {"name": " ", "platform": ""}), file="f")
    assert len(result.specs) == 1 and result.errors == ()


def test_duplicate_source_is_reported() -> None:
    url = "https://rsshub.example/feed"
    result = validate_rows(rows({"name": "a", "platform": "rss", "source": url}, {"name": "b", "platform": "rss", "source": url}), file="f")
    assert reasons(result) == [(3, "register.duplicate_source")]


def test_neutralised_cells_are_restored() -> None:
    result = validate_rows(rows({"name": "'=重要通知", "platform": "rss"}), file="f")
    assert result.specs[0].name == "=重要通知"


def test_control_characters_are_refused() -> None:
    result = validate_rows(rows({"name": "bad\x1b[31m", "platform": "rss"}), file="f")
    assert reasons(result) == [(2, "register.control_chars")]


def test_headers_in_chinese_english_and_unknown() -> None:
    mapped, errors = map_header(["\ufeff账号名称", "Platform", "主办单位", "编号", "备注"], file="f")
    assert mapped == ["name", "platform", "unit", None, "note"]
    assert errors == []
    _, errors = map_header(["name", "platfrom"], file="f")
    assert {e.key for e in errors} == {"register.unknown_columns", "register.no_header"}


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://rsshub.app/weibo/user/123", True),
        ("http://127.0.0.1:1200/feed", True),
        ("ftp://example.com/feed", False),
        ("https://", False),
        ("https://exa mple.com/", False),
        ("http://example.com:99999/", False),
        ("javascript:alert(1)", False),
    ],
)
def test_valid_http_url(url: str, ok: bool) -> None:
    assert valid_http_url(url) is ok
