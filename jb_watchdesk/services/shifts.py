"""Duty shifts and the handover (§4.3 of the notice).

A shift has one officer, a start and an end. A new shift starts only after the previous one
ended: with the outgoing officer's note, or force-closed with a recorded reason when the officer
left without ending it. What is still open when a shift ends (unacknowledged alerts, overdue
comments, accounts in veto or failing, emergencies still waiting for their first post) is the
*carry-over*; the incoming officer reviews it and confirms the handover. Open alerts are counted
as everywhere else (``AlertCounts``); the live ones are listed, the backlog only counted.

Inspections: the poll cycle records an automatic one per account per cycle
(``record_auto_inspections``); the officer records manual ones with the four checks of §4.3, each
``ok`` or a finding, plus the corrective action taken. Every one of these events is also a ledger
row, written in the same transaction (``storage/audit.py``).
"""


from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from jb_watchdesk.domain import rules
from jb_watchdesk.domain.alerts import AlertCounts
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import Account, CommentState, Freshness, Health
from jb_watchdesk.domain.record import (
    EmergencyStatus,
    Shift,
)
from jb_watchdesk.domain.reports import UnacknowledgedAlert
from jb_watchdesk.services import comments as comment_service
from jb_watchdesk.services import status as status_service
from jb_watchdesk.services.emergencies import emergency_status
from jb_watchdesk.services.fields import MAX_NAME, MAX_TEXT
from jb_watchdesk.services.fields import clean_field as _clean
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage import reports as report_store
from jb_watchdesk.storage import shifts as shift_store
from jb_watchdesk.storage.db import Store

if TYPE_CHECKING:
    from sqlite_utils import Database


def current_shift(store: Store) -> Shift | None:
    return store.query(shift_store.open_shift)


def list_shifts(store: Store, *, limit: int = 200) -> list[Shift]:
    return store.query(shift_store.list_shifts, limit=limit)


def start_shift(store: Store, *, officer: str, now: datetime) -> Shift:
    """Open a shift for ``officer``; refused while another shift is open."""
    name = _clean(officer, field_name="officer", limit=MAX_NAME, required=True)
    return store.call(shift_store.start_shift, officer=name, now=now)


def end_shift(store: Store, *, now: datetime, note: str = "", force_reason: str | None = None) -> Shift:
    """End the open shift with a handover note, or force-close it with a reason.

    The carry-over as of ``now`` goes into the ledger with the end, so the record shows what the
    outgoing officer left open.
    """
    shift = store.call(shift_store.open_shift)
    if shift is None:
        raise InputError("shift.none_open")
    if now < shift.started_at:
        raise InputError("shift.end_before_start", started_at=shift.started_at.astimezone(rules.SHANGHAI).isoformat())
    clean_note = _clean(note, field_name="note", limit=MAX_TEXT, required=False)
    reason = None if force_reason is None else _clean(force_reason, field_name="force", limit=MAX_TEXT, required=True)
    summary = carry_over(store, now=now).summary()
    return store.call(shift_store.end_shift, shift_id=shift.id, now=now, note=clean_note, force_reason=reason, carry_over=summary)


@dataclass(frozen=True, slots=True)
class CarryOver:
    """What is still open at ``as_of``: the incoming officer takes these over.

    ``open_alerts`` are the open *live* alerts, most serious first, then the longest waiting;
    backlog alerts are not listed, only counted in ``alert_counts`` (the same counts as the
    tile, the banner, the tray and ``alerts --json``: ``alert_counts.open_live`` is
    ``len(open_alerts)``).
    """

    as_of: datetime
    open_alerts: list[UnacknowledgedAlert] = field(default_factory=list)
    overdue_comments: list[comment_service.CommentRow] = field(default_factory=list)
    accounts_at_risk: list[status_service.AccountStatusRow] = field(default_factory=list)
    waiting_emergencies: list[EmergencyStatus] = field(default_factory=list)
    alert_counts: AlertCounts = field(default_factory=AlertCounts)
    unread_accounts: list[Account] = field(default_factory=list)
    """Accounts no machine source reads (``status.needs_reading``) that no officer read during the
    shift (since it started; with no shift on duty, in the last 12 hours): never read first, then
    the longest since their last reading."""

    @property
    def empty(self) -> bool:
        """Nothing to take over, the backlog included."""
        return not (
            self.open_alerts or self.alert_counts.open or self.overdue_comments or self.accounts_at_risk or self.waiting_emergencies
            or self.unread_accounts
        )

    @property
    def backlog_alerts(self) -> int:
        """Open backlog alerts: counted, not listed (the officer reviews them in bulk)."""
        return self.alert_counts.open_backlog

    def summary(self) -> dict[str, object]:
        """Ids of the open items and the alert counts: what the ledger records with a shift end or
        a handover confirmation (backlog alerts by number only, so a new account's history never
        swells the record)."""
        return {
            "as_of": self.as_of.isoformat(),
            "alerts": [a.id for a in self.open_alerts],
            "alert_counts": self.alert_counts.as_json(),
            "comments": [c.id for c in self.overdue_comments],
            "accounts": [r.account.id for r in self.accounts_at_risk],
            "emergencies": [e.emergency.id for e in self.waiting_emergencies],
            "unread_accounts": [a.id for a in self.unread_accounts],
        }


