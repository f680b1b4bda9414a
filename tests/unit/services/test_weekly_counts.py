"""The weekly report counts as an officer would by hand: deadlines due in the week, alerts by the
week the item was published, "not read" apart from "under 3 a week", no data apart from 0%."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import AccountSpec, Platform
from jb_watchdesk.services import exports, inspections
from jb_watchdesk.services.reports.document import Percent
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

MONDAY = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # 2026-W48 starts Monday 23 Nov 00:00 Shanghai
AFTER = MONDAY + timedelta(days=8)
WEEK = "2026-W48"
LONG_UNIT = "重庆市江北区大石坝街道办事处"


@pytest.fixture
def week() -> Iterator[Store]:
    with Store(None) as s:
        s.call(
            apply_register,
            [
                AccountSpec(name="江北发布", platform=Platform.WECHAT_MP, unit=LONG_UNIT, source="https://f/1"),
                AccountSpec(name="江北快手", platform=Platform.KUAISHOU, unit="区文旅委", source=""),  # read by the officer, never
                AccountSpec(name="江北头条", platform=Platform.TOUTIAO, unit="区文旅委", source=""),  # read by the officer, once
                AccountSpec(name="江北网站", platform=Platform.RSS, unit="区教委", source="https://f/4"),
            ],
            now=MONDAY - timedelta(days=30),
        )
        inspections.record_reading(s, account_id=3, latest_post_at=MONDAY + timedelta(days=1), posts_seen=4,
                                   officer="张三", now=MONDAY + timedelta(days=2))

        def seed(db) -> None:  # type: ignore[no-untyped-def]
            def comment(n: int, account: int, ack_due: datetime, acked: datetime | None, result_due: datetime,
                        done: datetime | None) -> None:
                created = ack_due - timedelta(hours=1)
                db.execute(
                    "INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due, first_seen_at,"
                    " updated_at, acked_at, done_at) VALUES (?, ?, '王', '留言', ?, ?, ?, ?, ?, ?, ?)",
                    [account, f"c{n}", to_db(created), to_db(ack_due), to_db(result_due), to_db(created), to_db(created),
                     to_db(acked), to_db(done)],
                )

            with db.atomic():
                day = MONDAY + timedelta(days=1)
                later = AFTER + timedelta(days=10)
                comment(1, 1, day, day - timedelta(minutes=5), later, None)  # ack in time; result not yet due
                comment(2, 1, day, day + timedelta(hours=2), later, None)  # ack late
                comment(3, 1, day, None, later, None)  # never acknowledged: open, overdue, late
                comment(4, 1, day - timedelta(days=7), day - timedelta(days=7), day, day - timedelta(hours=1))  # result in time
                comment(5, 1, day - timedelta(days=7), day - timedelta(days=7), day, day + timedelta(days=1))  # result late
                comment(6, 1, day - timedelta(days=7), day - timedelta(days=7), day, None)  # result open, overdue
                comment(7, 4, AFTER + timedelta(days=1), None, later, None)  # due after the week: not counted
                # an alert raised this week on a post published last week; one raised next week on a post of this week
                for n, (published, raised, backlog) in enumerate(
                    [(MONDAY - timedelta(days=3), MONDAY + timedelta(days=1), 0),
                     (MONDAY + timedelta(days=6), AFTER + timedelta(hours=1), 0),
                     (MONDAY + timedelta(days=2), MONDAY + timedelta(days=2), 1)]
                ):
                    db.execute(
                        "INSERT INTO alerts (account_id, item_kind, item_id, category, severity, rule, text, context, raised_at,"
                        " published_at, backlog, state) VALUES (1, 'post', ?, 'privacy', 'high', 'pii.mobile', 'x', 'x', ?, ?, ?, 'new')",
                        [n + 1, to_db(raised), to_db(published), backlog],
                    )
                db.execute(
                    "INSERT INTO gaps (started_at, ended_at, cause, reason, officer, recorded_at) VALUES (?, ?, 'crash', '断电', '', ?)",
                    [to_db(MONDAY + timedelta(days=3)), to_db(MONDAY + timedelta(days=3, hours=2)), to_db(MONDAY + timedelta(days=3))],
                )

        s.call(seed)
        yield s


def section(document: exports.Document, key: str) -> exports.Section:
    return next(s for s in document.sections if s.key == key)


def test_timeliness_is_over_the_deadlines_due_in_the_week(week: Store) -> None:
    document = exports.build_weekly(week, now=AFTER, week=WEEK)
    rows = {row[1]: row for row in section(document, "comment_sla").rows}
    assert set(rows) == {"江北发布"}  # the comment due next week is not counted anywhere
    row = rows["江北发布"]
    # acknowledgements: 3 due (one in time, one late, one never), results: 3 due (in time, late, open)
    assert row[3:8] == ["3", "1", "1", "1", "33%"] and row[8:13] == ["3", "1", "1", "1", "33%"]
    assert isinstance(row[7], Percent) and abs(row[7].ratio - 1 / 3) < 1e-9
    facts = dict(document.facts)
    assert facts["留言"] == "本周到期确认 3 条，及时率 33%；本周到期办结 3 条，及时率 33%"


def test_a_unit_with_nothing_due_reads_no_data_not_zero(week: Store) -> None:
    document = exports.build_weekly(week, now=AFTER, week="2026-W47")
    chart = section(document, "comment_sla").chart
    assert chart is not None
    by_unit = dict(zip(chart.categories, zip(*(values for _, values in chart.series), strict=True), strict=True))
    # in W47 only the acknowledgements of comments 4-6 fell due (all in time); their results fall due in W48
    assert by_unit == {LONG_UNIT: (100.0, None)}
    row = section(document, "comment_sla").rows[0]
    assert row[7] == "100%" and row[12] == "无数据"


def test_full_unit_names_in_the_charts(week: Store) -> None:
    document = exports.build_weekly(week, now=AFTER, week=WEEK)
    chart = section(document, "comment_sla").chart
    assert chart is not None and LONG_UNIT in chart.categories


def test_accounts_not_read_are_apart_from_those_under_three(week: Store) -> None:
    document = exports.build_weekly(week, now=AFTER, week=WEEK)
    updates = {row[1]: row for row in section(document, "updates").rows}
    assert updates["江北快手"][5:8] == ["人工读取", "0", "未读取"]
    # Four posts seen at the week's first reading, in the 7 days before it: only its latest (Tuesday)
    # is surely of this week.
    assert updates["江北头条"][5:8] == ["人工读取", "1", "未达标"]
    assert updates["江北头条"][10].startswith("人工读取 张三")
    assert updates["江北网站"][5:8] == ["机器读取", "0", "未达标"]
    assert [row[1] for row in section(document, "not_read").rows] == ["江北快手"]
    facts = dict(document.facts)
    assert "未达标 3 个" in facts["账号"] and "本周未读取 1 个" in facts["账号"]


def test_an_officers_counts_are_the_weeks_only_when_the_reading_covers_the_week_alone() -> None:
    """Readings of an account only an officer reads: posts are counted in the week only from a
    reading whose interval (since the previous reading's latest post) lies in the week. Readings
    count as they stand when the report is made: a correction made since counts, and a reading
    made on Monday of Sunday night's posts counts for the week of those posts."""
    day = MONDAY  # Monday 00:00 Shanghai
    with Store(None) as s:
        s.call(apply_register, [AccountSpec(name="江北头条", platform=Platform.TOUTIAO, unit="区文旅委", source="")],
               now=MONDAY - timedelta(days=30))

        def read(at: timedelta, latest: timedelta, posts: int, corrects: int | None = None) -> int:
            return inspections.record_reading(s, account_id=1, latest_post_at=day + latest, posts_seen=posts, officer="张三",
                                              now=day + at, corrects_id=corrects).id

        def counted(now: datetime) -> str:
            document = exports.build_weekly(s, now=now, week=WEEK)
            return {row[1]: row for row in section(document, "updates").rows}["江北头条"][6]

        read(-timedelta(hours=3), -timedelta(hours=5), 6)  # Sunday: last week's posts
        read(timedelta(days=1), timedelta(hours=20), 2)  # Tuesday: since Sunday's latest; one is surely this week
        wrong = read(timedelta(days=3), timedelta(days=2, hours=9), 9)  # Thursday: since Tuesday's latest
        assert counted(day + timedelta(days=3, hours=2)) == "10"  # the week so far, as the readings stood then
        read(timedelta(days=7, hours=2), timedelta(days=6, hours=20), 2)  # Monday after: Sunday night's two
        read(timedelta(days=7, hours=9), timedelta(days=7, hours=8), 4)  # the next week's posts
        fixed = read(timedelta(days=8), timedelta(days=2, hours=9), 2, corrects=wrong)  # Thursday's count was 2, not 9
        assert counted(AFTER + timedelta(hours=1)) == "5"  # 1 (Tuesday) + 2 (Thursday, corrected) + 2 (Sunday)
        read(timedelta(days=8, hours=2), timedelta(days=2, hours=9), 3, corrects=fixed)  # and then 3: a correction corrected
        assert counted(AFTER + timedelta(hours=3)) == "6"


def test_an_account_read_only_after_the_week_is_not_unread_when_the_reading_proves_its_posts() -> None:
    """Read first at 01:00 the Monday after, with 2 posts, the latest on Sunday night: the 7 days the
    reading covers begin at 01:00 on the week's Monday, inside the week, so both posts are the week's;
    the account is judged on them (under 3), not listed as "not read"."""
    with Store(None) as s:
        s.call(apply_register, [AccountSpec(name="江北头条", platform=Platform.TOUTIAO, unit="区文旅委", source="")],
               now=MONDAY - timedelta(days=30))
        inspections.record_reading(s, account_id=1, latest_post_at=MONDAY + timedelta(days=6, hours=21), posts_seen=2,
                                   officer="张三", now=MONDAY + timedelta(days=7, hours=1))
        document = exports.build_weekly(s, now=AFTER, week=WEEK)
        row = {row[1]: row for row in section(document, "updates").rows}["江北头条"]
        assert row[5:8] == ["人工读取", "2", "未达标"]
        assert section(document, "not_read").rows == []


def test_alerts_are_counted_in_the_week_the_item_was_published(week: Store) -> None:
    document = exports.build_weekly(week, now=AFTER + timedelta(days=1), week=WEEK)
    rows = section(document, "alerts_by_category").rows
    assert rows == [["1", "江北发布", "微信公众号", "个人隐私", "2", "1"]]  # this week's post (raised later) and a backlog one
    assert dict(document.facts)["告警"] == "2 条（按内容发布日期计），其中存量告警 1 条"


def test_monitoring_gaps_of_the_week_are_listed(week: Store) -> None:
    document = exports.build_weekly(week, now=AFTER, week=WEEK)
    gaps = section(document, "gaps").rows
    assert len(gaps) == 1 and gaps[0][3:6] == ["2小时0分", "异常中止", "断电"]
    assert dict(document.facts)["巡查中断"] == "1 次，共 2小时0分"


def test_a_week_that_has_not_begun_is_refused(week: Store, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        exports.export_weekly(week, path=tmp_path / "w.xlsx", fmt="xlsx", now=AFTER, week="2026-W50")
    assert caught.value.key == "export.future_week" and "尚未开始" in str(caught.value)
    assert not (tmp_path / "w.xlsx").exists()
    exports.build_weekly(week, now=MONDAY + timedelta(days=1), week=WEEK)  # the week under way is fine


def test_the_weekly_pdf_charts_show_whole_unit_names(week: Store, tmp_path: Path) -> None:
    pdf = pytest.importorskip("jb_watchdesk.ui.pdf")
    try:
        pdf.font_families()
    except pdf.NoCjkFont:
        pytest.skip("no Chinese font installed (fonts-noto-cjk)")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    target = tmp_path / "weekly.pdf"
    exports.export_weekly(week, path=target, fmt="pdf", now=AFTER, week=WEEK, pdf_renderer=pdf.render_pdf)
    text = subprocess.run(["pdftotext", "-raw", str(target), "-"], capture_output=True, check=True, text=True).stdout
    joined = "".join(text.split())
    assert joined.count(LONG_UNIT) >= 2  # the table and the chart's label, wrapped but whole
    assert "…" not in text and "区文旅委" in joined
