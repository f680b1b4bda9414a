"""Texts of the handover and weekly report exports (XLSX, PDF, CSV). key: (zh, en)."""

from __future__ import annotations

from typing import Final

EXPORTS: Final[dict[str, tuple[str, str]]] = {
}
