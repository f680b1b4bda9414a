"""The handover after triage: the same alert counts as every screen, live alerts listed with their
publish time (bounded, with how many more), the backlog by number only, escalations and deferrals."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.alerts import AlertDraft, AlertFilter
from jb_watchdesk.domain.models import AccountSpec, ItemKind, Platform
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.services import exports, shifts
from jb_watchdesk.services.reports.document import local
from jb_watchdesk.services.reports.handover import OPEN_ALERTS_LISTED, counts_line
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # 08:00 Shanghai
END = NOW + timedelta(hours=12)
LIVE_HIGH, LIVE_MEDIUM, BACKLOG = 46, 25, 30
ID_NUMBER = "11010519491231002X"
WEBHOOK_KEY = "0f3c9a7e-5b1d-4e2a-9c88-7d6e5f4a3b21"


def draft(n: int, *, backlog: bool, severity: Severity, account_id: int, published_at: datetime) -> AlertDraft:
    return AlertDraft(
        account_id=account_id,
        item_kind=ItemKind.POST,
        item_id=n,
        category="privacy",
        severity=severity,
        rule="pii.id_card",
        text="110105********002X",
        context=f"经办人 110105********002X 第{n}条",
        item_field="body",
        span_start=4,
        span_end=22,
        masked=True,
        published_at=published_at,
        seen_at=published_at + timedelta(minutes=5),
        backlog=backlog,
    )


def raise_at(store: Store, drafts: list[AlertDraft], *, at: datetime) -> list[int]:
    return [a.id for a in store.call(alert_store.raise_alerts, drafts, now=at)]


@pytest.fixture
def store() -> Iterator[Store]:
    """A shift in which a new account's first poll brought backlog alerts, live alerts came in
    (one post with two hits), some were acknowledged, one post's alerts deferred, and escalations ran."""
    with Store(None) as s:
        s.call(
            apply_register,
            [AccountSpec(name=f"账号{i}", platform=Platform.WEIBO, unit="区公安分局", source=f"https://f/{i}") for i in range(3)],
            now=NOW - timedelta(days=30),
        )
        shifts.start_shift(s, officer="张三", now=NOW)
        # the first poll of account 3: two months of old posts, all backlog
        raise_at(
            s,
            [draft(1000 + n, backlog=True, severity=Severity.HIGH, account_id=3, published_at=NOW - timedelta(days=60 - n))
             for n in range(BACKLOG)],
            at=NOW + timedelta(minutes=5),
        )
        live = [
            draft(n, backlog=False, severity=Severity.HIGH if n < LIVE_HIGH else Severity.MEDIUM, account_id=1 + n % 2,
                  published_at=NOW + timedelta(minutes=10 + n))
            for n in range(LIVE_HIGH + LIVE_MEDIUM)
        ]
        raise_at(s, live, at=NOW + timedelta(hours=2))
        # post 5 also has a mobile number: one alert, two hits
        second_hit = AlertDraft(
            account_id=2, item_kind=ItemKind.POST, item_id=5, category="privacy", severity=Severity.MEDIUM, rule="pii.mobile",
            text="138****5678", item_field="body", span_start=30, span_end=41, masked=True,
        )
        s.call(alert_store.record_alerts, [live[5], second_hit], now=NOW + timedelta(hours=2, minutes=1))
        # three live alerts acknowledged one by one, two backlog ones in bulk
        for alert_id in (BACKLOG + 1, BACKLOG + 2, BACKLOG + 3):
            s.call(alert_store.acknowledge, alert_id, officer="张三", note="已联系删除", now=NOW + timedelta(hours=3))
        s.call(alert_store.acknowledge_selected, AlertFilter(item=(ItemKind.POST, 1000)), officer="张三", note="存量已核",
               now=NOW + timedelta(hours=3))
        s.call(alert_store.acknowledge_selected, AlertFilter(item=(ItemKind.POST, 1001)), officer="张三", note="存量已核",
               now=NOW + timedelta(hours=3))
        # account 2's high alerts put off for an hour, with one note
        s.call(alert_store.defer_selected, AlertFilter(account_ids=frozenset({2}), severities=frozenset({Severity.HIGH})),
               until=NOW + timedelta(hours=5), officer="张三", note="等待单位回复", now=NOW + timedelta(hours=4))

        def escalate(db) -> None:  # type: ignore[no-untyped-def]
            with db.atomic():
                at = NOW + timedelta(hours=2, minutes=10)
                db.execute("UPDATE alerts SET escalated_at = ?, escalation_step = 2 WHERE id = ?", [to_db(at), BACKLOG + 4])
                db.execute("INSERT INTO escalations (subject, ref_id, step, at, outcome) VALUES ('alert', ?, 1, ?, '[]')",
                           [BACKLOG + 4, to_db(at)])
                outcome = [
                    {"channel": "wecombot://0f3c****", "ok": True, "error": ""},
                    {"channel": f"dingtalk://{WEBHOOK_KEY}", "ok": False,
                     "error": f"HTTP 500 from https://oapi.dingtalk.com/robot/send?access_token={WEBHOOK_KEY}"},
                ]
                db.execute("INSERT INTO escalations (subject, ref_id, step, at, outcome) VALUES ('alert', ?, 2, ?, ?)",
                           [BACKLOG + 4, to_db(at + timedelta(minutes=10)), json.dumps(outcome)])
                # outside the shift: not in its handover
                db.execute("INSERT INTO escalations (subject, ref_id, step, at, outcome) VALUES ('alert', ?, 1, ?, '[]')",
                           [BACKLOG + 5, to_db(END + timedelta(hours=1))])

        s.call(escalate)
        shifts.end_shift(s, now=END, note="交班")
        yield s


