"""The manual inspection panel: the four checks of an account, corrections, and the shift's record (§4.3).

An inspection is recorded in the shift on duty; the record is append-only, so a mistake is put
right by a correction, a new record that points back to the one it corrects.
"""

from __future__ import annotations

import json
from typing import Final

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from jb_watchdesk.domain.models import AccountStatus
from jb_watchdesk.domain.record import Inspection, InspectionRow, Shift
from jb_watchdesk.services import exports, inspections
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.fields import MAX_TEXT
from jb_watchdesk.services.inspections import Check
from jb_watchdesk.ui import labels
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import one_line, plain_label
from jb_watchdesk.ui.views.columns import fit_columns
from jb_watchdesk.ui.views.duty.panel import Desk, item, reporting, table
from jb_watchdesk.ui.widgets import ResultLine

RECENT_INSPECTIONS: Final = 50
_OK: Final = inspections.OK
_NOT_LOADED: Final = -1


def _check_label(check: Check) -> str:
    names = {
        Check.OPERATION: t("ui.duty.operation"),
        Check.COLUMN_UPDATES: t("ui.duty.column_updates"),
        Check.CONTENT_QUALITY: t("ui.duty.content_quality"),
        Check.SECURITY: t("ui.duty.security"),
    }
    return names[check]


