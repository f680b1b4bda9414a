"""The duty panel: shift sign-in, sign-out and handover, manual inspections, emergencies, exports, charts.

The window side of §4.3 (round-the-clock duty, inspections and their record, the handover from
one officer to the next) and §3.6 (the first post within 2 hours of an emergency activation).
Every rule lives in ``services/shifts.py`` and ``services/exports.py``; this view collects the
officer's input, runs those functions on a worker thread (or the store's own thread) and shows
the outcome, so the window never waits on SQLite or a file.

Text that came from posts, comments or the register is only ever shown through plain-text
labels, table items and escaped tooltips. States are shown as an icon shape plus words, never
colour alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, QRectF, QStandardPaths, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from jb_watchdesk.domain.errors import EnvironmentProblem, WatchdeskError
from jb_watchdesk.domain.models import AccountStatus, Freshness
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services import exports
from jb_watchdesk.services import emergencies, inspections, shifts
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.fields import MAX_NAME, MAX_TEXT
from jb_watchdesk.services.exports import Chart, Document
from jb_watchdesk.domain.record import Emergency, EmergencyStatus, Shift, status_of
from jb_watchdesk.services.inspections import Check
from jb_watchdesk.services.shifts import Handover
from jb_watchdesk.storage.db import Store
from jb_watchdesk.ui import icons, labels
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui.pdf import PALETTE, NoCjkFont, render_pdf
from jb_watchdesk.ui.text import one_line, plain_label, tooltip
from jb_watchdesk.ui.views.columns import fit_columns

# Lists that read a whole shift (inspections) or a whole week (charts) reload at most this often
# on their own; the officer's own actions reload them at once.
SLOW_REFRESH_S: Final = 300.0
RECENT_INSPECTIONS: Final = 50
RECENT_SHIFTS: Final = 20
WEEKS_OFFERED: Final = 5
MAX_CARRY_ROWS: Final = 500
_OK: Final = inspections.OK

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


def _t(text: str) -> str:
    return QCoreApplication.translate("DutyView", text)


def _check_label(check: Check) -> str:
    names = {
        Check.OPERATION: _t("运行情况"),
        Check.COLUMN_UPDATES: _t("栏目更新"),
        Check.CONTENT_QUALITY: _t("信息内容质量"),
        Check.SECURITY: _t("安全防护"),
    }
    return names[check]


def _emergency_state(state: str) -> tuple[str, str]:
    """(icon, words) for an activation's state: waiting, met, missed or closed."""
    return {
        "waiting": ("warn", _t("计时中")),
        "met": ("ok", _t("已按时发布")),
        "missed": ("veto", _t("超时")),
        "closed": ("unknown", _t("已关闭")),
    }.get(state, ("unknown", state))


def week_code(when: datetime) -> str:
    """The ISO week (``YYYY-Www``) that ``when`` falls in, in Asia/Shanghai."""
    iso = when.astimezone(SHANGHAI).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _render_pdf(document: Document, path: Path) -> None:
    """``render_pdf`` with a missing Chinese font reported as an environment problem the officer can fix."""
    try:
        render_pdf(document, path)
    except NoCjkFont as error:
        raise EnvironmentProblem("export.no_pdf", detail=str(error)) from error


def _item(text: str, *, state: str | None = None, tip: str | None = None) -> QTableWidgetItem:
    """A read-only table cell: item views draw text literally; the tooltip is escaped."""
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if state is not None:
        item.setIcon(icons.icon(state))
        item.setData(Qt.ItemDataRole.UserRole, state)
    item.setToolTip(tooltip(text if tip is None else tip))
    return item


def _set_cell(table: QTableWidget, row: int, column: int, text: str, *, state: str) -> None:
    """Update a cell in place when it exists: the once-a-second countdown touches only what changed."""
    item = table.item(row, column)
    if item is None:
        table.setItem(row, column, _item(text, state=state))
        return
    if item.text() != text:
        item.setText(text)
        item.setToolTip(tooltip(text))
    if item.data(Qt.ItemDataRole.UserRole) != state:
        item.setIcon(icons.icon(state))
        item.setData(Qt.ItemDataRole.UserRole, state)


