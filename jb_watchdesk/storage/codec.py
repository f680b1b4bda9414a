"""How values are written to and read from SQLite columns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


@overload
def to_db(value: datetime) -> str: ...
@overload
def to_db(value: None) -> None: ...
@overload
def to_db(value: datetime | None) -> str | None: ...
def to_db(value: datetime | None) -> str | None:
    """Aware datetime → UTC ISO-8601 text with a fixed shape, so text order is time order."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("refusing to store a naive datetime")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
