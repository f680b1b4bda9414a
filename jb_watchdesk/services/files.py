"""Reading the files an office hands the desk, and writing files so a failure never leaves a
half-written file in place of a good one.

Partial files. Every file the desk writes for the officer (an export, a register, a backup) is
first written as a hidden ``.NAME.partial-PID-TOKEN`` beside its target, mode 0600 from its
creation, and renamed over the target only when complete. The target's folder is the officer's
choice (a share, a USB stick), so a partial left by a killed process cannot be found by looking
in the data dir; it is *recorded* there instead: :func:`atomic_output` writes a small entry
into the workspace's ``partials/`` folder before it creates the partial, and removes it after.
At the next start, :func:`clean_partials` removes every recorded partial whose process is gone.
(Writing the partial inside the data dir and moving it across was rejected: a rename across file
systems fails, and a copy would be a second, slower partial on the officer's disk.)
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import os
import re
import secrets
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from jb_watchdesk.domain.errors import EnvironmentProblem, InputError, WatchdeskError

log = logging.getLogger(__name__)

OUTPUT_MODE: Final = 0o600
"""The mode of every file the desk writes for the officer (exports, registers, backups): they hold
the duty record and personal data, so only the officer's account may read them."""

MAX_INPUT_BYTES = 50 * 1024 * 1024

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def decode_office_text(data: bytes) -> str:
    """Text as office programs save it: UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's
    "Unicode text"), else GB18030 (Excel's "CSV" on a Chinese Windows) when the result is
    plausibly Chinese (see :func:`plausible_gb18030`).

    Raises :class:`InputError` ``file.undecodable`` when no encoding fits, and
    ``file.wrong_encoding`` (params ``line``, 1-based, and ``sample``, the first characters of
    that line as GB18030 reads them) when the bytes are some other encoding that GB18030 happens
    to decode (Shift-JIS, EUC-KR, Big5, Latin-1): GB18030 maps almost any byte sequence to
    characters, so decoding alone would import nonsense. A file with NUL bytes and no BOM is
    tried as UTF-16 (by where the NULs fall). The BOM is never part of the text returned.
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
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError("file.wrong_encoding", line=line, sample=_sample(data, line)) from None
    doubtful = plausible_gb18030(text, data)
    if doubtful is not None:
        raise InputError("file.wrong_encoding", line=doubtful, sample=_sample(data, doubtful))
    return text


def _sample(data: bytes, line: int, limit: int = 24) -> str:
    """The start of line ``line`` as GB18030 reads it (undecodable bytes as U+FFFD): what the
    officer would have imported."""
    raw = data.split(b"\n")[line - 1] if line - 1 < data.count(b"\n") + 1 else b""
    text = raw.decode("gb18030", errors="replace").strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# GB18030 decodes almost any bytes, so the text it gives must *look* like Chinese:
# 1. every non-ASCII character is one GBK can encode (GB2312, GBK's rarer ideographs for names
#    such as 堃 喆 玥, Traditional forms, ㎡ ﹝﹞ and the other GBK symbols), but for kana, Greek,
#    Cyrillic and box drawing, which Shift-JIS and Big5 bytes decode to and no Chinese register
#    is written in; GB18030's four-byte characters and private-use code points fail it too;
# 2. only when the bytes read just as cleanly as another office encoding (Shift-JIS/cp932,
#    EUC-KR/cp949, Big5/cp950, or Latin-1 made only of accented letters) does the text have to
#    win the tie: few ideographs from GBK's rare rows (Shift-JIS kanji and Big5 decode mostly to
#    them) and, in a text long enough to judge, a fair share among the ~500 most frequent Chinese
#    characters (EUC-KR decodes to GB2312's rare members). The list is charset-normalizer's (a
#    declared dependency); without it, that share is not judged. A real GBK register seldom
#    reads cleanly as any of them, so short registers with rare names are not judged by
#    frequencies at all.
_RARE_SHARE: Final = 0.10
_MIN_RARE: Final = 2
_FREQUENT_SHARE: Final = 0.35
_JUDGE_FREQUENCY_FROM: Final = 30
_RIVAL_CODECS: Final = ("cp932", "shift_jis", "cp949", "euc_kr", "cp950", "big5")
_LATIN1_LETTERS: Final = frozenset(range(0xC0, 0x100)) - {0xD7, 0xF7}


def _ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _foreign_script(ch: str) -> bool:
    """Kana, Greek, Cyrillic and box drawing: in GBK's symbol rows, but what Shift-JIS and Big5
    bytes turn into, never what a Chinese register is written in."""
    return "\u3040" <= ch <= "\u30ff" or "\u0370" <= ch <= "\u04ff" or "\u2500" <= ch <= "\u257f"


def _chinese_looking(ch: str) -> bool:
    return not _foreign_script(ch) and _in_codec(ch, "gbk")


def _in_codec(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _in_gb2312(ch: str) -> bool:
    return _in_codec(ch, "gb2312")


def _reads_as_another_encoding(data: bytes) -> bool:
    """Whether ``data`` decodes without error as Shift-JIS, EUC-KR or Big5 (or their Windows code
    pages) into text with no half-width katakana and no private-use character, or as Latin-1
    whose every non-ASCII byte is an accented letter. (GB2312's bytes A1–DF are single half-width
    katakana in cp932, so short Chinese texts often "decode" as cp932 into a string of them.)"""
    high = [byte for byte in data if byte >= 0x80]
    if high and all(byte in _LATIN1_LETTERS for byte in high):
        return True
    for codec in _RIVAL_CODECS:
        try:
            reading = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not any("\uff61" <= ch <= "\uff9f" or "\ue000" <= ch <= "\uf8ff" for ch in reading):
            return True
    return False


def _frequent_characters() -> frozenset[str]:
    try:
        from charset_normalizer.constant import COMMON_CHINESE_CHARACTERS
    except ImportError:
        return frozenset()
    return frozenset(str(COMMON_CHINESE_CHARACTERS))


def plausible_gb18030(text: str, data: bytes | None = None) -> int | None:
    """None when ``text`` (``data`` decoded as GB18030; default: ``text`` encoded so) reads as
    Chinese; else the 1-based line of the first character that does not (the rules are in the
    comment above). ASCII is always plausible."""
    lines = text.split("\n")
    ideographs: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        for ch in line:
            if ch < "\x80":
                continue
            if not _chinese_looking(ch):
                return number
            if _ideograph(ch):
                ideographs.append((number, ch))
    if not ideographs:
        return None
    if not _reads_as_another_encoding(text.encode("gb18030") if data is None else data):
        return None
    rare = [number for number, ch in ideographs if not _in_gb2312(ch)]
    if len(rare) > max(_MIN_RARE, _RARE_SHARE * len(ideographs)):
        return rare[0]
    frequent = _frequent_characters()
    if frequent and len(ideographs) >= _JUDGE_FREQUENCY_FROM:
        hits = sum(1 for _, ch in ideographs if ch in frequent)
        if hits < _FREQUENT_SHARE * len(ideographs):
            return next(number for number, ch in ideographs if ch not in frequent)
    return None


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


_DISK_FULL_ERRNOS: Final = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` says the disk (or the user's quota) is full: ``OSError`` ENOSPC/EDQUOT, or
    SQLite's "database or disk is full" (SQLITE_FULL)."""
    if isinstance(error, OSError):
        return error.errno in _DISK_FULL_ERRNOS
    sqlite3 = sys.modules.get("sqlite3")  # loaded by whatever raised a SQLite error
    if sqlite3 is not None and isinstance(error, sqlite3.Error):
        return "disk is full" in str(error).lower()
    return False


