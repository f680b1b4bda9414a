"""The report panel: handover record and weekly report exports, and this week's charts.

The charts are the weekly report's own (:func:`~jb_watchdesk.services.operations.build_weekly`),
drawn in the window with the PDF's colours. Exports ask for a path without blocking and write
the file on a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from jb_watchdesk.domain.record import Shift
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services import exports
from jb_watchdesk.services import operations as ops
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.pdf import render_for_officer, text_searchable
from jb_watchdesk.ui.text import plain_label
from jb_watchdesk.ui.views.duty.panel import Desk, disabled, reporting
from jb_watchdesk.ui.widgets import BarChart, ResultLine

RECENT_SHIFTS: Final = 20
WEEKS_OFFERED: Final = 5


def week_code(when: datetime) -> str:
    """The ISO week (``YYYY-Www``) that ``when`` falls in, in Asia/Shanghai."""
    iso = when.astimezone(SHANGHAI).isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


class ReportPanel(QGroupBox):
    """Export a shift's handover record or a week's report; show this week's charts."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(t("ui.duty.handover_record_weekly_report"), parent)
        self.desk = desk
        self._weeks_for = ""
        self.file_dialog: QFileDialog | None = None
        """The save dialog last opened (kept so it is not collected while open)."""
        self._export_dir = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.export_shift = QComboBox()
        self.handover_format = QComboBox()
        for fmt in exports.HANDOVER_FORMATS:
            self.handover_format.addItem(fmt.upper(), fmt)
        self.handover_button = QPushButton(t("ui.duty.export_handover_record"))
        row = QHBoxLayout()
        row.addWidget(self.export_shift, 1)
        row.addWidget(self.handover_format)
        row.addWidget(self.handover_button)
        form.addRow(t("ui.duty.handover_record"), row)
        self.week_combo = QComboBox()
        self.weekly_format = QComboBox()
        for fmt in exports.REPORT_FORMATS:
            self.weekly_format.addItem(fmt.upper(), fmt)
        self.weekly_button = QPushButton(t("ui.duty.export_weekly_report"))
        row = QHBoxLayout()
        row.addWidget(self.week_combo, 1)
        row.addWidget(self.weekly_format)
        row.addWidget(self.weekly_button)
        form.addRow(t("ui.duty.weekly_report"), row)
        layout.addLayout(form)
        self.export_result = ResultLine()
        layout.addWidget(self.export_result)

        header = QHBoxLayout()
        self.chart_caption = plain_label()
        self.chart_caption.setWordWrap(True)
        self.charts_button = QPushButton(t("ui.duty.refresh_charts"))
        header.addWidget(self.chart_caption, 1)
        header.addWidget(self.charts_button)
        layout.addLayout(header)
        self.posts_chart = BarChart(empty_text=t("ui.duty.no_data"))
        self.sla_chart = BarChart(empty_text=t("ui.duty.no_data"))
        layout.addWidget(self.posts_chart, 1)
        layout.addWidget(self.sla_chart, 1)
        self.handover_button.clicked.connect(self.ask_export_handover)
        self.weekly_button.clicked.connect(self.ask_export_weekly)
        self.charts_button.clicked.connect(lambda: desk.spawn(self.load_charts(), "charts"))
        self.fill_weeks(desk.now())

    # -- showing -----------------------------------------------------------------------------

    async def load_shifts(self) -> None:
        """The recent shifts whose handover record can be exported."""
        self._fill_shifts(await self.desk.read(ops.list_shifts, limit=RECENT_SHIFTS))

    def _fill_shifts(self, recent: Sequence[Shift]) -> None:
        current = self.export_shift.currentData()
        self.export_shift.blockSignals(True)
        self.export_shift.clear()
        for shift in recent:
            end = exports.local(shift.ended_at) if shift.ended_at else t("ui.duty.duty")
            start = exports.local(shift.started_at)
            self.export_shift.addItem(
                t("ui.duty.shift_id_officer_start", id=shift.id, officer=shift.officer, start=start, end=end), shift.id
            )
        index = self.export_shift.findData(current) if current is not None else -1
        self.export_shift.setCurrentIndex(index if index >= 0 else 0)
        self.export_shift.blockSignals(False)
        self.handover_button.setEnabled(bool(recent))

    def fill_weeks(self, now: datetime) -> None:
        """This week and the ones before it; the report defaults to the last full week."""
        this_week = week_code(now)
        if this_week == self._weeks_for:
            return
        self._weeks_for = this_week
        self.week_combo.clear()
        for back in range(WEEKS_OFFERED):
            code = week_code(now - timedelta(days=7 * back))
            if back == 0:
                text = t("ui.duty.week_week_progress", week=code)
            elif back == 1:
                text = t("ui.duty.last_week_week", week=code)
            else:
                text = code
            self.week_combo.addItem(text, code)
        self.week_combo.setCurrentIndex(1)

    async def load_charts(self) -> None:
        """The current week's charts, built by the weekly report's own code from the same queries."""
        with reporting(self.export_result):
            now = self.desk.now()
            week = week_code(now)
            document = await self.desk.read(ops.build_weekly, now=now, week=week)
            charts = {section.key: section.chart for section in document.sections if section.chart is not None}
            self.posts_chart.set_chart(charts.get("posts_per_day"))
            self.sla_chart.set_chart(charts.get("comment_sla"))
            self.chart_caption.setText(
                t("ui.duty.week_week_up_now", week=week, now=exports.local(now))
            )

    # -- officer actions: exports ------------------------------------------------------------

    def ask_export_handover(self) -> None:
        """Ask where to save the chosen shift's handover record (non-blocking), then export it."""
        shift_id = self.export_shift.currentData()
        fmt = str(self.handover_format.currentData())
        if shift_id is None:
            self.export_result.error(t("ui.duty.no_shifts_recorded_yet"))
            return
        self._ask_path(
            title=t("ui.duty.export_handover_record_2"),
            suggested=t("ui.duty.handover_shift_id", id=shift_id) + f".{fmt}",
            fmt=fmt,
            on_chosen=lambda path: self.desk.spawn(self.export_handover(path, fmt=fmt, shift_id=int(shift_id)), "handover export"),
        )

    def ask_export_weekly(self) -> None:
        """Ask where to save the chosen week's report (non-blocking), then export it."""
        week = str(self.week_combo.currentData())
        fmt = str(self.weekly_format.currentData())
        self._ask_path(
            title=t("ui.duty.export_weekly_report_2"),
            suggested=t("ui.duty.weekly_report_week", week=week) + f".{fmt}",
            fmt=fmt,
            on_chosen=lambda path: self.desk.spawn(self.export_weekly(path, fmt=fmt, week=week), "weekly report"),
        )

    def _ask_path(self, *, title: str, suggested: str, fmt: str, on_chosen: Callable[[Path], None]) -> None:
        filters = {"xlsx": t("ui.duty.excel_workbook_xlsx"), "pdf": t("ui.duty.pdf_file_pdf"), "csv": t("ui.duty.csv_file_csv")}
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

    # An export reads the store and writes a file: it changes nothing a pane shows, and its
    # operation returns the document written rather than Changes, so it runs as a read.

    def _exported(self, done: str, *, fmt: str) -> None:
        if fmt == "pdf" and not text_searchable():
            self.export_result.info(done + "\n" + t("export.pdf_not_searchable"))
        else:
            self.export_result.ok(done)

    async def export_handover(self, path: Path, *, fmt: str, shift_id: int | None = None) -> None:
        """Write the handover record of ``shift_id`` (default: the one chosen in the list) on a worker thread."""
        with reporting(self.export_result), disabled(self.handover_button, self.weekly_button):
            chosen = shift_id if shift_id is not None else self.export_shift.currentData()
            if chosen is None:
                self.export_result.error(t("ui.duty.no_shifts_recorded_yet"))
                return
            self.export_result.info(t("ui.duty.exporting_handover_record"))
            await self.desk.read(
                ops.export_handover,
                path=path,
                fmt=fmt,
                now=self.desk.now(),
                shift_id=int(chosen),
                pdf_renderer=render_for_officer if fmt == "pdf" else None,
            )
            self._exported(t("ui.duty.handover_record_exported") + str(path), fmt=fmt)

    async def export_weekly(self, path: Path, *, fmt: str, week: str | None = None) -> None:
        """Write the weekly report for ``week`` (default: the one chosen in the list) on a worker thread."""
        with reporting(self.export_result), disabled(self.handover_button, self.weekly_button):
            self.export_result.info(t("ui.duty.exporting_weekly_report"))
            await self.desk.read(
                ops.export_weekly,
                path=path,
                fmt=fmt,
                now=self.desk.now(),
                week=week or self.week_combo.currentData(),
                pdf_renderer=render_for_officer if fmt == "pdf" else None,
            )
            self._exported(t("ui.duty.weekly_report_exported") + str(path), fmt=fmt)
