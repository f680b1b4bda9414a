"""Handover exports and weekly reports read back: sections, masked personal data, no formulas, atomic writes."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import EnvironmentProblem, InputError
from jb_watchdesk.domain.models import AccountSpec, AccountStatus, Freshness, Health, Platform
from jb_watchdesk.services import emergencies, exports, inspections, shifts
from jb_watchdesk.services.reports import writers
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # Wednesday 08:00 Shanghai
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
AUTHOR = "王小明"
FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR"]
PDF_SECTIONS = ["交接摘要", "待办事项（按账号）", "巡查中断"]
SECTIONS = [
    *PDF_SECTIONS, "班次", "巡查记录", "人工读取", "告警", "待处理告警", "升级提醒", "暂缓处理", "留言处理", "超时留言", "账号预警",
    "突发事件",
]


@pytest.fixture
def store() -> Iterator[Store]:
    """One shift with automatic and manual inspections, an alert with an identity number, comments
    whose text starts like a formula, and an emergency."""
    with Store(None) as s:
        s.call(
            apply_register,
            [AccountSpec(name=f"账号{i}", platform=Platform.RSS, unit=f"单位{i % 2}", source=f"https://f/{i}") for i in range(3)],
            now=NOW - timedelta(days=30),
        )
        shifts.start_shift(s, officer="张三", now=NOW)
        for cycle in range(2):
            inspections.record_auto_inspections(
                s,
                now=NOW + timedelta(minutes=10 * cycle + 1),
                changes_summary=[
                    inspections.AutoCheck(1, Freshness.OK, Health.OK),
                    inspections.AutoCheck(2, Freshness.WARN, Health.FAILING, "HTTP 500"),
                ],
            )
        inspections.record_inspection(
            s,
            account_id=3,
            checks={inspections.Check.CONTENT_QUALITY: f"=HYPERLINK() 联系人 {PHONE}"},
            action="@已删除",
            now=NOW + timedelta(hours=1),
        )

        def seed(db) -> None:  # type: ignore[no-untyped-def]
            with db.atomic():
                db.execute(
                    "INSERT INTO alerts (account_id, item_kind, item_id, category, severity, rule, text, context, raised_at, state,"
                    " ack_by, ack_note, ack_at)"
                    " VALUES (1, 'post', 1, 'privacy', 'high', 'pii.id_card', ?, ?, ?, 'acknowledged', '张三', ?, ?)",
                    [f"身份证号 {ID_NUMBER}", f"=cmd|' /C calc'!A0 {ID_NUMBER}", to_db(NOW + timedelta(hours=2)),
                     "-已联系发布单位删除", to_db(NOW + timedelta(hours=2, minutes=20))],
                )
                for n, text in enumerate(FORMULAS):
                    at = NOW + timedelta(hours=3, minutes=n)
                    db.execute(
                        "INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due, first_seen_at,"
                        " updated_at, acked_at, acked_by, ack_note) VALUES (2, ?, ?, ?, ?, ?, ?, ?, ?, ?, '张三', '已受理')",
                        [f"c{n}", AUTHOR, f"{text} 电话{PHONE}", to_db(at), to_db(at + timedelta(hours=1)),
                         to_db(at + timedelta(days=7)), to_db(at), to_db(at), to_db(at + timedelta(minutes=30))],
                    )
                db.execute(
                    "INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due, first_seen_at,"
                    " updated_at) VALUES (1, 'late', ?, '没人理', ?, ?, ?, ?, ?)",
                    [AUTHOR, to_db(NOW + timedelta(hours=4)), to_db(NOW + timedelta(hours=5)), to_db(NOW + timedelta(days=7)),
                     to_db(NOW + timedelta(hours=4)), to_db(NOW + timedelta(hours=4))],
                )
                db.execute(
                    "INSERT INTO posts (account_id, external_id, title, published_at, first_seen_at, updated_at)"
                    " VALUES (1, 'p1', '通报', ?, ?, ?)",
                    [to_db(NOW - timedelta(days=1))] * 3,
                )

        s.call(seed)
        emergencies.start_emergency(s, title="暴雨内涝", keywords=["暴雨"], now=NOW + timedelta(hours=5))
        shifts.end_shift(s, now=NOW + timedelta(hours=12), note="-请关注账号2")
        yield s


def workbook_cells(path: Path) -> dict[str, list[list[object]]]:
    workbook = load_workbook(path)
    try:
        sheets = {}
        for sheet in workbook.worksheets:
            rows = []
            for row in sheet.iter_rows():
                for c in row:
                    assert c.data_type != "f", f"{sheet.title}!{c.coordinate} is a formula: {c.value!r}"
                rows.append([c.value for c in row])
            sheets[sheet.title] = rows
        return sheets
    finally:
        workbook.close()


def everything(sheets: dict[str, list[list[object]]]) -> str:
    return "\n".join(str(v) for rows in sheets.values() for row in rows for v in row if v is not None)


def test_handover_xlsx_has_every_section_masked_data_and_no_formulas(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "handover.xlsx"
    document = exports.export_handover(store, path=target, fmt="xlsx", now=NOW + timedelta(hours=13), shift_id=1)
    sheets = workbook_cells(target)
    assert list(sheets) == ["封面", *SECTIONS]
    workbook = load_workbook(target)
    assert all(workbook[name].freeze_panes == "A2" for name in SECTIONS)
    assert workbook["巡查记录"].column_dimensions["E"].width == 20
    workbook.close()
    assert sheets["巡查记录"][0][:3] == ["编号", "时间", "类型"]
    assert len(sheets["巡查记录"]) == 1 + 5  # header, 4 automatic, 1 manual
    text = everything(sheets)
    assert ID_NUMBER not in text and PHONE not in text and AUTHOR not in text
    assert "110105********002X" in text and "138****5678" in text and "王**" in text
    assert document.anchor.head_hash in text and document.anchor.seq == store.call(audit.anchor).seq
    comments = [row[4] for row in sheets["留言处理"][1:]]
    # literal text, exactly as written, whatever it starts with
    assert sorted(comments) == sorted(f"{f} 电话138****5678" for f in FORMULAS)
    assert "-已联系发布单位删除" in [row[11] for row in sheets["告警"][1:]]
    assert any(row[2] == "-请关注账号2" or row[4] == "-请关注账号2" for row in sheets["班次"])
    open_items = sheets["待办事项（按账号）"]
    assert open_items[0] == ["账号", "平台", "类型", "编号", "内容", "起始时间"]
    assert [row[2] for row in open_items[1:]].count("超时留言") == 1
    assert sheets["交接摘要"][1][:2] == ["新告警", 1]
    assert sheets["突发事件"][1][6] in ("计时中", "超时未发布")


def test_handover_csv_is_utf8_with_bom_and_neutralises_formulas(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "handover.csv"
    exports.export_handover(store, path=target, fmt="csv", now=NOW + timedelta(hours=13), shift_id=1)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    cells = [c for row in rows for c in row]
    for title in SECTIONS:
        assert f"【{title}】" in cells
    for c in cells:
        assert not c.startswith(("=", "+", "-", "@", "\t", "\r")), repr(c)
    for formula in FORMULAS:
        assert f"'{formula} 电话138****5678" in cells
    text = "\n".join(cells)
    assert ID_NUMBER not in text and PHONE not in text and AUTHOR not in text


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True)
    # The text layer is the data as written (no radical for 言 or 至): only the full-width
    # brackets of the titles are folded, so the assertions below can be written once.
    assert not any(0x2E80 <= ord(c) <= 0x2FDF for c in result.stdout), "radicals in the PDF's text layer"
    return result.stdout.replace("（", "(").replace("）", ")")


def pdf_module():  # type: ignore[no-untyped-def]
    """The Qt renderer, or a skip where Qt or a Chinese font (Debian: fonts-noto-cjk) is missing."""
    pdf = pytest.importorskip("jb_watchdesk.ui.pdf")
    try:
        pdf.font_families()
    except pdf.NoCjkFont:
        pytest.skip("no Chinese font installed (fonts-noto-cjk)")
    return pdf


def test_handover_pdf_has_every_section_and_masked_data(store: Store, tmp_path: Path) -> None:
    pdf = pdf_module()
    target = tmp_path / "handover.pdf"
    document = exports.export_handover(
        store, path=target, fmt="pdf", now=NOW + timedelta(hours=13), shift_id=1, pdf_renderer=pdf.render_pdf
    )
    assert target.read_bytes().startswith(b"%PDF")
    text = pdf_text(target)
    assert "值班交接记录" in text
    for title in PDF_SECTIONS:
        assert title.replace("（", "(").replace("）", ")") in text
    # the details are in the XLSX: the PDF is the summary and what is open
    assert "巡查记录(汇总)" in text and "人工巡查与更正 1 条；自动巡查 4 条只计数" in text
    assert "留言处理" not in text and "告警分类" not in text
    # table cells wrap inside their column: compare without the line breaks (-raw keeps a cell together)
    joined = "".join(text.split())
    assert "没人理" in joined and "暴雨内涝" in joined  # the overdue comment and the emergency waiting
    assert PHONE not in joined and ID_NUMBER not in joined and AUTHOR not in joined
    assert document.anchor.head_hash in joined
    assert "交班人(签字)" in text
    raw = subprocess.run(["pdftotext", "-raw", str(target), "-"], capture_output=True, check=True, text=True).stdout
    assert document.anchor.head_hash in raw, "the hash must copy out exactly (no ligatures)"


def test_pdf_renders_off_screen_without_a_display(monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = pytest.importorskip("jb_watchdesk.ui.pdf")
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pdf.sys, "platform", "linux")
    assert pdf._platform_arguments() == ["-platform", "offscreen"]  # noqa: SLF001 - the helper choosing Qt's platform is what is under test
    monkeypatch.setenv("DISPLAY", ":0")
    assert pdf._platform_arguments() == []  # noqa: SLF001 - the helper choosing Qt's platform is what is under test


def test_weekly_report_xlsx_and_pdf(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "weekly.xlsx"
    document = exports.export_weekly(store, path=target, fmt="xlsx", now=NOW + timedelta(days=7), week="2026-W48")
    assert document.title == "政务新媒体周报（2026年第48周）"
    sheets = workbook_cells(target)
    assert {"账号更新", "每日发布", "留言时效", "告警分类"} <= set(sheets)
    updates = {row[1]: row for row in sheets["账号更新"][1:]}
    assert updates["账号0"][:8] == [1, "账号0", "RSS 订阅", "单位0", "运营中", "机器读取", 1, "未达标"]
    sla = {row[1]: row for row in sheets["留言时效"][1:]}
    # acknowledgements due in the week: six in time; results due in the next week: not counted, "no data"
    assert sla["账号1"][3:9] == [6, 6, 0, 0, 1.0, 0] and sla["账号1"][12] == "无数据"
    assert sla["账号0"][3:8] == [1, 0, 0, 1, 0]  # due, never acknowledged: late, and a 0% that is a real 0
    assert sheets["告警分类"][1] == [1, "账号0", "RSS 订阅", "个人隐私", 1, 0]
    workbook = load_workbook(target)
    assert workbook["留言时效"]["H2"].number_format == "0%"
    workbook.close()
    with zipfile.ZipFile(target) as archive:
        assert sum(name.startswith("xl/charts/chart") for name in archive.namelist()) == 2  # posts per day per unit; comment SLA per unit
    pdf = pdf_module()
    pdf_target = tmp_path / "weekly.pdf"
    exports.export_weekly(store, path=pdf_target, fmt="pdf", now=NOW + timedelta(days=7), week="2026-W48", pdf_renderer=pdf.render_pdf)
    text = pdf_text(pdf_target)
    assert "账号更新" in text and "留言办理及时率" in text


def test_week_parsing() -> None:
    start, end = exports.parse_week("2026-W48", now=NOW)
    assert start.isoformat() == "2026-11-23T00:00:00+08:00" and end - start == timedelta(days=7)
    start, _ = exports.parse_week(None, now=NOW)
    assert start.isoformat() == "2026-11-16T00:00:00+08:00"
    for bad in ("2026-48", "2026-W54", "W48"):
        with pytest.raises(InputError):
            exports.parse_week(bad, now=NOW)


def test_a_failed_export_leaves_the_good_file_in_place(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "handover.xlsx"
    target.write_bytes(b"the good export from yesterday")

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writers, "_stream_rows", disk_full)
    with pytest.raises(EnvironmentProblem) as caught:  # a full disk: exit 3, "disk full"
        exports.export_handover(store, path=target, fmt="xlsx", now=NOW + timedelta(hours=13), shift_id=1)
    assert caught.value.key == "file.disk_full" and caught.value.exit_code == 3
    assert target.read_bytes() == b"the good export from yesterday"
    assert [p.name for p in tmp_path.iterdir()] == ["handover.xlsx"]

    def locked(document: exports.Document, path: Path) -> None:
        path.write_bytes(b"%PDF-half")
        raise PermissionError(13, "file is locked by another program")

    pdf_target = tmp_path / "handover.pdf"
    pdf_target.write_bytes(b"%PDF good")
    with pytest.raises(InputError):
        exports.export_handover(store, path=pdf_target, fmt="pdf", now=NOW + timedelta(hours=13), shift_id=1, pdf_renderer=locked)
    assert pdf_target.read_bytes() == b"%PDF good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["handover.pdf", "handover.xlsx"]


def test_range_exports_and_bad_requests(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "range.csv"
    exports.export_handover(store, path=target, fmt="csv", now=NOW + timedelta(days=1), start=NOW, end=NOW + timedelta(hours=2))
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"), newline="")))
    index = rows.index(["【巡查记录】"])
    assert len([r for r in rows[index + 2 :] if r and r[0].isdigit()]) >= 5
    with pytest.raises(InputError):
        exports.export_handover(store, path=target, fmt="csv", now=NOW, start=NOW, end=NOW)
    with pytest.raises(InputError):
        exports.export_handover(store, path=target, fmt="docx", now=NOW, shift_id=1)
    with pytest.raises(InputError):
        exports.export_weekly(store, path=target, fmt="csv", now=NOW)


def test_mask_pii_in_free_text() -> None:
    assert exports.mask_pii(f"联系 {PHONE}，身份证 {ID_NUMBER}。") == "联系 138****5678，身份证 110105********002X。"
    assert exports.mask_pii("文号 2026110512345678901") == "文号 2026110512345678901"
    assert exports.mask_name("张三") == "张*" and exports.mask_name("") == ""


# -- one language: every rendered cell in Chinese or in English, never an internal code ----------------

CODES = (
    "veto warn unknown never_polled auth_expired failing degraded overdue_ack overdue_result pending acked done "
    "paid_service advertising privacy misstatement secret lifecycle platform new acknowledged resolved waiting met "
    "missed closed auto manual correction wechat_mp weibo douyin rss website active to_close high medium low ok "
    "pii id_card mobile absolute marking rejected closed_account_posting seq"
).split()
PROPER_NOUNS = {"RSS", "PDF", "XLSX", "CSV", "URL", "ID", "SHA"}
OFFICERS = ("张三", "李四")
ACCOUNTS = (  # name, platform, unit, status, health, reason, days since the last post (None: never)
    ("江北发布", Platform.WECHAT_MP, "区委宣传部", "active", "ok", "", 1),
    ("江北应急", Platform.WEIBO, "区应急管理局", "active", "degraded", "响应缓慢", 9),
    ("平安江北", Platform.DOUYIN, "区公安分局", "active", "failing", "连接被拒绝", 20),
    ("江北教育", Platform.RSS, "区教委", "to_close", "auth_expired", "令牌过期", 2),
    ("江北卫健", Platform.WEBSITE, "区卫健委", "active", "never_polled", "", None),
)
CATEGORIES = ("secret", "advertising", "paid_service", "privacy", "misstatement", "lifecycle", "platform")
RULES = (
    "secret.marking", "ad.absolute", "paid_service", "pii.mobile", "misstatement", "lifecycle.closed_account_posting", "platform.rejected"
)
ALERT_TEXTS = (
    "内部资料请勿外传", "全区最好的服务", "代办证件收费", "联系人手机号已隐去", "表述有误的通报", "待关停账号仍在发布", "平台判定不宜公开"
)
COMMENTS = ("路灯坏了", "噪音扰民", "道路积水", "井盖缺失", "垃圾未清运")
NOTES = ("已受理", "已转办", "已答复", "请继续关注", "强制结班说明")
EMERGENCY_TITLES = ("暴雨内涝", "燃气泄漏", "道路塌陷", "山火")
KEYWORDS = ("暴雨", "燃气", "塌陷", "山火")
INSPECTION_TEXTS = ("错别字", "已通知改正", "栏目停更", "已督促更新")
DATA = sorted(
    {*OFFICERS, *(a[0] for a in ACCOUNTS), *(a[2] for a in ACCOUNTS), *(a[5] for a in ACCOUNTS if a[5]), *ALERT_TEXTS,
     *COMMENTS, *NOTES, *EMERGENCY_TITLES, *KEYWORDS, *INSPECTION_TEXTS, "王**", "通报"},
    key=len,
    reverse=True,
)


@pytest.fixture
def every_state() -> Iterator[Store]:
    """A shift over accounts of every platform, freshness and health; alerts of each category and
    state; comments in each state; emergencies waiting, missed, met and closed; inspections of each kind."""
    with Store(None) as s:
        s.call(
            apply_register,
            [
                AccountSpec(name=n, platform=p, unit=u, status=AccountStatus(st), source=f"https://f/{i}")
                for i, (n, p, u, st, *_r) in enumerate(ACCOUNTS)
            ],
            now=NOW - timedelta(days=30),
        )
        shifts.start_shift(s, officer=OFFICERS[0], now=NOW)
        inspections.record_auto_inspections(
            s,
            now=NOW + timedelta(minutes=1),
            changes_summary=[
                inspections.AutoCheck(1, Freshness.OK, Health.OK),
                inspections.AutoCheck(2, Freshness.WARN, Health.DEGRADED, "响应缓慢"),
                inspections.AutoCheck(3, Freshness.VETO, Health.FAILING, "连接被拒绝", new_alerts=2),
                inspections.AutoCheck(4, Freshness.OK, Health.AUTH_EXPIRED, "令牌过期"),
                inspections.AutoCheck(5, Freshness.UNKNOWN, Health.NEVER_POLLED),
            ],
        )
        manual = inspections.record_inspection(
            s, account_id=1, checks={inspections.Check.CONTENT_QUALITY: "错别字"}, action="已通知改正", now=NOW + timedelta(hours=1)
        )
        inspections.record_inspection(
            s, account_id=1, checks={inspections.Check.COLUMN_UPDATES: "栏目停更"}, action="已督促更新", corrects_id=manual.id,
            now=NOW + timedelta(hours=1, minutes=5),
        )

        def seed(db) -> None:  # type: ignore[no-untyped-def]
            with db.atomic():
                for n, (_name, _p, _u, _st, health, reason, days) in enumerate(ACCOUNTS, start=1):
                    db.execute("UPDATE accounts SET health = ?, health_reason = ? WHERE id = ?", [health, reason, n])
                    if days is not None:
                        at = to_db(NOW - timedelta(days=days))
                        db.execute(
                            "INSERT INTO posts (account_id, external_id, title, published_at, first_seen_at, updated_at)"
                            " VALUES (?, ?, '通报', ?, ?, ?)",
                            [n, f"p{n}", at, at, at],
                        )
                for n, (category, rule, text) in enumerate(zip(CATEGORIES, RULES, ALERT_TEXTS, strict=True)):
                    raised = NOW + timedelta(hours=1, minutes=n)
                    state = ("new", "acknowledged", "resolved")[n % 3]
                    acked = None if state == "new" else to_db(raised + timedelta(minutes=10))
                    resolved = to_db(raised + timedelta(minutes=20)) if state == "resolved" else None
                    db.execute(
                        "INSERT INTO alerts (account_id, item_kind, item_id, category, severity, rule, text, context, raised_at, state,"
                        " ack_by, ack_note, ack_at, resolved_at) VALUES (?, 'post', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [n % 5 + 1, category, ("high", "medium", "low")[n % 3], rule, text, text, to_db(raised), state,
                         acked and OFFICERS[0], acked and NOTES[0], acked, resolved],
                    )
                shift_end = NOW + timedelta(hours=12)
                comments = [  # created, ack due, acked, result due, done: pending, overdue_ack, acked, overdue_result, done
                    (shift_end - timedelta(minutes=30), shift_end + timedelta(minutes=30), None, shift_end + timedelta(days=7), None),
                    (NOW + timedelta(hours=2), NOW + timedelta(hours=3), None, NOW + timedelta(days=7), None),
                    (
                        NOW + timedelta(hours=1), NOW + timedelta(hours=2), NOW + timedelta(hours=1, minutes=30), NOW + timedelta(days=7),
                        None,
                    ),
                    (
                        NOW - timedelta(days=10), NOW - timedelta(days=10) + timedelta(hours=1), NOW + timedelta(hours=1),
                        NOW + timedelta(hours=2), None,
                    ),
                    (
                        NOW + timedelta(hours=1), NOW + timedelta(hours=2), NOW + timedelta(hours=1, minutes=10), NOW + timedelta(days=7),
                        NOW + timedelta(hours=3),
                    ),
                ]
                for n, (created, ack_due, acked, result_due, done) in enumerate(comments):
                    db.execute(
                        "INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due, first_seen_at,"
                        " updated_at, acked_at, acked_by, ack_note, done_at, done_by, done_note)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [n % 5 + 1, f"c{n}", AUTHOR, COMMENTS[n], to_db(created), to_db(ack_due), to_db(result_due), to_db(created),
                         to_db(created), to_db(acked), acked and OFFICERS[0], acked and NOTES[1], to_db(done), done and OFFICERS[0],
                         done and NOTES[2]],
                    )

        s.call(seed)
        emergencies.start_emergency(s, title=EMERGENCY_TITLES[0], keywords=["暴雨"], now=NOW + timedelta(hours=11))  # waiting
        emergencies.start_emergency(s, title=EMERGENCY_TITLES[1], keywords=["燃气"], now=NOW + timedelta(hours=1))  # missed
        emergencies.start_emergency(s, title=EMERGENCY_TITLES[2], keywords=["塌陷"], now=NOW + timedelta(hours=2))
        emergencies.start_emergency(s, title=EMERGENCY_TITLES[3], keywords=["山火"], now=NOW + timedelta(hours=3))

        def settle(db) -> None:  # type: ignore[no-untyped-def]
            with db.atomic():
                db.execute(
                    "UPDATE emergencies SET first_post_id = 1, first_post_at = ? WHERE id = 3",
                    [to_db(NOW + timedelta(hours=2, minutes=30))],
                )
                db.execute("UPDATE emergencies SET closed_at = ? WHERE id = 4", [to_db(NOW + timedelta(hours=3, minutes=30))])

        s.call(settle)
        shifts.end_shift(s, now=NOW + timedelta(hours=12), note=NOTES[3])
        yield s


def rendered_cells(document: exports.Document, tmp_path: Path, *, csv_too: bool) -> list[str]:
    """Every text the officer reads: the document (what the PDF prints) and the XLSX and CSV files."""
    cells = [document.title, document.anchor_text(), *document.signatures, *(v for fact in document.facts for v in fact)]
    for section in document.sections:
        for shown in (section, section.summary) if section.summary else (section,):
            cells += [shown.title, shown.note, *shown.headers, *(v for row in shown.rows for v in row)]
        if section.chart is not None:
            cells += [section.chart.title, *section.chart.categories, *(name for name, _ in section.chart.series)]
    target = tmp_path / f"{document.title[:4]}.xlsx"
    exports.write_document(document, target, fmt="xlsx")
    sheets = workbook_cells(target)
    cells += [*sheets, *(str(v) for rows in sheets.values() for row in rows for v in row if v is not None and not isinstance(v, float))]
    if csv_too:
        exports.write_document(document, target.with_suffix(".csv"), fmt="csv")
        cells += [c for row in csv.reader(io.StringIO(target.with_suffix(".csv").read_text(encoding="utf-8-sig"))) for c in row]
    return [c for c in cells if c]


CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
HASH = re.compile(r"\b[0-9a-f]{64}\b")
CODE_SHAPE = re.compile(r"\b[a-z]+\.[a-z_]+\b")  # a rule id: pii.mobile, ad.absolute


def words(cell: str) -> list[str]:
    return re.findall(r"[A-Za-z_][A-Za-z_]*", HASH.sub("", cell))


def build_both(store: Store) -> list[exports.Document]:
    return [
        exports.build_handover(store, now=NOW + timedelta(hours=13), shift_id=1),
        exports.build_weekly(store, now=NOW + timedelta(days=7), week="2026-W48"),
    ]


def test_every_cell_in_chinese_names_codes_and_has_no_english(every_state: Store, tmp_path: Path) -> None:
    documents = build_both(every_state)
    handover, weekly = documents
    problems = set()
    for document in documents:
        for cell in rendered_cells(document, tmp_path, csv_too=document is handover):
            problems |= {(word, cell) for word in words(cell) if word not in PROPER_NOUNS}
    assert not sorted(problems), "\n".join(f"{w!r} in {c!r}" for w, c in sorted(problems)[:40])
    assert {"超时未发布", "计时中"} <= {row[6] for row in next(s for s in handover.sections if s.key == "emergencies").rows}


def test_every_cell_in_english_has_no_chinese_but_the_data(every_state: Store, tmp_path: Path) -> None:
    messages.set_language("en")
    try:
        documents = build_both(every_state)
        problems = set()
        for document in documents:
            for cell in rendered_cells(document, tmp_path, csv_too=True):
                rest = cell
                for value in DATA:
                    rest = rest.replace(value, "")
                if CJK.search(rest):
                    problems.add(cell)
                problems |= {cell for word in words(cell) if "_" in word} | {cell for _ in CODE_SHAPE.finditer(cell)}
    finally:
        messages.set_language("zh")
    assert not problems, "\n".join(sorted(problems)[:40])
