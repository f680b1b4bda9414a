"""Fault injection: a small spec language and a deterministic plan that decides per request.

Spec grammar (entries separated by commas, whitespace around entries ignored)::

    ENTRY  := KIND ["=" PARAM] ["@" TARGET] ["%" RATE]
    KIND   := latency | timeout | reset | 5xx | 429 | malformed | html | charset
            | drip | oversize | entity_bomb | expire | quota
            | shift | comment_quota | comment_args
            | br | gzip_noheader | future_lastmod | echo
            | guid_repeat | future_dates | undated | cn_dates | bad_byte
            | surrogate | nonchar | long_text | video_status
    PARAM  := digits   (latency: milliseconds, required; 429: Retry-After seconds, default 30)
    TARGET := an account key (``weibo-0002``) or a platform (``rss``, ``wechat_mp``,
              ``kuaishou`` ...); no target means every platform request
    RATE   := a percentage in (0, 100], default 100
    (``@TARGET`` and ``%RATE`` may also come in the other order)

HTTP behaviour of real servers and CDNs (what a platform route answers is unchanged):

- ``br``: the body brotli-compressed (RFC 7932) with ``Content-Encoding: br``, whatever the
  request's Accept-Encoding said, as CDNs do.
- ``gzip_noheader``: the body gzip-compressed with no Content-Encoding header (a ``.xml.gz``
  served as is, or a proxy that dropped the header).
- ``future_lastmod``: feed responses carry ``Last-Modified: Sat, 16 Nov 2041 19:11:00 GMT``
  (a file time in the future), and any feed request whose If-Modified-Since carries that date
  gets 304, whatever changed; other routes are unaffected.
- ``echo``: an error in the platform's own format (WeChat ``errmsg``, Weibo ``error``, Douyin
  ``description``; a 400 page for feeds) whose message repeats the request, query and form
  included, so whatever credential the client sent comes back, as some gateways and API errors
  do: the desk must keep it out of everything it stores, logs and shows.

Content kinds change what the platforms say rather than how they answer; they are
described with :class:`jb_watchdesk.simulator.world.ContentKind` (feeds: ``guid_repeat``,
``future_dates``, ``undated``, ``cn_dates``, ``bad_byte``; every platform: ``surrogate``,
``nonchar``; Weibo: ``long_text``; Douyin: ``video_status``). They hold per *account*, not
per request: ``%RATE`` picks that share of the target's accounts, the same ones for as long
as the entry is active (``undated%30`` undates items of about 30% of the feeds). The server
hands them to its world (:meth:`World.set_content`), so ``/_sim/truth`` follows them; a
kind that does not apply to an account's platform does nothing there. Clearing the spec
clears them: the platforms go back to plain content.

Example: ``5xx%5,html@rss-0003,drip@weibo-0002,latency=2000@wechat_mp-0001,429=30%10``,
``undated@rss,video_status%30,surrogate@weibo-0002``.

Whether an entry fires for a request is decided by a hash of (seed, entry position, the
entry's own count of matching requests), so the same run of requests always meets the same
faults. All ``latency`` entries that fire add up; of the other kinds, the first entry in
spec order that fires decides what happens to the request. Content entries take no part
in that decision (and their request counters stay at zero).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from jb_watchdesk.simulator.world import ContentKind, ContentSwitch, stable_hash, stable_unit


class FaultKind(StrEnum):
    LATENCY = "latency"  # wait PARAM ms before answering
    TIMEOUT = "timeout"  # accept and read the request, never answer
    RESET = "reset"  # send half a response, then reset the connection
    SERVER_ERROR = "5xx"  # 500, 502 or 503 with an nginx-style page
    TOO_MANY_REQUESTS = "429"  # 429 with Retry-After: PARAM
    MALFORMED = "malformed"  # the real body, truncated (broken JSON / XML)
    HTML = "html"  # a WAF / login page with status 200
    CHARSET = "charset"  # GB18030 bytes labelled UTF-8, or UTF-8 labelled GB18030
    DRIP = "drip"  # the body one byte every 0.5 s
    OVERSIZE = "oversize"  # a 20+ MB body, streamed
    ENTITY_BOMB = "entity_bomb"  # a small feed declaring nested internal entities
    EXPIRE = "expire"  # every access token of the target is expired
    QUOTA = "quota"  # the target's quota is used up
    SHIFT = "shift"  # an item arrives while the client pages: offset- and page-paged lists repeat one
    COMMENT_QUOTA = "comment_quota"  # WeChat comment/list answers 45009; other calls work
    COMMENT_ARGS = "comment_args"  # WeChat comment/list answers 40097 invalid args
    BROTLI = "br"  # the body brotli-compressed, with Content-Encoding: br
    GZIP_NOHEADER = "gzip_noheader"  # the body gzip-compressed, without a Content-Encoding header
    FUTURE_LASTMOD = "future_lastmod"  # feeds: Last-Modified in 2041; 304 when that date comes back
    ECHO = "echo"  # the platform's error format, its message repeating the request (query and form, secrets included)
    # Content kinds (see ContentKind): per account, reflected in /_sim/truth.
    GUID_REPEAT = "guid_repeat"  # feeds: several items share <guid>N/A</guid> and one link
    FUTURE_DATES = "future_dates"  # feeds: Beijing time labelled GMT (+8 h)
    UNDATED = "undated"  # feeds: items without pubDate
    CN_DATES = "cn_dates"  # feeds: 2024年5月1日 星期三 08:00, epoch seconds, epoch milliseconds
    BAD_BYTE = "bad_byte"  # feeds: one multi-byte character cut in one item
    SURROGATE = "surrogate"  # a lone surrogate (&#xD83D; / \ud83d) in post and comment text
    NONCHAR = "nonchar"  # U+FFFE in post and comment text
    LONG_TEXT = "long_text"  # Weibo: isLongText statuses, full text from statuses/show
    VIDEO_STATUS = "video_status"  # Douyin: video_status 1/5/2/4/6/7 mixed


#: faults the platform routes act out themselves (the server passes them on as ``forced``)
PLATFORM_FAULTS: Final = frozenset({FaultKind.SHIFT, FaultKind.COMMENT_QUOTA, FaultKind.COMMENT_ARGS})
#: faults that change content per account (the world acts them out and truth follows them)
CONTENT_FAULTS: Final = frozenset(FaultKind(kind.value) for kind in ContentKind)
DEFAULT_RETRY_AFTER_S: Final = 30
_TARGET: Final = r"@(?P<target{n}>[A-Za-z0-9_.\-]+)"
_RATE: Final = r"%(?P<rate{n}>[0-9]+(?:\.[0-9]+)?)"
# TARGET and RATE are accepted in either order: "5xx@rss%50" and "5xx%50@rss" mean the same.
_ENTRY: Final = re.compile(
    r"^(?P<kind>[A-Za-z0-9_]+)(?:=(?P<param>[0-9]+))?"
    rf"(?:(?:{_TARGET.format(n=1)})?(?:{_RATE.format(n=1)})?|{_RATE.format(n=2)}{_TARGET.format(n=2)})$"
)
_MAX_PARAM: Final = 3_600_000


@dataclass(frozen=True, slots=True)
class Fault:
    """One entry of a fault spec."""

    kind: FaultKind
    param: int | None = None
    target: str | None = None
    rate: float = 100.0

    @property
    def spec(self) -> str:
        """The entry written back in spec syntax."""
        text = self.kind.value
        if self.param is not None:
            text += f"={self.param}"
        if self.target is not None:
            text += f"@{self.target}"
        if self.rate != 100.0:
            text += f"%{self.rate:g}"
        return text

    def matches(self, targets: Collection[str]) -> bool:
        """Whether a request whose account/platform names are ``targets`` is affected."""
        return self.target is None or self.target in targets


@dataclass(frozen=True, slots=True)
class Decision:
    """What the plan decided for one request: extra delay and at most one fault."""

    latency_ms: int = 0
    fault: Fault | None = None
    draw: int = 0  # a per-decision number, so details (which 5xx) replay with the plan


def parse_spec(spec: str) -> tuple[Fault, ...]:
    """The entries of a spec string; ValueError naming the first bad entry."""
    faults: list[Fault] = []
    for raw in spec.split(","):
        entry = raw.strip()
        if not entry:
            continue
        faults.append(_parse_entry(entry))
    return tuple(faults)


def _parse_entry(entry: str) -> Fault:
    match = _ENTRY.match(entry)
    if match is None:
        raise ValueError(f"fault entry {entry!r} is not of the form KIND[=PARAM][@TARGET][%RATE]")
    try:
        kind = FaultKind(match["kind"].lower())
    except ValueError:
        choices = ", ".join(kind.value for kind in FaultKind)
        raise ValueError(f"fault entry {entry!r}: unknown kind {match['kind']!r} (choose from {choices})") from None
    param = int(match["param"]) if match["param"] is not None else None
    if param is not None and param > _MAX_PARAM:
        raise ValueError(f"fault entry {entry!r}: parameter {param} is larger than {_MAX_PARAM}")
    if kind is FaultKind.LATENCY and param is None:
        raise ValueError(f"fault entry {entry!r}: latency needs milliseconds, e.g. latency=2000")
    if kind is FaultKind.TOO_MANY_REQUESTS and param is None:
        param = DEFAULT_RETRY_AFTER_S
    if param is not None and kind not in (FaultKind.LATENCY, FaultKind.TOO_MANY_REQUESTS):
        raise ValueError(f"fault entry {entry!r}: {kind.value} takes no parameter")
    rate = 100.0
    rate_text = match["rate1"] or match["rate2"]
    if rate_text is not None:
        rate = float(rate_text)
        if not 0 < rate <= 100:
            raise ValueError(f"fault entry {entry!r}: rate must be a percentage above 0 and at most 100")
    return Fault(kind=kind, param=param, target=match["target1"] or match["target2"], rate=rate)


class FaultPlan:
    """The active faults and their per-entry request counters."""

    def __init__(self, faults: Iterable[Fault] = (), *, seed: int = 0) -> None:
        self.faults: tuple[Fault, ...] = tuple(faults)
        self.seed = seed
        self._seen = [0] * len(self.faults)
        self._fired = [0] * len(self.faults)
        self._lock = threading.Lock()

    @classmethod
    def parse(cls, spec: str, *, seed: int = 0) -> FaultPlan:
        """A plan from a spec string (see the module docstring); ValueError if it is bad."""
        return cls(parse_spec(spec), seed=seed)

    @property
    def spec(self) -> str:
        """The plan in spec syntax; empty when no fault is active."""
        return ",".join(fault.spec for fault in self.faults)

    def content(self) -> tuple[ContentSwitch, ...]:
        """The content entries, for :meth:`World.set_content`."""
        return tuple(
            ContentSwitch(ContentKind(fault.kind.value), fault.target, fault.rate)
            for fault in self.faults
            if fault.kind in CONTENT_FAULTS
        )

    def check_targets(self, known: Collection[str]) -> None:
        """ValueError when an entry targets neither a known account nor a platform."""
        for fault in self.faults:
            if fault.target is not None and fault.target not in known:
                raise ValueError(f"fault entry {fault.spec!r}: unknown target {fault.target!r}")

    def decide(self, targets: Collection[str]) -> Decision:
        """The faults for one request whose account key and platforms are ``targets``."""
        if not self.faults:
            return Decision()
        latency = 0
        chosen: Fault | None = None
        draw = 0
        with self._lock:
            for position, fault in enumerate(self.faults):
                if fault.kind in CONTENT_FAULTS or not fault.matches(targets):
                    continue
                count = self._seen[position]
                self._seen[position] = count + 1
                if fault.rate < 100.0 and stable_unit(self.seed, position, fault.spec, count) * 100.0 >= fault.rate:
                    continue
                self._fired[position] += 1
                if fault.kind is FaultKind.LATENCY:
                    latency += fault.param or 0
                elif chosen is None:
                    chosen = fault
                    draw = stable_hash(self.seed, position, count, "draw")
        return Decision(latency_ms=latency, fault=chosen, draw=draw)

    def stats(self) -> list[dict[str, object]]:
        """Per entry: how many requests it matched and how many it affected."""
        with self._lock:
            return [
                {"entry": fault.spec, "matched": seen, "fired": fired}
                for fault, seen, fired in zip(self.faults, self._seen, self._fired, strict=True)
            ]
