"""Alert lifecycle and the notification policy: what to show the officer, and when to show it again.

Lifecycle: ``new → acknowledged (officer, note, time) → resolved``. An acknowledgement is part of
the inspection record and is never rewritten.

The policy (:class:`NotificationPolicy`) is pure: given the alerts and "now" it says which
notifications are due. The window and headless mode ask :class:`AlertService` for them, show
them through whatever notifier works, and the service remembers what was shown in the database,
so a restart neither forgets an unacknowledged alert nor repeats it early.

- Backlog alerts (items the desk found already there) and deferred ones are never pushed.
- A high-severity alert is raised at once, and raised again every ``repeat_after`` until
  someone acknowledges it.
- Medium alerts are gathered into one digest notification; low alerts are listed, never pushed.
- One item (a post, a comment) gives at most one notification per ``item_window``: a post with
  ten hits, or one edited three times in a row, does not pop up ten times.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, Protocol

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.alerts import ANY_ALERT, Alert, AlertCounts, AlertFilter
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import AlertState, ItemKind
from jb_watchdesk.domain.sensitive import Severity
from jb_watchdesk.services.fields import clean_field
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage.db import Store

MAX_NOTE_CHARS: Final = 2_000
MAX_OFFICER_CHARS: Final = 64
HEADLINE_CHARS: Final = 200
"""Notification text stays under Windows' 256-character toast limit with room for a prefix."""
PAGE_SIZE: Final = 500
"""Rows a list reads at a time; a longer list pages ("showing 1–500 of 807"), never silently cut."""



class Clock(Protocol):
    def now(self) -> datetime: ...


