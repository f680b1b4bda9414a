"""The scanner: lexicon terms and detectors over one text, resolved into a list of hits.

How a text is scanned (every offset stays an offset into the text as given):

1. Lower-case it and run one Aho-Corasick pass in overlapping mode (leftmost-longest modes miss a
   term that starts inside a longer one). Besides the lexicon terms and allow phrases, the
   automaton holds single characters that call for more work: characters that fold (traditional,
   full-width, compatibility forms), in-word noise (decided by Unicode category), digits, and
   the openings of phone numbers in Chinese numerals. A post with none of them is done in that
   one pass; one with folding characters is folded (same length) and matched again.
2. Where a short run of noise sits between two Chinese characters (秘*密, 代🔥办, 刷\u200b单),
   the few characters around it are matched again with the noise deleted; only matches that
   span a deletion are kept, mapped back to the original span, at lower confidence.
3. The detectors (identity numbers, mobile numbers and bank cards however written, home
   addresses, secrecy markings, superlatives in sales texts) run only where their trigger
   characters were seen: digits, numerals, stars, 号/栋/单元, 最/第一.
4. Each lexicon hit is checked against the words around it: a hit that cuts through a
   dictionary word is dropped (for a hit found across deleted noise, only when the noise was
   layout spaces); one in a warning, prohibition, case report, law name or explanation is
   lowered, one beside an explicit offer raised (see :mod:`~jb_watchdesk.domain.sensitive.context`).
   Markings and sales claims are judged in context too.
5. Drop every hit fully covered by an allow-list phrase, then every hit fully covered by a
   longer hit (绝密★ from the detector absorbs the term 绝密).

A ``Scanner`` is immutable once built, so one instance can be shared by worker threads and a
lexicon edit simply builds a new one and swaps the reference.

The automaton's trigger characters live in :mod:`~jb_watchdesk.domain.sensitive.trigger_index`,
the ``Hit`` type and the final filters (step 5) in :mod:`~jb_watchdesk.domain.sensitive.hits`.
"""

from __future__ import annotations

import re
from bisect import bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

import ahocorasick_rs

from jb_watchdesk.domain.sensitive.context import TextContext, assess, crossed_word
from jb_watchdesk.domain.sensitive.detectors import (
    Detection,
    find_chinese_numeral_phones,
    find_home_addresses,
    find_numbers_at,
    find_secrecy_markings,
    find_superlative_claims,
)
from jb_watchdesk.domain.sensitive.hits import Hit, _Coverage, _drop_allowed, _drop_contained, _one_per_span_and_rule
from jb_watchdesk.domain.sensitive.lexicon import Category, Lexicon, Term
from jb_watchdesk.domain.sensitive.normalize import compact, is_cjk, noise_runs, shown
from jb_watchdesk.domain.sensitive.reasons import Why
from jb_watchdesk.domain.sensitive.trigger_index import (
    _ASCII_WORD,
    _BUILDING,
    _DIGIT,
    _FOLDS,
    _NOISE,
    _NUMERAL,
    _STAR,
    _SUPERLATIVE_FLAG,
    _automaton,
    _bounded,
    _Candidate,
    _covers,
    _fold_at,
    _Seen,
    _trigger_patterns,
)

CONFIDENCE_EXACT: Final = 1.0
CONFIDENCE_FOLDED: Final = 0.9
"""Found after folding (traditional, full-width, case): the same word in another dress."""
CONFIDENCE_NOISE: Final = 0.6
"""Found only after deleting in-word noise: likely an evasion, but the glue may be accidental."""

_DOTTED_CAPITAL_I: Final = "\u0130"
_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_MIN_DIGITS: Final = 10
"""The fewest digits any number detector reads (a mobile number has 11, glued edges aside)."""
_ASSESSED_DETECTIONS: Final = frozenset({Category.SECRET, Category.ADVERTISING})
_DATE_UNITS: Final = frozenset("年月日号时")


