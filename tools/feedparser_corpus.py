"""Run a directory of feed files through parse_feed and through plain feedparser, and compare.

Usage::

    python tools/feedparser_corpus.py CORPUS_DIR [--verbose] [--limit N]

CORPUS_DIR is any tree of feed files, for example the ``tests/`` directory of a
feedparser checkout or sdist (https://github.com/kurtmckee/feedparser). Files ending
in .xml, .rss, .rdf, .atom, .json or .feed are read; everything else is counted as
skipped. Nothing is copied out of the corpus.

feedparser's own test files carry their HTTP headers in a leading comment
(``Header: Content-type: application/atom+xml; charset=gb2312``); when such a line is
present its Content-Type is passed to both parsers, as a server would send it.

Printed figures: files read; entries feedparser found, and how many of them carry
something to read (a title, a link or text; parse_feed drops the others on purpose);
entries parse_feed kept; documents parse_feed refused, by error code, and the readable
entries feedparser found in them; crashes (any exception other than ConnectorError:
this must be zero); and the accepted files where the count of readable entries, the
set of entry links or the set of entry titles differ between the two. ``--verbose`` lists
those files and each crash's traceback. Exit status 1 when there was a crash.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser

from jb_watchdesk.connectors.base import MAX_ITEMS_PER_PAGE, MAX_TITLE_CHARS, ConnectorError
from jb_watchdesk.connectors.feed_parsing import parse_feed
from jb_watchdesk.connectors.html_text import html_to_text

FEED_SUFFIXES = frozenset({".xml", ".rss", ".rdf", ".atom", ".json", ".feed"})
# The address the documents are pretended to come from (the base of relative links).
CORPUS_URL = "http://corpus.example.org/feed.xml"
_HEADER_LINE = re.compile(rb"^Header:\s+Content-type:\s*(.+?)\s*$", re.MULTILINE | re.IGNORECASE)


@dataclass
class Figures:
    """Counts over the whole corpus; the lists hold file paths for --verbose."""

    files: int = 0
    skipped_files: int = 0
    feedparser_entries: int = 0
    readable_entries: int = 0
    kept_entries: int = 0
    entries_in_refused: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    feedparser_errors: int = 0
    refused_files: list[tuple[Path, str]] = field(default_factory=list)
    crashes: list[tuple[Path, str]] = field(default_factory=list)
    count_differs: list[tuple[Path, int, int]] = field(default_factory=list)
    links_differ: list[Path] = field(default_factory=list)
    titles_differ: list[Path] = field(default_factory=list)
    slowest: tuple[float, Path | None] = (0.0, None)


def content_type_of(body: bytes) -> str | None:
    """The Content-Type a feedparser test file says its server sends, or None."""
    match = _HEADER_LINE.search(body[:2_000])
    if match is None:
        return None
    return match.group(1).decode("latin-1")


def feedparser_entries(body: bytes, content_type: str | None) -> list[Mapping[str, object]] | None:
    """feedparser's entries for the document, or None when feedparser itself raised."""
    headers = {"content-type": content_type} if content_type else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except Exception:  # noqa: BLE001 - the reference parser failing is a figure, not an error here
        return None
    return list(result.get("entries") or [])


def _their_link(entry: Mapping[str, object]) -> str:
    link = dict.get(entry, "link")  # type: ignore[arg-type]
    if not isinstance(link, str) or not link.strip():
        return ""
    absolute = urljoin(CORPUS_URL, link.strip())
    return absolute if urlsplit(absolute).scheme.lower() in {"http", "https"} else ""


def _their_title(entry: Mapping[str, object]) -> str:
    title = dict.get(entry, "title")  # type: ignore[arg-type]
    return html_to_text(title, MAX_TITLE_CHARS) if isinstance(title, str) else ""


def _readable(entry: Mapping[str, object]) -> bool:
    if _their_title(entry) or _their_link(entry):
        return True
    texts = [dict.get(entry, "summary")]  # type: ignore[arg-type]
    contents = dict.get(entry, "content")  # type: ignore[arg-type]
    if isinstance(contents, list):
        texts.extend(dict.get(item, "value") for item in contents if isinstance(item, dict))
    return any(isinstance(text, str) and html_to_text(text, 100) for text in texts)