def _table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class ResultLine(QWidget):
    """The outcome of the last action: an icon shape and plain text, never colour alone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.icon = QLabel()
        self.label = plain_label()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.icon)
        layout.addWidget(self.label, 1)
        self.state = ""
        self.clear()

    def _show(self, state: str, text: str) -> None:
        self.state = state
        self.icon.setPixmap(icons.draw(state, 16))
        self.icon.setVisible(True)
        self.label.setText(text)

    def ok(self, text: str) -> None:
        self._show("ok", text)

    def error(self, text: str) -> None:
        self._show("veto", text)

    def info(self, text: str) -> None:
        self._show("low", text)

    def clear(self) -> None:
        self.state = ""
        self.icon.setVisible(False)
        self.label.setText("")

    def text(self) -> str:
        return self.label.text()


class BarChart(QWidget):
    """A grouped bar chart drawn with QPainter: the window's copy of a report chart.

    It draws the very ``exports.Chart`` that the weekly report puts in its XLSX and PDF, with the
    PDF's colours, so the window and the printed report show the same picture.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._chart: Chart | None = None
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
                f"{category} {value:.0f}{'%' if chart.percent else ''}"
                for category, value in zip(chart.categories, values, strict=False)
            )
            lines.append(f"{name}: {shown}")
        return "\n".join(lines)

    def _peak(self, chart: Chart) -> float:
        if chart.percent:
            return 100.0
        top = max([v for _, values in chart.series for v in values] + [1.0])
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
            painter.drawText(QRectF(area.left(), top, area.width(), area.bottom() - top), int(Qt.AlignmentFlag.AlignCenter), _t("暂无数据"))
            return
        peak = self._peak(chart)
        tick_labels = [f"{peak * step / 4:.0f}{'%' if chart.percent else ''}" for step in range(5)]
        left = area.left() + max(metrics.horizontalAdvance(t) for t in tick_labels) + 6
        legend_width = min(150.0, area.width() * 0.3)
        right = area.right() - legend_width - 8
        bottom = area.bottom() - line - 6
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
        groups = len(chart.categories)
        group_width = (right - left) / groups
        bar_width = group_width * 0.8 / len(chart.series)
        outline = QPen(QColor("#333333"))
        for g, category in enumerate(chart.categories):
            x0 = left + g * group_width + group_width * 0.1
            for s, (_name, values) in enumerate(chart.series):
                value = values[g] if g < len(values) else 0.0
                height = plot_height * min(max(value, 0.0), peak) / peak
                if height <= 0:
                    continue
                bar = QRectF(x0 + s * bar_width, bottom - height, max(bar_width * 0.9, 1.0), height)
                self._fill(painter, bar, s)
                painter.setPen(outline)
                painter.drawRect(bar)
            painter.setPen(QColor("#333333"))
            text = metrics.elidedText(category, Qt.TextElideMode.ElideRight, group_width)
            painter.drawText(QRectF(left + g * group_width, bottom + 4, group_width, line), int(Qt.AlignmentFlag.AlignHCenter), text)
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


