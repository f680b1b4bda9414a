"""The pop-up for live high-severity alerts: one entry per item (a post, a comment), on top until handled.

Non-modal, so the rest of the desk keeps working. Each entry shows every open alert of its item
and every hit of each (masked where it is personal data), highlighted in the item's text, with
the account, the platform, when the item was published and how long ago, when the desk first saw
it, and why the scanner raised it. One typed note acknowledges this alert, every alert of the
item, or every alert of the account; 暂缓 puts the item off (15 minutes, an hour, the rest of the
shift) and Esc puts it off for 15 minutes. Backlog alerts never come here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from jb_watchdesk.domain.alerts import Alert, AlertFilter, AlertHit
from jb_watchdesk.domain.messages import times
from jb_watchdesk.domain.models import ItemKind
from jb_watchdesk.services.alerts import Deferral
from jb_watchdesk.services.allow_phrases import allow_refusal
from jb_watchdesk.ui import icons, labels
from jb_watchdesk.ui.dialogs.allow_phrase import AllowPhraseDialog
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import plain_label, tooltip
from jb_watchdesk.ui.widgets.highlight import highlight_alerts, highlight_spans, spans_of

ItemKey = tuple[ItemKind, int]


def highlight(view: QPlainTextEdit, *, text: str, needle: str) -> None:
    """Show ``text`` as plain text and mark every occurrence of ``needle`` (never via HTML)."""
    highlight_spans(view, text=text, spans=spans_of(text, [needle]))


def hit_line(hit: AlertHit) -> str:
    """One hit in words: the rule, the (masked) text, why."""
    line = f"{t('ui.popup.rule')}{labels.rule(hit.rule)} · {t('ui.popup.matched')}{hit.text}"
    return line + (f" · {t('ui.popup.why')}{hit.reason}" if hit.reason else "")


def _by_seriousness(alerts: Sequence[Alert]) -> list[Alert]:
    return sorted(alerts, key=lambda alert: -alert.severity.rank)  # stable: first queued first among equals


@dataclass
class PopupEntry:
    """One item in the pop-up: its open live alerts, and where it was published."""

    key: ItemKey
    account_id: int
    account_name: str
    platform: str = ""
    alerts: list[Alert] = field(default_factory=list)

    def add(self, alert: Alert) -> None:
        self.alerts = _by_seriousness([a for a in self.alerts if a.id != alert.id] + [alert])

    @property
    def first(self) -> Alert:
        return self.alerts[0]


class AlertPopup(QWidget):
    """One window for every item with an unacknowledged live high alert, shown one item at a time
    ("第 1 / 3 项"). Handling an item moves on to the next; the window closes when none is left."""

    acknowledged = Signal(int, str)  # alert id, note
    acknowledgedSelection = Signal(object, str)  # AlertFilter, note
    deferred = Signal(object, str)  # AlertFilter, Deferral value
    allowRequested = Signal(int, str, str)  # alert id, phrase, note

    def __init__(self, parent: QWidget | None = None, *, now: Callable[[], datetime] | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle(t("ui.popup.title"))
        self._now = now or (lambda: datetime.now(UTC))
        self._entries: list[PopupEntry] = []
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.badge = QLabel()
        self.badge.setPixmap(icons.draw("high", 40))
        head.addWidget(self.badge)
        self.title = plain_label()
        self.title.setWordWrap(True)
        font = self.title.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.title.setFont(font)
        head.addWidget(self.title, 1)
        self.position = plain_label()
        head.addWidget(self.position)
        layout.addLayout(head)
        self.meta = plain_label()  # published when and how long ago, first seen
        self.meta.setWordWrap(True)
        layout.addWidget(self.meta)
        self.list_caption = plain_label()
        layout.addWidget(self.list_caption)
        self.alert_list = QListWidget()  # one line per alert of the item; its hits below it
        self.alert_list.setMaximumHeight(110)
        layout.addWidget(self.alert_list)
        self.matched = plain_label()
        self.matched.setWordWrap(True)
        self.reason = plain_label()  # why the scanner raised, lowered or kept the hit; never rich text
        self.reason.setWordWrap(True)
        self.reason.hide()
        layout.addWidget(self.matched)
        layout.addWidget(self.reason)
        self.context = QPlainTextEdit()
        self.context.setReadOnly(True)
        layout.addWidget(self.context, 1)
        self.note = QLineEdit()
        self.note.setPlaceholderText(t("ui.popup.note_placeholder"))
        layout.addWidget(self.note)
        buttons = QHBoxLayout()
        self.ack_button = QPushButton(t("ui.popup.ack_one"))
        self.ack_item_button = QPushButton(t("ui.popup.ack_item"))
        self.ack_account_button = QPushButton(t("ui.popup.ack_account"))
        self.defer_button = QPushButton(t("ui.popup.defer"))
        self.defer_menu = QMenu(self.defer_button)
        self.defer_actions: dict[Deferral, QAction] = {}
        for choice in Deferral:
            action = self.defer_menu.addAction(labels.deferral(choice.value))
            action.triggered.connect(lambda _=False, c=choice: self.defer(c))
            self.defer_actions[choice] = action
        self.defer_button.setMenu(self.defer_menu)
        self.allow_button = QPushButton(t("ui.popup.add_allow_phrase"))
        for button in (self.ack_button, self.ack_item_button, self.ack_account_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.allow_button)
        buttons.addWidget(self.defer_button)
        layout.addLayout(buttons)
        self.hint = plain_label(t("ui.popup.esc_hint"))
        layout.addWidget(self.hint)
        self.note.textChanged.connect(self._note_changed)
        self.ack_button.clicked.connect(self._acknowledge)
        self.ack_item_button.clicked.connect(lambda: self._acknowledge_all(item=True))
        self.ack_account_button.clicked.connect(lambda: self._acknowledge_all(item=False))
        self.allow_button.clicked.connect(self._ask_allow)
        self.alert_list.currentRowChanged.connect(lambda _: self._show_selected())
        self._dialog: AllowPhraseDialog | None = None
        self.resize(680, 520)

    # -- the queue ---------------------------------------------------------------------------

    @property
    def entries(self) -> list[PopupEntry]:
        return list(self._entries)

    @property
    def current_entry(self) -> PopupEntry | None:
        return self._entries[0] if self._entries else None

    @property
    def current(self) -> Alert | None:
        """The alert shown (the item's most serious, unless the officer picked another)."""
        entry = self.current_entry
        if entry is None:
            return None
        row = self.alert_list.currentRow()
        return entry.alerts[row] if 0 <= row < len(entry.alerts) else entry.first

    def alert_ids(self) -> list[int]:
        return [alert.id for entry in self._entries for alert in entry.alerts]

    def add(self, alert: Alert, *, account_name: str, platform: str = "") -> None:
        """Queue an alert under its item (once); the first item is shown."""
        self.add_many([(alert, account_name, platform)])

    def add_many(self, items: Sequence[tuple[Alert, str] | tuple[Alert, str, str]]) -> None:
        """Queue alerts (each with its account's name and, optionally, platform) under their items
        and redraw once."""
        by_key = {entry.key: entry for entry in self._entries}
        current = self.current_entry
        for alert, account_name, *rest in items:
            platform = rest[0] if rest else ""
            entry = by_key.get(alert.item_key)
            if entry is None:
                entry = PopupEntry(key=alert.item_key, account_id=alert.account_id, account_name=account_name, platform=platform)
                by_key[entry.key] = entry
                self._entries.append(entry)
            entry.add(alert)
        self._show_current(keep_row=current is self.current_entry)

    def drop(self, alert_id: int) -> None:
        """Forget an alert handled elsewhere (the inbox, the command line, another desk)."""
        self.drop_many([alert_id])

    def drop_many(self, alert_ids: Sequence[int]) -> None:
        gone = set(alert_ids)
        current = self.current_entry
        for entry in self._entries:
            entry.alerts = [alert for alert in entry.alerts if alert.id not in gone]
        self._entries = [entry for entry in self._entries if entry.alerts]
        if self.current_entry is not current:
            self.note.clear()
        self._show_current(keep_row=False)

    def drop_item(self, key: ItemKey) -> None:
        self.drop_many([alert.id for entry in self._entries if entry.key == key for alert in entry.alerts])

    def drop_account(self, account_id: int) -> None:
        self.drop_many([alert.id for entry in self._entries if entry.account_id == account_id for alert in entry.alerts])

    # -- showing -----------------------------------------------------------------------------

    def _show_current(self, *, keep_row: bool) -> None:
        entry = self.current_entry
        if entry is None:
            self.hide()
            return
        row = self.alert_list.currentRow() if keep_row else 0
        first = entry.first
        now = self._now()
        self.badge.setPixmap(icons.draw(first.severity.value, 40))
        where = [labels.severity(first.severity.value), labels.category(first.category), entry.account_name]
        if entry.platform:
            where.append(labels.platform(entry.platform))
        self.title.setText(" · ".join(where))
        self.position.setText(t("ui.popup.position", index=1, total=len(self._entries)))
        seen = first.seen_at or first.raised_at
        first_seen = t("ui.popup.first_seen") + times.show(seen, times.Shape.SECONDS)
        self.meta.setText(labels.published(first.published_at, now=now) + "    " + first_seen)
        self.list_caption.setText(t("ui.popup.alerts_of_item", count=len(entry.alerts)))
        self.alert_list.blockSignals(True)
        self.alert_list.clear()
        for alert in entry.alerts:
            parts = [labels.severity(alert.severity.value), labels.category(alert.category), labels.rule(alert.rule)]
            line = " · ".join(parts) + f" · {t('ui.alerts.hits')} {len(alert.hits) or 1}"
            item = QListWidgetItem(icons.icon(alert.severity.value), line)
            item.setToolTip(tooltip(alert.text))
            self.alert_list.addItem(item)
        self.alert_list.setCurrentRow(min(max(row, 0), len(entry.alerts) - 1))
        self.alert_list.blockSignals(False)
        self._show_selected()

    def _show_selected(self) -> None:
        entry = self.current_entry
        alert = self.current
        if entry is None or alert is None:
            return
        hits = alert.hits or ()
        lines = [hit_line(hit) for hit in hits]
        self.matched.setText("\n".join(lines) if lines else t("ui.popup.matched") + alert.text)
        # the alert's reason is its most serious hit's: said once, on the hit's line when there is one
        reason = "" if any(hit.reason for hit in hits) else alert.reason
        self.reason.setText(t("ui.popup.why") + reason if reason else "")
        self.reason.setVisible(bool(reason))
        refusal = allow_refusal(alert)
        self.allow_button.setEnabled(not refusal)
        self.allow_button.setToolTip(tooltip(refusal) if refusal else t("ui.popup.allow_tooltip"))
        others = [a for a in entry.alerts if a.id != alert.id]
        highlight_alerts(self.context, [alert, *others])

    # -- acting --------------------------------------------------------------------------------

    def _note_changed(self, text: str) -> None:
        filled = bool(text.strip())
        for button in (self.ack_button, self.ack_item_button, self.ack_account_button):
            button.setEnabled(filled)

    def _acknowledge(self) -> None:
        note = self.note.text().strip()
        alert = self.current
        if note and alert is not None:
            self.acknowledged.emit(alert.id, note)
            self.note.clear()
            self.drop(alert.id)

    def _acknowledge_all(self, *, item: bool) -> None:
        note = self.note.text().strip()
        entry = self.current_entry
        if not note or entry is None:
            return
        if item:
            self.acknowledgedSelection.emit(AlertFilter(item=entry.key), note)
            self.note.clear()
            self.drop_item(entry.key)
        else:
            # the account's live alerts only: its backlog is reviewed in the list, never by one click here
            self.acknowledgedSelection.emit(AlertFilter(account_ids=frozenset({entry.account_id}), backlog=False), note)
            self.note.clear()
            self.drop_account(entry.account_id)

    def defer(self, choice: Deferral = Deferral.MINUTES_15) -> None:
        """Put the current item off; it comes back when the deferral ends (or the shift does)."""
        entry = self.current_entry
        if entry is None:
            return
        self.deferred.emit(AlertFilter(item=entry.key), choice.value)
        self.drop_item(entry.key)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            self.defer(Deferral.MINUTES_15)
            event.accept()
            return
        super().keyPressEvent(event)

    def _ask_allow(self) -> None:
        alert = self.current
        if alert is None or allow_refusal(alert):
            return
        dialog = AllowPhraseDialog(alert, parent=self)
        dialog.submitted.connect(self._allow)
        self._dialog = dialog
        dialog.open()

    def _allow(self, alert_id: int, phrase: str, note: str) -> None:
        self.allowRequested.emit(alert_id, phrase, note)
        self.drop(alert_id)