def section(document: exports.Document, key: str) -> exports.Section:
    return next(s for s in document.sections if s.key == key)


def test_the_handover_counts_open_alerts_as_every_screen_does(store: Store) -> None:
    counts = store.call(alert_store.count_alerts, now=END)
    assert (counts.open_backlog, counts.open_live) == (BACKLOG - 2, LIVE_HIGH + LIVE_MEDIUM - 3)
    carry = shifts.carry_over(store, now=END)
    assert carry.alert_counts == counts
    assert shifts.handover(store, now=END).alert_counts == counts
    assert len(carry.open_alerts) == counts.open_live and carry.backlog_alerts == counts.open_backlog
    assert carry.summary()["alert_counts"] == counts.as_json()
    assert not any(a.backlog for a in carry.open_alerts)
    severities = [a.severity for a in carry.open_alerts]
    assert severities == sorted(severities, key=lambda s: -s.rank), "the most serious first"

    document = exports.build_handover(store, now=END + timedelta(hours=1), shift_id=1)
    facts = dict(document.facts)
    line = counts_line(counts)
    assert line == f"待处理告警 {counts.open}（高风险 {counts.open_high}；实时 {counts.open_live}，存量待核查 {counts.open_backlog}）"
    assert facts["交接时告警"] == f"{line}，截至 {local(END)}"
    assert section(document, "open_alerts").note.startswith(line)
    assert section(document, "open_items").note.startswith(line)
    summary = {row[0]: row for row in section(document, "summary").rows}
    assert summary["待处理告警"][1:] == [str(counts.open), line]
    carried = [row for row in section(document, "open_items").rows if row[2] == "未确认告警"]
    assert len(carried) == counts.open_live  # every live alert in the XLSX; the PDF lists the first ones


def test_live_alerts_are_listed_with_publish_time_and_hits_the_backlog_only_counted(store: Store) -> None:
    document = exports.build_handover(store, now=END + timedelta(hours=1), shift_id=1)
    counts = store.call(alert_store.count_alerts, now=END)
    shown = section(document, "open_alerts")
    assert len(shown.rows) == OPEN_ALERTS_LISTED
    assert f"另有 {counts.open_live - OPEN_ALERTS_LISTED} 条实时告警未列出" in shown.note
    assert f"存量告警 {counts.open_backlog} 条不逐条列出" in shown.note
    backlog_ids = {str(n) for n in range(1, BACKLOG + 1)}
    assert not backlog_ids & {row[0] for row in shown.rows}
    header = list(shown.headers)
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in shown.rows}
    first = by_id[str(BACKLOG + 4)]  # post 3 of account 2: published 08:13, raised 10:00, escalated at 10:10
    assert first["发布时间"] == local(NOW + timedelta(minutes=13)) and first["发现时间"] == local(NOW + timedelta(hours=2))
    assert first["发布至今"] == "11小时47分" and first["升级时间"] == local(NOW + timedelta(hours=2, minutes=10))
    assert first["账号"] == "账号1" and first["平台"] == "新浪微博" and first["类别"] == "个人隐私"
    assert str(BACKLOG + 1) not in by_id  # acknowledged: not open
    two_hits = store.call(alert_store.list_alerts, AlertFilter(item=(ItemKind.POST, 5)))
    assert len(two_hits) == 1 and len(two_hits[0].hits) == 2
    assert by_id[str(two_hits[0].id)]["命中数"] == "2"
    # the period's alerts: live ones and acknowledgements, the backlog raised in it by number
    period = section(document, "alerts")
    listed = {row[0] for row in period.rows}
    assert {"1", "2"} <= listed and not (backlog_ids - {"1", "2"}) & listed
    assert f"存量告警 {BACKLOG - 2} 条未逐条列出" in period.note


