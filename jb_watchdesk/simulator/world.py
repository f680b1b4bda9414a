"""The simulated district: accounts, their posts and comments, credentials, tokens and quotas.

Content is a pure function of (seed, account, anchor, time). Each account posts once per
*slot*: its week is cut into ``posts_per_week`` equal slots, anchored at a fixed epoch with a
per-account phase, and the post falls at a hashed offset inside the slot. That makes any
7-day window hold at least ``posts_per_week - 1`` posts (so a ``regular`` account never
drifts into a warning by chance), lets new posts keep appearing as real time passes, and
lets any instant be evaluated without replaying history.

``anchor`` (default: 00:00 Asia/Shanghai of the day the world is built) fixes the things
that are "N days ago": where history starts and when silent accounts stopped posting.
Building the world again on the same day with the same seed gives the same content.

Behaviour assignment (by the account's global index ``i``, 0-based)::

    served platform = ("wechat_mp", "weibo", "douyin", "rss")[i % 4]
    behaviour       = BEHAVIOUR_PATTERN[i % 9]
    feed platform   = ("kuaishou", "toutiao", "weishi", "shangyou", "website", "rss")[(i // 4) % 6]

4 and 9 are coprime, so every platform gets every behaviour once in each run of 36
accounts; with ``N`` accounts each non-regular behaviour occurs at ``N // 9`` or more
accounts (12+ from 108 accounts) and ``regular`` at three times that. Feed accounts cannot
show comments, so a feed account with ``comments_unanswered`` simply posts regularly.

The mutable part (issued tokens, quota counters) lives in :class:`TokenBook` and
:class:`QuotaBook`, owned by the world and guarded by a lock because ``truth()`` may be
read from another thread while the server runs.
"""

from __future__ import annotations

import base64
import hashlib
import random
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from jb_watchdesk.domain import rules
from jb_watchdesk.simulator import content

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
WEEK_S: Final = 7 * 86_400
# Monday 2020-01-06 00:00 Asia/Shanghai: slots are counted from here so they never move.
_EPOCH: Final = 1_578_240_000
HISTORY_DAYS: Final = 60
DEFAULT_TOKEN_TTL_S: Final = 7_200
DEFAULT_QUOTA_PER_DAY: Final = 100_000
# Douyin refresh tokens live 30 days on the real platform.
REFRESH_TOKEN_TTL_S: Final = 30 * 86_400
MAX_ACCOUNTS: Final = 9_999
TEXT_CACHE_ENTRIES: Final = 100_000

SERVED_PLATFORMS: Final = ("wechat_mp", "weibo", "douyin", "rss")
FEED_PLATFORMS: Final = ("kuaishou", "toutiao", "weishi", "shangyou", "website", "rss")
COMMENT_PLATFORMS: Final = frozenset({"wechat_mp", "weibo", "douyin"})

_FEED_LINKS: Final[dict[str, str]] = {
    "kuaishou": "https://www.kuaishou.com/short-video/3x{h}",
    "toutiao": "https://www.toutiao.com/article/7{n}/",
    "weishi": "https://h5.weishi.qq.com/weishi/feed/{h}",
    "shangyou": "https://www.cqcb.com/shangyou/{n}.html",
    "website": "https://www.jbq.example.gov.cn/zwdt/{n}.html",
    "rss": "https://news.jbq.example.gov.cn/{n}.html",
}


class Behaviour(StrEnum):
    """What an account does, which the desk should notice."""

    REGULAR = "regular"  # 4-10 posts a week
    SPARSE = "sparse"  # 1-2 posts a week: freshness warning
    SILENT_8D = "silent_8d"  # last post 8-13 days ago: warning
    SILENT_20D = "silent_20d"  # last post 15-30 days ago: veto
    CLOSED_POSTING = "closed_posting"  # register says closed / to_close, but it still posts
    SENSITIVE = "sensitive"  # some posts carry personal data or forbidden phrases
    COMMENTS_UNANSWERED = "comments_unanswered"  # many public comments never answered


BEHAVIOUR_PATTERN: Final[tuple[Behaviour, ...]] = (
    Behaviour.REGULAR,
    Behaviour.SPARSE,
    Behaviour.REGULAR,
    Behaviour.SILENT_8D,
    Behaviour.SILENT_20D,
    Behaviour.REGULAR,
    Behaviour.CLOSED_POSTING,
    Behaviour.SENSITIVE,
    Behaviour.COMMENTS_UNANSWERED,
)


