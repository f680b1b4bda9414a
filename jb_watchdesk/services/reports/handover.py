"""The handover record of a shift or a time range: shifts, inspections, alerts, the alerts left
open, escalations, deferrals, comments, accounts at risk, emergencies and what is carried over,
with the facts an officer signs under.

The open alerts are counted as every screen counts them (``AlertCounts``, as of the end of the
shift or range) and said in one sentence; the live ones are listed, the most serious first and at
most :data:`OPEN_ALERTS_LISTED` of them, with how many more; backlog alerts only by number, so a
new account's history never buries what the next officer must do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Final

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.alerts import AlertCounts
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import Freshness, Health
from jb_watchdesk.domain.record import EmergencyStatus, Shift, status_of
from jb_watchdesk.domain.reports import (
    ChannelOutcome,
    DeferralAction,
    HandledComment,
    UnacknowledgedAlert,
    WindowAlert,
    WindowEscalation,
    WindowReading,
)
from jb_watchdesk.services import comments as comment_service
from jb_watchdesk.services import problems
from jb_watchdesk.services import shifts as shift_service
from jb_watchdesk.services import status as status_service
from jb_watchdesk.services.gaps import unwatched
from jb_watchdesk.services.reports import inspection_log
from jb_watchdesk.services.reports.document import (
    Document,
    Section,
    aside,
    cell,
    duration,
    free_text,
    headers,
    listing,
    local,
    mask_name,
    pair,
    parts,
    rule_name,
    t,
)
from jb_watchdesk.services.reports.weekly import gaps_section
from jb_watchdesk.storage import audit
from jb_watchdesk.storage import emergencies as emergency_store
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage import reports as report_store
from jb_watchdesk.storage import shifts as shift_store
from jb_watchdesk.storage.db import Store

OPEN_ALERTS_LISTED: Final = 50
"""The open live alerts the handover's XLSX "open alerts" sheet lists one by one; it says how many more there are."""
OPEN_ITEMS_LISTED: Final = 60
"""Open items the PDF lists (about three pages), the most serious first; the XLSX has them all."""
MANUAL_LISTED: Final = 30
"""The officers' own inspections the PDF lists; the automatic ones are a count on the summary page."""
SUMMARY_NAMES: Final = 8
"""Accounts named in one line of the summary page; beyond, how many in all."""
DEFERRAL_IDS_LISTED: Final = 20
"""Alert numbers named in one deferral's row; the rest by number."""


def counts_line(counts: AlertCounts) -> str:
    """``待处理告警 N（高风险 H；实时 L，存量待核查 B）``: the open-alert counts in one sentence."""
    return t("alert.open_counts", open=counts.open, high=counts.open_high, live=counts.open_live, backlog=counts.open_backlog)


def _alert_rows(alerts: Sequence[WindowAlert], platforms: dict[int, str]) -> list[list[str]]:
    return [
        [
            str(a.id),
            cell(a.account_name),
            platforms.get(a.account_id, ""),
            messages.label("category", a.category),
            messages.label("severity", a.severity),
            rule_name(a.rule, a.category),
            free_text(a.text),
            free_text(a.context),
            local(a.raised_at),
            messages.label("alert_state", a.state),
            cell(a.ack_by),
            free_text(a.ack_note),
            local(a.ack_at),
            local(a.published_at),
            str(a.hits),
        ]
        for a in alerts
    ]


def _age(published_at: datetime | None, as_of: datetime) -> str:
    """How long the item had been published at ``as_of``: ``3天4小时``, ``5小时12分``, ``40分钟``."""
    return "" if published_at is None else duration(published_at, as_of)


def _open_alert_rows(alerts: Sequence[UnacknowledgedAlert], *, as_of: datetime) -> list[list[str]]:
    return [
        [
            str(a.id),
            cell(a.account_name),
            messages.label("platform", a.platform) if a.platform else "",
            messages.label("category", a.category),
            messages.label("severity", a.severity),
            rule_name(a.rule, a.category),
            free_text(a.text),
            str(a.hits),
            local(a.published_at),
            _age(a.published_at, as_of),
            local(a.raised_at),
            local(a.escalated_at),
        ]
        for a in alerts
    ]


