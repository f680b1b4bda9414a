"""The one message catalogue: every text an officer reads, in Simplified Chinese (the default) and English.

Errors and results carry a message key and parameters; the text is rendered at the boundary
(command line, window, export) in the officer's language. The catalogue is split by who speaks
(:mod:`.core`, :mod:`.labels`, :mod:`.cli`, :mod:`.exports`, :mod:`.ui`); a key lives in exactly one
part. :mod:`.times` formats times for people.
"""

from __future__ import annotations

from typing import Final

from jb_watchdesk.domain.messages.cli import CLI
from jb_watchdesk.domain.messages.core import CORE
from jb_watchdesk.domain.messages.exports import EXPORTS
from jb_watchdesk.domain.messages.labels import LABELS
from jb_watchdesk.domain.messages.ui import UI

DEFAULT_LANGUAGE: Final = "zh"
LANGUAGES: Final = ("zh", "en")

_language = DEFAULT_LANGUAGE


def _merged(*parts: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for part in parts:
        clash = merged.keys() & part.keys()
        if clash:
            raise ValueError(f"message keys defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


CATALOGUE: Final[dict[str, tuple[str, str]]] = _merged(CORE, LABELS, CLI, EXPORTS, UI)
"""key: (zh, en), every part together."""


def set_language(language: str) -> None:
    """Choose the language used when messages are rendered (``zh`` or ``en``)."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    _language = language


def current_language() -> str:
    return _language


def text(key: str, /, language: str | None = None, **params: object) -> str:
    """Render message ``key`` with ``params`` in ``language`` (default: the current language)."""
    zh, en = CATALOGUE[key]
    template = en if (language or _language) == "en" else zh
    return template.format(**params)


def label(kind: str, code: object, language: str | None = None) -> str:
    """The name of ``code`` (an enum or its value) of ``kind`` (``platform``, ``severity``, …)."""
    value = getattr(code, "value", code)
    key = f"label.{kind}.{value}"
    return text(key if key in CATALOGUE else "label.other", language)
