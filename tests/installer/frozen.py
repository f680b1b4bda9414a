"""What the bundle tests share: the built bundle's layout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Bundle:
    """The built one-folder bundle: ``executable`` is the console program, ``internal`` its ``_internal``."""

    folder: Path
    executable: Path
    internal: Path