def stable_hash(*parts: object) -> int:
    """A 64-bit hash of ``parts`` that is the same in every process (unlike ``hash()``)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def stable_unit(*parts: object) -> float:
    """A deterministic number in [0, 1) derived from ``parts``."""
    return stable_hash(*parts) / 2.0**64


def _token_chars(*parts: object, length: int, alphabet: str) -> str:
    digest = hashlib.shake_256("\x1f".join(map(str, parts)).encode("utf-8")).digest(length)
    return "".join(alphabet[byte % len(alphabet)] for byte in digest)


_HEX: Final = "0123456789abcdef"
_ALNUM: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _b64(*parts: object, nbytes: int) -> str:
    return base64.b64encode(hashlib.shake_256("\x1f".join(map(str, parts)).encode()).digest(nbytes)).decode()


def _urlsafe(*parts: object, nbytes: int) -> str:
    return base64.urlsafe_b64encode(hashlib.shake_256("\x1f".join(map(str, parts)).encode()).digest(nbytes)).decode()


@dataclass(frozen=True, slots=True, eq=False)
class SimAccount:
    """One simulated account, as the register lists it and as the platform serves it."""

    index: int
    key: str
    name: str
    platform: str  # the register's platform code
    served: str  # how it is served: wechat_mp, weibo, douyin or rss
    unit: str
    brand: str
    status: str
    owner: str
    behaviour: Behaviour
    posts_per_week: int
    phase_s: int
    silent_since: int | None  # epoch seconds; no post at or after this instant
    gb18030: bool
    omit_guid: bool
    pinned_oldest: bool
    string_error_codes: bool
    credentials: Mapping[str, str] = field(repr=False)

    @property
    def slot_s(self) -> int:
        """The length of one posting slot in seconds."""
        return WEEK_S // self.posts_per_week

    @property
    def source_id(self) -> str:
        """The platform id the register's ``source`` column carries for API platforms."""
        if self.served == "wechat_mp":
            return self.credentials["appid"]
        if self.served == "weibo":
            return self.credentials["uid"]
        if self.served == "douyin":
            return self.credentials["open_id"]
        return ""


@dataclass(frozen=True, slots=True)
class SimPost:
    """One published message. Times are epoch seconds; text is generated on demand."""

    account: int
    slot: int
    published: int
    post_id: str
    articles: int
    sensitive: tuple[str, ...]
    edited_at: int | None
    deleted_at: int | None
    pinned: bool = False

    def deleted(self, now: int) -> bool:
        """Whether the post has been removed as of ``now``."""
        return self.deleted_at is not None and self.deleted_at <= now

    def edited(self, now: int) -> bool:
        """Whether the post has been edited as of ``now``."""
        return self.edited_at is not None and self.edited_at <= now

    def updated(self, now: int) -> int:
        """The last change visible at ``now``: publication, edit or deletion."""
        latest = self.published
        for moment in (self.edited_at, self.deleted_at):
            if moment is not None and moment <= now:
                latest = max(latest, moment)
        return latest


@dataclass(frozen=True, slots=True)
class PostText:
    """The generated words of a post: headline, body sentences and further article titles."""

    title: str
    sentences: tuple[str, ...]
    extra_titles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SimComment:
    """A public comment on a post and, perhaps, the account's answer."""

    comment_id: str
    number: int  # 1-based position under the post, WeChat's user_comment_id
    post_id: str
    author_id: str
    author_name: str
    text: str
    created: int
    elected: bool
    reply_id: str | None
    reply_text: str | None
    replied: int | None

    def replied_by(self, now: int) -> bool:
        """Whether the answer exists as of ``now``."""
        return self.replied is not None and self.replied <= now


def _default_clock() -> datetime:
    return datetime.now(UTC)


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the simulator's clock must return timezone-aware datetimes")
    return int(moment.timestamp())


def to_datetime(epoch: int) -> datetime:
    """Epoch seconds as an aware Asia/Shanghai datetime."""
    return datetime.fromtimestamp(epoch, SHANGHAI)


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


