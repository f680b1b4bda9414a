"""Writing files so a failure never leaves a half-written file in place of a good one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from jb_watchdesk.domain.errors import InputError, WatchdeskError

MAX_INPUT_BYTES = 50 * 1024 * 1024


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    On any failure (disk full, file locked by another program) the temporary file is
    removed and whatever was at ``path`` before is untouched.
    """
    path = path.expanduser()
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=directory)
        os.close(fd)
    except OSError as error:
        raise InputError("file.unwritable", path=str(path), detail=error.strerror or str(error)) from error
    temp = Path(temp_name)
    try:
        yield temp
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise InputError("file.unwritable", path=str(path), detail=error.strerror or str(error)) from error
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def read_input_bytes(path: Path, *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Read a user-supplied file whole, refusing files beyond ``limit`` bytes."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError("file.unreadable", path=str(path), detail=f"larger than {limit // (1024 * 1024)} MB")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError("file.not_found", path=str(path)) from None
    except WatchdeskError:
        raise
    except OSError as error:
        raise InputError("file.unreadable", path=str(path), detail=error.strerror or str(error)) from error
