"""Handover exports and weekly reports: a neutral document model, then XLSX, CSV or PDF.

The services build a ``Document`` (a title, header facts, the ledger anchor, and sections with
Chinese headers and rows of plain text); writers turn it into files:

* XLSX (openpyxl): one sheet per section, bold frozen header row, column widths, every cell a
  literal string (``data_type = "s"``), so nothing is ever a formula; charts are native Excel
  bar charts over the section's own table.
* CSV: one UTF-8 file with a BOM so Excel opens it, the sections one after another, each as a
  title line, a header line and its rows, separated by an empty line. One file keeps a
  handover in one attachment; Excel shows it as one sheet. Cells that a spreadsheet would run as
  a formula (``= + - @``, tab, CR) get the apostrophe prefix of ``domain.cells.neutralise``.
* PDF: rendered by ``jb_watchdesk.ui.pdf`` (Qt), passed in as ``pdf_renderer`` because services
  never import Qt.

Personal data (identity, mobile and bank-card numbers in free text; commenters' names) is masked
before it enters the document, so no writer can leak it. Every writer goes through
``atomic_output``: a failed export leaves whatever was at the path untouched. The functions are
plain and synchronous: the window runs them in a worker thread.
"""

from __future__ import annotations

import csv
import json
import os
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from jb_watchdesk.domain.cells import neutralise
from jb_watchdesk.domain.text import clean_text
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.models import PLATFORM_LABELS_ZH, STATUS_LABELS_ZH, AccountStatus, CommentState, Freshness, Health
from jb_watchdesk.domain.rules import POSTS_PER_WEEK, SHANGHAI
from jb_watchdesk.domain.sensitive import fold
from jb_watchdesk.domain.sensitive.detectors import detect_all
from jb_watchdesk.domain.record import EmergencyStatus, Shift, status_of
from jb_watchdesk.services import inspections
from jb_watchdesk.services import shifts as shift_service
from jb_watchdesk.services.export_formats import HANDOVER_FORMATS, REPORT_FORMATS
from jb_watchdesk.services import status as status_service
from jb_watchdesk.services.files import atomic_output
from jb_watchdesk.storage import audit
from jb_watchdesk.storage import emergencies as emergency_store
from jb_watchdesk.storage import inspections as inspection_store
from jb_watchdesk.storage import reports as report_store
from jb_watchdesk.storage import shifts as shift_store
from jb_watchdesk.storage.codec import from_db
from jb_watchdesk.storage.db import Store

MAX_CELL: Final = 500  # free text beyond this is cut in exports; the database keeps it whole


# -- the document model -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chart:
    """A grouped bar chart over ``categories``; each series is (name, one value per category)."""

    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]
    percent: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    """One table: a sheet in XLSX, a block in CSV, a titled table in PDF.

    ``widths`` are column widths in characters (a CJK character counts two); ``summary``, when
    set, is what the PDF prints instead of ``rows`` (the full rows stay in XLSX and CSV).
    """

    key: str
    title: str
    headers: tuple[str, ...]
    rows: Sequence[Sequence[str]]
    widths: tuple[int, ...]
    note: str = ""
    chart: Chart | None = None
    summary: Section | None = None


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    anchor: audit.Anchor
    generated_at: datetime
    signatures: tuple[str, ...] = ()

    def anchor_text(self) -> str:
        return f"seq={self.anchor.seq} 条数={self.anchor.count} SHA-256={self.anchor.head_hash}"


PdfRenderer = Callable[[Document, Path], None]


# -- cell text ------------------------------------------------------------------------------------


def mask_pii(text: str) -> str:
    """Replace identity, mobile and bank-card numbers in free text by their masked forms.

    The detectors run on the folded text, whose offsets are those of the original.
    """
    if not text:
        return text
    found = sorted(detect_all(fold(text)), key=lambda d: d.start, reverse=True)
    last_start = len(text) + 1
    for detection in found:
        if detection.masked is None or detection.end > last_start:
            continue  # overlapping detections: the later one already replaced this span
        text = text[: detection.start] + detection.masked + text[detection.end :]
        last_start = detection.start
    return text


