"""The command line: argument parsing and output only; every officer action and read is a call
to :mod:`jb_watchdesk.services.operations`.

Modules: :mod:`.parser` (the commands and argparse in the officer's language), :mod:`.output`
(tables, JSON, times), and one module per group of commands (:mod:`.accounts`, :mod:`.watch`,
:mod:`.lexicon`, :mod:`.duty`, :mod:`.maintenance`). Each command imports what it needs when it
runs, so a short command (``scan``, ``--version``) never loads the database, the network stack or
the window.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final, TextIO, cast

from jb_watchdesk.cli.output import PROG, plain, say
from jb_watchdesk.cli.parser import build_parser, command_names, speaking
from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import EnvironmentProblem, ImportRejected, InputError, WatchdeskError
from jb_watchdesk.paths import Workspace

if TYPE_CHECKING:
    import argparse

    from jb_watchdesk.app import App, Clock

__all__ = ["PROG", "build_parser", "command_names", "main", "parse_now"]

log = logging.getLogger("jb_watchdesk")


def parse_now(value: str | None, *, option: str = "--now") -> datetime | None:
    """``--now`` (and ``--from``/``--to``, named by ``option`` in the error): ISO-8601; a time
    without a zone is read as Asia/Shanghai. Outside 1970–9000 (:func:`rules.in_range`: year 1 or
    9999 with a zone cannot even be stored) or not ISO-8601: ``InputError`` ``cli.bad_time``, exit 2."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("cli.bad_time", option=option, value=value) from None
    from jb_watchdesk.domain.rules import SHANGHAI, in_range

    aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
    if not in_range(aware):
        raise InputError("cli.bad_time", option=option, value=value)
    return aware


