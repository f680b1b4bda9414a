"""A post in full: title, time, link and text, all shown literally.

The link opens in the system browser only when it is an http(s) address.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from jb_watchdesk.domain.messages import times
from jb_watchdesk.domain.models import ItemKind, ItemText
from jb_watchdesk.ui.i18n import t
from jb_watchdesk.ui.text import plain_label


def safe_link(url: str) -> QUrl | None:
    """Only http(s) links with a host are ever handed to the browser."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return QUrl(url, QUrl.ParsingMode.StrictMode)


# How the platform shows the post, when not to the public (see domain.models.Visibility).
_VISIBILITY: dict[str, Callable[[], str]] = {
    "private": lambda: t("ui.post.private"),
    "reviewing": lambda: t("ui.post.reviewing"),
    "rejected": lambda: t("ui.post.rejected"),
}


class PostDialog(QDialog):
    def __init__(self, post: ItemText, *, account_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("ui.post.title"))
        layout = QVBoxLayout(self)
        untitled = t("ui.post.comment") if post.kind is ItemKind.COMMENT else t("ui.post.untitled")
        title = plain_label(post.title or untitled)
        title.setWordWrap(True)
        font = title.font()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        published = post.published_at
        when = times.show(published, empty="")
        if published and post.date_estimated:
            # the source gave no usable date: this is when the desk first saw the post
            when += t("ui.post.date_estimated")
        visibility = _VISIBILITY.get(post.visibility.value)
        marks = [visibility()] if visibility else []
        if post.deleted:
            marks.append(t("ui.post.deleted"))
        layout.addWidget(plain_label(f"{account_name} · {when} {''.join(marks)}"))
        self.link = plain_label(post.url)
        layout.addWidget(self.link)
        body = QPlainTextEdit()
        body.setReadOnly(True)
        body.setPlainText(post.body)
        layout.addWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton(t("ui.post.open_browser"))
        self._url = safe_link(post.url)
        self.open_button.setEnabled(self._url is not None and self._url.isValid())
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self._open)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 520)

    def _open(self) -> None:
        if self._url is not None:
            QDesktopServices.openUrl(self._url)