class DutyView(QWidget):
    """Shift and handover, manual inspection, emergencies, exports and the weekly charts."""

    def __init__(self, controller: DeskController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._shift: Shift | None = None
        self._handover: Handover | None = None
        self._emergencies: list[Emergency] = []
        self._account_keys: tuple[tuple[int, str, str], ...] | None = None
        self._weeks_for: str = ""
        self._slow_loaded_at: float | None = None
        self._refreshing = False
        self._refresh_again = False
        self._inspections_of: int | None = -1
        self.file_dialog: QFileDialog | None = None
        self._export_dir = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

        content = QWidget()
        grid = QGridLayout(content)
        grid.addWidget(self._build_shift(), 0, 0)
        grid.addWidget(self._build_inspection(), 0, 1)
        grid.addWidget(self._build_emergencies(), 1, 0)
        grid.addWidget(self._build_reports(), 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = ResultLine()
        layout.addWidget(self.status)
        layout.addWidget(scroll)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick)
        self._ticker.start()
        self._fill_weeks(self._now())
        self._officer_changed()

    # -- building ----------------------------------------------------------------------

    def _build_shift(self) -> QGroupBox:
        box = QGroupBox(_t("值班班次"))
        layout = QVBoxLayout(box)
        state = QHBoxLayout()
        self.shift_icon = QLabel()
        self.shift_label = plain_label()
        self.shift_label.setWordWrap(True)
        state.addWidget(self.shift_icon)
        state.addWidget(self.shift_label, 1)
        layout.addLayout(state)

        form = QFormLayout()
        self.officer_edit = QLineEdit(self.controller.officer_name())
        self.officer_edit.setMaxLength(MAX_NAME)
        self.sign_in_button = QPushButton(_t("签到接班"))
        officer_row = QHBoxLayout()
        officer_row.addWidget(self.officer_edit, 1)
        officer_row.addWidget(self.sign_in_button)
        form.addRow(_t("值班员"), officer_row)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(_t("交班说明：需要接班人继续跟进的事项"))
        self.note_edit.setMaximumHeight(70)
        form.addRow(_t("交班说明"), self.note_edit)
        self.force_edit = QLineEdit()
        self.force_edit.setPlaceholderText(_t("班次属于其他值班员时必填，例如：值班员临时离岗，经带班领导同意代为结班"))
        form.addRow(_t("强制结班原因"), self.force_edit)
        self.sign_out_button = QPushButton(_t("交班签退"))
        form.addRow("", self.sign_out_button)
        layout.addLayout(form)

        handover = QGroupBox(_t("交接"))
        handover_layout = QVBoxLayout(handover)
        self.handover_label = plain_label()
        self.handover_label.setWordWrap(True)
        handover_layout.addWidget(self.handover_label)
        handover_layout.addWidget(plain_label(_t("遗留事项（接班人须逐项跟进）：")))
        self.carry_table = _table((_t("类型"), _t("账号"), _t("内容"), _t("时间")))
        self._carry_shown: tuple[list[tuple[str, str, str, str, str]], int] | None = None
        self.carry_table.setMinimumHeight(140)
        handover_layout.addWidget(self.carry_table)
        self.confirm_button = QPushButton(_t("确认接班"))
        self.confirm_button.setEnabled(False)
        handover_layout.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(handover)
        self.shift_result = ResultLine()
        layout.addWidget(self.shift_result)

        self.sign_in_button.clicked.connect(lambda: self._spawn(self.sign_in(), "sign in"))
        self.sign_out_button.clicked.connect(lambda: self._spawn(self.sign_out(), "sign out"))
        self.confirm_button.clicked.connect(lambda: self._spawn(self.confirm_handover(), "confirm handover"))
        self.officer_edit.textChanged.connect(self._officer_changed)
        return box

    def _build_inspection(self) -> QGroupBox:
        box = QGroupBox(_t("人工巡查"))
        layout = QVBoxLayout(box)
        form = QFormLayout()
        self.account_combo = QComboBox()
        self.account_combo.setMinimumContentsLength(24)
        form.addRow(_t("账号"), self.account_combo)
        self.check_edits: dict[Check, QLineEdit] = {}
        for check in Check:
            edit = QLineEdit()
            edit.setPlaceholderText(_t("正常（发现问题时填写问题）"))
            edit.setMaxLength(MAX_TEXT)
            self.check_edits[check] = edit
            form.addRow(_check_label(check), edit)
        self.finding_edit = QLineEdit()
        self.finding_edit.setPlaceholderText(_t("其他问题（可不填）"))
        self.finding_edit.setMaxLength(MAX_TEXT)
        form.addRow(_t("其他问题"), self.finding_edit)
        self.action_edit = QPlainTextEdit()
        self.action_edit.setPlaceholderText(_t("整改措施：发现问题时必填，写明已采取的措施"))
        self.action_edit.setMaximumHeight(60)
        form.addRow(_t("整改措施"), self.action_edit)
        self.inspect_button = QPushButton(_t("提交巡查记录"))
        form.addRow("", self.inspect_button)
        # Correcting an earlier record: the form is filled from it and the new record points back to it.
        correcting = QHBoxLayout()
        self.correct_button = QPushButton(_t("更正所选记录…"))
        self.correct_button.setEnabled(False)
        self.correcting_label = plain_label()
        self.cancel_correction_button = QPushButton(_t("取消更正"))
        self.cancel_correction_button.hide()
        correcting.addWidget(self.correct_button)
        correcting.addWidget(self.correcting_label, 1)
        correcting.addWidget(self.cancel_correction_button)
        form.addRow("", correcting)
        self._correcting: int | None = None
        self._inspection_rows: list[tuple[Any, ...]] = []
        layout.addLayout(form)
        self.inspection_result = ResultLine()
        layout.addWidget(self.inspection_result)
        self.inspection_counts = plain_label()
        layout.addWidget(self.inspection_counts)
        self.inspection_table = _table(
            (_t("时间"), _t("账号"), _t("类型"), *(_check_label(c) for c in Check), _t("其他问题"), _t("整改措施"), _t("记录人"))
        )
        self.inspection_table.setMinimumHeight(160)
        layout.addWidget(self.inspection_table)
        self.inspect_button.clicked.connect(lambda: self._spawn(self.submit_inspection(), "manual inspection"))
        self.inspection_table.itemSelectionChanged.connect(
            lambda: self.correct_button.setEnabled(bool(self.inspection_table.selectionModel().selectedRows()))
        )
        self.correct_button.clicked.connect(self.begin_correction)
        self.cancel_correction_button.clicked.connect(self._end_correction)
        return box

    def begin_correction(self) -> None:
        """Fill the form from the selected record; submitting records a correction of it."""
        selected = self.inspection_table.selectionModel().selectedRows()
        if not selected or selected[0].row() >= len(self._inspection_rows):
            return
        inspection_id, _, _, account_id, name, *_, checks_json, finding, action, _corrects, _hash = self._inspection_rows[selected[0].row()]
        index = self.account_combo.findData(account_id)
        if index >= 0:
            self.account_combo.setCurrentIndex(index)
        checks = json.loads(checks_json)
        for check, edit in self.check_edits.items():
            value = str(checks.get(check.value, _OK))
            edit.setText("" if value == _OK else value)
        self.finding_edit.setText(finding or "")
        self.action_edit.setPlainText(action or "")
        self._correcting = int(inspection_id)
        self.correcting_label.setText(_t("正在更正巡查 #{id}（{account}）：改好后提交").format(id=inspection_id, account=name))
        self.cancel_correction_button.show()
        self.inspect_button.setText(_t("提交更正"))

    def _end_correction(self) -> None:
        self._correcting = None
        self.correcting_label.clear()
        self.cancel_correction_button.hide()
        self.inspect_button.setText(_t("提交巡查记录"))

    def _build_emergencies(self) -> QGroupBox:
        box = QGroupBox(_t("突发事件应急发布（2小时内首发）"))
        layout = QVBoxLayout(box)
        form = QFormLayout()
        self.emergency_title = QLineEdit()
        self.emergency_title.setPlaceholderText(_t("事件名称，例如：观音桥商圈火情"))
        self.emergency_title.setMaxLength(200)
        form.addRow(_t("事件"), self.emergency_title)
        self.emergency_keywords = QLineEdit()
        self.emergency_keywords.setPlaceholderText(_t("关键词，用逗号分隔；不填则按事件名称匹配"))
        form.addRow(_t("关键词"), self.emergency_keywords)
        self.emergency_button = QPushButton(_t("启动应急响应"))
        form.addRow("", self.emergency_button)
        layout.addLayout(form)
        self.emergency_result = ResultLine()
        layout.addWidget(self.emergency_result)
        self.emergency_table = _table((_t("状态"), _t("倒计时"), _t("事件"), _t("关键词"), _t("启动时间"), _t("发布期限")))
        self.emergency_table.setMinimumHeight(160)
        layout.addWidget(self.emergency_table)
        self.emergency_button.clicked.connect(lambda: self._spawn(self.start_emergency(), "emergency"))
        return box

    def _build_reports(self) -> QGroupBox:
        box = QGroupBox(_t("交接记录、周报与图表"))
        layout = QVBoxLayout(box)
        form = QFormLayout()
        self.export_shift = QComboBox()
        self.handover_format = QComboBox()
        for fmt in exports.HANDOVER_FORMATS:
            self.handover_format.addItem(fmt.upper(), fmt)
        self.handover_button = QPushButton(_t("导出交接记录…"))
        row = QHBoxLayout()
        row.addWidget(self.export_shift, 1)
        row.addWidget(self.handover_format)
        row.addWidget(self.handover_button)
        form.addRow(_t("交接记录"), row)
        self.week_combo = QComboBox()
        self.weekly_format = QComboBox()
        for fmt in exports.REPORT_FORMATS:
            self.weekly_format.addItem(fmt.upper(), fmt)
        self.weekly_button = QPushButton(_t("导出周报…"))
        row = QHBoxLayout()
        row.addWidget(self.week_combo, 1)
        row.addWidget(self.weekly_format)
        row.addWidget(self.weekly_button)
        form.addRow(_t("周报"), row)
        layout.addLayout(form)
        self.export_result = ResultLine()
        layout.addWidget(self.export_result)

        header = QHBoxLayout()
        self.chart_caption = plain_label()
        self.chart_caption.setWordWrap(True)
        self.charts_button = QPushButton(_t("刷新图表"))
        header.addWidget(self.chart_caption, 1)
        header.addWidget(self.charts_button)
        layout.addLayout(header)
        self.posts_chart = BarChart()
        self.sla_chart = BarChart()
        layout.addWidget(self.posts_chart, 1)
        layout.addWidget(self.sla_chart, 1)
        self.handover_button.clicked.connect(self.ask_export_handover)
        self.weekly_button.clicked.connect(self.ask_export_weekly)
        self.charts_button.clicked.connect(lambda: self._spawn(self.load_charts(), "charts"))
        return box

    # -- plumbing ----------------------------------------------------------------------

    def _now(self) -> datetime:
        return self.controller.app.clock.now()

    @property
    def _store(self) -> Store:
        return self.controller.app.store

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        """Run an action as a task the controller owns (kept, cancelled on quit, failures reported)."""
        self.controller.spawn(coro, name=f"duty: {name}")

    @contextlib.contextmanager
    def _reporting(self, line: ResultLine) -> Iterator[None]:
        """Show a refused action or a storage problem as its one-line message where the officer acted."""
        try:
            yield
        except WatchdeskError as error:
            line.error(str(error))

    @contextlib.contextmanager
    def _disabled(self, *buttons: QPushButton) -> Iterator[None]:
        """Keep the buttons disabled while a slow action runs, so it cannot be started twice."""
        before = [button.isEnabled() for button in buttons]
        for button in buttons:
            button.setEnabled(False)
        try:
            yield
        finally:
            for button, enabled in zip(buttons, before, strict=True):
                button.setEnabled(enabled)

    # -- refresh -----------------------------------------------------------------------

    async def refresh(self) -> None:
        """Reload the panel from the store; the main window calls this after each poll cycle.

        The shift, the handover, the account list and the emergencies reload every time. The
        inspection list and the charts read a whole shift or a whole week, so they reload when
        the shift changes, after the officer records something here, or every few minutes.
        Calls that arrive while a reload runs are folded into one more reload after it, so a
        slow database never piles reloads up.
        """
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        try:
            again = True
            while again:
                self._refresh_again = False
                await self._reload()
                again = self._refresh_again
        finally:
            self._refreshing = False

    async def _reload(self) -> None:
        with self._reporting(self.status):
            now = self._now()
            await self._load_shift()
            await self._load_accounts()
            await self._load_emergencies()
            slow_due = self._slow_loaded_at is None or time.monotonic() - self._slow_loaded_at >= SLOW_REFRESH_S
            current = self._shift.id if self._shift else None
            if slow_due or current != self._inspections_of:
                await self._load_inspections()
            if slow_due:
                self._slow_loaded_at = time.monotonic()
                self._fill_weeks(now)
                await self.load_charts()
            if self.status.state == "veto":
                self.status.clear()

    async def _load_shift(self) -> None:
        now = self._now()
        view = await asyncio.to_thread(shifts.handover, self._store, now=now)
        recent = await asyncio.to_thread(shifts.list_shifts, self._store, limit=RECENT_SHIFTS)
        self._show_handover(view)
        self._fill_shifts(recent)

    def _show_handover(self, view: Handover) -> None:
        self._handover = view
        self._shift = view.on_duty
        self._show_shift_state()
        previous = view.previous
        if previous is None:
            text = _t("还没有已结束的班次。")
        else:
            text = _t("上一班：第 {id} 班 {officer}，{start} 至 {end}").format(
                id=previous.id, officer=previous.officer, start=exports.local(previous.started_at), end=exports.local(previous.ended_at)
            )
            text += "\n" + _t("交班说明：") + (previous.end_note or _t("（无）"))
            if previous.force_closed_reason:
                text += "\n" + _t("强制结班原因：") + previous.force_closed_reason
            if previous.handover_confirmed_at is not None:
                text += "\n" + _t("已由 {officer} 于 {when} 确认接班").format(
                    officer=previous.handover_confirmed_by or "", when=exports.local(previous.handover_confirmed_at)
                )
            else:
                text += "\n" + _t("交接待接班值班员确认")
        self.handover_label.setText(text)
        self.confirm_button.setEnabled(view.awaiting_confirmation)
        self._show_carry_over(view.carry_over)

    def _show_carry_over(self, carry: shifts.CarryOver) -> None:
        total = (
            len(carry.unacknowledged_alerts)
            + len(carry.overdue_comments)
            + len(carry.accounts_at_risk)
            + len(carry.waiting_emergencies)
        )
        # Only the rows shown are formatted: a backlog can hold tens of thousands of comments.
        rows = list(itertools.islice(self._carry_rows(carry), MAX_CARRY_ROWS))
        self._fill_carry_table(rows, total=total)

    def _carry_rows(self, carry: shifts.CarryOver) -> Iterator[tuple[str, str, str, str, str]]:
        for alert in carry.unacknowledged_alerts:
            content = f"{labels.category(alert['category'])}：{exports.free_text(alert['text'])}"
            yield (alert["severity"], _t("未确认告警"), alert["account_name"], content, exports.local(alert["raised_at"]))
        for comment in carry.overdue_comments:
            content = f"{labels.comment_state(comment.state.value)}：{exports.free_text(comment.text)}"
            yield ("overdue", _t("超时留言"), comment.account_name, content, exports.local(comment.created_at))
        for row in carry.accounts_at_risk:
            state = "veto" if row.freshness is Freshness.VETO else row.account.health.value
            content = _t("更新：{freshness}；读取：{health}").format(
                freshness=labels.freshness(row.freshness.value), health=labels.health(row.account.health.value)
            )
            if row.account.health_reason:
                content += f"（{row.account.health_reason}）"
            yield (state, _t("账号风险"), row.account.name, content, exports.local(row.last_post_at))
        for status in carry.waiting_emergencies:
            icon, words = _emergency_state(status.state)
            content = f"{exports.free_text(status.emergency.title)}（{words}）"
            yield (icon, _t("突发事件"), "", content, exports.local(status.emergency.activated_at))

    def _fill_carry_table(self, shown: list[tuple[str, str, str, str, str]], *, total: int) -> None:
        if (shown, total) == self._carry_shown:
            return  # the refresh every 30 s mostly finds the same backlog: keep the cells
        self._carry_shown = (shown, total)
        self.carry_table.setRowCount(len(shown) + (1 if total > len(shown) else 0))
        for r, (state, kind, account, content, when) in enumerate(shown):
            self.carry_table.setItem(r, 0, _item(kind, state=state))
            self.carry_table.setItem(r, 1, _item(account))
            self.carry_table.setItem(r, 2, _item(one_line(content, 200), tip=content))
            self.carry_table.setItem(r, 3, _item(when))
        if total > len(shown):
            more = _t("另有 {count} 项，见交接记录导出").format(count=total - len(shown))
            self.carry_table.setItem(len(shown), 0, _item(more))
        fit_columns(self.carry_table)

    def _show_shift_state(self) -> None:
        shift = self._shift
        if shift is None:
            self.shift_icon.setPixmap(icons.draw("warn", 20))
            self.shift_label.setText(_t("当前无人值班：请签到接班"))
        else:
            self.shift_icon.setPixmap(icons.draw("ok", 20))
            on_duty = labels.duration((self._now() - shift.started_at).total_seconds())
            self.shift_label.setText(
                _t("值班中：第 {id} 班 {officer}，{start} 起（已值班 {duration}）").format(
                    id=shift.id, officer=shift.officer, start=exports.local(shift.started_at), duration=on_duty
                )
            )
        self._officer_changed()

    def _officer_changed(self) -> None:
        """Signing out someone else's shift is a force-close: the reason field and the button say so."""
        shift = self._shift
        foreign = shift is not None and shift.officer != self.officer_edit.text().strip()
        self.force_edit.setEnabled(foreign)
        self.sign_out_button.setText(_t("强制结班") if foreign else _t("交班签退"))
        self.sign_out_button.setEnabled(shift is not None)

    def _fill_shifts(self, recent: Sequence[Shift]) -> None:
        current = self.export_shift.currentData()
        self.export_shift.blockSignals(True)
        self.export_shift.clear()
        for shift in recent:
            end = exports.local(shift.ended_at) if shift.ended_at else _t("值班中")
            self.export_shift.addItem(
                _t("第 {id} 班 {officer}（{start} 至 {end}）").format(id=shift.id, officer=shift.officer, start=exports.local(shift.started_at), end=end),
                shift.id,
            )
        index = self.export_shift.findData(current) if current is not None else -1
        self.export_shift.setCurrentIndex(index if index >= 0 else 0)
        self.export_shift.blockSignals(False)
        self.handover_button.setEnabled(bool(recent))

    def _fill_weeks(self, now: datetime) -> None:
        """This week and the ones before it; the report defaults to the last full week."""
        this_week = week_code(now)
        if this_week == self._weeks_for:
            return
        self._weeks_for = this_week
        self.week_combo.clear()
        for back in range(WEEKS_OFFERED):
            code = week_code(now - timedelta(days=7 * back))
            if back == 0:
                text = _t("本周 {week}（进行中）").format(week=code)
            elif back == 1:
                text = _t("上周 {week}").format(week=code)
            else:
                text = code
            self.week_combo.addItem(text, code)
        self.week_combo.setCurrentIndex(1)

    async def _load_accounts(self) -> None:
        accounts = await asyncio.to_thread(ops.list_accounts, self._store)
        keys = tuple((a.id, a.name, str(a.status)) for a in accounts)
        if keys == self._account_keys:
            return
        self._account_keys = keys
        current = self.account_combo.currentData()
        self.account_combo.clear()
        for account in sorted(accounts, key=lambda a: (a.status is not AccountStatus.ACTIVE, a.unit, a.name)):
            text = f"{account.name}（{labels.platform(str(account.platform))} · {account.unit or '—'}）"
            if account.status is not AccountStatus.ACTIVE:
                text += f"【{labels.lifecycle(str(account.status))}】"
            self.account_combo.addItem(text, account.id)
        index = self.account_combo.findData(current) if current is not None else -1
        self.account_combo.setCurrentIndex(max(index, 0))

    async def _load_inspections(self) -> None:
        shift = self._shift
        self._inspections_of = shift.id if shift else None
        if shift is None:
            self.inspection_table.setRowCount(0)
            self.inspection_counts.setText(_t("未开班：人工巡查须在班次中记录"))
            return
        now = self._now()
        rows = await asyncio.to_thread(ops.shift_inspections, self._store, shift=shift, limit=RECENT_INSPECTIONS)
        counts = await asyncio.to_thread(ops.count_inspections, self._store, shift=shift, now=now)
        self.inspection_counts.setText(
            _t("本班巡查：人工 {manual} 条，更正 {correction} 条，自动 {auto} 条（下表为最近的人工记录）").format(
                manual=counts.get("manual", 0), correction=counts.get("correction", 0), auto=counts.get("auto", 0)
            )
        )
        kinds = {"manual": _t("人工"), "correction": _t("更正")}
        self._inspection_rows = rows
        self.inspection_table.setRowCount(len(rows))
        for r, (row_id, recorded_at, kind, _account_id, name, _unit, _platform, officer, checks_json, finding, action, corrects, _hash) in enumerate(
            rows
        ):
            checks = json.loads(checks_json)
            self.inspection_table.setItem(r, 0, _item(exports.local(recorded_at)))
            self.inspection_table.setItem(r, 1, _item(name))
            what = f"#{row_id} {kinds.get(kind, kind)}" + (f" → #{corrects}" if corrects else "")
            self.inspection_table.setItem(r, 2, _item(what))
            for c, check in enumerate(Check, start=3):
                value = str(checks.get(check.value, _OK))
                if value == _OK:
                    self.inspection_table.setItem(r, c, _item(_t("正常"), state="ok"))
                else:
                    self.inspection_table.setItem(r, c, _item(one_line(value, 80), state="warn", tip=value))
            self.inspection_table.setItem(r, 7, _item(one_line(finding, 80), tip=finding))
            self.inspection_table.setItem(r, 8, _item(one_line(action, 80), tip=action))
            self.inspection_table.setItem(r, 9, _item(officer))
        fit_columns(self.inspection_table, widest=240)

    async def _load_emergencies(self) -> None:
        statuses = await asyncio.to_thread(emergencies.emergency_status, self._store, now=self._now())
        self._show_emergencies(statuses)

    def _show_emergencies(self, statuses: Sequence[EmergencyStatus]) -> None:
        self._emergencies = [s.emergency for s in statuses]
        self.emergency_table.setRowCount(len(statuses))
        for r, status in enumerate(statuses):
            e = status.emergency
            # Fresh state cells: the row may now hold another activation.
            self.emergency_table.takeItem(r, 0)
            self.emergency_table.takeItem(r, 1)
            self.emergency_table.setItem(r, 2, _item(e.title))
            self.emergency_table.setItem(r, 3, _item("、".join(e.keywords)))
            self.emergency_table.setItem(r, 4, _item(exports.local(e.activated_at)))
            self.emergency_table.setItem(r, 5, _item(exports.local(status.clock.due)))
        self.tick()
        fit_columns(self.emergency_table)

    async def load_charts(self) -> None:
        """The current week's charts, built by the weekly report's own code from the same queries."""
        with self._reporting(self.export_result):
            now = self._now()
            week = week_code(now)
            document = await asyncio.to_thread(exports.build_weekly, self._store, now=now, week=week)
            charts = {section.key: section.chart for section in document.sections if section.chart is not None}
            self.posts_chart.set_chart(charts.get("posts_per_day"))
            self.sla_chart.set_chart(charts.get("comment_sla"))
            self.chart_caption.setText(
                _t("本周 {week}，截至 {now}；与周报图表同一数据").format(week=week, now=exports.local(now))
            )

    # -- the clock ---------------------------------------------------------------------

    def tick(self) -> None:
        """Once a second: the emergency countdowns and the time on duty, from data already loaded."""
        now = self._now()
        for r, emergency in enumerate(self._emergencies):
            status = status_of(emergency, now=now)
            icon, words = _emergency_state(status.state)
            _set_cell(self.emergency_table, r, 0, words, state=icon)
            _set_cell(self.emergency_table, r, 1, self._countdown(status, now=now), state=icon)
        if self._shift is not None:
            self._show_shift_state()

    @staticmethod
    def _countdown(status: EmergencyStatus, *, now: datetime) -> str:
        e, clock = status.emergency, status.clock
        if status.state == "met" and e.first_post_at is not None:
            return _t("首条发布 {when}").format(when=exports.local(e.first_post_at))
        if status.state == "missed":
            if e.first_post_at is not None and e.first_post_at <= now:
                late = labels.duration((e.first_post_at - clock.due).total_seconds())
                return _t("首条发布 {when}，超出期限 {late}").format(when=exports.local(e.first_post_at), late=late)
            return _t("已超时 {late}，仍未发布").format(late=labels.duration((now - clock.due).total_seconds()))
        if status.state == "waiting":
            return _t("剩余 {left}").format(left=labels.duration(clock.remaining.total_seconds()))
        return "—"

    # -- officer actions: shift ----------------------------------------------------------

    async def sign_in(self) -> None:
        """Open a shift for the officer named in the form; refused while another shift is open."""
        with self._reporting(self.shift_result):
            shift = await asyncio.to_thread(shifts.start_shift, self._store, officer=self.officer_edit.text(), now=self._now())
            # Acknowledgements and comment actions are recorded under the officer on duty.
            self.controller.officer = shift.officer
            self.shift_result.ok(_t("已签到：第 {id} 班 {officer}").format(id=shift.id, officer=shift.officer))
            await self._load_shift()
            await self._load_inspections()

    async def sign_out(self) -> None:
        """End the open shift with the handover note; someone else's shift needs a force-close reason."""
        with self._reporting(self.shift_result):
            current = await asyncio.to_thread(shifts.current_shift, self._store)
            force_reason: str | None = None
            if current is not None and current.officer != self.officer_edit.text().strip():
                force_reason = self.force_edit.text().strip()
                if not force_reason:
                    self.shift_result.error(
                        _t("第 {id} 班属于 {officer}：代为结班须填写强制结班原因").format(id=current.id, officer=current.officer)
                    )
                    return
            shift = await asyncio.to_thread(
                shifts.end_shift, self._store, now=self._now(), note=self.note_edit.toPlainText(), force_reason=force_reason
            )
            self.note_edit.clear()
            self.force_edit.clear()
            done = _t("第 {id} 班已强制结班") if force_reason else _t("第 {id} 班已交班")
            self.shift_result.ok(done.format(id=shift.id) + _t("；遗留事项已记入交接"))
            await self._load_shift()
            await self._load_inspections()

    async def confirm_handover(self) -> None:
        """The incoming officer confirms taking over the last ended shift and its open items."""
        with self._reporting(self.shift_result):
            shift = await asyncio.to_thread(shifts.confirm_handover, self._store, officer=self.officer_edit.text(), now=self._now())
            self.shift_result.ok(_t("已确认接班：第 {id} 班的交接").format(id=shift.id))
            await self._load_shift()

    # -- officer actions: inspection and emergency -----------------------------------------

    async def submit_inspection(self) -> None:
        """Record a manual inspection with the four checks; a finding needs the corrective action."""
        with self._reporting(self.inspection_result):
            account_id = self.account_combo.currentData()
            if account_id is None:
                self.inspection_result.error(_t("请先选择账号"))
                return
            given = [f"{check.value}={text}" for check, edit in self.check_edits.items() if (text := edit.text().strip())]
            checks = inspections.parse_checks(given)
            inspection = await asyncio.to_thread(
                inspections.record_inspection,
                self._store,
                account_id=int(account_id),
                checks=checks,
                now=self._now(),
                finding=self.finding_edit.text(),
                action=self.action_edit.toPlainText(),
                corrects_id=self._correcting,
            )
            for edit in self.check_edits.values():
                edit.clear()
            self.finding_edit.clear()
            self.action_edit.clear()
            self._end_correction()
            self.inspection_result.ok(
                _t("已记录巡查 #{id}：{account}").format(id=inspection.id, account=self.account_combo.currentText())
            )
            await self._load_inspections()

    async def start_emergency(self) -> None:
        """Record an emergency plan activation; its 2-hour clock appears in the list at once."""
        with self._reporting(self.emergency_result):
            keywords = emergencies.parse_keywords(self.emergency_keywords.text())
            status = await asyncio.to_thread(
                emergencies.start_emergency, self._store, title=self.emergency_title.text(), keywords=keywords, now=self._now()
            )
            self.emergency_title.clear()
            self.emergency_keywords.clear()
            self.emergency_result.ok(
                _t("已启动：{title}，首条发布期限 {due}").format(title=status.emergency.title, due=exports.local(status.clock.due))
            )
            await self._load_emergencies()

    # -- officer actions: exports ---------------------------------------------------------

    def ask_export_handover(self) -> None:
        """Ask where to save the chosen shift's handover record (non-blocking), then export it."""
        shift_id = self.export_shift.currentData()
        fmt = str(self.handover_format.currentData())
        if shift_id is None:
            self.export_result.error(_t("还没有班次记录，无法导出交接记录"))
            return
        self._ask_path(
            title=_t("导出交接记录"),
            suggested=_t("值班交接记录-第{id}班").format(id=shift_id) + f".{fmt}",
            fmt=fmt,
            on_chosen=lambda path: self._spawn(self.export_handover(path, fmt=fmt, shift_id=int(shift_id)), "handover export"),
        )

    def ask_export_weekly(self) -> None:
        """Ask where to save the chosen week's report (non-blocking), then export it."""
        week = str(self.week_combo.currentData())
        fmt = str(self.weekly_format.currentData())
        self._ask_path(
            title=_t("导出周报"),
            suggested=_t("政务新媒体周报-{week}").format(week=week) + f".{fmt}",
            fmt=fmt,
            on_chosen=lambda path: self._spawn(self.export_weekly(path, fmt=fmt, week=week), "weekly report"),
        )

    def _ask_path(self, *, title: str, suggested: str, fmt: str, on_chosen: Callable[[Path], None]) -> None:
        filters = {"xlsx": _t("Excel 工作簿 (*.xlsx)"), "pdf": _t("PDF 文件 (*.pdf)"), "csv": _t("CSV 文件 (*.csv)")}
        if self.file_dialog is not None:
            self.file_dialog.deleteLater()
        dialog = QFileDialog(self, title)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(filters[fmt])
        dialog.setDefaultSuffix(fmt)
        if self._export_dir:
            dialog.setDirectory(self._export_dir)
        dialog.selectFile(suggested)

        def chosen(name: str) -> None:
            path = Path(name)
            self._export_dir = str(path.parent)
            on_chosen(path)

        dialog.fileSelected.connect(chosen)
        self.file_dialog = dialog
        dialog.open()

    async def export_handover(self, path: Path, *, fmt: str, shift_id: int | None = None) -> None:
        """Write the handover record of ``shift_id`` (default: the one chosen in the list) on a worker thread."""
        with self._reporting(self.export_result), self._disabled(self.handover_button, self.weekly_button):
            chosen = shift_id if shift_id is not None else self.export_shift.currentData()
            if chosen is None:
                self.export_result.error(_t("还没有班次记录，无法导出交接记录"))
                return
            self.export_result.info(_t("正在导出交接记录…"))
            await asyncio.to_thread(
                exports.export_handover,
                self._store,
                path=path,
                fmt=fmt,
                now=self._now(),
                shift_id=int(chosen),
                pdf_renderer=_render_pdf if fmt == "pdf" else None,
            )
            self.export_result.ok(_t("已导出交接记录：") + str(path))

    async def export_weekly(self, path: Path, *, fmt: str, week: str | None = None) -> None:
        """Write the weekly report for ``week`` (default: the one chosen in the list) on a worker thread."""
        with self._reporting(self.export_result), self._disabled(self.handover_button, self.weekly_button):
            self.export_result.info(_t("正在导出周报…"))
            await asyncio.to_thread(
                exports.export_weekly,
                self._store,
                path=path,
                fmt=fmt,
                now=self._now(),
                week=week or self.week_combo.currentData(),
                pdf_renderer=_render_pdf if fmt == "pdf" else None,
            )
            self.export_result.ok(_t("已导出周报：") + str(path))