def _forget_new_workspace(workspace: Workspace, *, remove_folder: bool) -> None:
    """Remove the database a refused command just created (and its folder, if it made that too)."""
    database = workspace.database
    for path in (database, *(database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(OSError):
            path.unlink()
    if remove_folder:
        for folder in (workspace.backups, workspace.root):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: nothing the officer put there is touched


def choose_language(argv: Sequence[str]) -> None:
    """``--lang`` (read before parsing, so usage errors speak it too), else ``$JB_WATCHDESK_LANG``, else zh."""
    requested = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            requested = argv[index + 1]
        elif arg.startswith("--lang="):
            requested = arg.partition("=")[2]
    language = requested or os.environ.get("JB_WATCHDESK_LANG") or messages.DEFAULT_LANGUAGE
    messages.set_language(language if language in messages.LANGUAGES else messages.DEFAULT_LANGUAGE)


def launch_desktop(app: App, out: TextIO, *, demo: bool = False, language: str | None = None) -> int:
    """The window; on a machine without a display, one line that says so (exit 3)."""
    from jb_watchdesk.ui.desktop import display_available, run_desktop

    if not display_available():
        raise EnvironmentProblem("cli.no_display")
    if demo:
        from jb_watchdesk.demo import DEMO_POLLING, LABEL

        return run_desktop(app, poll_settings=DEMO_POLLING, title_suffix=LABEL, language=language)
    return run_desktop(app, language=language)


def run_demo(args: argparse.Namespace, clock: Clock, out: TextIO, err: TextIO) -> int:
    """``--demo``: the window (or ``run --headless``) on a demo workspace fed by the simulator."""
    import asyncio

    from jb_watchdesk.cli.watch import watch_loop
    from jb_watchdesk.demo import DEMO_POLLING, demo_workspace
    from jb_watchdesk.ui.desktop import display_available

    if args.command is None and not display_available():
        raise EnvironmentProblem("cli.no_display")
    with demo_workspace(clock) as demo:
        # On stderr, so `--demo status --json` still prints clean JSON.
        err.write(say("cli.demo.simulator", url=demo.base_url) + "\n")
        err.flush()
        if args.command == "run":
            asyncio.run(watch_loop(demo.app, out, json_lines=False, notify=True, settings=DEMO_POLLING))
            return 0
        if args.command is not None:
            return int(args.handler(demo.app, args, out))
        return launch_desktop(demo.app, out, demo=True, language=args.lang)


# The commands that may start a workspace where there is none: importing the register, and the
# window (which offers the import). Any other command on a folder without a workspace is a
# mistyped --data-dir (or JB_WATCHDESK_HOME): it is refused before anything is created there.
_CREATES_WORKSPACE: Final = frozenset({None, "accounts import", "db restore"})
# ``doctor`` checks the machine before there is any workspace, and creates nothing.
_NEEDS_NO_WORKSPACE: Final = frozenset({"doctor"})


def require_workspace(workspace: Workspace, args: argparse.Namespace) -> None:
    """Refuse (exit 2, nothing created) a command that needs a workspace where none exists."""
    command = args.command if args.command is None else " ".join(filter(None, (args.command, getattr(args, "action", None))))
    if command in _CREATES_WORKSPACE or command in _NEEDS_NO_WORKSPACE or workspace.exists():
        return
    example = f"{PROG} accounts import {messages.text('cli.metavar.file')}"
    raise InputError("cli.no_workspace", path=str(workspace.root), example=example)


def _tidy_partials(workspace: Workspace) -> None:
    """Keep the record of this command's partial files in the workspace (``partials/``), and
    remove those a command killed mid-export or mid-backup left (see :mod:`services.files`)."""
    from jb_watchdesk.services import files

    journal = workspace.root / "partials"
    files.record_partials_in(journal)
    files.clean_partials(journal, backups=workspace.backups)


def _report(error: WatchdeskError, err: TextIO) -> str:
    """Write the refusal to ``err``; returns its one line (without the program's name)."""
    if isinstance(error, ImportRejected):
        for row in error.errors:
            err.write(plain(row.format()) + "\n")
    from jb_watchdesk.services.redaction import redact

    line = redact(plain(error))
    err.write(f"{PROG}: {line}\n")
    return line


def _debug_traceback(error: BaseException, err: TextIO, code: int) -> int:
    """``--debug``: the whole traceback on ``err``, with every secret the process knows masked
    (Python's own printing of an uncaught exception would not mask them); returns ``code``."""
    import traceback

    from jb_watchdesk.services.redaction import redact

    err.write(redact("".join(traceback.format_exception(error))))
    return code


def _refuse_in_window(args: argparse.Namespace, line: str) -> None:
    """The window was asked for (no command) and refused to start: the desk may have been started
    without a terminal (Start menu, ``pythonw``, the windowed build), so the same line is shown in a
    message box too, when a person can see one. The line on stderr stays (a terminal, or
    ``logs/desk-start.log`` for the windowed build)."""
    if args.command is not None:
        return
    try:
        from jb_watchdesk.ui.startup import show_refusal
    except ImportError:  # Qt itself cannot load: the line on stderr is all there is
        return
    try:
        show_refusal(line)
    except Exception:  # the box is a courtesy: the exit code and the line on stderr stand
        log.warning("the refusal could not be shown in a window", exc_info=True)


EXIT_CLOSED_PIPE: Final = 141
"""The exit code when the reader of the output went away (``… | head``): 128 + SIGPIPE, as a shell
reports a program that SIGPIPE ended, so ``set -o pipefail`` scripts still see the cut."""


_CLOSED_PIPE_ERRNOS: Final = frozenset({errno.EPIPE, errno.EINVAL})
"""How a write to a pipe whose reader went away fails: EPIPE (BrokenPipeError), or on Windows
often EINVAL (https://github.com/python/cpython/issues/79935)."""


class _PipeOutput:
    """The command's output, raising :class:`BrokenPipeError` when a write or flush fails with
    EPIPE or EINVAL: only there does EINVAL mean a closed pipe, so only there is it turned into one.
    Everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as error:
            if _closed_pipe(error):
                raise BrokenPipeError(errno.EPIPE, error.strerror or "closed pipe") from error
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            if _closed_pipe(error):
                raise BrokenPipeError(errno.EPIPE, error.strerror or "closed pipe") from error
            raise

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _closed_pipe(error: OSError) -> bool:
    return not isinstance(error, BrokenPipeError) and error.errno in _CLOSED_PIPE_ERRNOS


def _silence_closed_output(out: TextIO) -> None:
    """Point the closed output's file descriptor at the null device, so the interpreter's final
    flush of what is still buffered cannot fail again ("Exception ignored … BrokenPipeError").
    The recipe of https://docs.python.org/3/library/signal.html#note-on-sigpipe."""
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's StringIO)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    app_factory: Callable[[Workspace, Clock], App] | None = None,
) -> int:
    """Run one command; returns the process exit code (see the README).

    A reader that stops early (``accounts list | head -1``) ends the command quietly with
    :data:`EXIT_CLOSED_PIPE`: nothing on stderr.
    """
    stream = out or sys.stdout
    out = cast(TextIO, _PipeOutput(stream))  # a closed pipe on Windows: EINVAL, not EPIPE
    from jb_watchdesk.services import files

    files.record_partials_in(None)  # until this command's workspace is known (_tidy_partials)
    try:
        code = _run_command(argv, out=out, err=err, app_factory=app_factory)
        out.flush()  # here, not at interpreter exit, so a closed pipe is caught
    except BrokenPipeError:
        _silence_closed_output(stream)
        return EXIT_CLOSED_PIPE
    return code


def _run_command(
    argv: Sequence[str] | None,
    *,
    out: TextIO,
    err: TextIO | None,
    app_factory: Callable[[Workspace, Clock], App] | None,
) -> int:
    err = err or sys.stderr
    argv = list(sys.argv[1:] if argv is None else argv)
    choose_language(argv)
    parser = build_parser()
    try:
        # argparse prints help and usage errors itself; send them where the caller asked.
        with speaking(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    from jb_watchdesk.services import logs  # rotating files in the workspace's logs/, secrets masked

    logs.configure_command(data_dir=args.data_dir, debug=args.debug, demo=args.demo)
    try:
        now = parse_now(args.now)
        if not getattr(args, "needs_workspace", True):
            return int(args.handler(args, out))
        from jb_watchdesk.app import App, Clock

        factory = app_factory or (lambda workspace, clock: App(workspace=workspace, clock=clock))
        clock = Clock(now)
        if args.demo:
            return run_demo(args, clock, out, err)
        workspace = Workspace.resolve(args.data_dir)
        require_workspace(workspace, args)
        _tidy_partials(workspace)
        fresh = not workspace.exists()
        folder_existed = workspace.root.exists()
        try:
            with factory(workspace, clock) as app:
                if args.command is None:
                    return launch_desktop(app, out, language=args.lang)
                return int(args.handler(app, args, out))
        except WatchdeskError:
            if fresh and args.command is not None:
                # A refused first import leaves no empty workspace for later commands to accept.
                _forget_new_workspace(workspace, remove_folder=not folder_existed)
            raise
    except WatchdeskError as error:
        if args.debug:
            return _debug_traceback(error, err, error.exit_code)
        _refuse_in_window(args, _report(error, err))
        return error.exit_code
    except KeyboardInterrupt:
        err.write(f"{PROG}: {messages.text('cli.interrupted')}\n")
        return 130
    except BrokenPipeError:
        raise  # the reader went away: main ends quietly
    except Exception as error:  # one line for the officer; --debug shows the traceback
        from jb_watchdesk.services import logs as internal_log

        # the traceback to the log file (masked); the terminal gets the one line below
        logging.getLogger("jb_watchdesk").error(
            "internal error in %s", args.command or "window", exc_info=error, extra=internal_log.FILE_ONLY
        )
        if args.debug:
            return _debug_traceback(error, err, 1)
        from jb_watchdesk.services.files import disk_full_problem

        full = disk_full_problem(error)  # a full disk is the machine's, not the program's, trouble
        if full is not None:
            _refuse_in_window(args, _report(full, err))
            return full.exit_code
        internal = messages.text("cli.internal", detail=type(error).__name__)
        err.write(f"{PROG}: {internal}\n")
        _refuse_in_window(args, internal)
        return 1
    finally:
        logs.close()  # one command's logging ends with it (a process may run several: tests, the demo)