def test_escalations_and_deferrals_of_the_shift_are_listed_without_a_key(store: Store) -> None:
    document = exports.build_handover(store, now=END + timedelta(hours=2), shift_id=1)
    escalations = section(document, "escalations")
    header = list(escalations.headers)
    rows = [dict(zip(header, row, strict=True)) for row in escalations.rows]
    assert [(r["对象"], r["编号"], r["步骤"]) for r in rows] == [
        ("告警", str(BACKLOG + 4), "1 工作站声音提示"),
        ("告警", str(BACKLOG + 4), "2 通知带班领导"),
    ]
    assert rows[0]["结果"] == "已在工作站提示"
    assert rows[1]["结果"] == "1/2 个渠道失败"
    assert "wecombot://0f3c****：成功" in rows[1]["发送渠道"] and "dingtalk://0f****：失败" in rows[1]["发送渠道"]
    assert rows[1]["账号"] == "账号1" and rows[1]["内容"].startswith("个人隐私")
    assert dict(document.facts)["升级提醒"] == "2 次；发送失败的渠道 1 个"
    deferrals = section(document, "deferrals")
    assert len(deferrals.rows) == 1
    at, officer, count, until, note, ids = deferrals.rows[0]
    acknowledged = {BACKLOG + 1, BACKLOG + 2, BACKLOG + 3}
    account_2_high = [
        str(n) for n in range(BACKLOG + 1, BACKLOG + LIVE_HIGH + 1) if (n - BACKLOG - 1) % 2 == 1 and n not in acknowledged
    ]
    assert (at, officer, count, until, note) == (
        local(NOW + timedelta(hours=4)), "张三", str(len(account_2_high)), local(NOW + timedelta(hours=5)), "等待单位回复",
    )
    assert ids.startswith("、".join(account_2_high[:20])) and ids.endswith(f"等共 {len(account_2_high)} 条")
    text = "\n".join(v for s in document.sections for row in s.rows for v in row)
    assert WEBHOOK_KEY not in text and WEBHOOK_KEY[:8] not in text


def test_an_earlier_shift_shows_the_counts_of_its_end_not_of_today(store: Store) -> None:
    at_end = store.call(alert_store.count_alerts, now=END)
    listed_then = [a.id for a in shifts.carry_over(store, now=END).open_alerts]
    # the next shift: everything of account 1 acknowledged, a new live alert, one alert escalated
    shifts.start_shift(store, officer="李四", now=END)
    store.call(alert_store.acknowledge_selected, AlertFilter(account_ids=frozenset({1})), officer="李四", note="已处理",
               now=END + timedelta(hours=1))
    raise_at(store, [draft(5000, backlog=False, severity=Severity.HIGH, account_id=2, published_at=END)], at=END + timedelta(hours=2))
    store.call(lambda db: db.execute("UPDATE alerts SET escalated_at = ? WHERE id = ?", [to_db(END + timedelta(hours=3)), BACKLOG + 6]))
    later = END + timedelta(hours=4)
    assert store.call(alert_store.count_alerts, now=later) != at_end
    carry = shifts.carry_over(store, now=END)
    assert carry.alert_counts == at_end
    assert [a.id for a in carry.open_alerts] == listed_then
    document = exports.build_handover(store, now=later, shift_id=1)
    assert dict(document.facts)["交接时告警"].startswith(counts_line(at_end))
    assert shifts.carry_over(store, now=later).alert_counts == store.call(alert_store.count_alerts, now=later)


def workbook(path: Path) -> dict[str, list[list[object]]]:
    book = load_workbook(path)
    try:
        sheets = {}
        for sheet in book.worksheets:
            rows = []
            for row in sheet.iter_rows():
                assert all(c.data_type != "f" for c in row)
                rows.append([c.value for c in row])
            sheets[sheet.title] = rows
        return sheets
    finally:
        book.close()


