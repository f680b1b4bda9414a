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
)
from jb_watchdesk.services import comments as comment_service
from jb_watchdesk.services import problems
from jb_watchdesk.services import shifts as shift_service
from jb_watchdesk.services import status as status_service
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
from jb_watchdesk.storage import audit
from jb_watchdesk.storage import emergencies as emergency_store
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage import reports as report_store
from jb_watchdesk.storage import shifts as shift_store
from jb_watchdesk.storage.db import Store

OPEN_ALERTS_LISTED: Final = 50
"""The open live alerts the handover lists one by one; it says how many more there are."""
DEFERRAL_IDS_LISTED: Final = 20
"""Alert numbers named in one deferral's row; the rest by number."""


def counts_line(counts: AlertCounts) -> str:
    """``待处理告警 N（高风险 H；实时 L，存量待核查 B）``: the open-alert counts in one sentence."""
    return t("alert.open_counts", open=counts.open, high=counts.open_high, live=counts.open_live, backlog=counts.open_backlog)


def _alert_rows(alerts: Sequence[WindowAlert]) -> list[list[str]]:
    return [
        [
            str(a.id),
            cell(a.account_name),
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


def _comment_rows(comments: Sequence[HandledComment]) -> list[list[str]]:
    return [
        [
            str(c.id),
            cell(c.account_name),
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


def _overdue_rows(items: Sequence[comment_service.CommentRow]) -> list[list[str]]:
    estimated = t("export.estimated")
    return [
        [
            str(c.id),
            cell(c.account_name),
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


def _carry_rows(carry: shift_service.CarryOver) -> list[list[str]]:
    rows: list[list[str]] = []
    kind = {name: t(f"export.carry.{name}") for name in ("alert", "comment", "account", "emergency")}
    if carry.alert_counts.open:  # listed in the open-alerts section; here the one sentence
        rows.append([kind["alert"], "", "", counts_line(carry.alert_counts), local(carry.as_of)])
    for c in carry.overdue_comments:
        content = free_text(pair(messages.label("comment_state", c.state), c.text))
        rows.append([kind["comment"], str(c.id), cell(c.account_name), content, local(c.created_at)])
    for r in carry.accounts_at_risk:
        what = t(
            "export.carry.account_text",
            freshness=messages.label("freshness", r.freshness),
            health=messages.label("health", r.account.health),
        )
        rows.append([kind["account"], str(r.account.id), cell(r.account.name), what, local(r.last_post_at)])
    for s in carry.waiting_emergencies:
        content = free_text(aside(s.emergency.title, messages.label("emergency_state", s.state)))
        rows.append([kind["emergency"], str(s.emergency.id), "", content, local(s.emergency.activated_at)])
    return rows


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


def build_handover(
    store: Store, *, now: datetime, shift_id: int | None = None, start: datetime | None = None, end: datetime | None = None
) -> Document:
    """The handover record of one shift (``shift_id``) or of a time range (``start``–``end``).

    Open items (carry-over, overdue comments, accounts at risk) are evaluated at the end of the
    shift, or ``now`` for a shift still open.
    """
    if shift_id is not None:
        shift = store.call(shift_store.get_shift, shift_id)
        start, end = shift.started_at, shift.ended_at or now
        shifts = [shift]
        title = t("export.handover.title_shift", id=shift.id)
    else:
        if start is None or end is None or start >= end:
            raise InputError("export.bad_range")
        shifts = store.call(shift_store.shifts_overlapping, start=start, end=end)
        title = t("export.handover.title")
    as_of = min(end, now)
    anchor = store.call(audit.anchor)
    inspections = store.call(
        lambda db: inspection_log.section(inspection_store.iter_inspections(db, start=start, end=end, shift_id=shift_id))
    )
    alerts = store.call(report_store.alerts_in_window, start=start, end=end)
    backlog_raised = store.call(report_store.backlog_raised_in_window, start=start, end=end)
    escalations = store.call(report_store.escalations_in_window, start=start, end=end)
    deferrals = store.call(report_store.deferrals_in_window, start=start, end=end)
    handled = store.call(report_store.comments_acknowledged, start=start, end=end)
    carry = shift_service.carry_over(store, now=as_of)
    statuses = [
        r
        for r in status_service.account_status(store, now=as_of)
        if r.freshness in (Freshness.WARN, Freshness.VETO) or r.account.health in (Health.FAILING, Health.AUTH_EXPIRED, Health.DEGRADED)
    ]
    emergencies = [status_of(e, now=as_of) for e in store.call(emergency_store.emergencies_overlapping, start=start, end=end)]
    acked = sum(1 for a in alerts if a.ack_at)
    counts = store.call(inspection_store.count_inspections, start=start, end=end, shift_id=shift_id)
    confirmed = [
        t("export.handover.fact.confirmed_by", officer=s.handover_confirmed_by, when=local(s.handover_confirmed_at))
        for s in shifts
        if s.handover_confirmed_by
    ]
    facts = (
        (t("export.handover.fact.period"), t("export.range", start=local(start), end=local(end))),
        (t("export.handover.fact.officers"), listing(s.officer for s in shifts) or t("export.none")),
        (
            t("export.handover.fact.inspections"),
            t(
                "export.handover.fact.inspections_text",
                auto=counts.get("auto", 0), manual=counts.get("manual", 0), correction=counts.get("correction", 0),
            ),
        ),
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
        (
            t("export.handover.fact.comments"),
            t("export.handover.fact.comments_text", handled=len(handled), overdue=len(carry.overdue_comments)),
        ),
        (t("export.handover.fact.confirmed"), parts(confirmed) or t("export.handover.fact.unconfirmed")),
    )
    sections = (
        Section("shifts", t("export.section.shifts"),
                headers("id", "officer", "start", "end", "end_note", "force_reason", "confirmed_by", "confirmed_at"),
                _shift_rows(shifts), (6, 10, 17, 17, 40, 24, 10, 17)),
        inspections,
        Section("alerts", t("export.section.alerts"),
                headers("id", "account", "category", "severity", "rule", "content", "context", "raised_at", "state", "ack_by",
                        "ack_note", "acked_at", "published_at", "hits"),
                _alert_rows(alerts), (5, 14, 9, 4, 12, 20, 26, 17, 7, 9, 22, 17, 17, 6),
                note=t("export.alerts.backlog_note", count=backlog_raised) if backlog_raised else "", numeric=(13,)),
        _open_alerts_section(carry),
        Section("escalations", t("export.section.escalations"),
                headers("time", "subject", "id", "account", "content", "severity", "step", "channels", "outcome"),
                _escalation_rows(escalations), (17, 8, 6, 14, 30, 4, 16, 40, 14)),
        Section("deferrals", t("export.section.deferrals"),
                headers("time", "officer", "alerts", "until", "note", "alert_ids"),
                _deferral_rows(deferrals), (17, 10, 6, 17, 30, 40), numeric=(2,)),
        Section("comments", t("export.section.comments"),
                headers("id", "account", "author", "comment", "created_at", "ack_due", "acked_at", "ack_by", "ack_note",
                        "result_due", "done_at", "done_note"),
                _comment_rows(handled), (5, 14, 7, 28, 17, 17, 17, 9, 16, 17, 17, 16)),
        Section("overdue_comments", t("export.section.overdue_comments"),
                headers("id", "account", "author", "comment", "state", "created_at", "ack_due", "result_due"),
                _overdue_rows(carry.overdue_comments), (5, 16, 7, 40, 12, 17, 17, 21)),
        Section("accounts", t("export.section.accounts"),
                headers("id", "account", "platform", "unit", "freshness", "posts_7d", "days_silent", "health", "health_reason"),
                _account_rows(statuses), (6, 20, 12, 20, 10, 10, 8, 10, 30)),
        Section("emergencies", t("export.section.emergencies"),
                headers("id", "emergency", "keywords", "activated_at", "due", "first_post_at", "state"),
                _emergency_rows(emergencies), (6, 30, 20, 17, 17, 17, 12)),
        Section("carry_over", t("export.section.carry_over"), headers("kind", "id", "account", "content", "time"),
                _carry_rows(carry), (12, 8, 20, 50, 17)),
    )
    return Document(
        title=title,
        facts=facts,
        sections=sections,
        anchor=anchor,
        generated_at=now,
        signatures=(t("export.handover.signature_out"), t("export.handover.signature_in")),
    )
