"""``accounts import-secrets``: many account secrets into the OS keyring in one run.

Input (standard input, UTF-8, a BOM allowed), one secret per row:

- CSV with a header naming ``account``, ``name`` and ``value`` (any order, other columns
  ignored; RFC 4180 quoting, https://www.rfc-editor.org/rfc/rfc4180); a row's place is its line.
  A row with more cells than the header is refused, not cut: an unquoted comma in a value
  (``1,app_secret,abc,def``) would otherwise store ``abc``.
- JSON: an array of objects ``{"account": 3, "name": "app_secret", "value": "..."}`` or of
  ``[account, name, value]`` lists (https://www.rfc-editor.org/rfc/rfc8259); a row's place is its
  position in the array, from 1.

``account`` is the account id (``accounts list``); ``name`` must be one the account's connector
reads (``app_secret``, ``access_token`` … per platform); ``value`` is kept as given.

All rows are checked before anything is stored, and nothing is stored unless every row is valid
(``ImportRejected`` lists each bad row; exit 2): a half-applied file is harder to reason about than
a refused one, and fixing a row and running again costs nothing. A bad row is reported by its place
and the column at fault, never by its text (a secret in the wrong column would be echoed), and every
value cell is registered with :mod:`jb_watchdesk.services.redaction` before anything is reported. The rows are then stored in
order on the keyring's one worker; if the keyring fails part-way, the rows already stored stay
(running the same input again replaces them) and ``SecretStoreUnavailable`` is raised. Values
never appear in a report, an error or the database.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from jb_watchdesk.domain.errors import ImportRejected, InputError, RowError
from jb_watchdesk.domain.models import Account
from jb_watchdesk.services import accounts as account_service
from jb_watchdesk.services import redaction
from jb_watchdesk.storage import accounts as account_store
from jb_watchdesk.storage.db import Store
from jb_watchdesk.storage.secrets import SecretStore, validate_secret_name, validate_secret_value

Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
MAX_INPUT_BYTES = 8 * 1024 * 1024
"""Largest input, in bytes of UTF-8 (the unit standard input is read in): more than any register's
secrets (300 rows of 2,560 bytes are under 1 MB)."""
COLUMNS = ("account", "name", "value")


@dataclass(frozen=True, slots=True)
class SecretRow:
    """One valid row: where it came from (line or position), the account, the secret's name; the
    value is left out of ``repr`` so it never reaches a log or a traceback."""

    line: int
    account: Account
    name: str
    value: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class _Raw:
    """One row as read: ``cells`` are its account, name and value; ``spare`` the text of a CSV row's
    other cells (masked, never shown); ``too_wide`` is (cells, header columns) for a CSV row with
    more cells than its header, else None."""

    line: int
    cells: tuple[object, object, object]
    spare: tuple[str, ...] = field(default=(), repr=False)
    too_wide: tuple[int, int] | None = None


def detect_format(text: str) -> Format:
    """JSON when the input starts (after white space) with ``[`` or ``{``, else CSV."""
    return "json" if text.lstrip()[:1] in ("[", "{") else "csv"


def parse(text: str, *, fmt: Format | None, where: str) -> list[_Raw]:
    """The rows of ``text`` (``InputError`` when it cannot be read as ``fmt`` at all)."""
    text = text.removeprefix("\ufeff")
    chosen = fmt or detect_format(text)
    rows = _parse_json(text, where=where) if chosen == "json" else _parse_csv(text, where=where)
    if not rows:
        raise InputError("secrets_import.empty", path=where)
    return rows


def _parse_csv(text: str, *, where: str) -> list[_Raw]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return []
        names = [cell.strip().lower() for cell in header]
        if not all(column in names for column in COLUMNS):
            raise InputError("secrets_import.missing_columns", path=where, found=", ".join(names) or "-")
        index = [names.index(column) for column in COLUMNS]
        rows: list[_Raw] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            picked = [cells[i] if i < len(cells) else "" for i in index]
            spare = tuple(cell for i, cell in enumerate(cells) if i not in index)
            too_wide = (len(cells), len(names)) if len(cells) > len(names) else None
            rows.append(_Raw(reader.line_num, (picked[0], picked[1], picked[2]), spare, too_wide))
        return rows
    except csv.Error as error:
        raise InputError("secrets_import.not_parsed", path=where, format="CSV", detail=str(error)) from None


def _parse_json(text: str, *, where: str) -> list[_Raw]:
    try:
        data = json.loads(text)
    except ValueError as error:  # JSONDecodeError, and UnicodeError subclasses
        raise InputError("secrets_import.not_parsed", path=where, format="JSON", detail=str(error)) from None
    if not isinstance(data, list):
        raise InputError("secrets_import.not_parsed", path=where, format="JSON", detail="not an array")
    rows: list[_Raw] = []
    for position, item in enumerate(data, start=1):
        if isinstance(item, dict):
            cells: tuple[object, object, object] = (item.get("account"), item.get("name"), item.get("value"))
        elif isinstance(item, list) and len(item) == 3:
            cells = (item[0], item[1], item[2])
        else:
            cells = (None, None, None)
        rows.append(_Raw(position, cells))
    return rows


def validate(accounts: Sequence[Account], raws: Sequence[_Raw], *, where: str) -> list[SecretRow]:
    """Every row checked against the register: ``ImportRejected`` naming each bad row, or all rows."""
    by_id = {account.id: account for account in accounts}
    errors: list[RowError] = []
    rows: list[SecretRow] = []
    seen: dict[tuple[int, str], int] = {}

    def bad(raw: _Raw, key: str, **params: object) -> None:
        errors.append(RowError(where, raw.line, key, tuple(params.items())))

    for raw in raws:  # masked wherever they might appear, before any row is reported
        if isinstance(raw.cells[2], str):
            redaction.register(raw.cells[2])
        for cell in raw.spare:
            redaction.register(cell)
    for raw in raws:
        account_cell, name_cell, value_cell = raw.cells
        if raw.too_wide is not None:
            bad(raw, "secrets_import.too_many_cells", cells=raw.too_wide[0], columns=raw.too_wide[1])
            continue
        if not all(isinstance(cell, (str, int)) and not isinstance(cell, bool) for cell in raw.cells):
            bad(raw, "secrets_import.bad_row")
            continue
        account_text, name, value = str(account_cell).strip(), str(name_cell).strip(), str(value_cell)
        account_id = int(account_text) if account_text.isascii() and account_text.isdigit() else 0
        if account_id <= 0:
            bad(raw, "secrets_import.bad_account")
            continue
        account = by_id.get(account_id)
        if account is None:
            bad(raw, "account.not_found", account_id=account_id)
            continue
        try:
            validate_secret_name(name)
            account_service.check_secret_name(account, name)
        except InputError:
            # The column, never its text: a secret given in the name column would be echoed.
            bad(raw, "secrets_import.unknown_name", account_id=account_id, names=", ".join(account_service.needed_secrets(account)) or "-")
            continue
        try:
            validate_secret_value(value)
        except InputError as error:
            bad(raw, error.key, **error.params)  # empty, not text, too long: sizes only
            continue
        first = seen.setdefault((account_id, name), raw.line)
        if first != raw.line:
            bad(raw, "secrets_import.duplicate", account_id=account_id, name=name, first=first)
            continue
        rows.append(SecretRow(raw.line, account, name, value))
    if errors:
        raise ImportRejected(where, errors)
    return rows


def read_rows(store: Store, text: str, *, fmt: Format | None, where: str) -> list[SecretRow]:
    """Every row of ``text`` checked against the register; ``InputError``/``ImportRejected`` when
    any is bad (nothing is stored then). Touches neither the keyring nor the database's writer."""
    if len(text) > MAX_INPUT_BYTES // 4 and len(text.encode("utf-8", "surrogatepass")) > MAX_INPUT_BYTES:
        raise InputError("secrets_import.too_large", path=where, limit=MAX_INPUT_BYTES // (1024 * 1024))
    return validate(store.query(account_store.list_accounts), parse(text, fmt=fmt, where=where), where=where)


def store_rows(
    store: Store,
    secrets: SecretStore,
    rows: Sequence[SecretRow],
    *,
    now: datetime,
    stored: Callable[[SecretRow], None] | None = None,
) -> None:
    """Keep each row's secret in the keyring, in order, and note its name on the account;
    ``stored(row)`` after each. ``SecretStoreUnavailable`` stops the run: the rows reported
    through ``stored`` so far stay kept, the others are not stored."""

    def kept(index: int) -> None:
        row = rows[index]
        store.call(account_store.add_secret_name, row.account.id, row.name, now=now)
        if stored is not None:
            stored(row)

    secrets.set_many([(row.account.id, row.name, row.value) for row in rows], stored=kept)
