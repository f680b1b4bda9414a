"""A copy of the installed CJK font whose cmap names each shared glyph once: a searchable PDF text layer.

Why: Qt's PDF writer embeds a subset of each font and writes its ``ToUnicode`` map by asking, for
every code point of the Basic Multilingual Plane from U+0000 upwards, which glyph the font gives
it, and keeping the *first* code point found for each glyph (``QFontSubset::getReverseMap``).
Noto Sans CJK, Source Han Sans and other CJK fonts draw a Kangxi radical (U+2F00–U+2FDF) or a CJK
radical supplement (U+2E80–U+2EFF) with the very glyph of the ideograph it looks like: 言 and ⾔
share one glyph, so do 页 and ⻚. The radical's code point is the lower, so the PDF says ``留⾔``
where the page shows 留言, and a search of the archive for 留言 finds nothing. The same happens to
a few punctuation marks (〈 U+3008 comes out as U+2329, ／ U+FF0F as U+2215, the ideographic space
as an em space).

The fix is at the font, the depth where the ambiguity lives: before rendering, the chosen CJK face
is read back table by table (``QRawFont.fontTable``, so it works with whatever font the platform
offers, on Windows too) and re-registered with Qt under a family of its own, with one change: its
cmap no longer maps a code point that shares its glyph with a CJK ideograph, CJK punctuation or a
fullwidth form and sorts before it. Every glyph then has one code point below the preferred one
— none — and Qt's reverse map writes the character as the data has it. Outlines, metrics and
layout tables are the font's own, byte for byte; the PDF looks the same. A radical that really is
in the data (rare) is drawn from a fallback font and copies out as itself.

Only the cmap's Unicode subtables are touched: format 12 is rebuilt from its mapping without the
dropped code points; format 4 has the dropped entries of its glyph arrays set to glyph 0 (a
segment mapped by a plain delta is left as it was: Qt and FreeType read format 12 when a font
has one). Everything here is pure byte work apart from :func:`derived_family`.
"""

from __future__ import annotations

import logging
import struct
import sys
from array import array
from collections.abc import Iterable
from typing import Final

from PySide6.QtGui import QFont, QFontDatabase, QRawFont

log = logging.getLogger(__name__)

DERIVED_FAMILY: Final = "JB WatchDesk CJK Text"

# Tables copied from the installed face (those it has); anything else (signatures, colour, …) is not needed to draw text.
TABLE_TAGS: Final = (
    "BASE", "CFF ", "CFF2", "GDEF", "GPOS", "GSUB", "HVAR", "MVAR", "OS/2", "STAT", "VORG", "VVAR", "avar", "cvt ", "EBDT",
    "EBLC", "EBSC", "fpgm", "fvar", "gasp", "glyf", "gvar", "hdmx", "head", "hhea", "hmtx", "kern", "loca", "maxp", "post",
    "prep", "vhea", "vmtx",
)


def preferred(code_point: int) -> bool:
    """A code point the text of a report is written in: CJK ideographs, CJK punctuation, fullwidth forms."""
    return 0x3400 <= code_point <= 0x4DBF or 0x4E00 <= code_point <= 0x9FFF or 0x3000 <= code_point <= 0x303F or (
        0xFF00 <= code_point <= 0xFFEF
    )


def _format12_mapping(table: bytes, offset: int) -> dict[int, int]:
    groups = struct.unpack_from(">I", table, offset + 12)[0]
    mapping: dict[int, int] = {}
    for index in range(groups):
        start, end, glyph = struct.unpack_from(">III", table, offset + 16 + 12 * index)
        for code_point in range(start, end + 1):
            mapping[code_point] = glyph + code_point - start
    return mapping


