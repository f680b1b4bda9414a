"""What a desk should conclude from the world: the answers tests and benchmarks compare with.

:func:`truth_rows` gives per account the freshness report, comment counts and overdue
answers of a careful reader polling at an instant; :func:`truth_item_rows` the external ids
of every post and comment it must store. :meth:`World.truth` and :meth:`World.truth_items`
describe both in full.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jb_watchdesk.domain import rules
from jb_watchdesk.simulator.menu import PLACEHOLDER_GUID, PUBLIC_VIDEO_STATUSES
from jb_watchdesk.simulator.model import to_datetime

if TYPE_CHECKING:
    from jb_watchdesk.simulator.world import World


def truth_rows(world: World, at: int, *, comment_window_days: int) -> list[dict[str, object]]:
    """Per account, what the desk should conclude at ``at`` (epoch seconds); see :meth:`World.truth`."""
    moment = to_datetime(at)
    rows: list[dict[str, object]] = []
    window_start = at - comment_window_days * 86_400
    for account in world.accounts:
        posts = [post for post in world.posts(account, now=at) if not post.deleted(at)]
        counted = (world.desk_time(account, post, now=at) for post in posts)
        times = [to_datetime(seen) for post, seen in zip(posts, counted, strict=True) if seen is not None for _ in range(post.articles)]
        report = rules.freshness(times, now=moment, observed_since=None)
        visible_reply = account.served in ("wechat_mp", "weibo")
        total = unanswered = actual = overdue_ack = overdue_result = sensitive = 0
        for post in posts:
            if post.published < window_start:
                continue
            if post.sensitive:
                sensitive += 1
            for comment in world.comments(post, now=at):
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


def truth_item_rows(
    world: World, at: int, *, post_horizon_days: int, comment_window_days: int
) -> list[dict[str, object]]:
    """Per account, the ids a desk polling at ``at`` must store; see :meth:`World.truth_items`."""
    post_start = at - post_horizon_days * 86_400
    comment_start = at - comment_window_days * 86_400
    rows: list[dict[str, object]] = []
    for account in world.accounts:
        posts: list[str] = []
        deleted: list[str] = []
        hidden: list[str] = []
        estimated: list[str] = []
        comments: list[str] = []
        hashed = 0
        if account.served == "rss":
            for post in reversed(world.feed_items(account, now=at)):
                guid = world.feed_guid(account, post)
                if guid is None or guid == PLACEHOLDER_GUID:
                    hashed += 1
                    continue
                posts.append(guid)
                if world.feed_date(account, post, now=at).seen is None:
                    estimated.append(guid)
        else:
            for post in reversed(world.listed_posts(account, now=at)):
                if post.published < post_start:
                    continue
                ids = [post.post_id]
                if account.served == "wechat_mp":
                    ids = [f"{post.post_id}:{n}" for n in range(1, post.articles + 1)]
                posts.extend(ids)
                if post.deleted(at):
                    deleted.extend(ids)
                if account.served == "douyin" and world.video_status(account, post) not in PUBLIC_VIDEO_STATUSES:
                    hidden.extend(ids)
            for post in world.posts(account, now=at):
                if post.published < comment_start or post.deleted(at):
                    continue
                for comment in world.comments(post, now=at):
                    if account.served == "wechat_mp":
                        comments.append(f"{post.post_id}:1:{comment.number}")
                    else:
                        comments.append(comment.comment_id)
        rows.append(
            {
                "key": account.key,
                "served_as": account.served,
                "posts": posts,
                "posts_hashed": hashed,
                "deleted_posts": deleted,
                "hidden_posts": hidden,
                "estimated_posts": estimated,
                "comments": comments,
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
