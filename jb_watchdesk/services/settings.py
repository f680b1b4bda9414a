"""The desk's settings: one JSON file in the workspace, written atomically.

Unknown keys are kept (a newer version's settings survive an older one); bad values fall back
to the default with a warning instead of stopping the desk.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields, replace
from datetime import timedelta
from pathlib import Path

from jb_watchdesk.services.escalation import EscalationPolicy
from jb_watchdesk.services.files import atomic_output
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
            "proxy": self.proxy == "" or self.proxy.startswith(("http://", "https://", "socks5://")),
        }
        for name, ok in checks.items():
            if not ok:
                log.warning("setting %s has an invalid value; using the default", name)
                fixed = replace(fixed, **{name: getattr(defaults, name)})
        return fixed


def load(root: Path) -> DeskSettings:
    path = root / FILENAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DeskSettings()
    except (OSError, ValueError) as error:
        log.warning("cannot read %s (%s); using the defaults", path, type(error).__name__)
        return DeskSettings()
    known = {f.name: f.type for f in fields(DeskSettings)}
    values = {}
    for name in known:
        if name in raw:
            default = getattr(DeskSettings(), name)
            value = raw[name]
            bool_for_int = isinstance(default, int) and isinstance(value, bool) and not isinstance(default, bool)
            if isinstance(value, type(default)) and not bool_for_int:
                values[name] = value
    return DeskSettings(**values).validated()


def save(root: Path, settings: DeskSettings) -> None:
    path = root / FILENAME
    try:
        existing = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(existing, dict):
            existing = {}
    except (OSError, ValueError):
        existing = {}
    existing.update(asdict(settings.validated()))
    root.mkdir(parents=True, exist_ok=True)
    with atomic_output(path) as temp:
        temp.write_text(json.dumps(existing, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
