"""The lexicon: what to look for, how serious it is, and which phrases cancel a hit.

A lexicon file is CSV text (see ``resources/lexicon/README.md``)::

    term,category,severity,rule,note
    国家级,advertising,medium,ad.absolute,广告法第九条禁止的绝对化用语
    南京市长江大桥,allow,,,地名，覆盖“市长”

Blank lines and lines starting with ``#`` are ignored; the header row is optional (without
it the columns are read in the order above). A row whose category is ``allow`` is an
allow-list phrase: it cancels any hit it fully covers. Categories and severities may be written
in English or in Chinese (保密/广告/有偿服务/隐私/表述错误/白名单, 高/中/低).

Parsing never stops at a bad line: each one becomes a ``LexiconProblem`` reported as
``FILE:LINE: reason`` and the rest still loads, because a typo in the office's own list must not
switch off the shipped one. This module does no file I/O; callers pass the text and a name.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.messages import current_language
from jb_watchdesk.domain.sensitive.normalize import fold_term


class Severity(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Larger is more serious; for sorting alerts."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK: Final = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


class Category(StrEnum):
    """The notice's categories of content a government account must not publish."""

    SECRET = "secret"
    ADVERTISING = "advertising"
    PAID_SERVICE = "paid_service"
    PRIVACY = "privacy"
    MISSTATEMENT = "misstatement"


ALLOW: Final = "allow"
"""The category value that marks a row as an allow-list phrase."""

_CATEGORY_ALIASES: Final[dict[str, str]] = {
    **{category.value: category.value for category in Category},
    **{messages.label("category", category, language): category.value for category in Category for language in messages.LANGUAGES},
    "保密": Category.SECRET.value,
    "涉密": Category.SECRET.value,
    "广告": Category.ADVERTISING.value,
    "商业广告": Category.ADVERTISING.value,
    "有偿服务": Category.PAID_SERVICE.value,
    "隐私": Category.PRIVACY.value,
    "个人隐私": Category.PRIVACY.value,
    "表述错误": Category.MISSTATEMENT.value,
    "严重表述错误": Category.MISSTATEMENT.value,
    ALLOW: ALLOW,
    "白名单": ALLOW,
}
_SEVERITY_ALIASES: Final[dict[str, Severity]] = {
    **{severity.value: severity for severity in Severity},
    "高": Severity.HIGH,
    "中": Severity.MEDIUM,
    "低": Severity.LOW,
}
COLUMNS: Final = ("term", "category", "severity", "rule", "note")
_HEADER_ALIASES: Final[dict[str, str]] = {
    **{column: column for column in COLUMNS},
    "词条": "term",
    "类别": "category",
    "级别": "severity",
    "规则": "rule",
    "备注": "note",
}
_RULE_ID: Final = re.compile(r"[a-z0-9][a-z0-9_.\-]{0,63}")
MAX_TERM_LENGTH: Final = 64

# key: (zh, en). Kept beside the parser so the reasons and the checks that raise them change together.
_REASONS: Final[dict[str, tuple[str, str]]] = {
    "bad_header": (
        "表头无法识别：{value}（应为：{columns}）",
        "unrecognised header: {value} (expected: {columns})",
    ),
    "bad_csv": ("CSV 格式错误：{detail}", "malformed CSV: {detail}"),
    "too_many_fields": (
        "字段过多（{count} 个，最多 {limit} 个；含逗号的内容请加英文双引号）",
        "too many fields ({count}, at most {limit}; quote text that contains commas)",
    ),
    "empty_term": ("词条为空", "empty term"),
    "single_char": (
        "词条“{term}”只有一个字，误报太多，不予收录",
        "term {term!r} is a single character: it would match far too much",
    ),
    "too_long": (
        "词条过长（{length} 字，上限 {limit}）",
        "term too long ({length} characters, limit {limit})",
    ),
    "unknown_category": (
        "未知类别“{value}”（可用：{choices}）",
        "unknown category {value!r} (expected one of: {choices})",
    ),
    "unknown_severity": (
        "未知级别“{value}”（可用：high/medium/low 或 高/中/低）",
        "unknown severity {value!r} (expected high/medium/low)",
    ),
    "bad_rule": (
        "规则编号“{value}”无效（小写字母、数字、点、下划线、连字符）",
        "bad rule id {value!r} (lower-case letters, digits, dots, underscores, hyphens)",
    ),
    "duplicate": (
        "重复词条“{term}”，已在第 {first_line} 行出现",
        "duplicate term {term!r}, already on line {first_line}",
    ),
    "unreadable": ("无法读取文件：{detail}", "cannot read the file: {detail}"),
}


@dataclass(frozen=True, slots=True)
class LexiconProblem:
    """One bad line of a lexicon file, reported as ``FILE:LINE: reason``; the line was skipped."""

    file: str
    line: int
    key: str
    params: tuple[tuple[str, object], ...] = ()

    def reason(self, language: str | None = None) -> str:
        zh, en = _REASONS[self.key]
        template = en if (language or current_language()) == "en" else zh
        return template.format(**dict(self.params))

    def format(self, language: str | None = None) -> str:
        return f"{self.file}:{self.line}: {self.reason(language)}"


