"""The PDF's text layer says what the page shows: no Kangxi radical for 言, no CJK radical for 页."""

from __future__ import annotations

import shutil
import struct
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jb_watchdesk.services.reports.document import Chart, Document, Section
from jb_watchdesk.storage import audit
from jb_watchdesk.ui import pdf, pdf_font

# Characters whose glyph Noto CJK shares with a radical (言 ⾔, 文 ⽂, 人 ⼈, 工 ⼯, 日 ⽇, 至 ⾄, 面 ⾯,
# 页 ⻚, 风 ⻛ …) and CJK punctuation whose glyph a lower code point shares (〈 〉 ／). Spaces are left out:
# Qt draws no glyph for them and pdftotext puts a plain space where it sees a gap.
SHARED = "言 文 人 工 日 至 面 页 风 长 见 门 马 鸟 龙 走 金 食 飞 〈通知〉 甲／乙"
PHRASES = ("留言", "区文旅委", "人工读取", "巡查中断", "页面", "至今", "日报", "江北风貌", "张三")


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: cannot read the PDF's text layer")
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True, text=True).stdout


def cjk_families() -> list[str]:
    try:
        return pdf.font_families()
    except pdf.NoCjkFont:
        pytest.skip("no Chinese font installed (fonts-noto-cjk)")


def document(text: str) -> Document:
    return Document(
        title=f"交接记录 {text}",
        facts=(("留言", text),),
        sections=(
            Section("s", "人工读取", ("账号", "内容"), [[phrase, text] for phrase in PHRASES], (10, 60)),
            Section("c", "图表", ("单位",), [], (10,), chart=Chart("留言办理及时率", ("区文旅委", "大石坝街道"), (("面", (50.0, 0.0)),))),
        ),
        anchor=audit.Anchor(seq=3, count=3, head_hash="0f" * 32),
        generated_at=datetime(2026, 11, 25, tzinfo=UTC),
    )


def test_extracted_text_is_the_data_character_for_character(tmp_path: Path) -> None:
    cjk_families()
    target = tmp_path / "text.pdf"
    pdf.render_pdf(document(SHARED), target)
    text = pdf_text(target)
    radicals = sorted({f"U+{ord(c):04X}" for c in text if 0x2E80 <= ord(c) <= 0x2FDF})
    assert not radicals, f"radicals in the text layer: {radicals}"
    assert f"留言：{SHARED}" in text.splitlines()  # the fact line, exactly as written
    for phrase in PHRASES:
        assert phrase in text
    assert "第 1 页" in text and "0f" * 32 in text


def test_the_cjk_face_is_a_derived_copy_without_shadowing_code_points() -> None:
    families = cjk_families()
    if families[-1] != pdf_font.DERIVED_FAMILY:
        pytest.skip(f"the installed CJK font ({families[-1]}) shares no glyph with a lower code point")
    from PySide6.QtGui import QFont, QRawFont

    font = QFont()
    font.setFamilies([pdf_font.DERIVED_FAMILY])
    font.setPixelSize(20)
    raw = QRawFont.fromFont(font)
    mapping = pdf_font.unicode_mapping(bytes(raw.fontTable("cmap")))
    assert mapping[ord("言")] and ord("⾔") not in mapping and ord("⻚") not in mapping
    assert not pdf_font.shadowing(mapping)


def test_shadowing_names_lower_code_points_sharing_a_preferred_glyph() -> None:
    mapping = {0x2F94: 7, 0x8A00: 7, 0x2EDA: 9, 0x9875: 9, 0x2329: 11, 0x3008: 11, 0x41: 3, 0x2E81: 12, 0x2E82: 12, 0xF900: 13, 0x8C48: 13}
    # radicals and the lower twin of 〈 go; a radical sharing only with a radical and a compatibility
    # ideograph above its unified twin stay
    assert pdf_font.shadowing(mapping) == {0x2F94, 0x2EDA, 0x2329}


