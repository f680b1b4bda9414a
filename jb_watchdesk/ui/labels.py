"""Display names for codes in the window: the catalogue's ``label.<kind>.<code>`` entries.

One function per kind of code, each rendering the name in the current language when asked
(the dashboard asks for a thousand of them per refresh: a dictionary look-up each).
"""

from __future__ import annotations

from datetime import datetime

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


def deferral(choice: str) -> str:
    """A deferral choice (``15m``, ``1h``, ``shift``) as the menus name it."""
    return messages.text(f"ui.defer.{choice}")


def age(when: datetime, *, now: datetime) -> str:
    """How long ago ``when`` was: 刚刚, 25 分钟前, 3 小时前, 2 天前."""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return messages.text("ui.age.just_now")
    if seconds < 3_600:
        return messages.text("ui.age.minutes", count=int(seconds // 60))
    if seconds < 86_400:
        return messages.text("ui.age.hours", count=int(seconds // 3_600))
    return messages.text("ui.age.days", count=int(seconds // 86_400))


def published(when: datetime | None, *, now: datetime) -> str:
    """``发布于 11-30 02:10（3 小时前）``, or that the publish time is unknown."""
    if when is None:
        return messages.text("ui.age.unknown")
    return messages.text("ui.age.published", when=times.show(when, times.Shape.SHORT), age=age(when, now=now))


def published_short(when: datetime | None, *, now: datetime) -> str:
    """A list cell: ``11-30 02:10（3 小时前）``."""
    if when is None:
        return times.EMPTY
    return messages.text("ui.age.short", when=times.show(when, times.Shape.SHORT), age=age(when, now=now))