def disk_full_problem(error: BaseException, path: Path | str | None = None) -> EnvironmentProblem | None:
    """The officer's one line for a full disk (exit 3: "disk full: PATH; free space and retry"),
    or None when ``error`` is something else. ``path`` defaults to the file the error names."""
    if not is_disk_full(error):
        return None
    where = path if path is not None else getattr(error, "filename", None)
    if where is None:
        return EnvironmentProblem("file.disk_full_somewhere")
    return EnvironmentProblem("file.disk_full", path=str(where))


def _write_failed(error: OSError, path: Path) -> WatchdeskError:
    return disk_full_problem(error, path) or InputError("file.unwritable", path=str(path), detail=error.strerror or str(error))


# -- the record of partial files ------------------------------------------------------------------

_journal: Path | None = None
"""The folder recording partial files under way (the workspace's ``partials/``); None: none kept."""

_ENTRY: Final = re.compile(r"(?P<pid>[0-9]{1,10})-(?P<token>[0-9a-f]{16})")
_BACKUP_PARTIAL: Final = re.compile(r"\..+\.partial-(?P<pid>[0-9]{1,10})")
"""A backup the store was writing into the workspace's own ``backups/`` (``.NAME.partial-PID``)."""


def record_partials_in(folder: Path | None) -> None:
    """Keep the record of partial files in ``folder`` (created when first needed; its parent, the
    workspace, must exist), or keep none. The command line sets it once per command."""
    global _journal
    _journal = folder


def _note_partial(temp: Path, *, pid: int, token: str) -> Path | None:
    """Write the entry for ``temp``; None when no record is kept or it cannot be written (the
    export goes on: a partial then left behind by a kill is only untidy, never wrong)."""
    folder = _journal
    if folder is None or not folder.parent.is_dir():
        return None
    entry = folder / f"{pid}-{token}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        fd = os.open(entry, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OUTPUT_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.fsencode(temp.absolute()))
    except OSError as error:
        log.warning("cannot record the partial file %s in %s: %s", temp, folder, error.strerror or error)
        return None
    return entry


