"""The emergency panel: an emergency plan activation and its 2-hour clock to the first post (§3.6).

A mistyped activation is cancelled (its clock stops) or corrected (cancelled, and replaced by the
title and keywords typed above, on the original clock unless the officer restarts it), each with
a reason: new rows in the record, the original kept as typed.

The list is read when the record changes; the countdowns move once a second from what was
read, without touching the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from jb_watchdesk.domain.record import Emergency, EmergencyState, EmergencyStatus, status_of
from jb_watchdesk.services import emergencies, exports
from jb_watchdesk.services import operations as ops
from jb_watchdesk.ui import labels
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.views.columns import fit_columns
from jb_watchdesk.ui.views.duty.panel import Desk, emergency_state, item, reporting, set_cell, table
from jb_watchdesk.ui.widgets import ResultLine


def countdown(status: EmergencyStatus, *, now: datetime) -> str:
    """Where an activation's clock stands, in words: time left, when it was met, or how late."""
    e, clock = status.emergency, status.clock
    if status.state == "met" and e.first_post_at is not None:
        return t("ui.duty.first_post_when", when=exports.local(e.first_post_at))
    if status.state == "missed":
        if e.first_post_at is not None and e.first_post_at <= now:
            late = labels.duration((e.first_post_at - clock.due).total_seconds())
            return t("ui.duty.first_post_when_late", when=exports.local(e.first_post_at), late=late)
        return t("ui.duty.overdue_by_late_nothing", late=labels.duration((now - clock.due).total_seconds()))
    if status.state == "waiting":
        return t("ui.duty.left_left", left=labels.duration(clock.remaining.total_seconds()))
    return "—"


