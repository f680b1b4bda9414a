"""The inspections section of a handover: every row for XLSX and CSV, a per-account summary for PDF.

Automatic inspections are kept as codes (``health``, ``freshness``, ``health_reason``,
``new_alerts``: one record per poll cycle since migration 0009); rows written before kept their
four checks as Chinese text with the state codes in brackets (``无法读取（failing）：HTTP 500``)
and the codes beside them. The record is hash-chained and never rewritten, so the export renders
an automatic row from those codes, in the officer's language; manual inspections and
corrections are the officer's own words and are shown as written.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.models import Freshness, Health
from jb_watchdesk.domain.record import InspectionRow
from jb_watchdesk.services import inspections
from jb_watchdesk.services.reports.document import Section, cell, free_text, headers, local, pair, parts, t

_CHECKS: Final = tuple(inspections.Check)
_HEALTH_REASON = re.compile(r"（[a-z_]+）：(.*)$", re.S)
_CODE_IN_BRACKETS = re.compile(r"（[a-z_]+）")

WIDTHS: Final = (8, 17, 6, 8, 20, 20, 18, 18, 18, 18, 30, 30, 10, 8)


def column_headers() -> tuple[str, ...]:
    return (
        *headers("id", "time", "kind", "account_id", "account", "unit"),
        *(messages.label("check", c) for c in _CHECKS),
        *headers("finding", "action", "recorded_by", "corrects"),
    )


@dataclass(frozen=True, slots=True)
class RenderedInspection:
    """One inspection as the export shows it: its kind, and its cells in column order."""

    kind: str
    account_id: str
    account_name: str
    recorded_at: str
    officer: str
    checks: tuple[str, ...]  # OK text or the finding, one per check
    finding: str
    action: str
    cells: list[str] = field(default_factory=list)


def _reason(stored: object) -> str:
    """The health reason an automatic check stored after its code (``…（failing）：HTTP 500``)."""
    match = _HEALTH_REASON.search(str(stored))
    return match[1] if match else ""


def _auto_checks(checks: dict[str, Any]) -> tuple[str, ...]:
    """The four checks of an automatic inspection, from the codes it stored beside its texts."""
    ok = t("export.ok")
    if "health" not in checks or "freshness" not in checks:  # written before the codes were kept
        return tuple(
            ok if checks.get(c) == inspections.OK else free_text(_CODE_IN_BRACKETS.sub("", str(checks.get(c, "")))) for c in _CHECKS
        )
    health, freshness = Health(checks["health"]), Freshness(checks["freshness"])
    operation_text = checks.get(inspections.Check.OPERATION.value, "")
    security_text = checks.get(inspections.Check.SECURITY.value, "")

    def with_reason(stored: object) -> str:
        # kept as a code beside the codes since 0009; before, only inside the stored check text
        reason = free_text(str(checks["health_reason"]) if "health_reason" in checks else _reason(stored))
        return pair(messages.label("health", health), reason) if reason else messages.label("health", health)

    new_alerts = int(checks.get("new_alerts") or 0)
    values = {
        inspections.Check.OPERATION: ok if health in (Health.OK, Health.AUTH_EXPIRED) else with_reason(operation_text),
        inspections.Check.COLUMN_UPDATES: ok if freshness is Freshness.OK else messages.label("freshness", freshness),
        inspections.Check.CONTENT_QUALITY: ok if new_alerts == 0 else t("export.inspection.new_alerts", count=new_alerts),
        inspections.Check.SECURITY: with_reason(security_text) if health is Health.AUTH_EXPIRED else ok,
    }
    return tuple(values[c] for c in _CHECKS)


def render(rows: Iterable[InspectionRow]) -> list[RenderedInspection]:
    out: list[RenderedInspection] = []
    ok = t("export.ok")
    kinds = {kind: messages.label("inspection_kind", kind) for kind in ("auto", "manual", "correction")}
    for row in rows:
        stored = json.loads(row.checks)
        if row.kind == "auto":
            checks = _auto_checks(stored)
            finding = parts(pair(messages.label("check", c), v) for c, v in zip(_CHECKS, checks, strict=True) if v != ok)
        else:
            checks = tuple(ok if stored.get(c, "") == inspections.OK else free_text(stored.get(c, "")) for c in _CHECKS)
            finding = free_text(row.finding)
        item = RenderedInspection(
            kind=row.kind,
            account_id="" if row.account_id is None else str(row.account_id),
            account_name=cell(row.account_name),
            recorded_at=local(row.recorded_at),
            officer=cell(row.officer),
            checks=checks,
            finding=finding,
            action=free_text(row.action),
        )
        item.cells.extend(
            [
                str(row.id),
                item.recorded_at,
                kinds.get(row.kind) or messages.label("inspection_kind", row.kind),
                item.account_id,
                item.account_name,
                cell(row.unit),
                *checks,
                item.finding,
                item.action,
                item.officer,
                "" if row.corrects_id is None else str(row.corrects_id),
            ]
        )
        out.append(item)
    return out


def _short(check: inspections.Check) -> str:
    return t(f"export.inspection.short.{check.value}")


def summary(rows: list[RenderedInspection], *, automatic: bool = True, limit: int | None = None) -> Section:
    """Per account: automatic inspections counted with their findings (unless ``automatic`` is
    False: the handover's summary page counts them); manual ones in full, the first ``limit``.

    A 12-hour shift over a thousand accounts holds some 70,000 automatic rows, which no one
    prints and signs; the PDF carries this summary and the XLSX/CSV every row.
    """
    ok = t("export.ok")
    per_account: dict[tuple[str, str], dict[str, Any]] = {}
    manual: list[list[str]] = []
    for row in rows:
        if row.kind != "auto":
            found = [pair(_short(c), v) for c, v in zip(_CHECKS, row.checks, strict=True) if v != ok]
            found += [pair(t("export.inspection.finding"), row.finding)] if row.finding else []
            found += [pair(t("export.inspection.action"), row.action)] if row.action else []
            kind = t("export.inspection.by", kind=messages.label("inspection_kind", row.kind), officer=row.officer)
            manual.append([row.account_name, kind, row.recorded_at[5:], parts(found) or ok])
            continue
        entry = per_account.setdefault(
            (row.account_id, row.account_name),
            {"count": 0, "first": row.recorded_at, "last": row.recorded_at, "findings": defaultdict(int)},
        )
        entry["count"] += 1
        entry["last"] = row.recorded_at
        for check, value in zip(_CHECKS, row.checks, strict=True):
            if value != ok:
                entry["findings"][pair(_short(check), value)] += 1
    ordered = sorted(per_account.items(), key=lambda kv: (not kv[1]["findings"], kv[0][1])) if automatic else []
    note = t("export.inspection.summary_note" if automatic else "export.inspection.manual_note", manual=len(manual),
             auto=len(rows) - len(manual))
    if limit is not None and len(manual) > limit:
        note = t("export.inspection.manual_more", note=note, count=len(manual) - limit)
        manual = manual[:limit]
    auto_rows = [
        [
            name,
            t("export.inspection.auto_count", count=e["count"]),
            f"{e['first'][5:]}–{e['last'][11:]}",
            parts(t("export.times", what=k, count=n) for k, n in sorted(e["findings"].items(), key=lambda kv: -kv[1])[:3]) or ok,
        ]
        for (_account_id, name), e in ordered
    ]
    return Section(
        key="inspection_summary",
        title=t("export.section.inspection_summary"),
        headers=headers("account", "inspection", "time", "findings_actions"),
        rows=manual + auto_rows,
        widths=(22, 14, 22, 80),
        note=note,
    )


def section(rows: Iterable[InspectionRow], *, automatic: bool = True, limit: int | None = None) -> Section:
    """Every inspection, with the per-account summary the PDF prints instead (see :func:`summary`)."""
    rendered = render(rows)
    return Section(
        "inspections",
        t("export.section.inspections"),
        column_headers(),
        [r.cells for r in rendered],
        WIDTHS,
        summary=summary(rendered, automatic=automatic, limit=limit),
    )
