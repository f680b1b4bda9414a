"""Reading lexicon files from disk; parsing and merging are pure and live in the domain."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from jb_watchdesk.domain.sensitive.lexicon import (
    Lexicon,
    LexiconProblem,
    ParsedLexicon,
    merge_lexicons,
    parse_lexicon,
    unreadable,
)
from jb_watchdesk.domain.sensitive.matcher import Scanner
from jb_watchdesk.domain.text import clean_text
from jb_watchdesk.paths import resources_dir


USER_LEXICON_DIRNAME: Final = "lexicon"


def default_lexicon_dir() -> Path:
    """The shipped default lexicon, ``resources/lexicon/``."""
    return resources_dir() / "lexicon"


def lexicon_file_paths(location: str | os.PathLike[str]) -> list[Path]:
    """A lexicon file, or every ``*.csv`` in a lexicon folder in name order."""
    path = Path(location)
    if path.is_dir():
        return sorted(child for child in path.iterdir() if child.suffix.lower() == ".csv" and child.is_file())
    return [path]


def read_lexicon_file(path: Path) -> ParsedLexicon:
    """Read and parse one file; an unreadable file is a problem, not an exception."""
    try:
        text = clean_text(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        return ParsedLexicon(lexicon=Lexicon(), problems=(unreadable(name=str(path), detail=str(error)),))
    return parse_lexicon(text, name=str(path))


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