@dataclass(frozen=True, slots=True)
class Term:
    """A lexicon term. ``key`` is the folded form the matcher looks for."""

    term: str
    key: str
    category: Category
    severity: Severity
    rule: str
    note: str = ""
    source: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class AllowPhrase:
    """A phrase that cancels any hit it fully covers (南京市长江大桥 covers 市长)."""

    phrase: str
    key: str
    note: str = ""
    source: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Terms and allow-list phrases, each unique by folded key."""

    terms: tuple[Term, ...] = ()
    allow: tuple[AllowPhrase, ...] = ()

    def __len__(self) -> int:
        return len(self.terms)


@dataclass(frozen=True, slots=True)
class ParsedLexicon:
    """What one file contributed, and the lines that were skipped."""

    lexicon: Lexicon
    problems: tuple[LexiconProblem, ...]


def parse_lexicon(text: str, *, name: str) -> ParsedLexicon:
    """Parse the CSV ``text`` of the lexicon file called ``name`` (used in problem reports).

    Duplicates inside one file are reported (the first one wins); see ``merge_lexicons`` for
    duplicates across files.
    """
    problems: list[LexiconProblem] = []
    terms: list[Term] = []
    allow: list[AllowPhrase] = []
    first_seen: dict[str, int] = {}
    columns: tuple[str, ...] | None = None

    def problem(line: int, key: str, **params: object) -> None:
        problems.append(LexiconProblem(file=name, line=line, key=key, params=tuple(params.items())))

    # Split on line feeds only, so line numbers agree with the officer's editor even when a
    # field contains a character that str.splitlines() would also treat as a line break.
    for number, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        raw = line.rstrip("\r")
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if '"' in raw:
            try:
                fields = next(csv.reader([raw], strict=True))
            except csv.Error as error:
                problem(number, "bad_csv", detail=str(error))
                continue
        else:  # no quoting: a plain split reads it the same, several times faster on a large file
            fields = raw.split(",")
        fields = [field.strip() for field in fields]
        if columns is None:
            # The header is optional: a user's own file may be just "term,category,severity".
            if fields[0].lower() in _HEADER_ALIASES:
                columns = _header(fields)
                if columns is None:
                    problem(number, "bad_header", value=raw.strip(), columns=",".join(COLUMNS))
                    columns = COLUMNS
                continue
            columns = COLUMNS
        if len(fields) > len(columns):
            problem(number, "too_many_fields", count=len(fields), limit=len(columns))
            continue
        row = dict(zip(columns, fields, strict=False))
        entry = _entry(row, name=name, line=number, problem=problem)
        if entry is None:
            continue
        if entry.key in first_seen:
            problem(number, "duplicate", term=_shown(entry), first_line=first_seen[entry.key])
            continue
        first_seen[entry.key] = number
        if isinstance(entry, Term):
            terms.append(entry)
        else:
            allow.append(entry)
    return ParsedLexicon(lexicon=Lexicon(terms=tuple(terms), allow=tuple(allow)), problems=tuple(problems))


def _shown(entry: Term | AllowPhrase) -> str:
    return entry.term if isinstance(entry, Term) else entry.phrase


def _header(fields: Sequence[str]) -> tuple[str, ...] | None:
    names = tuple(_HEADER_ALIASES.get(field.lower(), "") for field in fields)
    if "term" not in names or "" in names or len(set(names)) != len(names):
        return None
    return names


def _entry(
    row: dict[str, str], *, name: str, line: int, problem: Callable[..., None]
) -> Term | AllowPhrase | None:
    term = row.get("term", "")
    note = row.get("note", "")
    if not term:
        problem(line, "empty_term")
        return None
    key = fold_term(term)
    if len(key) > MAX_TERM_LENGTH:
        problem(line, "too_long", length=len(key), limit=MAX_TERM_LENGTH)
        return None
    if len(key) < 2:
        problem(line, "single_char", term=term)
        return None
    raw_category = row.get("category", "")
    category = _CATEGORY_ALIASES.get(raw_category.lower())
    if category is None:
        choices = ", ".join([*(c.value for c in Category), ALLOW])
        problem(line, "unknown_category", value=raw_category, choices=choices)
        return None
    if category == ALLOW:
        return AllowPhrase(phrase=term, key=key, note=note, source=name, line=line)
    raw_severity = row.get("severity", "")
    severity = _SEVERITY_ALIASES.get(raw_severity.lower())
    if severity is None:
        problem(line, "unknown_severity", value=raw_severity)
        return None
    rule = row.get("rule", "") or category
    if not _RULE_ID.fullmatch(rule):
        problem(line, "bad_rule", value=rule)
        return None
    return Term(
        term=term,
        key=key,
        category=Category(category),
        severity=severity,
        rule=rule,
        note=note,
        source=name,
        line=line,
    )


def unreadable(*, name: str, detail: str) -> LexiconProblem:
    """The problem reported for a lexicon file that could not be read at all."""
    return LexiconProblem(file=name, line=0, key="unreadable", params=(("detail", detail),))


def merge_lexicons(lexicons: Iterable[Lexicon]) -> Lexicon:
    """Merge lexicons in order: shipped default, the office's own, a user's additions.

    A term that appears again in a later lexicon replaces the earlier entry, so an office can
    change the severity or rule of a shipped term. An allow-list phrase equal to a term cancels
    that term everywhere — the way to switch off a shipped term without editing the shipped file.
    """
    terms: dict[str, Term] = {}
    allow: dict[str, AllowPhrase] = {}
    for lexicon in lexicons:
        for term in lexicon.terms:
            terms.pop(term.key, None)
            terms[term.key] = term
        for phrase in lexicon.allow:
            allow.setdefault(phrase.key, phrase)
    return Lexicon(terms=tuple(terms.values()), allow=tuple(allow.values()))