@dataclass(frozen=True, slots=True, eq=False)
class Scanner:
    """An immutable, thread-safe matcher built from a lexicon. Build with ``Scanner.build``."""

    lexicon: Lexicon
    _automaton: ahocorasick_rs.AhoCorasick = field(repr=False)
    _patterns: tuple[tuple[Term | None, bool, bool, bool, int], ...] = field(repr=False)
    _longest: int = 0

    @classmethod
    def build(cls, lexicon: Lexicon) -> Scanner:
        """Compile ``lexicon``; 10,000 terms take a few tens of milliseconds."""
        by_key: dict[str, tuple[Term | None, bool]] = {}
        term: Term | None
        for term in lexicon.terms:
            by_key[term.key] = (term, False)
        for phrase in lexicon.allow:
            term, _ = by_key.get(phrase.key, (None, False))
            by_key[phrase.key] = (term, True)
        # One plain tuple per automaton pattern: (term, allow, check_left, check_right, flags).
        # Terms that begin or end with a Latin letter or digit must not match inside a longer
        # word or number ("av" in "have", "69" in "695"); flags mark the trigger characters.
        patterns: dict[str, tuple[Term | None, bool, bool, bool, int]] = {
            key: (term, allow, key[0] in _ASCII_WORD, key[-1] in _ASCII_WORD, 0) for key, (term, allow) in by_key.items()
        }
        longest = max((len(key) for key in patterns), default=0)
        for key, flags in _trigger_patterns().items():
            term, allow, left, right, _ = patterns.get(key, (None, False, False, False, 0))
            patterns[key] = (term, allow, left, right, flags)  # a key can be both (一三: a term and a numeral opening)
        return cls(
            lexicon=lexicon,
            _automaton=_automaton(list(patterns)),
            _patterns=tuple(patterns.values()),
            _longest=longest,
        )

    def scan(self, text: str) -> list[Hit]:
        """All hits in ``text``, sorted by start (then end, then rule)."""
        if not text:
            return []
        if _LONE_SURROGATE.search(text) is not None:
            # Half an emoji cannot be matched (nor encoded): the same-length replacement
            # character keeps every offset. The data path cleans text at the door; this is
            # for callers that did not.
            text = _LONE_SURROGATE.sub("\ufffd", text)
        # str.lower() is fast and keeps the length (but for İ, which becomes a plain i first).
        lowered = text.replace(_DOTTED_CAPITAL_I, "i").lower() if _DOTTED_CAPITAL_I in text else text.lower()
        seen = self._pass(lowered)
        folded = lowered
        if seen.folds:
            folded = _fold_at(lowered, seen.folds)
            self._fold_pass(folded, seen)
        candidates = seen.candidates
        allowed = seen.allowed
        if seen.noise and self._longest:
            runs = noise_runs(folded, positions=seen.noise)
            if runs:
                self._noise_pass(folded, runs, candidates, allowed)
        context = TextContext(folded)
        hits = self._term_hits(text, context, candidates, allowed) if candidates else []
        detections: list[Detection] = []
        if seen.stars:
            detections.extend(find_secrecy_markings(folded))
        if len(seen.digits) >= _MIN_DIGITS:
            detections.extend(find_numbers_at(folded, digits=seen.digits))
        if seen.numerals:
            detections.extend(find_chinese_numeral_phones(folded))
        if seen.buildings and seen.digits:
            detections.extend(find_home_addresses(folded, near=sorted(set(seen.buildings))))
        if seen.superlatives:
            detections.extend(find_superlative_claims(folded, near=sorted(set(seen.superlatives))))
        for found in _first_of_each(detections, key=lambda detection: detection.rule):
            severity, why = found.severity, found.why
            if found.category in _ASSESSED_DETECTIONS:
                # A marking is a breach wherever it appears, so only its own sentence counts; a
                # sales claim quoted in a regulator's case report is vocabulary like any term.
                assessed = assess(
                    context,
                    start=found.start,
                    end=found.end,
                    category=found.category,
                    severity=severity,
                    by_genre=found.category is not Category.SECRET,
                )
                severity, why = assessed.severity, (*why, *assessed.why)
            hits.append(
                Hit(
                    start=found.start,
                    end=found.end,
                    text=text[found.start : found.end],
                    category=found.category,
                    severity=severity,
                    rule=found.rule,
                    confidence=found.confidence,
                    masked=found.masked,
                    why=why,
                )
            )
        if not hits:
            return hits
        if allowed and detections:
            hits = _drop_allowed(hits, allowed)
        if len(hits) > 1:
            hits = _drop_contained(_one_per_span_and_rule(hits))
            hits.sort(key=lambda hit: (hit.start, hit.end, hit.rule))
        return hits

    def _pass(self, haystack: str) -> _Seen:
        """One overlapping pass of the full automaton: terms, allow phrases and triggers."""
        seen = _Seen()
        patterns = self._patterns
        noise = seen.noise
        folds = seen.folds
        digits = seen.digits
        candidates = seen.candidates
        for index, start, end in self._automaton.find_matches_as_indexes(haystack, overlapping=True):
            term, allow, check_left, check_right, flags = patterns[index]
            if flags:
                if flags & _DIGIT:
                    digits.append(start)
                elif flags & _NOISE:
                    noise.append(start)
                if flags & _FOLDS:
                    folds.append(start)
                if flags & _NUMERAL:
                    seen.numerals = True
                if flags & _STAR:
                    seen.stars = True
                if flags & _BUILDING:
                    seen.buildings.append(start)
                if flags & _SUPERLATIVE_FLAG:
                    seen.superlatives.append(start)
                if term is None and not allow:
                    continue
            if (check_left or check_right) and not _bounded(haystack, start, end, check_left, check_right):
                continue
            if allow:
                seen.allowed.append((start, end))
            if term is not None:
                candidates.append(_Candidate(start, end, term, CONFIDENCE_EXACT))
        return seen

    def _fold_pass(self, folded: str, seen: _Seen) -> None:
        """Match again only around the characters that folding changed.

        Folding keeps every other character and every offset, and no key holds a character
        that folds, so each first-pass match still stands; the new ones all cover a folded
        character and lie within the longest key's reach of it. Triggers are read again in
        the windows too: a full-width digit is a digit once folded.
        """
        positions = seen.folds
        reach = max(1, self._longest - 1)
        windows: list[tuple[int, int]] = []
        for position in positions:
            lo, hi = max(0, position - reach), min(len(folded), position + 1 + reach)
            if windows and lo <= windows[-1][1]:
                windows[-1] = (windows[-1][0], hi)
            else:
                windows.append((lo, hi))
        noise = set(seen.noise)
        digits = set(seen.digits)
        for lo, hi in windows:
            window = self._pass(folded[lo:hi])
            for candidate in window.candidates:
                start, end = candidate.start + lo, candidate.end + lo
                if _covers(positions, start, end):
                    seen.candidates.append(_Candidate(start, end, candidate.term, candidate.confidence))
            for start, end in window.allowed:
                if _covers(positions, start + lo, end + lo):
                    seen.allowed.append((start + lo, end + lo))
            noise.update(position + lo for position in window.noise)
            digits.update(position + lo for position in window.digits)
            seen.numerals = seen.numerals or window.numerals
            seen.stars = seen.stars or window.stars
            seen.buildings.extend(position + lo for position in window.buildings)
            seen.superlatives.extend(position + lo for position in window.superlatives)
        seen.noise = sorted(noise)
        seen.digits = sorted(digits)

    def _noise_pass(
        self,
        folded: str,
        runs: list[tuple[int, int]],
        candidates: list[_Candidate],
        allowed: list[tuple[int, int]],
    ) -> None:
        """Match the few characters around each noise run again with the noise deleted."""
        if not runs:
            return
        automaton = self._automaton
        reach = max(1, self._longest - 1)
        windows: list[list[tuple[int, int]]] = []  # runs grouped by overlapping window
        bounds: list[tuple[int, int]] = []
        for run in runs:
            lo, hi = max(0, run[0] - reach), min(len(folded), run[1] + reach)
            if bounds and lo <= bounds[-1][1]:
                bounds[-1] = (bounds[-1][0], hi)
                windows[-1].append(run)
            else:
                bounds.append((lo, hi))
                windows.append([run])
        patterns = self._patterns
        for (lo, hi), inside in zip(bounds, windows, strict=True):
            compacted = compact(folded[lo:hi], inside, base=lo)
            if compacted is None:
                continue
            squeezed = compacted.text
            for index, start, end in automaton.find_matches_as_indexes(squeezed, overlapping=True):
                original_start, original_end = compacted.original_span(start=start, end=end)
                if original_end - original_start == end - start:
                    continue  # nothing was deleted inside: the first pass already has it
                term, allow, check_left, check_right, _ = patterns[index]
                if (check_left or check_right) and not _bounded(squeezed, start, end, check_left, check_right):
                    continue
                if allow:
                    allowed.append((original_start, original_end))
                if term is not None:
                    candidates.append(_Candidate(original_start, original_end, term, CONFIDENCE_NOISE, noise=True))

    def _term_hits(
        self, text: str, context: TextContext, candidates: list[_Candidate], allowed: list[tuple[int, int]]
    ) -> list[Hit]:
        """The lexicon matches that stand, longest first, as hits.

        The word-boundary and context checks cost a few microseconds each, so a match that an
        allow phrase or a longer standing hit covers entirely is dropped before them; the
        final filters would drop it anyway.
        """
        candidates = _first_of_each(candidates, key=lambda candidate: candidate.term.key)
        covered = _Coverage(allowed)
        standing: list[Hit] = []
        spans: list[tuple[int, int]] = []  # standing spans, sorted; a covering one starts at most _longest before
        reach = self._longest
        for candidate in sorted(candidates, key=lambda c: (c.start - c.end, c.start)):
            if covered.covers(candidate.start, candidate.end):
                continue
            length = candidate.end - candidate.start
            first = bisect_right(spans, (candidate.start - reach, -1))
            last = bisect_right(spans, (candidate.start, len(text) + 1))
            if any(end >= candidate.end and end - start > length for start, end in spans[first:last]):
                continue
            hit = self._term_hit(text, context, candidate)
            if hit is not None:
                standing.append(hit)
                insort(spans, (hit.start, hit.end))
        return standing

    @staticmethod
    def _term_hit(text: str, context: TextContext, candidate: _Candidate) -> Hit | None:
        """A lexicon match as a hit, after the word-boundary and context checks; ``None`` if it is no hit."""
        term = candidate.term
        start, end = candidate.start, candidate.end
        folded = context.folded
        if start > 0 and folded[start - 1].isdigit() and folded[start] in _DATE_UNITS:
            return None  # 日结 in 30日结束: a date, not the term
        why: list[Why] = [Why("lexicon", _origin(term))] if term.source else []
        if candidate.noise:
            if _layout_crossing(folded, start, end):
                return None
            why.append(Why("evasion.noise", _shown_noise(text[start:end])))
        elif crossed_word(folded, start=start, end=end) is not None:
            return None
        confidence = candidate.confidence
        if confidence == CONFIDENCE_EXACT and text[start:end] != folded[start:end] and text[start:end].lower() != folded[start:end]:
            confidence = CONFIDENCE_FOLDED
            why.append(Why("folded"))
        assessed = assess(context, start=start, end=end, category=term.category, severity=term.severity)
        why.extend(assessed.why)
        return Hit(
            start=start,
            end=end,
            text=text[start:end],
            category=term.category,
            severity=assessed.severity,
            rule=term.rule,
            confidence=confidence,
            term=term.term,
            why=tuple(why),
        )