def _sentences(parts: list[str]) -> str:
    """Sentences as the language writes them: run together in Chinese, a space apart in English."""
    return (" " if messages.current_language() == "en" else "").join(parts)


def _open_alerts_section(carry: shift_service.CarryOver) -> Section:
    """The open live alerts for the next officer (bounded, with how many more), the backlog as a number."""
    listed = carry.open_alerts[:OPEN_ALERTS_LISTED]
    notes = [t("export.open_alerts.note", counts=counts_line(carry.alert_counts))]
    if len(carry.open_alerts) > len(listed):
        notes.append(t("export.open_alerts.more", count=len(carry.open_alerts) - len(listed)))
    if carry.backlog_alerts:
        notes.append(t("export.open_alerts.backlog", count=carry.backlog_alerts))
    return Section(
        "open_alerts",
        t("export.section.open_alerts"),
        headers("id", "account", "platform", "category", "severity", "rule", "content", "hits", "published_at", "age",
                "raised_at", "escalated_at"),
        _open_alert_rows(listed, as_of=carry.as_of),
        (6, 14, 8, 9, 4, 12, 30, 6, 17, 10, 17, 17),
        note=_sentences(notes),
        numeric=(7,),
    )


_URL: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://)(\S*)")


def _mask_url(match: re.Match[str]) -> str:
    scheme, rest = match.group(1), match.group(2)
    return match.group(0) if "*" in rest else f"{scheme}{rest[:2]}****"


def _no_keys(text: str) -> str:
    """A channel or its error as stored, with any address not already masked cut to its first
    characters: a channel URL holds the key, and the record never shows one."""
    return _URL.sub(_mask_url, text)


def _channel_text(channel: ChannelOutcome) -> str:
    name = cell(_no_keys(channel.channel))
    if channel.ok:
        return t("export.escalation.channel_ok", channel=name)
    return t("export.escalation.channel_failed", channel=name, error=free_text(_no_keys(channel.error)) or t("export.none"))


def _step_text(step: int) -> str:
    if step in (1, 2):
        return t(f"export.escalation.step.{step}")
    return t("export.escalation.step.n", step=step)


def _escalation_outcome(escalation: WindowEscalation) -> str:
    if not escalation.channels:
        return t("export.escalation.sounded") if escalation.step == 1 else t("export.escalation.no_channel")
    if not escalation.failed:
        return t("export.escalation.all_ok")
    return t("export.escalation.some_failed", failed=len(escalation.failed), total=len(escalation.channels))


def _escalation_what(escalation: WindowEscalation) -> str:
    if escalation.subject == "alert" and escalation.category:
        return free_text(pair(messages.label("category", escalation.category), escalation.text))
    return free_text(escalation.text)


def _escalation_rows(escalations: Sequence[WindowEscalation]) -> list[list[str]]:
    subjects = {name: t(f"export.escalation.subject.{name}") for name in ("alert", "comment", "emergency")}
    return [
        [
            local(e.at),
            subjects.get(e.subject, cell(e.subject)),
            str(e.ref_id),
            cell(e.account_name),
            messages.label("platform", e.platform) if e.platform else "",
            _escalation_what(e),
            messages.label("severity", e.severity) if e.severity else "",
            _step_text(e.step),
            parts(_channel_text(c) for c in e.channels),
            _escalation_outcome(e),
        ]
        for e in escalations
    ]


def _deferral_ids(ids: Sequence[int]) -> str:
    shown = listing(str(i) for i in ids[:DEFERRAL_IDS_LISTED])
    if len(ids) <= DEFERRAL_IDS_LISTED:
        return shown
    return t("export.deferral.ids_more", ids=shown, count=len(ids))


def _deferral_rows(deferrals: Sequence[DeferralAction]) -> list[list[str]]:
    return [
        [local(d.at), cell(d.officer), str(len(d.alert_ids)), local(d.until), free_text(d.note), _deferral_ids(d.alert_ids)]
        for d in deferrals
    ]


def _comment_rows(comments: Sequence[HandledComment], platforms: dict[int, str]) -> list[list[str]]:
    return [
        [
            str(c.id),
            cell(c.account_name),
            platforms.get(c.account_id, ""),
            mask_name(c.author),
            free_text(c.text),
            local(c.created_at),
            local(c.ack_due),
            local(c.acked_at),
            cell(c.acked_by),
            free_text(c.ack_note),
            local(c.result_due),
            local(c.done_at),
            free_text(c.done_note),
        ]
        for c in comments
    ]


