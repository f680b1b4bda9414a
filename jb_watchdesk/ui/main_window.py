"""The duty officer's window: what needs attention now, and never an alert that passes unseen."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from jb_watchdesk.domain.errors import ImportRejected, WatchdeskError
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.services import operations as ops
from jb_watchdesk.services import settings as desk_settings
from jb_watchdesk.services.alerts import Notification
from jb_watchdesk.services.watch import Cycle
from jb_watchdesk.services.settings import DeskSettings
from jb_watchdesk.services.status import AccountStatusRow
from jb_watchdesk.domain.alerts import Alert, AlertCounts
from jb_watchdesk.ui import icons, labels
from jb_watchdesk.ui.alert_desk import AlertDesk
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui.dialogs.alert_popup import AlertPopup
from jb_watchdesk.ui.dialogs.post import PostDialog
from jb_watchdesk.ui.dialogs.quit import QuitFlow
from jb_watchdesk.ui.dialogs.settings import SettingsDialog
from jb_watchdesk.services.problems import error_text
from jb_watchdesk.ui.i18n import localise_file_dialog, t
from jb_watchdesk.ui.notifier import Notifier
from jb_watchdesk.ui.startup import OverrideWarning
from jb_watchdesk.ui.text import plain_label
from jb_watchdesk.ui.widgets.status import Banner, LexiconWarning, StatLabel, alerts_state
from jb_watchdesk.ui.tray import Tray
from jb_watchdesk.ui.views.accounts import AccountsView
from jb_watchdesk.ui.views.alerts import AlertsView
from jb_watchdesk.ui.views.comments import CommentsView
from jb_watchdesk.ui.views.dashboard import DashboardView
from jb_watchdesk.ui.views.duty import DutyView

log = logging.getLogger(__name__)

class MainWindow(QMainWindow):
    quitRequested = Signal()

    def __init__(self, controller: DeskController, *, tray: Tray | None, title_suffix: str = "") -> None:
        super().__init__()
        self.controller = controller
        self.tray = tray
        self.setWindowTitle(t("ui.window.title") + (f" — {title_suffix}" if title_suffix else ""))
        self.resize(1480, 900)
        self._dialogs: list[QWidget] = []
        self._alert_counts = AlertCounts()

        central = QWidget()
        layout = QVBoxLayout(central)
        summary = QHBoxLayout()
        self.stat_veto = StatLabel("veto", t("ui.window.veto"))
        self.stat_overdue = StatLabel("overdue", t("ui.window.ack_overdue"))
        self.stat_alerts = StatLabel("high", t("ui.window.new_alerts"))
        self.stat_failing = StatLabel("failing", t("ui.window.failing"))
        for stat in (self.stat_veto, self.stat_overdue, self.stat_alerts, self.stat_failing):
            summary.addWidget(stat)
        summary.addStretch(1)
        self.polling_label = plain_label()
        summary.addWidget(self.polling_label)
        layout.addLayout(summary)
        self.banner = Banner()
        layout.addWidget(self.banner)
        self.lexicon_warning = LexiconWarning()
        layout.addWidget(self.lexicon_warning)
        # Lines of workday-overrides.txt the desk skipped: said from the start, for as long as it runs
        # (the calendar is read once, at start). A small file, read here before the loops start.
        self.override_warning = OverrideWarning()
        layout.addWidget(self.override_warning)
        calendar = controller.app.calendar
        self.override_warning.show_problems(calendar.problems, ops.holiday_override_problems(calendar))

        self.tabs = QTabWidget()
        self.dashboard = DashboardView()
        self.comments = CommentsView(controller.app.clock.now)
        self.alerts = AlertsView(now=controller.app.clock.now)
        self.accounts = AccountsView()
        self.duty = DutyView(controller)
        self.tabs.addTab(self.dashboard, icons.icon("unknown"), t("ui.window.overview"))
        self.tabs.addTab(self.comments, icons.icon("unknown"), t("ui.window.comments"))
        self.tabs.addTab(self.alerts, icons.icon("unknown"), t("ui.window.alerts_tab", count=0))
        self.tabs.addTab(self.accounts, t("ui.window.accounts"))
        self.tabs.addTab(self.duty, t("ui.window.duty"))
        self._tab_states: dict[QWidget, str] = {}
        layout.addWidget(self.tabs)
        self.setCentralWidget(central)

        toolbar = self.addToolBar(t("ui.window.actions"))
        toolbar.setObjectName("main-toolbar")
        self.poll_action = QAction(t("ui.window.poll_now"), self)
        self.poll_action.setShortcut(QKeySequence("F5"))
        self.pause_action = QAction(t("ui.window.pause_polling"), self)
        self.pause_action.setCheckable(True)
        self.settings_action = QAction(t("ui.window.settings"), self)
        self.quit_action = QAction(t("ui.window.quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        for action in (self.poll_action, self.pause_action, self.settings_action, self.quit_action):
            toolbar.addAction(action)
        self.statusBar().showMessage(t("ui.window.starting"))

        self.notifier = Notifier(tray=tray, banner=self.banner.show_text, use_os=controller.app.settings.os_notifications)
        self.alert_desk = AlertDesk(
            controller=controller, view=self.alerts, banner=self.banner, notifier=self.notifier, run=self._run, say=self.show_message
        )
        self.popup = self.alert_desk.popup
        self.quit_flow = QuitFlow(controller, self)
        self.quit_reason = ""
        """Why the officer quit (asked when a shift or an emergency clock was open): the gap's reason."""
        self._connect()

    # -- wiring --------------------------------------------------------------------------

    def _connect(self) -> None:
        bridge = self.controller.bridge
        bridge.statusChanged.connect(self.show_status)
        bridge.commentsChanged.connect(self.comments.set_rows)
        bridge.commentsChanged.connect(lambda rows, limit: self._update_counts())
        self.comments.model.moreRequested.connect(lambda: self._run(self.controller.more_comments(), t("ui.window.comments")))
        bridge.alertsChanged.connect(self.alert_desk.show_alerts)
        bridge.alertPageChanged.connect(lambda page: self.alerts.set_page(offset=page.offset, total=page.total, page_size=page.page_size))
        bridge.alertCountsChanged.connect(self.show_alert_counts)
        self.controller.show_alerts_in_place = self.alert_desk.update_alerts
        bridge.notifications.connect(self.show_notifications)
        bridge.cycleFinished.connect(self.show_cycle)
        bridge.lexiconChanged.connect(self.lexicon_warning.show_report)
        bridge.message.connect(self.show_message)
        bridge.pollingChanged.connect(self._polling_changed)
        self.poll_action.triggered.connect(lambda: self._run(self._poll_now(), t("ui.window.poll")))
        self.pause_action.toggled.connect(self._pause_toggled)
        self.settings_action.triggered.connect(self.open_settings)
        self.quit_action.triggered.connect(self.quit_flow.request)
        self.quit_flow.confirmed.connect(self._quit_confirmed)
        self.comments.actionRequested.connect(
            lambda comment_id, done, note: self._run(self.controller.comment_action(comment_id, done=done, note=note), t("ui.window.comment_action"))
        )
        self.alerts.allowRequested.connect(self.allow_phrase)
        self.popup.allowRequested.connect(self.allow_phrase)
        self.alerts.table.doubleClicked.connect(lambda index: self.open_alert_item(self.alerts.model.row_at(index.row())))
        self.dashboard.accountActivated.connect(self.open_latest_post)
        self.accounts.saveRequested.connect(lambda account_id, cells: self._run(self._save_account(account_id, cells), t("ui.window.save_account")))
        self.accounts.secretRequested.connect(
            lambda account_id, name, value: self._run(self._set_secret(account_id, name, value), t("ui.window.save_credential"))
        )
        self.accounts.testRequested.connect(lambda account_id: self._run(self._test_account(account_id), t("ui.window.test_connection")))
        self.accounts.importRequested.connect(self.ask_import)
        self.accounts.exportRequested.connect(self.ask_export)
        if self.tray is not None:
            self.tray.showRequested.connect(self.bring_to_front)
            self.tray.pauseToggled.connect(self.pause_action.setChecked)
            self.tray.quitRequested.connect(self.quit_flow.request)
        bridge.start_listening()
        self._polling_changed(True)

    def _run(self, coro, what: str) -> None:  # type: ignore[no-untyped-def]
        async def guarded() -> None:
            try:
                await coro
            except ImportRejected as error:
                lines = "\n".join(row.format() for row in error.errors[:20])
                self.show_message("error", f"{error}\n{lines}")
            except WatchdeskError as error:
                self.show_message("error", t("ui.error.in_action", action=what, problem=error_text(error)))

        self.controller.spawn(guarded(), name=what)

    # -- data ----------------------------------------------------------------------------

    async def _poll_now(self) -> None:
        self.statusBar().showMessage(t("ui.window.polling_all"))
        if not await self.controller.poll_now():
            self.statusBar().showMessage(t("ui.window.poll_running"), 15_000)

    def show_status(self, rows: Sequence[AccountStatusRow]) -> None:
        self.dashboard.set_rows(rows)
        self.accounts.set_accounts([r.account for r in rows])
        self.alert_desk.set_accounts([r.account for r in rows])
        self._update_counts()

    def show_alerts(self, alerts: Sequence[Alert], names: Mapping[int, str]) -> None:
        self.alert_desk.show_alerts(alerts, names)

    def update_alerts(self, alerts: Sequence[Alert]) -> bool:
        """Alerts an operation changed, shown where they are listed; False if any is not listed."""
        return self.alert_desk.update_alerts(alerts)

    def show_alert_counts(self, counts: AlertCounts) -> None:
        """Every alert counted by the store, never only the page that is listed."""
        self._alert_counts = counts
        self._update_counts()

    def _update_counts(self) -> None:
        """The tile, the banner, the tray and the tabs, from the overview's summary and the one
        alert count (never the length of a listed page)."""
        summary = self.dashboard.model.summary()
        counts = self._alert_counts
        self.alert_desk.show_counts(counts)
        self.stat_veto.set_count(summary["veto"])
        self.stat_overdue.set_count(summary["overdue_ack"])
        self.stat_alerts.set_count(
            counts.open, detail=t("ui.window.alerts_split", live=counts.open_live, backlog=counts.open_backlog), state=alerts_state(counts)
        )
        self.stat_failing.set_count(summary["failing"])
        overview = "veto" if summary["veto"] else "warn" if summary["warn"] or summary["failing"] else "ok"
        comments = "overdue" if summary["overdue_ack"] or summary["overdue_result"] else "ok"
        self._set_tab(self.dashboard, overview)
        self._set_tab(self.comments, comments)
        self._set_tab(self.alerts, alerts_state(counts))
        self.tabs.setTabText(self.tabs.indexOf(self.alerts), t("ui.window.alerts_tab", count=counts.open))
        if self.tray is not None:
            level = "veto" if (summary["veto"] or counts.open_high_live) else "warn" if counts.open_live or summary["warn"] or summary["failing"] else "ok"
            self.tray.set_state(
                level=level,
                new_alerts=counts.open,
                overdue=summary["overdue_ack"] + summary["overdue_result"],
                failing=summary["failing"],
                counts=counts,
            )

    def _set_tab(self, tab: QWidget, state: str) -> None:
        if self._tab_states.get(tab) != state:
            self._tab_states[tab] = state
            self.tabs.setTabIcon(self.tabs.indexOf(tab), icons.icon(state))

    def show_cycle(self, cycle: Cycle) -> None:
        if cycle.gaps:  # monitoring resumed: when it stopped, and why
            self.banner.show_text("\n".join(gap.describe() for gap in cycle.gaps))
        changes = cycle.poll
        when = changes.finished_at.astimezone(SHANGHAI).strftime("%H:%M:%S") if changes.finished_at else ""
        self.statusBar().showMessage(
            t(
                "ui.window.cycle_summary",
                when=when,
                polled=changes.accounts_polled,
                ok=changes.accounts_ok,
                failed=changes.accounts_failed,
                posts=len(changes.new_posts),
                comments=len(changes.new_comments),
                alerts=len(cycle.scan.raised),
            )
        )

    def show_message(self, level: str, text: str) -> None:
        if level == "error":
            self.banner.show_text(text)
        self.statusBar().showMessage(text.splitlines()[0] if text else "", 15_000)

    def _pause_toggled(self, paused: bool) -> None:
        """Pausing stops monitoring: the pause and the resume are a gap in the record."""
        self.controller.set_paused(paused)
        app = self.controller.app
        if paused:
            self._run(self.controller.run(ops.pause_monitoring, app.store, officer=self.controller.officer, now=app.clock.now()), t("ui.window.pause_polling"))
        else:
            self._run(self.controller.run(ops.resume_monitoring, app.store, now=app.clock.now()), t("ui.window.pause_polling"))

    def _quit_confirmed(self, reason: str) -> None:
        self.quit_reason = reason
        self.quitRequested.emit()

    def _polling_changed(self, running: bool) -> None:
        self.polling_label.setText(t("ui.window.polling") if running else t("ui.window.polling_paused"))
        if self.tray is not None:
            self.tray.pause_action.blockSignals(True)
            self.tray.pause_action.setChecked(not running)
            self.tray.pause_action.blockSignals(False)

    # -- alerts --------------------------------------------------------------------------

    def show_notifications(self, notifications: Sequence[Notification]) -> None:
        self.alert_desk.show_notifications(notifications)

    def pop_up(self, alerts: Sequence[Alert]) -> AlertPopup:
        return self.alert_desk.pop_up(alerts)

    def acknowledge_alert(self, alert_id: int, note: str) -> None:
        self.alert_desk.acknowledge(alert_id, note)

    def allow_phrase(self, alert_id: int, phrase: str, note: str) -> None:
        """Add the allow phrase, acknowledge the alert with it and reload the lexicon, off the GUI thread."""

        async def allow() -> None:
            outcome = await self.controller.allow_phrase(alert_id, phrase, note)
            if outcome.phrase.added:
                self.show_message("info", t("ui.window.allow_phrase_added") + outcome.phrase.phrase)
            else:
                self.show_message("info", t("ui.window.already_allow_phrase") + outcome.phrase.phrase)

        self._run(allow(), t("ui.window.add_allow_phrase"))

    # -- posts ---------------------------------------------------------------------------

    def open_alert_item(self, alert: Alert) -> None:
        async def show() -> None:
            item = await self.controller.runner.read(ops.read_item, self.controller.app.store, kind=alert.item_kind, item_id=alert.item_id)
            if item is not None:
                self._open_dialog(PostDialog(item, account_name=self.alert_desk.names.get(alert.account_id, ""), parent=self))

        self._run(show(), t("ui.window.view_original"))

    def open_latest_post(self, account_id: int) -> None:
        async def show() -> None:
            store, read = self.controller.app.store, self.controller.runner.read
            post = await read(ops.latest_post, store, account_id=account_id)
            account = await read(ops.get_account, store, account_id)
            if post is not None:
                self._open_dialog(PostDialog(post, account_name=account.name, parent=self))
            else:
                self.show_message("info", t("ui.window.no_posts_yet"))

        self._run(show(), t("ui.window.view_post"))

    def _open_dialog(self, dialog: QWidget) -> None:
        self._dialogs.append(dialog)
        dialog.destroyed.connect(lambda *_: self._dialogs.remove(dialog) if dialog in self._dialogs else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    # -- accounts ------------------------------------------------------------------------

    async def _save_account(self, account_id: int | None, cells: dict[str, str]) -> None:
        app = self.controller.app
        try:
            changes = await self.controller.run(ops.save_account, app.store, cells, account_id=account_id, now=app.clock.now())
        except ImportRejected as error:
            self.accounts.show_result("\n".join(row.reason() for row in error.errors))
            return
        (account,) = changes.account_rows
        self.accounts.show_result(t("ui.window.saved") + account.name)

    async def _set_secret(self, account_id: int, name: str, value: str) -> None:
        app = self.controller.app
        await self.controller.run(ops.set_secret, app.store, app.secrets, account_id=account_id, name=name, value=value, now=app.clock.now())
        self.controller.reset_schedule(account_id)
        self.accounts.show_result(t("ui.window.credential_saved") + labels.secret(name))

    async def _test_account(self, account_id: int) -> None:
        account = await self.controller.runner.read(ops.get_account, self.controller.app.store, account_id)
        try:
            result = await self.controller.probe(account)
        except WatchdeskError as error:
            self.accounts.show_result(error_text(error))
            return
        self.accounts.show_result(t("ui.window.connection_ok") + result)

    def ask_import(self) -> None:
        self._file_dialog(save=False, on_chosen=lambda path: self._run(self._import(path), t("ui.window.import_register")))

    def ask_export(self) -> None:
        self._file_dialog(save=True, on_chosen=lambda path: self._run(self._export(path), t("ui.window.export_register")))

    def _file_dialog(self, *, save: bool, on_chosen: Callable[[Path], None]) -> None:
        dialog = QFileDialog(self, t("ui.window.export_register") if save else t("ui.window.import_register"))
        dialog.setNameFilter(t("ui.window.register_filter"))
        localise_file_dialog(dialog)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave if save else QFileDialog.AcceptMode.AcceptOpen)
        if save:
            dialog.setDefaultSuffix("xlsx")
        dialog.fileSelected.connect(lambda name: on_chosen(Path(name)))
        self._dialogs.append(dialog)
        dialog.open()

    async def _import(self, path: Path) -> None:
        app = self.controller.app
        changes = (await self.controller.run(ops.import_register, app.store, path, now=app.clock.now())).result
        self.accounts.show_result(t("ui.window.imported", created=changes.created, updated=changes.updated))

    async def _export(self, path: Path) -> None:
        count = await self.controller.runner.read(ops.export_register, self.controller.app.store, path)
        self.accounts.show_result(t("ui.window.exported", count=count, path=path))

    # -- settings and window ---------------------------------------------------------------

    def open_settings(self) -> None:
        dialog = SettingsDialog(self.controller.app.settings, parent=self)
        dialog.saved.connect(lambda settings: self._run(self._save_settings(settings), t("ui.window.settings")))
        self._dialogs.append(dialog)
        dialog.open()

    async def _save_settings(self, settings: DeskSettings) -> None:
        app = self.controller.app
        language_changed = settings.language != app.settings.language
        # Applied first: settings the desk cannot use (an unreadable CA bundle) are refused, not saved.
        await self.controller.apply_settings(settings)
        self.notifier.use_os = settings.os_notifications
        await asyncio.to_thread(desk_settings.save, app.workspace.root, settings)
        app.__dict__["settings"] = settings
        if language_changed:
            self.show_message("info", t("ui.window.settings_saved_language_later"))
        else:
            self.show_message("info", t("ui.window.settings_saved"))

    def bring_to_front(self) -> None:
        """A second launch asked for the desk: shown from the tray or the taskbar as it was left
        (a maximised window stays maximised), raised and focused."""
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing keeps the desk running in the tray; quitting is explicit (menu or tray)."""
        if self.tray is not None and self.tray.isVisible():
            event.ignore()
            self.hide()
            self.tray.showMessage(t("ui.window.still_running"), t("ui.window.still_running_detail"), Tray.MessageIcon.Information, 5_000)
            return
        event.ignore()
        self.quit_flow.request()
