"""parse_date_text and the one date gate (plausible_date) that every date path passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jb_watchdesk.connectors.base import SHANGHAI
from jb_watchdesk.connectors.dates import (
    EARLIEST_DATE,
    FUTURE_TOLERANCE,
    epoch_to_datetime,
    parse_date_text,
    plausible_date,
)

CST = timezone(timedelta(hours=8))
FETCHED_AT = datetime(2024, 5, 3, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024年5月1日 星期三 08:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("2024年5月1日（星期三）08:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("2024年5月1日 周三 08:00:30", datetime(2024, 5, 1, 8, 0, 30, tzinfo=SHANGHAI)),
        ("星期三 2024年5月1日", datetime(2024, 5, 1, 0, 0, tzinfo=SHANGHAI)),
        ("２０２４年５月１日　０８：００", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("２０２４－０５－０１　０８：００", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("2024年5月1日 下午3:30", datetime(2024, 5, 1, 15, 30, tzinfo=SHANGHAI)),
        ("2024年5月1日 上午9:05", datetime(2024, 5, 1, 9, 5, tzinfo=SHANGHAI)),
        ("2024年5月1日 凌晨12:30", datetime(2024, 5, 1, 0, 30, tzinfo=SHANGHAI)),
        ("2024年5月1日 中午12:10", datetime(2024, 5, 1, 12, 10, tzinfo=SHANGHAI)),
        ("2024年5月1日 晚上8点", datetime(2024, 5, 1, 20, 0, tzinfo=SHANGHAI)),
        ("2024年5月1日 14时05分", datetime(2024, 5, 1, 14, 5, tzinfo=SHANGHAI)),
        ("2024-05-01 下午 03:00", datetime(2024, 5, 1, 15, 0, tzinfo=SHANGHAI)),
        ("2024-05-01 03:00 PM", datetime(2024, 5, 1, 15, 0, tzinfo=SHANGHAI)),
        ("2024/5/1 12:10 a.m.", datetime(2024, 5, 1, 0, 10, tzinfo=SHANGHAI)),
        ("发布时间：2024-05-01 08:00", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("1714521600", datetime(2024, 5, 1, 0, 0, tzinfo=UTC)),
        ("1714521600000", datetime(2024, 5, 1, 0, 0, tzinfo=UTC)),
        ("1714521600.250", datetime(2024, 5, 1, 0, 0, tzinfo=UTC)),  # fractions dropped, as in ISO forms
        ("20240501", datetime(2024, 5, 1, 0, 0, tzinfo=SHANGHAI)),
        ("20240501T080000Z", datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
        ("20240501T0800+0800", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
    ],
)
def test_chinese_epoch_and_compact_forms_are_read(text: str, expected: datetime) -> None:
    parsed = parse_date_text(text)

    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text",
    [
        "Thu, 01 Jan 1970 08:00:00 +0800",
        "1999-12-31 23:59:59 +0000",
        "0",
        "86400",
        "2100-01-01T00:00:00Z",
        "4102444800",
        "2024年5月32日",
        "2024-05-01 25:00",
        "2024-05-01 08:00 XYZ",
        "下午",
        "星期三",
    ],
)
def test_dates_outside_the_gate_or_impossible_are_unknown(text: str) -> None:
    assert parse_date_text(text) is None


def test_a_date_more_than_a_day_after_the_fetch_is_unknown() -> None:
    assert parse_date_text("2024-05-04T02:00:01Z", fetched_at=FETCHED_AT) is None
    assert parse_date_text("2024-05-04T02:00:00Z", fetched_at=FETCHED_AT) == FETCHED_AT + FUTURE_TOLERANCE
    # Without a fetch time only the absolute bounds apply.
    assert parse_date_text("2024-05-04T02:00:01Z") is not None


def test_beijing_time_labelled_gmt_hours_ahead_is_kept_as_given() -> None:
    # Polled at 10:00 Beijing time (02:00Z); the feed says 09:30 "GMT", 7.5 hours ahead.
    parsed = parse_date_text("Fri, 03 May 2024 09:30:00 GMT", fetched_at=FETCHED_AT)

    assert parsed == datetime(2024, 5, 3, 9, 30, tzinfo=UTC)


def test_plausible_date_bounds() -> None:
    assert plausible_date(EARLIEST_DATE) == EARLIEST_DATE
    assert plausible_date(EARLIEST_DATE - timedelta(seconds=1)) is None
    assert plausible_date(datetime(2024, 5, 1)) is None  # naive: no instant at all
    assert plausible_date(None) is None
    assert plausible_date(FETCHED_AT + timedelta(days=2), fetched_at=FETCHED_AT) is None
    assert plausible_date(FETCHED_AT + timedelta(hours=8), fetched_at=FETCHED_AT) == FETCHED_AT + timedelta(hours=8)


def test_epoch_to_datetime_passes_the_same_gate() -> None:
    assert epoch_to_datetime(1714521600) == datetime(2024, 5, 1, tzinfo=UTC)
    assert epoch_to_datetime("1714521600") == datetime(2024, 5, 1, tzinfo=UTC)
    assert epoch_to_datetime(0) is None
    assert epoch_to_datetime(1714521600, fetched_at=datetime(2024, 4, 1, tzinfo=UTC)) is None


@given(st.text(max_size=120), st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2110, 1, 1)))
def test_no_string_ever_yields_a_date_outside_the_gate(text: str, fetched: datetime) -> None:
    fetched_at = fetched.replace(tzinfo=UTC)

    parsed = parse_date_text(text, fetched_at=fetched_at)

    if parsed is not None:
        assert parsed.utcoffset() is not None
        assert EARLIEST_DATE <= parsed <= fetched_at + FUTURE_TOLERANCE


@given(st.text(alphabet="0123456789年月日时分秒点:：-/. TZ+星期周三下午上午", max_size=40))
def test_date_like_strings_never_raise_and_stay_in_range(text: str) -> None:
    parsed = parse_date_text(text, fetched_at=FETCHED_AT)

    assert parsed is None or EARLIEST_DATE <= parsed <= FETCHED_AT + FUTURE_TOLERANCE


@given(st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30)).map(lambda d: d.replace(microsecond=0)))
def test_every_written_form_reads_back_as_the_same_instant(moment: datetime) -> None:
    local = moment.replace(tzinfo=SHANGHAI)
    utc = moment.replace(tzinfo=UTC)
    half = "下午" if moment.hour >= 12 else "上午"
    twelve = moment.hour % 12 or 12
    forms = {
        f"{moment:%Y}年{moment.month}月{moment.day}日 {moment:%H:%M:%S}": local,
        f"{moment:%Y}年{moment.month}月{moment.day}日 {half}{twelve}:{moment:%M}": local.replace(second=0),
        f"{moment:%Y-%m-%d %H:%M:%S}": local,
        f"{moment:%Y-%m-%dT%H:%M:%S}Z": utc,
        f"{moment:%a, %d %b %Y %H:%M:%S} +0000": utc,
        str(int(utc.timestamp())): utc,
        str(int(utc.timestamp()) * 1000): utc,
    }
    for text, expected in forms.items():
        assert parse_date_text(text) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Epoch milliseconds read first would be 1976; the compact form is the real date.
        ("202405010800", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("2024-05-01 08:00:00 北京时间", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("2024-05-01 08:00:00 (北京时间)", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("2024-05-01 08:00:00（北京时间）", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("2024-05-01 08:00:00 北京時間", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("北京时间 2024-05-01 08:00", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("2024年5月1日 08:00 北京时间", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("2024-05-01 08:00:00 GMT+8", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("2024-05-01 08:00:00 UTC+8", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("2024-05-01 08:00:00 GMT+08:00", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("Wed, 01 May 2024 08:00:00 GMT+0800", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("2024-05-01T08:00:00+08", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
        ("2024-05-01T08:00:00-05", datetime(2024, 5, 1, 8, 0, tzinfo=timezone(timedelta(hours=-5)))),
        ("May 1, 2024 8:00 AM", datetime(2024, 5, 1, 8, 0, tzinfo=SHANGHAI)),
        ("April 28, 2024 8:00 PM", datetime(2024, 4, 28, 20, 0, tzinfo=SHANGHAI)),
        ("Sunday, April 28th, 2024 at 8:00 PM", datetime(2024, 4, 28, 20, 0, tzinfo=SHANGHAI)),
        ("Sept 3, 2023", datetime(2023, 9, 3, 0, 0, tzinfo=SHANGHAI)),
        ("Wednesday, 01-May-24 08:00:00 GMT", datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
        ("Wednesday, 01-May-2024 08:00:00 +0800", datetime(2024, 5, 1, 8, 0, tzinfo=CST)),
    ],
)
def test_zone_words_hour_offsets_month_names_and_rfc850_are_read(text: str, expected: datetime) -> None:
    parsed = parse_date_text(text, fetched_at=FETCHED_AT)

    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


def test_a_beijing_sunday_evening_post_stays_in_its_week() -> None:
    # Read as UTC, 22:00 Beijing time on Sunday would become 06:00 Monday in Beijing.
    parsed = parse_date_text("2024-04-28 22:00:00 北京时间")

    assert parsed is not None
    assert parsed.astimezone(SHANGHAI).isoweekday() == 7


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01-08",  # an hours-only offset needs a time before it
        "2024-05-01T08:00:00+08 +0900",  # two zones
        "Smarch 1, 2024",
        "01-Foo-24 08:00:00 GMT",
        "Wednesday, 01-May-99 08:00:00 GMT",  # 2099: past the fetch time
        "199912310800",  # epoch ms (1976) and compact (1999) both before 2000
    ],
)
def test_new_forms_still_refuse_what_is_not_a_date_or_fails_the_gate(text: str) -> None:
    assert parse_date_text(text, fetched_at=FETCHED_AT) is None


@given(st.text(alphabet="0123456789-:+ TGMUCAPMay,北京时间()", max_size=40))
def test_zone_word_strings_never_raise_and_stay_in_range(text: str) -> None:
    parsed = parse_date_text(text, fetched_at=FETCHED_AT)

    assert parsed is None or EARLIEST_DATE <= parsed <= FETCHED_AT + FUTURE_TOLERANCE