def test_the_xlsx_reopens_with_the_counts_line_and_hits_as_numbers(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "handover.xlsx"
    exports.export_handover(store, path=target, fmt="xlsx", now=END + timedelta(hours=1), shift_id=1)
    sheets = workbook(target)
    line = counts_line(store.call(alert_store.count_alerts, now=END))
    cover = {row[0]: row[1] for row in sheets["封面"] if len(row) > 1}
    assert cover["交接时告警"].startswith(line)
    open_sheet = sheets["待处理告警"]
    header = open_sheet[0]
    rows = [row for row in open_sheet[1:] if isinstance(row[0], str) and row[0].isdigit()]
    assert len(rows) == OPEN_ALERTS_LISTED
    hits = [row[header.index("命中数")] for row in rows]
    assert all(isinstance(h, int) for h in hits) and 2 in hits
    assert any(isinstance(v, str) and v.startswith(line) for row in open_sheet for v in row)
    deferrals = sheets["暂缓处理"]
    assert [row[deferrals[0].index("数量")] for row in deferrals[1:]] == [LIVE_HIGH // 2 - 1]
    everything = "\n".join(str(v) for rows_ in sheets.values() for row in rows_ for v in row if v is not None)
    assert ID_NUMBER not in everything and WEBHOOK_KEY not in everything


def test_the_csv_has_the_counts_line_and_no_formula(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "handover.csv"
    exports.export_handover(store, path=target, fmt="csv", now=END + timedelta(hours=1), shift_id=1)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline="")))
    cells = [c for row in rows for c in row]
    line = counts_line(store.call(alert_store.count_alerts, now=END))
    assert any(c.startswith(line) for c in cells)
    assert {"【待处理告警】", "【升级提醒】", "【暂缓处理】"} <= set(cells)
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_the_pdf_text_carries_the_counts_line(store: Store, tmp_path: Path) -> None:
    pdf = pytest.importorskip("jb_watchdesk.ui.pdf")
    try:
        pdf.font_families()
    except pdf.NoCjkFont:
        pytest.skip("no Chinese font installed (fonts-noto-cjk)")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    target = tmp_path / "handover.pdf"
    exports.export_handover(store, path=target, fmt="pdf", now=END + timedelta(hours=1), shift_id=1, pdf_renderer=pdf.render_pdf)
    raw = subprocess.run(["pdftotext", "-raw", str(target), "-"], capture_output=True, check=True, text=True).stdout
    # the text layer is the data as written: no radicals to fold
    joined = "".join(raw.split())
    line = counts_line(store.call(alert_store.count_alerts, now=END))
    assert "".join(line.split()) in joined
    assert "升级提醒" in joined  # the summary's line; each step is in the XLSX
    assert WEBHOOK_KEY not in joined and WEBHOOK_KEY not in raw


def test_over_a_thousand_alerts_nothing_is_capped() -> None:
    with Store(None) as s:
        s.call(apply_register, [AccountSpec(name="新账号", platform=Platform.DOUYIN, source="https://f/new")], now=NOW - timedelta(days=1))
        shifts.start_shift(s, officer="张三", now=NOW)
        raise_at(s, [draft(n, backlog=True, severity=Severity.HIGH, account_id=1, published_at=NOW - timedelta(days=90))
                     for n in range(1_100)], at=NOW + timedelta(minutes=1))
        raise_at(s, [draft(5_000 + n, backlog=False, severity=Severity.MEDIUM, account_id=1, published_at=NOW + timedelta(hours=1))
                     for n in range(OPEN_ALERTS_LISTED + 10)], at=NOW + timedelta(hours=1, minutes=5))
        document = exports.build_handover(s, now=NOW + timedelta(hours=2), start=NOW, end=NOW + timedelta(hours=2))
        counts = s.call(alert_store.count_alerts, now=NOW + timedelta(hours=2))
        assert (counts.open, counts.open_backlog, counts.open_live) == (1_160, 1_100, 60)
        assert dict(document.facts)["交接时告警"].startswith(counts_line(counts))
        shown = section(document, "open_alerts")
        assert len(shown.rows) == OPEN_ALERTS_LISTED and "另有 10 条实时告警未列出" in shown.note and "存量告警 1100 条" in shown.note
        period = section(document, "alerts")
        assert len(period.rows) == 60 and "存量告警 1100 条未逐条列出" in period.note


def test_in_english_the_new_parts_have_no_chinese_but_the_data(store: Store) -> None:
    messages.set_language("en")
    try:
        document = exports.build_handover(store, now=END + timedelta(hours=1), shift_id=1)
    finally:
        messages.set_language("zh")
    keys = ("summary", "open_items", "open_alerts", "escalations", "deferrals")
    cells = [v for key, value in document.facts for v in (key, value)]
    for shown in (section(document, key) for key in keys):
        cells += [shown.title, shown.note, *shown.headers, *(v for row in shown.rows for v in row)]
    data = re.compile(r"账号\d|张三|等待单位回复|经办人 110105\*+002X 第\d+条|第\d+条")
    leftovers = [c for c in cells if re.search(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]", data.sub("", c))]
    assert not leftovers, leftovers
    assert dict(document.facts)["Alerts at handover"].startswith(
        f"{LIVE_HIGH + LIVE_MEDIUM + BACKLOG - 5} open alerts ("
    )