class World:
    """``accounts`` deterministic accounts across WeChat, Weibo, Douyin and feeds.

    ``clock`` returns the current aware datetime (real time by default) and is read for
    every request, so posts keep appearing as it advances. ``anchor`` fixes the history
    start and silent accounts' last posts (default: today 00:00 Asia/Shanghai by ``clock``).
    """

    def __init__(
        self,
        seed: int = 1,
        accounts: int = 240,
        *,
        clock: Callable[[], datetime] = _default_clock,
        anchor: datetime | None = None,
        token_ttl_s: int = DEFAULT_TOKEN_TTL_S,
        quota_per_day: int = DEFAULT_QUOTA_PER_DAY,
    ) -> None:
        if not 1 <= accounts <= MAX_ACCOUNTS:
            raise ValueError(f"accounts must be between 1 and {MAX_ACCOUNTS}, not {accounts}")
        if token_ttl_s <= 0 or quota_per_day <= 0:
            raise ValueError("token_ttl_s and quota_per_day must be positive")
        self.seed = seed
        self.clock = clock
        if anchor is None:
            local = clock().astimezone(SHANGHAI)
            anchor = datetime.combine(local.date(), time(0), tzinfo=SHANGHAI)
        self.anchor = _epoch(anchor)
        self.history_start = self.anchor - HISTORY_DAYS * 86_400
        self.tokens = TokenBook(seed=seed, ttl_s=token_ttl_s)
        self.quotas = QuotaBook(per_day=quota_per_day)
        self.accounts: tuple[SimAccount, ...] = self._build_accounts(accounts)
        self.by_key: dict[str, SimAccount] = {a.key: a for a in self.accounts}
        self._by_source: dict[tuple[str, str], SimAccount] = {}
        for account in self.accounts:
            if account.source_id:
                self._by_source[(account.served, account.source_id)] = account
            if account.served == "douyin":
                self._by_source[("douyin_client_key", account.credentials["client_key"])] = account
                self._by_source[("douyin_refresh", account.credentials["refresh_token"])] = account
        self._schedule: dict[int, tuple[int, tuple[SimPost, ...]]] = {}
        self._schedule_lock = threading.Lock()
        self._texts = _Lru(TEXT_CACHE_ENTRIES)

    # ----------------------------------------------------------------- accounts

    def _build_accounts(self, count: int) -> tuple[SimAccount, ...]:
        rng = random.Random(stable_hash(self.seed, "names"))
        names: dict[str, list[tuple[int, int]]] = {}
        for served, suffixes in content.NAME_SUFFIXES.items():
            combos = [(u, s) for u in range(len(content.UNITS)) for s in range(len(suffixes))]
            rng.shuffle(combos)
            names[served] = combos
        numbers = dict.fromkeys(SERVED_PLATFORMS, 0)
        used_names: dict[str, set[str]] = {p: set() for p in SERVED_PLATFORMS}
        built: list[SimAccount] = []
        for index in range(count):
            served = SERVED_PLATFORMS[index % 4]
            numbers[served] += 1
            number = numbers[served]
            key = f"{served}-{number:04d}"
            combos = names[served]
            unit_index, suffix_index = combos[(number - 1) % len(combos)]
            unit, brand = content.UNITS[unit_index]
            name = brand + content.NAME_SUFFIXES[served][suffix_index]
            if name in used_names[served]:
                name = f"{name}{(number - 1) // len(combos) + 1}"
            used_names[served].add(name)
            behaviour = BEHAVIOUR_PATTERN[index % len(BEHAVIOUR_PATTERN)]
            built.append(self._account(index, key, number, served, name, unit, brand, behaviour))
        return tuple(built)

    def _account(
        self,
        index: int,
        key: str,
        number: int,
        served: str,
        name: str,
        unit: str,
        brand: str,
        behaviour: Behaviour,
    ) -> SimAccount:
        seed = self.seed
        h = stable_hash(seed, key, "account")
        if behaviour is Behaviour.SPARSE:
            per_week = 1 + h % 2
        elif behaviour in (Behaviour.SILENT_8D, Behaviour.SILENT_20D):
            per_week = 4 + h % 5
        else:
            per_week = 4 + h % 7
        # The last post falls within one slot (at most 1.75 days) before the cut-off, so
        # the cut-off ranges are narrower than the silences they produce: 8-13 days and
        # 15-30 days of silence throughout the anchor day.
        silent_since: int | None = None
        fraction = stable_unit(seed, key, "silence")
        if behaviour is Behaviour.SILENT_8D:
            silent_since = self.anchor - int((8.0 + 3.2 * fraction) * 86_400)
        elif behaviour is Behaviour.SILENT_20D:
            silent_since = self.anchor - int((15.0 + 12.0 * fraction) * 86_400)
        status = "active"
        if behaviour is Behaviour.CLOSED_POSTING:
            status = "closed" if number % 2 else "to_close"
        platform = FEED_PLATFORMS[(index // 4) % len(FEED_PLATFORMS)] if served == "rss" else served
        owner = content.person_name(random.Random(stable_hash(seed, key, "owner")))
        return SimAccount(
            index=index,
            key=key,
            name=name,
            platform=platform,
            served=served,
            unit=unit,
            brand=brand,
            status=status,
            owner=owner,
            behaviour=behaviour,
            posts_per_week=per_week,
            phase_s=(h >> 24) % (WEEK_S // per_week),
            silent_since=silent_since,
            gb18030=served == "rss" and number % 7 == 3,
            omit_guid=served == "rss" and number % 5 == 2,
            pinned_oldest=served == "douyin" and number % 6 == 1,
            string_error_codes=number % 2 == 1,
            credentials=self._credentials(index, key, served),
        )

    def _credentials(self, index: int, key: str, served: str) -> dict[str, str]:
        seed = self.seed
        if served == "wechat_mp":
            return {
                "appid": "wx" + _token_chars(seed, key, "appid", length=16, alphabet=_HEX),
                "app_secret": _token_chars(seed, key, "secret", length=32, alphabet=_HEX),
            }
        if served == "weibo":
            # Disjoint ranges per index keep uids unique without a collision check.
            uid = 5_000_000_000 + index * 1_000_003 + stable_hash(seed, key, "uid") % 1_000_000
            return {
                "uid": str(uid),
                "access_token": "2.00" + _token_chars(seed, key, "weibo-token", length=28, alphabet=_ALNUM),
            }
        if served == "douyin":
            raw = _token_chars(seed, key, "open_id", length=32, alphabet=_HEX)
            open_id = f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:32]}"
            return {
                "open_id": open_id,
                "client_key": "aw" + _token_chars(seed, key, "client_key", length=14, alphabet=_HEX[:10] + "abcdefghijklmnopqrstuvwxyz"),
                "client_secret": _token_chars(seed, key, "client_secret", length=32, alphabet=_HEX),
                "refresh_token": "rft." + _token_chars(seed, key, "refresh", length=40, alphabet=_ALNUM),
            }
        return {}

    def account(self, key: str) -> SimAccount:
        """The account with this key (``wechat_mp-0001``); KeyError if there is none."""
        return self.by_key[key]

    def find(self, kind: str, *, value: str) -> SimAccount | None:
        """The account whose ``kind`` id is ``value``.

        ``kind`` is ``wechat_mp`` (AppID), ``weibo`` (uid), ``douyin`` (open_id),
        ``douyin_client_key`` or ``douyin_refresh`` (the refresh token it was given).
        """
        return self._by_source.get((kind, value))

    def credentials(self, key: str) -> dict[str, str]:
        """The account's platform ids and secrets, as an officer would store them.

        WeChat: ``appid``, ``app_secret``; Weibo: ``uid``, ``access_token``; Douyin:
        ``open_id``, ``client_key``, ``client_secret``, ``refresh_token``; feeds: none.
        """
        return dict(self.by_key[key].credentials)

    def now(self) -> int:
        """The clock's current instant in epoch seconds."""
        return _epoch(self.clock())

    # -------------------------------------------------------------- register

    def register_rows(self, base_url: str) -> list[dict[str, str]]:
        """The account register, with API accounts and feeds pointing at ``base_url``."""
        base = base_url.rstrip("/")
        rows: list[dict[str, str]] = []
        for account in self.accounts:
            if account.served == "rss":
                source, api_base = f"{base}/rss/{account.key}", ""
            else:
                source, api_base = account.source_id, base
            rows.append(
                {
                    "name": account.name,
                    "platform": account.platform,
                    "unit": account.unit,
                    "status": account.status,
                    "source": source,
                    "api_base": api_base,
                    "owner": account.owner,
                    "note": f"sim:{account.key}",
                }
            )
        return rows

    # ----------------------------------------------------------------- posts

    def posts(self, account: SimAccount, *, now: int) -> tuple[SimPost, ...]:
        """Every post published up to ``now`` since history start, oldest first.

        Deleted posts are included (check :meth:`SimPost.deleted`); the platform views
        decide whether to list them.
        """
        slot_s = account.slot_s
        last_slot = (now - _EPOCH - account.phase_s) // slot_s
        with self._schedule_lock:
            cached = self._schedule.get(account.index)
        if cached is None or cached[0] < last_slot:
            first_slot = (self.history_start - _EPOCH - account.phase_s) // slot_s
            start = first_slot if cached is None else cached[0] + 1
            extra = tuple(
                post for slot in range(start, last_slot + 1) if (post := self._post(account, slot)) is not None
            )
            built = (cached[1] if cached is not None else ()) + extra
            cached = (last_slot, built)
            with self._schedule_lock:
                self._schedule[account.index] = cached
        posts = cached[1]
        if posts and posts[-1].published > now:
            return tuple(post for post in posts if post.published <= now)
        return posts

    def _post(self, account: SimAccount, slot: int) -> SimPost | None:
        slot_s = account.slot_s
        start = _EPOCH + account.phase_s + slot * slot_s
        if account.behaviour is Behaviour.SPARSE:
            # The same offset in every slot keeps exactly 1-2 posts in any 7-day window.
            fraction = 0.15 + 0.7 * stable_unit(self.seed, account.key, "offset")
        else:
            fraction = 0.15 + 0.7 * stable_unit(self.seed, account.key, slot, "offset")
        published = start + int(slot_s * fraction)
        if published < self.history_start:
            return None
        if account.silent_since is not None and published >= account.silent_since:
            return None
        h = stable_hash(self.seed, account.key, slot, "post")
        articles = 1
        if account.served == "wechat_mp" and account.behaviour is Behaviour.REGULAR and h % 5 == 0:
            articles = 2 + (h >> 4) % 2
        sensitive: tuple[str, ...] = ()
        if account.behaviour is Behaviour.SENSITIVE and (h >> 8) % 5 < 2:
            kinds = content.SENSITIVE_KINDS
            first = kinds[(h >> 12) % len(kinds)]
            second = kinds[(h >> 20) % len(kinds)]
            sensitive = (first,) if (h >> 28) % 2 or first == second else (first, second)
        edited_at = published + 2 * 3_600 if (slot + h) % 25 == 0 else None
        # At most one deletion per 20 slots, and only where 6+ posts a week leave room,
        # so a deletion never pushes a regular account under three posts in a week.
        deletable = account.posts_per_week >= 6 and account.behaviour is not Behaviour.SPARSE
        deleted_at = published + 3 * 3_600 if deletable and slot % 20 == h % 20 and (h >> 32) % 2 else None
        return SimPost(
            account=account.index,
            slot=slot,
            published=published,
            post_id=self._post_id(account, slot, published),
            articles=articles,
            sensitive=sensitive,
            edited_at=edited_at,
            deleted_at=deleted_at,
        )

    def _post_id(self, account: SimAccount, slot: int, published: int) -> str:
        if account.served == "wechat_mp":
            return _urlsafe(self.seed, account.key, slot, "article", nbytes=24)
        if account.served == "weibo":
            # Above 2**53 and increasing with time, as Weibo's ids are.
            return str(4_900_000_000_000_000_000 + published * 1_000_000 + account.index * 100 + slot % 100)
        if account.served == "douyin":
            return "@9VxS1/qCUc80K2etd8wkU" + _b64(self.seed, account.key, slot, "item", nbytes=49)
        return f"jb-sim-{account.key}-{slot}"

    def listed_posts(self, account: SimAccount, *, now: int) -> list[SimPost]:
        """What the platform lists, newest first.

        WeChat and Weibo keep deleted posts in the list with a deletion flag; Douyin
        and feeds drop them. A Douyin account that pins its oldest video lists it first.
        """
        posts = self.posts(account, now=now)
        keep_deleted = account.served in ("wechat_mp", "weibo")
        listed = [post for post in reversed(posts) if keep_deleted or not post.deleted(now)]
        if account.pinned_oldest and listed:
            oldest = listed.pop()
            listed.insert(0, _pinned(oldest))
        return listed

    def find_post(self, account: SimAccount, *, post_id: str, now: int) -> SimPost | None:
        """The visible post with this platform id, or ``None``."""
        for post in self.posts(account, now=now):
            if post.post_id == post_id:
                return post
        return None

    def post_text(self, post: SimPost, *, now: int) -> PostText:
        """The post's words as of ``now`` (an edit adds an editor's note)."""
        account = self.accounts[post.account]
        key = ("text", account.index, post.slot, post.edited(now))
        cached = self._texts.get(key)
        if cached is None:
            cached = self._post_text(account, post, now)
            self._texts.put(key, cached)
        assert isinstance(cached, PostText)
        return cached

    def _post_text(self, account: SimAccount, post: SimPost, now: int) -> PostText:
        rng = random.Random(stable_hash(self.seed, account.key, post.slot, "text"))
        title = content.post_title(rng, brand=account.brand)
        sentences = content.post_sentences(rng, unit=account.unit, count=rng.randint(2, 4))
        for kind in post.sensitive:
            sentences.insert(rng.randint(0, len(sentences)), content.sensitive_sentence(kind, rng=rng))
        if post.edited(now) and post.edited_at is not None:
            stamp = to_datetime(post.edited_at).strftime("%m月%d日%H:%M")
            sentences.append(f"（编者注：本文已于{stamp}更新相关信息。）")
        extra = tuple(content.post_title(rng, brand=account.brand) for _ in range(post.articles - 1))
        return PostText(title=title, sentences=tuple(sentences), extra_titles=extra)

    # -------------------------------------------------------------- comments

    def comments(self, post: SimPost, *, now: int) -> list[SimComment]:
        """Public comments on ``post`` created up to ``now``, oldest first.

        Feeds carry no comments. Accounts answer every comment 8-55 minutes after it
        arrives, except ``comments_unanswered`` accounts, which answer about 40% of them
        hours late and leave the rest unanswered for good. Replies appear only once their
        time has come.
        """
        account = self.accounts[post.account]
        if account.served not in COMMENT_PLATFORMS or post.deleted(now):
            return []
        key = ("comments", account.index, post.slot)
        cached = self._texts.get(key)
        if cached is None:
            cached = tuple(self._all_comments(account, post))
            self._texts.put(key, cached)
        assert isinstance(cached, tuple)
        return [comment for comment in cached if comment.created <= now]

    def _all_comments(self, account: SimAccount, post: SimPost) -> list[SimComment]:
        rng = random.Random(stable_hash(self.seed, account.key, post.slot, "comments"))
        roll = rng.random()
        count = 0 if roll < 0.3 else 1 if roll < 0.6 else 2 if roll < 0.8 else 3 if roll < 0.93 else 4
        found: list[SimComment] = []
        created = post.published
        for number in range(1, count + 1):
            created += rng.randint(300, 6 * 3_600)
            text = content.comment_text(rng)
            replied: int | None
            if account.behaviour is Behaviour.COMMENTS_UNANSWERED:
                replied = created + rng.randint(2 * 3_600, 30 * 3_600) if rng.random() < 0.4 else None
            else:
                replied = created + rng.randint(8 * 60, 55 * 60)
            answer = content.reply_text(rng, unit=account.unit) if replied is not None else None
            author = content.netizen_name(rng)
            elected = rng.random() < 0.5
            found.append(
                SimComment(
                    comment_id=self._comment_id(account, post, number, created, reply=False),
                    number=number,
                    post_id=post.post_id,
                    author_id=self._author_id(account, author),
                    author_name=author,
                    text=text,
                    created=created,
                    elected=elected,
                    reply_id=self._comment_id(account, post, number, replied, reply=True) if replied else None,
                    reply_text=answer,
                    replied=replied,
                )
            )
        return found

    def _comment_id(self, account: SimAccount, post: SimPost, number: int, created: int, *, reply: bool) -> str:
        if account.served == "weibo":
            # Comment times under one post are strictly increasing, so (time, account,
            # post slot, reply bit) is unique; the id also grows with time, as Weibo's do.
            return str(
                4_600_000_000_000_000_000
                + created * 1_000_000
                + account.index * 100
                + (post.slot % 50) * 2
                + int(reply)
            )
        if account.served == "douyin":
            return "@9VxS1/qCUc80K2etd8wkU8" + _b64(self.seed, account.key, post.slot, number, reply, nbytes=46)
        return str(number)

    def _author_id(self, account: SimAccount, author: str) -> str:
        if account.served == "weibo":
            return str(7_000_000_000 + stable_hash(self.seed, author) % 1_000_000_000)
        if account.served == "douyin":
            return "@9VxS1/qCUc80K2etd8wkU8z9" + _b64(self.seed, author, "user", nbytes=40)
        return "o" + _urlsafe(self.seed, account.key, author, "openid", nbytes=20)[:27]

    # ----------------------------------------------------------------- truth

    def truth(self, now: datetime | None = None, *, comment_window_days: int = 30) -> list[dict[str, object]]:
        """Per account, what the desk should conclude as of ``now`` (default: the clock).

        Post counts follow the parsers: one post per WeChat article, deleted posts
        excluded. Comment counts cover posts published within ``comment_window_days``.
        ``unanswered_comments``, ``overdue_ack`` and ``overdue_result`` count what the
        platform lets a reader see: Douyin's comment list does not say whether the
        account answered, so there every comment counts as unanswered
        (``reply_state_visible`` is false and ``unanswered_comments_actual`` has the truth).
        """
        at = self.now() if now is None else _epoch(now)
        moment = to_datetime(at)
        rows: list[dict[str, object]] = []
        window_start = at - comment_window_days * 86_400
        for account in self.accounts:
            posts = [post for post in self.posts(account, now=at) if not post.deleted(at)]
            times = [to_datetime(post.published) for post in posts for _ in range(post.articles)]
            report = rules.freshness(times, now=moment, observed_since=None)
            visible_reply = account.served in ("wechat_mp", "weibo")
            total = unanswered = actual = overdue_ack = overdue_result = sensitive = 0
            for post in posts:
                if post.published < window_start:
                    continue
                if post.sensitive:
                    sensitive += 1
                for comment in self.comments(post, now=at):
                    total += 1
                    answered = comment.replied_by(at)
                    actual += not answered
                    if answered and visible_reply:
                        continue
                    unanswered += 1
                    if _result_overdue(comment.created, at):
                        overdue_result += 1
                    elif at - comment.created > rules.ACK_WITHIN.total_seconds():
                        overdue_ack += 1
            rows.append(
                {
                    "key": account.key,
                    "name": account.name,
                    "platform": account.platform,
                    "served_as": account.served,
                    "unit": account.unit,
                    "status": account.status,
                    "behaviour": account.behaviour.value,
                    "posts_per_week": account.posts_per_week,
                    "posts_7d": report.posts_7d,
                    "posts_this_week": report.posts_this_week,
                    "last_post_at": report.last_post_at.isoformat() if report.last_post_at else None,
                    "days_silent": report.days_silent,
                    "freshness": report.state.value,
                    "freshness_reasons": list(report.reasons),
                    "sensitive_posts": sensitive,
                    "comments": total,
                    "unanswered_comments": unanswered,
                    "unanswered_comments_actual": actual,
                    "overdue_ack": overdue_ack,
                    "overdue_result": overdue_result,
                    "reply_state_visible": visible_reply,
                }
            )
        return rows


def _result_overdue(created: int, now: int) -> bool:
    """Whether the 5-working-day result deadline of a comment has passed.

    Five working days are never less than 5 calendar days nor, even across the longest
    holiday, more than 20; the calendar is consulted only in between, which keeps
    ``truth()`` fast for a thousand accounts.
    """
    age = now - created
    if age <= 5 * 86_400:
        return False
    if age > 20 * 86_400:
        return True
    return to_datetime(now) > rules.result_deadline(to_datetime(created)).at


def _pinned(post: SimPost) -> SimPost:
    return SimPost(
        account=post.account,
        slot=post.slot,
        published=post.published,
        post_id=post.post_id,
        articles=post.articles,
        sensitive=post.sensitive,
        edited_at=post.edited_at,
        deleted_at=post.deleted_at,
        pinned=True,
    )


def feed_link(post: SimPost, *, account: SimAccount) -> str:
    """The public address of a feed item on its platform (never fetched)."""
    template = _FEED_LINKS.get(account.platform, _FEED_LINKS["rss"])
    return template.format(h=_token_chars(account.key, post.slot, length=12, alphabet=_HEX), n=post.published)

