"""The weekly report: per account, posts against the 3-a-week rule, days silent, comment
timeliness and alerts by category; posts per day per unit; with charts."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import AccountStatus
from jb_watchdesk.domain.rules import POSTS_PER_WEEK, SHANGHAI
from jb_watchdesk.services import status as status_service
from jb_watchdesk.services.reports.document import Chart, Document, Section, cell, headers, local, t
from jb_watchdesk.storage import audit
from jb_watchdesk.storage import reports as report_store
from jb_watchdesk.storage.db import Store

_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def parse_week(text: str | None, *, now: datetime) -> tuple[datetime, datetime]:
    """``YYYY-Www`` → [Monday 00:00, next Monday 00:00) Asia/Shanghai; default the last full week."""
    if text is None:
        today = now.astimezone(SHANGHAI).date()
        monday = today - timedelta(days=today.weekday() + 7)
    else:
        match = _WEEK.fullmatch(text.strip())
        if not match:
            raise InputError("export.bad_week", value=text)
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise InputError("export.bad_week", value=text) from None
    start = datetime.combine(monday, time(0), tzinfo=SHANGHAI)
    return start, start + timedelta(days=7)


def _percent(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{100 * part / whole:.0f}%"


def build_weekly(store: Store, *, now: datetime, week: str | None = None) -> Document:
    """Per account: posts against the 3-a-week rule, days silent, comment timeliness, alerts by category; with charts."""
    start, end = parse_week(week, now=now)
    as_of = min(end, now)
    iso = start.isocalendar()
    statuses = status_service.account_status(store, now=as_of)
    posts = {row.account_id: row.posts for row in store.call(report_store.posts_per_account, start=start, end=end)}
    timeliness = store.call(report_store.comment_timeliness, start=start, end=end, now=as_of)
    by_category = store.call(report_store.alerts_by_category, start=start, end=end)
    per_day = store.call(report_store.posts_per_day_per_unit, start=start, end=end)
    anchor = store.call(audit.anchor)
    names = {r.account.id: r.account.name for r in statuses}

    update_rows = []
    short = 0
    meets_text, short_text = t("export.weekly.meets"), t("export.weekly.short")
    for r in statuses:
        count = posts.get(r.account.id, 0)
        active = r.account.status is AccountStatus.ACTIVE
        meets = count >= POSTS_PER_WEEK
        short += active and not meets
        update_rows.append(
            [
                str(r.account.id),
                cell(r.account.name),
                messages.label("platform", r.account.platform),
                cell(r.account.unit),
                messages.label("account_status", r.account.status),
                str(count),
                (meets_text if meets else short_text) if active else "—",
                "" if r.days_silent is None else str(r.days_silent),
                messages.label("freshness", r.freshness),
            ]
        )

    sla_rows = []
    units_sla: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    unit_of = {r.account.id: r.account.unit or r.account.name for r in statuses}
    for sla in sorted(timeliness, key=lambda sla: sla.account_id):
        sla_rows.append(
            [
                str(sla.account_id), cell(names.get(sla.account_id, "")), str(sla.total), str(sla.ack_on_time), str(sla.ack_late),
                str(sla.not_acked), _percent(sla.ack_on_time, sla.total), str(sla.result_on_time),
                str(sla.result_late), str(sla.result_overdue), _percent(sla.result_on_time, sla.results_due),
            ]
        )
        u = units_sla[unit_of.get(sla.account_id, "")]
        u[0] += sla.total
        u[1] += sla.ack_on_time
        u[2] += sla.results_due
        u[3] += sla.result_on_time

    days = [(start + timedelta(days=i)).date() for i in range(7)]
    labels = [d.isoformat()[5:] for d in days]
    grid: dict[str, list[int]] = defaultdict(lambda: [0] * 7)
    for row in per_day:
        if row.day in days:
            grid[row.unit][days.index(row.day)] += row.posts
    top_units = sorted(grid, key=lambda u: -sum(grid[u]))
    chart_units = top_units[:8]
    chart_series = [(u, tuple(float(v) for v in grid[u])) for u in chart_units]
    if len(top_units) > 8:
        others = [sum(grid[u][i] for u in top_units[8:]) for i in range(7)]
        chart_series.append((t("export.weekly.others"), tuple(float(v) for v in others)))
    day_rows = [[cell(u), *(str(v) for v in grid[u]), str(sum(grid[u]))] for u in top_units]
    posts_chart = Chart(t("export.weekly.posts_chart"), tuple(labels), tuple(chart_series))

    sla_units = sorted(units_sla, key=lambda u: -units_sla[u][0])[:10]
    sla_chart = Chart(
        t("export.weekly.sla_chart"),
        tuple(cell(u, limit=12) for u in sla_units),
        (
            (
                t("export.weekly.ack_in_hour"),
                tuple(100.0 * units_sla[u][1] / units_sla[u][0] if units_sla[u][0] else 0.0 for u in sla_units),
            ),
            (
                t("export.weekly.done_in_days"),
                tuple(100.0 * units_sla[u][3] / units_sla[u][2] if units_sla[u][2] else 0.0 for u in sla_units),
            ),
        ),
        percent=True,
    )
    alert_rows = [
        [str(row.account_id), cell(names.get(row.account_id, "")), messages.label("category", row.category), str(row.alerts)]
        for row in by_category
    ]
    period = t("export.range", start=local(start), end=local(end - timedelta(minutes=1)))
    facts = (
        (t("export.weekly.fact.week"), t("export.weekly.fact.week_text", year=iso.year, week=iso.week, range=period)),
        (t("export.weekly.fact.accounts"), t("export.weekly.fact.accounts_text", count=len(statuses), rule=POSTS_PER_WEEK, short=short)),
        (t("export.weekly.fact.posts"), t("export.weekly.fact.posts_text", count=sum(posts.values()))),
        (t("export.weekly.fact.comments"), t("export.weekly.fact.count", count=sum(row.total for row in timeliness))),
        (t("export.weekly.fact.alerts"), t("export.weekly.fact.count", count=sum(row.alerts for row in by_category))),
    )
    sections = (
        Section("updates", t("export.section.updates"),
                headers("id", "account", "platform", "unit", "account_status", "posts_week", "rule_3", "days_silent", "freshness"),
                update_rows, (6, 20, 12, 20, 8, 8, 8, 8, 10)),
        Section("posts_per_day", t("export.section.posts_per_day"), (*headers("unit"), *labels, *headers("total")), day_rows,
                (24, 7, 7, 7, 7, 7, 7, 7, 7), chart=posts_chart),
        Section("comment_sla", t("export.section.comment_sla"),
                headers("id", "account", "comments", "ack_on_time", "ack_late", "not_acked", "ack_rate", "done_on_time", "done_late",
                        "done_overdue", "done_rate"),
                sla_rows, (6, 20, 7, 8, 8, 7, 10, 8, 8, 10, 10), chart=sla_chart),
        Section("alerts_by_category", t("export.section.alerts_by_category"), headers("id", "account", "category", "alerts"),
                alert_rows, (6, 24, 16, 8)),
    )
    title = t("export.weekly.title", year=iso.year, week=iso.week)
    return Document(title=title, facts=facts, sections=sections, anchor=anchor, generated_at=now)
