"""The Qt binding must not eat references to Python's singletons.

PySide6 6.12.0 on Python 3.11 returned ``True`` from ``SignalInstance.disconnect()`` and
``None`` from void painter methods without a reference: qasync disconnects a socket notifier
per connection, so the desk aborted on exit after a poll ("bool_dealloc"), and long PDFs
aborted while painting. pyproject.toml excludes that release; this test keeps it excluded.
"""

from __future__ import annotations

import socket
import sys

from PySide6.QtCore import QSocketNotifier
from PySide6.QtGui import QImage, QPainter, QPen


def test_signal_disconnect_keeps_true_alive(qapp: object) -> None:
    left, right = socket.socketpair()
    try:
        before = sys.getrefcount(True)
        for _ in range(200):
            notifier = QSocketNotifier(left.fileno(), QSocketNotifier.Type.Read)
            notifier.activated["int"].connect(lambda fd: None)
            notifier.activated["int"].disconnect()
        assert sys.getrefcount(True) >= before
    finally:
        left.close()
        right.close()


def test_painting_keeps_none_alive(qapp: object) -> None:
    image = QImage(16, 16, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    before = sys.getrefcount(None)
    for _ in range(500):
        painter.setPen(QPen())
        painter.drawLine(0, 0, 8, 8)
    painter.end()
    assert sys.getrefcount(None) >= before
