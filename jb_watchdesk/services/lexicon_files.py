"""Reading and adding to lexicon files on disk; parsing and merging are pure and live in the domain.

Lexicon files are read the way office programs save them: UTF-8 (with or without BOM), UTF-16
with a BOM, or GB18030 (see :func:`~jb_watchdesk.services.files.decode_office_text`), comma- or
tab-separated. A file that cannot be read is a problem the officer is shown, never a silent gap.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.cells import is_formula_like
from jb_watchdesk.domain.errors import InputError, WatchdeskError
from jb_watchdesk.domain.rules import SHANGHAI
from jb_watchdesk.domain.sensitive.lexicon import (
    ALLOW,
    COLUMNS,
    Lexicon,
    LexiconProblem,
    ParsedLexicon,
    merge_lexicons,
    parse_lexicon,
    unreadable,
)
from jb_watchdesk.domain.sensitive.matcher import Scanner
from jb_watchdesk.domain.sensitive.normalize import fold_term
from jb_watchdesk.domain.text import clean_text, has_control_characters
from jb_watchdesk.paths import resources_dir
from jb_watchdesk.services.files import MAX_INPUT_BYTES, atomic_output, decode_office_text

USER_LEXICON_DIRNAME: Final = "lexicon"
ALLOW_FILENAME: Final = "allow.csv"
"""The file in ``<data dir>/lexicon/`` that allow phrases added from the desk go to."""
MAX_NOTE_CHARS: Final = 200


def default_lexicon_dir() -> Path:
    """The shipped default lexicon, ``resources/lexicon/``."""
    return resources_dir() / "lexicon"


def lexicon_file_paths(location: str | os.PathLike[str]) -> list[Path]:
    """A lexicon file, or every ``*.csv`` in a lexicon folder in name order."""
    path = Path(location)
    if path.is_dir():
        return sorted(child for child in path.iterdir() if child.suffix.lower() == ".csv" and child.is_file())
    return [path]


def read_lexicon_text(path: Path) -> str:
    """The text of one lexicon file, decoded and cleaned; raises :class:`InputError` if unreadable."""
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InputError("file.unreadable", path=str(path), detail=f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as error:
        raise InputError("file.unreadable", path=str(path), detail=error.strerror or str(error)) from error
    return clean_text(decode_office_text(data))


def read_lexicon_file(path: Path) -> ParsedLexicon:
    """Read and parse one file; an unreadable file is a problem naming it, not an exception."""
    try:
        text = read_lexicon_text(path)
    except InputError as error:
        detail = str(error.params.get("detail", error))
        return ParsedLexicon(lexicon=Lexicon(), problems=(unreadable(name=str(path), detail=detail),))
    return parse_lexicon(commas_for_tabs(text), name=str(path))


def commas_for_tabs(text: str) -> str:
    """Tab-separated text (Excel's "Unicode text") rewritten as CSV, line for line.

    A file is taken as tab-separated when its first line that is neither blank nor a comment has
    a tab and no comma; every line keeps its number, so problems still point at the right line.
    """
    if "\t" not in text:
        return text  # the usual case, and large files should not pay for the rest
    lines = text.split("\n")
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    if "\t" not in first or "," in first:
        return text
    converted: list[str] = []
    for line in lines:
        raw = line.rstrip("\r")
        if "\t" not in raw or raw.lstrip().startswith("#"):
            converted.append(line)
            continue
        fields = next(csv.reader([raw], delimiter="\t"), [])
        converted.append(_csv_line(fields))
    return "\n".join(converted)


def _csv_line(fields: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue()


def load_lexicons(locations: Iterable[str | os.PathLike[str]]) -> tuple[Lexicon, list[LexiconProblem]]:
    """Load and merge lexicon files and folders in order: shipped default, office, user.

    Returns the merged lexicon and every problem found; bad lines never stop the rest loading.
    """
    lexicons: list[Lexicon] = []
    problems: list[LexiconProblem] = []
    for location in locations:
        for path in lexicon_file_paths(location):
            parsed = read_lexicon_file(path)
            lexicons.append(parsed.lexicon)
            problems.extend(parsed.problems)
    return merge_lexicons(lexicons), problems


def lexicon_locations(data_dir: Path) -> list[Path]:
    """Where the lexicon comes from, merged in order: the shipped default, then ``<data dir>/lexicon/``."""
    return [default_lexicon_dir(), data_dir / USER_LEXICON_DIRNAME]


def load_scanner(locations: Iterable[Path]) -> tuple[Scanner, list[LexiconProblem]]:
    """Build a scanner from lexicon files and folders; locations that do not exist are skipped.

    The user's folder is optional, so its absence is not a problem worth reporting; a bad line
    inside any file is, and the rest still loads.
    """
    lexicon, problems = load_lexicons([location for location in locations if location.exists()])
    return Scanner.build(lexicon), problems


def lexicon_stamp(locations: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    """What the lexicon files look like on disk (name, modification time, size): a change means reload."""
    stamp: list[tuple[str, int, int]] = []
    for location in locations:
        if not location.exists():
            continue
        for path in lexicon_file_paths(location):
            try:
                info = path.stat()
            except OSError:
                stamp.append((str(path), -1, -1))
                continue
            stamp.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(stamp)


# -- what the officer is told ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LexiconReport:
    """What a lexicon load gave: how many terms and allow phrases, and what was left out."""

    terms: int
    allow: int
    problems: tuple[LexiconProblem, ...] = ()

    @classmethod
    def of(cls, lexicon: Lexicon, problems: Iterable[LexiconProblem]) -> LexiconReport:
        return cls(terms=len(lexicon.terms), allow=len(lexicon.allow), problems=tuple(problems))

    @property
    def unreadable(self) -> tuple[LexiconProblem, ...]:
        """Whole files that could not be read: none of their terms is in use."""
        return tuple(problem for problem in self.problems if problem.key == "unreadable")

    @property
    def skipped(self) -> tuple[LexiconProblem, ...]:
        """Single lines that were skipped; the rest of their files loaded."""
        return tuple(problem for problem in self.problems if problem.key != "unreadable")

    def summary(self, language: str | None = None) -> str:
        """One line for a banner, a status line or stderr, in the officer's language."""
        unreadable_files, skipped = self.unreadable, self.skipped
        if unreadable_files:
            line = messages.text(
                "lexicon.unreadable_files", language, files=len(unreadable_files), first=unreadable_files[0].format(language)
            )
            if skipped:
                line += messages.text("lexicon.also_skipped", language, lines=len(skipped))
            return line
        if skipped:
            files = len({problem.file for problem in skipped})
            return messages.text("lexicon.skipped_lines", language, lines=len(skipped), files=files, first=skipped[0].format(language))
        return messages.text("lexicon.loaded", language, terms=self.terms, allow=self.allow)

    def advice(self, language: str | None = None) -> str:
        """What to do about the problems ("" when there are none)."""
        if self.unreadable:
            return messages.text("lexicon.advice_unreadable", language)
        if self.skipped:
            return messages.text("lexicon.advice_skipped", language)
        return ""


def check_lexicon(locations: Iterable[Path]) -> LexiconReport:
    """Read every lexicon file (as the scanner would) and report; builds no scanner."""
    lexicon, problems = load_lexicons([location for location in locations if location.exists()])
    return LexiconReport.of(lexicon, problems)


# -- allow phrases added by an officer ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class AllowPhraseAdded:
    """An allow phrase as written (cleaned), the file it is in, and whether this call wrote it."""

    phrase: str
    path: Path
    added: bool


def add_allow_phrase(data_dir: Path, phrase: str, *, note: str, officer: str, now: datetime) -> AllowPhraseAdded:
    """Append ``phrase,allow,,,note`` to ``<data dir>/lexicon/allow.csv`` (created with a header if missing).

    The phrase is checked as the scanner will read it: a phrase the lexicon would skip (one
    character, too long), one with control characters or line breaks, or one a spreadsheet
    would run as a formula is refused with an :class:`InputError` and nothing is written. A
    phrase already allowed (in any lexicon file) is left as it is. The note records who added
    the phrase and when. Reload the scanner afterwards for the next scans to honour it.
    """
    cleaned = _checked_phrase(phrase)
    key = fold_term(cleaned)
    path = data_dir / USER_LEXICON_DIRNAME / ALLOW_FILENAME
    existing = _existing_text(path)
    known, _ = load_lexicons([location for location in lexicon_locations(data_dir) if location.exists()])
    if any(allowed.key == key for allowed in known.allow):
        return AllowPhraseAdded(phrase=cleaned, path=path, added=False)
    own = parse_lexicon(commas_for_tabs(existing), name=str(path)).lexicon if existing else Lexicon()
    if any(term.key == key for term in own.terms):
        raise InputError("lexicon.phrase_is_term", phrase=cleaned, path=str(path))
    row = _csv_line([cleaned, ALLOW, "", "", _note_cell(note, officer=officer, now=now)])
    header = ",".join(COLUMNS)
    text = existing if existing.strip() else header + "\n"
    if not text.endswith("\n"):
        text += "\n"
    with atomic_output(path, create_folder=True) as temp:
        # With a BOM, so Excel on a Chinese Windows opens the file as UTF-8.
        temp.write_text(text + row + "\n", encoding="utf-8-sig", newline="")
    return AllowPhraseAdded(phrase=cleaned, path=path, added=True)


def _checked_phrase(phrase: str) -> str:
    stripped = phrase.strip()
    if has_control_characters(stripped) or "\n" in stripped:
        raise InputError("lexicon.phrase_control_chars")
    cleaned = clean_text(stripped)
    if is_formula_like(cleaned):
        raise InputError("lexicon.phrase_formula")
    parsed = parse_lexicon(",".join(COLUMNS) + "\n" + _csv_line([cleaned, ALLOW]), name="")
    if parsed.problems:
        raise InputError("lexicon.bad_phrase", phrase=cleaned, reason=parsed.problems[0].reason())
    if not parsed.lexicon.allow:  # "#兼职刷单" would be written as a comment line and read as nothing
        raise InputError("lexicon.phrase_comment")
    return cleaned


def _note_cell(note: str, *, officer: str, now: datetime) -> str:
    """The officer's note, one line, followed by who added the phrase and on which day."""
    text = " ".join(clean_text(note).split())
    if has_control_characters(text):
        raise InputError("lexicon.phrase_control_chars")
    if len(text) > MAX_NOTE_CHARS:
        raise InputError("duty.too_long", field="--note", length=len(text), limit=MAX_NOTE_CHARS)
    who = " ".join(clean_text(officer).split())
    stamp = f"{who} {now.astimezone(SHANGHAI):%Y-%m-%d}".strip()
    cell = f"{text}（{stamp}）" if text else stamp
    return "'" + cell if is_formula_like(cell) else cell


def _existing_text(path: Path) -> str:
    """The allow file as it is now ("" if there is none); an unreadable one is refused, not overwritten."""
    if not path.exists():
        return ""
    try:
        return read_lexicon_text(path)
    except WatchdeskError as error:
        raise InputError("lexicon.allow_file_unreadable", path=str(path), detail=str(error)) from error