_AT_RISK_HEALTH: Final = {Health.FAILING, Health.AUTH_EXPIRED}
UNSHIFTED_READING_WINDOW: Final = timedelta(hours=12)
"""With no shift on duty, a reading counts for the carry-over if it is this recent (one shift)."""


def reading_window_start(store: Store, *, now: datetime) -> datetime:
    """Since when a reading counts as this shift's: the shift on duty's start, else 12 hours ago."""
    shift = store.query(shift_store.open_shift)
    if shift is not None and shift.started_at <= now:
        return shift.started_at
    return now - UNSHIFTED_READING_WINDOW


def unread_accounts(store: Store, *, now: datetime) -> list[Account]:
    """Accounts the officer reads that no reading covers since :func:`reading_window_start`,
    never read first, then by their last reading, oldest first (then by name)."""
    since = reading_window_start(store, now=now)

    def read(db: Database) -> list[Account]:
        last = inspection_store.last_readings(db, now=now)
        unread = [
            a for a in account_store.list_accounts(db)
            if status_service.needs_reading(a) and (a.id not in last or last[a.id].recorded_at < since)
        ]
        return sorted(unread, key=lambda a: (a.id in last, last[a.id].recorded_at if a.id in last else now, a.name, a.id))

    return store.query(read)


def open_alerts(store: Store, *, now: datetime) -> tuple[AlertCounts, list[UnacknowledgedAlert]]:
    """The alert counts and the open live alerts as of ``now``, read together so they agree.

    The counts are ``storage.alerts.count_alerts`` (what every screen shows) whenever nothing was
    recorded about an alert after ``now``; see ``storage/reports.py`` for an earlier instant.
    """

    def read(db: Database) -> tuple[AlertCounts, list[UnacknowledgedAlert]]:
        return report_store.alert_counts_at(db, at=now), report_store.open_alerts_at(db, at=now, backlog=False)

    return store.query(read)  # one read transaction: no wait for the poller's writes


def carry_over(store: Store, *, now: datetime) -> CarryOver:
    """Open items as of ``now``.

    Freshness and comment states are evaluated as of ``now``; account health is the latest
    known, since the store keeps no health history beyond the automatic inspections.
    """
    counts, alerts = open_alerts(store, now=now)
    overdue = [
        c
        for c in comment_service.list_comments(store, now=now, pending_only=True)
        if c.state in (CommentState.OVERDUE_ACK, CommentState.OVERDUE_RESULT)
    ]
    at_risk = [
        r
        for r in status_service.account_status(store, now=now)
        if r.freshness is Freshness.VETO or r.account.health in _AT_RISK_HEALTH
    ]
    waiting = [s for s in emergency_status(store, now=now) if s.state in ("waiting", "missed") and s.emergency.first_post_id is None]
    return CarryOver(
        as_of=now, open_alerts=alerts, overdue_comments=overdue, accounts_at_risk=at_risk, waiting_emergencies=waiting,
        alert_counts=counts, unread_accounts=unread_accounts(store, now=now),
    )


@dataclass(frozen=True, slots=True)
class Handover:
    """What ``shift handover`` shows: the ended shift to take over, who is on duty, and the open items."""

    previous: Shift | None
    on_duty: Shift | None
    carry_over: CarryOver

    @property
    def awaiting_confirmation(self) -> bool:
        return self.previous is not None and self.previous.handover_confirmed_at is None

    @property
    def alert_counts(self) -> AlertCounts:
        """The open-alert counts of the carry-over: the same numbers as the tile, the tray and ``alerts --json``."""
        return self.carry_over.alert_counts


def handover(store: Store, *, now: datetime) -> Handover:
    previous, on_duty = store.query(lambda db: (shift_store.last_ended_shift(db), shift_store.open_shift(db)))  # one moment
    return Handover(previous=previous, on_duty=on_duty, carry_over=carry_over(store, now=now))


def confirm_handover(store: Store, *, officer: str, now: datetime) -> Shift:
    """The incoming officer confirms taking over the last ended shift and its carry-over.

    When a shift is already open, only its officer may confirm: the handover is between the
    outgoing and the incoming officer, not a third person — and never the outgoing one.
    """
    name = _clean(officer, field_name="officer", limit=MAX_NAME, required=True)
    view = handover(store, now=now)
    if not view.awaiting_confirmation or view.previous is None:
        raise InputError("handover.nothing_to_confirm")
    if view.previous.officer == name:  # a handover is between two people
        raise InputError("handover.own_shift", officer=name)
    if view.on_duty is not None and view.on_duty.officer != name:
        raise InputError("handover.not_on_duty", officer=name, on_duty=view.on_duty.officer)
    return store.call(shift_store.confirm_handover, shift_id=view.previous.id, officer=name, now=now, carry_over=view.carry_over.summary())