def mask_name(name: str) -> str:
    """A member of the public's name or nickname: first character kept (``张三`` → ``张*``)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * min(max(len(name) - 1, 1), 4)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def cell(text: object, *, limit: int = MAX_CELL) -> str:
    """Plain one-cell text: no control characters that XML or a terminal would choke on, bounded length."""
    value = "" if text is None else clean_text(str(text))
    value = _CONTROL.sub(" ", value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def free_text(text: object) -> str:
    """Text from a post, comment or feed: bounded and with personal data masked."""
    return cell(mask_pii("" if text is None else str(text)))


def local(value: datetime | str | None, *, seconds: bool = False) -> str:
    """Asia/Shanghai wall time as the duty room reads it."""
    when = from_db(value) if isinstance(value, str) else value
    if when is None:
        return ""
    return when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


# -- handover -------------------------------------------------------------------------------------

_KIND_ZH: Final = {"auto": "自动", "manual": "人工", "correction": "更正"}
_STATE_ZH: Final = {"new": "未确认", "acknowledged": "已确认", "resolved": "已处置"}
_SEVERITY_ZH: Final = {"high": "高", "medium": "中", "low": "低"}
_FRESHNESS_ZH: Final = {Freshness.OK: "正常", Freshness.WARN: "预警", Freshness.VETO: "一票否决", Freshness.UNKNOWN: "未知"}
_HEALTH_ZH: Final = {
    Health.OK: "正常",
    Health.DEGRADED: "不稳定",
    Health.AUTH_EXPIRED: "凭据失效",
    Health.FAILING: "无法读取",
    Health.NEVER_POLLED: "尚未读取",
}
_COMMENT_STATE_ZH: Final = {
    CommentState.PENDING: "待确认",
    CommentState.OVERDUE_ACK: "超时未确认",
    CommentState.ACKED: "已确认",
    CommentState.OVERDUE_RESULT: "超期未办结",
    CommentState.DONE: "已办结",
}
_EMERGENCY_ZH: Final = {"waiting": "计时中", "met": "已按时发布", "missed": "超时", "closed": "已关闭"}
_CHECK_ORDER: Final = [c.value for c in inspections.Check]


def _check_text(value: object) -> str:
    return "正常" if value == inspections.OK else free_text(value)


def _inspection_rows(rows: Iterable[Sequence[Any]]) -> list[list[str]]:
    out: list[list[str]] = []
    append = out.append
    for (iid, recorded_at, kind, account_id, name, unit, _platform, officer, checks_json, finding, action, corrects, _h) in rows:
        checks = json.loads(checks_json)
        append(
            [
                str(iid),
                local(recorded_at),
                _KIND_ZH.get(kind, kind),
                "" if account_id is None else str(account_id),
                cell(name),
                cell(unit),
                *(_check_text(checks.get(c, "")) for c in _CHECK_ORDER),
                free_text(finding),
                free_text(action),
                cell(officer),
                "" if corrects is None else str(corrects),
            ]
        )
    return out


_INSPECTION_HEADERS: Final = (
    "编号", "时间", "类型", "账号编号", "账号", "主办单位", "运行情况", "栏目更新", "信息内容质量", "安全防护",
    "发现问题", "整改措施", "记录人", "更正记录",
)
_INSPECTION_WIDTHS: Final = (8, 17, 6, 8, 20, 20, 18, 18, 18, 18, 30, 30, 10, 8)


def _inspection_summary(rows: list[list[str]]) -> Section:
    """Per account: automatic inspections counted with their findings; manual ones in full.

    A 12-hour shift over a thousand accounts holds some 70,000 automatic rows, which no one
    prints and signs; the PDF carries this summary and the XLSX/CSV every row.
    """
    labels = ("运行", "更新", "内容", "安全")
    per_account: dict[tuple[str, str], dict[str, Any]] = {}
    manual: list[list[str]] = []
    for row in rows:
        if row[2] != _KIND_ZH["auto"]:
            parts = [f"{label}：{value}" for label, value in zip(labels, row[6:10], strict=True) if value != "正常"]
            parts += [f"发现：{row[10]}"] if row[10] else []
            parts += [f"整改：{row[11]}"] if row[11] else []
            manual.append([row[4], f"{row[2]}（{row[12]}）", row[1][5:], "；".join(parts) or "正常"])
            continue
        entry = per_account.setdefault((row[3], row[4]), {"count": 0, "first": row[1], "last": row[1], "findings": defaultdict(int)})
        entry["count"] += 1
        entry["last"] = row[1]
        for label, value in zip(labels, row[6:10], strict=True):
            if value != "正常":
                entry["findings"][f"{label}：{value}"] += 1
    ordered = sorted(per_account.items(), key=lambda kv: (not kv[1]["findings"], kv[0][1]))
    auto_rows = [
        [
            name,
            f"自动 ×{e['count']}",
            f"{e['first'][5:]}–{e['last'][11:]}",
            "；".join(f"{k} ×{n}" for k, n in sorted(e["findings"].items(), key=lambda kv: -kv[1])[:3]) or "正常",
        ]
        for (_account_id, name), e in ordered
    ]
    return Section(
        key="inspection_summary",
        title="巡查记录（汇总）",
        headers=("账号", "巡查", "时间", "发现问题与整改"),
        rows=manual + auto_rows,
        widths=(22, 14, 22, 80),
        note=f"人工巡查与更正 {len(manual)} 条逐条列出；自动巡查 {len(rows) - len(manual)} 条按账号汇总，逐条记录见 XLSX/CSV 导出。",
    )


def _alert_rows(alerts: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            str(a["id"]),
            cell(a["account_name"]),
            cell(a["category"]),
            _SEVERITY_ZH.get(a["severity"], a["severity"]),
            cell(a["rule"]),
            free_text(a["text"]),
            free_text(a["context"]),
            local(a["raised_at"]),
            _STATE_ZH.get(a["state"], a["state"]),
            cell(a["ack_by"]),
            free_text(a["ack_note"]),
            local(a["ack_at"]),
        ]
        for a in alerts
    ]


def _comment_rows(comments: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            str(c["id"]),
            cell(c["account_name"]),
            mask_name(c["author"]),
            free_text(c["text"]),
            local(c["created_at"]),
            local(c["ack_due"]),
            local(c["acked_at"]),
            cell(c["acked_by"]),
            free_text(c["ack_note"]),
            local(c["result_due"]),
            local(c["done_at"]),
            free_text(c["done_note"]),
        ]
        for c in comments
    ]


def _overdue_rows(items: Sequence[Any]) -> list[list[str]]:
    return [
        [
            str(c.id),
            cell(c.account_name),
            mask_name(c.author),
            free_text(c.text),
            _COMMENT_STATE_ZH[c.state],
            local(c.created_at),
            local(c.ack_due),
            local(c.result_due) + ("（估）" if c.result_due_estimated else ""),
        ]
        for c in items
    ]


def _account_rows(rows: Sequence[status_service.AccountStatusRow]) -> list[list[str]]:
    return [
        [
            str(r.account.id),
            cell(r.account.name),
            PLATFORM_LABELS_ZH.get(r.account.platform, str(r.account.platform)),
            cell(r.account.unit),
            _FRESHNESS_ZH[r.freshness],
            str(r.posts_7d),
            "" if r.days_silent is None else str(r.days_silent),
            _HEALTH_ZH[r.account.health],
            cell(r.account.health_reason),
        ]
        for r in rows
    ]


def _emergency_rows(items: Sequence[EmergencyStatus]) -> list[list[str]]:
    return [
        [
            str(s.emergency.id),
            free_text(s.emergency.title),
            cell("、".join(s.emergency.keywords)),
            local(s.emergency.activated_at),
            local(s.clock.due),
            local(s.emergency.first_post_at),
            _EMERGENCY_ZH[s.state],
        ]
        for s in items
    ]


def _carry_rows(carry: shift_service.CarryOver) -> list[list[str]]:
    rows: list[list[str]] = []
    for a in carry.unacknowledged_alerts:
        rows.append(["未确认告警", str(a["id"]), cell(a["account_name"]), free_text(f"{a['category']}：{a['text']}"), local(a["raised_at"])])
    for c in carry.overdue_comments:
        rows.append(["超时留言", str(c.id), cell(c.account_name), free_text(f"{_COMMENT_STATE_ZH[c.state]}：{c.text}"), local(c.created_at)])
    for r in carry.accounts_at_risk:
        what = f"更新{_FRESHNESS_ZH[r.freshness]}，读取{_HEALTH_ZH[r.account.health]}"
        rows.append(["账号风险", str(r.account.id), cell(r.account.name), what, local(r.last_post_at)])
    for s in carry.waiting_emergencies:
        rows.append(["突发事件", str(s.emergency.id), "", free_text(f"{s.emergency.title}（{_EMERGENCY_ZH[s.state]}）"), local(s.emergency.activated_at)])
    return rows


def _shift_rows(items: Sequence[Shift]) -> list[list[str]]:
    return [
        [
            str(s.id),
            cell(s.officer),
            local(s.started_at),
            local(s.ended_at) or "值班中",
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
        title = f"值班交接记录（第 {shift.id} 班）"
    else:
        if start is None or end is None or start >= end:
            raise InputError("export.bad_range")
        shifts = store.call(shift_store.shifts_overlapping, start=start, end=end)
        title = "值班交接记录"
    as_of = min(end, now)
    anchor = store.call(audit.anchor)
    inspections = store.call(lambda db: _inspection_rows(inspection_store.iter_inspections(db, start=start, end=end, shift_id=shift_id)))
    alerts = store.call(report_store.alerts_in_window, start=start, end=end)
    handled = store.call(report_store.comments_acknowledged, start=start, end=end)
    carry = shift_service.carry_over(store, now=as_of)
    statuses = [
        r
        for r in status_service.account_status(store, now=as_of)
        if r.freshness in (Freshness.WARN, Freshness.VETO) or r.account.health in (Health.FAILING, Health.AUTH_EXPIRED, Health.DEGRADED)
    ]
    emergencies = [
        status_of(e, now=as_of)
        for e in store.call(emergency_store.emergencies_overlapping, start=start, end=end)
    ]
    acked = sum(1 for a in alerts if a["ack_at"])
    counts = store.call(inspection_store.count_inspections, start=start, end=end, shift_id=shift_id)
    facts = (
        ("时段", f"{local(start)} 至 {local(end)}"),
        ("值班员", "、".join(s.officer for s in shifts) or "—"),
        ("巡查", f"自动 {counts.get('auto', 0)} 条，人工 {counts.get('manual', 0)} 条，更正 {counts.get('correction', 0)} 条"),
        ("告警", f"{len(alerts)} 条（已确认 {acked} 条）；遗留未确认 {len(carry.unacknowledged_alerts)} 条"),
        ("留言", f"本时段确认或办结 {len(handled)} 条；超时 {len(carry.overdue_comments)} 条"),
        ("交接确认", "；".join(f"{s.handover_confirmed_by}（{local(s.handover_confirmed_at)}）" for s in shifts if s.handover_confirmed_by) or "未确认"),
    )
    inspection_rows = inspections
    sections = (
        Section("shifts", "班次", ("编号", "值班员", "开始", "结束", "交班说明", "强制结班原因", "交接确认人", "确认时间"),
                _shift_rows(shifts), (6, 10, 17, 17, 40, 24, 10, 17)),
        Section("inspections", "巡查记录", _INSPECTION_HEADERS, inspection_rows, _INSPECTION_WIDTHS,
                summary=_inspection_summary(inspection_rows)),
        Section("alerts", "告警", ("编号", "账号", "类别", "级别", "规则", "内容", "上下文", "发现时间", "状态", "确认人", "确认说明", "确认时间"),
                _alert_rows(alerts), (5, 14, 9, 4, 12, 20, 26, 17, 7, 9, 22, 17)),
        Section("comments", "留言处理", ("编号", "账号", "留言人", "留言", "留言时间", "确认期限", "确认时间", "确认人", "确认说明", "办结期限", "办结时间", "办结说明"),
                _comment_rows(handled), (5, 14, 7, 28, 17, 17, 17, 9, 16, 17, 17, 16)),
        Section("overdue_comments", "超时留言", ("编号", "账号", "留言人", "留言", "状态", "留言时间", "确认期限", "办结期限"),
                _overdue_rows(carry.overdue_comments), (5, 16, 7, 40, 12, 17, 17, 21)),
        Section("accounts", "账号预警", ("编号", "账号", "平台", "主办单位", "更新状态", "近7天发布", "沉默天数", "读取状态", "原因"),
                _account_rows(statuses), (6, 20, 12, 20, 10, 10, 8, 10, 30)),
        Section("emergencies", "突发事件", ("编号", "事件", "关键词", "启动时间", "发布期限", "首条发布时间", "状态"),
                _emergency_rows(emergencies), (6, 30, 20, 17, 17, 17, 12)),
        Section("carry_over", "遗留事项", ("类型", "编号", "账号", "内容", "时间"), _carry_rows(carry), (12, 8, 20, 50, 17)),
    )
    return Document(
        title=title,
        facts=facts,
        sections=sections,
        anchor=anchor,
        generated_at=now,
        signatures=("交班人（签字）", "接班人（签字）"),
    )


# -- weekly report --------------------------------------------------------------------------------

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
    posts = store.call(report_store.posts_per_account, start=start, end=end)
    timeliness = store.call(report_store.comment_timeliness, start=start, end=end, now=as_of)
    by_category = store.call(report_store.alerts_by_category, start=start, end=end)
    per_day = store.call(report_store.posts_per_day_per_unit, start=start, end=end)
    anchor = store.call(audit.anchor)
    names = {r.account.id: r.account.name for r in statuses}

    update_rows = []
    short = 0
    for r in statuses:
        count = posts.get(r.account.id, 0)
        active = r.account.status is AccountStatus.ACTIVE
        meets = count >= POSTS_PER_WEEK
        short += active and not meets
        update_rows.append(
            [
                str(r.account.id),
                cell(r.account.name),
                PLATFORM_LABELS_ZH.get(r.account.platform, str(r.account.platform)),
                cell(r.account.unit),
                STATUS_LABELS_ZH.get(r.account.status, str(r.account.status)),
                str(count),
                ("达标" if meets else "未达标") if active else "—",
                "" if r.days_silent is None else str(r.days_silent),
                _FRESHNESS_ZH[r.freshness],
            ]
        )

    sla_rows = []
    units_sla: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    unit_of = {r.account.id: r.account.unit or r.account.name for r in statuses}
    for account_id, t in sorted(timeliness.items()):
        acked = t["ack_on_time"] + t["ack_late"]
        done = t["result_on_time"] + t["result_late"]
        sla_rows.append(
            [
                str(account_id), cell(names.get(account_id, "")), str(t["total"]), str(t["ack_on_time"]), str(t["ack_late"]),
                str(t["total"] - acked), _percent(t["ack_on_time"], t["total"]), str(t["result_on_time"]),
                str(t["result_late"]), str(t["result_overdue"]), _percent(t["result_on_time"], done + t["result_overdue"]),
            ]
        )
        u = units_sla[unit_of.get(account_id, "")]
        u[0] += t["total"]
        u[1] += t["ack_on_time"]
        u[2] += done + t["result_overdue"]
        u[3] += t["result_on_time"]

    days = [(start + timedelta(days=i)).date().isoformat() for i in range(7)]
    grid: dict[str, list[int]] = defaultdict(lambda: [0] * 7)
    for unit, day, n in per_day:
        if day in days:
            grid[unit][days.index(day)] += n
    top_units = sorted(grid, key=lambda u: -sum(grid[u]))
    chart_units = top_units[:8]
    if len(top_units) > 8:
        others = [sum(grid[u][i] for u in top_units[8:]) for i in range(7)]
        chart_series = [*((u, tuple(float(v) for v in grid[u])) for u in chart_units), ("其他", tuple(float(v) for v in others))]
    else:
        chart_series = [(u, tuple(float(v) for v in grid[u])) for u in chart_units]
    day_rows = [[cell(u), *(str(v) for v in grid[u]), str(sum(grid[u]))] for u in top_units]
    posts_chart = Chart("每日发布（按主办单位）", tuple(d[5:] for d in days), tuple(chart_series))

    sla_units = sorted(units_sla, key=lambda u: -units_sla[u][0])[:10]
    sla_chart = Chart(
        "留言办理及时率（按主办单位）",
        tuple(cell(u, limit=12) for u in sla_units),
        (
            ("1小时内确认", tuple(100.0 * units_sla[u][1] / units_sla[u][0] if units_sla[u][0] else 0.0 for u in sla_units)),
            ("5个工作日内办结", tuple(100.0 * units_sla[u][3] / units_sla[u][2] if units_sla[u][2] else 0.0 for u in sla_units)),
        ),
        percent=True,
    )
    alert_rows = [[str(a), cell(names.get(a, "")), cell(c), str(n)] for a, c, n in by_category]
    total_posts = sum(posts.values())
    facts = (
        ("周次", f"{iso.year}-W{iso.week:02d}（{local(start)} 至 {local(end - timedelta(minutes=1))}）"),
        ("账号", f"{len(statuses)} 个；每周不少于 {POSTS_PER_WEEK} 次更新未达标 {short} 个"),
        ("发布", f"本周共 {total_posts} 条"),
        ("留言", f"{sum(t['total'] for t in timeliness.values())} 条"),
        ("告警", f"{sum(n for _, _, n in by_category)} 条"),
    )
    sections = (
        Section("updates", "账号更新", ("编号", "账号", "平台", "主办单位", "状态", "本周发布", "每周3次", "沉默天数", "更新状态"),
                update_rows, (6, 20, 12, 20, 8, 8, 8, 8, 10)),
        Section("posts_per_day", "每日发布", ("主办单位", *(d[5:] for d in days), "合计"), day_rows,
                (24, 7, 7, 7, 7, 7, 7, 7, 7), chart=posts_chart),
        Section("comment_sla", "留言时效", ("编号", "账号", "留言数", "按时确认", "超时确认", "未确认", "确认及时率", "按时办结", "超时办结", "逾期未办结", "办结及时率"),
                sla_rows, (6, 20, 7, 8, 8, 7, 10, 8, 8, 10, 10), chart=sla_chart),
        Section("alerts_by_category", "告警分类", ("编号", "账号", "类别", "数量"), alert_rows, (6, 24, 16, 8)),
    )
    return Document(title=f"政务新媒体周报（{iso.year}年第{iso.week}周）", facts=facts, sections=sections, anchor=anchor, generated_at=now)


# -- writers --------------------------------------------------------------------------------------


def _sheet_title(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", "_", title)[:31] or "sheet"
    name, n = base, 2
    while name in used:
        name = f"{base[:28]}_{n}"
        n += 1
    used.add(name)
    return name


def write_xlsx(document: Document, path: Path) -> None:
    """A cover sheet, then one sheet per section with a bold frozen header row; native bar charts.

    openpyxl lays out the workbook (styles, widths, frozen panes, charts) with each section's
    header row only; the rows themselves are then streamed into each sheet's XML as inline
    strings. openpyxl spends some 25 µs per cell, over 20 s for a 12-hour shift of a thousand
    accounts; the streamed rows take a fraction of that. An inline string is literal text to
    every spreadsheet program, so no cell is ever a formula whatever it starts with.
    """
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    workbook = Workbook()
    cover = workbook.active
    used: set[str] = set()
    cover.title = _sheet_title("封面", used)
    bold = Font(bold=True)
    cover.column_dimensions["A"].width = 14
    cover.column_dimensions["B"].width = 90
    lines = [(document.title, None), *document.facts, ("导出时间", local(document.generated_at, seconds=True)),
             ("记录链锚点", document.anchor_text())]
    for row, (label, value) in enumerate(lines, start=1):
        first = cover.cell(row=row, column=1, value=label)
        first.data_type, first.font = "s", bold
        if value is not None:
            second = cover.cell(row=row, column=2, value=value)
            second.data_type = "s"
    streamed: dict[str, Section] = {}
    for section in document.sections:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        sheet.freeze_panes = "A2"
        for index, width in enumerate(section.widths):
            sheet.column_dimensions[_column_letter(index)].width = min(max(width, 6), 60)
        for column, header in enumerate(section.headers, start=1):
            c = sheet.cell(row=1, column=column, value=header)
            c.data_type, c.font = "s", bold
        streamed[sheet.title] = section
        if section.chart is not None and section.chart.categories:
            _add_chart(workbook, sheet, section.chart, used, BarChart, Reference)
    with atomic_output(path) as temp:
        workbook.save(temp)
        # part names are assigned while saving
        _stream_rows(temp, {ws.path.lstrip("/"): streamed[ws.title] for ws in workbook.worksheets if ws.title in streamed})


# A carriage return is written as a character reference: XML readers turn a literal one into a line feed.
_XML_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"})


def _sheet_rows_xml(section: Section, *, first_row: int) -> Iterable[str]:
    """``<row>`` elements for the rows (and the note) of a section, every cell an inline string."""
    letters = [_column_letter(i) for i in range(max(len(section.headers), 1) + 1)]
    number = first_row
    for row in section.rows:
        cells = "".join(
            f'<c r="{letters[i]}{number}" t="inlineStr"><is><t xml:space="preserve">{clean_text(value).translate(_XML_ESCAPES)}</t></is></c>'
            for i, value in enumerate(row)
            if value
        )
        yield f'<row r="{number}">{cells}</row>'
        number += 1
    if section.note:
        number += 1
        yield f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{clean_text(section.note).translate(_XML_ESCAPES)}</t></is></c></row>'


def _stream_rows(path: Path, parts: dict[str, Section]) -> None:
    """Rewrite the workbook at ``path`` with each section's rows put into its sheet part."""
    staging = path.with_name(path.name + ".rows")
    try:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as target:
            for info in source.infolist():
                data = source.read(info.filename)
                section = parts.get(info.filename)
                if section is None:
                    target.writestr(info, data)
                    continue
                xml = data.decode("utf-8")
                last = len(section.rows) + 1 + (2 if section.note else 0)
                xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{_column_letter(max(len(section.headers), 1) - 1)}{last}" />', xml, count=1)
                head, sep, tail = xml.partition("</sheetData>")
                if not sep:
                    raise ValueError(f"no sheetData in {info.filename}")
                with target.open(info.filename, "w") as handle:
                    handle.write(head.encode("utf-8"))
                    chunk: list[str] = []
                    for element in _sheet_rows_xml(section, first_row=2):
                        chunk.append(element)
                        if len(chunk) >= 2_000:
                            handle.write("".join(chunk).encode("utf-8"))
                            chunk.clear()
                    handle.write("".join(chunk).encode("utf-8"))
                    handle.write((sep + tail).encode("utf-8"))
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _add_chart(workbook: Any, sheet: Any, chart: Chart, used: set[str], bar_chart: Any, reference: Any) -> None:
    """A native clustered bar chart over a small numeric data sheet (the only numbers in the workbook)."""
    data = workbook.create_sheet(_sheet_title(f"{chart.title[:24]}数据", used))
    data.append(["", *chart.categories])
    for name, values in chart.series:
        data.append([name, *values])
    for row in data.iter_rows(max_col=1):
        for c in row:
            c.data_type = "s"
    for c in data[1]:
        c.data_type = "s"
    plot = bar_chart()
    plot.type = "col"
    plot.grouping = "clustered"
    plot.title = chart.title
    plot.height, plot.width = 9, 22
    if chart.percent:
        plot.y_axis.scaling.min, plot.y_axis.scaling.max = 0, 100
    count = len(chart.series)
    values = reference(data, min_col=1, max_col=len(chart.categories) + 1, min_row=2, max_row=count + 1)
    plot.add_data(values, from_rows=True, titles_from_data=True)
    plot.set_categories(reference(data, min_col=2, max_col=len(chart.categories) + 1, min_row=1, max_row=1))
    sheet.add_chart(plot, f"{_column_letter(len(chart.categories) + 3)}2")