def _forget_entry(entry: Path | None) -> None:
    if entry is None:
        return
    with contextlib.suppress(OSError):
        entry.unlink()
    with contextlib.suppress(OSError):
        entry.parent.rmdir()  # only when empty: the workspace keeps no empty folder of ours


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (then its partial files may still be being written)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would end the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # ERROR_ACCESS_DENIED: it exists, someone else's
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OSError:
        return True
    return True


def _remove_marked(folder: Path, marker: str) -> int:
    """Remove the files in ``folder`` whose name holds ``marker`` (the partial, and the staging
    files a writer derived from it); the number removed."""
    removed = 0
    try:
        names = [child for child in folder.iterdir() if marker in child.name]
    except OSError:
        return 0
    for child in names:
        try:
            if child.is_file() and not child.is_symlink():
                child.unlink()
                removed += 1
        except OSError as error:
            log.warning("cannot remove the partial file %s: %s", child, error.strerror or error)
    return removed


def clean_partials(journal: Path, *, backups: Path | None = None) -> int:
    """Remove the partial files that processes now gone left behind; the number removed.

    ``journal`` is the workspace's record (see :func:`record_partials_in`): each entry names one
    partial, anywhere. ``backups`` is the workspace's backups folder, where the store writes
    ``.NAME.partial-PID`` copies before a migration. Partials of a process still running are left.
    """
    removed = 0
    try:
        entries = list(journal.iterdir()) if journal.is_dir() else []
    except OSError:
        entries = []
    for entry in entries:
        match = _ENTRY.fullmatch(entry.name)
        if match is None or _process_alive(int(match["pid"])):
            continue
        try:
            temp = Path(os.fsdecode(entry.read_bytes()))
        except OSError:
            continue
        # Only a name holding this entry's own random token is ever removed, so a damaged
        # entry cannot point the cleaning at anyone's file.
        marker = f".partial-{match['pid']}-{match['token']}"
        if marker in temp.name:
            removed += _remove_marked(temp.parent, marker)
        _forget_entry(entry)
    if backups is not None and backups.is_dir():
        for child in backups.iterdir():
            match = _BACKUP_PARTIAL.fullmatch(child.name)
            if match is not None and not _process_alive(int(match["pid"])):
                removed += _remove_marked(backups, child.name)
    if removed:
        log.info("removed %d partial file(s) left by an interrupted export or backup", removed)
    return removed


def _release_writer_state(error: BaseException) -> None:
    """Let go, now, of what the failed writer left open, quietly.

    openpyxl's ``save_workbook`` opens a ``ZipFile`` and never closes it when writing fails; the
    traceback keeps it alive, and when it is finally collected its ``__del__`` retries the write on
    the full disk and prints "Exception ignored in: <function ZipFile.__del__ …>" with a
    traceback. Clearing the finished frames' locals collects it here, under a hook that only logs.
    """
    saved = sys.unraisablehook

    def quiet(unraisable: sys.UnraisableHookArgs) -> None:
        log.debug("after a failed write: %s", unraisable.exc_value)

    sys.unraisablehook = quiet
    try:
        traceback.clear_frames(error.__traceback__)
        gc.collect()
    finally:
        sys.unraisablehook = saved


@contextlib.contextmanager
def atomic_output(path: Path, *, create_folder: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    The temporary file (``.NAME.partial-PID-TOKEN``, recorded as the module docstring says) is
    created mode 0600, and the file left at ``path`` is 0600 whatever the writer did to the
    temporary one (openpyxl and zipfile write files of their own). On any failure (disk full,
    file locked by another program) the temporary file is removed and whatever was at ``path``
    before is untouched. The folder must exist (see :func:`output_folder`), unless
    ``create_folder``: for the workspace's own files, whose folders the desk itself owns.

    Raises :class:`EnvironmentProblem` ``file.disk_full`` (exit 3) on a full disk, else
    :class:`InputError` ``file.unwritable`` (exit 2) when the file cannot be written.
    """
    path = path.expanduser()
    if create_folder:
        directory = path.parent if str(path.parent) else Path(".")
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise _write_failed(error, path) from error
    directory = output_folder(path)
    pid, token = os.getpid(), secrets.token_hex(8)
    temp = directory / f".{path.name}.partial-{pid}-{token}"
    entry = _note_partial(temp, pid=pid, token=token)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), OUTPUT_MODE)
        os.close(fd)
    except OSError as error:
        _forget_entry(entry)
        raise _write_failed(error, path) from error
    try:
        yield temp
        with open(temp, "rb+") as handle:
            if os.name != "nt":
                os.fchmod(handle.fileno(), OUTPUT_MODE)
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as error:
        _release_writer_state(error)
        _remove_marked(directory, f".partial-{pid}-{token}")
        raise _write_failed(error, path) from error
    except BaseException:
        _remove_marked(directory, f".partial-{pid}-{token}")
        raise
    finally:
        _forget_entry(entry)


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
