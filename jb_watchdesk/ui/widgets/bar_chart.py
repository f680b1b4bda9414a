"""A grouped bar chart painted with QPainter, so the window needs no chart library."""

from __future__ import annotations

import math
from typing import Final

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from jb_watchdesk.services.exports import Chart
from jb_watchdesk.ui.pdf import PALETTE
from jb_watchdesk.ui.text import tooltip

# Series in a chart differ by fill pattern as well as colour, so they can be told apart in grey.
_PATTERNS: Final = (
    Qt.BrushStyle.SolidPattern,
    Qt.BrushStyle.BDiagPattern,
    Qt.BrushStyle.Dense4Pattern,
    Qt.BrushStyle.CrossPattern,
    Qt.BrushStyle.FDiagPattern,
    Qt.BrushStyle.DiagCrossPattern,
    Qt.BrushStyle.HorPattern,
    Qt.BrushStyle.VerPattern,
    Qt.BrushStyle.Dense2Pattern,
    Qt.BrushStyle.Dense6Pattern,
)


class BarChart(QWidget):
    """A grouped bar chart drawn with QPainter: the window's copy of a report chart.

    It draws the very ``exports.Chart`` that the weekly report puts in its XLSX and PDF, with the
    PDF's colours, so the window and the printed report show the same picture. ``empty_text``
    is drawn instead of bars when there is no chart or it has no data; a single value of None
    (nothing to measure) is a dash on the axis, never a zero bar. Category names wrap, never cut.
    """

    def __init__(self, parent: QWidget | None = None, *, empty_text: str = "") -> None:
        super().__init__(parent)
        self._chart: Chart | None = None
        self._empty_text = empty_text
        self.setMinimumSize(340, 220)

    @property
    def chart(self) -> Chart | None:
        return self._chart

    def set_chart(self, chart: Chart | None) -> None:
        self._chart = chart
        self.setAccessibleName(chart.title if chart else "")
        self.setToolTip(tooltip(self.describe()) if chart else "")
        self.update()

    def describe(self) -> str:
        """The chart as text (tooltip and screen readers): each series with its values."""
        chart = self._chart
        if chart is None:
            return ""
        lines = [chart.title]
        for name, values in chart.series:
            shown = ", ".join(
                f"{category} {self._value_text(chart, value)}" for category, value in zip(chart.categories, values, strict=False)
            )
            lines.append(f"{name}: {shown}")
        return "\n".join(lines)

    def _value_text(self, chart: Chart, value: float | None) -> str:
        if value is None:
            return self._empty_text or "—"
        return f"{value:.0f}{'%' if chart.percent else ''}"

    def _peak(self, chart: Chart) -> float:
        if chart.percent:
            return 100.0
        top = max([v for _, values in chart.series for v in values if v is not None] + [1.0])
        return float(math.ceil(top / 4) * 4)  # a multiple of 4, so the four ticks are whole numbers

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        area = QRectF(self.rect()).adjusted(6, 6, -6, -8)
        metrics = QFontMetricsF(self.font())
        line = metrics.height()
        chart = self._chart
        title_font = self.font()
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.drawText(QRectF(area.left(), area.top(), area.width(), line), int(Qt.AlignmentFlag.AlignLeft), chart.title if chart else "")
        painter.setFont(self.font())
        # Half a line more, for the top tick label centred on the top grid line.
        top = area.top() + line * 1.5 + 4
        if chart is None or not chart.categories or not chart.series:
            empty = QRectF(area.left(), top, area.width(), area.bottom() - top)
            painter.drawText(empty, int(Qt.AlignmentFlag.AlignCenter), self._empty_text)
            return
        peak = self._peak(chart)
        tick_labels = [f"{peak * step / 4:.0f}{'%' if chart.percent else ''}" for step in range(5)]
        left = area.left() + max(metrics.horizontalAdvance(t) for t in tick_labels) + 6
        legend_width = min(150.0, area.width() * 0.3)
        right = area.right() - legend_width - 8
        groups = len(chart.categories)
        group_width = (right - left) / groups
        wrap = int(Qt.TextFlag.TextWordWrap | Qt.TextFlag.TextWrapAnywhere)
        # Unit names are shown whole, wrapped under their group (up to three lines), never cut to "大石…".
        label_height = min(
            max(metrics.boundingRect(QRectF(0, 0, max(group_width - 2, 1.0), 1e6), wrap, c).height() for c in chart.categories),
            line * 3,
        )
        bottom = area.bottom() - label_height - 6
        if right - left < 40 or bottom - top < 40:
            return
        plot_height = bottom - top
        grid = QPen(QColor("#cccccc"))
        grid.setStyle(Qt.PenStyle.DashLine)
        for step, label in enumerate(tick_labels):
            y = bottom - plot_height * step / 4
            painter.setPen(grid)
            painter.drawLine(int(left), int(y), int(right), int(y))
            painter.setPen(QColor("#333333"))
            painter.drawText(QRectF(area.left(), y - line / 2, left - area.left() - 4, line),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), label)
        painter.drawLine(int(left), int(top), int(left), int(bottom))
        painter.drawLine(int(left), int(bottom), int(right), int(bottom))
        bar_width = group_width * 0.8 / len(chart.series)
        outline = QPen(QColor("#333333"))
        for g, category in enumerate(chart.categories):
            x0 = left + g * group_width + group_width * 0.1
            for s, (_name, values) in enumerate(chart.series):
                value = values[g] if g < len(values) else None
                if value is None:  # no data: a dash on the axis, not a zero bar
                    painter.setPen(QColor("#333333"))
                    painter.drawText(QRectF(x0 + s * bar_width, bottom - line, bar_width, line),
                                     int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom), "—")
                    continue
                height = plot_height * min(max(value, 0.0), peak) / peak
                if height <= 0:
                    continue
                bar = QRectF(x0 + s * bar_width, bottom - height, max(bar_width * 0.9, 1.0), height)
                self._fill(painter, bar, s)
                painter.setPen(outline)
                painter.drawRect(bar)
            painter.setPen(QColor("#333333"))
            painter.drawText(QRectF(left + g * group_width + 1, bottom + 4, group_width - 2, label_height),
                             int(Qt.AlignmentFlag.AlignHCenter) | wrap, category)
        legend_x = right + 12
        for s, (name, _values) in enumerate(chart.series):
            y = top + s * (line + 2)
            if y + line > area.bottom():
                break
            swatch = QRectF(legend_x, y + line * 0.15, line * 0.7, line * 0.7)
            self._fill(painter, swatch, s)
            painter.setPen(outline)
            painter.drawRect(swatch)
            text = metrics.elidedText(name, Qt.TextElideMode.ElideRight, legend_width - line)
            painter.drawText(QRectF(legend_x + line, y, legend_width - line, line), int(Qt.AlignmentFlag.AlignVCenter), text)

    @staticmethod
    def _fill(painter: QPainter, rect: QRectF, series: int) -> None:
        colour = QColor(PALETTE[series % len(PALETTE)])
        painter.fillRect(rect, colour.lighter(160))
        painter.fillRect(rect, QBrush(colour, _PATTERNS[series % len(_PATTERNS)]))