def write_csv(document: Document, path: Path) -> None:
    """UTF-8 with BOM; the cover facts, then each section as a title line, a header line and rows."""
    with atomic_output(path) as temp:
        with open(temp, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([neutralise(document.title)])
            for label, value in (*document.facts, ("导出时间", local(document.generated_at, seconds=True)),
                                 ("记录链锚点", document.anchor_text())):
                writer.writerow([neutralise(label), neutralise(value)])
            for section in document.sections:
                writer.writerow([])
                writer.writerow([neutralise(f"【{section.title}】")])
                writer.writerow([neutralise(h) for h in section.headers])
                writer.writerows([neutralise(v) for v in row] for row in section.rows)
                if section.note:
                    writer.writerow([neutralise(section.note)])


def write_document(document: Document, path: Path, *, fmt: str, pdf_renderer: PdfRenderer | None = None) -> Path:
    """Write ``document`` as ``fmt``; the PDF writer is injected by the caller (it needs Qt)."""
    if fmt == "xlsx":
        write_xlsx(document, path)
    elif fmt == "csv":
        write_csv(document, path)
    elif fmt == "pdf":
        if pdf_renderer is None:
            raise InputError("export.bad_format", fmt=fmt, choices="xlsx, csv")
        with atomic_output(path) as temp:
            pdf_renderer(document, temp)
    else:
        raise InputError("export.bad_format", fmt=fmt, choices=", ".join(HANDOVER_FORMATS))
    return path


def export_handover(
    store: Store,
    *,
    path: Path,
    fmt: str,
    now: datetime,
    shift_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    pdf_renderer: PdfRenderer | None = None,
) -> Document:
    """``handover export``: build the record and write it; returns the document written."""
    if fmt not in HANDOVER_FORMATS:
        raise InputError("export.bad_format", fmt=fmt, choices=", ".join(HANDOVER_FORMATS))
    document = build_handover(store, now=now, shift_id=shift_id, start=start, end=end)
    write_document(document, path, fmt=fmt, pdf_renderer=pdf_renderer)
    return document


def export_weekly(
    store: Store, *, path: Path, fmt: str, now: datetime, week: str | None = None, pdf_renderer: PdfRenderer | None = None
) -> Document:
    """``report weekly``: build the report for one ISO week and write it."""
    if fmt not in REPORT_FORMATS:
        raise InputError("export.bad_format", fmt=fmt, choices=", ".join(REPORT_FORMATS))
    document = build_weekly(store, now=now, week=week)
    write_document(document, path, fmt=fmt, pdf_renderer=pdf_renderer)
    return document

