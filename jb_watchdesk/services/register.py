"""Importing and exporting the account register as CSV, XLSX or JSON.

CSV may be UTF-8 (with or without the BOM Excel writes), UTF-16 with a BOM, or GB18030 (what
Excel on a Chinese Windows saves as "CSV"). Headers may be English or Chinese. Imports are
all-or-nothing: every bad row is reported and the database is left unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jb_watchdesk.domain.cells import neutralise
from jb_watchdesk.domain.errors import ImportRejected, InputError, RowError
from jb_watchdesk.domain.models import Account
from jb_watchdesk.domain.register import COLUMNS, RawRow, column_header, map_header, validate_rows
from jb_watchdesk.domain.text import clean_text
from jb_watchdesk.services.files import atomic_output, decode_office_text, read_input_bytes
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage.accounts import RegisterChanges
from jb_watchdesk.storage.db import Store

FORMATS = (".csv", ".xlsx", ".json")
MAX_XLSX_ROWS = 20_001


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError("register.unsupported_format", suffix=suffix or path.name)
    return suffix


def decode_text(data: bytes, *, file: str = "") -> str:
    """UTF-8 (BOM or not), UTF-16 with a BOM, else GB18030 when it reads as Chinese
    (:func:`decode_office_text`). A file in another encoding (Shift-JIS, EUC-KR, Big5, Latin-1)
    is ``register.wrong_encoding``, naming ``file`` and the line where reading went wrong."""
    try:
        return decode_office_text(data)
    except InputError as error:
        if error.key == "file.wrong_encoding":
            raise InputError("register.wrong_encoding", path=file, **error.params) from None
        raise InputError("register.undecodable") from None


def _rows_from_table(
    records: Iterator[tuple[int, Sequence[str]]], *, file: str
) -> tuple[list[RawRow], list[RowError]]:
    """Turn (line, cells) records, the first being the header, into raw rows."""
    header_line, header = next(records, (1, []))
    mapped, errors = map_header(list(header), file=file, line=header_line)
    rows: list[RawRow] = []
    if errors:
        return rows, errors
    for line, cells in records:
        values: dict[str, str] = {}
        for column, cell in zip(mapped, cells, strict=False):
            if column is not None:
                values[column] = cell
        rows.append(RawRow(line=line, cells=values))
    return rows, errors


def _csv_records(text: str) -> Iterator[tuple[int, Sequence[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for record in reader:
        yield start, record
        start = reader.line_num + 1


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _xlsx_records(data: bytes, *, file: str) -> Iterator[tuple[int, Sequence[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise InputError("register.bad_xlsx", detail=str(error) or type(error).__name__) from error
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_XLSX_ROWS:
                break
            yield number, [_cell_text(v) for v in row]
    finally:
        workbook.close()


def _json_rows(text: str, *, file: str) -> tuple[list[RawRow], list[RowError]]:
    """Parse a JSON array of objects, remembering the line each object starts on."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [RowError(file, error.lineno, "register.bad_json", (("detail", error.msg),))]
    if not isinstance(document, list):
        return [], [RowError(file, 1, "register.json_shape")]
    decoder = json.JSONDecoder()
    position = text.index("[") + 1
    rows: list[RawRow] = []
    errors: list[RowError] = []
    for item in document:
        while text[position] in " \t\r\n,":
            position += 1
        line = text.count("\n", 0, position) + 1
        _, position = decoder.raw_decode(text, position)
        if not isinstance(item, dict):
            errors.append(RowError(file, line, "register.json_row_shape"))
            continue
        mapped, header_errors = map_header(list(item.keys()), file=file, line=line)
        unknown = [e for e in header_errors if e.key == "register.unknown_columns"]
        errors.extend(unknown)
        values = {
            column: _cell_text(value)
            for column, value in zip(mapped, item.values(), strict=True)
            if column is not None
        }
        rows.append(RawRow(line=line, cells=values))
    return rows, errors


def read_register(path: Path) -> list:
    """Read and validate a register file; raise ImportRejected listing every bad row."""
    suffix = _format_of(path)
    data = read_input_bytes(path)
    file = str(path)
    if suffix == ".csv":
        rows, errors = _rows_from_table(_csv_records(decode_text(data, file=file)), file=file)
    elif suffix == ".xlsx":
        rows, errors = _rows_from_table(_xlsx_records(data, file=file), file=file)
    else:
        rows, errors = _json_rows(decode_text(data, file=file), file=file)
    validated = validate_rows(rows, file=file)
    all_errors = [*errors, *validated.errors]
    if all_errors:
        raise ImportRejected(file, sorted(all_errors, key=lambda e: e.line))
    return list(validated.specs)


def import_register(store: Store, path: Path, *, now: datetime) -> RegisterChanges:
    """Validate the whole file, then apply it in one transaction (or not at all)."""
    specs = read_register(path)
    return store.call(account_store.apply_register, specs, now=now)


def _export_row(account: Account) -> dict[str, str | int]:
    """One register row; a character XML forbids, kept by a database from before the sanitiser,
    would make a whole workbook unreadable, so every value passes it again."""
    return {
        "id": account.id,
        **{column: clean_text(str(getattr(account, column))) for column in COLUMNS},
        "secrets": ",".join(account.secret_names),
    }


def export_register(store: Store, path: Path) -> int:
    """Write every account to ``path`` (format by suffix); returns the number written."""
    suffix = _format_of(path)
    accounts = store.call(account_store.list_accounts)
    rows = [_export_row(a) for a in accounts]
    keys = ["id", *COLUMNS, "secrets"]
    headers = [column_header(k) for k in keys]
    with atomic_output(path) as temp:
        if suffix == ".json":
            temp.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        elif suffix == ".csv":
            with open(temp, "w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(headers)
                for row in rows:
                    writer.writerow([neutralise(str(row[k])) for k in keys])
        else:
            _write_xlsx(temp, headers=headers, rows=[[row[k] for k in keys] for row in rows])
    return len(rows)


def _write_xlsx(path: Path, *, headers: list[str], rows: list[list[str | int]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "账号登记"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None] * len(row))
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.value = value
            if isinstance(value, str):
                # Literal text, never a formula, whatever the account name starts with.
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        width = max([len(header) * 2, *(len(str(r[index - 1])) * 2 for r in rows[:500])], default=10)
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(max(width, 8), 60)
    workbook.save(path)
