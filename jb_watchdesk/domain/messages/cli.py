"""The command line's own texts: headers, results, help. key: (zh, en)."""

from __future__ import annotations

from typing import Final

CLI: Final[dict[str, tuple[str, str]]] = {
}
