"""Status icons drawn at run time: a shape and a symbol, never colour alone."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap, QPolygonF

GREEN = QColor("#1b7f3b")
AMBER = QColor("#b86e00")
RED = QColor("#c62828")
GREY = QColor("#757575")
BLUE = QColor("#1565c0")

# state → (colour, shape, symbol)
_STYLES: dict[str, tuple[QColor, str, str]] = {
    "ok": (GREEN, "circle", "✓"),
    "warn": (AMBER, "triangle", "!"),
    "degraded": (AMBER, "triangle", "!"),
    "veto": (RED, "octagon", "×"),
    "failing": (RED, "octagon", "×"),
    "auth_expired": (RED, "square", "钥"),
    "unknown": (GREY, "circle", "?"),
    "never_polled": (GREY, "circle", "?"),
    "high": (RED, "octagon", "!"),
    "medium": (AMBER, "triangle", "!"),
    "low": (BLUE, "circle", "i"),
    "overdue": (RED, "square", "超"),
}


def _shape(painter: QPainter, shape: str, rect: QRectF) -> None:
    if shape == "circle":
        painter.drawEllipse(rect)
    elif shape == "square":
        painter.drawRoundedRect(rect, 3, 3)
    elif shape == "triangle":
        painter.drawPolygon(
            QPolygonF([QPointF(rect.center().x(), rect.top()), rect.bottomRight(), rect.bottomLeft()])
        )
    else:
        inset = rect.width() * 0.29
        points = [
            QPointF(rect.left() + inset, rect.top()),
            QPointF(rect.right() - inset, rect.top()),
            QPointF(rect.right(), rect.top() + inset),
            QPointF(rect.right(), rect.bottom() - inset),
            QPointF(rect.right() - inset, rect.bottom()),
            QPointF(rect.left() + inset, rect.bottom()),
            QPointF(rect.left(), rect.bottom() - inset),
            QPointF(rect.left(), rect.top() + inset),
        ]
        painter.drawPolygon(QPolygonF(points))


@cache
def draw(state: str, size: int = 32, *, badge: int | None = None) -> QPixmap:
    colour, shape, symbol = _STYLES.get(state, _STYLES["unknown"])
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colour.darker(130), max(1, size // 16)))
    painter.setBrush(colour)
    rect = QRectF(1, 1, size - 2, size - 2)
    _shape(painter, shape, rect)
    painter.setPen(QColor("white"))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.55))
    painter.setFont(font)
    text_rect = rect.adjusted(0, size * 0.12, 0, 0) if shape == "triangle" else rect
    painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, symbol)
    if badge:
        painter.setBrush(QColor("white"))
        painter.setPen(QPen(colour, 1))
        badge_rect = QRectF(size * 0.5, size * 0.5, size * 0.5 - 1, size * 0.5 - 1)
        painter.drawEllipse(badge_rect)
        font.setPixelSize(int(size * 0.3))
        painter.setFont(font)
        painter.setPen(colour)
        painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, str(min(badge, 99)))
    painter.end()
    return pixmap


@cache
def icon(state: str) -> QIcon:
    return QIcon(draw(state, 32))


def clear_cache() -> None:
    """Drop cached pixmaps and icons while Qt still runs (they must not outlive the application)."""
    draw.cache_clear()
    icon.cache_clear()
