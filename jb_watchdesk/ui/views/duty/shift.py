"""The shift panel: sign-in, sign-out (or a force-close) and the handover with its open items (§4.3).

The handover read (:func:`~jb_watchdesk.services.operations.handover`) says who is on duty,
which ended shift waits to be taken over, and what is still open: unacknowledged alerts,
overdue comments, accounts at risk and emergencies still counting down.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from jb_watchdesk.domain.models import Freshness, Health
from jb_watchdesk.domain.record import Shift
from jb_watchdesk.services import exports
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services import problems as health
from jb_watchdesk.services.fields import MAX_NAME
from jb_watchdesk.services.shifts import CarryOver, Handover
from jb_watchdesk.ui import icons, labels
from jb_watchdesk.ui.i18n import t, template
from jb_watchdesk.ui.text import one_line, plain_label
from jb_watchdesk.ui.views.columns import fit_columns
from jb_watchdesk.ui.views.duty.panel import Desk, emergency_state, item, reporting, table
from jb_watchdesk.ui.widgets import ResultLine

MAX_CARRY_ROWS: Final = 500

CarryRow = tuple[str, str, str, str, str]
"""(icon state, kind, account, content, when): one open item as the handover table lists it."""


class ShiftPanel(QGroupBox):
    """Who is on duty, signing in and out, and the handover from the last shift."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(t("ui.duty.duty_shift"), parent)
        self.desk = desk
        self.shift: Shift | None = None
        """The shift on duty, as last read."""
        self.handover: Handover | None = None
        self._carry_shown: tuple[list[CarryRow], int] | None = None

        layout = QVBoxLayout(self)
        state = QHBoxLayout()
        self.shift_icon = QLabel()
        self.shift_label = plain_label()
        self.shift_label.setWordWrap(True)
        state.addWidget(self.shift_icon)
        state.addWidget(self.shift_label, 1)
        layout.addLayout(state)

        form = QFormLayout()
        # Only a signed-in officer's name: the login name is nobody's signature (it read "root").
        self.officer_edit = QLineEdit(desk.controller.officer)
        self.officer_edit.setPlaceholderText(t("ui.duty.officer_placeholder"))
        self.officer_edit.setMaxLength(MAX_NAME)
        self.sign_in_button = QPushButton(t("ui.duty.start_shift"))
        officer_row = QHBoxLayout()
        officer_row.addWidget(self.officer_edit, 1)
        officer_row.addWidget(self.sign_in_button)
        form.addRow(t("ui.duty.officer"), officer_row)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(t("ui.duty.handover_note_what_next"))
        self.note_edit.setMaximumHeight(70)
        form.addRow(t("ui.duty.handover_note"), self.note_edit)
        self.force_edit = QLineEdit()
        self.force_edit.setPlaceholderText(t("ui.duty.required_another_officer_s"))
        form.addRow(t("ui.duty.force_close_reason"), self.force_edit)
        self.sign_out_button = QPushButton(t("ui.duty.end_shift"))
        form.addRow("", self.sign_out_button)
        layout.addLayout(form)

        handover = QGroupBox(t("ui.duty.handover"))
        handover_layout = QVBoxLayout(handover)
        self.handover_label = plain_label()
        self.handover_label.setWordWrap(True)
        handover_layout.addWidget(self.handover_label)
        handover_layout.addWidget(plain_label(t("ui.duty.carried_over_next_officer")))
        self.carry_table = table((t("ui.duty.type"), t("ui.duty.account"), t("ui.duty.details"), t("ui.duty.time")))
        self.carry_table.setMinimumHeight(140)
        handover_layout.addWidget(self.carry_table)
        self.confirm_button = QPushButton(t("ui.duty.confirm_takeover"))
        self.confirm_button.setEnabled(False)
        handover_layout.addWidget(self.confirm_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(handover)
        self.shift_result = ResultLine()
        layout.addWidget(self.shift_result)

        self.sign_in_button.clicked.connect(lambda: desk.spawn(self.sign_in(), "sign in"))
        self.sign_out_button.clicked.connect(lambda: desk.spawn(self.sign_out(), "sign out"))
        self.confirm_button.clicked.connect(lambda: desk.spawn(self.confirm_handover(), "confirm handover"))
        self.officer_edit.textChanged.connect(self._officer_changed)
        self._officer_changed()

    # -- officer actions -------------------------------------------------------------------

    async def sign_in(self) -> None:
        """Open a shift for the officer named in the form; refused while another shift is open."""
        with reporting(self.shift_result):
            changes = await self.desk.run(ops.start_shift, officer=self.officer_edit.text(), now=self.desk.now())
            shift = changes.result
            assert isinstance(shift, Shift)
            # Acknowledgements and comment actions are recorded under the officer on duty.
            self.desk.controller.officer = shift.officer
            self.shift_result.ok(t("ui.duty.signed_shift_id_officer", id=shift.id, officer=shift.officer))
            await self.desk.show(changes)

    async def sign_out(self) -> None:
        """End the open shift with the handover note; someone else's shift needs a force-close reason."""
        with reporting(self.shift_result):
            current = await self.desk.read(ops.current_shift)
            force_reason: str | None = None
            if current is not None and current.officer != self.officer_edit.text().strip():
                force_reason = self.force_edit.text().strip()
                if not force_reason:
                    self.shift_result.error(
                        t("ui.duty.shift_id_belongs_officer", id=current.id, officer=current.officer)
                    )
                    return
            changes = await self.desk.run(
                ops.end_shift, now=self.desk.now(), note=self.note_edit.toPlainText(), force_reason=force_reason
            )
            shift = changes.result
            assert isinstance(shift, Shift)
            # Nobody is signed in until the incoming officer is: readings, gaps and the handover
            # confirmation must not go on under the name of the officer who just left.
            self.desk.controller.officer = ""
            self.officer_edit.clear()
            self.note_edit.clear()
            self.force_edit.clear()
            done = template("ui.duty.shift_id_force_closed") if force_reason else template("ui.duty.shift_id_handed_over")
            self.shift_result.ok(done.format(id=shift.id) + t("ui.duty.carry_over_items_recorded"))
            await self.desk.show(changes)

    async def confirm_handover(self) -> None:
        """The incoming officer confirms taking over the last ended shift and its open items: only a
        signed-in officer (signed in here, or named in the settings), as the command line demands
        ``--officer``; never the computer's login name."""
        officer = self.desk.controller.officer.strip()
        if not officer:
            self.shift_result.error(t("ui.duty.handover_needs_sign_in"))
            return
        with reporting(self.shift_result):
            changes = await self.desk.run(ops.confirm_handover, officer=officer, now=self.desk.now())
            shift = changes.result
            assert isinstance(shift, Shift)
            self.shift_result.ok(t("ui.duty.takeover_confirmed_handover_shift", id=shift.id))
            await self.desk.show(changes)

    # -- showing -----------------------------------------------------------------------------

    async def load(self) -> None:
        """Read the handover as of now: the shift on duty, the last ended shift, the open items."""
        self.show_handover(await self.desk.read(ops.handover, now=self.desk.now()))

    def show_handover(self, view: Handover) -> None:
        self.handover = view
        self.shift = view.on_duty
        self.show_shift_state()
        previous = view.previous
        if previous is None:
            text = t("ui.duty.no_shift_has_ended")
        else:
            text = t(
                "ui.duty.previous_shift_id_officer",
                id=previous.id,
                officer=previous.officer,
                start=exports.local(previous.started_at),
                end=exports.local(previous.ended_at),
            )
            text += "\n" + t("ui.duty.handover_note_2") + (previous.end_note or t("ui.duty.none"))
            if previous.force_closed_reason:
                text += "\n" + t("ui.duty.force_close_reason_2") + previous.force_closed_reason
            if previous.handover_confirmed_at is not None:
                text += "\n" + t(
                    "ui.duty.takeover_confirmed_by_officer",
                    officer=previous.handover_confirmed_by or "",
                    when=exports.local(previous.handover_confirmed_at),
                )
            else:
                text += "\n" + t("ui.duty.handover_awaits_incoming_officer")
        self.handover_label.setText(text)
        self.confirm_button.setEnabled(view.awaiting_confirmation)
        self._show_carry_over(view.carry_over)

    def _show_carry_over(self, carry: CarryOver) -> None:
        total = (
            len(carry.open_alerts)
            + len(carry.overdue_comments)
            + len(carry.accounts_at_risk)
            + len(carry.waiting_emergencies)
        )
        # Only the rows shown are formatted: a backlog can hold tens of thousands of comments.
        rows = list(itertools.islice(self._carry_rows(carry), MAX_CARRY_ROWS))
        self._fill_carry_table(rows, total=total)

    def _carry_rows(self, carry: CarryOver) -> Iterator[CarryRow]:
        for alert in carry.open_alerts:
            content = t("ui.duty.named_item", name=labels.category(alert.category), text=exports.free_text(alert.text))
            yield (alert.severity.value, t("ui.duty.unacked_alert"), alert.account_name, content, exports.local(alert.raised_at))
        for comment in carry.overdue_comments:
            content = t("ui.duty.named_item", name=labels.comment_state(comment.state.value), text=exports.free_text(comment.text))
            yield ("overdue", t("ui.duty.overdue_comment"), comment.account_name, content, exports.local(comment.created_at))
        for row in carry.accounts_at_risk:
            state = "veto" if row.freshness is Freshness.VETO else row.account.health.value
            content = t(
                "ui.duty.updates_freshness_reads_health",
                freshness=labels.freshness(row.freshness.value),
                health=labels.health(row.account.health.value),
            )
            if row.account.health is not Health.OK and row.account.health_reason:
                content = t("ui.duty.with_detail", text=content, detail=" ".join(health.health_text(row.account).splitlines()))
            yield (state, t("ui.duty.account_at_risk"), row.account.name, content, exports.local(row.last_post_at))
        for status in carry.waiting_emergencies:
            icon, words = emergency_state(status.state)
            content = t("ui.duty.with_detail", text=exports.free_text(status.emergency.title), detail=words)
            yield (icon, t("ui.duty.emergency"), "", content, exports.local(status.emergency.activated_at))

    def _fill_carry_table(self, shown: list[CarryRow], *, total: int) -> None:
        if (shown, total) == self._carry_shown:
            return  # a reload mostly finds the same backlog: keep the cells
        self._carry_shown = (shown, total)
        self.carry_table.setRowCount(len(shown) + (1 if total > len(shown) else 0))
        for r, (state, kind, account, content, when) in enumerate(shown):
            self.carry_table.setItem(r, 0, item(kind, state=state))
            self.carry_table.setItem(r, 1, item(account))
            self.carry_table.setItem(r, 2, item(one_line(content, 200), tip=content))
            self.carry_table.setItem(r, 3, item(when))
        if total > len(shown):
            more = t("ui.duty.count_more_see_handover", count=total - len(shown))
            self.carry_table.setItem(len(shown), 0, item(more))
        fit_columns(self.carry_table)

    def show_shift_state(self) -> None:
        """Who is on duty and for how long (the time on duty moves with the once-a-second tick)."""
        shift = self.shift
        if shift is None:
            self.shift_icon.setPixmap(icons.draw("warn", 20))
            self.shift_label.setText(t("ui.duty.nobody_duty_start_shift"))
        else:
            self.shift_icon.setPixmap(icons.draw("ok", 20))
            on_duty = labels.duration((self.desk.now() - shift.started_at).total_seconds())
            self.shift_label.setText(
                t(
                    "ui.duty.duty_shift_id_officer",
                    id=shift.id,
                    officer=shift.officer,
                    start=exports.local(shift.started_at),
                    duration=on_duty,
                )
            )
        self._officer_changed()

    def _officer_changed(self) -> None:
        """Signing out someone else's shift is a force-close: the reason field and the button say so."""
        shift = self.shift
        foreign = shift is not None and shift.officer != self.officer_edit.text().strip()
        self.force_edit.setEnabled(foreign)
        self.sign_out_button.setText(t("ui.duty.force_close_shift") if foreign else t("ui.duty.end_shift"))
        self.sign_out_button.setEnabled(shift is not None)
