"""The window's alert handling: notifications through the chain, the pop-up (one entry per item,
live high alerts only), and the officer's acknowledgements and deferrals, one or in bulk.

Backlog alerts are counted and listed but never enter the pop-up, whatever brings them (a
notification, a list refresh); a deferred alert leaves it until its deferral ends and the
notification policy shows it again.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import datetime
from typing import Any

from jb_watchdesk.domain.alerts import Alert, AlertCounts, AlertFilter
from jb_watchdesk.domain.messages import times
from jb_watchdesk.domain.models import Account, AlertState
from jb_watchdesk.domain.sensitive.lexicon import Severity
from jb_watchdesk.services.alerts import Notification, NotificationKind
from jb_watchdesk.ui.controller import DeskController
from jb_watchdesk.ui.dialogs.alert_popup import AlertPopup
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.notifier import Notifier
from jb_watchdesk.ui.views.alerts import AlertsView
from jb_watchdesk.ui.widgets.status import Banner, alerts_waiting

#: above this many notifications in one cycle, the chain gets one summary instead of each
SUMMARISE_ABOVE = 3

Run = Callable[[Coroutine[Any, Any, Any], str], None]
Say = Callable[[str, str], None]


def poppable(alert: Alert, *, now: datetime) -> bool:
    """Whether an alert may be in the pop-up: new, live (not backlog), not deferred."""
    deferred = alert.deferred_until is not None and alert.deferred_until > now
    return alert.state is AlertState.NEW and not alert.backlog and not deferred


def for_pop_up(alerts: Sequence[Alert], *, now: datetime) -> list[Alert]:
    """The alerts of the items with a live high alert: every open live alert of such an item."""
    open_live = [alert for alert in alerts if poppable(alert, now=now)]
    urgent = {alert.item_key for alert in open_live if alert.severity is Severity.HIGH}
    return [alert for alert in open_live if alert.item_key in urgent]


class AlertDesk:
    def __init__(self, *, controller: DeskController, view: AlertsView, banner: Banner, notifier: Notifier, run: Run, say: Say) -> None:
        self.controller = controller
        self.view = view
        self.banner = banner
        self.notifier = notifier
        self._run = run
        self._say = say
        self.now = controller.app.clock.now
        self.popup = AlertPopup(now=self.now)
        self.names: dict[int, str] = {}
        self.accounts: dict[int, Account] = {}
        self.counts = AlertCounts()
        self.popup.acknowledged.connect(self.acknowledge)
        self.popup.acknowledgedSelection.connect(lambda selection, note: self.acknowledge_all([selection], note))
        self.popup.deferred.connect(lambda selection, choice: self.defer([selection], choice))
        view.acknowledgeRequested.connect(self.acknowledge)
        view.acknowledgeSelectionRequested.connect(self.acknowledge_all)
        view.deferRequested.connect(self.defer)
        view.viewChanged.connect(
            lambda selection, offset: self._run(self.controller.show_alert_page(selection, offset), t("ui.window.alerts"))
        )

    # -- what the store says ------------------------------------------------------------------

    def set_accounts(self, accounts: Sequence[Account]) -> None:
        self.accounts = {account.id: account for account in accounts}
        self.view.set_accounts(accounts)

    def show_alerts(self, alerts: Sequence[Alert], names: Mapping[int, str]) -> None:
        """A list refresh: the inbox shows it; the pop-up only lets go of what was handled or put off."""
        self.names = dict(names)
        self.view.set_rows(alerts, names)
        self._forget_handled(alerts)

    def update_alerts(self, alerts: Sequence[Alert]) -> bool:
        """Alerts an operation changed, shown where they are listed; False if any is not listed."""
        if not self.view.update_rows(alerts):
            self._forget_handled(alerts)
            return False
        self._forget_handled(alerts)
        return True

    def _forget_handled(self, alerts: Sequence[Alert]) -> None:
        queued = set(self.popup.alert_ids())
        now = self.now()
        gone = [alert.id for alert in alerts if alert.id in queued and not poppable(alert, now=now)]
        if gone:
            self.popup.drop_many(gone)

    def show_counts(self, counts: AlertCounts) -> None:
        self.counts = counts
        self.banner.set_counts(counts)

    # -- notifications and the pop-up -------------------------------------------------------------

    def show_notifications(self, notifications: Sequence[Notification]) -> None:
        """One cycle's notifications: each through the chain, or one summary when there are many;
        the banner says how many alerts wait, from the same counts as the tile."""
        if not notifications:
            return
        title = t("ui.window.duty_alert")
        critical = any(n.severity is Severity.HIGH for n in notifications)
        if len(notifications) <= SUMMARISE_ABOVE:
            for notification in notifications:
                self.notifier.notify(title, notification.headline(), critical=notification.severity is Severity.HIGH, banner=False)
            headline = f"{title}: {notifications[-1].headline()}" if len(notifications) == 1 else title
        else:
            self.notifier.notify(title, alerts_waiting(self.counts), critical=critical, banner=False)
            headline = title
        self.banner.show_alerts(headline, self.counts)
        urgent = [
            alert
            for notification in notifications
            if notification.kind is not NotificationKind.DIGEST
            for alert in notification.alerts
        ]
        if urgent:
            self.pop_up(urgent)

    def pop_up(self, alerts: Sequence[Alert]) -> AlertPopup:
        """Queue the items with a live high alert in the pop-up, each with its open live alerts; it
        stays on top until each is handled or deferred. Backlog, handled and deferred alerts are left out."""
        wanted = for_pop_up(alerts, now=self.now())
        if not wanted:
            return self.popup
        items = []
        for alert in wanted:
            account = self.accounts.get(alert.account_id)
            name = self.names.get(alert.account_id) or (account.name if account else str(alert.account_id))
            items.append((alert, name, account.platform.value if account else ""))
        self.popup.add_many(items)
        if not self.popup.isVisible():
            window = self.view.window()
            self.popup.move(window.geometry().center() - self.popup.rect().center())
        self.popup.show()
        self.popup.raise_()
        return self.popup

    # -- the officer's actions -------------------------------------------------------------------

    def acknowledge(self, alert_id: int, note: str) -> None:
        self._run(self.controller.acknowledge_alert(alert_id, note), t("ui.window.acknowledge_alert"))

    def acknowledge_all(self, selections: Sequence[AlertFilter], note: str) -> None:
        async def acknowledge() -> None:
            done = await self.controller.acknowledge_alerts(selections, note)
            self._say("info", t("ui.alerts.acknowledged_count", count=len(done)))

        self._run(acknowledge(), t("ui.window.acknowledge_alert"))

    def defer(self, selections: Sequence[AlertFilter], choice: str) -> None:
        async def defer() -> None:
            done = await self.controller.defer_alerts(selections, choice)
            until = max((alert.deferred_until for alert in done if alert.deferred_until), default=None)
            self._say("info", t("ui.alerts.deferred_count", count=len(done), until=times.show(until, times.Shape.SHORT)))

        self._run(defer(), t("ui.window.defer_alerts"))
