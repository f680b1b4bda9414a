"""The account register's columns and validation of imported rows.

Readers (CSV, XLSX, JSON) turn a file into ``RawRow`` values with their line numbers;
``validate_rows`` checks every row and returns either the account specs or every
problem found, so an import is all-or-nothing and the officer sees all bad lines at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.cells import restore
from jb_watchdesk.domain.errors import RowError
from jb_watchdesk.domain.models import AccountSpec, AccountStatus, Platform
from jb_watchdesk.domain.text import clean_text

COLUMNS: tuple[str, ...] = ("name", "platform", "unit", "status", "source", "api_base", "owner", "note")
# Columns an export writes that an import accepts and ignores.
IGNORED_COLUMNS: tuple[str, ...] = ("id", "secrets")
HEADER_LANGUAGE: Final = "zh"
"""A register file's header is written in Chinese (the district's own register is), and read in either."""


def _fold_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower().lstrip("\ufeff")


def column_header(column: str, language: str = HEADER_LANGUAGE) -> str:
    """The header a register file shows for ``column`` (``name`` → 账号名称)."""
    return messages.label("column", column, language)


def _names(column: str) -> dict[str, str]:
    return {_fold_key(column_header(column, language)): column for language in messages.LANGUAGES}


_HEADER_ALIASES: dict[str, str] = {
    **{c: c for c in COLUMNS},
    **{name: c for column in COLUMNS for name, c in _names(column).items()},
    "名称": "name",
    "账号": "name",
    "单位": "unit",
    "运营单位": "unit",
    "订阅源": "source",
    "api base": "api_base",
    "api-base": "api_base",
    "apibase": "api_base",
}
_IGNORED_ALIASES: dict[str, str] = {
    **{c: c for c in IGNORED_COLUMNS},
    **{name: c for column in IGNORED_COLUMNS for name, c in _names(column).items()},
}

# Names an officer's register may use besides the catalogue's (微信服务号, 头条号 …).
_PLATFORM_ALIASES: dict[str, Platform] = {
    **{p.value: p for p in Platform},
    **{_fold_key(messages.label("platform", p, language)): p for p in Platform for language in messages.LANGUAGES},
    "微信服务号": Platform.WECHAT_MP,
    "微信订阅号": Platform.WECHAT_MP,
    "微信": Platform.WECHAT_MP,
    "公众号": Platform.WECHAT_MP,
    "wechat": Platform.WECHAT_MP,
    "微博": Platform.WEIBO,
    "抖音短视频": Platform.DOUYIN,
    "快手短视频": Platform.KUAISHOU,
    "头条": Platform.TOUTIAO,
    "头条号": Platform.TOUTIAO,
    "微视": Platform.WEISHI,
    "上游新闻": Platform.SHANGYOU,
    "订阅源": Platform.RSS,
}
_STATUS_ALIASES: dict[str, AccountStatus] = {
    **{s.value: s for s in AccountStatus},
    **{_fold_key(messages.label("account_status", s, language)): s for s in AccountStatus for language in messages.LANGUAGES},
    "to close": AccountStatus.TO_CLOSE,
    "to-close": AccountStatus.TO_CLOSE,
    "保留": AccountStatus.ACTIVE,
    "正常": AccountStatus.ACTIVE,
    "待关闭": AccountStatus.TO_CLOSE,
    "拟关停": AccountStatus.TO_CLOSE,
    "已关闭": AccountStatus.CLOSED,
    "关停": AccountStatus.CLOSED,
}

MAX_ROWS = 20_000
MAX_LENGTH = {"name": 200, "unit": 200, "owner": 200, "note": 2_000, "source": 2_000, "api_base": 2_000}
_PLATFORM_ID = re.compile(r"^[A-Za-z0-9_.:@\-]{1,200}$")


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row as read from a file: header name → cell text, and where it was."""

    line: int
    cells: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ValidatedRegister:
    specs: tuple[AccountSpec, ...]
    errors: tuple[RowError, ...]


def map_header(headers: Sequence[str], *, file: str, line: int = 1) -> tuple[list[str | None], list[RowError]]:
    """Map a file's header cells to register columns (None = ignored column)."""
    mapped: list[str | None] = []
    unknown: list[str] = []
    for header in headers:
        key = _fold_key(header or "")
        if key in _HEADER_ALIASES:
            mapped.append(_HEADER_ALIASES[key])
        elif key in _IGNORED_ALIASES or key == "":
            mapped.append(None)
        else:
            mapped.append(None)
            unknown.append(header)
    errors: list[RowError] = []
    if unknown:
        choices = ", ".join(f"{c}/{column_header(c)}" for c in COLUMNS)
        errors.append(RowError(file, line, "register.unknown_columns", (("columns", ", ".join(unknown)), ("choices", choices))))
    if "name" not in mapped or "platform" not in mapped:
        errors.append(RowError(file, line, "register.no_header"))
    return mapped, errors