class NotificationKind(StrEnum):
    ALERT = "alert"
    """First time shown."""
    REPEAT = "repeat"
    """Shown before, still unacknowledged."""
    DIGEST = "digest"
    """Several less serious alerts at once."""


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing to show the officer: an item's alerts, or a digest of several items' alerts."""

    kind: NotificationKind
    alerts: tuple[Alert, ...]

    @property
    def severity(self) -> Severity:
        return max((alert.severity for alert in self.alerts), key=lambda severity: severity.rank)

    @property
    def alert_ids(self) -> tuple[int, ...]:
        return tuple(alert.id for alert in self.alerts)

    def headline(self, language: str | None = None) -> str:
        """One plain line for a tray balloon, a banner or a log line, at most ``HEADLINE_CHARS`` long."""
        if self.kind is NotificationKind.DIGEST:
            return messages.text("alert.notify_digest", language, count=len(self.alerts))
        first = self.alerts[0]
        key = "alert.notify_repeat" if self.kind is NotificationKind.REPEAT else "alert.notify_one"
        line = messages.text(
            key,
            language,
            severity=messages.label("severity", first.severity, language),
            category=messages.label("category", first.category, language),
            text=first.text,
        )
        if len(self.alerts) > 1:
            line += messages.text("alert.notify_more", language, count=len(self.alerts) - 1)
        # A leading '-' would be read as an option by notify-send; control characters never belong in a toast.
        line = "".join(ch if ch.isprintable() else " " for ch in line).lstrip("-")
        return line if len(line) <= HEADLINE_CHARS else line[: HEADLINE_CHARS - 1] + "…"


def _deferral_ended(alert: Alert, *, now: datetime) -> bool:
    """Put off since it was last shown, and the time it was put off to has come."""
    deferred, shown = alert.deferred_until, alert.last_notified_at
    return deferred is not None and shown is not None and shown < deferred <= now


def _most_serious_first(alerts: Iterable[Alert]) -> tuple[Alert, ...]:
    return tuple(sorted(alerts, key=lambda alert: (-alert.severity.rank, alert.raised_at, alert.id)))


@dataclass(frozen=True, slots=True)
class NotificationPolicy:
    """When an alert is pushed to the officer. Pure: time comes in as ``now``."""

    repeat_after: timedelta = timedelta(minutes=10)
    """An unacknowledged immediate alert is raised again this long after it was last shown."""
    item_window: timedelta = timedelta(minutes=5)
    """At most one notification per item within this window."""
    immediate: frozenset[Severity] = field(default=frozenset({Severity.HIGH}))
    digest: frozenset[Severity] = field(default=frozenset({Severity.MEDIUM}))

    def __post_init__(self) -> None:
        if self.repeat_after <= timedelta(0) or self.item_window < timedelta(0):
            raise ValueError("repeat_after must be positive and item_window not negative")

    @property
    def lookback(self) -> timedelta:
        """How far back "recently shown" alerts matter to :meth:`due_notifications`."""
        return max(self.repeat_after, self.item_window)

    def due_notifications(
        self, alerts: Iterable[Alert], *, now: datetime, recently_shown: Mapping[tuple[ItemKind, int], datetime] | None = None
    ) -> list[Notification]:
        """The notifications to show at ``now``, most serious first.

        ``alerts`` holds the alerts that may be due (and may hold alerts shown within
        :attr:`lookback`, in any state); ``recently_shown`` says when items were last shown, for
        items whose recently shown alerts are not passed. An alert whose deferral ended since it
        was last shown is due again. Per item: nothing while
        the item was shown within ``item_window``; otherwise one notification with its
        immediate alerts never shown or due again, and its never-shown digest alerts with
        them. Digest alerts of items with nothing immediate due are gathered into one digest.
        """
        by_item: dict[tuple[ItemKind, int], list[Alert]] = defaultdict(list)
        for alert in alerts:
            by_item[alert.item_key].append(alert)
        notifications: list[Notification] = []
        digest: list[Alert] = []
        for group in by_item.values():
            shown = [alert.last_notified_at for alert in group if alert.last_notified_at is not None]
            if recently_shown and (key := group[0].item_key) in recently_shown:
                shown.append(recently_shown[key])
            if shown and now - max(shown) < self.item_window:
                continue
            first: list[Alert] = []
            again: list[Alert] = []
            quiet: list[Alert] = []
            for alert in group:
                if alert.state is not AlertState.NEW:
                    continue
                if alert.severity in self.immediate:
                    if alert.last_notified_at is None:
                        first.append(alert)
                    elif now - alert.last_notified_at >= self.repeat_after or _deferral_ended(alert, now=now):
                        again.append(alert)
                elif alert.severity in self.digest and alert.last_notified_at is None:
                    quiet.append(alert)
            if first or again:
                kind = NotificationKind.ALERT if first else NotificationKind.REPEAT
                notifications.append(Notification(kind=kind, alerts=_most_serious_first([*first, *again, *quiet])))
            else:
                digest.extend(quiet)
        notifications.sort(key=lambda notification: (-notification.severity.rank, notification.alerts[0].raised_at))
        if digest:
            notifications.append(Notification(kind=NotificationKind.DIGEST, alerts=_most_serious_first(digest)))
        return notifications


# -- lifecycle ------------------------------------------------------------------------


def _checked(value: str, *, key: str, field_name: str, limit: int) -> str:
    if not value.strip():
        raise InputError(key)
    return clean_field(value, field_name=field_name, limit=limit, required=True)


def _ack_args(officer: str, note: str) -> tuple[str, str]:
    return (
        _checked(officer, key="alert.empty_officer", field_name="--officer", limit=MAX_OFFICER_CHARS),
        _checked(note, key="alert.empty_note", field_name="--note", limit=MAX_NOTE_CHARS),
    )


class Deferral(StrEnum):
    """How long the officer puts an alert off (the pop-up's choices; Esc is the shortest)."""

    MINUTES_15 = "15m"
    HOUR_1 = "1h"
    SHIFT = "shift"
    """Until the shift is handed over (ending a shift brings every deferred alert back), at most 12 hours."""


DEFERRALS: Final = {Deferral.MINUTES_15: timedelta(minutes=15), Deferral.HOUR_1: timedelta(hours=1), Deferral.SHIFT: timedelta(hours=12)}


def deferred_until(choice: Deferral | str, *, now: datetime) -> datetime:
    """The instant a deferral chosen at ``now`` ends; ``InputError`` for a choice that is not one."""
    try:
        return now + DEFERRALS[Deferral(choice)]
    except ValueError:
        raise InputError("alert.bad_deferral", value=str(choice), choices=", ".join(d.value for d in Deferral)) from None


def list_alerts(store: Store, selection: AlertFilter = ANY_ALERT, *, limit: int = PAGE_SIZE, offset: int = 0) -> list[Alert]:
    """One page of the alerts ``selection`` takes, newest first."""
    return store.query(alert_store.list_alerts, selection, limit=limit, offset=offset)


def count_selected(store: Store, selection: AlertFilter = ANY_ALERT) -> int:
    return store.query(alert_store.count_selected, selection)


def iter_alerts(store: Store, selection: AlertFilter = ANY_ALERT, *, page: int = PAGE_SIZE) -> Iterator[Alert]:
    """Every alert ``selection`` takes, newest first, read a page at a time (never capped)."""
    offset = 0
    while True:
        rows = list_alerts(store, selection, limit=page, offset=offset)
        yield from rows
        if len(rows) < page:
            return
        offset += page


def counts(store: Store, *, now: datetime) -> AlertCounts:
    """The one count of alerts every screen, the tray and the command line show."""
    return store.query(alert_store.count_alerts, now=now)


def acknowledge(store: Store, alert_id: int, *, officer: str, note: str, now: datetime) -> Alert:
    """``new → acknowledged``: an officer and a note on what was done are required."""
    officer, note = _ack_args(officer, note)
    return store.call(alert_store.acknowledge, alert_id, officer=officer, note=note, now=now)


def _bulk_selection(selection: AlertFilter) -> AlertFilter:
    if replace(selection, states=frozenset()).is_empty:  # "everything" is never one click or one mistyped command away
        raise InputError("alert.bulk_needs_selection")
    return selection


def acknowledge_selected(store: Store, selection: AlertFilter, *, officer: str, note: str, now: datetime) -> list[Alert]:
    """Acknowledge every new alert ``selection`` takes with one note (one ledger row each)."""
    officer, note = _ack_args(officer, note)
    return store.call(alert_store.acknowledge_selected, _bulk_selection(selection), officer=officer, note=note, now=now)


def defer_selected(
    store: Store, selection: AlertFilter, *, choice: Deferral | str, officer: str, now: datetime, note: str = ""
) -> list[Alert]:
    """Put off every new alert ``selection`` takes (no pop-up or repeat until then); one ledger row each."""
    until = deferred_until(choice, now=now)
    officer = _checked(officer, key="alert.empty_officer", field_name="--officer", limit=MAX_OFFICER_CHARS)
    note = clean_field(note, field_name="--note", limit=MAX_NOTE_CHARS, required=False)
    return store.call(alert_store.defer_selected, _bulk_selection(selection), until=until, officer=officer, note=note, now=now)


def resolve(store: Store, alert_id: int, *, officer: str, now: datetime) -> Alert:
    """Close an alert; an acknowledgement it carries stays on record."""
    officer = _checked(officer, key="alert.empty_officer", field_name="--officer", limit=MAX_OFFICER_CHARS)
    return store.call(alert_store.resolve, alert_id, officer=officer, now=now)


class AlertService:
    """The event loop's view of alerts: lifecycle changes and due notifications, never blocking."""

    def __init__(self, *, store: Store, clock: Clock, policy: NotificationPolicy | None = None) -> None:
        self._store = store
        self._clock = clock
        self.policy = policy or NotificationPolicy()

    async def take_due_notifications(self) -> list[Notification]:
        """The notifications due now, recorded as shown.

        The caller shows each one through its notifier chain (tray, banner, log line), which
        never drops a message, so recording them here is what keeps them from repeating early.
        """
        now = self._clock.now()
        candidates = await self._store.run(
            alert_store.notification_candidates,
            now=now,
            repeat_after=self.policy.repeat_after,
            immediate=self.policy.immediate,
            digest=self.policy.digest,
        )
        shown = await self._store.run(alert_store.recently_shown, since=now - self.policy.item_window)
        due = self.policy.due_notifications(candidates, now=now, recently_shown=shown)
        if due:
            await self._store.run(alert_store.mark_notified, _ids(due), now=now)
        return due


def _ids(notifications: Sequence[Notification]) -> list[int]:
    return [alert_id for notification in notifications for alert_id in notification.alert_ids]


__all__ = [
    "Alert",
    "AlertCounts",
    "AlertFilter",
    "AlertService",
    "AlertState",
    "Deferral",
    "Notification",
    "NotificationKind",
    "NotificationPolicy",
    "acknowledge",
    "acknowledge_selected",
    "count_selected",
    "counts",
    "defer_selected",
    "deferred_until",
    "iter_alerts",
    "list_alerts",
    "resolve",
]
