"""Sensitive-content scan of new and edited posts and comments, off the event loop.

The poller hands each :class:`~jb_watchdesk.services.poller.PollResult` to :meth:`ScanService.process`.
The items' texts are read from the store, scanned on the service's own worker thread (a scan of a
long article must never freeze the window) and the hits become alerts, one per item and
category, listing each hit (a label and the number it names are one hit). An item the desk found
already there (its account's first poll, or over 24 hours old when first seen) raises backlog
alerts: counted and listed, never pushed. Personal data is masked before anything is stored: the alert's text and its context
snippet are what an officer, a screen or an export may show.

The matcher is immutable. Editing a lexicon builds a new one in the background and swaps the
reference, so a scan in progress finishes with the lexicon it started with.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, Protocol, TypeVar

from jb_watchdesk.domain import rules
from jb_watchdesk.domain.alerts import Alert, AlertDraft, is_backlog
from jb_watchdesk.domain.models import AccountStatus, ItemKind, Visibility
from jb_watchdesk.domain.sensitive import Category, Hit, LexiconProblem, Scanner, Severity, utf16_spans
from jb_watchdesk.domain.sensitive.detectors import DETECTOR_RULES
from jb_watchdesk.services.lexicon_files import lexicon_locations, load_scanner
from jb_watchdesk.storage import alerts as alert_store
from jb_watchdesk.storage.alerts import ScanItem
from jb_watchdesk.storage.db import Store

log = logging.getLogger(__name__)

T = TypeVar("T")

LIFECYCLE_CATEGORY: Final = "lifecycle"
LIFECYCLE_RULE: Final = "lifecycle.closed_account_posting"
PLATFORM_CATEGORY: Final = "platform"
PLATFORM_REJECTED_RULE: Final = "platform.rejected"
"""The platform judged a post unfit for the public: it is hidden, and the officer must know why."""
SCAN_CATEGORIES: Final = frozenset(category.value for category in Category)
"""Categories whose alerts a lexicon change may resolve; lifecycle findings are not among them."""
CONTEXT_CHARS: Final = 20
"""Characters of context kept on each side of a hit: enough to judge it, short enough for a list."""
EXCERPT_CHARS: Final = 60
RESCAN_BATCH: Final = 500


class Clock(Protocol):
    def now(self) -> datetime: ...


class ChangedItems(Protocol):
    """What the scanner reads from a poll's ``PollResult``: row ids of new and edited items."""

    @property
    def new_posts(self) -> Sequence[int]: ...
    @property
    def edited_posts(self) -> Sequence[int]: ...
    @property
    def new_comments(self) -> Sequence[int]: ...
    @property
    def edited_comments(self) -> Sequence[int]: ...


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """What one scan stored: the alerts it raised and the ones a lexicon change resolved."""

    items_scanned: int = 0
    hits: int = 0
    raised: tuple[Alert, ...] = ()
    resolved: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.raised or self.resolved)


