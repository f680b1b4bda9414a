"""parse_feed on saved feeds, including hostile and broken ones."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from jb_watchdesk.connectors.base import MAX_BODY_CHARS, SHANGHAI, ConnectorError, ErrorKind
from jb_watchdesk.connectors.rss import MAX_FEED_BYTES, parse_feed
from jb_watchdesk.domain.models import Health

DATA = Path(__file__).resolve().parents[2] / "data" / "rss"
FEED_URL = "https://rsshub.example.org/jbq/zwdt"
FETCHED_AT = datetime(2024, 5, 3, 0, 0, tzinfo=UTC)
CST = timezone(timedelta(hours=8))


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def parse(name: str, content_type: str | None = "application/rss+xml; charset=utf-8", **kwargs: object):
    return parse_feed(load(name), content_type=content_type, url=FEED_URL, fetched_at=FETCHED_AT, **kwargs)


def test_rss2_items_with_guid_date_author_and_plain_text_body() -> None:
    page = parse("rss2_utf8.xml")

    assert page.title == "江北区人民政府 - 政务动态"
    assert [post.external_id for post in page.items] == [
        "jbq-zwdt-1001",
        "https://www.jbq.example.gov.cn/tzgg/2024/04/t20240430_0999.html",
    ]
    first, second = page.items
    assert first.title == "江北区召开2024年安全生产工作会议"
    assert first.published_at == datetime(2024, 5, 1, 8, 0, tzinfo=CST)
    assert first.author == "区政府办公室"
    assert first.url == "https://www.jbq.example.gov.cn/zwdt/2024/05/t20240501_1001.html"
    assert first.body == "5月1日上午，江北区召开安全生产工作会议。\n\n会议强调，要压实各方责任 确保安全。"
    assert first.digest == "5月1日上午，江北区召开安全生产工作会议。"
    assert "<" not in first.body
    assert second.published_at == datetime(2024, 4, 30, 17, 30, tzinfo=UTC)
    assert not first.deleted and not first.date_estimated
    assert page.skipped == 0


def test_atom_entries_use_published_and_keep_updated() -> None:
    page = parse("atom.xml", content_type="application/atom+xml")

    first, second = page.items
    assert first.external_id == "tag:weibo.com,2024:5030000000000001"
    assert first.title == "【提醒】暴雨蓝色预警"
    assert first.body == "区气象台5月2日9时发布暴雨蓝色预警信号。"
    assert first.published_at == datetime(2024, 5, 2, 9, 15, tzinfo=CST)
    assert first.raw_updated_at == datetime(2024, 5, 2, 9, 40, tzinfo=CST)
    assert first.author == "江北发布"
    # No <published>: the entry's <updated> is the best date there is.
    assert second.published_at == datetime(2024, 5, 1, 0, 30, tzinfo=UTC)
    assert second.digest == "自5月1日起，区图书馆开放时间调整为9:00—21:00。"


def test_gb18030_feed_mislabelled_gb2312_is_decoded_with_header_charset() -> None:
    page = parse("gb18030_mislabelled_gb2312.xml", content_type="application/rss+xml; charset=GBK")

    (post,) = page.items
    assert page.title == "江北区教育委员会"
    assert post.external_id == "jw-5"
    assert post.title == "2024年江北区义务教育阶段招生入学工作实施意见"
    # Characters outside GBK (Ext-A, a four-byte GB18030 code, the euro sign) survive.
    assert post.body.endswith("生僻字测试：䶮、𠀀、€。")


def test_gb18030_feed_without_any_declaration_uses_the_header() -> None:
    body = load("gb18030_mislabelled_gb2312.xml").replace(b' encoding="gb2312"', b"")

    page = parse_feed(body, content_type="text/xml; charset=gb18030", url=FEED_URL)

    assert page.items[0].title == "2024年江北区义务教育阶段招生入学工作实施意见"


def test_gb18030_feed_without_header_falls_back_to_its_declaration() -> None:
    page = parse("gb18030_mislabelled_gb2312.xml", content_type="application/rss+xml")

    assert page.title == "江北区教育委员会"


def test_utf8_feed_served_with_a_wrong_gbk_header_stays_readable() -> None:
    page = parse("rss2_utf8.xml", content_type="text/xml; charset=gbk")

    assert page.items[0].title == "江北区召开2024年安全生产工作会议"


def test_items_without_guid_get_a_stable_hash_of_link_title_and_date() -> None:
    page = parse("rss_no_guid_chinese_dates.xml")

    first = page.items[0]
    material = "\n".join(
        (
            "https://wjw.jbq.example.gov.cn/tzgg/202405/t20240501_01.html",
            "2024年第一季度医疗机构监督检查结果公示",
            "2024年5月1日 08:00",
        )
    )
    assert first.external_id == "sha256:" + hashlib.sha256(material.encode()).hexdigest()
    again = parse("rss_no_guid_chinese_dates.xml")
    assert [post.external_id for post in again.items] == [post.external_id for post in page.items]
    assert len({post.external_id for post in page.items}) == 4


def test_zone_less_and_chinese_dates_are_shanghai_time() -> None:
    page = parse("rss_no_guid_chinese_dates.xml")

    dates = [post.published_at for post in page.items[:3]]
    # feedparser alone reads the first as 1 November and the others as UTC.
    assert dates == [
        datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI),
        datetime(2024, 4, 28, 16, 45, tzinfo=SHANGHAI),
        datetime(2024, 4, 20, 9, 0, tzinfo=SHANGHAI),
    ]
    assert dates[0].astimezone(UTC) == datetime(2024, 5, 1, 0, 0, tzinfo=UTC)


def test_item_without_date_gets_fetch_time_marked_estimated() -> None:
    page = parse("rss_no_guid_chinese_dates.xml")

    undated = page.items[3]
    assert undated.title == "无日期的栏目说明"
    assert undated.published_at == FETCHED_AT
    assert undated.date_estimated


def test_item_without_date_is_skipped_when_no_fetch_time_is_given() -> None:
    page = parse_feed(load("rss_no_guid_chinese_dates.xml"), content_type=None, url=FEED_URL)

    assert len(page.items) == 3
    assert page.skipped == 1


@pytest.mark.parametrize("name", ["login_wall.html", "waf_block.html"])
def test_html_page_instead_of_feed_is_not_a_feed(name: str) -> None:
    with pytest.raises(ConnectorError) as caught:
        parse(name, content_type="text/html; charset=utf-8")

    assert caught.value.kind is ErrorKind.NOT_A_FEED
    assert caught.value.code == "rss.not_a_feed"
    assert caught.value.health is Health.FAILING
    assert "web page" in caught.value.reason


def test_html_page_served_as_xml_is_still_not_a_feed() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse("waf_block.html", content_type="application/rss+xml")

    assert caught.value.kind is ErrorKind.NOT_A_FEED


def test_rsshub_json_error_is_not_a_feed() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse("rsshub_error.json", content_type="application/json")

    assert caught.value.kind is ErrorKind.NOT_A_FEED
    assert "JSON" in caught.value.reason


@pytest.mark.parametrize("name", ["entity_bomb.xml", "xxe_external_entity.xml"])
def test_entity_declarations_are_refused_before_parsing(name: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ConnectorError) as caught:
        parse(name)

    assert caught.value.kind is ErrorKind.BAD_PAYLOAD
    assert caught.value.code == "rss.entity"
    assert time.perf_counter() - started < 1.0


def test_internal_dtd_subset_without_entities_is_refused() -> None:
    body = b'<?xml version="1.0"?>\n<!DOCTYPE rss [ <!ELEMENT rss ANY> ]>\n<rss version="2.0"><channel/></rss>'

    with pytest.raises(ConnectorError) as caught:
        parse_feed(body, content_type=None, url=FEED_URL)

    assert caught.value.code == "rss.doctype"


def test_rss091_external_doctype_is_dropped_and_the_feed_read() -> None:
    page = parse("rss091_netscape_doctype.xml", content_type="text/xml")

    (post,) = page.items
    assert post.title == "Café street reopens after renovation"
    assert post.date_estimated


def test_script_style_iframe_and_javascript_link_are_removed() -> None:
    page = parse("rss_script_in_description.xml")

    (post,) = page.items
    assert post.title == "活动报名开始"
    assert post.body == "报名时间：5月6日前 请携带身份证。"
    assert post.url == ""
    for fragment in ("script", "alert", "onerror", "display:none", "iframe", "<"):
        assert fragment not in post.body
        assert fragment not in post.title


def test_empty_channel_is_zero_posts_not_an_error() -> None:
    page = parse("rss_empty_channel.xml")

    assert page.items == ()
    assert page.title == "江北区档案馆"


def test_truncated_feed_keeps_the_complete_items() -> None:
    page = parse("rss_truncated.xml")

    assert [post.external_id for post in page.items] == ["cut-1"]


def test_broken_feed_with_no_items_is_bad_payload_not_silence() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse("rss_broken_no_items.xml")

    assert caught.value.kind is ErrorKind.BAD_PAYLOAD
    assert caught.value.code == "rss.malformed"


@pytest.mark.parametrize("body", [b"", b"   \r\n  "])
def test_empty_body_is_bad_payload(body: bytes) -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_feed(body, content_type="application/rss+xml", url=FEED_URL)

    assert caught.value.code == "rss.empty"


def test_oversized_body_is_refused_without_parsing() -> None:
    body = b"<rss>" + b" " * MAX_FEED_BYTES + b"</rss>"

    with pytest.raises(ConnectorError) as caught:
        parse_feed(body, content_type=None, url=FEED_URL)

    assert caught.value.code == "rss.too_large"


def test_unknown_xml_root_is_not_a_feed() -> None:
    body = b'<?xml version="1.0"?><sitemapindex><sitemap/></sitemapindex>'

    with pytest.raises(ConnectorError) as caught:
        parse_feed(body, content_type="text/xml", url=FEED_URL)

    assert caught.value.kind is ErrorKind.NOT_A_FEED
    assert "<sitemapindex>" in caught.value.reason


def test_item_count_and_lengths_are_capped() -> None:
    long_text = "长" * (MAX_BODY_CHARS + 5_000)
    items = "".join(
        f"<item><guid>g{number}</guid><title>{'标' * 1_500}</title>"
        f"<pubDate>2024-05-01 08:00:00</pubDate><description>{long_text if number == 0 else 'x'}</description></item>"
        for number in range(30)
    )
    body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'

    page = parse_feed(body.encode(), content_type=None, url=FEED_URL, max_items=10)

    assert len(page.items) == 10
    assert page.skipped == 20
    assert len(page.items[0].title) == 1_000
    assert len(page.items[0].body) == MAX_BODY_CHARS


def test_relative_links_are_resolved_against_the_feed_url_but_guids_are_not() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><guid>local-7</guid><link>/news/7.html</link><title>t7</title>"
        b"<pubDate>2024-05-01 08:00:00</pubDate></item></channel></rss>"
    )

    (post,) = parse_feed(body, content_type=None, url=FEED_URL, fetched_at=FETCHED_AT).items

    assert post.external_id == "local-7"
    assert post.url == "https://rsshub.example.org/news/7.html"


def test_over_long_guid_is_hashed_not_cut() -> None:
    guid = "https://example.org/" + "a" * 400
    body = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><guid>{guid}</guid>'
        f"<title>t</title><pubDate>2024-05-01 08:00:00</pubDate></item></channel></rss>"
    ).encode()

    (post,) = parse_feed(body, content_type=None, url=FEED_URL).items

    assert post.external_id == "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
