"""PDF rendering of an export document (``services.exports.Document``) with Qt.

Tables are drawn with ``QPainter`` on a ``QPdfWriter`` (A4 landscape, CJK font embedded as a
subset by Qt), page by page with the header row repeated, a footer carrying the page number and
the ledger anchor, and signature lines at the end: a layout to print and sign. Nothing is laid out
as HTML or rich text, so no text from a post or comment can become markup or make Qt fetch a
file. Charts are drawn as vector bars on the page.

Works with ``QT_QPA_PLATFORM=offscreen`` and without a running event loop: a QApplication is
created when none exists, which is all QPdfWriter and font lookup need.
"""

from __future__ import annotations

import atexit
import math
import os
import sys
from pathlib import Path
from typing import Final

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtWidgets import QApplication
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import EnvironmentProblem
from jb_watchdesk.services.exports import Chart, Document, Section, local
from jb_watchdesk.ui.pdf_font import derived_family, shares_radical_glyphs

RESOLUTION: Final = 300  # dots per inch of the PDF's coordinate space
# Latin text is set in a Latin font first: with a CJK font alone, Qt maps digits that follow
# Latin letters to glyphs without a Unicode mapping, and copied or extracted text loses them.
LATIN_FAMILIES: Final = ("Noto Sans", "DejaVu Sans", "Liberation Sans", "Arial", "Segoe UI", "Helvetica")
CJK_FAMILIES: Final = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimSun", "WenQuanYi Micro Hei")
MAX_CELL_LINES: Final = 8
PALETTE: Final = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")

_app: QApplication | None = None


class NoCjkFont(RuntimeError):
    """No installed font can show Chinese: the PDF would print empty boxes."""


def _platform_arguments() -> list[str]:
    """Render off screen when there is no display (a server, ``handover export`` over SSH).

    The default Linux platform would abort the process without a display, and a PDF needs none.
    """
    if os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return []
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return []
    return ["-platform", "offscreen"]


def _ensure_app() -> None:
    global _app
    if QGuiApplication.instance() is None:
        # A widgets application, so the window (or a test harness) can share it later.
        _app = QApplication(["jb-watchdesk", *_platform_arguments()])
        # Left to interpreter finalisation, the application object is torn down after the
        # modules it depends on and the process can abort on exit; shut it down first.
        atexit.register(_shutdown_app)


def _shutdown_app() -> None:
    global _app
    if _app is not None:
        _app.shutdown()
        _app = None


def font_families() -> list[str]:
    """A Latin family (when one is installed) then the first family that covers Simplified Chinese."""
    _ensure_app()
    chinese = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    cjk = next((f for f in CJK_FAMILIES if f in chinese), chinese[0] if chinese else None)
    if cjk is None:
        raise NoCjkFont("no font for Simplified Chinese is installed (e.g. fonts-noto-cjk)")
    latin = QFontDatabase.families(QFontDatabase.WritingSystem.Latin)
    return [f for f in LATIN_FAMILIES if f in latin][:1] + [derived_family(cjk)]