def _overdue_rows(items: Sequence[comment_service.CommentRow], platforms: dict[int, str]) -> list[list[str]]:
    estimated = t("export.estimated")
    return [
        [
            str(c.id),
            cell(c.account_name),
            platforms.get(c.account_id, ""),
            mask_name(c.author),
            free_text(c.text),
            messages.label("comment_state", c.state),
            local(c.created_at),
            local(c.ack_due),
            local(c.result_due) + (estimated if c.result_due_estimated else ""),
        ]
        for c in items
    ]


def _account_rows(rows: Sequence[status_service.AccountStatusRow]) -> list[list[str]]:
    return [
        [
            str(r.account.id),
            cell(r.account.name),
            messages.label("platform", r.account.platform),
            cell(r.account.unit),
            messages.label("freshness", r.freshness),
            str(r.posts_7d),
            "" if r.days_silent is None else str(r.days_silent),
            messages.label("health", r.account.health),
            cell(problems.health_text(r.account) if r.account.health_reason else ""),
        ]
        for r in rows
    ]


def _emergency_rows(items: Sequence[EmergencyStatus]) -> list[list[str]]:
    return [
        [
            str(s.emergency.id),
            free_text(s.emergency.title),
            cell(listing(s.emergency.keywords)),
            local(s.emergency.activated_at),
            local(s.clock.due),
            local(s.emergency.first_post_at),
            messages.label("emergency_state", s.state),
        ]
        for s in items
    ]


_RANK: Final = {"emergency": 0, "alert.high": 1, "comment": 2, "alert.medium": 3, "account": 4, "unread": 5, "alert.low": 6}
"""How serious an open item is, most serious first: the order of the handover's open items."""


def _open_items(carry: shift_service.CarryOver, platform_codes: dict[int, str]) -> list[tuple[int, int, str, list[str]]]:
    """Every open item as (rank, account id, account name, row): account, platform, kind, id,
    what, since. Emergencies belong to no account (id 0)."""
    items: list[tuple[int, int, str, list[str]]] = []
    kind = {name: t(f"export.carry.{name}") for name in ("alert", "comment", "account", "emergency", "unread")}

    def add(rank: str, account_id: int, name: str, platform: str, what: str, ref: str, content: str, since: str) -> None:
        label = messages.label("platform", platform) if platform else ""
        items.append((_RANK[rank], account_id, name, [cell(name) or t("export.none"), label, what, ref, content, since]))

    for s in carry.waiting_emergencies:
        content = free_text(aside(s.emergency.title, messages.label("emergency_state", s.state)))
        add("emergency", 0, "", "", kind["emergency"], str(s.emergency.id), content, local(s.emergency.activated_at))
    for a in carry.open_alerts:
        content = free_text(pair(aside(messages.label("category", a.category), messages.label("severity", a.severity)), a.text))
        add(f"alert.{a.severity.value}", a.account_id, a.account_name, a.platform, kind["alert"], str(a.id), content,
            local(a.published_at or a.raised_at))
    for c in carry.overdue_comments:
        content = free_text(pair(messages.label("comment_state", c.state), c.text))
        add("comment", c.account_id, c.account_name, platform_codes.get(c.account_id, ""), kind["comment"], str(c.id), content,
            local(c.created_at))
    for r in carry.accounts_at_risk:
        what = t(
            "export.carry.account_text",
            freshness=messages.label("freshness", r.freshness),
            health=messages.label("health", r.account.health),
        )
        add("account", r.account.id, r.account.name, r.account.platform.value, kind["account"], str(r.account.id), what,
            local(r.last_post_at))
    for account in carry.unread_accounts:
        add("unread", account.id, account.name, account.platform.value, kind["unread"], str(account.id),
            t("export.carry.unread_text"), "")
    return items


def _grouped(items: list[tuple[int, int, str, list[str]]]) -> list[list[str]]:
    """Rows grouped by account, the account with the most serious item first; within an account
    the most serious first (a stable order otherwise: as the carry-over lists them)."""
    first: dict[int, int] = {}
    for rank, account_id, _name, _row in items:
        first[account_id] = min(first.get(account_id, rank), rank)
    ordered = sorted(enumerate(items), key=lambda e: (first[e[1][1]], e[1][2], e[1][1], e[1][0], e[0]))
    return [row for _i, (_rank, _account, _name, row) in ordered]


