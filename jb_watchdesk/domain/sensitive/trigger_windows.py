"""Reading a pattern only around the trigger words the matcher saw, not over the whole text."""

from __future__ import annotations

import re


def windows_around(positions: list[int], *, length: int, reach: int) -> list[tuple[int, int]]:
    """Merged ``[position - reach, position + reach)`` windows around sorted ``positions``, clipped to the text."""
    windows: list[tuple[int, int]] = []
    for position in positions:
        lo, hi = max(0, position - reach), min(length, position + reach)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    return windows


def _matches(pattern: re.Pattern[str], folded: str, near: list[int] | None, *, reach: int) -> list[re.Match[str]]:
    """``pattern``'s matches in the whole text, or only in windows around ``near``, each once."""
    if near is None:
        return list(pattern.finditer(folded))
    seen: dict[tuple[int, int], re.Match[str]] = {}
    for lo, hi in windows_around(near, length=len(folded), reach=reach):
        for match in pattern.finditer(folded, lo, hi):
            seen.setdefault(match.span(), match)
    return [seen[span] for span in sorted(seen)]
