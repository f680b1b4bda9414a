"""The content menu: the real-world shapes each platform's content can take, switched per account.

:class:`ContentKind` names the switches (odd feed dates, repeated guids, hostile characters,
long Weibo posts, Douyin video statuses), :class:`ContentMenu` says which are on for which
account, and :class:`ContentShapes`, part of :class:`jb_watchdesk.simulator.world.World`,
turns them into what a post or comment looks like on the wire: a feed item's guid and date,
a video's status, a Weibo post's length, the characters added to a text.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from jb_watchdesk.simulator.generators import stable_unit
from jb_watchdesk.simulator.model import BEIJING_OFFSET_S, SimAccount, SimComment, SimPost, to_datetime

#: Douyin ``video_status`` values that show a video to the public (1 before the 2024-11 split, 5 after).
PUBLIC_VIDEO_STATUSES: Final = frozenset({1, 5})
#: Statuses under which nobody but the author sees a video, so nobody can comment on it:
#: 2 not fit for the public, 4 under review, 7 private (6, friends only, keeps its comments).
UNSEEN_VIDEO_STATUSES: Final = frozenset({2, 4, 7})
# The ``video_status`` cycle of an account under the video_status switch, by slot: every
# status appears in any 8 consecutive videos, public ones in 3 of them.
_VIDEO_STATUS_CYCLE: Final = (5, 2, 1, 4, 6, 5, 7, 6)


class ContentKind(StrEnum):
    """Content switches: what real platforms and CMSs send that a careful reader must survive.

    Feeds (RSS 2.0 items, https://www.rssboard.org/rss-specification):

    - ``guid_repeat``: every even-slot item carries ``<guid>N/A</guid>`` and the channel's
      home page as its link (a CMS with no ids): several items share one guid and one link.
    - ``future_dates``: ``pubDate`` is Beijing wall-clock time labelled ``GMT``, so every
      item looks 8 hours later than it was published (the newest ones in the future).
    - ``undated``: odd-slot items have no ``pubDate`` at all.
    - ``cn_dates``: ``pubDate`` rotates by slot between ``2026年11月25日 星期三 08:00``
      (Beijing time, no zone, minute precision), epoch seconds and epoch milliseconds.
    - ``bad_byte``: the newest item's description loses the last byte of one multi-byte
      character, the last of its first paragraph (a CMS that cut text at a byte count):
      one undecodable byte sequence in an otherwise UTF-8 or GB18030 document.

    Every platform (feeds: item title or description; Weibo: status and comment text;
    WeChat and Douyin: comment text), on even-slot posts and odd-numbered comments:

    - ``surrogate``: half an emoji, a lone high surrogate U+D83D: ``&#xD83D;`` in XML,
      ``\\ud83d`` in JSON (both are what the wire carries; neither is valid text).
    - ``nonchar``: U+FFFE, a noncharacter (forbidden in XML 1.0; a byte-swapped BOM).

    Weibo (https://open.weibo.com/wiki/2/statuses/show):

    - ``long_text``: even-slot statuses are longer than 140 characters; the timeline sends
      ``isLongText: true`` and the first 137 characters followed by ``... 全文：URL``; the full
      text comes from ``2/statuses/show.json?id=ID&isGetLongText=1`` as
      ``longText.longTextContent``.

    Douyin (video/list ``video_status``, notice of 2024-11-15,
    https://developer.open-douyin.com/forum/bulletin/post/6736c38048f043667b75f70a):

    - ``video_status``: statuses cycle by slot through 5, 2, 1, 4, 6, 5, 7, 6 (1/5 public,
      2 not fit for the public, 4 under review, 6 friends only, 7 private); only 1 and 5
      count as posts, and videos under 2, 4 and 7 get no comments (nobody else sees them).
    """

    GUID_REPEAT = "guid_repeat"
    FUTURE_DATES = "future_dates"
    UNDATED = "undated"
    CN_DATES = "cn_dates"
    BAD_BYTE = "bad_byte"
    SURROGATE = "surrogate"
    NONCHAR = "nonchar"
    LONG_TEXT = "long_text"
    VIDEO_STATUS = "video_status"


#: the served platforms each switch can change; elsewhere a switch does nothing
CONTENT_PLATFORMS: Final[dict[ContentKind, frozenset[str]]] = {
    ContentKind.GUID_REPEAT: frozenset({"rss"}),
    ContentKind.FUTURE_DATES: frozenset({"rss"}),
    ContentKind.UNDATED: frozenset({"rss"}),
    ContentKind.CN_DATES: frozenset({"rss"}),
    ContentKind.BAD_BYTE: frozenset({"rss"}),
    ContentKind.SURROGATE: frozenset({"rss", "weibo", "wechat_mp", "douyin"}),
    ContentKind.NONCHAR: frozenset({"rss", "weibo", "wechat_mp", "douyin"}),
    ContentKind.LONG_TEXT: frozenset({"weibo"}),
    ContentKind.VIDEO_STATUS: frozenset({"douyin"}),
}
#: the placeholder guid of ``guid_repeat`` items
PLACEHOLDER_GUID: Final = "N/A"
LONE_SURROGATE: Final = "\ud83d"
NONCHARACTER: Final = "\ufffe"


@dataclass(frozen=True, slots=True)
class ContentSwitch:
    """One content switch: ``kind`` for the account or platform ``target`` (``None``: all),
    on a ``rate`` percent share of those accounts."""

    kind: ContentKind
    target: str | None = None
    rate: float = 100.0


@dataclass(frozen=True, slots=True)
class ContentMenu:
    """The active content switches. Which accounts a ``%rate`` switch picks is fixed per
    (seed, kind, account), so a share stays the same accounts across requests and a larger
    share of the same kind contains a smaller one."""

    switches: tuple[ContentSwitch, ...] = ()
    seed: int = 0

    def on(self, kind: ContentKind, account: SimAccount) -> bool:
        """Whether ``kind`` changes what ``account`` serves."""
        if account.served not in CONTENT_PLATFORMS[kind]:
            return False
        names = (account.key, account.served, account.platform)
        for switch in self.switches:
            if switch.kind is not kind or (switch.target is not None and switch.target not in names):
                continue
            if switch.rate >= 100.0 or stable_unit(self.seed, "content", kind.value, account.key) * 100.0 < switch.rate:
                return True
        return False


@dataclass(frozen=True, slots=True)
class FeedDate:
    """A feed item's date: ``text`` as written in ``<pubDate>`` (``None``: no date element) and
    ``seen``, epoch seconds, when a careful reader that first reads the feed at ``now`` dates it
    (``None``: it cannot; the item is stored with an estimated date and not counted)."""

    text: str | None
    seen: int | None


class ContentShapes:
    """The per-platform shapes of content under the active menu (a part of ``World``)."""

    seed: int
    content: ContentMenu

    def set_content(self, switches: Iterable[ContentSwitch]) -> None:
        """Replace the active content switches (none: every platform says plain things).

        One assignment of an immutable menu, so a request or ``truth()`` running in another
        thread sees either the old menu or the new one, never a mix.
        """
        self.content = ContentMenu(switches=tuple(switches), seed=self.seed)

    def content_on(self, kind: ContentKind, account: SimAccount) -> bool:
        """Whether content switch ``kind`` is on for ``account``."""
        return self.content.on(kind, account)

    def feed_guid(self, account: SimAccount, post: SimPost) -> str | None:
        """The ``<guid>`` of a feed item: the post id, :data:`PLACEHOLDER_GUID`, or ``None`` (no element)."""
        if self.content_on(ContentKind.GUID_REPEAT, account) and post.slot % 2 == 0:
            return PLACEHOLDER_GUID
        if account.omit_guid and post.slot % 3 == 0:
            return None
        return post.post_id

    def feed_date(self, account: SimAccount, post: SimPost, *, now: int) -> FeedDate:
        """The ``<pubDate>`` of a feed item and when a careful reader dates it (see :class:`FeedDate`).

        Precedence when several date switches are on: ``undated``, then ``cn_dates``, then
        ``future_dates``. A date labelled later than ``now`` is dated ``now`` by the reader
        (a post cannot be published after it is first seen), which is what ``seen`` gives for
        a reader whose first poll is at ``now``; one that read the feed earlier dated those
        items at that earlier poll.
        """
        published = post.published
        if self.content_on(ContentKind.UNDATED, account) and post.slot % 2 == 1:
            return FeedDate(None, None)
        local = to_datetime(published)
        if self.content_on(ContentKind.CN_DATES, account):
            form = post.slot % 3
            if form == 0:
                weekday = "一二三四五六日"[local.weekday()]
                text = f"{local.year}年{local.month}月{local.day}日 星期{weekday} {local:%H:%M}"
                return FeedDate(text, published - published % 60)  # the form has no seconds
            if form == 1:
                return FeedDate(str(published), published)
            return FeedDate(str(published * 1000), published)
        if self.content_on(ContentKind.FUTURE_DATES, account):
            # Beijing wall-clock time with a GMT label: the instant named is 8 hours later.
            return FeedDate(f"{local:%a, %d %b %Y %H:%M:%S} GMT", min(published + BEIJING_OFFSET_S, now))
        return FeedDate(email.utils.format_datetime(local), published)

    def video_status(self, account: SimAccount, post: SimPost) -> int:
        """The Douyin ``video_status`` of a video: 1 (published) unless ``video_status`` is on."""
        if self.content_on(ContentKind.VIDEO_STATUS, account):
            return _VIDEO_STATUS_CYCLE[post.slot % len(_VIDEO_STATUS_CYCLE)]
        return 1

    def weibo_long(self, account: SimAccount, post: SimPost) -> bool:
        """Whether a Weibo status is a long post (``long_text`` on, even slot)."""
        return self.content_on(ContentKind.LONG_TEXT, account) and post.slot % 2 == 0

    def hostile_post(self, account: SimAccount, post: SimPost) -> str:
        """What the ``surrogate`` and ``nonchar`` switches add to a post's text ("" when none)."""
        return self._hostile(account) if post.slot % 2 == 0 else ""

    def hostile_comment(self, account: SimAccount, comment: SimComment) -> str:
        """What the ``surrogate`` and ``nonchar`` switches add to a comment's text ("" when none)."""
        return self._hostile(account) if comment.number % 2 == 1 else ""

    def _hostile(self, account: SimAccount) -> str:
        added = ""
        if self.content_on(ContentKind.SURROGATE, account):
            added += LONE_SURROGATE
        if self.content_on(ContentKind.NONCHAR, account):
            added += NONCHARACTER
        return added

    def desk_time(self, account: SimAccount, post: SimPost, *, now: int) -> int | None:
        """When a careful reader first polling at ``now`` dates ``post`` as a counted post, or
        ``None`` when it does not count: deleted, not shown to the public (Douyin), or undated."""
        if post.deleted(now):
            return None
        if account.served == "douyin" and self.video_status(account, post) not in PUBLIC_VIDEO_STATUSES:
            return None
        if account.served == "rss":
            return self.feed_date(account, post, now=now).seen
        return post.published