def _shift_rows(items: Sequence[Shift]) -> list[list[str]]:
    return [
        [
            str(s.id),
            cell(s.officer),
            local(s.started_at),
            local(s.ended_at) or t("export.handover.on_duty"),
            free_text(s.end_note),
            free_text(s.force_closed_reason),
            cell(s.handover_confirmed_by),
            local(s.handover_confirmed_at),
        ]
        for s in items
    ]


def _reading_rows(readings: Sequence[WindowReading]) -> list[list[str]]:
    return [
        [
            str(r.id),
            cell(r.account_name),
            messages.label("platform", r.platform) if r.platform else "",
            t("export.reading.by", officer=cell(r.officer) or t("export.none"), when=local(r.recorded_at)),
            local(r.latest_post_at),
            "" if r.posts_seen is None else str(r.posts_seen),
            "" if r.comments_waiting is None else str(r.comments_waiting),
            cell(r.link),
        ]
        for r in readings
    ]


def _newly_at_risk(
    now_rows: Sequence[status_service.AccountStatusRow], before: dict[int, Freshness], *, start: datetime
) -> list[status_service.AccountStatusRow]:
    """Accounts that came into warn or veto, or began failing, since ``start``."""
    newly = []
    for r in now_rows:
        stale = r.freshness in (Freshness.WARN, Freshness.VETO) and before.get(r.account.id) not in (Freshness.WARN, Freshness.VETO)
        failing = r.account.health in (Health.FAILING, Health.AUTH_EXPIRED) and (
            r.account.health_since is not None and r.account.health_since >= start
        )
        if stale or failing:
            newly.append(r)
    return newly


def _summary_section(rows: list[list[str]]) -> Section:
    return Section(
        "summary", t("export.section.summary"), headers("item", "count", "detail"), rows, (18, 8, 70),
        note=t("export.summary.note"), numeric=(1,), break_after=True,
    )


