"""Handover exports and weekly reports: a neutral document model, then XLSX, CSV or PDF.

The services build a ``Document`` (:mod:`.document`: a title, header facts, the ledger anchor,
and sections of plain text in the officer's language) — the handover (:mod:`.handover`, with its
inspections section in :mod:`.inspection_log`) or the weekly report (:mod:`.weekly`) — and the
writers (:mod:`.writers`) turn it into files. The functions are plain and synchronous: the window
runs them in a worker thread.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.services.export_formats import HANDOVER_FORMATS, REPORT_FORMATS
from jb_watchdesk.services.reports.document import (
    MAX_CELL,
    Chart,
    Document,
    PdfRenderer,
    Section,
    cell,
    free_text,
    local,
    mask_name,
    mask_pii,
)
from jb_watchdesk.services.reports.handover import build_handover
from jb_watchdesk.services.reports.weekly import build_weekly, parse_week
from jb_watchdesk.services.reports.writers import write_csv, write_document, write_xlsx
from jb_watchdesk.storage.db import Store


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


__all__ = [
    "HANDOVER_FORMATS",
    "MAX_CELL",
    "REPORT_FORMATS",
    "Chart",
    "Document",
    "PdfRenderer",
    "Section",
    "build_handover",
    "build_weekly",
    "cell",
    "export_handover",
    "export_weekly",
    "free_text",
    "local",
    "mask_name",
    "mask_pii",
    "parse_week",
    "write_csv",
    "write_document",
    "write_xlsx",
]