def _format4_mapping(table: bytes, offset: int) -> dict[int, int]:
    segments = struct.unpack_from(">H", table, offset + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", table, offset + 14)
    starts = struct.unpack_from(f">{segments}H", table, offset + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", table, offset + 16 + 4 * segments)
    range_base = offset + 16 + 6 * segments
    range_offsets = struct.unpack_from(f">{segments}H", table, range_base)
    mapping: dict[int, int] = {}
    for i, (start, end, delta, range_offset) in enumerate(zip(starts, ends, deltas, range_offsets, strict=True)):
        for code_point in range(start, min(end, 0xFFFE) + 1):
            if range_offset == 0:
                glyph = (code_point + delta) & 0xFFFF
            else:
                at = range_base + 2 * i + range_offset + 2 * (code_point - start)
                glyph = struct.unpack_from(">H", table, at)[0]
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                mapping[code_point] = glyph
    return mapping


def _subtables(table: bytes) -> list[tuple[int, int, int, int]]:
    """(platform, encoding, offset, format) of each cmap subtable."""
    count = struct.unpack_from(">H", table, 2)[0]
    found = []
    for index in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * index)
        found.append((platform, encoding, offset, struct.unpack_from(">H", table, offset)[0]))
    return found


def unicode_mapping(table: bytes) -> dict[int, int]:
    """Code point → glyph from a cmap table: its format 12 subtable, else its Unicode format 4 one."""
    subtables = _subtables(table)
    for _platform, _encoding, offset, fmt in subtables:
        if fmt == 12:
            return _format12_mapping(table, offset)
    for platform, encoding, offset, fmt in subtables:
        if fmt == 4 and (platform == 0 or (platform, encoding) == (3, 1)):
            return _format4_mapping(table, offset)
    return {}


def shadowing(mapping: dict[int, int]) -> set[int]:
    """Code points that share a glyph with a :func:`preferred` code point and sort before it (so a
    writer that names each glyph by its first code point would name the glyph by them)."""
    first_preferred: dict[int, int] = {}
    for code_point, glyph in mapping.items():
        if preferred(code_point) and code_point < first_preferred.get(glyph, 0x110000):
            first_preferred[glyph] = code_point
    return {cp for cp, glyph in mapping.items() if glyph in first_preferred and cp < first_preferred[glyph]}


def _format12(mapping: dict[int, int]) -> bytes:
    groups: list[list[int]] = []
    for code_point in sorted(mapping):
        glyph = mapping[code_point]
        if groups and code_point == groups[-1][1] + 1 and glyph == groups[-1][2] + code_point - groups[-1][0]:
            groups[-1][1] = code_point
        else:
            groups.append([code_point, code_point, glyph])
    body = b"".join(struct.pack(">III", *group) for group in groups)
    return struct.pack(">HHIII", 12, 0, 16 + len(body), 0, len(groups)) + body


def _unmap_format4(table: bytearray, offset: int, dropped: Iterable[int]) -> None:
    """Set the glyph-array entries of ``dropped`` code points to glyph 0 (not mapped)."""
    segments = struct.unpack_from(">H", table, offset + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", table, offset + 14)
    starts = struct.unpack_from(f">{segments}H", table, offset + 16 + 2 * segments)
    range_base = offset + 16 + 6 * segments
    range_offsets = struct.unpack_from(f">{segments}H", table, range_base)
    for code_point in dropped:
        if code_point > 0xFFFF:
            continue
        for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
            if start <= code_point <= end:
                if range_offsets[i]:
                    struct.pack_into(">H", table, range_base + 2 * i + range_offsets[i] + 2 * (code_point - start), 0)
                break


def without_shadowing(table: bytes) -> tuple[bytes, set[int]]:
    """The cmap ``table`` with the :func:`shadowing` code points unmapped, and those code points."""
    mapping = unicode_mapping(table)
    dropped = shadowing(mapping)
    if not dropped:
        return table, dropped
    kept = {cp: glyph for cp, glyph in mapping.items() if cp not in dropped}
    rebuilt = bytearray(table)
    subtables = _subtables(table)
    for platform, encoding, offset, fmt in subtables:
        if fmt == 4 and (platform == 0 or (platform, encoding) == (3, 1)):
            _unmap_format4(rebuilt, offset, dropped)
    # Format 12 subtables are replaced by one rebuilt copy appended at the end; the records point to it.
    if any(fmt == 12 for *_rest, fmt in subtables):
        new_offset = len(rebuilt)
        rebuilt += _format12(kept)
        for index, (_platform, _encoding, _offset, fmt) in enumerate(subtables):
            if fmt == 12:
                struct.pack_into(">I", rebuilt, 4 + 8 * index + 4, new_offset)
    return bytes(rebuilt), dropped


def name_table(family: str, style: str) -> bytes:
    """A minimal Windows-Unicode name table: family, style, unique, full and PostScript names."""
    postscript = (family + "-" + style).replace(" ", "")
    records = [(1, family), (2, style), (3, postscript), (4, f"{family} {style}"), (6, postscript), (16, family), (17, style)]
    strings = b""
    entries = b""
    for name_id, value in records:
        data = value.encode("utf-16-be")
        entries += struct.pack(">HHHHHH", 3, 1, 0x409, name_id, len(data), len(strings))
        strings += data
    return struct.pack(">HHH", 0, len(records), 6 + 12 * len(records)) + entries + strings


def _checksum(data: bytes) -> int:
    """The OpenType checksum: the sum of the big-endian 32-bit words, modulo 2**32."""
    words = array("I", data + b"\0" * (-len(data) % 4))
    if sys.byteorder == "little":
        words.byteswap()
    return sum(words) & 0xFFFFFFFF


def sfnt(tables: dict[str, bytes]) -> bytes:
    """An OpenType font file of ``tables`` (checksums and ``head.checkSumAdjustment`` set)."""
    tags = sorted(tables)
    version = b"OTTO" if "CFF " in tables or "CFF2" in tables else b"\x00\x01\x00\x00"
    count = len(tags)
    power = 1
    while power * 2 <= count:
        power *= 2
    header = version + struct.pack(">HHHH", count, power * 16, power.bit_length() - 1, count * 16 - power * 16)
    if "head" in tables:
        head = bytearray(tables["head"])
        head[8:12] = b"\0\0\0\0"
        tables = {**tables, "head": bytes(head)}
    offset = 12 + 16 * count
    directory = b""
    body: list[bytes] = []
    position = offset
    head_at = -1
    total = 0
    for tag in tags:
        data = tables[tag]
        checksum = _checksum(data)
        total += checksum
        directory += struct.pack(">4sIII", tag.encode("latin-1"), checksum, position, len(data))
        if tag == "head":
            head_at = position
        body.append(data + b"\0" * (-len(data) % 4))
        position += len(body[-1])
    font = bytearray(header + directory + b"".join(body))
    if head_at >= 0:
        # every table is padded to whole words, so the file's checksum is the directory's plus the tables'
        adjustment = (0xB1B0AFBA - (_checksum(header + directory) + total)) & 0xFFFFFFFF
        struct.pack_into(">I", font, head_at + 8, adjustment)
    return bytes(font)


def derived_font(raw: QRawFont, *, style: str) -> bytes | None:
    """The face ``raw`` as a font file under :data:`DERIVED_FAMILY` with the shadowing code points
    unmapped; None when the face has no cmap or nothing to unmap."""
    tables = {tag: bytes(raw.fontTable(tag)) for tag in TABLE_TAGS}
    tables = {tag: data for tag, data in tables.items() if data}
    cmap = bytes(raw.fontTable("cmap"))
    if not cmap or "head" not in tables:
        return None
    tables["cmap"], dropped = without_shadowing(cmap)
    if not dropped:
        return None
    tables["name"] = name_table(DERIVED_FAMILY, style)
    return sfnt(tables)


_registered: dict[str, str] = {}


def derived_family(family: str) -> str:
    """The family to draw CJK text in for ``family``: :data:`DERIVED_FAMILY` registered from it
    (regular and bold), or ``family`` itself when it shares no glyph with a lower code point or
    cannot be read back. Registered once a process."""
    if family in _registered:
        return _registered[family]
    chosen = family
    for bold, style in ((False, "Regular"), (True, "Bold")):
        font = QFont()
        font.setFamilies([family])
        font.setBold(bold)
        font.setPixelSize(32)
        data = derived_font(QRawFont.fromFont(font), style=style)
        if data is None:
            continue
        font_id = QFontDatabase.addApplicationFontFromData(data)
        if font_id >= 0 and DERIVED_FAMILY in QFontDatabase.applicationFontFamilies(font_id):
            chosen = DERIVED_FAMILY
    _registered[family] = chosen
    if shares_radical_glyphs(chosen):
        # The PDF is still written (the printout is right), but its text layer will read 留⾔ for
        # 留言: an archive searched for 留言 finds nothing. Said once in the log; each export says
        # it where it was asked for (``pdf.text_searchable``).
        log.warning(
            "PDF text in %r maps common characters to radicals (言 as ⾔): the exported PDF prints right but "
            "searches wrong; keep the XLSX export as the searchable record",
            chosen,
        )
    return chosen


CHECK_PAIRS: Final = "言⾔文⽂人⼈页⻚风⻛"
"""Common characters and the radicals whose glyphs CJK fonts share with them, in pairs."""


def shares_radical_glyphs(family: str) -> bool:
    """Whether ``family`` still draws a common character and its radical with one glyph (so a PDF
    writer may name the glyph by the radical)."""
    font = QFont()
    font.setFamilies([family])
    font.setPixelSize(32)
    glyphs = QRawFont.fromFont(font).glyphIndexesForString(CHECK_PAIRS)
    if len(glyphs) != len(CHECK_PAIRS):
        return False
    return any(glyphs[i] and glyphs[i] == glyphs[i + 1] for i in range(0, len(glyphs), 2))