def build_handover(
    store: Store, *, now: datetime, shift_id: int | None = None, start: datetime | None = None, end: datetime | None = None
) -> Document:
    """The handover record of one shift (``shift_id``) or of a time range (``start``–``end``).

    Open items (carry-over, overdue comments, accounts at risk, accounts not read) are evaluated at
    the end of the shift, or ``now`` for a shift still open.

    The PDF is what the next officer reads: a summary page (what happened since the shift began,
    in numbers), then only what is open, grouped by account with its platform, at most
    :data:`OPEN_ITEMS_LISTED` rows (the most serious first, then how many more), and the
    monitoring gaps. Every detail (shifts, inspections, alerts, comments, escalations, deferrals,
    readings, the whole open list) is in the XLSX and CSV.
    """
    if shift_id is not None:
        shift = store.query(shift_store.get_shift, shift_id)
        start, end = shift.started_at, shift.ended_at or now
        shifts = [shift]
        title = t("export.handover.title_shift", id=shift.id)
    else:
        if start is None or end is None or start >= end:
            raise InputError("export.bad_range")
        shifts = store.query(shift_store.shifts_overlapping, start=start, end=end)
        title = t("export.handover.title")
    as_of = min(end, now)
    anchor = store.query(audit.anchor)
    inspections = store.query(
        lambda db: inspection_log.section(
            inspection_store.iter_inspections(db, start=start, end=end, shift_id=shift_id), automatic=False, limit=MANUAL_LISTED
        )
    )
    alerts = store.query(report_store.alerts_in_window, start=start, end=end)
    backlog_raised = store.query(report_store.backlog_raised_in_window, start=start, end=end)
    escalations = store.query(report_store.escalations_in_window, start=start, end=end)
    deferrals = store.query(report_store.deferrals_in_window, start=start, end=end)
    handled = store.query(report_store.comments_acknowledged, start=start, end=end)
    gaps = store.query(report_store.gaps_in_window, start=start, end=end)
    readings = store.query(report_store.readings_in_window, start=start, end=end)
    carry = shift_service.carry_over(store, now=as_of)
    all_statuses = status_service.account_status(store, now=as_of)
    before = {r.account.id: r.freshness for r in status_service.account_status(store, now=start)}
    platform_codes = {r.account.id: r.account.platform.value for r in all_statuses}
    platforms = {i: messages.label("platform", code) for i, code in platform_codes.items()}
    statuses = [
        r
        for r in all_statuses
        if r.freshness in (Freshness.WARN, Freshness.VETO) or r.account.health in (Health.FAILING, Health.AUTH_EXPIRED, Health.DEGRADED)
    ]
    newly = _newly_at_risk(statuses, before, start=start)
    emergencies = [status_of(e, now=as_of) for e in store.query(emergency_store.emergencies_overlapping, start=start, end=end)]
    live_raised = sum(1 for a in alerts if not a.backlog and start <= a.raised_at < end)
    cleared = sum(1 for a in alerts if a.ack_at is not None and start <= a.ack_at < end)
    counts = store.query(inspection_store.count_inspections, start=start, end=end, shift_id=shift_id)
    confirmed = [
        t("export.handover.fact.confirmed_by", officer=s.handover_confirmed_by, when=local(s.handover_confirmed_at))
        for s in shifts
        if s.handover_confirmed_by
    ]
    acked = sum(1 for a in alerts if a.ack_at)
    facts = (
        (t("export.handover.fact.period"), t("export.range", start=local(start), end=local(end))),
        (t("export.handover.fact.officers"), listing(s.officer for s in shifts) or t("export.none")),
        (
            t("export.handover.fact.alerts"),
            t("export.handover.fact.alerts_text", total=len(alerts), acked=acked, backlog=backlog_raised),
        ),
        (
            t("export.handover.fact.open_alerts"),
            t("export.handover.fact.open_alerts_text", counts=counts_line(carry.alert_counts), when=local(carry.as_of)),
        ),
        (
            t("export.handover.fact.escalations"),
            t("export.handover.fact.escalations_text", count=len(escalations), failed=sum(len(e.failed) for e in escalations)),
        ),
        (t("export.handover.fact.confirmed"), parts(confirmed) or t("export.handover.fact.unconfirmed")),
    )

    def named(rows: Sequence[status_service.AccountStatusRow]) -> str:
        shown = listing(aside(cell(r.account.name), platforms[r.account.id]) for r in rows[:SUMMARY_NAMES])
        return t("export.summary.names_more", names=shown, count=len(rows)) if len(rows) > SUMMARY_NAMES else shown

    gap_time = unwatched(gaps, start=start, end=as_of)
    open_emergencies = len(carry.waiting_emergencies)
    summary_rows = [
        [t("export.summary.new_alerts"), str(live_raised), t("export.summary.new_alerts_text", backlog=backlog_raised)],
        [t("export.summary.cleared_alerts"), str(cleared), ""],
        [t("export.summary.open_alerts"), str(carry.alert_counts.open), counts_line(carry.alert_counts)],
        [t("export.summary.overdue_comments"), str(len(carry.overdue_comments)),
         t("export.handover.fact.comments_text", handled=len(handled), overdue=len(carry.overdue_comments))],
        [t("export.summary.newly_at_risk"), str(len(newly)), named(newly)],
        [t("export.summary.gaps"), str(len(gaps)),
         t("export.summary.gaps_text", total=duration(start, start + gap_time)) if gaps else ""],
        [t("export.summary.emergencies"), str(len(emergencies)), t("export.summary.emergencies_text", waiting=open_emergencies)],
        [t("export.summary.readings_done"), str(len(readings)), ""],
        [t("export.summary.readings_missing"), str(len(carry.unread_accounts)),
         listing(aside(cell(a.name), platforms.get(a.id, "")) for a in carry.unread_accounts[:SUMMARY_NAMES])],
        [t("export.summary.escalations"), str(len(escalations)),
         t("export.handover.fact.escalations_text", count=len(escalations), failed=sum(len(e.failed) for e in escalations))],
        [t("export.summary.inspections"), str(sum(counts.values())),
         t("export.handover.fact.inspections_text", auto=counts.get("auto", 0), manual=counts.get("manual", 0),
           correction=counts.get("correction", 0))],
    ]
    open_rows = _grouped(_open_items(carry, platform_codes))
    open_headers = headers("account", "platform", "kind", "id", "content", "since")
    open_widths = (16, 9, 10, 6, 50, 17)
    listed = open_rows[:OPEN_ITEMS_LISTED]
    more = len(open_rows) - len(listed)
    open_note = t("export.open_items.note", counts=counts_line(carry.alert_counts))
    if carry.backlog_alerts:
        open_note = _sentences([open_note, t("export.open_alerts.backlog", count=carry.backlog_alerts)])
    bounded_note = _sentences([open_note, t("export.open_items.more", count=more)]) if more else open_note
    open_section = Section(
        "open_items", t("export.section.open_items"), open_headers, open_rows, open_widths, note=open_note, numeric=(3,),
        summary=Section("open_items", t("export.section.open_items"), open_headers, listed, open_widths, note=bounded_note),
    )
    sections = (
        _summary_section(summary_rows),
        open_section,
        gaps_section(gaps, as_of=as_of),
        Section("shifts", t("export.section.shifts"),
                headers("id", "officer", "start", "end", "end_note", "force_reason", "confirmed_by", "confirmed_at"),
                _shift_rows(shifts), (6, 10, 17, 17, 40, 24, 10, 17), numeric=(0,), in_pdf=False),
        inspections,
        Section("readings", t("export.section.readings"),
                headers("id", "account", "platform", "recorded_by", "latest_post", "posts_seen", "comments_waiting", "link"),
                _reading_rows(readings), (6, 16, 9, 26, 17, 8, 8, 30), numeric=(0, 5, 6), in_pdf=False),
        Section("alerts", t("export.section.alerts"),
                headers("id", "account", "platform", "category", "severity", "rule", "content", "context", "raised_at", "state",
                        "ack_by", "ack_note", "acked_at", "published_at", "hits"),
                _alert_rows(alerts, platforms), (5, 14, 9, 9, 4, 12, 20, 26, 17, 7, 9, 22, 17, 17, 6),
                note=t("export.alerts.backlog_note", count=backlog_raised) if backlog_raised else "", numeric=(0, 14), in_pdf=False),
        replace(_open_alerts_section(carry), in_pdf=False),
        Section("escalations", t("export.section.escalations"),
                headers("time", "subject", "id", "account", "platform", "content", "severity", "step", "channels", "outcome"),
                _escalation_rows(escalations), (17, 8, 6, 14, 9, 30, 4, 16, 40, 14), numeric=(2,), in_pdf=False),
        Section("deferrals", t("export.section.deferrals"),
                headers("time", "officer", "alerts", "until", "note", "alert_ids"),
                _deferral_rows(deferrals), (17, 10, 6, 17, 30, 40), numeric=(2,), in_pdf=False),
        Section("comments", t("export.section.comments"),
                headers("id", "account", "platform", "author", "comment", "created_at", "ack_due", "acked_at", "ack_by", "ack_note",
                        "result_due", "done_at", "done_note"),
                _comment_rows(handled, platforms), (5, 14, 9, 7, 28, 17, 17, 17, 9, 16, 17, 17, 16), numeric=(0,), in_pdf=False),
        Section("overdue_comments", t("export.section.overdue_comments"),
                headers("id", "account", "platform", "author", "comment", "state", "created_at", "ack_due", "result_due"),
                _overdue_rows(carry.overdue_comments, platforms), (5, 16, 9, 7, 40, 12, 17, 17, 21), numeric=(0,), in_pdf=False),
        Section("accounts", t("export.section.accounts"),
                headers("id", "account", "platform", "unit", "freshness", "posts_7d", "days_silent", "health", "health_reason"),
                _account_rows(statuses), (6, 20, 12, 20, 10, 10, 8, 10, 30), numeric=(0, 5, 6), in_pdf=False),
        Section("emergencies", t("export.section.emergencies"),
                headers("id", "emergency", "keywords", "activated_at", "due", "first_post_at", "state"),
                _emergency_rows(emergencies), (6, 30, 20, 17, 17, 17, 12), numeric=(0,), in_pdf=False),
    )
    return Document(
        title=title,
        facts=facts,
        sections=sections,
        anchor=anchor,
        generated_at=now,
        signatures=(t("export.handover.signature_out"), t("export.handover.signature_in")),
    )
