"""parse_feed on saved feeds, including hostile and broken ones."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jb_watchdesk.connectors.base import MAX_BODY_CHARS, SHANGHAI, ConnectorError, ErrorKind
from jb_watchdesk.connectors.feed_parsing import MAX_FEED_BYTES, parse_feed
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
    assert not page.complete


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


# --- Cases found in 2026-11 (copies of /work/shared/cases/2026-11/ in tests/data/rss/) ---

BEIJING_POLL = datetime(2024, 5, 3, 10, 0, tzinfo=CST)


def _content_id(link: str, title: str, raw_date: str) -> str:
    return "sha256:" + hashlib.sha256("\n".join((link, title, raw_date)).encode()).hexdigest()


def rss(items: str, channel: str = "<title>t</title>") -> bytes:
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{channel}{items}</channel></rss>'.encode()


def test_case_placeholder_guid_shared_by_three_items_gives_three_posts() -> None:
    page = parse("rss_repeated_guid.xml")

    assert [post.title for post in page.items] == ["第一条：社区疫苗接种安排", "第二条：垃圾分类宣传周", "第三条：防汛演练通知"]
    ids = [post.external_id for post in page.items]
    assert len(set(ids)) == 3
    assert "N/A" not in ids
    assert ids[0] == _content_id("https://jd.example.gov.cn/", "第一条：社区疫苗接种安排", "Wed, 01 May 2024 09:00:00 +0800")
    assert [post.external_id for post in parse("rss_repeated_guid.xml").items] == ids


def _guid_item(n: int, guid: str = "same") -> str:
    return (
        f"<item><guid>{guid}</guid><link>https://e.org/{n}</link><title>标题{n}</title>"
        f"<pubDate>2024-05-0{n} 08:00:00</pubDate></item>"
    )


def test_a_real_guid_reused_is_replaced_by_the_content_hash_on_every_entry_that_carries_it() -> None:
    items = [_guid_item(n) for n in (1, 2, 3)]

    first = parse_feed(rss("".join(items)), content_type=None, url=FEED_URL).items
    moved = parse_feed(rss(items[0] + items[2] + items[1]), content_type=None, url=FEED_URL).items

    assert [post.external_id for post in first] == [
        _content_id(f"https://e.org/{n}", f"标题{n}", f"2024-05-0{n} 08:00:00") for n in (1, 2, 3)
    ]
    assert {post.title: post.external_id for post in first} == {post.title: post.external_id for post in moved}


def test_a_new_entry_inserted_above_entries_sharing_a_guid_does_not_take_an_old_entrys_id() -> None:
    # Poll 1: two articles carry the same guid; poll 2: a third, also with it, is put first.
    before = parse_feed(rss(_guid_item(1) + _guid_item(2)), content_type=None, url=FEED_URL).items
    after = parse_feed(rss(_guid_item(3) + _guid_item(1) + _guid_item(2)), content_type=None, url=FEED_URL).items

    old_ids = {post.title: post.external_id for post in before}
    new_ids = {post.title: post.external_id for post in after}
    assert {title: new_ids[title] for title in old_ids} == old_ids
    assert new_ids["标题3"] not in old_ids.values()
    assert "same" not in new_ids.values()


def test_a_guid_shared_with_a_placeholder_entry_and_unique_guids_are_unaffected() -> None:
    page = parse_feed(
        rss(_guid_item(1, "a") + _guid_item(2, "N/A") + _guid_item(3, "b") + _guid_item(4, "b")),
        content_type=None,
        url=FEED_URL,
    )

    ids = [post.external_id for post in page.items]
    assert ids[0] == "a"
    assert ids[1] == _content_id("https://e.org/2", "标题2", "2024-05-02 08:00:00")
    assert ids[2:] == [_content_id(f"https://e.org/{n}", f"标题{n}", f"2024-05-0{n} 08:00:00") for n in (3, 4)]


def test_a_guid_shared_by_json_feed_items_is_replaced_on_all_of_them() -> None:
    items = [{"id": "x", "url": f"https://e.org/{n}", "title": f"t{n}"} for n in (1, 2)]

    page = parse_feed(json_feed(items), content_type=None, url=FEED_URL, fetched_at=FETCHED_AT)

    assert [post.external_id for post in page.items] == [_content_id(f"https://e.org/{n}", f"t{n}", "") for n in (1, 2)]


def test_an_item_repeated_word_for_word_is_stored_once() -> None:
    item = "<item><guid>g</guid><link>https://e.org/1</link><title>同一条</title><description>正文</description></item>"
    other = "<item><guid>g</guid><link>https://e.org/1</link><title>同一条</title><description>改过的正文</description></item>"

    page = parse_feed(rss(item + item + other), content_type=None, url=FEED_URL, fetched_at=FETCHED_AT)

    assert [post.body for post in page.items] == ["正文", "改过的正文"]
    assert len({post.external_id for post in page.items}) == 2
    assert page.skipped == 1


@pytest.mark.parametrize("guid", ["", "N/A", "n/a", "null", "NULL", "undefined", "0", "-", "  none  "])
def test_placeholder_guids_are_treated_as_absent(guid: str) -> None:
    body = rss(f"<item><guid>{guid}</guid><link>https://e.org/7</link><title>七</title><pubDate>2024-05-01</pubDate></item>")

    (post,) = parse_feed(body, content_type=None, url=FEED_URL).items

    assert post.external_id == _content_id("https://e.org/7", "七", "2024-05-01")


def test_a_placeholder_permalink_guid_is_not_made_into_a_link() -> None:
    body = rss("<item><guid>N/A</guid><title>无链接</title><pubDate>2024-05-01</pubDate></item>")

    (post,) = parse_feed(body, content_type=None, url=FEED_URL).items

    assert post.url == ""


def test_case_beijing_time_labelled_gmt_keeps_all_three_posts_as_given() -> None:
    page = parse_feed(
        load("rss_beijing_time_labelled_gmt.xml"), content_type=None, url=FEED_URL, fetched_at=BEIJING_POLL
    )

    assert [post.published_at for post in page.items] == [
        datetime(2024, 5, 3, 9, 30, tzinfo=UTC),  # 7.5 hours after the poll: kept, not dropped
        datetime(2024, 5, 1, 0, 30, tzinfo=UTC),
        datetime(2024, 4, 29, 1, 0, tzinfo=UTC),
    ]
    assert not any(post.date_estimated for post in page.items)


def test_case_items_without_dates_are_estimated_at_the_fetch_time() -> None:
    page = parse("rss_items_without_dates.xml")

    assert len(page.items) == 6
    assert all(post.date_estimated and post.published_at == FETCHED_AT for post in page.items)
    assert len({post.external_id for post in page.items}) == 6


def test_case_chinese_and_epoch_dates() -> None:
    page = parse("rss_chinese_and_epoch_dates.xml")

    assert [post.published_at for post in page.items] == [
        datetime(2024, 5, 1, 8, 0, tzinfo=CST),
        datetime(2024, 5, 1, 0, 0, tzinfo=UTC),
        datetime(2024, 5, 1, 0, 0, tzinfo=UTC),
    ]
    assert page.items[0].published_at.utcoffset() == timedelta(hours=8)
    assert not any(post.date_estimated for post in page.items)


def test_case_json_feed_1_1_gives_its_post() -> None:
    page = parse_feed(
        load("jsonfeed_1_1.json"), content_type="application/feed+json", url=FEED_URL, fetched_at=FETCHED_AT
    )

    assert page.title == "江北区融媒体中心"
    (post,) = page.items
    assert post.external_id == "jbrm-88"
    assert post.url == "https://jbrm.example.cn/a/88.html"
    assert post.title == "区融媒体中心推出“江北夜景”专题"
    assert post.body == "专题上线。"
    assert post.digest == "专题上线。"
    assert post.published_at == datetime(2024, 5, 2, 20, 0, tzinfo=CST)
    assert post.author == "江北融媒"
    assert not post.date_estimated


def test_case_plain_feed() -> None:
    page = parse("rss_plain.xml")

    assert [post.external_id for post in page.items] == [
        "jbq-zwdt-1001",
        "https://www.jbq.example.gov.cn/tzgg/2024/04/t20240430_0999.html",
    ]


# --- Dates: one gate on every path, the fallbacks included ---


@pytest.mark.parametrize(
    "pub_date",
    [
        "Thu, 01 Jan 1970 08:00:00 +0800",  # our reader's value, before 2000
        "Sun Jan  4 16:29:06 1970",  # only feedparser's asctime reader knows it
        "2024-05-09T08:00:00+08:00",  # six days after the fetch
        "20245",  # feedparser's loose ISO reader would guess a date
        "garbage",
    ],
)
def test_an_implausible_or_unreadable_date_is_unknown_and_estimated(pub_date: str) -> None:
    body = rss(f"<item><guid>d</guid><title>t</title><pubDate>{pub_date}</pubDate></item>")

    (post,) = parse_feed(body, content_type=None, url=FEED_URL, fetched_at=FETCHED_AT).items

    assert post.date_estimated
    assert post.published_at == FETCHED_AT


def test_feedparser_fallback_readers_still_serve_formats_only_they_know() -> None:
    # Korean Nate format: only feedparser reads it; KST is +09:00.
    body = rss("<item><guid>k</guid><title>t</title><pubDate>2024-05-01 오후 11:23:17</pubDate></item>")

    (post,) = parse_feed(body, content_type=None, url=FEED_URL, fetched_at=FETCHED_AT).items

    assert post.published_at == datetime(2024, 5, 1, 14, 23, 17, tzinfo=UTC)
    assert not post.date_estimated


def test_an_implausible_published_date_falls_back_to_updated() -> None:
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>a</id>'
        b"<title>t</title><published>1970-01-01T00:00:00Z</published><updated>2024-05-02T08:00:00+08:00</updated>"
        b"</entry></feed>"
    )

    (post,) = parse_feed(body, content_type=None, url=FEED_URL, fetched_at=FETCHED_AT).items

    assert post.published_at == datetime(2024, 5, 2, 8, 0, tzinfo=CST)
    assert post.raw_updated_at == post.published_at


def test_a_date_followed_by_beijing_time_is_not_read_as_utc() -> None:
    # feedparser's fallback read this as 22:00 UTC: Monday 06:00 in Beijing, next week.
    body = rss("<item><guid>w</guid><title>周日晚</title><pubDate>2024-04-28 22:00:00 北京时间</pubDate></item>")

    (post,) = parse_feed(body, content_type=None, url=FEED_URL, fetched_at=FETCHED_AT).items

    assert post.published_at == datetime(2024, 4, 28, 22, 0, tzinfo=CST)
    assert not post.date_estimated


# --- Documents cut short ---


def test_a_feed_cut_inside_its_last_item_drops_that_item_and_is_marked_incomplete() -> None:
    # Before: the third item was kept with a half link and an estimated date, and the
    # whole item came back on the next poll as a second post.
    page = parse("rss_cut_inside_last_item.xml")

    assert [post.external_id for post in page.items] == ["jbq-1001", "jbq-0999"]
    assert not page.complete
    assert page.skipped == 1
    assert not any(post.date_estimated for post in page.items)


@pytest.mark.parametrize(
    "body",
    [
        rss("<item><guid>a</guid><title>一</title></item><item><guid>b</guid><title>二</title></item>")[: -len("</rss>")],
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>a</id><title>一</title></entry>'
        "<entry><id>b</id><title>二</title>".encode(),
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
        b"<item><title>a</title><link>https://e.org/a</link></item><item><title>b</title><link>https://e.org/b",
    ],
)
def test_rss_atom_and_rdf_without_their_root_end_tag_lose_the_last_entry(body: bytes) -> None:
    page = parse_feed(body, content_type=None, url=FEED_URL, fetched_at=FETCHED_AT)

    assert len(page.items) == 1
    assert not page.complete


@pytest.mark.parametrize(
    "body",
    [
        rss("<item><guid>a</guid><title>一</title></item><item><guid>b</guid><title>二</title></item>"),
        rss("<item><guid>a</guid><title>一</title></item><item><guid>b</guid><title>二</title></item>")
        + b"\n<!-- generated in 0.02 s -->\n",
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">'
        b"<item><title>a</title><link>https://e.org/a</link></item><item><title>b</title><link>https://e.org/b</link>"
        b"</item></rdf:RDF>",
    ],
)
def test_a_complete_document_keeps_every_entry(body: bytes) -> None:
    page = parse_feed(body, content_type=None, url=FEED_URL, fetched_at=FETCHED_AT)

    assert len(page.items) == 2
    assert page.complete


def test_a_cut_document_whose_only_entry_is_unfinished_is_bad_payload() -> None:
    body = rss("<item><guid>a</guid><title>一</title><link>https://e.org/a</link></item>").split(b"</item>")[0]

    with pytest.raises(ConnectorError) as caught:
        parse_feed(body, content_type=None, url=FEED_URL, fetched_at=FETCHED_AT)

    assert caught.value.code == "rss.malformed"


# --- Bytes before text ---


def _cut_one_character(body: bytes, text: str) -> bytes:
    encoded = text.encode("utf-8")
    return body.replace(encoded, encoded[:-1], 1)


@pytest.mark.parametrize("content_type", [None, "application/rss+xml; charset=utf-8", "text/xml; charset=gbk"])
def test_one_cut_utf8_character_does_not_lose_the_feed(content_type: str | None) -> None:
    body = _cut_one_character(load("rss2_utf8.xml"), "召")

    page = parse_feed(body, content_type=content_type, url=FEED_URL, fetched_at=FETCHED_AT)

    first, second = page.items
    assert first.title == "江北区\ufffd开2024年安全生产工作会议"
    assert second.title == "关于“五一”假期值班安排的通知"
    assert page.title == "江北区人民政府 - 政务动态"


CUT_TITLES = "rss_utf8_titles_cut_mid_character.xml"


@pytest.mark.parametrize(
    ("content_type", "prefix"),
    [
        ("application/rss+xml; charset=utf-8", b""),  # the header says UTF-8
        ("application/rss+xml", b""),  # only the XML declaration does
        (None, b""),
        ("application/rss+xml", b"\xef\xbb\xbf"),  # a byte order mark
    ],
)
def test_utf8_titles_cut_mid_character_stay_utf8_not_gb18030_mojibake(content_type: str | None, prefix: bytes) -> None:
    # Six titles cut at 31 bytes: about one broken character in ten, too many to
    # pass as "a few", but the rest is plainly UTF-8.
    page = parse_feed(prefix + load(CUT_TITLES), content_type=content_type, url=FEED_URL, fetched_at=FETCHED_AT)

    assert page.title == "江北区人民政府"
    assert [post.title for post in page.items] == [
        "关于印发江北区绝密文\ufffd",
        "江北区召开二〇二四年\ufffd",
        "区政府常务会议研究部\ufffd",
        "关于开展二〇二四年度\ufffd",
        "江北区教育委员会发布\ufffd",
        "区卫生健康委员会开展\ufffd",
    ]


@pytest.mark.parametrize("content_type", ["text/xml; charset=utf-8", "text/xml", None])
def test_gbk_bytes_labelled_utf8_are_still_read_as_gb18030(content_type: str | None) -> None:
    body = load("gb18030_mislabelled_gb2312.xml").replace(b'encoding="gb2312"', b'encoding="utf-8"')

    page = parse_feed(body, content_type=content_type, url=FEED_URL, fetched_at=FETCHED_AT)

    assert page.title == "江北区教育委员会"
    assert page.items[0].title == "2024年江北区义务教育阶段招生入学工作实施意见"


def test_one_invalid_byte_in_a_gb18030_feed_does_not_lose_the_feed() -> None:
    body = load("gb18030_mislabelled_gb2312.xml").replace("招生".encode("gb18030"), b"\x81\x20" + "生".encode("gb18030"), 1)

    page = parse("gb18030_mislabelled_gb2312.xml", content_type="application/rss+xml; charset=GBK")
    broken = parse_feed(body, content_type="application/rss+xml; charset=GBK", url=FEED_URL, fetched_at=FETCHED_AT)

    assert broken.title == page.title == "江北区教育委员会"
    (post,) = broken.items
    assert "\ufffd" in post.title
    assert post.title.replace("\ufffd", "").replace(" ", "") == page.items[0].title.replace("招", "")
    assert post.body == page.items[0].body


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("declaration", ['<?xml version="1.0" encoding="utf-16"?>\n', '<?xml version="1.0"?>\n', ""])
def test_utf16_and_utf32_without_a_bom_are_recognised_from_the_first_bytes(encoding: str, declaration: str) -> None:
    text = load("rss2_utf8.xml").decode("utf-8").split("?>", 1)[1].lstrip()
    body = (declaration + text).encode(encoding)

    page = parse_feed(body, content_type="application/rss+xml", url=FEED_URL, fetched_at=FETCHED_AT)

    assert page.items[0].title == "江北区召开2024年安全生产工作会议"


@pytest.mark.parametrize(
    ("encoding", "title"),
    [
        ("big5", "臺北市政府舉行記者會說明颱風應變措施"),
        ("shift_jis", "東京都は台風に備えて避難の準備を呼びかけ"),
        ("euc_kr", "서울시는 태풍에 대비하여 안전에 유의"),
        ("gb18030", "江北区召开安全生产工作会议"),
        ("gbk", "区政府办公室发布通知"),
    ],
)
def test_unlabelled_east_asian_charsets_are_detected_not_read_as_gb18030(encoding: str, title: str) -> None:
    body = rss(
        f"<item><guid>c</guid><title>{title}</title><description>{title}。{title}。</description>"
        "<pubDate>2024-05-01 08:00:00</pubDate></item>",
        channel=f"<title>{title[:4]}</title>",
    ).replace(b' encoding="utf-8"', b"")

    (post,) = parse_feed(body.decode().encode(encoding), content_type="text/xml", url=FEED_URL).items

    assert post.title == title


@pytest.mark.parametrize("title", ["江北区通知", "关于开展", "防汛演练通知", "区政府常务会议"])
def test_a_single_short_gbk_title_stays_gb18030(title: str) -> None:
    # Detectors often rank Korean or Japanese first on a few characters; GB18030 ties.
    body = rss(f"<item><guid>s</guid><title>{title}</title><pubDate>2024-05-01</pubDate></item>").replace(
        b' encoding="utf-8"', b""
    )

    (post,) = parse_feed(body.decode().encode("gbk"), content_type=None, url=FEED_URL).items

    assert post.title == title


@pytest.mark.parametrize("label", ["rot13", "base64", "idna", "undefined", "no-such-charset", "utf-16"])
def test_a_declared_charset_that_is_not_a_charset_is_ignored(label: str) -> None:
    body = load("rss2_utf8.xml").replace(b'encoding="UTF-8"', f'encoding="{label}"'.encode()).replace(
        "安全".encode(), "安全".encode("gbk"), 1
    )

    page = parse_feed(body, content_type=f"text/xml; charset={label}", url=FEED_URL, fetched_at=FETCHED_AT)

    assert page.items[1].title == "关于“五一”假期值班安排的通知"


@pytest.mark.parametrize("reference", ["&#xD83D;", "&#55357;", "&#x110000;", "&#0;", "&#x1;", "&#99999999999;"])
def test_character_references_to_no_character_become_a_replacement_character(reference: str) -> None:
    body = rss(f"<item><guid>r</guid><title>半个{reference}表情</title><pubDate>2024-05-01</pubDate></item>")

    (post,) = parse_feed(body, content_type=None, url=FEED_URL).items

    assert post.title == "半个\ufffd表情"


# --- Links ---


def test_relative_links_resolve_against_the_channel_link_before_the_feed_url() -> None:
    body = rss(
        "<item><guid>w</guid><link>/1000000001/OabcD1</link><title>t</title><pubDate>2024-05-01</pubDate></item>",
        channel="<title>t</title><link>https://weibo.com/1000000001/</link>",
    )

    (post,) = parse_feed(body, content_type=None, url=FEED_URL).items

    assert post.url == "https://weibo.com/1000000001/OabcD1"


def test_a_relative_channel_link_is_itself_resolved_against_the_feed_url() -> None:
    body = rss(
        "<item><guid>w</guid><link>7.html</link><title>t</title><pubDate>2024-05-01</pubDate></item>",
        channel="<title>t</title><link>/site/news/</link>",
    )

    (post,) = parse_feed(body, content_type=None, url=FEED_URL).items

    assert post.url == "https://rsshub.example.org/site/news/7.html"


def test_xml_base_is_applied_when_present() -> None:
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.gov.cn/zw/">'
        b'<title>t</title><entry><id>b</id><title>t</title><link href="2024/7.html"/>'
        b"<updated>2024-05-01T08:00:00+08:00</updated></entry></feed>"
    )

    (post,) = parse_feed(body, content_type=None, url=FEED_URL).items

    assert post.url == "https://news.example.gov.cn/zw/2024/7.html"


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "file:///etc/passwd", "ftp://e.org/a", "data:text/html,x", "mailto:a@b.c", "http://"]
)
def test_only_http_links_are_kept(link: str) -> None:
    body = rss(
        f"<item><guid>x</guid><link>{link}</link><title>t</title><pubDate>2024-05-01</pubDate></item>",
        channel="<title>t</title><link>javascript:void(0)</link>",
    )

    (post,) = parse_feed(body, content_type=None, url=FEED_URL).items

    assert post.url == ""


# --- JSON Feed ---


def json_feed(items: list[dict[str, object]], **top: object) -> bytes:
    import json

    return json.dumps({"version": "https://jsonfeed.org/version/1", "title": "t", **top, "items": items}).encode()


def test_json_feed_1_0_with_author_numeric_id_text_content_and_relative_url() -> None:
    body = json_feed(
        [
            {
                "id": 42,
                "url": "/a/42.html",
                "title": "标题",
                "content_text": "第一行\n\n\n第二行",
                "summary": "摘要",
                "date_published": "2024-05-01T08:00:00+08:00",
                "date_modified": "2024-05-01T09:00:00+08:00",
                "author": {"name": "作者甲"},
            }
        ],
        home_page_url="https://site.example.cn/",
    )

    (post,) = parse_feed(body, content_type="application/json", url=FEED_URL).items

    assert post.external_id == "42"
    assert post.url == "https://site.example.cn/a/42.html"
    assert post.body == "第一行\n\n第二行"
    assert post.digest == "摘要"
    assert post.author == "作者甲"
    assert post.raw_updated_at == datetime(2024, 5, 1, 9, 0, tzinfo=CST)


def test_json_feed_items_pass_the_same_id_and_date_gates() -> None:
    body = json_feed(
        [
            {"id": "N/A", "url": "https://e.org/1", "title": "一", "date_published": "1970-01-01T00:00:00Z"},
            {"id": "dup", "url": "https://e.org/2", "title": "二"},
            {"id": "dup", "url": "https://e.org/3", "title": "三"},
            "not an item",
        ],
        authors=[{"name": "江北发布"}],
    )

    page = parse_feed(body, content_type=None, url=FEED_URL, fetched_at=FETCHED_AT)

    first, second, third = page.items
    assert first.external_id == _content_id("https://e.org/1", "一", "1970-01-01T00:00:00Z")
    assert first.date_estimated and first.published_at == FETCHED_AT
    # "dup" is carried by two items, so it is an id for neither.
    assert second.external_id == _content_id("https://e.org/2", "二", "")
    assert third.external_id == _content_id("https://e.org/3", "三", "")
    assert {post.author for post in page.items} == {"江北发布"}
    assert page.skipped == 1


def test_json_feed_item_count_is_capped() -> None:
    body = json_feed([{"id": str(n), "title": f"t{n}", "date_published": "2024-05-01T00:00:00Z"} for n in range(30)])

    page = parse_feed(body, content_type=None, url=FEED_URL, max_items=10)

    assert len(page.items) == 10
    assert page.skipped == 20


@pytest.mark.parametrize(
    "body",
    [
        b'{"error":{"message":"ConfigNotFoundError: Weibo RSS is disabled"}}',
        b'[{"title": "x"}]',
        b'{"version": "https://example.org/not-json-feed", "items": []}',
        b'{"version": "https://jsonfeed.org/version/1.1", "items": "none"}',
        b'{"items": [',
    ],
)
def test_json_that_is_not_a_json_feed_is_not_a_feed(body: bytes) -> None:
    with pytest.raises(ConnectorError) as caught:
        parse_feed(body, content_type="application/json", url=FEED_URL)

    assert caught.value.kind is ErrorKind.NOT_A_FEED
    assert "JSON" in caught.value.reason


def test_rsshub_error_message_is_named() -> None:
    with pytest.raises(ConnectorError) as caught:
        parse("rsshub_error.json", content_type="application/json")

    assert "ConfigNotFoundError" in caught.value.reason


# --- Properties ---


@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_raise_nothing_but_connector_error(body: bytes) -> None:
    try:
        parse_feed(body, content_type=None, url=FEED_URL, fetched_at=FETCHED_AT)
    except ConnectorError:
        pass


_MARKUP = st.sampled_from(
    ["<", ">", "&", "&#xD83D;", "&#0;", "&amp;", "<![CDATA[", "]]>", "<p>", "<iframe>", "</item>", "\x00", "\ufffe"]
)


@given(
    st.lists(st.one_of(st.text(max_size=20), _MARKUP), max_size=30).map("".join),
    st.sampled_from(["utf-8", "gb18030", "utf-16-le", "big5", "latin-1"]),
    st.sampled_from([None, "text/xml", "text/xml; charset=utf-8", "text/xml; charset=gbk"]),
)
def test_feed_shaped_documents_raise_nothing_but_connector_error(
    inside: str, encoding: str, content_type: str | None
) -> None:
    document = f"<rss version='2.0'><channel><title>t</title><item><title>{inside}</title><pubDate>{inside}</pubDate>" \
        f"<description>{inside}</description><guid>{inside}</guid><link>{inside}</link></item></channel></rss>"
    try:
        page = parse_feed(
            document.encode(encoding, "replace"), content_type=content_type, url=FEED_URL, fetched_at=FETCHED_AT
        )
    except ConnectorError:
        return
    for post in page.items:
        assert EARLIEST <= post.published_at <= FETCHED_AT + timedelta(days=1)
        assert post.url == "" or post.url.startswith(("http://", "https://"))


EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
