"""Writers: a ``Document`` as XLSX (openpyxl layout, rows streamed) or CSV; PDF through an injected renderer.

* XLSX (openpyxl): a cover sheet, then one sheet per section, bold frozen header row, column
  widths, every cell a literal string, so nothing is ever a formula, except numbers: a section's
  numeric columns hold whole numbers as numbers, and a rate (``document.Percent``) anywhere is its
  ratio as a number formatted ``0%``, so a spreadsheet sums, sorts and charts them; charts are
  native Excel bar charts over a small data sheet.
* CSV: one UTF-8 file with a BOM so Excel opens it, the sections one after another, each as a
  title line, a header line and its rows, separated by an empty line. One file keeps a
  handover in one attachment; Excel shows it as one sheet. Cells that a spreadsheet would run as
  a formula (``= + - @``, tab, CR) get the apostrophe prefix of ``domain.cells.neutralise``.
* PDF: rendered by ``jb_watchdesk.ui.pdf`` (Qt), passed in as ``pdf_renderer`` because services
  never import Qt.

Every writer goes through ``atomic_output``: a failed export leaves whatever was at the path untouched.
"""

from __future__ import annotations

import csv
import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from jb_watchdesk.domain.cells import neutralise
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.domain.text import clean_text
from jb_watchdesk.services.export_formats import HANDOVER_FORMATS
from jb_watchdesk.services.files import OUTPUT_MODE, atomic_output
from jb_watchdesk.services.reports.document import Chart, Document, PdfRenderer, Percent, Section, t


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
    percent_style = _percent_style(workbook)
    cover = workbook.active
    used: set[str] = set()
    cover.title = _sheet_title(t("export.cover"), used)
    bold = Font(bold=True)
    cover.column_dimensions["A"].width = 14
    cover.column_dimensions["B"].width = 90
    lines: list[tuple[str, str | None]] = [(document.title, None), *document.cover()]
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
        parts = {ws.path.lstrip("/"): streamed[ws.title] for ws in workbook.worksheets if ws.title in streamed}
        _stream_rows(temp, parts, percent_style=percent_style)


def _percent_style(workbook: Any) -> int:
    """The index of a cell style with Excel's built-in ``0%`` number format (id 9), added to ``workbook``."""
    from openpyxl.styles.cell_style import StyleArray

    style = StyleArray()
    style.numFmtId = 9
    return int(workbook._cell_styles.add(style))  # noqa: SLF001 - the streamed cells refer to the style by its index


# A carriage return is written as a character reference: XML readers turn a literal one into a line feed.
_XML_ESCAPES: Final = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#13;"})


_WHOLE_NUMBER: Final = re.compile(r"-?[0-9]{1,15}")
"""A cell of a numeric column written as a number: plain digits, within a double's exact range."""


def _cell_xml(reference: str, value: str, *, numeric: bool, percent_style: int) -> str:
    if isinstance(value, Percent):
        return f'<c r="{reference}" s="{percent_style}"><v>{value.ratio!r}</v></c>'
    if numeric and _WHOLE_NUMBER.fullmatch(value):
        return f'<c r="{reference}"><v>{int(value)}</v></c>'
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{clean_text(value).translate(_XML_ESCAPES)}</t></is></c>'


def _sheet_rows_xml(section: Section, *, first_row: int, percent_style: int) -> Iterable[str]:
    """``<row>`` elements for the rows (and the note) of a section: inline strings, and numbers in
    the section's numeric columns."""
    letters = [_column_letter(i) for i in range(max(len(section.headers), len(max(section.rows, key=len, default=())), 1) + 1)]
    numeric = frozenset(section.numeric)
    number = first_row
    for row in section.rows:
        cells = "".join(
            _cell_xml(f"{letters[i]}{number}", value, numeric=i in numeric, percent_style=percent_style)
            for i, value in enumerate(row)
            if value
        )
        yield f'<row r="{number}">{cells}</row>'
        number += 1
    if section.note:
        number += 1
        yield (
            f'<row r="{number}"><c r="A{number}" t="inlineStr">'
            f"<is><t>{clean_text(section.note).translate(_XML_ESCAPES)}</t></is></c></row>"
        )


def _stream_rows(path: Path, parts: dict[str, Section], *, percent_style: int) -> None:
    """Rewrite the workbook at ``path`` with each section's rows put into its sheet part."""
    staging = path.with_name(path.name + ".rows")
    try:
        # 0600 from creation, like the partial it replaces (zipfile would create it 0644 under umask 022).
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), OUTPUT_MODE)
        with (
            os.fdopen(fd, "wb") as raw,
            zipfile.ZipFile(path) as source,
            zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as target,
        ):
            for info in source.infolist():
                data = source.read(info.filename)
                section = parts.get(info.filename)
                if section is None:
                    target.writestr(info, data)
                    continue
                xml = data.decode("utf-8")
                last = len(section.rows) + 1 + (2 if section.note else 0)
                dimension = f'<dimension ref="A1:{_column_letter(max(len(section.headers), 1) - 1)}{last}" />'
                xml = re.sub(r'<dimension ref="[^"]*"\s*/>', dimension, xml, count=1)
                head, sep, tail = xml.partition("</sheetData>")
                if not sep:
                    raise ValueError(f"no sheetData in {info.filename}")
                with target.open(info.filename, "w") as handle:
                    handle.write(head.encode("utf-8"))
                    chunk: list[str] = []
                    for element in _sheet_rows_xml(section, first_row=2, percent_style=percent_style):
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
    data = workbook.create_sheet(_sheet_title(t("export.chart_data", title=chart.title[:24]), used))
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
            for label, value in document.cover():
                writer.writerow([neutralise(label), neutralise(value)])
            for section in document.sections:
                writer.writerow([])
                writer.writerow([neutralise(t("export.section_line", title=section.title))])
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
