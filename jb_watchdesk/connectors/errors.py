"""Errors shared by the platform connectors: naming a failure that did not stop the fetch.

A comment read that fails (a daily quota, a rejected argument, one article with comments
closed) must not cost the account its posts. The connector returns the posts and puts one
:class:`~jb_watchdesk.connectors.base.ConnectorError` per problem into
``FetchResult.problems``; its reason names the post, the platform's error and what to do,
because that line is what the officer reads in the account's health.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Final

from jb_watchdesk.connectors.base import SHANGHAI, ConnectorError, clip

_TITLE_CHARS: Final = 24


def comment_problem(error: ConnectorError, *, post_id: str, post_title: str = "") -> ConnectorError:
    """``error`` restated for one post's comments: which post, which error, what to do.

    The code gains a ``.comments`` suffix (``wechat.45009.comments``) so logs and the
    handover report tell a comment failure from a failed poll.
    """
    title = clip(post_title.strip(), _TITLE_CHARS)
    which = f"“{title}” ({post_id})" if title else post_id
    return ConnectorError(
        error.kind,
        f"comments of post {which} could not be read: {error.reason}; its posts are still read",
        code=f"{error.code}.comments",
        retry_after=error.retry_after,
        log_id=error.log_id,
    )


def comments_paused_problem(error: ConnectorError, *, until: datetime, skipped: int) -> ConnectorError:
    """One line for every post whose comments were not read while a quota pause lasts."""
    local = until.astimezone(SHANGHAI)
    return ConnectorError(
        error.kind,
        f"comments of {skipped} recent post(s) were not read: {error.reason}; comment reads resume "
        f"at {local:%m-%d %H:%M} Beijing time and posts are still read meanwhile",
        code=error.code if error.code.endswith(".comments") else f"{error.code}.comments",
        retry_after=error.retry_after,
    )


def next_quota_reset(now: datetime) -> datetime:
    """When the platforms' daily quotas reset: the next midnight Beijing time (one minute after)."""
    local = now.astimezone(SHANGHAI)
    return datetime.combine(local.date() + timedelta(days=1), time(0, 1), tzinfo=SHANGHAI)
