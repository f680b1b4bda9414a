"""The file formats of the handover and weekly report exports.

A module of its own so the command line can offer them without loading the export machinery.
"""

from __future__ import annotations

from typing import Final

HANDOVER_FORMATS: Final = ("xlsx", "pdf", "csv")
REPORT_FORMATS: Final = ("xlsx", "pdf")

__all__ = ["HANDOVER_FORMATS", "REPORT_FORMATS"]
