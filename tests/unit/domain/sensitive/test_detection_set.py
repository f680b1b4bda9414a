"""The labelled set of government prose and adversarial cases holds the bars of the issue.

``tests/data/detection/passages.jsonl`` (see its README) is scanned with the shipped lexicon:
recall ≥ 0.95 in every category, high-severity precision ≥ 0.95, false high alerts on ≤ 2% of
ordinary passages. ``benchmarks/detect_bench.py`` prints the same figures and every miss.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jb_watchdesk.domain.sensitive import Scanner
from jb_watchdesk.domain.sensitive.evaluation import BARS, SMALL_SAMPLE, Report, evaluate, parse_passages
from jb_watchdesk.services.lexicon_files import default_lexicon_dir, load_scanner

DATA = Path(__file__).resolve().parents[3] / "data" / "detection"
SETS = sorted(DATA.glob("*.jsonl"))


@pytest.fixture(scope="module")
def shipped() -> Scanner:
    scanner, problems = load_scanner([default_lexicon_dir()])
    assert problems == []
    return scanner


@pytest.fixture(scope="module", params=SETS, ids=[path.stem for path in SETS])
def report(request: pytest.FixtureRequest, shipped: Scanner) -> Report:
    passages = parse_passages(request.param.read_text(encoding="utf-8").splitlines())
    assert len(passages) >= 130
    return evaluate(passages, scan=shipped.scan)


def test_there_is_a_labelled_set() -> None:
    assert SETS, f"no labelled set in {DATA}"


def test_recall_in_every_category(report: Report) -> None:
    assert set(report.categories) >= {"secret", "privacy", "advertising", "paid_service", "misstatement"}
    low = {
        category: f"{report.found[category]}/{report.expected[category]}"
        for category in report.categories
        if not report.recall_meets_bar(category)
    }
    assert not low, f"recall below {BARS['recall']} (one miss allowed under {SMALL_SAMPLE} spans): {low}; misses: {report.misses}"


def test_high_severity_precision(report: Report) -> None:
    assert report.high_precision >= BARS["high_precision"], report.false_high_examples


def test_ordinary_passages_rarely_raise_a_high_alert(report: Report) -> None:
    assert report.ordinary >= 80
    assert report.false_high_share <= BARS["false_high_share"], report.false_high_examples


def test_unmistakable_breaches_are_high(report: Report) -> None:
    assert report.high_expected > 0
    assert report.high_found >= 0.95 * report.high_expected


def test_a_label_with_a_typo_is_refused_not_read_as_ordinary() -> None:
    line = '{"id": "x", "text": "代办驾照", "expect": [{"span": "代办驾照", "must": "alrt", "category": "paid_service"}]}'
    with pytest.raises(ValueError, match="bad label"):
        parse_passages([line])


def test_the_evaluation_counts_what_it_claims() -> None:
    """A scanner that finds nothing has no recall; one that shouts everywhere has no precision."""
    passages = parse_passages(SETS[0].read_text(encoding="utf-8").splitlines())
    silent = evaluate(passages, scan=lambda text: [])
    assert all(silent.recall(category) == 0.0 for category in silent.categories)

    class Everything:
        def __init__(self, text: str) -> None:
            self.start, self.end, self.severity, self.category = 0, len(text), "high", "none"

    loud = evaluate(passages, scan=lambda text: [Everything(text)])
    assert loud.false_high_share == 1.0 and loud.high_precision < 0.5
