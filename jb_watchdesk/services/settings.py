"""The desk's settings: ``<data dir>/settings.json``, UTF-8 JSON an officer can read, written
atomically and readable by its owner only (0600).

Validated on load: a key whose value has the wrong type or shape (``"post_interval_s": "abc"``, a
proxy address httpx cannot parse) is :class:`InputError` ``settings.bad_value`` naming the key,
what it must be and what it is (exit 2 for ``poll`` and ``run``; ``doctor`` reports it as
``[fail] settings`` and carries on). A value is never silently replaced by its default: the officer
who wrote it learns it is not in use. Unknown keys are kept (a newer version's settings survive
an older one). A file that is not JSON, or not a JSON object, is ``settings.unreadable``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields, replace
from datetime import timedelta
from pathlib import Path
from typing import Final

import httpx

from jb_watchdesk.connectors.http import safe_proxy, safe_proxy_detail
from jb_watchdesk.domain import messages
from jb_watchdesk.domain.errors import InputError
from jb_watchdesk.services.escalation import EscalationPolicy
from jb_watchdesk.services.files import atomic_output
from jb_watchdesk.services.redaction import register_url
from jb_watchdesk.services.scheduler import PollSettings

log = logging.getLogger(__name__)

FILENAME = "settings.json"


@dataclass(frozen=True, slots=True)
class DeskSettings:
    language: str = "zh"
    post_interval_s: int = 600
    comment_interval_s: int = 900
    max_concurrency: int = 20
    per_host_concurrency: int = 8
    proxy: str = ""
    ca_bundle: str = ""
    os_notifications: bool = True
    repeat_minutes: int = 10
    officer: str = ""
    escalation_minutes: int = 10
    """A live high alert still unacknowledged this long sounds; as long again, the leader is told."""
    escalation_sound: bool = True
    """Whether the workstation sounds when something escalates (the steps are taken either way)."""
    backup_days: int = 14
    """How many days of daily database backups are kept in ``<data dir>/backups/``."""

    def poll(self) -> PollSettings:
        return PollSettings(
            post_interval_s=float(self.post_interval_s),
            comment_interval_s=float(self.comment_interval_s),
            max_concurrency=self.max_concurrency,
            per_host_concurrency=self.per_host_concurrency,
        )

    def escalation(self) -> EscalationPolicy:
        return EscalationPolicy(after=timedelta(minutes=self.escalation_minutes), sound=self.escalation_sound)

    def validated(self) -> DeskSettings:
        fixed = self
        defaults = DeskSettings()
        checks = {
            "language": self.language in ("zh", "en"),
            "post_interval_s": 30 <= self.post_interval_s <= 86_400,
            "comment_interval_s": 30 <= self.comment_interval_s <= 86_400,
            "max_concurrency": 1 <= self.max_concurrency <= 500,
            "per_host_concurrency": 1 <= self.per_host_concurrency <= 500,
            "repeat_minutes": 1 <= self.repeat_minutes <= 1_440,
            "escalation_minutes": 1 <= self.escalation_minutes <= 1_440,
            "backup_days": 1 <= self.backup_days <= 3_650,
            "proxy": proxy_problem(self.proxy) is None,
        }
        for name, ok in checks.items():
            if not ok:
                log.warning("setting %s has an invalid value; using the default", name)
                fixed = replace(fixed, **{name: getattr(defaults, name)})
        return fixed


RANGES: Final[dict[str, tuple[int, int]]] = {
    "post_interval_s": (30, 86_400),
    "comment_interval_s": (30, 86_400),
    "max_concurrency": (1, 500),
    "per_host_concurrency": (1, 500),
    "repeat_minutes": (1, 1_440),
    "escalation_minutes": (1, 1_440),
    "backup_days": (1, 3_650),
}
CHOICES: Final[dict[str, tuple[str, ...]]] = {"language": ("zh", "en")}
PROXY_SCHEMES: Final = ("http", "https", "socks5", "socks5h")


def proxy_problem(proxy: str) -> str | None:
    """Why ``proxy`` cannot be used as a proxy address (parsed as httpx parses it), or None when it
    can (or is empty: the system's proxy). https://www.python-httpx.org/advanced/proxies/"""
    if proxy == "":
        return None
    try:
        url = httpx.URL(proxy)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        return str(error) or type(error).__name__
    if url.scheme not in PROXY_SCHEMES:
        return f"scheme {url.scheme or '(none)'!r} is not one of {', '.join(PROXY_SCHEMES)}"
    if not url.host:
        return "no host name"
    return None


def _shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)[:80]


def check_value(name: str, value: object, default: object) -> str | None:
    """What ``value`` for the key ``name`` should have been (in the officer's language), or None
    when it is fine."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else messages.text("settings.expect.bool")
    if isinstance(default, int):
        low, high = RANGES.get(name, (-(2**31), 2**31))
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return None if ok else messages.text("settings.expect.int", low=low, high=high)
    if name in CHOICES:
        return None if value in CHOICES[name] else messages.text("settings.expect.choice", choices=", ".join(CHOICES[name]))
    if not isinstance(value, str):
        return messages.text("settings.expect.text")
    if name == "proxy":
        problem = proxy_problem(value)
        return None if problem is None else messages.text("settings.expect.proxy", detail=safe_proxy_detail(value, problem))
    return None


def load(root: Path) -> DeskSettings:
    """The settings in ``root/settings.json`` (the defaults when there is none).

    ``InputError``: ``settings.unreadable`` (not JSON, not an object, cannot be read) or
    ``settings.bad_value`` naming the first key whose value is wrong."""
    path = root / FILENAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        return DeskSettings()
    except OSError as error:
        raise InputError("settings.unreadable", path=str(path), detail=error.strerror or str(error)) from error
    except ValueError as error:  # json.JSONDecodeError and UnicodeDecodeError
        raise InputError("settings.unreadable", path=str(path), detail=str(error)) from error
    if not isinstance(raw, dict):
        raise InputError("settings.unreadable", path=str(path), detail=messages.text("settings.expect.object"))
    defaults = DeskSettings()
    values = {}
    for name in (f.name for f in fields(DeskSettings)):
        if name not in raw:
            continue
        if name == "proxy" and isinstance(raw[name], str):
            register_url(raw[name])  # a proxy password never reaches the error line or the log
        expected = check_value(name, raw[name], getattr(defaults, name))
        if expected is not None:
            # a proxy is shown without its password (and clipped only then: a cut password escapes masking)
            got = _shown(safe_proxy(raw[name]) if name == "proxy" and isinstance(raw[name], str) else raw[name])
            raise InputError("settings.bad_value", path=str(path), key=name, expected=expected, got=got)
        values[name] = raw[name]
    return DeskSettings(**values)


def save(root: Path, settings: DeskSettings) -> None:
    path = root / FILENAME
    try:
        existing = json.loads(path.read_text(encoding="utf-8-sig"))  # as load reads it: a BOM keeps the unknown keys
        if not isinstance(existing, dict):
            existing = {}
    except (OSError, ValueError):
        existing = {}
    existing.update(asdict(settings.validated()))
    root.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as temp:
        temp.write_text(json.dumps(existing, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.chmod(temp, 0o600)  # the proxy address may carry a password