class _Pages:
    """A painter over the writer that knows the printable area and starts new pages."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, *, families: list[str], footer: str) -> None:
        self.writer = writer
        self.painter = painter
        self.families = families
        self.footer = footer
        self.page = 1
        rect = writer.pageLayout().paintRectPixels(RESOLUTION)
        self.width = float(rect.width())
        self.height = float(rect.height())
        self.footer_height = self._pt(7) * 2.2
        self.y = 0.0

    def _pt(self, points: float) -> float:
        return points * RESOLUTION / 72

    def font(self, points: float, *, bold: bool = False) -> QFont:
        font = QFont()
        font.setFamilies(self.families)
        # No ligatures: a hash or an account id must copy out of the PDF exactly as printed ("ff", not "ﬀ").
        font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
        font.setPointSizeF(points)
        font.setBold(bold)
        return font

    @property
    def bottom(self) -> float:
        return self.height - self.footer_height

    def draw_footer(self) -> None:
        self.painter.setFont(self.font(7))
        self.painter.setPen(QColor("#555555"))
        text = f"{messages.text('export.page', page=self.page)}    {self.footer}"
        self.painter.drawText(QRectF(0, self.height - self.footer_height * 0.8, self.width, self.footer_height), Qt.AlignmentFlag.AlignLeft, text)
        self.painter.setPen(QColor("#000000"))

    def new_page(self) -> None:
        self.draw_footer()
        self.writer.newPage()
        self.page += 1
        self.y = 0.0

    def need(self, height: float) -> None:
        if self.y + height > self.bottom and self.y > 0:
            self.new_page()

    def line(self, text: str, *, points: float, bold: bool = False, gap: float = 0.4) -> None:
        font = self.font(points, bold=bold)
        metrics = QFontMetricsF(font, self.writer)
        rect = metrics.boundingRect(QRectF(0, 0, self.width, 1e6), int(Qt.TextFlag.TextWordWrap), text)
        self.need(rect.height())
        self.painter.setFont(font)
        self.painter.drawText(QRectF(0, self.y, self.width, rect.height()), int(Qt.TextFlag.TextWordWrap), text)
        self.y += rect.height() + self._pt(points) * gap


def _table(pages: _Pages, section: Section) -> None:
    painter = pages.painter
    font = pages.font(7.5)
    header_font = pages.font(7.5, bold=True)
    metrics = QFontMetricsF(font, pages.writer)
    header_metrics = QFontMetricsF(header_font, pages.writer)
    pad = pages._pt(2)  # noqa: SLF001 - the helper is this module's own
    total = sum(section.widths) or 1
    widths = [pages.width * w / total for w in section.widths]
    line_height = metrics.height()
    max_height = line_height * MAX_CELL_LINES + 2 * pad
    wrap = int(Qt.TextFlag.TextWrapAnywhere)
    grid = QPen(QColor("#999999"))
    grid.setWidthF(pages._pt(0.4))  # noqa: SLF001

    def height_of(values: tuple[str, ...] | list[str], fm: QFontMetricsF) -> float:
        tallest = line_height
        for value, width in zip(values, widths, strict=False):
            if value and fm.horizontalAdvance(value) > width - 2 * pad:
                tallest = max(tallest, fm.boundingRect(QRectF(0, 0, width - 2 * pad, 1e6), wrap, value).height())
        return min(tallest + 2 * pad, max_height)

    header_height = height_of(section.headers, header_metrics)

    def draw_row(values: tuple[str, ...] | list[str], height: float, *, header: bool) -> None:
        x = 0.0
        if header:
            painter.fillRect(QRectF(0, pages.y, pages.width, height), QColor("#e8e8e8"))
        painter.setPen(grid)
        painter.drawLine(int(0), int(pages.y + height), int(pages.width), int(pages.y + height))
        painter.setPen(QColor("#000000"))
        for value, width in zip(values, widths, strict=False):
            painter.drawText(QRectF(x + pad, pages.y + pad, width - 2 * pad, height - 2 * pad), wrap, value)
            x += width
        pages.y += height

    pages.need(header_height * 2)
    painter.setFont(header_font)
    draw_row(section.headers, header_height, header=True)
    painter.setFont(font)
    for row in section.rows:
        height = height_of(row, metrics)
        if pages.y + height > pages.bottom:
            pages.new_page()
            painter.setFont(header_font)
            draw_row(section.headers, header_height, header=True)
            painter.setFont(font)
        draw_row(row, height, header=False)
    if not section.rows:
        pages.line(messages.text("export.no_rows"), points=7.5)
    pages.y += pages._pt(6)  # noqa: SLF001


def _chart(pages: _Pages, chart: Chart) -> None:
    """Grouped vertical bars with a value axis and a legend; category and series names are wrapped,
    never cut, and a value of None (no data) is marked ``—`` above the axis, never drawn as zero."""
    painter = pages.painter
    pt = pages._pt  # noqa: SLF001
    label_font = pages.font(6.5)
    metrics = QFontMetricsF(label_font, pages.writer)
    wrap = int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere)
    left = pt(36)
    legend_width = pt(150)
    width = min(pages.width - left - legend_width, pt(560))
    groups = max(len(chart.categories), 1)
    group_width = width / groups
    label_height = max(
        [metrics.boundingRect(QRectF(0, 0, group_width - pt(2), 1e6), wrap, c).height() for c in chart.categories] + [metrics.height()]
    )
    plot_height = pt(130)
    legend_heights = [metrics.boundingRect(QRectF(0, 0, legend_width - pt(12), 1e6), wrap, n).height() + pt(3) for n, _ in chart.series]
    height = max(plot_height + label_height + pt(8), sum(legend_heights)) + pt(6)
    pages.need(height + pt(20))
    pages.line(chart.title, points=9, bold=True)
    top = pages.y
    values = [v for _, series in chart.series for v in series if v is not None]
    # a multiple of 4, so the four ticks are whole numbers (as in the window's chart)
    peak = 100.0 if chart.percent else float(math.ceil(max([*values, 1.0]) / 4) * 4)
    painter.setFont(label_font)
    axis = QPen(QColor("#333333"))
    axis.setWidthF(pt(0.6))
    painter.setPen(axis)
    painter.drawLine(int(left), int(top), int(left), int(top + plot_height))
    painter.drawLine(int(left), int(top + plot_height), int(left + width), int(top + plot_height))
    for step in range(5):
        value = peak * step / 4
        y = top + plot_height - plot_height * step / 4
        label = f"{value:.0f}%" if chart.percent else f"{value:.0f}"
        painter.drawText(QRectF(0, y - pt(5), left - pt(3), pt(10)), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
    bar_width = group_width * 0.8 / max(len(chart.series), 1)
    for g, category in enumerate(chart.categories):
        x0 = left + g * group_width + group_width * 0.1
        for s, (_name, series) in enumerate(chart.series):
            value = series[g] if g < len(series) else None
            x = x0 + s * bar_width
            if value is None:
                painter.drawText(
                    QRectF(x, top + plot_height - pt(10), bar_width, pt(9)),
                    int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                    "—",
                )
                continue
            bar = plot_height * min(value, peak) / peak
            painter.fillRect(QRectF(x, top + plot_height - bar, bar_width * 0.9, bar), QColor(PALETTE[s % len(PALETTE)]))
        painter.drawText(
            QRectF(left + g * group_width + pt(1), top + plot_height + pt(2), group_width - pt(2), label_height),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop) | wrap,
            category,
        )
    legend_x = left + width + pt(12)
    y = top
    for s, (name, _values) in enumerate(chart.series):
        painter.fillRect(QRectF(legend_x, y + pt(2), pt(7), pt(7)), QColor(PALETTE[s % len(PALETTE)]))
        painter.drawText(QRectF(legend_x + pt(10), y, legend_width - pt(12), legend_heights[s]), wrap, name)
        y += legend_heights[s]
    painter.setPen(QColor("#000000"))
    pages.y = top + height


def render_pdf(document: Document, path: Path) -> None:
    """Write ``document`` to ``path`` as an A4 landscape PDF with embedded CJK fonts."""
    _render(document, path)


def render_for_officer(document: Document, path: Path) -> None:
    """:func:`render_pdf`, with a missing Chinese font said as the environment problem the officer
    can fix (exit 3: install a font, or export XLSX)."""
    try:
        render_pdf(document, path)
    except NoCjkFont as error:
        raise EnvironmentProblem("export.no_pdf", detail=str(error)) from error


def text_searchable() -> bool:
    """Whether the PDFs this process writes copy and search as printed: False when the Chinese
    font could not be fixed and still names some characters' glyphs by their radicals (言 as ⾔,
    see :mod:`jb_watchdesk.ui.pdf_font`); the officer is told to keep the XLSX as the searchable record."""
    try:
        families = font_families()
    except NoCjkFont:
        return True  # no PDF is written at all; that is said on its own
    return not shares_radical_glyphs(families[-1])


def _render(document: Document, path: Path) -> None:
    families = font_families()
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(
        QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape, QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    )
    writer.setTitle(document.title)
    writer.setCreator("JB WatchDesk")
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"cannot write {path}")
    try:
        footer = messages.text("export.footer", title=document.title, when=local(document.generated_at), anchor=document.anchor_text())
        pages = _Pages(writer, painter, families=families, footer=footer)
        pages.line(document.title, points=16, bold=True)
        for label, value in document.cover():
            pages.line(messages.text("export.pair", label=label, value=value), points=9, gap=0.2)
        pages.y += pages._pt(6)  # noqa: SLF001
        for section in document.sections:
            if not section.in_pdf:
                continue  # a detail kept for the XLSX and CSV
            shown = section.summary or section
            pages.need(pages._pt(60))  # noqa: SLF001 - keep a section title with its first rows
            pages.line(shown.title, points=11, bold=True)
            if shown.note:
                pages.line(shown.note, points=7.5)
            if section.chart is not None and section.chart.categories and section.chart.series:
                _chart(pages, section.chart)
            _table(pages, shown)
            if section.break_after:
                pages.new_page()
        if document.signatures:
            pages.need(pages._pt(60))  # noqa: SLF001
            pages.y += pages._pt(14)  # noqa: SLF001
            for label in document.signatures:
                pages.line(messages.text("export.signature_line", label=label), points=10, gap=1.6)
        pages.draw_footer()
    finally:
        painter.end()
