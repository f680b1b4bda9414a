"""The reading checklist: each shift, the accounts no machine source reads, read by the officer.

One row per account (``services.inspections.checklist``): those still to read this shift first,
then those read, ticked with who and when. A row is a small form (latest post time, posts since
the last reading, comments waiting, a link) kept for speed: Enter moves to the next field, and
on the last one records the reading and moves to the next account. The latest post time takes
the short forms ``02:10`` and ``11-24 22:00`` (``inspections.parse_reading_time``).

Recording runs ``operations.record_reading`` off the GUI thread; a refused reading shows its
one-line reason and keeps what was typed. Account names come from the register: they are shown
through plain-text labels only.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from jb_watchdesk.domain.models import Account
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services import inspections
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services.inspections import Checklist, ChecklistItem
from jb_watchdesk.ui import icons, labels
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import plain_label
from jb_watchdesk.ui.views.duty.panel import Desk, reporting
from jb_watchdesk.ui.widgets import ResultLine

_TIME: Final = "%m-%d %H:%M"


class ReadingRow(QWidget):
    """One account's line of the checklist: its name, the four fields, the record button, the tick."""

    def __init__(self, panel: ChecklistPanel, account: Account) -> None:
        super().__init__()
        self.panel = panel
        self.account = account
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.icon = plain_label()
        self.name = plain_label()
        self.name.setMinimumWidth(220)
        self.set_account(account)
        self.latest = QLineEdit()
        self.latest.setPlaceholderText(t("ui.checklist.latest_post_hint"))
        self.latest.setToolTip(t("ui.checklist.latest_post"))
        self.latest.setMaxLength(40)
        self.posts = QLineEdit()
        self.posts.setPlaceholderText(t("ui.checklist.posts_hint"))
        self.posts.setToolTip(t("ui.checklist.posts"))
        self.posts.setMaxLength(6)
        self.posts.setMaximumWidth(90)
        self.comments = QLineEdit()
        self.comments.setPlaceholderText(t("ui.checklist.comments"))
        self.comments.setToolTip(t("ui.checklist.comments"))
        self.comments.setMaxLength(6)
        self.comments.setMaximumWidth(90)
        self.link = QLineEdit()
        self.link.setPlaceholderText(t("ui.checklist.link"))
        self.link.setMaxLength(inspections.MAX_LINK)
        self.record_button = QPushButton(t("ui.checklist.record"))
        self.state = plain_label()
        self.state.setMinimumWidth(150)
        for widget in (self.icon, self.name):
            layout.addWidget(widget)
        layout.addWidget(self.latest, 2)
        layout.addWidget(self.posts)
        layout.addWidget(self.comments)
        layout.addWidget(self.link, 2)
        layout.addWidget(self.record_button)
        layout.addWidget(self.state)
        self.fields = (self.latest, self.posts, self.comments, self.link)
        for current, following in zip(self.fields, self.fields[1:], strict=False):
            current.returnPressed.connect(following.setFocus)
        self.link.returnPressed.connect(self.submit)
        self.record_button.clicked.connect(self.submit)
        self.done = False

    def set_account(self, account: Account) -> None:
        """The account as the register now names it (a poll may change its health, not the row)."""
        self.account = account
        self.name.setText(f"{account.name}（{labels.platform(account.platform.value)} · {account.unit or '—'}）")

    def submit(self) -> None:
        self.panel.desk.spawn(self.panel.record(self), "reading")

    def show_item(self, item: ChecklistItem) -> None:
        """The tick (read this shift, by whom and when) or the last reading, if any."""
        self.done = item.done
        self.icon.setPixmap(icons.icon("ok" if item.done else "warn").pixmap(16, 16))
        if item.last is None:
            self.state.setText(t("ui.checklist.never"))
            return
        at = item.last.recorded_at.astimezone(SHANGHAI).strftime(_TIME)
        key = "ui.checklist.done" if item.done else "ui.checklist.last"
        self.state.setText(t(key, officer=item.last.officer, at=at))

    def clear(self) -> None:
        for field in self.fields:
            field.clear()


class ChecklistPanel(QGroupBox):
    """This shift's accounts to read by hand, each with its reading form."""

    def __init__(self, desk: Desk, parent: QWidget | None = None) -> None:
        super().__init__(t("ui.checklist.title"), parent)
        self.desk = desk
        self.rows: dict[int, ReadingRow] = {}
        self.order: list[int] = []
        layout = QVBoxLayout(self)
        self.summary = plain_label()
        layout.addWidget(self.summary)
        self.result = ResultLine()
        layout.addWidget(self.result)
        self._rows_layout = QVBoxLayout()
        layout.addLayout(self._rows_layout)

    def row(self, account_id: int) -> ReadingRow:
        return self.rows[account_id]

    async def record(self, row: ReadingRow) -> None:
        """Record ``row``'s reading; on success clear it and move on to the next account to read."""
        with reporting(self.result):
            now = self.desk.now()
            changes = await self.desk.run(
                ops.record_reading,
                account_id=row.account.id,
                latest_post_at=inspections.parse_reading_time(row.latest.text(), now=now),
                posts_seen=inspections.parse_count(row.posts.text(), field_name=t("ui.checklist.posts")),
                comments_waiting=inspections.parse_count(row.comments.text(), field_name=t("ui.checklist.comments")),
                link=row.link.text(),
                officer=self.desk.controller.officer or None,
                now=now,
            )
            row.clear()
            self.result.ok(t("ui.checklist.recorded", account=row.account.name))
            await self.desk.show(changes)
            await self.load()
            self.focus_next()

    def focus_next(self) -> None:
        """The first field of the first account still to read, if any."""
        for account_id in self.order:
            row = self.rows[account_id]
            if not row.done:
                row.latest.setFocus()
                return

    async def load(self) -> None:
        """Read the checklist and show it; rows keep what the officer is typing."""
        checklist = await self.desk.read(ops.reading_checklist, now=self.desk.now())
        self.show_checklist(checklist)

    def show_checklist(self, checklist: Checklist) -> None:
        if not checklist.items:
            self.summary.setText(t("ui.checklist.none"))
        else:
            since = checklist.since.astimezone(SHANGHAI).strftime(_TIME)
            self.summary.setText(
                t("ui.checklist.summary", since=since, missing=checklist.missing, done=len(checklist.items) - checklist.missing)
            )
        wanted = [item.account.id for item in checklist.items]
        for gone in set(self.rows) - set(wanted):
            widget = self.rows.pop(gone)
            self._rows_layout.removeWidget(widget)
            widget.deleteLater()
        for index, item in enumerate(checklist.items):
            row = self.rows.get(item.account.id)
            if row is None:
                row = self.rows[item.account.id] = ReadingRow(self, item.account)
            else:
                self._rows_layout.removeWidget(row)
                row.set_account(item.account)
            self._rows_layout.insertWidget(index, row)
            row.show_item(item)
        self.order = wanted
