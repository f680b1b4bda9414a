"""The handover and weekly report exports under their first name: the code lives in
:mod:`jb_watchdesk.services.reports` (document model, handover, weekly report, writers)."""

from __future__ import annotations

from jb_watchdesk.services.reports import (
    HANDOVER_FORMATS,
    MAX_CELL,
    REPORT_FORMATS,
    Chart,
    Document,
    PdfRenderer,
    Section,
    build_handover,
    build_weekly,
    cell,
    export_handover,
    export_weekly,
    free_text,
    local,
    mask_name,
    mask_pii,
    parse_week,
    write_csv,
    write_document,
    write_xlsx,
)

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