class EmergencyPanel(QGroupBox):
    """Start an emergency response; every activation with its state and countdown."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(t("ui.duty.emergency_publishing_first_post"), parent)
        self.desk = desk
        self._emergencies: list[Emergency] = []

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.emergency_title = QLineEdit()
        self.emergency_title.setPlaceholderText(t("ui.duty.event_name_e_g"))
        self.emergency_title.setMaxLength(200)
        form.addRow(t("ui.duty.event"), self.emergency_title)
        self.emergency_keywords = QLineEdit()
        self.emergency_keywords.setPlaceholderText(t("ui.duty.keywords_comma_separated_empty"))
        form.addRow(t("ui.duty.keywords"), self.emergency_keywords)
        self.emergency_button = QPushButton(t("ui.duty.activate_emergency_response"))
        form.addRow("", self.emergency_button)
        layout.addLayout(form)
        self.emergency_result = ResultLine()
        layout.addWidget(self.emergency_result)
        self.emergency_table = table(
            (
                t("ui.duty.status"),
                t("ui.duty.countdown"),
                t("ui.duty.event"),
                t("ui.duty.keywords"),
                t("ui.duty.activated"),
                t("ui.duty.post_deadline"),
            )
        )
        self.emergency_table.setMinimumHeight(160)
        layout.addWidget(self.emergency_table)
        fix = QHBoxLayout()
        self.reason_edit = QLineEdit()
        self.reason_edit.setMaxLength(emergencies.MAX_REASON)
        self.reason_edit.setPlaceholderText(t("ui.duty.emergency_reason_placeholder"))
        self.restart_clock = QCheckBox(t("ui.duty.restart_clock"))
        self.cancel_button = QPushButton(t("ui.duty.cancel_emergency"))
        self.correct_button = QPushButton(t("ui.duty.correct_emergency"))
        for widget in (self.reason_edit, self.restart_clock, self.cancel_button, self.correct_button):
            fix.addWidget(widget, 1 if widget is self.reason_edit else 0)
        layout.addLayout(fix)
        self.emergency_button.clicked.connect(lambda: desk.spawn(self.start_emergency(), "emergency"))
        self.cancel_button.clicked.connect(lambda: desk.spawn(self.cancel_selected(), "cancel emergency"))
        self.correct_button.clicked.connect(lambda: desk.spawn(self.correct_selected(), "correct emergency"))

    async def start_emergency(self) -> None:
        """Record an emergency plan activation; its 2-hour clock appears in the list at once."""
        with reporting(self.emergency_result):
            changes = await self.desk.run(
                ops.start_emergency,
                title=self.emergency_title.text(),
                keywords=emergencies.parse_keywords(self.emergency_keywords.text()),
                now=self.desk.now(),
            )
            status = changes.result
            assert isinstance(status, EmergencyStatus)
            self.emergency_title.clear()
            self.emergency_keywords.clear()
            self.emergency_result.ok(
                t("ui.duty.activated_title_first_post", title=status.emergency.title, due=exports.local(status.clock.due))
            )
            await self.desk.show(changes)

    def selected(self) -> Emergency | None:
        """The activation selected in the list; None (and said so) when none is."""
        row = self.emergency_table.currentRow()
        if not 0 <= row < len(self._emergencies) or not self.emergency_table.selectionModel().hasSelection():
            self.emergency_result.error(t("ui.duty.pick_emergency"))
            return None
        return self._emergencies[row]

    async def cancel_selected(self) -> None:
        """Cancel the selected activation with the reason typed: its clock stops, nothing escalates."""
        emergency = self.selected()
        if emergency is None:
            return
        with reporting(self.emergency_result):
            officer, reason = self.desk.controller.officer, self.reason_edit.text()
            changes = await self.desk.run(
                ops.cancel_emergency, emergency_id=emergency.id, reason=reason, officer=officer, now=self.desk.now()
            )
            status = changes.result
            assert isinstance(status, EmergencyStatus)
            self.reason_edit.clear()
            self.emergency_result.ok(t("ui.duty.emergency_cancelled", id=status.emergency.id, title=status.emergency.title))
            await self.desk.show(changes)

    async def correct_selected(self) -> None:
        """Replace the selected activation by the title and keywords typed above, with the reason."""
        emergency = self.selected()
        if emergency is None:
            return
        with reporting(self.emergency_result):
            changes = await self.desk.run(
                ops.correct_emergency,
                emergency_id=emergency.id,
                title=self.emergency_title.text(),
                keywords=emergencies.parse_keywords(self.emergency_keywords.text()) or None,
                reason=self.reason_edit.text(),
                officer=self.desk.controller.officer,
                restart_clock=self.restart_clock.isChecked(),
                now=self.desk.now(),
            )
            old, new = changes.result  # type: ignore[misc]
            for field in (self.reason_edit, self.emergency_title, self.emergency_keywords):
                field.clear()
            self.restart_clock.setChecked(False)
            self.emergency_result.ok(
                t("ui.duty.emergency_corrected", old_id=old.emergency.id, id=new.emergency.id, title=new.emergency.title,
                  due=exports.local(new.clock.due))
            )
            await self.desk.show(changes)

    async def load(self) -> None:
        """Every activation up to now, newest first."""
        self.show_statuses(await self.desk.read(ops.emergency_status, now=self.desk.now()))

    def _selected_id(self) -> int | None:
        row = self.emergency_table.currentRow()
        if 0 <= row < len(self._emergencies) and self.emergency_table.selectionModel().hasSelection():
            return self._emergencies[row].id
        return None

    def show_statuses(self, statuses: Sequence[EmergencyStatus]) -> None:
        # The selection follows the activation, not the row: a refresh that adds one above must
        # never leave a cancel or a correction aimed at another plan.
        chosen = self._selected_id()
        self._emergencies = [s.emergency for s in statuses]
        self.emergency_table.setRowCount(len(statuses))
        for r, status in enumerate(statuses):
            e = status.emergency
            # Fresh state cells: the row may now hold another activation.
            self.emergency_table.takeItem(r, 0)
            self.emergency_table.takeItem(r, 1)
            self.emergency_table.setItem(r, 2, item(e.title))
            self.emergency_table.setItem(r, 3, item("、".join(e.keywords)))
            self.emergency_table.setItem(r, 4, item(exports.local(e.activated_at)))
            self.emergency_table.setItem(r, 5, item(exports.local(status.clock.due)))
        self.tick(self.desk.now())
        fit_columns(self.emergency_table)
        rows = [r for r, e in enumerate(self._emergencies) if e.id == chosen]
        if rows:
            self.emergency_table.selectRow(rows[0])
        else:
            self.emergency_table.clearSelection()
            self.emergency_table.setCurrentCell(-1, -1)

    def tick(self, now: datetime) -> None:
        """Each activation's state and countdown as of ``now``, from the list already read."""
        for r, emergency in enumerate(self._emergencies):
            status = status_of(emergency, now=now)
            if status.state is EmergencyState.CANCELLED:
                icon, words = "unknown", t("ui.duty.cancelled")
            else:
                icon, words = emergency_state(status.state)
            set_cell(self.emergency_table, row=r, column=0, text=words, state=icon)
            set_cell(self.emergency_table, row=r, column=1, text=countdown(status, now=now), state=icon)
