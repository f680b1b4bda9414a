"""Handover exports and weekly reports read back: sections, masked personal data, no formulas, atomic writes."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import AccountSpec, Freshness, Health, Platform
from jb_watchdesk.services import exports, shifts
from jb_watchdesk.services import emergencies, inspections
from jb_watchdesk.storage import audit
from jb_watchdesk.storage.accounts import apply_register
from jb_watchdesk.storage.codec import to_db
from jb_watchdesk.storage.db import Store

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # Wednesday 08:00 Shanghai
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"
AUTHOR = "王小明"
FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR"]
SECTIONS = ["班次", "巡查记录", "告警", "留言处理", "超时留言", "账号预警", "突发事件", "遗留事项"]


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
                changes_summary=[inspections.AutoCheck(1, Freshness.OK, Health.OK), inspections.AutoCheck(2, Freshness.WARN, Health.FAILING, "HTTP 500")],
            )
        inspections.record_inspection(
            s, account_id=3, checks={inspections.Check.CONTENT_QUALITY: f"=HYPERLINK() 联系人 {PHONE}"}, action="@已删除", now=NOW + timedelta(hours=1)
        )

        def seed(db) -> None:  # type: ignore[no-untyped-def]
            with db.atomic():
                db.execute(
                    "INSERT INTO alerts (account_id, item_kind, item_id, category, severity, rule, text, context, raised_at, state,"
                    " ack_by, ack_note, ack_at) VALUES (1, 'post', 1, 'privacy', 'high', 'pii.id_card', ?, ?, ?, 'acknowledged', '张三', ?, ?)",
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
                    "INSERT INTO comments (account_id, external_id, author, text, created_at, ack_due, result_due, first_seen_at, updated_at)"
                    " VALUES (1, 'late', ?, '没人理', ?, ?, ?, ?, ?)",
                    [AUTHOR, to_db(NOW + timedelta(hours=4)), to_db(NOW + timedelta(hours=5)), to_db(NOW + timedelta(days=7)),
                     to_db(NOW + timedelta(hours=4)), to_db(NOW + timedelta(hours=4))],
                )
                db.execute(
                    "INSERT INTO posts (account_id, external_id, title, published_at, first_seen_at, updated_at) VALUES (1, 'p1', '通报', ?, ?, ?)",
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
    comments = [row[3] for row in sheets["留言处理"][1:]]
    # literal text, exactly as written, whatever it starts with
    assert sorted(comments) == sorted(f"{f} 电话138****5678" for f in FORMULAS)
    assert "-已联系发布单位删除" in [row[10] for row in sheets["告警"][1:]]
    assert any(row[2] == "-请关注账号2" or row[4] == "-请关注账号2" for row in sheets["班次"])
    assert [row[0] for row in sheets["遗留事项"][1:]].count("超时留言") == 1
    assert sheets["突发事件"][1][6] == "计时中" or sheets["突发事件"][1][6] == "超时"


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
    # Qt maps some CJK glyphs back to their compatibility code points (⾄ for 至); NFKC folds them.
    return unicodedata.normalize("NFKC", result.stdout)


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
    assert "值班交接记录" in text and "巡查记录(汇总)" in text
    for title in SECTIONS[2:]:
        assert title in text
    # table cells wrap inside their column: compare without the line breaks (-raw keeps a cell together)
    joined = "".join(text.split())
    assert "138****5678" in joined and "110105********002X" in joined
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
    assert pdf._platform_arguments() == ["-platform", "offscreen"]
    monkeypatch.setenv("DISPLAY", ":0")
    assert pdf._platform_arguments() == []


def test_weekly_report_xlsx_and_pdf(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "weekly.xlsx"
    document = exports.export_weekly(store, path=target, fmt="xlsx", now=NOW + timedelta(days=7), week="2026-W48")
    assert document.title == "政务新媒体周报（2026年第48周）"
    sheets = workbook_cells(target)
    assert {"账号更新", "每日发布", "留言时效", "告警分类"} <= set(sheets)
    updates = {row[1]: row for row in sheets["账号更新"][1:]}
    assert updates["账号0"][5] == "1" and updates["账号0"][6] == "未达标"
    sla = {row[1]: row for row in sheets["留言时效"][1:]}
    assert sla["账号1"][2:5] == ["6", "6", "0"] and sla["账号0"][5] == "1"
    assert sheets["告警分类"][1] == ["1", "账号0", "privacy", "1"]
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

    monkeypatch.setattr(exports, "_stream_rows", disk_full)
    with pytest.raises(InputError) as caught:
        exports.export_handover(store, path=target, fmt="xlsx", now=NOW + timedelta(hours=13), shift_id=1)
    assert caught.value.key == "file.unwritable" and "No space left" in str(caught.value)
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