class ScanService:
    """Owns the current scanner, scans changed items on a worker thread and stores alerts."""

    def __init__(self, *, store: Store, clock: Clock, locations: Sequence[Path]) -> None:
        """``locations``: lexicon files or folders in merge order (see :func:`lexicon_locations`).

        Nothing is read here; the lexicon is loaded on first use or by :meth:`reload`.
        """
        self._store = store
        self._clock = clock
        self._locations = tuple(locations)
        self._scanner: Scanner | None = None
        self._problems: tuple[LexiconProblem, ...] = ()
        # Serialises rebuilds so an older build can never be swapped in after a newer one.
        self._reload_lock = threading.Lock()
        # One worker keeps scans in order and leaves the rest of the machine to the window.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jb-scan")
        self._pending_lock = asyncio.Lock()
        self._closed = False

    # -- lexicon -------------------------------------------------------------------

    @property
    def scanner(self) -> Scanner:
        """The current scanner, loading the lexicon first if it never was."""
        scanner = self._scanner
        if scanner is None:
            self.reload()
            scanner = self._scanner
            assert scanner is not None
        return scanner

    @property
    def problems(self) -> tuple[LexiconProblem, ...]:
        """Bad lexicon lines found by the last load, each reported as ``FILE:LINE: reason``."""
        return self._problems

    @property
    def active_rules(self) -> frozenset[str]:
        """Every rule the current scanner can report: lexicon rules and the detectors' rules."""
        return frozenset(term.rule for term in self.scanner.lexicon.terms) | DETECTOR_RULES

    def reload(self) -> list[LexiconProblem]:
        """Re-read the lexicon files, build a new scanner and swap it in; returns the problems.

        Blocking (file reads and the build): from an event loop, run it in a worker thread
        (``await asyncio.to_thread(service.reload)``); scans in flight keep the scanner they began with.
        """
        with self._reload_lock:
            scanner, problems = load_scanner(self._locations)
            self._scanner = scanner  # a single reference assignment: scans see the old or the new one
            self._problems = tuple(problems)
        for problem in problems:
            # Lexicon lines hold terms, not personal data, so the line can be logged.
            log.warning("lexicon: %s", problem.format("en"))
        log.info("lexicon loaded: %d terms, %d allow phrases", len(scanner.lexicon.terms), len(scanner.lexicon.allow))
        return problems

    # -- scanning ------------------------------------------------------------------

    async def scan_pending(self) -> ScanOutcome:
        """Scan every post and comment whose "to scan" mark is set, and store their alerts.

        The store sets the mark on every new or changed item; each batch's alerts are stored in
        the transaction that clears its marks, so an item is scanned exactly once across crashes,
        failed neighbours and restarts, and scanning again raises nothing new. A new post of an
        account that is to be closed or is closed also raises a lifecycle alert (an edit does not);
        a post the platform judged unfit for the public raises a platform alert. One item whose
        scan fails is logged and left marked; the others go on.
        """
        async with self._pending_lock:  # a forced cycle beside the loop's must not scan the same pages
            return await self._scan_pending()

    async def _scan_pending(self) -> ScanOutcome:
        scanner = await self._current_scanner()
        scanned = hits = 0
        raised: list[Alert] = []
        async for page in self._pages(alert_store.pending_scan_items):
            lifecycle = frozenset(item.id for item in page if item.kind is ItemKind.POST and not item.edited)
            scan = functools.partial(scan_each, scanner, page, lifecycle_posts=lifecycle, now=self._clock.now())
            drafts, done, found = await self._off_loop(scan)
            raised.extend(await self._store.run(alert_store.store_scan, drafts, scanned=done, now=self._clock.now()))
            scanned += len(done)
            hits += found
        return ScanOutcome(items_scanned=scanned, hits=hits, raised=tuple(raised))

    async def rescan_all(self) -> ScanOutcome:
        """Scan every stored post and comment again, after a lexicon change.

        New hits raise alerts; new alerts whose rule is gone from the lexicon are resolved.
        Acknowledged and resolved alerts are history and stay as they are. Lifecycle findings
        are left alone: they do not depend on the lexicon.
        """
        scanner = await self._current_scanner()
        scanned = hits = 0
        raised: list[Alert] = []
        async for page in self._pages(alert_store.scan_item_page):
            scan = functools.partial(scan_items, scanner, page, lifecycle_posts=frozenset(), now=self._clock.now())
            drafts, found = await self._off_loop(scan)
            raised.extend(await self._store.run(alert_store.raise_alerts, drafts, now=self._clock.now()))
            scanned += len(page)
            hits += found
        active = frozenset(term.rule for term in scanner.lexicon.terms) | DETECTOR_RULES  # as active_rules, for this scanner
        resolved = await self._store.run(
            alert_store.resolve_removed_rules, active_rules=active, categories=SCAN_CATEGORIES, now=self._clock.now()
        )
        return ScanOutcome(items_scanned=scanned, hits=hits, raised=tuple(raised), resolved=tuple(resolved))

    # -- plumbing ------------------------------------------------------------------

    async def _pages(self, read: Callable[..., list[ScanItem]]) -> AsyncIterator[list[ScanItem]]:
        """Posts, then comments, in pages of :data:`RESCAN_BATCH` by id, as ``read`` selects them."""
        for kind in (ItemKind.POST, ItemKind.COMMENT):
            after = 0
            while True:
                page = await self._store.run(read, kind=kind, after_id=after, limit=RESCAN_BATCH)
                if not page:
                    break
                after = page[-1].id
                yield page

    async def _current_scanner(self) -> Scanner:
        scanner = self._scanner
        if scanner is None:
            await asyncio.to_thread(self.reload)
            scanner = self._scanner
            assert scanner is not None
        return scanner

    async def _off_loop(self, fn: Callable[[], T]) -> T:
        if self._closed:
            raise RuntimeError("scan service is closed")
        return await asyncio.wrap_future(self._executor.submit(fn))

    def close(self) -> None:
        """Stop the worker thread after the scan in progress. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=True)

    def __enter__(self) -> ScanService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- pure part: hits → alert drafts ----------------------------------------------------


@dataclass(slots=True)
class _Best:
    """The most serious hit of one rule in one item, and how many hits that rule had."""

    hit: Hit
    field: str
    text: str
    field_hits: list[Hit]
    count: int = 1


def scan_each(
    scanner: Scanner, items: Sequence[ScanItem], *, lifecycle_posts: frozenset[int], now: datetime
) -> tuple[list[AlertDraft], list[ScanItem], int]:
    """:func:`scan_items` item by item: returns the drafts, the items scanned and the hit count.

    An item whose scan raises (a fault in a detector on text nobody foresaw) is logged by id and
    left out of the scanned items, so it stays marked and the rest of the batch goes on.
    """
    drafts: list[AlertDraft] = []
    done: list[ScanItem] = []
    total = 0
    for item in items:
        try:
            found, hits = scan_items(scanner, [item], lifecycle_posts=lifecycle_posts, now=now)
        except Exception:
            log.exception("scanning %s %d failed; it stays marked for the next scan", item.kind.value, item.id)
            continue
        drafts.extend(found)
        done.append(item)
        total += hits
    return drafts, done, total


def scan_items(
    scanner: Scanner, items: Sequence[ScanItem], *, lifecycle_posts: frozenset[int], now: datetime
) -> tuple[list[AlertDraft], int]:
    """Scan each item's texts; returns one draft per item and rule, and the number of hits
    (the store merges an item's drafts into one alert per category).

    Of several hits of one rule the most serious (then the most certain, then the first) is
    the one shown. Posts in ``lifecycle_posts`` also get a lifecycle finding when their account
    is to be closed or is closed.
    """
    drafts: list[AlertDraft] = []
    total = 0
    for item in items:
        best: dict[str, _Best] = {}
        scanned: dict[str, list[Hit]] = {}
        for field, text in item.texts:
            hits = fold_cues(scanner.scan(text))
            scanned[field] = hits
            total += len(hits)
            for hit in hits:
                current = best.get(hit.rule)
                if current is None:
                    best[hit.rule] = _Best(hit=hit, field=field, text=text, field_hits=hits)
                    continue
                current.count += 1
                if (hit.severity.rank, hit.confidence) > (current.hit.severity.rank, current.hit.confidence):
                    current.hit, current.field, current.text, current.field_hits = hit, field, text, hits
        found_here = [_draft(item, rule, found) for rule, found in best.items()]
        if item.kind is ItemKind.POST and item.visibility is Visibility.REJECTED:
            found_here.append(_rejected_draft(item, scanned))
        if item.kind is ItemKind.POST and item.id in lifecycle_posts:
            finding = _lifecycle_draft(item, scanned)
            if finding is not None:
                found_here.append(finding)
        backlog = is_backlog(
            published_at=item.published_at,
            seen_at=item.seen_at,
            first_polled_at=item.first_polled_at,
            now=now,
            changed_at=item.changed_at,
        )
        drafts.extend(
            dataclasses.replace(draft, published_at=item.published_at, seen_at=item.seen_at, backlog=backlog) for draft in found_here
        )
    return drafts, total


CUE_REACH: Final = 3
"""A label this many characters or fewer from the number it names is part of that hit."""


def fold_cues(hits: Sequence[Hit]) -> list[Hit]:
    """One hit per thing: a lexicon cue (身份证号码, 电话) touching a detector's hit of the same
    category (the number it labels) is that hit, not a second one; the detector already weighs
    the label in its reasons. Labels in a row ("联系人身份证号：…") fold one after another."""
    cues = [hit for hit in hits if hit.term is not None]
    regions = [(hit.category, hit.start, hit.end) for hit in hits if hit.term is None]
    if not regions or not cues:
        return list(hits)
    folded: set[int] = set()
    grown = True
    while grown:  # a folded label widens its number's reach to the label before it
        grown = False
        for index, cue in enumerate(cues):
            if index in folded:
                continue
            for category, start, end in regions:
                if cue.category is category and cue.start <= end + CUE_REACH and start <= cue.end + CUE_REACH:
                    folded.add(index)
                    regions.append((category, cue.start, cue.end))
                    grown = True
                    break
    dropped = {id(cues[index]) for index in folded}
    return [hit for hit in hits if id(hit) not in dropped]


def _draft(item: ScanItem, rule: str, found: _Best) -> AlertDraft:
    hit = found.hit
    (start16, end16), = utf16_spans(found.text, spans=[(hit.start, hit.end)])
    return AlertDraft(
        account_id=item.account_id,
        item_kind=item.kind,
        item_id=item.id,
        category=hit.category.value,
        severity=hit.severity,
        rule=rule,
        text=hit.display,
        context=masked_excerpt(found.text, hits=found.field_hits, start=hit.start - CONTEXT_CHARS, end=hit.end + CONTEXT_CHARS),
        item_field=found.field,
        span_start=hit.start,
        span_end=hit.end,
        span_start_utf16=start16,
        span_end_utf16=end16,
        confidence=hit.confidence,
        masked=hit.masked is not None,
        occurrences=found.count,
        why=hit.why,
    )


def _lifecycle_draft(item: ScanItem, scanned: dict[str, list[Hit]]) -> AlertDraft | None:
    if item.account_status is AccountStatus.ACTIVE or item.published_at is None or item.date_estimated:
        # An undated post's date is when the desk first saw it: the first read of a closed
        # account's undated feed would otherwise make every old item a post after closing.
        return None
    if not rules.lifecycle_findings(item.account_status, [item.published_at], since=item.status_changed_at):
        return None
    return _item_draft(item, scanned, category=LIFECYCLE_CATEGORY, rule=LIFECYCLE_RULE)


def _rejected_draft(item: ScanItem, scanned: dict[str, list[Hit]]) -> AlertDraft:
    """The platform itself judged the post unfit for the public (Douyin ``video_status`` 2)."""
    return _item_draft(item, scanned, category=PLATFORM_CATEGORY, rule=PLATFORM_REJECTED_RULE)


def _item_draft(item: ScanItem, scanned: dict[str, list[Hit]], *, category: str, rule: str) -> AlertDraft:
    """A medium finding about the item as a whole, shown by the opening of its first non-empty text."""
    field, text = next(((name, value) for name, value in item.texts if value.strip()), item.texts[0])
    excerpt = masked_excerpt(text, hits=scanned.get(field, []), start=0, end=EXCERPT_CHARS)
    return AlertDraft(
        account_id=item.account_id,
        item_kind=item.kind,
        item_id=item.id,
        category=category,
        severity=Severity.MEDIUM,
        rule=rule,
        text=excerpt,
        context=excerpt,
        item_field=field,
        masked=any(hit.masked is not None for hit in scanned.get(field, [])),
    )


def masked_excerpt(text: str, *, hits: Sequence[Hit], start: int, end: int) -> str:
    """``text[start:end]`` on one line, with every personal-data hit it touches shown masked.

    The window grows to cover a masked hit it cuts, so no digit of an identity or phone
    number leaks at an edge; ``…`` marks a cut. Line breaks and tabs become spaces so the
    snippet fits a list row.
    """
    start, end = max(0, start), min(len(text), end)
    masked = sorted((hit for hit in hits if hit.masked is not None), key=lambda hit: hit.start)
    grown = True
    while grown:  # growing the window can make it touch another masked hit
        grown = False
        for hit in masked:
            if hit.start < end and hit.end > start and (hit.start < start or hit.end > end):
                start, end, grown = min(start, hit.start), max(end, hit.end), True
    parts: list[str] = []
    cursor = start
    for hit in masked:
        if hit.end <= start or hit.start >= end:
            continue
        if hit.start < cursor:
            # overlaps a masked hit already written: show none of its characters twice or bare
            cursor = max(cursor, hit.end)
            continue
        parts.append(text[cursor : hit.start])
        parts.append(hit.masked or "")
        cursor = hit.end
    parts.append(text[cursor:end])
    snippet = " ".join("".join(parts).split())
    return f"{'…' if start > 0 else ''}{snippet}{'…' if end < len(text) else ''}"


__all__ = [
    "DETECTOR_RULES",
    "LIFECYCLE_CATEGORY",
    "LIFECYCLE_RULE",
    "PLATFORM_CATEGORY",
    "PLATFORM_REJECTED_RULE",
    "SCAN_CATEGORIES",
    "ScanOutcome",
    "ScanService",
    "lexicon_locations",
    "load_scanner",
    "fold_cues",
    "masked_excerpt",
    "scan_each",
    "scan_items",
]
