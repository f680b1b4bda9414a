"""Detection quality on a labelled set: per-category recall, high-severity precision, false highs.

Scans every passage of ``tests/data/detection/passages.jsonl`` (or ``--set FILE``) with the shipped
lexicon and prints the figures against the bars in
:data:`jb_watchdesk.domain.sensitive.evaluation.BARS`, then the passages behind each miss and
each false high alert. Figures only; ``tests/unit/domain/sensitive/test_detection_set.py`` holds
the bars. Usage: ``python benchmarks/detect_bench.py [--set FILE] [--lexicon DIR] [--verbose]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from jb_watchdesk.domain.sensitive.evaluation import BARS, evaluate, parse_passages
from jb_watchdesk.services.lexicon_files import default_lexicon_dir, load_scanner

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "detection" / "passages.jsonl"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled passages (JSON Lines)")
    parser.add_argument("--lexicon", type=Path, action="append", help="lexicon file or folder (default: the shipped one)")
    parser.add_argument("--verbose", action="store_true", help="list every miss and false high alert")
    args = parser.parse_args(argv)

    passages = parse_passages(args.set.read_text(encoding="utf-8").splitlines())
    scanner, problems = load_scanner(args.lexicon or [default_lexicon_dir()])
    for problem in problems:
        print(f"lexicon: {problem.format('en')}")
    report = evaluate(passages, scan=scanner.scan)
    print(f"set: {args.set} ({len(passages)} passages, {report.ordinary} ordinary)")
    print(f"bars: recall >= {BARS['recall']}, high precision >= {BARS['high_precision']}, "
          f"false highs <= {BARS['false_high_share']:.0%} of ordinary passages")
    for line in report.lines():
        print(line)
    print("meets the bars" if report.meets_bars() else "BELOW the bars")
    shown = None if args.verbose else 15
    if report.misses:
        print(f"\nmisses ({len(report.misses)}):")
        for miss in report.misses[:shown]:
            print(f"  {miss}")
    if report.false_high_examples:
        print(f"\nfalse high alerts ({len(report.false_high_examples)}):")
        for example in report.false_high_examples[:shown]:
            print(f"  {example}")


if __name__ == "__main__":
    main()
