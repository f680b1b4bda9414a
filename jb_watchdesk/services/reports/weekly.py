"""The weekly report: per account, posts against the 3-a-week rule, days silent, comment
timeliness and alerts by category; posts per day per unit; monitoring gaps; with charts.

Counting rules, each the one an officer would check by hand:

* An account no machine source reads, with no officer's reading in the week, is *not read*: its
  post count is unknown, so it is listed apart and never counted *under 3 a week*.
* An officer's reading counts its posts in the week only when the whole interval it covers (since
  the previous reading's latest post) lies in the week; otherwise only the latest post it saw, as
  the status does (:func:`jb_watchdesk.domain.rules.posts_published_in`): never more than was
  seen. Readings count as they stand when the report is made (corrected, or made after the week).
* Comment timeliness is over the deadlines that fell due in the week (up to the report's instant):
  met on time, met late, or still open (late). A deadline not yet due is not counted; a unit with
  no deadline due shows "no data", never 0%.
* Alerts are counted in the week their item was published (when the publish time is unknown,
  when the alert was raised); backlog alerts are counted apart.
* A week that has not begun is refused.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import AccountStatus
from jb_watchdesk.domain.reports import WindowGap, WindowReading
from jb_watchdesk.domain.rules import POSTS_PER_WEEK, SHANGHAI, in_range
from jb_watchdesk.services import status as status_service
from jb_watchdesk.services.gaps import unwatched
from jb_watchdesk.services.reports.document import Chart, Document, Section, cell, duration, free_text, headers, local, rate, t
from jb_watchdesk.storage import audit
from jb_watchdesk.storage import inspections as inspection_store
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
    if not in_range(start):  # 0001-W01 overflows on the way to UTC; the desk keeps 1970 to 9000
        raise InputError("export.bad_week", value=text or "")
    if start > now:
        raise InputError("export.future_week", value=text or "", start=local(start))
    return start, start + timedelta(days=7)


def _gap_rows(gaps: Sequence[WindowGap], *, as_of: datetime) -> list[list[str]]:
    ongoing = t("export.gap.ongoing")
    return [
        [
            str(g.id),
            local(g.started_at),
            local(g.ended_at) or ongoing,
            duration(g.started_at, g.ended_at or as_of),
            messages.label("gap_cause", g.cause),
            free_text(g.reason),
            cell(g.officer),
        ]
        for g in gaps
    ]


def gaps_section(gaps: Sequence[WindowGap], *, as_of: datetime) -> Section:
    """Monitoring gaps as a table (the weekly report and the handover share it)."""
    return Section(
        "gaps",
        t("export.section.gaps"),
        headers("id", "start", "end", "duration", "cause", "reason", "officer"),
        _gap_rows(gaps, as_of=as_of),
        (6, 17, 17, 12, 10, 40, 10),
    )


def _last_reading(reading: WindowReading | None) -> str:
    if reading is None:
        return ""
    return t("export.reading.by", officer=cell(reading.officer) or t("export.none"), when=local(reading.recorded_at))


def build_weekly(store: Store, *, now: datetime, week: str | None = None) -> Document:
    """Per account: posts against the 3-a-week rule (an account the officer reads and nobody read
    this week is *not read*, not *under 3*), days silent, comment timeliness over the deadlines that
    fell due, alerts by the week their item was published; monitoring gaps; with charts."""
    start, end = parse_week(week, now=now)
    as_of = min(end, now)
    iso = start.isocalendar()
    statuses = status_service.account_status(store, now=as_of)
    posts = {row.account_id: row.posts for row in store.query(report_store.posts_per_account, start=start, end=end)}
    timeliness = store.query(report_store.comment_timeliness, start=start, end=end, now=as_of)
    by_category = store.query(report_store.alerts_by_category, start=start, end=end)
    per_day = store.query(report_store.posts_per_day_per_unit, start=start, end=end)
    gaps = store.query(report_store.gaps_in_window, start=start, end=end)
    readings = store.query(report_store.readings_in_window, start=start, end=end)
    # Officers' readings as they stand now (a correction made since counts), including those made
    # after the week: a reading's posts are the week's when its whole interval lies in the week.
    standing = store.query(inspection_store.readings, now=now, since=start - status_service.READINGS_LOOKBACK)
    anchor = store.query(audit.anchor)
    names = {r.account.id: r.account.name for r in statuses}
    platforms = {r.account.id: messages.label("platform", r.account.platform) for r in statuses}

    read_in_week: dict[int, list[WindowReading]] = defaultdict(list)
    for reading in readings:
        read_in_week[reading.account_id].append(reading)

    update_rows = []
    not_read_rows = []
    short = not_read = 0
    meets_text, short_text, unread_text = t("export.weekly.meets"), t("export.weekly.short"), t("export.weekly.not_read")
    machine_text, officer_text = t("export.source.machine"), t("export.source.manual")
    for r in statuses:
        account = r.account
        by_officer = status_service.needs_reading(account)
        week_readings = read_in_week.get(account.id, [])
        count = posts.get(account.id, 0)
        if account.id in standing:
            # What the officers' readings prove were published this week; both counts are lower
            # bounds of the same posts, so the larger is still true.
            count = max(count, status_service.officer_posts_in(standing[account.id], start=start, end=end, now=now))
        active = account.status is AccountStatus.ACTIVE
        if by_officer and not week_readings and not count:  # nothing proven about the week
            verdict = unread_text if active else "—"
            not_read += active
            if active:
                not_read_rows.append(
                    [str(account.id), cell(account.name), platforms[account.id], cell(account.unit), local(r.last_post_at)]
                )
        elif active:
            verdict = meets_text if count >= POSTS_PER_WEEK else short_text
            short += count < POSTS_PER_WEEK
        else:
            verdict = "—"
        update_rows.append(
            [
                str(account.id),
                cell(account.name),
                platforms[account.id],
                cell(account.unit),
                messages.label("account_status", account.status),
                officer_text if by_officer else machine_text,
                str(count),
                verdict,
                "" if r.days_silent is None else str(r.days_silent),
                messages.label("freshness", r.freshness),
                _last_reading(week_readings[-1] if week_readings else None),
            ]
        )

    sla_rows = []
    # per unit: acknowledgements due, on time; results due, on time
    units_sla: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    unit_of = {r.account.id: r.account.unit or r.account.name for r in statuses}
    for sla in sorted(timeliness, key=lambda sla: sla.account_id):
        sla_rows.append(
            [
                str(sla.account_id), cell(names.get(sla.account_id, "")), platforms.get(sla.account_id, ""),
                str(sla.acks_due), str(sla.ack_on_time), str(sla.ack_late), str(sla.ack_open), rate(sla.ack_on_time, sla.acks_due),
                str(sla.results_due), str(sla.result_on_time), str(sla.result_late), str(sla.result_open),
                rate(sla.result_on_time, sla.results_due),
            ]
        )
        u = units_sla[unit_of.get(sla.account_id, "")]
        u[0] += sla.acks_due
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
    chart_series: list[tuple[str, tuple[float | None, ...]]] = [(u, tuple(float(v) for v in grid[u])) for u in chart_units]
    if len(top_units) > 8:
        others = [sum(grid[u][i] for u in top_units[8:]) for i in range(7)]
        chart_series.append((t("export.weekly.others"), tuple(float(v) for v in others)))
    day_rows = [[cell(u), *(str(v) for v in grid[u]), str(sum(grid[u]))] for u in top_units]
    posts_chart = Chart(t("export.weekly.posts_chart"), tuple(labels), tuple(chart_series))

    def ratio(part: int, whole: int) -> float | None:
        return 100.0 * part / whole if whole else None  # no deadline due: no bar, "no data", never 0%

    sla_units = sorted(units_sla, key=lambda u: (-(units_sla[u][0] + units_sla[u][2]), u))[:10]
    sla_chart = Chart(
        t("export.weekly.sla_chart"),
        tuple(cell(u) for u in sla_units),
        (
            (t("export.weekly.ack_in_hour"), tuple(ratio(units_sla[u][1], units_sla[u][0]) for u in sla_units)),
            (t("export.weekly.done_in_days"), tuple(ratio(units_sla[u][3], units_sla[u][2]) for u in sla_units)),
        ),
        percent=True,
    )
    alert_rows = [
        [str(row.account_id), cell(names.get(row.account_id, "")), platforms.get(row.account_id, ""),
         messages.label("category", row.category), str(row.alerts), str(row.backlog)]
        for row in by_category
    ]
    acks_due = sum(row.acks_due for row in timeliness)
    results_due = sum(row.results_due for row in timeliness)
    period = t("export.range", start=local(start), end=local(end - timedelta(minutes=1)))
    gap_total = unwatched(gaps, start=start, end=min(end, as_of))
    facts = (
        (t("export.weekly.fact.week"), t("export.weekly.fact.week_text", year=iso.year, week=iso.week, range=period)),
        (
            t("export.weekly.fact.accounts"),
            t("export.weekly.fact.accounts_text", count=len(statuses), rule=POSTS_PER_WEEK, short=short, not_read=not_read),
        ),
        (t("export.weekly.fact.posts"), t("export.weekly.fact.posts_text", count=sum(posts.values()))),
        (
            t("export.weekly.fact.comments"),
            t(
                "export.weekly.fact.comments_text",
                acks=acks_due, ack_rate=rate(sum(r.ack_on_time for r in timeliness), acks_due),
                results=results_due, result_rate=rate(sum(r.result_on_time for r in timeliness), results_due),
            ),
        ),
        (
            t("export.weekly.fact.alerts"),
            t("export.weekly.fact.alerts_text", count=sum(row.alerts for row in by_category),
              backlog=sum(row.backlog for row in by_category)),
        ),
        (
            t("export.weekly.fact.gaps"),
            t("export.weekly.fact.gaps_text", count=len(gaps), total=duration(start, start + gap_total))
            if gaps else t("export.weekly.fact.no_gaps"),
        ),
    )
    sections = (
        Section("updates", t("export.section.updates"),
                headers("id", "account", "platform", "unit", "account_status", "source", "posts_week", "rule_3", "days_silent",
                        "freshness", "last_reading"),
                update_rows, (6, 20, 10, 20, 8, 8, 8, 8, 8, 10, 22), note=t("export.weekly.updates_note", rule=POSTS_PER_WEEK),
                numeric=(0, 6, 8)),
        Section("not_read", t("export.section.not_read"), headers("id", "account", "platform", "unit", "last_post_at"),
                not_read_rows, (6, 24, 10, 24, 17), note=t("export.weekly.not_read_note"), numeric=(0,)),
        Section("posts_per_day", t("export.section.posts_per_day"), (*headers("unit"), *labels, *headers("total")), day_rows,
                (24, 7, 7, 7, 7, 7, 7, 7, 7), chart=posts_chart, numeric=tuple(range(1, 9))),
        Section("comment_sla", t("export.section.comment_sla"),
                headers("id", "account", "platform", "acks_due", "ack_on_time", "ack_late", "ack_open", "ack_rate", "results_due",
                        "done_on_time", "done_late", "done_overdue", "done_rate"),
                sla_rows, (6, 18, 8, 7, 7, 7, 7, 9, 7, 7, 7, 8, 9), chart=sla_chart, note=t("export.weekly.sla_note"),
                numeric=(0, 3, 4, 5, 6, 8, 9, 10, 11)),
        Section("alerts_by_category", t("export.section.alerts_by_category"),
                headers("id", "account", "platform", "category", "alerts", "backlog"),
                alert_rows, (6, 24, 10, 16, 8, 8), note=t("export.weekly.alerts_note"), numeric=(0, 4, 5)),
        gaps_section(gaps, as_of=as_of),
    )
    title = t("export.weekly.title", year=iso.year, week=iso.week)
    return Document(title=title, facts=facts, sections=sections, anchor=anchor, generated_at=now)
