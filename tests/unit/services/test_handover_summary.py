"""The handover fits a page: a summary page, then only what is open, grouped by account with its
platform, bounded in the PDF; the whole list in the XLSX; the PDF's text searchable."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jb_watchdesk.domain.alerts import AlertDraft
from jb_watchdesk.domain.models import AccountSpec, ItemKind, Platform
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.services import exports, inspections, shifts
from jb_watchdesk.services.reports.handover import OPEN_ITEMS_LISTED
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # 20:00 Shanghai: a night shift
END = NOW + timedelta(hours=12)
OPEN_ALERTS = 300
# The notice's duplicated names: one account name on several platforms.
ACCOUNTS = (
    ("平安江北", Platform.WECHAT_MP, "https://f/1"),
    ("平安江北", Platform.WEIBO, "https://f/2"),
    ("平安江北", Platform.DOUYIN, "https://f/3"),
    ("平安江北", Platform.KUAISHOU, ""),  # no machine source: read by the officer
    ("江北医保", Platform.TOUTIAO, ""),
    ("江北医保", Platform.RSS, "https://f/6"),
)


@pytest.fixture
def night() -> Iterator[Store]:
    with Store(None) as s:
        s.call(
            apply_register,
            [AccountSpec(name=n, platform=p, unit="区公安分局", source=src) for n, p, src in ACCOUNTS],
            now=NOW - timedelta(days=30),
        )
        shifts.start_shift(s, officer="张三", now=NOW)
        drafts = [
            AlertDraft(account_id=n % 3 + 1, item_kind=ItemKind.COMMENT, item_id=n, category="privacy",
                       severity=Severity.HIGH if n % 10 == 0 else Severity.MEDIUM, rule="pii.mobile", text=f"留言第{n}条 言文人工日至面页",
                       published_at=NOW + timedelta(minutes=n % 600), seen_at=NOW + timedelta(minutes=n % 600 + 1))
            for n in range(OPEN_ALERTS)
        ]
        s.call(alert_store.raise_alerts, drafts, now=NOW + timedelta(hours=1))
        inspections.record_reading(s, account_id=5, latest_post_at=NOW - timedelta(hours=3), posts_seen=2, comments_waiting=1,
                                   link="https://www.toutiao.com/c/1", now=NOW + timedelta(hours=2))

        def seed(db) -> None:  # type: ignore[no-untyped-def]
            with db.atomic():
                db.execute(
                    "INSERT INTO gaps (started_at, ended_at, cause, reason, officer, recorded_at) VALUES (?, ?, 'quit', ?, '张三', ?)",
                    [to_db(NOW + timedelta(hours=5, minutes=12)), to_db(NOW + timedelta(hours=7, minutes=40)), "更换电脑",
                     to_db(NOW + timedelta(hours=7, minutes=40))],
                )

        s.call(seed)
        shifts.end_shift(s, now=END, note="交班")
        yield s


def test_the_summary_counts_what_happened_in_the_shift(night: Store) -> None:
    document = exports.build_handover(night, now=END + timedelta(minutes=5), shift_id=1)
    assert [s.key for s in document.sections][:3] == ["summary", "open_items", "gaps"]
    summary = {row[0]: row for row in document.sections[0].rows}
    assert summary["新告警"][1] == str(OPEN_ALERTS)
    assert summary["巡查中断"][1:] == ["1", "共 2小时28分"]
    assert summary["人工读取（已完成）"][1] == "1"
    # the Kuaishou account was not read; the Toutiao one was
    assert summary["人工读取（未完成）"][1:] == ["1", "平安江北（快手）"]
    assert document.sections[0].break_after
    gaps = document.sections[2]
    assert gaps.rows[0][4:7] == ["退出", "更换电脑", "张三"]


def test_open_items_are_grouped_by_account_with_the_platform_and_bounded_in_the_pdf(night: Store) -> None:
    document = exports.build_handover(night, now=END + timedelta(minutes=5), shift_id=1)
    items = document.sections[1]
    assert items.headers[:2] == ("账号", "平台")
    assert len(items.rows) == OPEN_ALERTS + 1  # every open alert, and the account not read
    shown = items.summary
    assert shown is not None and len(shown.rows) == OPEN_ITEMS_LISTED
    assert f"另有 {OPEN_ALERTS + 1 - OPEN_ITEMS_LISTED} 条未列出" in shown.note
    # grouped: an account's rows are together; the most serious account first
    keys = [(row[0], row[1]) for row in items.rows]
    seen: list[tuple[str, str]] = []
    for key in keys:
        if not seen or seen[-1] != key:
            assert key not in seen, f"{key} appears in two groups"
            seen.append(key)
    assert {k for k in seen if k[0] == "平安江北"} == {("平安江北", "微信公众号"), ("平安江北", "新浪微博"), ("平安江北", "抖音"),
                                                       ("平安江北", "快手")}
    assert items.rows[0][4].startswith("个人隐私（高）")
    # nothing in the PDF is a detail section
    assert [s.key for s in document.sections if s.in_pdf] == ["summary", "open_items", "gaps", "inspections"]


def test_a_night_shift_pdf_is_a_few_searchable_pages(night: Store, tmp_path: Path) -> None:
    pdf = pytest.importorskip("jb_watchdesk.ui.pdf")
    try:
        pdf.font_families()
    except pdf.NoCjkFont:
        pytest.skip("no Chinese font installed (fonts-noto-cjk)")
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("pdftotext/pdfinfo (poppler-utils) are not installed")
    target = tmp_path / "night.pdf"
    exports.export_handover(night, path=target, fmt="pdf", now=END + timedelta(minutes=5), shift_id=1, pdf_renderer=pdf.render_pdf)
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, check=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])  # type: ignore[index]
    assert pages <= 6, f"{pages} pages for one night shift"
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-raw", str(target), "-"], capture_output=True, check=True, text=True).stdout
    assert "交接摘要" in first and "巡查中断" in first
    text = subprocess.run(["pdftotext", "-raw", str(target), "-"], capture_output=True, check=True, text=True).stdout
    assert "留言第0条" in text and "言文人工日至面页" in text
    assert not any(0x2E80 <= ord(c) <= 0x2FDF for c in text)


def test_the_xlsx_holds_every_open_item_and_numbers_as_numbers(night: Store, tmp_path: Path) -> None:
    target = tmp_path / "night.xlsx"
    exports.export_handover(night, path=target, fmt="xlsx", now=END + timedelta(minutes=5), shift_id=1)
    workbook = load_workbook(target)
    try:
        items = [row for row in workbook["待办事项（按账号）"].iter_rows(values_only=True) if row[1]]  # the note row has one cell
        assert len(items) == 1 + OPEN_ALERTS + 1
        assert all(isinstance(row[3], int) for row in items[1:])
        summary = {row[0]: row for row in workbook["交接摘要"].iter_rows(values_only=True)}
        assert summary["新告警"][1] == OPEN_ALERTS
        readings = list(workbook["人工读取"].iter_rows(values_only=True))
        assert readings[1][1:3] == ("江北医保", "今日头条") and readings[1][5:7] == (2, 1)
    finally:
        workbook.close()