def format4(mapping: dict[int, int]) -> bytes:
    """A format 4 subtable mapping each code point through the glyph array, one segment per code point."""
    points = sorted(mapping)
    segments = len(points) + 1
    ends = [*points, 0xFFFF]
    starts = [*points, 0xFFFF]
    deltas = [0] * segments
    # each real segment's idRangeOffset points to its own glyph-array slot
    offsets = [2 * (segments - i) + 2 * i for i in range(len(points))] + [0]
    glyphs = [mapping[p] for p in points]
    body = (
        struct.pack(f">{segments}H", *ends) + b"\0\0" + struct.pack(f">{segments}H", *starts)
        + struct.pack(f">{segments}h", *deltas) + struct.pack(f">{segments}H", *offsets) + struct.pack(f">{len(glyphs)}H", *glyphs)
    )
    return struct.pack(">HHHHHHH", 4, 14 + len(body), 0, 2 * segments, 0, 0, 0) + body


def cmap(mapping: dict[int, int]) -> bytes:
    sub4 = format4(mapping)
    sub12 = pdf_font._format12(mapping)  # noqa: SLF001 - the subtable builder is part of what is under test
    header = struct.pack(">HH", 0, 2) + struct.pack(">HHI", 3, 1, 20) + struct.pack(">HHI", 3, 10, 20 + len(sub4))
    return header + sub4 + sub12


def test_the_cmap_rewrite_unmaps_shadowing_code_points_in_both_subtables() -> None:
    mapping = {0x41: 3, 0x2F94: 7, 0x8A00: 7, 0x2EDA: 9, 0x9875: 9, 0x4EBA: 10}
    table, dropped = pdf_font.without_shadowing(cmap(mapping))
    assert dropped == {0x2F94, 0x2EDA}
    expected = {0x41: 3, 0x8A00: 7, 0x9875: 9, 0x4EBA: 10}
    assert pdf_font.unicode_mapping(table) == expected  # format 12
    assert pdf_font._format4_mapping(table, 20) == expected  # noqa: SLF001 - the format 4 reader on the rewritten table
    assert pdf_font._format4_mapping(cmap(mapping), 20) == mapping  # noqa: SLF001 - the reader itself


def test_the_font_file_has_valid_checksums() -> None:
    head = bytearray(54)
    head[12:16] = struct.pack(">I", 0x5F0F3CF5)
    font = pdf_font.sfnt({"head": bytes(head), "name": pdf_font.name_table("X Y", "Bold"), "cmap": cmap({0x41: 1})})
    padded = font + b"\0" * (-len(font) % 4)
    assert sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF == 0xB1B0AFBA
    count = struct.unpack_from(">H", font, 4)[0]
    assert count == 3
    for index in range(count):
        tag, checksum, offset, length = struct.unpack_from(">4sIII", font, 12 + 16 * index)
        if tag != b"head":
            assert pdf_font._checksum(font[offset : offset + length]) == checksum  # noqa: SLF001 - the checksum helper
    assert "X Y".encode("utf-16-be") in font


def test_a_font_that_cannot_be_fixed_is_said_in_the_log(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    families = cjk_families()
    if families[-1] != pdf_font.DERIVED_FAMILY:
        pytest.skip(f"the installed CJK font ({families[-1]}) shares no glyph with a lower code point")
    from PySide6.QtGui import QFontDatabase

    installed = next(f for f in QFontDatabase.families() if f in pdf_font._registered)  # noqa: SLF001 - the face derived above
    assert pdf_font.shares_radical_glyphs(installed)
    assert not pdf_font.shares_radical_glyphs(pdf_font.DERIVED_FAMILY)
    monkeypatch.setattr(pdf_font, "derived_font", lambda raw, *, style: None)  # tables Qt cannot read
    monkeypatch.setattr(pdf_font, "_registered", {})
    with caplog.at_level("WARNING", logger="jb_watchdesk.ui.pdf_font"):
        assert pdf_font.derived_family(installed) == installed
    assert "searches wrong" in caplog.text and "XLSX" in caplog.text
