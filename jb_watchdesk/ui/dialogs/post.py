"""A post in full: title, time, link and text, all shown literally.

The link opens in the system browser only when it is an http(s) address.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from jb_watchdesk.domain.messages import times
from jb_watchdesk.domain.models import ItemKind, ItemText
from jb_watchdesk.ui.text import plain_label


def _t(text: str) -> str:
    return QCoreApplication.translate("PostDialog", text)


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
    "private": lambda: _t("（仅作者或好友可见）"),
    "reviewing": lambda: _t("（平台审核中）"),
    "rejected": lambda: _t("（平台判定不宜公开）"),
}


class PostDialog(QDialog):
    def __init__(self, post: ItemText, *, account_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_t("发布详情"))
        layout = QVBoxLayout(self)
        untitled = _t("留言") if post.kind is ItemKind.COMMENT else _t("（无标题）")
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
            when += _t("（估计，首次读取时间）")
        visibility = _VISIBILITY.get(post.visibility.value)
        marks = [visibility()] if visibility else []
        if post.deleted:
            marks.append(_t("（已删除）"))
        layout.addWidget(plain_label(f"{account_name} · {when} {''.join(marks)}"))
        self.link = plain_label(post.url)
        layout.addWidget(self.link)
        body = QPlainTextEdit()
        body.setReadOnly(True)
        body.setPlainText(post.body)
        layout.addWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton(_t("在浏览器中打开"))
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
