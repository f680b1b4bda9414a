"""The window's summary strip and banners: counts with shape-and-symbol icons, the in-app end of the
notification chain, and the lexicon's problems.

Every alert number shown here comes from one :class:`~jb_watchdesk.domain.alerts.AlertCounts`
(the store's count), so the tile, the banner, the tray and the Alerts tab never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from jb_watchdesk.domain.alerts import AlertCounts
from jb_watchdesk.services.lexicon_files import LexiconReport
from jb_watchdesk.ui import icons
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import plain_label, tooltip


def alerts_state(counts: AlertCounts) -> str:
    """The icon state the alert counts call for: a live high alert is red, live others amber,
    backlog alone is a calm blue "i", nothing open is green."""
    if counts.open_high_live:
        return "high"
    if counts.open_live:
        return "medium"
    if counts.open_backlog:
        return "low"
    return "ok"


def alerts_waiting(counts: AlertCounts) -> str:
    """"待查看的告警：N（高风险 H）；另有存量待核查 M 条" (the parts that are not zero)."""
    live = t("ui.window.alerts_waiting", count=counts.open_live, high=counts.open_high_live)
    if not counts.open_backlog:
        return live
    return t("ui.window.alerts_and_backlog", alerts=live, backlog=t("ui.window.backlog_also", count=counts.open_backlog))


class StatLabel(QWidget):
    """A count with a shape-and-symbol icon (never colour alone), and an optional second line."""

    def __init__(self, state: str, caption: str) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        self.icon = QLabel()
        self.state = state
        self.icon.setPixmap(icons.draw(state, 22))
        lines = QVBoxLayout()
        lines.setContentsMargins(0, 0, 0, 0)
        lines.setSpacing(0)
        self.text = plain_label()
        self.detail = plain_label()
        self.detail.hide()
        self.caption = caption
        lines.addWidget(self.text)
        lines.addWidget(self.detail)
        layout.addWidget(self.icon)
        layout.addLayout(lines)
        self.set_count(0)

    def set_count(self, count: int, *, detail: str = "", state: str | None = None) -> None:
        self.count = count
        self.text.setText(f"{self.caption} {count}")
        font = self.text.font()
        font.setBold(count > 0)
        self.text.setFont(font)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        if state is not None and state != self.state:
            self.state = state
            self.icon.setPixmap(icons.draw(state, 22))


class Banner(QFrame):
    """The in-app end of the notification chain: always works, always visible until dismissed.

    After an alert notification it also says how many alerts wait, from the same counts as the
    tile, and keeps that line current as alerts are handled; it hides when no live alert is left.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("Banner { background: #fff3cd; border: 1px solid #b86e00; }")
        layout = QHBoxLayout(self)
        self.icon = QLabel()
        self.icon.setPixmap(icons.draw("high", 20))
        self.text = plain_label()
        self.text.setWordWrap(True)
        close = QPushButton(t("ui.window.dismiss"))
        close.clicked.connect(self.hide)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        self._headline = ""
        self._alerts_shown = False
        self._counts = AlertCounts()
        self.hide()

    def show_text(self, text: str) -> None:
        """A message (an error, a notification's headline); the alert count line goes with it
        while the banner shows alerts."""
        self._headline = text
        self._render()
        self.show()

    def show_alerts(self, headline: str, counts: AlertCounts) -> None:
        """An alert notification: its headline and the count of alerts waiting."""
        self._alerts_shown = True
        self._counts = counts
        self.show_text(headline)

    def set_counts(self, counts: AlertCounts) -> None:
        self._counts = counts
        if not self._alerts_shown:
            return
        if counts.open_live == 0:
            self._alerts_shown = False
            self.hide()
            return
        self._render()

    def hide(self) -> None:
        self._alerts_shown = False
        super().hide()

    def _render(self) -> None:
        lines = [self._headline] if self._headline else []
        if self._alerts_shown:
            lines.append(alerts_waiting(self._counts))
        self.text.setText("\n".join(lines))


class ProblemLine(QFrame):
    """A line that stays while a file the desk reads has problems (the lexicon, the holiday
    overrides): a summary in plain text in the officer's language; the tooltip lists the first
    problems as ``FILE:LINE: reason`` and what to do."""

    SHOWN_IN_TOOLTIP = 10

    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"{type(self).__name__} {{ background: #fff3cd; border: 1px solid #b86e00; }}")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.icon = QLabel()
        self.icon.setPixmap(icons.draw("warn", 18))
        self.text = plain_label()
        self.text.setWordWrap(True)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        self.hide()

    def show_lines(self, summary: str, problems: Sequence[str], advice: str) -> None:
        """Show ``summary`` (hidden when empty), the first ``problems`` and ``advice`` in the tooltip."""
        if not summary:
            self.text.setText("")
            self.setToolTip("")
            self.hide()
            return
        self.text.setText(summary)
        shown = list(problems[: self.SHOWN_IN_TOOLTIP])
        if len(problems) > self.SHOWN_IN_TOOLTIP:
            shown.append("…")
        shown.append(advice)
        self.setToolTip(tooltip("\n".join(shown)))
        self.show()


class LexiconWarning(ProblemLine):
    """The lexicon's problems: a file that cannot be read, lines skipped."""

    def show_report(self, report: LexiconReport) -> None:
        if not report.problems:
            self.show_lines("", (), "")
            return
        self.show_lines(report.summary(), [problem.format() for problem in report.problems], report.advice())
