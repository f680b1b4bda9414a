"""One error hierarchy, each error with a message a duty officer can act on.

An error carries a message key and its parameters; ``str(error)`` renders it in the
current language. ``exit_code`` follows the command-line contract: 1 a check failed,
2 bad input or usage, 3 an environment problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jb_watchdesk.domain.messages import text


class WatchdeskError(Exception):
    """Base class: a failure the officer is told about in one line."""

    exit_code = 1

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, language: str | None = None) -> str:
        return text(self.key, language, **self.params)

    def __str__(self) -> str:
        return self.message()


class CheckFailed(WatchdeskError):
    exit_code = 1


class InputError(WatchdeskError):
    """Bad input or usage: nothing was changed."""

    exit_code = 2


class EnvironmentProblem(WatchdeskError):
    """Something about this machine must be fixed (keyring, database lock, display, disk)."""

    exit_code = 3


class NotFound(InputError):
    pass


class SecretStoreUnavailable(EnvironmentProblem):
    pass


class StorageError(EnvironmentProblem):
    pass


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad row of an imported file, reported as ``FILE:LINE: reason``."""

    file: str
    line: int
    key: str
    params: tuple[tuple[str, object], ...] = ()

    def reason(self, language: str | None = None) -> str:
        return text(self.key, language, **dict(self.params))

    def format(self, language: str | None = None) -> str:
        return f"{self.file}:{self.line}: {self.reason(language)}"


class ImportRejected(InputError):
    """An all-or-nothing import found bad rows; the database was not changed."""

    def __init__(self, path: str, errors: Sequence[RowError]) -> None:
        super().__init__("register.rejected", path=path, count=len(errors))
        self.errors = tuple(errors)
