"""What the window says about its own start: files it could only partly use, and why it refused to start.

- :class:`OverrideWarning`: a line that stays in the window while the holiday override file
  (``workday-overrides.txt`` in the data dir) has lines the desk skipped, in plain text; the
  tooltip lists every skipped line as ``FILE:LINE: reason`` and what to do.
- :func:`show_refusal`: the desk started from the Start menu, ``pythonw`` or the windowed build has
  no terminal, so the one line the command line prints when it refuses to start (a bad settings
  key, exit 2; the poller lock held by ``run --headless``, exit 3) is also shown in a message box,
  when a person can see one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import PurePath

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.workdays import OverrideProblem
from jb_watchdesk.ui.i18n import install_language, t
from jb_watchdesk.ui.text import one_line
from jb_watchdesk.ui.widgets.status import ProblemLine

_QUOTED_CHARS = 60
"""How much of a skipped line the warning quotes (the tooltip has each line whole)."""


def override_summary(problems: Sequence[OverrideProblem]) -> str:
    """One line for the officer: the first skipped line (file name, line number, its text), how
    many there are, that the rest of the file is used and what that means for deadlines. Empty
    when there is no problem."""
    if not problems:
        return ""
    first = problems[0]
    name = PurePath(first.source).name or first.source
    if first.line == 0:  # the file could not be read at all
        return t("ui.startup.override_unreadable", file=name, detail=one_line(first.text, _QUOTED_CHARS))
    text = one_line(first.text, _QUOTED_CHARS)
    if len(problems) == 1:
        return t("ui.startup.override_problem", file=name, line=first.line, text=text)
    return t("ui.startup.override_problems", file=name, line=first.line, count=len(problems), text=text)


class OverrideWarning(ProblemLine):
    """A line that stays while the holiday override file has lines the desk could not use.

    :meth:`show_problems` takes the calendar's problems (:attr:`WorkdayCalendar.problems`) and the
    same problems as the officer reads them (``operations.holiday_override_problems``, one
    ``FILE:LINE: reason`` each, shown in the tooltip).
    """

    def show_problems(self, problems: Sequence[OverrideProblem], described: Sequence[str]) -> None:
        if not problems:
            self.show_lines("", (), "")
            return
        self.show_lines(override_summary(problems), described, t("ui.startup.override_advice", path=problems[0].source))


# -- refusing to start ------------------------------------------------------------------------

_NO_SCREEN_PLATFORMS = ("offscreen", "minimal")
"""Qt platforms that draw nowhere a person looks (tests, the build check): no message box there."""


def can_show_refusal() -> bool:
    """Whether a message box would reach a person: a display (X11 or Wayland on Linux; the desktop
    on Windows and macOS), a Qt platform that draws on screen, and on X11 the libraries of Qt's xcb
    plugin (without them Qt aborts the process: see :func:`jb_watchdesk.ui.desktop.check_platform_libraries`)."""
    from jb_watchdesk.ui import desktop

    chosen = os.environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen in _NO_SCREEN_PLATFORMS:
        return False
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    return not (desktop.uses_xcb() and desktop.missing_xcb_libraries())


def refusal_box(text: str) -> QMessageBox:
    """The message box for a refusal: critical, the one line ``text`` in plain text (it may quote a
    file's or a setting's content), the title and the OK button in the officer's language. Needs a
    ``QApplication``."""
    box = QMessageBox(QMessageBox.Icon.Critical, t("ui.startup.refusal_title"), "")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_refusal(text: str) -> bool:
    """Show the refusal ``text`` (one line, already in the officer's language) in a modal message
    box and return once the officer closed it; False, showing nothing, when no person could see it
    (:func:`can_show_refusal`). Makes a ``QApplication`` if there is none yet (a refusal may come
    before the window's). Call only outside a running event loop: it runs Qt's own modal loop."""
    if not can_show_refusal():
        return False
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    install_language(qapp, messages.current_language())  # Qt's own OK button in the same language
    box = refusal_box(text)
    box.exec()
    box.deleteLater()
    return True
