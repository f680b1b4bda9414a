"""The world's mutable state: issued tokens, quota counters and the generated-text cache.

Each is guarded by its own lock, because the server's requests and ``truth()`` may run in
different threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from jb_watchdesk.simulator.generators import _ALNUM, _token_chars
from jb_watchdesk.simulator.model import SimAccount, to_datetime


class _Lru:
    """A small thread-safe least-recently-used cache for generated text.

    Generating a post's words costs tens of microseconds; a poll cycle over a thousand
    accounts asks for tens of thousands of them, mostly the same ones as last cycle.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> object | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[object, ...], value: object) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


@dataclass(slots=True)
class _Token:
    account: int
    kind: str
    expires: int


class TokenBook:
    """Access and refresh tokens issued by the simulated platforms.

    Tokens are deterministic (seed, account, issue counter) so a run can be replayed.
    """

    def __init__(self, *, seed: int, ttl_s: int) -> None:
        self._seed = seed
        self.ttl_s = ttl_s
        self._tokens: dict[str, _Token] = {}
        self._current: dict[tuple[int, str], str] = {}
        self._counter = 0
        self._lock = threading.Lock()

    def issue(self, account: SimAccount, *, kind: str, now: int, reuse: bool = False) -> tuple[str, int]:
        """A token of ``kind`` for ``account`` and its remaining lifetime in seconds.

        With ``reuse`` a still-valid token is handed out again, as WeChat's stable_token
        does without ``force_refresh``.
        """
        with self._lock:
            current = self._current.get((account.index, kind))
            if reuse and current is not None:
                record = self._tokens[current]
                if record.expires > now:
                    return current, record.expires - now
            self._counter += 1
            token = self._make(account, kind)
            self._tokens[token] = _Token(account.index, kind, now + self.ttl_s)
            self._current[(account.index, kind)] = token
            return token, self.ttl_s

    def _make(self, account: SimAccount, kind: str) -> str:
        body = _token_chars(self._seed, account.key, kind, self._counter, length=64, alphabet=_ALNUM)
        if kind == "wechat":
            return f"81_{body}"
        if kind == "douyin":
            return f"act.{body}"
        if kind == "douyin_client":
            return f"clt.{body}"
        return body

    def check(self, token: str, *, kind: str, now: int) -> tuple[int | None, str]:
        """The account index a token belongs to and ``ok``, ``expired`` or ``unknown``."""
        with self._lock:
            record = self._tokens.get(token)
        if record is None or record.kind != kind:
            return None, "unknown"
        if record.expires <= now:
            return record.account, "expired"
        return record.account, "ok"


class QuotaBook:
    """API calls per account per Asia/Shanghai day, against a daily limit."""

    def __init__(self, *, per_day: int) -> None:
        self.per_day = per_day
        self._used: dict[tuple[int, str], int] = {}
        self._lock = threading.Lock()

    def spend(self, account: SimAccount, *, now: int) -> bool:
        """Count one call; ``False`` once the day's quota is used up."""
        day = to_datetime(now).date().isoformat()
        with self._lock:
            used = self._used.get((account.index, day), 0)
            if used >= self.per_day:
                return False
            self._used[(account.index, day)] = used + 1
            return True
