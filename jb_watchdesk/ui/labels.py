"""Display names for codes in the window: the catalogue's ``label.<kind>.<code>`` entries.

One function per kind of code, each rendering the name in the current language when asked
(the dashboard asks for a thousand of them per refresh: a dictionary look-up each).
"""

from __future__ import annotations

from jb_watchdesk.domain import messages
from jb_watchdesk.domain.messages import times


def platform(code: str) -> str:
    return messages.label("platform", code)


def lifecycle(code: str) -> str:
    return messages.label("account_status", code)


def freshness(code: str) -> str:
    return messages.label("freshness", code)


def health(code: str) -> str:
    return messages.label("health", code)


def comment_state(code: str) -> str:
    return messages.label("comment_state", code)


def severity(code: str) -> str:
    return messages.label("severity", code)


def category(code: str) -> str:
    return messages.label("category", code)


def alert_state(code: str) -> str:
    return messages.label("alert_state", code)


def rule(code: str) -> str:
    """What a detector rule looks for (``pii.id_card`` → 身份证号)."""
    return messages.label("rule", code)


def emergency_state(code: str) -> str:
    return messages.label("emergency_state", code)


def duration(seconds: float) -> str:
    """A signed countdown like ``-1:05:12`` or ``4天 03:10``."""
    return times.duration(seconds)


def secret(name: str) -> str:
    """A credential's name (``access_token`` → 访问令牌)."""
    return messages.label("secret", name)
