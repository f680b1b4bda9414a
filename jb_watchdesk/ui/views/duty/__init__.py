"""The duty view: shift sign-in, sign-out and handover, manual inspections, emergencies, exports, charts.

The window side of §4.3 (round-the-clock duty, inspections and their record, the handover from
one officer to the next) and §3.6 (the first post within 2 hours of an emergency activation).
Every rule lives in the services; each panel (one module each) collects the officer's input,
runs an operation of :mod:`jb_watchdesk.services.operations` off the GUI thread and shows the
outcome, so the window never waits on SQLite or a file.

The view refreshes by what changed: it listens to the runner's ``didExecute`` and reloads the
panels that the :class:`~jb_watchdesk.services.changes.Changes` flags name (:func:`parts_for`);
while it is hidden it only notes them and reloads when the officer turns to it. An officer's
own action here reloads its panels itself, awaited, so the action ends with its outcome shown.

Text that came from posts, comments or the register is only ever shown through plain-text
labels, table items and escaped tooltips. States are shown as an icon shape plus words, never
colour alone.
"""

from __future__ import annotations

from enum import Flag, auto
from typing import Final

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFileDialog, QGridLayout, QScrollArea, QVBoxLayout, QWidget

from jb_watchdesk.services.changes import Changes
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui.views.duty.checklist import ChecklistPanel
from jb_watchdesk.ui.views.duty.emergency import EmergencyPanel
from jb_watchdesk.ui.views.duty.inspection import InspectionPanel
from jb_watchdesk.ui.views.duty.panel import Desk, reporting
from jb_watchdesk.ui.views.duty.reports import ReportPanel, week_code
from jb_watchdesk.ui.views.duty.shift import ShiftPanel
from jb_watchdesk.ui.widgets import ResultLine

__all__ = ["DutyView", "Part", "parts_for", "week_code"]

# Time alone turns comments overdue, accounts silent and a new week in: the parts that depend
# on it reload this often even when no operation names them.
SLOW_REFRESH_S: Final = 300.0


class Part(Flag):
    """A piece of the duty view that is read from the store on its own."""

    HANDOVER = auto()
    """Who is on duty, the last ended shift and the open items it hands over."""
    SHIFTS = auto()
    """The recent shifts offered for a handover export."""
    ACCOUNTS = auto()
    """The accounts offered for a manual inspection."""
    EMERGENCIES = auto()
    INSPECTIONS = auto()
    """The shift's inspection counts and latest manual records."""
    CHARTS = auto()
    """This week's charts (and the weeks offered for the report)."""


EVERYTHING: Final = Part.HANDOVER | Part.SHIFTS | Part.ACCOUNTS | Part.EMERGENCIES | Part.INSPECTIONS | Part.CHARTS
TIMED: Final = Part.HANDOVER | Part.INSPECTIONS | Part.CHARTS


def parts_for(changes: Changes) -> Part:
    """The parts of the duty view that ``changes`` may have made stale.

    ``shift`` names the duty record (shifts, inspections, emergencies); ``status`` and
    ``accounts`` the register the inspection form offers. The handover's open items are
    unacknowledged alerts, overdue comments and accounts at risk, so it also follows
    ``alerts``, ``comments`` and ``status``.
    """
    parts = Part(0)
    if changes.shift:
        parts |= Part.HANDOVER | Part.SHIFTS | Part.EMERGENCIES | Part.INSPECTIONS
    if changes.alerts or changes.comments or changes.status:
        parts |= Part.HANDOVER
    if changes.status or changes.accounts:
        parts |= Part.ACCOUNTS
    return parts