_LAYOUT_REACH: Final = 6


def _layout_crossing(folded: str, start: int, end: int) -> bool:
    """Whether a hit found across spaces only (法治学习 进平安) cuts a word once the spaces are gone.

    Spaces are how people lay text out as well as how they dodge a filter; zero-width
    characters and symbols are only the latter, so those hits are not checked.
    """
    if any(not char.isspace() for char in folded[start:end] if not is_cjk(char)):
        return False
    lo, hi = max(0, start - _LAYOUT_REACH), min(len(folded), end + _LAYOUT_REACH)
    squeezed = "".join(char for char in folded[lo:hi] if not char.isspace())
    before = sum(1 for char in folded[lo:start] if not char.isspace())
    inside = sum(1 for char in folded[start:end] if not char.isspace())
    return crossed_word(squeezed, start=before, end=before + inside) is not None


MAX_OCCURRENCES: Final = 32
"""Occurrences of one term (or detector rule) judged per text: a post repeating a word 60,000
times needs its first few judged, not every one; work per text stays bounded."""

_T = TypeVar("_T", _Candidate, Detection)


def _first_of_each(items: list[_T], *, key: Callable[[_T], str]) -> list[_T]:
    """``items`` with at most :data:`MAX_OCCURRENCES` per key, the earliest in the text."""
    if len(items) <= MAX_OCCURRENCES:
        return items
    counts: dict[str, int] = {}
    kept: list[_T] = []
    for item in sorted(items, key=lambda found: found.start):
        name = key(item)
        if counts.get(name, 0) < MAX_OCCURRENCES:
            counts[name] = counts.get(name, 0) + 1
            kept.append(item)
    return kept


def _origin(term: Term) -> str:
    """Where a term comes from, as an officer would look it up: ``paid_service.csv:12``."""
    name = term.source.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{name}:{term.line}" if term.line else name


def _shown_noise(span: str) -> str:
    """The characters inserted in ``span`` (all but the Chinese ones), each once, as an officer can read them."""
    return " ".join(shown(char) for char in dict.fromkeys(char for char in span if not is_cjk(char)))


__all__ = ["CONFIDENCE_EXACT", "CONFIDENCE_FOLDED", "CONFIDENCE_NOISE", "Hit", "Scanner"]
