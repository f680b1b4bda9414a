"""Reading the files an office hands the desk, and writing files so a failure never leaves a
half-written file in place of a good one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from jb_watchdesk.domain.errors import InputError, WatchdeskError

MAX_INPUT_BYTES = 50 * 1024 * 1024

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def decode_office_text(data: bytes) -> str:
    """Text as office programs save it: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's
    "Unicode text"), else GB18030 (Excel's "CSV" on a Chinese Windows).

    Raises :class:`InputError` ``file.undecodable`` when none of them fits. A file with NUL bytes
    and no BOM is tried as UTF-16 (by where the NULs fall) rather than as GB18030, which would
    accept the bytes and give back nonsense. The BOM is never part of the text returned.
    """
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    else:
        for bom, codec in _UTF16_BOMS.items():
            if data.startswith(bom):
                return _decoded(data[len(bom):], codec)
    if b"\x00" in data:
        little = data[1::2].count(0) >= data[0::2].count(0)
        return _decoded(data, "utf-16-le" if little else "utf-16-be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decoded(data, "gb18030")


def _decoded(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise InputError("file.undecodable") from None


def output_folder(path: Path) -> Path:
    """The folder a file at ``path`` will be written into, which must already exist.

    An export or a backup never creates its folder: a missing one is a mistyped path or a share
    that is not mounted (``/mnt/share/backups`` is then missing under the bare mount point), and
    creating it would put the file on the local disk while saying it succeeded. Raises
    :class:`InputError` ``file.no_folder`` (exit 2), naming the folder; nothing is created.
    """
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("file.no_folder", folder=str(folder), path=str(path))
    if path.is_dir():
        raise InputError("file.is_folder", path=str(path))
    return folder


def not_the_live_database(path: Path, live: Path | None) -> None:
    """Refuse to write over the workspace's own database (or its WAL and shared-memory files):
    a copy renamed over the live file leaves the running desk writing to a file nobody sees."""
    if live is None:
        return
    target = path.expanduser().resolve()
    live = live.resolve()
    if target in {live, live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")}:
        raise InputError("file.live_database", path=str(path))


@contextlib.contextmanager
def atomic_output(path: Path, *, create_folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    On any failure (disk full, file locked by another program) the temporary file is
    removed and whatever was at ``path`` before is untouched. The folder must exist (see
    :func:`output_folder`), unless ``create_folder``: for the workspace's own files, whose
    folders the desk itself owns.
    """
    path = path.expanduser()
    if create_folder:
        directory = path.parent if str(path.parent) else Path(".")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError("file.unwritable", path=str(path), detail=error.strerror or str(error)) from error
    directory = output_folder(path)
    try:
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
            raise InputError("file.too_large", path=str(path), limit=limit // (1024 * 1024))
        with path.open("rb") as handle:  # bounded even where stat says 0 (/dev/zero, a pipe)
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise InputError("file.too_large", path=str(path), limit=limit // (1024 * 1024))
        return data
    except FileNotFoundError:
        raise InputError("file.not_found", path=str(path)) from None
    except WatchdeskError:
        raise
    except OSError as error:
        raise InputError("file.unreadable", path=str(path), detail=error.strerror or str(error)) from error
