"""What every platform's routes share: requests, responses, targets and their encodings.

:class:`Request`, :class:`Response` and :class:`Target` are what the server hands the routes
and gets back; :func:`json_response` and :func:`text_response` build answers, :func:`http_date`
and :func:`weibo_date` write dates, and :class:`PlatformRoutes` is the base of each platform's
routes (the world, the request serial, the quota).
"""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl

from jb_watchdesk.simulator.faults import FaultKind
from jb_watchdesk.simulator.world import SimAccount, to_datetime

if TYPE_CHECKING:
    from jb_watchdesk.simulator.world import World

JSON_TYPE: Final = "application/json; charset=utf-8"
_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed HTTP request. Header names are lower-case."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""

    def form(self) -> dict[str, str]:
        """The body as JSON object or form fields, whichever the client sent."""
        if not self.body:
            return {}
        content_type = self.headers.get("content-type", "")
        if "json" in content_type or self.body.lstrip().startswith(b"{"):
            try:
                data = json.loads(self.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return {}
            if not isinstance(data, dict):
                return {}
            return {str(k): _scalar_text(v) for k, v in data.items()}
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return {}
        return dict(parse_qsl(text, keep_blank_values=True))


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


@dataclass(slots=True)
class Response:
    """What to send back. ``kind`` (json, xml, html, text) lets faults reshape the body."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    kind: str = "json"
    charset: str = "utf-8"


@dataclass(frozen=True, slots=True)
class Target:
    """Which route a request is for and which account it concerns, if known."""

    route: str
    account: SimAccount | None = None

    def names(self, platform: str) -> frozenset[str]:
        """What a fault TARGET may name for this request: account key and platforms."""
        if self.account is None:
            return frozenset({platform})
        return frozenset({self.account.key, self.account.served, self.account.platform})


_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def json_response(payload: object, *, status: int = 200) -> Response:
    """A JSON response; ints stay exact (Weibo ids above 2**53 must survive).

    A lone surrogate in a string goes out as its JSON escape (``\\ud83d``), as platforms whose
    back ends cut UTF-16 strings send it: the bytes stay valid UTF-8, the text does not.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    text = _LONE_SURROGATE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return Response(status=status, body=text.encode("utf-8"))


def text_response(status: int, *, text: str, kind: str = "text") -> Response:
    """A small plain-text or HTML response."""
    content_type = "text/html; charset=utf-8" if kind == "html" else "text/plain; charset=utf-8"
    return Response(status=status, body=text.encode("utf-8"), content_type=content_type, kind=kind)


def http_date(epoch: int) -> str:
    """An IMF-fixdate for Last-Modified and Date headers."""
    return email.utils.formatdate(epoch, usegmt=True)


def weibo_date(epoch: int) -> str:
    """Weibo's ``created_at``: ``Tue May 31 17:46:55 +0800 2011`` (English, whatever the locale)."""
    moment = to_datetime(epoch)
    return (
        f"{_DAYS[moment.weekday()]} {_MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} +0800 {moment.year}"
    )


def _int(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    text = value.strip()
    if len(text) > 30 or not text.lstrip("-").isdigit():
        return default
    return int(text)


class PlatformRoutes:
    """The base of each platform's routes: the world they answer from and the quota they spend."""

    world: World
    _serial: int

    def _spend(self, account: SimAccount, forced: FaultKind | None) -> bool:
        if forced is FaultKind.QUOTA:
            return False
        return self.world.quotas.spend(account, now=self.world.now())
