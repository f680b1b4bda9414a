"""The handover record of a shift or a time range: shifts, inspections, alerts, comments, accounts
at risk, emergencies and what is carried over, with the facts an officer signs under."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import Freshness, Health
from jb_watchdesk.domain.record import EmergencyStatus, Shift, status_of
from jb_watchdesk.domain.reports import HandledComment, WindowAlert
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
        ]
        for a in alerts
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
    for a in carry.open_alerts:
        content = free_text(pair(messages.label("category", a.category), a.text))
        rows.append([kind["alert"], str(a.id), cell(a.account_name), content, local(a.raised_at)])
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
            t("export.handover.fact.alerts_text", total=len(alerts), acked=acked, open=len(carry.open_alerts)),
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
                        "ack_note", "acked_at"),
                _alert_rows(alerts), (5, 14, 9, 4, 12, 20, 26, 17, 7, 9, 22, 17)),
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