class DutyView(QWidget):
    """Shift and handover, manual inspection, emergencies, exports and the weekly charts."""

    def __init__(self, controller: DeskController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.desk = Desk(controller, show=self.show_changes)
        self._stale = EVERYTHING  # read when the view is first shown
        self._wanted = Part(0)
        self._reloading = False

        self.shift_panel = ShiftPanel(self.desk)
        self.inspection_panel = InspectionPanel(self.desk)
        self.emergency_panel = EmergencyPanel(self.desk)
        self.report_panel = ReportPanel(self.desk)
        self.checklist_panel = ChecklistPanel(self.desk)
        content = QWidget()
        grid = QGridLayout(content)
        grid.addWidget(self.shift_panel, 0, 0)
        grid.addWidget(self.inspection_panel, 0, 1)
        grid.addWidget(self.emergency_panel, 1, 0)
        grid.addWidget(self.report_panel, 1, 1)
        grid.addWidget(self.checklist_panel, 2, 0, 1, 2)
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
        self._expose_panels()

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.tick)
        self._ticker.start()
        self._slow = QTimer(self)
        self._slow.setInterval(int(SLOW_REFRESH_S * 1000))
        self._slow.timeout.connect(lambda: self._request(TIMED))
        self._slow.start()
        controller.runner.didExecute.connect(self._on_did_execute)

    def _expose_panels(self) -> None:
        """The panels' fields and actions under the view's own names (what the window and tests use)."""
        shift = self.shift_panel
        self.shift_icon, self.shift_label, self.shift_result = shift.shift_icon, shift.shift_label, shift.shift_result
        self.officer_edit, self.note_edit, self.force_edit = shift.officer_edit, shift.note_edit, shift.force_edit
        self.sign_in_button, self.sign_out_button = shift.sign_in_button, shift.sign_out_button
        self.handover_label, self.carry_table, self.confirm_button = shift.handover_label, shift.carry_table, shift.confirm_button
        self.sign_in, self.sign_out, self.confirm_handover = shift.sign_in, shift.sign_out, shift.confirm_handover

        inspection = self.inspection_panel
        self.account_combo, self.check_edits = inspection.account_combo, inspection.check_edits
        self.finding_edit, self.action_edit = inspection.finding_edit, inspection.action_edit
        self.inspect_button = inspection.inspect_button
        self.correct_button, self.correcting_label = inspection.correct_button, inspection.correcting_label
        self.cancel_correction_button = inspection.cancel_correction_button
        self.inspection_result, self.inspection_counts = inspection.inspection_result, inspection.inspection_counts
        self.inspection_table = inspection.inspection_table
        self.submit_inspection, self.begin_correction = inspection.submit_inspection, inspection.begin_correction

        emergency = self.emergency_panel
        self.emergency_title, self.emergency_keywords = emergency.emergency_title, emergency.emergency_keywords
        self.emergency_button, self.emergency_result = emergency.emergency_button, emergency.emergency_result
        self.emergency_table = emergency.emergency_table
        self.start_emergency = emergency.start_emergency

        report = self.report_panel
        self.export_shift, self.handover_format, self.handover_button = report.export_shift, report.handover_format, report.handover_button
        self.week_combo, self.weekly_format, self.weekly_button = report.week_combo, report.weekly_format, report.weekly_button
        self.export_result, self.chart_caption, self.charts_button = report.export_result, report.chart_caption, report.charts_button
        self.posts_chart, self.sla_chart = report.posts_chart, report.sla_chart
        self.load_charts, self.export_handover, self.export_weekly = report.load_charts, report.export_handover, report.export_weekly
        self.ask_export_handover, self.ask_export_weekly = report.ask_export_handover, report.ask_export_weekly

    @property
    def file_dialog(self) -> QFileDialog | None:
        """The export's save dialog last opened, if any."""
        return self.report_panel.file_dialog

    # -- the clock ---------------------------------------------------------------------

    def tick(self) -> None:
        """Once a second: the emergency countdowns and the time on duty, from data already loaded."""
        self.emergency_panel.tick(self.desk.now())
        if self.shift_panel.shift is not None:
            self.shift_panel.show_shift_state()

    # -- refresh by flags ----------------------------------------------------------------

    def _on_did_execute(self, changes: Changes, initiator: object) -> None:
        """An operation (or a poll cycle) changed something: reload the parts its flags name.

        This view's own actions show their changes themselves (:meth:`show_changes`, awaited).
        """
        if initiator is not self.desk:
            self._request(parts_for(changes))

    def _request(self, parts: Part) -> None:
        """Reload ``parts`` now if the view is in sight, else when the officer turns to it."""
        if not parts:
            return
        if not self.isVisible():
            self._stale |= parts
            return
        self.desk.spawn(self._reload_folded(parts), "refresh")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        parts, self._stale = self._stale, Part(0)
        if parts:
            self.desk.spawn(self._reload_folded(parts), "refresh")

    async def show_changes(self, changes: Changes) -> None:
        """Reload at once what an action in this view changed (not folded: the action awaits it)."""
        await self._reload(parts_for(changes))

    async def refresh(self) -> None:
        """Reload every panel from the store.

        Calls that arrive while a reload runs are folded into one more reload after it, so a
        slow database never piles reloads up.
        """
        await self._reload_folded(EVERYTHING)

    async def _reload_folded(self, parts: Part) -> None:
        self._wanted |= parts
        if self._reloading:
            return
        self._reloading = True
        try:
            while self._wanted:
                wanted, self._wanted = self._wanted, Part(0)
                await self._reload(wanted)
        finally:
            self._reloading = False

    async def _reload(self, parts: Part) -> None:
        self._stale &= ~parts
        with reporting(self.status):
            if parts & Part.HANDOVER:
                await self.shift_panel.load()
            if parts & Part.SHIFTS:
                await self.report_panel.load_shifts()
            if parts & Part.ACCOUNTS:
                await self.inspection_panel.load_accounts()
            if parts & Part.EMERGENCIES:
                await self.emergency_panel.load()
            on_duty = self.shift_panel.shift
            # A shift begun or ended elsewhere shows up in the handover: its inspections follow it.
            shift_moved = bool(parts & Part.HANDOVER) and (on_duty.id if on_duty else None) != self.inspection_panel.loaded_for
            if parts & Part.INSPECTIONS or shift_moved:
                await self.inspection_panel.load(on_duty)
            if parts & (Part.INSPECTIONS | Part.ACCOUNTS) or shift_moved:
                await self.checklist_panel.load()
            if parts & Part.CHARTS:
                self.report_panel.fill_weeks(self.desk.now())
                await self.report_panel.load_charts()
            if self.status.state == "veto":
                self.status.clear()
