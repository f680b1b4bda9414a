"""Times and durations for people: Asia/Shanghai wall time, in one of a few fixed shapes.

Every screen, table, export and message formats times here, so the desk shows one instant one
way everywhere. Input is timezone-aware (a naive datetime is refused: it would be read in the
machine's zone); ``None`` renders as ``empty``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.rules import SHANGHAI


class Shape(StrEnum):
    """How much of an instant to show."""

    SECONDS = "%Y-%m-%d %H:%M:%S"
    """The record: exports, the ledger, a pop-up's first-seen time."""
    MINUTES = "%Y-%m-%d %H:%M"
    """Deadlines and dates an officer may need to compare across days."""
    SHORT = "%m-%d %H:%M"
    """Lists of this week's items (alerts, comments, posts)."""
    CLOCK = "%H:%M:%S"
    """Today's events (the end of a poll cycle)."""
    DATE = "%Y-%m-%d"


EMPTY: Final = "—"


def local(when: datetime) -> datetime:
    """``when`` in Asia/Shanghai; ``ValueError`` for a naive datetime."""
    if when.tzinfo is None:
        raise ValueError("a time without a zone cannot be shown: the desk stores every time with its zone")
    return when.astimezone(SHANGHAI)


def show(when: datetime | None, shape: Shape = Shape.MINUTES, *, empty: str = EMPTY) -> str:
    """``when`` as Shanghai wall time in ``shape``; ``empty`` when there is no time."""
    return empty if when is None else local(when).strftime(shape.value)


def duration(seconds: float, language: str | None = None) -> str:
    """A signed countdown: ``-1:05:12`` under a day, ``4天 03:10`` / ``4 d 03:10`` beyond."""
    sign = "-" if seconds < 0 else ""
    total = int(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return messages.text("time.days_hours", language, sign=sign, days=days, hours=f"{hours:02d}", minutes=f"{minutes:02d}")
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}"