class InspectionPanel(QGroupBox):
    """A manual inspection form, its correction mode and the shift's latest manual records."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(t("ui.duty.manual_inspection"), parent)
        self.desk = desk
        self._account_keys: tuple[tuple[int, str, str], ...] | None = None
        self._correcting: int | None = None
        self._inspection_rows: list[InspectionRow] = []
        self.loaded_for: int | None = _NOT_LOADED
        """The id of the shift whose records the table shows (None: no shift on duty)."""

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.account_combo = QComboBox()
        self.account_combo.setMinimumContentsLength(24)
        form.addRow(t("ui.duty.account"), self.account_combo)
        self.check_edits: dict[Check, QLineEdit] = {}
        for check in Check:
            edit = QLineEdit()
            edit.setPlaceholderText(t("ui.duty.ok_describe_any_problem"))
            edit.setMaxLength(MAX_TEXT)
            self.check_edits[check] = edit
            form.addRow(_check_label(check), edit)
        self.finding_edit = QLineEdit()
        self.finding_edit.setPlaceholderText(t("ui.duty.other_findings_optional"))
        self.finding_edit.setMaxLength(MAX_TEXT)
        form.addRow(t("ui.duty.other_findings"), self.finding_edit)
        self.action_edit = QPlainTextEdit()
        self.action_edit.setPlaceholderText(t("ui.duty.corrective_action_required_when"))
        self.action_edit.setMaximumHeight(60)
        form.addRow(t("ui.duty.corrective_action"), self.action_edit)
        self.inspect_button = QPushButton(t("ui.duty.record_inspection"))
        form.addRow("", self.inspect_button)
        # Correcting an earlier record: the form is filled from it and the new record points back to it.
        correcting = QHBoxLayout()
        self.correct_button = QPushButton(t("ui.duty.correct_selected_record"))
        self.correct_button.setEnabled(False)
        self.correcting_label = plain_label()
        self.cancel_correction_button = QPushButton(t("ui.duty.cancel_correction"))
        self.cancel_correction_button.hide()
        correcting.addWidget(self.correct_button)
        correcting.addWidget(self.correcting_label, 1)
        correcting.addWidget(self.cancel_correction_button)
        form.addRow("", correcting)
        layout.addLayout(form)
        self.inspection_result = ResultLine()
        layout.addWidget(self.inspection_result)
        self.inspection_counts = plain_label()
        layout.addWidget(self.inspection_counts)
        self.inspection_table = table(
            (
                t("ui.duty.time"),
                t("ui.duty.account"),
                t("ui.duty.type"),
                *(_check_label(c) for c in Check),
                t("ui.duty.other_findings"),
                t("ui.duty.corrective_action"),
                t("ui.duty.recorded_by"),
            )
        )
        self.inspection_table.setMinimumHeight(160)
        layout.addWidget(self.inspection_table)

        self.inspect_button.clicked.connect(lambda: desk.spawn(self.submit_inspection(), "manual inspection"))
        self.inspection_table.itemSelectionChanged.connect(
            lambda: self.correct_button.setEnabled(bool(self.inspection_table.selectionModel().selectedRows()))
        )
        self.correct_button.clicked.connect(self.begin_correction)
        self.cancel_correction_button.clicked.connect(self.end_correction)

    # -- officer actions -------------------------------------------------------------------

    async def submit_inspection(self) -> None:
        """Record a manual inspection with the four checks; a finding needs the corrective action."""
        with reporting(self.inspection_result):
            account_id = self.account_combo.currentData()
            if account_id is None:
                self.inspection_result.error(t("ui.duty.select_account_first"))
                return
            given = [f"{check.value}={text}" for check, edit in self.check_edits.items() if (text := edit.text().strip())]
            changes = await self.desk.run(
                ops.record_inspection,
                account_id=int(account_id),
                checks=inspections.parse_checks(given),
                now=self.desk.now(),
                finding=self.finding_edit.text(),
                action=self.action_edit.toPlainText(),
                corrects_id=self._correcting,
            )
            inspection = changes.result
            assert isinstance(inspection, Inspection)
            for edit in self.check_edits.values():
                edit.clear()
            self.finding_edit.clear()
            self.action_edit.clear()
            self.end_correction()
            self.inspection_result.ok(
                t("ui.duty.inspection_id_recorded_account", id=inspection.id, account=self.account_combo.currentText())
            )
            await self.desk.show(changes)

    def begin_correction(self) -> None:
        """Fill the form from the selected record; submitting records a correction of it."""
        selected = self.inspection_table.selectionModel().selectedRows()
        if not selected or selected[0].row() >= len(self._inspection_rows):
            return
        row = self._inspection_rows[selected[0].row()]
        index = self.account_combo.findData(row.account_id)
        if index >= 0:
            self.account_combo.setCurrentIndex(index)
        checks = json.loads(row.checks)
        for check, edit in self.check_edits.items():
            value = str(checks.get(check.value, _OK))
            edit.setText("" if value == _OK else value)
        self.finding_edit.setText(row.finding or "")
        self.action_edit.setPlainText(row.action or "")
        self._correcting = int(row.id)
        self.correcting_label.setText(t("ui.duty.correcting_inspection_id_account", id=row.id, account=row.account_name))
        self.cancel_correction_button.show()
        self.inspect_button.setText(t("ui.duty.submit_correction"))

    def end_correction(self) -> None:
        """Back to an ordinary inspection: the next submission corrects nothing."""
        self._correcting = None
        self.correcting_label.clear()
        self.cancel_correction_button.hide()
        self.inspect_button.setText(t("ui.duty.record_inspection"))

    # -- showing -----------------------------------------------------------------------------

    async def load_accounts(self) -> None:
        """The accounts to inspect, active ones first; the choice survives a reload."""
        accounts = await self.desk.read(ops.list_accounts)
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

    async def load(self, shift: Shift | None) -> None:
        """The counts and the latest manual records of ``shift`` (the shift on duty)."""
        self.loaded_for = shift.id if shift else None
        if shift is None:
            self.inspection_table.setRowCount(0)
            self.inspection_counts.setText(t("ui.duty.no_shift_open_manual"))
            return
        now = self.desk.now()
        rows = await self.desk.read(ops.shift_inspections, shift=shift, limit=RECENT_INSPECTIONS)
        counts = await self.desk.read(ops.count_inspections, shift=shift, now=now)
        self.inspection_counts.setText(
            t(
                "ui.duty.shift_manual_manual_correction",
                manual=counts.get("manual", 0),
                correction=counts.get("correction", 0),
                auto=counts.get("auto", 0),
            )
        )
        self._show_rows(rows)

    def _show_rows(self, rows: list[InspectionRow]) -> None:
        kinds = {"manual": t("ui.duty.manual"), "correction": t("ui.duty.correction")}
        self._inspection_rows = rows
        self.inspection_table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            checks = json.loads(row.checks)
            self.inspection_table.setItem(r, 0, item(exports.local(row.recorded_at)))
            self.inspection_table.setItem(r, 1, item(row.account_name))
            what = f"#{row.id} {kinds.get(row.kind, row.kind)}" + (f" → #{row.corrects_id}" if row.corrects_id else "")
            self.inspection_table.setItem(r, 2, item(what))
            for c, check in enumerate(Check, start=3):
                value = str(checks.get(check.value, _OK))
                if value == _OK:
                    self.inspection_table.setItem(r, c, item(t("ui.duty.ok"), state="ok"))
                else:
                    self.inspection_table.setItem(r, c, item(one_line(value, 80), state="warn", tip=value))
            self.inspection_table.setItem(r, 7, item(one_line(row.finding, 80), tip=row.finding))
            self.inspection_table.setItem(r, 8, item(one_line(row.action, 80), tip=row.action))
            self.inspection_table.setItem(r, 9, item(row.officer))
        fit_columns(self.inspection_table, widest=240)
