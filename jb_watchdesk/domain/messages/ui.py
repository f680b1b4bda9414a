"""The window's texts: menus, buttons, labels, dialogs. key: (zh, en)."""

from __future__ import annotations

from typing import Final

UI: Final[dict[str, tuple[str, str]]] = {
}