def run_file(path: Path, figures: Figures, *, fetched_at: datetime) -> None:
    """Parse one file both ways and add its figures."""
    body = path.read_bytes()
    content_type = content_type_of(body)
    theirs = feedparser_entries(body, content_type)
    if theirs is None:
        figures.feedparser_errors += 1
        theirs = []
    figures.feedparser_entries += len(theirs)
    theirs = [entry for entry in theirs if _readable(entry)]
    figures.readable_entries += len(theirs)
    started = time.perf_counter()
    try:
        page = parse_feed(
            body, content_type=content_type, url=CORPUS_URL, max_items=MAX_ITEMS_PER_PAGE, fetched_at=fetched_at
        )
    except ConnectorError as error:
        figures.refused[error.code] += 1
        figures.entries_in_refused += len(theirs)
        if theirs:
            figures.refused_files.append((path, error.code))
        return
    except Exception:  # noqa: BLE001 - a crash is exactly what this tool counts
        figures.crashes.append((path, traceback.format_exc()))
        return
    finally:
        elapsed = time.perf_counter() - started
        if elapsed > figures.slowest[0]:
            figures.slowest = (elapsed, path)
    ours = page.items
    figures.kept_entries += len(ours)
    if len(ours) != len(theirs):
        figures.count_differs.append((path, len(theirs), len(ours)))
        return
    if sorted(post.url for post in ours) != sorted(_their_link(entry) for entry in theirs):
        figures.links_differ.append(path)
    if sorted(post.title for post in ours) != sorted(_their_title(entry) for entry in theirs):
        figures.titles_differ.append(path)


def report(figures: Figures, *, verbose: bool) -> str:
    """The figures as lines of text."""
    lines = [
        f"files read:                   {figures.files}",
        f"files skipped (not a feed):   {figures.skipped_files}",
        f"entries feedparser found:     {figures.feedparser_entries}",
        f"  of which readable:          {figures.readable_entries}",
        f"entries parse_feed kept:      {figures.kept_entries}",
        f"documents refused:            {sum(figures.refused.values())}"
        + "".join(f"\n    {code}: {count}" for code, count in sorted(figures.refused.items())),
        f"  readable entries in them:   {figures.entries_in_refused}",
        f"feedparser itself raised:     {figures.feedparser_errors}",
        f"crashes (not ConnectorError): {len(figures.crashes)}",
        f"entry count differs:          {len(figures.count_differs)}",
        f"entry links differ:           {len(figures.links_differ)}",
        f"entry titles differ:          {len(figures.titles_differ)}",
        f"slowest file:                 {figures.slowest[0] * 1000:.0f} ms {figures.slowest[1] or ''}",
    ]
    if verbose:
        lines.extend(f"CRASH {path}\n{trace}" for path, trace in figures.crashes)
        lines.extend(f"REFUSED {path}: {code}" for path, code in figures.refused_files)
        lines.extend(f"COUNT {path}: feedparser {theirs}, kept {ours}" for path, theirs, ours in figures.count_differs)
        lines.extend(f"LINKS {path}" for path in figures.links_differ)
        lines.extend(f"TITLES {path}" for path in figures.titles_differ)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("corpus", type=Path, help="directory of feed files (searched recursively)")
    parser.add_argument("--verbose", action="store_true", help="list differing files and crash tracebacks")
    parser.add_argument("--limit", type=int, default=0, help="stop after this many files (0: all)")
    arguments = parser.parse_args(argv)
    if not arguments.corpus.is_dir():
        parser.error(f"{arguments.corpus} is not a directory")
    figures = Figures()
    fetched_at = datetime.now(UTC)
    for path in sorted(arguments.corpus.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix.lower() not in FEED_SUFFIXES:
            figures.skipped_files += 1
            continue
        figures.files += 1
        run_file(path, figures, fetched_at=fetched_at)
        if arguments.limit and figures.files >= arguments.limit:
            break
    print(report(figures, verbose=arguments.verbose))
    return 1 if figures.crashes else 0


if __name__ == "__main__":
    sys.exit(main())
