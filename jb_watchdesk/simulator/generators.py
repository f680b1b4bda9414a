"""The generators: everything the world derives from its seed, deterministically.

:func:`stable_hash` and :func:`stable_unit` (the same in every process) and the id
alphabets underlie it all. :class:`WorldGenerator` builds the accounts with their names,
schedules and credentials, each slot's post with its platform id, a post's words and the
comments under it with their ids; :func:`feed_link` gives a feed item's public address.
Nothing here keeps state: the world caches what it asks for.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from typing import Final

from jb_watchdesk.simulator import content
from jb_watchdesk.simulator.model import (
    _EPOCH,
    BEHAVIOUR_PATTERN,
    FEED_PLATFORMS,
    SERVED_PLATFORMS,
    WEEK_S,
    Behaviour,
    PostText,
    SimAccount,
    SimComment,
    SimPost,
    to_datetime,
)

_FEED_LINKS: Final[dict[str, str]] = {
    "kuaishou": "https://www.kuaishou.com/short-video/3x{h}",
    "toutiao": "https://www.toutiao.com/article/7{n}/",
    "weishi": "https://h5.weishi.qq.com/weishi/feed/{h}",
    "shangyou": "https://www.cqcb.com/shangyou/{n}.html",
    "website": "https://www.jbq.example.gov.cn/zwdt/{n}.html",
    "rss": "https://news.jbq.example.gov.cn/{n}.html",
}


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


@dataclass(frozen=True, slots=True)
class WorldGenerator:
    """Accounts, posts, words and comments of the world with this ``seed``.

    ``anchor`` (epoch seconds) fixes when silent accounts stopped posting; no post is
    older than ``history_start``.
    """

    seed: int
    anchor: int
    history_start: int
    secret_length: int | None = None
    """Every secret this many characters long (prefix included), e.g. 8 for leak tests; None: as the
    platforms issue them (32-character AppSecrets and client secrets, 32-character Weibo tokens)."""

    # ----------------------------------------------------------------- accounts

    def accounts(self, count: int) -> tuple[SimAccount, ...]:
        """``count`` accounts, served platforms in turn, behaviours by :data:`BEHAVIOUR_PATTERN`."""
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

    def _secret(self, key: str, name: str, *, length: int, alphabet: str, prefix: str = "") -> str:
        if self.secret_length is not None:
            length = max(1, self.secret_length - len(prefix))
            alphabet = _ALNUM  # short secrets from the wider alphabet stay unique and rarely met by chance
        return prefix + _token_chars(self.seed, key, name, length=length, alphabet=alphabet)

    def _credentials(self, index: int, key: str, served: str) -> dict[str, str]:
        seed = self.seed
        if served == "wechat_mp":
            return {
                "appid": "wx" + _token_chars(seed, key, "appid", length=16, alphabet=_HEX),
                "app_secret": self._secret(key, "secret", length=32, alphabet=_HEX),
            }
        if served == "weibo":
            # Disjoint ranges per index keep uids unique without a collision check.
            uid = 5_000_000_000 + index * 1_000_003 + stable_hash(seed, key, "uid") % 1_000_000
            return {
                "uid": str(uid),
                "access_token": self._secret(key, "weibo-token", length=28, alphabet=_ALNUM, prefix="2.00"),
            }
        if served == "douyin":
            raw = _token_chars(seed, key, "open_id", length=32, alphabet=_HEX)
            open_id = f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:32]}"
            return {
                "open_id": open_id,
                "client_key": "aw" + _token_chars(seed, key, "client_key", length=14, alphabet=_HEX[:10] + "abcdefghijklmnopqrstuvwxyz"),
                "client_secret": self._secret(key, "client_secret", length=32, alphabet=_HEX),
                "refresh_token": self._secret(key, "refresh", length=40, alphabet=_ALNUM, prefix="rft."),
            }
        return {}

    # ----------------------------------------------------------------- posts

    def post(self, account: SimAccount, slot: int) -> SimPost | None:
        """The account's post in posting slot ``slot``, or ``None`` (before history, or silent)."""
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

    def injected_post(
        self, account: SimAccount, *, slot: int, published: int, sensitive: tuple[str, ...], words: tuple[str, str] | None = None
    ) -> SimPost:
        """A post added on request (``POST /_sim/inject``) outside the account's schedule; ``words``
        (title, body) are published as given, and the body is also its first comment."""
        return SimPost(
            account=account.index,
            slot=slot,
            published=published,
            post_id=self._post_id(account, slot, published),
            articles=1,
            sensitive=sensitive,
            edited_at=None,
            deleted_at=None,
            words=words,
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

    def post_text(self, account: SimAccount, post: SimPost, now: int) -> PostText:
        """The post's words as of ``now`` (an edit adds an editor's note)."""
        if post.words is not None:
            return PostText(title=post.words[0], sentences=(post.words[1],), extra_titles=())
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

    def comments(self, account: SimAccount, post: SimPost) -> list[SimComment]:
        """Every comment the post will ever get, oldest first, with the account's answers."""
        rng = random.Random(stable_hash(self.seed, account.key, post.slot, "comments"))
        roll = rng.random()
        count = 0 if roll < 0.3 else 1 if roll < 0.6 else 2 if roll < 0.8 else 3 if roll < 0.93 else 4
        if post.words is not None:
            count = max(count, 1)
        found: list[SimComment] = []
        created = post.published
        for number in range(1, count + 1):
            created += rng.randint(300, 6 * 3_600)
            text = post.words[1] if post.words is not None and number == 1 else content.comment_text(rng)
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