def _is_blank(cells: Mapping[str, str]) -> bool:
    return all(not (v or "").strip() for v in cells.values())


def valid_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host and no whitespace or control characters."""
    if any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _has_control(text: str, *, multiline: bool = False) -> bool:
    allowed = "\t\n\r" if multiline else ""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def validate_rows(rows: Iterable[RawRow], *, file: str) -> ValidatedRegister:
    """Check every row; return all specs if every row is good, else every problem found."""
    specs: list[AccountSpec] = []
    errors: list[RowError] = []
    seen_names: dict[tuple[Platform, str], int] = {}
    seen_sources: dict[tuple[Platform, str], int] = {}
    count = 0
    for row in rows:
        if _is_blank(row.cells):
            continue
        count += 1
        if count > MAX_ROWS:
            errors.append(RowError(file, row.line, "register.too_many_rows", (("rows", count), ("limit", MAX_ROWS))))
            break
        spec, row_errors = _validate_row(row, file=file)
        errors.extend(row_errors)
        if spec is None:
            continue
        key = (spec.platform, spec.name)
        if key in seen_names:
            errors.append(
                RowError(
                    file,
                    row.line,
                    "register.duplicate",
                    (("platform", spec.platform.value), ("name", spec.name), ("first_line", seen_names[key])),
                )
            )
            continue
        seen_names[key] = row.line
        if spec.source:
            source_key = (spec.platform, spec.source)
            if source_key in seen_sources:
                errors.append(
                    RowError(
                        file,
                        row.line,
                        "register.duplicate_source",
                        (("source", spec.source), ("first_line", seen_sources[source_key])),
                    )
                )
                continue
            seen_sources[source_key] = row.line
        specs.append(spec)
    return ValidatedRegister(specs=tuple(specs) if not errors else (), errors=tuple(errors))


def _validate_row(row: RawRow, *, file: str) -> tuple[AccountSpec | None, list[RowError]]:
    errors: list[RowError] = []

    def err(key: str, **params: object) -> None:
        errors.append(RowError(file, row.line, key, tuple(params.items())))

    raw = {column: restore((row.cells.get(column) or "").strip()) for column in COLUMNS}
    for column, limit in MAX_LENGTH.items():
        if len(raw[column]) > limit:
            err("register.too_long", column=column, length=len(raw[column]), limit=limit)
        elif _has_control(raw[column], multiline=column == "note"):
            err("register.control_chars", column=column)
    # Text at the door: what no spreadsheet or XML can hold and nobody can see (U+FFFE, U+FFFF,
    # lone surrogates) goes; control characters were refused above, with the line.
    values = {column: clean_text(value) for column, value in raw.items()}

    if not values["name"]:
        err("register.missing_name")
    platform: Platform | None = None
    raw_platform = values["platform"]
    if not raw_platform:
        err("register.missing_platform")
    else:
        platform = _PLATFORM_ALIASES.get(_fold_key(raw_platform))
        if platform is None:
            err("register.unknown_platform", value=raw_platform, choices=", ".join(p.value for p in Platform))
    status = AccountStatus.ACTIVE
    if values["status"]:
        found = _STATUS_ALIASES.get(_fold_key(values["status"]))
        if found is None:
            err("register.bad_status", value=values["status"], choices=", ".join(s.value for s in AccountStatus))
        else:
            status = found

    source = values["source"]
    if source and platform is not None:
        looks_like_url = "://" in source or source.lower().startswith(("http", "www."))
        if looks_like_url or not platform.has_official_connector:
            if not valid_http_url(source):
                if looks_like_url:
                    err("register.bad_url", column="source", value=source)
                else:
                    err("register.needs_feed_url", platform=platform.value)
        elif not _PLATFORM_ID.match(source):
            err("register.bad_value", column="source", detail=source)
    if values["api_base"] and not valid_http_url(values["api_base"]):
        err("register.bad_url", column="api_base", value=values["api_base"])

    if errors or platform is None:
        return None, errors
    spec = AccountSpec(
        name=values["name"],
        platform=platform,
        unit=values["unit"],
        status=status,
        source=source,
        api_base=values["api_base"].rstrip("/"),
        owner=values["owner"],
        note=values["note"],
    )
    return spec, []
