"""``doctor``'s look at the database file: journal mode, a quick integrity check, the register's size."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database


@dataclass(frozen=True, slots=True)
class DatabaseHealth:
    journal_mode: str
    """``wal`` when the file is on a disk that supports it; anything else is worth a warning."""
    integrity: str
    """``ok``, or the first problem ``PRAGMA quick_check`` found."""
    accounts: int

    @property
    def intact(self) -> bool:
        return self.integrity == "ok"

    @property
    def wal(self) -> bool:
        return self.journal_mode.lower() == "wal"


def database_health(db: Database) -> DatabaseHealth:
    """Read-only: what the doctor reports about the open database."""
    return DatabaseHealth(
        journal_mode=str(db.execute("PRAGMA journal_mode").fetchone()[0]),
        integrity=str(db.execute("PRAGMA quick_check").fetchone()[0]),
        accounts=int(db.execute("SELECT COUNT(*) FROM accounts").fetchone()[0]),
    )
